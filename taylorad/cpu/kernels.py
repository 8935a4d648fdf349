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

import numba
import numpy as np

from . import codegen

__all__ = ["companion", "get"]

_HEADER = ("import math\n\nfrom numba import njit\n\n\n"
           "@njit(cache={cache}, nogil=True, boundscheck=False, error_model='numpy')\n")
_LOADED = {}


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
        fn = _LOADED[key] = load(codegen.source(kind, name, K, tuple(ds), ip))
    return fn


def load(body):
    """Compile the source of a function named ``kernel`` (through the on-disk cache)."""
    fn = _LOADED.get(body)
    if fn is None:
        d = _cache_dir()
        src = _HEADER.format(cache=d is not None) + body
        if d is not None:
            fn = _from_file(d, hashlib.sha256(src.encode()).hexdigest()[:20], src)
        else:
            ns = {}
            exec(compile(src, "<taylorad.cpu kernel>", "exec"), ns)  # noqa: S102
            fn = ns["kernel"]
        _LOADED[body] = fn
    return fn


_TWO_PI = 6.283185307179586
_INV_TWO_PI = 0.15915494309189535
_HALF_PI = 1.5707963267948966


@numba.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")
def _companion(x, y, cosine, out, todo):
    """out = cos x given y = sin x (cosine=True), or sin x given y = cos x.

    Where |y| < 0.9 the companion is ±√((1 − y)(1 + y)): a few ulp, since it exceeds 0.43 in
    magnitude there, with the sign of x's quadrant (far from the quadrant's edge, so a plain 2π
    reduction decides it for |x| < 2²⁶). The other elements get libm, in a second loop over
    their indices only (a branch around the call in the first loop would be if-converted and
    the call made for every element). NumPy's float64 sin and cos are scalar libm calls, so this
    halves the cost of the sine's and cosine's Taylor rules."""
    cnt = 0
    for i in range(x.shape[0]):
        xi, yi = x[i], y[i]
        v = math.sqrt((1.0 - yi) * (1.0 + yi))
        r = xi - np.floor(xi * _INV_TWO_PI + 0.5) * _TWO_PI
        positive = abs(r) < _HALF_PI if cosine else r > 0.0
        out[i] = v if positive else -v
        todo[cnt] = i
        cnt += not (abs(yi) < 0.9 and abs(xi) < 67108864.0)
    for j in range(cnt):
        i = todo[j]
        out[i] = math.cos(x[i]) if cosine else math.sin(x[i])


def companion(x, y, cosine, out, todo):
    """out = cos x from (x, sin x) (cosine=True) or sin x from (x, cos x); 1-D contiguous arrays
    (``todo``: int64 scratch of the same length)."""
    _companion(x, y, cosine, out, todo)
    return out
