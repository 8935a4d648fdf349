"""Compile the generated Taylor kernels with numba (imported only when numba is installed).

Each (kind, rule, K, stored orders, integer exponent) gets its own straight-line kernel from
``codegen.source``. The source is written once to a small module in the kernel cache directory
(``$TAYLORAD_KERNEL_CACHE``, else ``~/.cache/taylorad/cpu-kernels``) and imported from there, so
numba's on-disk cache (``cache=True``) keeps the machine code between processes: a kernel
compiles once per machine (about 0.2–0.5 s) and loads in milliseconds afterwards. Where that
directory cannot be written the kernel is compiled in memory for the process.
"""
import hashlib
import math
import importlib.util
import os
import sys
import tempfile
import threading

import numba
import numpy as np

from . import codegen, threads

__all__ = ["companion", "companion_range", "get"]

_HEADER = ("import math\n\nfrom numba import njit\n\n\n"
           "@njit(cache={cache}, nogil=True, boundscheck=False, error_model='numpy')\n")
_LOADED = {}
_COMPILING = threading.RLock()  # one compilation at a time: threads missing together compile once


def _cache_dir():
    d = os.environ.get("TAYLORAD_KERNEL_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "taylorad", "cpu-kernels")
    try:
        os.makedirs(d, exist_ok=True)
        if os.access(d, os.W_OK):
            return d
    except OSError:
        pass
    return None


def _from_file(d, digest, src):
    path = os.path.join(d, f"tad_{digest}.py")
    if not os.path.exists(path):
        fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            f.write(src)
        os.replace(tmp, path)  # atomic: processes racing on one kernel see a whole file
    name = f"_taylorad_cpu_kernel_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod.kernel


def get(kind, name, K, ds, ip=0):
    """The compiled kernel (see ``codegen.source`` for its arguments)."""
    key = (kind, name, K, tuple(ds), ip)
    fn = _LOADED.get(key)
    if fn is None:
        with _COMPILING:
            fn = _LOADED.get(key)
            if fn is None:
                fn = _LOADED[key] = load(codegen.source(kind, name, K, tuple(ds), ip))
    return fn


def load(body):
    """Compile the source of a function named ``kernel`` (through the on-disk cache)."""
    fn = _LOADED.get(body)
    if fn is not None:
        return fn
    with _COMPILING:
        fn = _LOADED.get(body)
        if fn is None:
            fn = _LOADED[body] = _compile(body)
    return fn


def _compile(body):
    d = _cache_dir()
    src = _HEADER.format(cache=d is not None) + body
    if d is not None:
        return _from_file(d, hashlib.sha256(src.encode()).hexdigest()[:20], src)
    ns = {}
    exec(compile(src, "<taylorad.cpu kernel>", "exec"), ns)  # noqa: S102
    return ns["kernel"]


def _half_pi_parts():
    """π/2 = P1 + P2 + P3 (+ ~2⁻¹²⁰): P1 and P2 with 33 significant bits, so that k·P1 and k·P2
    are exact for |k| < 2²⁰ (Cody–Waite reduction), computed once from π's decimal digits."""
    from fractions import Fraction  # noqa: PLC0415

    half = Fraction("1.5707963267948966192313216916397514420985846996875529104874722961539082"
                    "03143104499314017412671058534")

    def head(q):  # q rounded down to 33 significant bits
        m, e = math.frexp(float(q))
        f = Fraction(math.floor(m * 2 ** 33), 2 ** 33) * Fraction(2) ** e
        return f if f <= q else f - Fraction(2) ** (e - 33)

    p1 = head(half)
    p2 = head(half - p1)
    return float(p1), float(p2), float(half - p1 - p2)


_P1, _P2, _P3 = _half_pi_parts()
_TWO_OVER_PI = 0.6366197723675814
# Taylor coefficients of sin and cos (alternating 1/n!): on |r| ≤ π/4 the first omitted terms,
# r²¹/21! and r²²/22!, are below 2⁻⁷⁰
(_S3, _S5, _S7, _S9, _S11, _S13, _S15, _S17, _S19) = (
    (-1) ** j / math.factorial(2 * j + 1) for j in range(1, 10))
(_C2, _C4, _C6, _C8, _C10, _C12, _C14, _C16, _C18, _C20) = (
    (-1) ** j / math.factorial(2 * j) for j in range(1, 11))
_EXACT_K = 1048576.0  # 2²⁰: k·P1 and k·P2 are exact below it
_TINY_R = 5.9604644775390625e-08  # 2⁻²⁴


@numba.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")
def _companion(x, cosine, out, bad):
    """out = cos x (cosine=True) or sin x, vectorized: x = k·π/2 + r (Cody–Waite, three parts of
    π/2), then the Taylor polynomials of sin r and cos r, chosen and signed by k mod 4 — no
    branch and no libm call in the loop, so LLVM vectorizes it (NumPy's float64 sin and cos are
    scalar libm calls, 8–10 ns per element here). Elements outside the exact range of the
    reduction (|k| ≥ 2²⁰, inf, nan) or whose reduced argument is below 2⁻²⁴ (it may have lost
    digits to cancellation there) are marked in ``bad`` and get libm in a second pass."""
    n_bad = 0
    for i in range(x.shape[0]):
        xi = x[i]
        k = np.floor(xi * _TWO_OVER_PI + 0.5)
        r = ((xi - k * _P1) - k * _P2) - k * _P3
        z = r * r
        s = r + r * z * (_S3 + z * (_S5 + z * (_S7 + z * (_S9 + z * (_S11 + z * (
            _S13 + z * (_S15 + z * (_S17 + z * _S19))))))))
        s = r if z == 0.0 else s  # sin(−0) = −0 (and sin r = r where r² underflows)
        c = 1.0 + z * (_C2 + z * (_C4 + z * (_C6 + z * (_C8 + z * (_C10 + z * (
            _C12 + z * (_C14 + z * (_C16 + z * (_C18 + z * _C20)))))))))
        h = k * 0.5
        odd = h != np.floor(h)  # k odd: the other function
        q2 = k * 0.25 - np.floor(k * 0.25) >= 0.5  # k mod 4 is 2 or 3
        if cosine:  # cos(kπ/2 + r) = c, −s, −c, s for k mod 4 = 0, 1, 2, 3
            v = s if odd else c
            neg = q2 != odd
        else:  # sin(kπ/2 + r) = s, c, −s, −c
            v = c if odd else s
            neg = q2
        out[i] = -v if neg else v
        b = not (abs(k) < _EXACT_K and (k == 0.0 or abs(r) >= _TINY_R))
        bad[i] = b
        n_bad += b
    if n_bad:
        for i in range(x.shape[0]):
            if bad[i]:
                out[i] = math.cos(x[i]) if cosine else math.sin(x[i])


def companion(x, cosine, out, bad):
    """out = cos x (cosine=True) or sin x for a 1-D contiguous float64 x, within 2 ulp of the
    exact value (``bad``: bool scratch of the same length); large x on several threads
    (``threads.parallel_for``: each computes a slice)."""
    threads.parallel_for(lambda lo, hi: _companion(x[lo:hi], cosine, out[lo:hi], bad[lo:hi]),
                         x.shape[0], 2)  # ~2 ns per element (measured 1.9: threads.MIN_WORK)
    return out


def companion_range(x, cosine, out, bad, lo, hi):
    """``companion`` on elements lo..hi only, in the calling thread (``taylorad.cpu.region``
    runs it block by block, beside the kernels that read it)."""
    _companion(x[lo:hi], cosine, out[lo:hi], bad[lo:hi])
