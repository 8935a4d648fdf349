"""From the Taylor rules to the numba kernels: each entry returns the stacked series
(K, *batch, *shape) or None when a kernel does not apply (the caller then runs the composed
rule). A kernel applies when numba is importable, kernels are on, K ≥ 2, every operand is a
concrete NumPy array of one dtype (float32 or float64), primals have the output's shape, series
have shape (d, *batch, *shape) with d ≤ K, and there are at least ``MIN_ELEMENTS`` coefficients
to compute (below that the dispatch costs more than it saves).
"""
import math
import os
import warnings
from collections import Counter

import numpy as np

from ..core.buffers import empty as _empty
from ..core.rules import integer_exponent
from ..core.switch import Switch, enabled
from . import threads

__all__ = ["available", "calls", "divide", "multiply", "power", "unary", "use_kernels"]

MIN_ELEMENTS = 256  # K·(elements) below which the composed rule is as fast

calls = Counter()  # kernel calls per primitive name (tests and benchmarks read this)
_state = {"enabled": os.environ.get("TAYLORAD_NUMBA", "1").strip().lower() not in
          ("0", "false", "no", "off"),
          "kernels": None, "broken": False}


def _kernels():
    """The compiled-kernel module, or None when numba is missing or failed to compile."""
    k = _state["kernels"]
    if k is None and not _state["broken"]:
        try:
            from . import kernels as k  # noqa: PLC0415 - numba is imported only here
        except ImportError:
            _state["broken"] = True
            return None
        _state["kernels"] = k
    return k


def available():
    """True when numba is installed (the kernels can be used)."""
    return _kernels() is not None


class use_kernels(Switch):
    """Context manager switching the numba kernels on or off (on by default when installed).

    >>> with use_kernels(False):   # doctest: +SKIP
    ...     y = ta.derivatives(f, x, v, 8)   # composed NumPy rules only
    """

    _name = "taylorad.cpu.use_kernels"
    _state = _state


_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))
# loop bounds of the kernels: unsigned, so that numba drops its negative-index wraparound and
# LLVM vectorizes `for i in range(lo, hi)` (signed bounds: 5-7x slower, measured)
_U64 = np.uint64


def _layout(K, ans, primals, series):
    """(nb, m, dtype) when a kernel may run, else None. ``series`` entries may be None (no
    coefficients: a constant operand)."""
    if not enabled(_state) or K < 2 or type(ans) is not np.ndarray:
        return None
    dtype = ans.dtype
    if dtype not in _FLOATS:
        return None
    shape = ans.shape
    for p in primals:
        if type(p) is not np.ndarray or p.dtype != dtype or p.shape != shape:
            return None
    nb = None
    for S in series:
        if S is None:
            continue
        if type(S) is not np.ndarray or S.dtype != dtype or not 1 <= S.shape[0] <= K:
            return None
        core = S.shape[1:]
        if core[len(core) - len(shape):] != shape:
            return None
        b = math.prod(core[:len(core) - len(shape)])
        if nb is None:
            nb, prefix = b, core[:len(core) - len(shape)]
        elif core[:len(core) - len(shape)] != prefix:
            return None
    m = ans.size
    if nb is None or K * nb * m < MIN_ELEMENTS or _kernels() is None:
        return None
    return nb, m, prefix


def _flat(a):
    return np.ascontiguousarray(a).reshape(-1)


def _rows(S, nb, m):
    return np.ascontiguousarray(S).reshape(S.shape[0], nb, m)


def _run(name, key, K, nb, m, prefix, shape, dtype, *args):
    out = _empty((K, nb, m), dtype)
    try:
        kernel = _kernels().get(*key)
        threads.parallel_for(lambda lo, hi: kernel(*args, out, nb, m, _U64(lo), _U64(hi)), m,
                             2 * (K + 1) * nb)  # ~ns per element (threads.MIN_WORK)
    except Exception as err:  # noqa: BLE001 - a kernel that cannot compile must not break users
        _state["broken"], _state["kernels"] = True, None
        warnings.warn(f"taylorad.cpu: the numba kernel for {name!r} failed ({type(err).__name__}: "
                      f"{err}); using the composed NumPy rules from now on", RuntimeWarning,
                      stacklevel=4)
        return None
    calls[name] += 1
    return out.reshape((K,) + prefix + shape)


_OWN = {}


def _own(prim):
    """True for taylorad.numpy's own primitive with a kernel (a user primitive may reuse a name)."""
    ok = _OWN.get(prim)
    if ok is None:
        from .. import numpy as tnp  # noqa: PLC0415
        from .codegen import UNARY  # noqa: PLC0415

        ok = _OWN[prim] = prim.name in UNARY and getattr(tnp, prim.name, None) is prim
    return ok


def unary(prim, K, ans, x0, S, dry=False):
    """Series of an elementwise unary taylorad.numpy primitive (see codegen.UNARY), or None
    (``dry``: True when the kernel would run)."""
    if not _own(prim):
        return None
    lay = _layout(K, ans, (x0,), (S,))
    if lay is None or dry:
        return lay and True
    nb, m, prefix = lay
    x0, y0 = _flat(x0), _flat(ans)
    if prim.name in ("sin", "cos"):  # their recurrences take the companion function, not x₀
        x0 = _kernels().companion(x0, prim.name == "sin", _empty(y0.shape, y0.dtype),
                                  _empty(y0.shape, np.bool_))
    return _run(prim.name, ("unary", prim.name, K, (S.shape[0],)), K, nb, m, prefix, ans.shape,
                ans.dtype, x0, y0, _rows(S, nb, m))


def multiply(K, ans, a0, b0, Sa, Sb, dry=False):
    lay = _layout(K, ans, (a0, b0), (Sa, Sb))
    if lay is None or Sa is None or Sb is None:
        return None
    if dry:
        return True
    nb, m, prefix = lay
    return _run("multiply", ("multiply", "", K, (Sa.shape[0], Sb.shape[0])), K, nb, m, prefix,
                ans.shape, ans.dtype, _flat(a0), _flat(b0), _rows(Sa, nb, m), _rows(Sb, nb, m))


def divide(K, ans, a0, b0, Sa, Sb, dry=False):
    """a / b with a series on b (Sa may be None: a constant numerator)."""
    lay = _layout(K, ans, (b0,), (Sa, Sb))
    if lay is None or Sb is None:
        return None
    if dry:
        return True
    nb, m, prefix = lay
    As = np.empty((0, nb, m), dtype=ans.dtype) if Sa is None else _rows(Sa, nb, m)
    return _run("divide", ("divide", "", K, (As.shape[0], Sb.shape[0])), K, nb, m, prefix,
                ans.shape, ans.dtype, _flat(b0), _flat(ans), As, _rows(Sb, nb, m))


def power(K, ans, a0, p, Sa, dry=False):
    """x ** p for a real scalar p ≠ 0."""
    p = float(p)
    if not math.isfinite(p) or p == 0.0:
        return None
    lay = _layout(K, ans, (a0,), (Sa,))
    if lay is None:
        return None
    if dry:
        return True
    nb, m, prefix = lay
    ip = integer_exponent(p)  # the composed rule's integer path
    return _run("power", ("power", "", K, (Sa.shape[0],), ip), K, nb, m, prefix, ans.shape,
                ans.dtype, p, _flat(a0), _flat(ans), _rows(Sa, nb, m))
