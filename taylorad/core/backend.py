"""Array backends: which namespace an array belongs to, and what Dask arrays need.

taylorad's primitives run on NumPy, CuPy and Dask arrays. ``namespace`` is the ONE place that
tells them apart: it returns the module whose functions the implementations call (``numpy``,
``cupy`` or ``dask.array``). It asks ``array-api-compat`` when that is installed (its
``is_*_array`` tests look only at modules already imported, so a NumPy user never imports cupy or
dask through taylorad) and otherwise looks at the array's module.

Dask arrays are lazy: every primitive on them adds to one task graph, and nothing is computed
until the caller asks (``dask.compute``; the optimizers do it once per evaluation). Two rules
keep that graph small and the data on the workers:

* a constant that stands beside data — the cotangent of a sum broadcast back to the summed
  shape, zeros of the data's shape — is created as a Dask array with the data's chunks
  (``broadcast_like``), never as a data-sized NumPy array on the client that Dask would embed in
  the graph and ship to the workers;
* NumPy-only fast paths (numba kernels, recycled buffers, ``taylorad.jit`` replay and fusion)
  check for concrete ``numpy.ndarray`` and never see a Dask array.
"""
import sys

import numpy as np

__all__ = ["namespace", "is_dask", "any_dask", "dask_chunks", "broadcast_like", "compute",
           "check_dask_inputs"]

try:  # optional: the array-API compatibility layer (a light import: no numpy/cupy/dask)
    from array_api_compat import is_cupy_array as _is_cupy
    from array_api_compat import is_dask_array as _is_dask
except ImportError:  # pragma: no cover - array-api-compat is in the dask extra
    def _is_dask(x):
        return "dask.array" in sys.modules and isinstance(x, sys.modules["dask.array"].Array)

    def _is_cupy(x):
        return type(x).__module__.startswith("cupy") and hasattr(x, "shape")


def namespace(*xs):
    """The array module of the (unboxed) arrays ``xs``: numpy, cupy or dask.array.

    Python scalars and NumPy arrays give numpy; any Dask array makes it dask.array (NumPy
    constants combine with Dask arrays); CuPy arrays give cupy. Mixing CuPy with Dask raises
    TypeError (a Dask array of CuPy chunks is not supported either).
    """
    ns = np
    for x in xs:
        if type(x) is np.ndarray or isinstance(x, (float, int, np.generic)):
            continue
        if _is_dask(x):
            if ns is not np and ns.__name__ == "cupy" or _dask_of_cupy(x):
                raise TypeError(_CUPY_DASK)
            ns = sys.modules["dask.array"]
        elif _is_cupy(x):
            if ns is not np and ns.__name__ == "dask.array":
                raise TypeError(_CUPY_DASK)
            ns = sys.modules["cupy"]
    return ns


_CUPY_DASK = ("taylorad: Dask arrays and CuPy arrays are mixed in one call — taylorad runs Dask "
              "arrays of NumPy chunks; move the CuPy arrays to the host first (x.get()), or use "
              "CuPy alone on one GPU")


def _dask_of_cupy(x):
    meta = getattr(x, "_meta", None)
    return meta is not None and type(meta).__module__.startswith("cupy")


def is_dask(x):
    """True for a Dask array (never imports dask)."""
    return _is_dask(x)


def any_dask(xs):
    """True when any of ``xs`` (plain values, not boxes) is a Dask array."""
    return any(_is_dask(x) for x in xs)


def dask_chunks(x):
    """The chunks of a Dask array ``x``, else None."""
    return x.chunks if _is_dask(x) else None


def broadcast_like(x, shape, chunks):
    """``x`` broadcast to ``shape`` as a Dask array whose trailing ``len(chunks)`` axes carry
    ``chunks`` (the chunks of the data beside it). ``x`` is small (a reduced cotangent, a
    parameter); it becomes one Dask chunk, so nothing data-sized exists on the client."""
    da = sys.modules["dask.array"]
    shape = tuple(shape)
    xd = x if _is_dask(x) else da.from_array(np.asarray(x) if not hasattr(x, "shape") else x,
                                             chunks=-1)
    if xd.ndim < len(shape):
        xd = xd.reshape((1,) * (len(shape) - xd.ndim) + tuple(xd.shape))
    lead = len(shape) - len(chunks)
    target, rechunk = [], {}
    for i, (s, n) in enumerate(zip(xd.shape, shape)):
        c = tuple(chunks[i - lead]) if i >= lead else (n,)
        if s == n and s != 1:  # an axis x already has: align its chunks with the data's
            if i >= lead and xd.chunks[i] != c:
                rechunk[i] = c
            else:
                c = xd.chunks[i] if i < lead else c
        target.append(c)
    if rechunk:
        xd = xd.rechunk(rechunk)
    return da.broadcast_to(xd, shape, chunks=tuple(target))


def compute(*xs):
    """``xs`` with every Dask array among them computed in ONE ``dask.compute`` (one pass over
    the data); everything else is returned as it is. Uses the active dask.distributed client,
    if any, else Dask's default scheduler. The graph is fused per data chunk first
    (``core/daskfuse.py``: each chunk's work is one task)."""
    if not any(_is_dask(x) for x in xs):
        return xs
    from . import daskfuse  # noqa: PLC0415

    idx = [i for i, x in enumerate(xs) if _is_dask(x)]
    vals = daskfuse.compute([xs[i] for i in idx])
    out = list(xs)
    for i, v in zip(idx, vals):
        out[i] = v
    return tuple(out)


def check_dask_inputs(leaves, fname):
    """Entry check of a transform: CuPy with Dask is an error; Dask arrays of CuPy chunks too."""
    try:
        namespace(*leaves)
    except TypeError as e:
        raise TypeError(f"{fname}: {str(e).removeprefix('taylorad: ')}") from None
