"""Dispatch from the Taylor rules to the fused kernels (reached only with cupy arrays).

Each entry returns the stacked series (K, *batch, *shape) computed by one kernel launch, or None
when the kernel does not apply — the caller then runs the composed rule unchanged. A kernel
applies when: fused kernels are on (``use_fused``), 2 <= K <= MAX_K, every operand is a concrete
cupy array of one dtype (float32 or float64) on one device, operands with a series have the full
shape prefix + primal shape, and binary operands have equal shapes (no broadcasting).
"""
import math
import warnings
from collections import Counter

import numpy as np

from ..core.rules import integer_exponent
from ..core.switch import Switch, enabled
from .loader import KERNELS, MAX_K, get_kernel

__all__ = ["divide", "launches", "multiply", "power", "unary", "use_fused"]

BLOCK = 256

launches = Counter()  # kernel launches per primitive name (tests and benchmarks read this)
_state = {"enabled": True}
_broken = set()  # (name, dtype, K, device) keys whose compilation failed: composed rule instead


class use_fused(Switch):
    """Context manager switching the fused kernels on or off (they are on by default).

    >>> with use_fused(False):   # doctest: +SKIP
    ...     y = ta.derivatives(f, x_gpu, v_gpu, 8)   # composed rules only
    """

    _name = "taylorad.cuda.use_fused"
    _state = _state


def _usable(tr, ans, primals, series):
    """The common dtype of the operands if a kernel may run on them, else None."""
    if not enabled(_state) or not 2 <= tr.K <= MAX_K:
        return None
    import cupy  # noqa: PLC0415 - the caller already holds cupy arrays

    arrays = (ans,) + tuple(primals) + tuple(series)
    if not all(type(a) is cupy.ndarray for a in arrays):
        return None
    dtype = ans.dtype
    if dtype not in (np.float32, np.float64) or any(a.dtype != dtype for a in arrays):
        return None
    shape = tuple(ans.shape)
    full = tr.prefix + shape
    if any(tuple(p.shape) != shape for p in primals):
        return None
    if any(tuple(s.shape) != full for s in series):
        return None
    dev = ans.device.id
    if any(a.device.id != dev for a in arrays):
        return None
    return dtype


def _launch(name, tr, dtype, dev, args_before, series_out_like, extra=()):
    import cupy  # noqa: PLC0415

    key = (name, dtype.name, tr.K, dev)
    if key in _broken:
        return None
    try:
        kern = get_kernel(name, dtype, tr.K, dev)
    except Exception as err:  # noqa: BLE001 - a kernel that cannot compile must not break users
        _broken.add(key)
        warnings.warn(f"taylorad.cuda: fused kernel {name!r} ({dtype.name}, K={tr.K}) failed to "
                      f"compile, using the composed Taylor rule instead: {err}", RuntimeWarning,
                      stacklevel=4)
        return None
    out = cupy.empty(series_out_like.shape, dtype=dtype)
    n = out.size // tr.K
    if n == 0:
        return out
    m = args_before[0].size
    blocks = min(math.ceil(n / BLOCK), _max_blocks(dev))
    with cupy.cuda.Device(dev):
        args = [cupy.ascontiguousarray(a) for a in args_before]
        kern((blocks,), (BLOCK,), (*args, out, np.int64(n), np.int64(m), *extra))
    launches[name] += 1
    return out


_BLOCKS = {}


def _max_blocks(dev):
    """Enough blocks to fill the device several times over; the kernels loop (grid stride)."""
    b = _BLOCKS.get(dev)
    if b is None:
        import cupy  # noqa: PLC0415

        sms = cupy.cuda.Device(dev).attributes["MultiProcessorCount"]
        b = _BLOCKS[dev] = int(sms) * 32
    return b


def unary(prim, tr, ans, x0, S):
    """Series of ``prim(x)`` for an elementwise unary primitive with a fused kernel."""
    name = prim.name
    spec = KERNELS.get(name)
    if spec is None or spec.kind != "unary" or not _is_tnp(prim):
        return None
    dtype = _usable(tr, ans, (x0,), (S,))
    if dtype is None:
        return None
    return _launch(name, tr, dtype, ans.device.id, (x0, ans, S), S)


def multiply(tr, ans, a0, b0, Sa, Sb):
    dtype = _usable(tr, ans, (a0, b0), (Sa, Sb))
    if dtype is None:
        return None
    return _launch("multiply", tr, dtype, ans.device.id, (a0, b0, Sa, Sb), Sa)


def divide(tr, ans, a0, b0, Sa, Sb):
    dtype = _usable(tr, ans, (a0, b0), (Sa, Sb))
    if dtype is None:
        return None
    return _launch("divide", tr, dtype, ans.device.id, (b0, ans, Sa, Sb), Sa)


def power(tr, ans, a0, p, Sa):
    """x ** p for a real scalar p != 0 (p = 0 has a zero series and never gets here)."""
    p = float(p)
    if not math.isfinite(p) or p == 0.0:
        return None
    dtype = _usable(tr, ans, (a0,), (Sa,))
    if dtype is None:
        return None
    ip = integer_exponent(p)  # the composed rule's integer path
    return _launch("power", tr, dtype, ans.device.id, (a0, ans, Sa), Sa,
                   (np.float64(p), np.int32(ip)))


def _is_tnp(prim):
    """Only taylorad's own primitive of that name (a user primitive may reuse the name)."""
    from .. import numpy as tnp  # noqa: PLC0415

    return getattr(tnp, prim.name, None) is prim
