"""``taylorad.compute``: taylorad's lazy Dask results, computed together in one fused pass."""
from .core import backend
from .core.trace import getval
from .core.tree import tree_flatten, tree_unflatten

__all__ = ["compute"]


def compute(*results):
    """Compute lazy results together: one pass over the data, one task per data chunk.

    On Dask data the transforms return lazy Dask arrays. ``ta.compute(f, g, hv)`` computes
    them in ONE ``dask.compute`` (so they share one pass over the data) after fusing the graph
    per data chunk: every task that depends on exactly one chunk of the data — the forward
    values, their Taylor coefficients, the cotangents — runs as one task on that chunk's
    worker, and only the small per-chunk partial results travel to the reductions. Dask's own
    optimizer fuses linear chains only; a derivative pass is not linear, and unfused its
    data-sized intermediates may be shipped between workers. The optimizers of
    ``taylorad.optimize`` compute every evaluation this way.

    Parameters
    ----------
    *results
        Arrays or pytrees (tuples, lists, dicts) of arrays, as the transforms return them.
        Dask arrays are computed; everything else comes back unchanged.

    Returns
    -------
    tuple
        One entry per argument, in the same structure, with NumPy arrays for the Dask arrays.

    Examples
    --------
    >>> import dask.array as da, numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> X = da.from_array(np.arange(12.0).reshape(6, 2), chunks=(2, 2))
    >>> f, g = ta.value_and_grad(lambda w: tnp.sum((X @ w) ** 2))(np.ones(2))
    >>> ta.compute(f, g)
    (np.float64(1006.0), array([ 940., 1072.]))
    """
    flat = [tree_flatten(r) for r in results]
    leaves = [getval(x) for lv, _ in flat for x in lv]
    idx = [i for i, x in enumerate(leaves) if backend.is_dask(x)]
    if idx:
        vals = backend.compute(*[leaves[i] for i in idx])
        for i, v in zip(idx, vals):
            leaves[i] = v
    out, off = [], 0
    for lv, td in flat:
        out.append(tree_unflatten(td, leaves[off:off + len(lv)]))
        off += len(lv)
    return tuple(out)
