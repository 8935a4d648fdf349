"""Joining, splitting and rearranging: vstack/hstack/dstack/column_stack, atleast_1d/2d/3d,
vsplit/hsplit/dsplit, append, insert, delete, resize, rot90, fliplr/flipud, compress, extract,
choose, diagflat, block, trim_zeros, sort, partition, unstack, broadcast_arrays, permute_dims,
matrix_transpose, rollaxis, copy and the as*array spellings.

No new primitive: each is linear, a composition of reshape, concatenate, getitem and
broadcast_to, so its VJP and its Taylor rule at every order are theirs. Functions that only move
entries around (insert, delete, rot90, …) run NumPy's own function once on *tags* — integer
arrays numbering the entries of the inputs (0 for an inserted zero) — and gather the traced
entries with those tags: NumPy's semantics exactly, at the cost of one gather.

``sort`` and ``partition`` take the derivative of the active piece: the entries are gathered in
the order ``argsort`` (stable) / ``argpartition`` gives for the values. Between ties the order
is the stable one, so each output entry follows one input entry.
"""
import numpy as np

from ..core.trace import Box, getval
from ._util import array_namespace, normalize_axis, shape_of
from .shape import (broadcast_to, concatenate, getitem_p, moveaxis, ravel, reshape, swapaxes,
                    transpose, astype)
from .tensor import array_split, split, take_along_axis

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "vstack", "hstack", "dstack",
           "column_stack", "concat", "block", "vsplit", "hsplit", "dsplit", "append", "insert",
           "delete", "resize", "rot90", "fliplr", "flipud", "compress", "extract", "choose",
           "diagflat", "trim_zeros", "sort", "partition", "unstack", "broadcast_arrays",
           "permute_dims", "matrix_transpose", "rollaxis", "copy", "asanyarray",
           "ascontiguousarray", "asfortranarray", "require", "asarray_chkfinite", "row_stack"]


def _traced(*xs):
    return any(isinstance(x, Box) for x in xs)


def _arr(x):
    return x if isinstance(x, Box) else array_namespace(x).asarray(x)


def _rearrange(np_fn, arrays):
    """``np_fn(*arrays)`` for a NumPy function that only moves entries (or inserts zeros):
    evaluated on tag arrays, then one gather of the traced entries."""
    arrays = [_arr(a) for a in arrays]
    if not _traced(*arrays):
        return np_fn(*arrays)
    tags, start = [], 1
    for a in arrays:
        n = int(np.prod(shape_of(a)))
        tags.append(np.arange(start, start + n, dtype=np.intp).reshape(shape_of(a)))
        start += n
    idx = np.asarray(np_fn(*tags))
    if idx.dtype.kind not in "iu":
        raise TypeError(f"taylorad.numpy: {getattr(np_fn, '__name__', 'a rearrangement')} did "
                        f"not keep integer tags (internal error)")
    dtype = np.result_type(*[getval(a).dtype for a in arrays])
    xp = array_namespace(*[getval(a) for a in arrays])
    flat = concatenate([xp.zeros(1, dtype=dtype)] + [astype(ravel(a), dtype) for a in arrays])
    return getitem_p(flat, idx=(idx,))


# atleast_*, stacking ------------------------------------------------------------------------
def _atleast(arys, nd):
    out = []
    for a in arys:
        a = _arr(a)
        s = shape_of(a)
        if len(s) < nd:
            if nd == 1:
                new = (1,) * (1 - len(s)) + s
            elif nd == 2:
                new = (1,) * (2 - len(s)) + s
            else:
                new = {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}[len(s)]
            a = reshape(a, new)
        out.append(a)
    return out[0] if len(out) == 1 else tuple(out)


def atleast_1d(*arys):
    """numpy.atleast_1d: scalars become shape (1,).

    Parameters
    ----------
    *arys : array_like or traced
        Inputs.

    Returns
    -------
    array or tuple of arrays
        Each input with at least one dimension.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.atleast_1d(2.0).shape
    (1,)
    """
    return _atleast(arys, 1)


def atleast_2d(*arys):
    """numpy.atleast_2d: shape (n,) becomes (1, n).

    Parameters
    ----------
    *arys : array_like or traced
        Inputs.

    Returns
    -------
    array or tuple of arrays
        Each input with at least two dimensions.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.atleast_2d(np.ones(3)).shape
    (1, 3)
    """
    return _atleast(arys, 2)


def atleast_3d(*arys):
    """numpy.atleast_3d: (n,) becomes (1, n, 1) and (m, n) becomes (m, n, 1).

    Parameters
    ----------
    *arys : array_like or traced
        Inputs.

    Returns
    -------
    array or tuple of arrays
        Each input with at least three dimensions.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.atleast_3d(np.ones(3)).shape
    (1, 3, 1)
    """
    return _atleast(arys, 3)


def _seq(tup, fname):
    tup = list(tup)
    if not tup:
        raise ValueError(f"taylorad.numpy.{fname}: need at least one array")
    return tup


def vstack(tup, *, dtype=None, casting="same_kind"):
    """numpy.vstack: concatenate along the first axis after atleast_2d.

    Parameters
    ----------
    tup : sequence of arrays (traced or not)
        Arrays with the same shape except in the first axis.

    Returns
    -------
    array
        The stacked array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.vstack([np.ones(2), np.zeros(2)]).shape
    (2, 2)
    """
    out = concatenate([_atleast([a], 2) for a in _seq(tup, "vstack")], axis=0)
    return out if dtype is None else astype(out, dtype)


def hstack(tup, *, dtype=None, casting="same_kind"):
    """numpy.hstack: along the second axis (the first for 1-D inputs).

    Parameters
    ----------
    tup : sequence of arrays (traced or not)
        Arrays to join.

    Returns
    -------
    array
        The joined array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.hstack([np.ones(2), np.zeros(3)]).shape
    (5,)
    """
    arrs = [_atleast([a], 1) for a in _seq(tup, "hstack")]
    out = concatenate(arrs, axis=0 if len(shape_of(arrs[0])) == 1 else 1)
    return out if dtype is None else astype(out, dtype)


row_stack = vstack  # numpy's deprecated alias


def dstack(tup):
    """numpy.dstack: along the third axis after atleast_3d.

    Parameters
    ----------
    tup : sequence of arrays (traced or not)
        Arrays to join.

    Returns
    -------
    array
        The joined array, at least 3-D.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.dstack([np.ones(2), np.zeros(2)]).shape
    (1, 2, 2)
    """
    return concatenate([_atleast([a], 3) for a in _seq(tup, "dstack")], axis=2)


def column_stack(tup):
    """numpy.column_stack: 1-D arrays become columns.

    Parameters
    ----------
    tup : sequence of 1-D or 2-D arrays (traced or not)
        Columns or blocks of columns.

    Returns
    -------
    array
        A 2-D array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.column_stack([np.ones(3), np.zeros(3)]).shape
    (3, 2)
    """
    arrs = []
    for a in _seq(tup, "column_stack"):
        a = _arr(a)
        arrs.append(reshape(a, (-1, 1)) if len(shape_of(a)) < 2 else a)
    return concatenate(arrs, axis=1)


def concat(arrays, /, *, axis=0):
    """numpy.concat (the array-API spelling of concatenate).

    Parameters
    ----------
    arrays : sequence of arrays
        Arrays to join.
    axis : int, optional
        The axis (None: flatten first).

    Returns
    -------
    array
        The joined array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.concat([np.ones(2), np.zeros(1)]).shape
    (3,)
    """
    arrays = [_arr(a) for a in arrays]
    if axis is None:
        return concatenate([ravel(a) for a in arrays], axis=0)
    return concatenate(arrays, axis=axis)


def block(arrays):
    """numpy.block: nested lists of blocks (NumPy's own rules, evaluated on tags).

    Parameters
    ----------
    arrays : nested list of arrays (traced or not)
        The blocks.

    Returns
    -------
    array
        The assembled array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.block([[np.eye(2), np.zeros((2, 1))]]).shape
    (2, 3)
    """
    leaves = []

    def collect(x):
        if isinstance(x, list):
            return [collect(u) for u in x]
        leaves.append(x)
        return len(leaves) - 1

    layout = collect(arrays)

    def build(*tags):
        def fill(x):
            return [fill(u) for u in x] if isinstance(x, list) else tags[x]
        return np.block(fill(layout))

    if not _traced(*leaves):
        return np.block(arrays)
    return _rearrange(build, leaves)


# splitting ------------------------------------------------------------------------------------
def vsplit(ary, indices_or_sections):
    """numpy.vsplit: split along the first axis (at least 2-D).

    Parameters
    ----------
    ary : array (traced or not)
        At least 2-D.
    indices_or_sections : int or sequence of int
        As numpy.split.

    Returns
    -------
    list of arrays
        The pieces.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> len(tnp.vsplit(np.ones((4, 2)), 2))
    2
    """
    if len(shape_of(ary)) < 2:
        raise ValueError("taylorad.numpy.vsplit: the array must have at least 2 dimensions")
    return split(ary, indices_or_sections, 0)


def hsplit(ary, indices_or_sections):
    """numpy.hsplit: split along the second axis (the first for 1-D).

    Parameters
    ----------
    ary : array (traced or not)
        At least 1-D.
    indices_or_sections : int or sequence of int
        As numpy.split.

    Returns
    -------
    list of arrays
        The pieces.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> [p.shape for p in tnp.hsplit(np.ones((2, 4)), 2)]
    [(2, 2), (2, 2)]
    """
    nd = len(shape_of(ary))
    if nd == 0:
        raise ValueError("taylorad.numpy.hsplit: the array must have at least 1 dimension")
    return split(ary, indices_or_sections, 1 if nd > 1 else 0)


def dsplit(ary, indices_or_sections):
    """numpy.dsplit: split along the third axis (at least 3-D).

    Parameters
    ----------
    ary : array (traced or not)
        At least 3-D.
    indices_or_sections : int or sequence of int
        As numpy.split.

    Returns
    -------
    list of arrays
        The pieces.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> len(tnp.dsplit(np.ones((1, 1, 4)), [1]))
    2
    """
    if len(shape_of(ary)) < 3:
        raise ValueError("taylorad.numpy.dsplit: the array must have at least 3 dimensions")
    return split(ary, indices_or_sections, 2)


def unstack(x, /, *, axis=0):
    """numpy.unstack: the slices along ``axis`` as a tuple.

    Parameters
    ----------
    x : array (traced or not)
        Input.
    axis : int, optional
        The axis to unstack.

    Returns
    -------
    tuple of arrays
        ``x.shape[axis]`` slices.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> len(tnp.unstack(np.ones((3, 2))))
    3
    """
    x = _arr(x)
    ax = normalize_axis(axis, len(shape_of(x)), "unstack")[0]
    return tuple(getitem_p(x, idx=(slice(None),) * ax + (i,)) for i in range(shape_of(x)[ax]))


# rearranging by tags ------------------------------------------------------------------------
def _const(v):
    return getval(v) if isinstance(v, Box) else v


def append(arr, values, axis=None):
    """numpy.append (flattened when axis is None).

    Parameters
    ----------
    arr, values : array_like (traced or not)
        The array and what to append.
    axis : int, optional
        The axis to append along.

    Returns
    -------
    array
        A new array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.append(np.ones(2), [3.0]).tolist()
    [1.0, 1.0, 3.0]
    """
    return _rearrange(lambda a, v: np.append(a, v, axis=axis), [arr, values])


def insert(arr, obj, values, axis=None):
    """numpy.insert: ``values`` (traced or not) inserted before ``obj``.

    Parameters
    ----------
    arr : array_like (traced or not)
        Input.
    obj : int, slice or sequence of int
        Where to insert (a constant).
    values : array_like (traced or not)
        What to insert.
    axis : int, optional
        The axis (None: flatten first).

    Returns
    -------
    array
        A new array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.insert(np.zeros(2), 1, 5.0).tolist()
    [0.0, 5.0, 0.0]
    """
    obj = _const(obj)
    return _rearrange(lambda a, v: np.insert(a, obj, v, axis=axis), [arr, values])


def delete(arr, obj, axis=None):
    """numpy.delete.

    Parameters
    ----------
    arr : array_like (traced or not)
        Input.
    obj : int, slice or sequence of int
        What to delete (a constant).
    axis : int, optional
        The axis (None: flatten first).

    Returns
    -------
    array
        A new array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.delete(np.arange(3.0), 1).tolist()
    [0.0, 2.0]
    """
    obj = _const(obj)
    return _rearrange(lambda a: np.delete(a, obj, axis=axis), [arr])


def resize(a, new_shape):
    """numpy.resize: repeated copies of ``a`` filling ``new_shape``.

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    new_shape : int or tuple of int
        The shape of the result.

    Returns
    -------
    array
        The resized array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.resize(np.array([1.0, 2.0]), 3).tolist()
    [1.0, 2.0, 1.0]
    """
    return _rearrange(lambda t: np.resize(t, new_shape), [a])


def rot90(m, k=1, axes=(0, 1)):
    """numpy.rot90.

    Parameters
    ----------
    m : array_like (traced or not)
        At least 2-D.
    k : int, optional
        Number of quarter turns.
    axes : (int, int), optional
        The plane of rotation.

    Returns
    -------
    array
        The rotated array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.rot90(np.array([[1.0, 2.0]])).tolist()
    [[2.0], [1.0]]
    """
    return _rearrange(lambda t: np.rot90(t, k, axes), [m])


def fliplr(m):
    """numpy.fliplr: reverse the second axis.

    Parameters
    ----------
    m : array_like (traced or not)
        At least 2-D.

    Returns
    -------
    array
        The flipped array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.fliplr(np.array([[1.0, 2.0]])).tolist()
    [[2.0, 1.0]]
    """
    m = _arr(m)
    if len(shape_of(m)) < 2:
        raise ValueError("taylorad.numpy.fliplr: the array must be at least 2-D")
    return getitem_p(m, idx=(slice(None), slice(None, None, -1)))


def flipud(m):
    """numpy.flipud: reverse the first axis.

    Parameters
    ----------
    m : array_like (traced or not)
        At least 1-D.

    Returns
    -------
    array
        The flipped array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.flipud(np.array([1.0, 2.0])).tolist()
    [2.0, 1.0]
    """
    m = _arr(m)
    if len(shape_of(m)) < 1:
        raise ValueError("taylorad.numpy.flipud: the array must be at least 1-D")
    return getitem_p(m, idx=(slice(None, None, -1),))


def compress(condition, a, axis=None):
    """numpy.compress (``condition`` is a constant).

    Parameters
    ----------
    condition : 1-D array of bool
        Which entries to keep.
    a : array_like (traced or not)
        Input.
    axis : int, optional
        The axis (None: flattened).

    Returns
    -------
    array
        The selected entries.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.compress([False, True], np.array([1.0, 2.0])).tolist()
    [2.0]
    """
    cond = _const(condition)
    return _rearrange(lambda t: np.compress(cond, t, axis=axis), [a])


def extract(condition, arr):
    """numpy.extract: ``arr.ravel()[condition.ravel()]`` (``condition`` is a constant).

    Parameters
    ----------
    condition : array_like
        Where to take entries (nonzero: take).
    arr : array_like (traced or not)
        Input of the same size.

    Returns
    -------
    array
        1-D array of the selected entries.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.extract(np.array([1, 0]), np.array([3.0, 4.0])).tolist()
    [3.0]
    """
    cond = _const(condition)
    return _rearrange(lambda t: np.extract(cond, t), [arr])


def choose(a, choices, out=None, mode="raise"):
    """numpy.choose: ``a`` (integer constants) selects among ``choices`` (traced or not).

    Parameters
    ----------
    a : int array
        Which choice for each entry.
    choices : sequence of arrays
        The candidates (broadcast together with ``a``).
    out : None
        Not supported (must be None).
    mode : {'raise', 'wrap', 'clip'}
        As numpy.choose.

    Returns
    -------
    array
        The chosen entries.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.choose([1, 0], [np.array([1.0, 2.0]), np.array([3.0, 4.0])]).tolist()
    [3.0, 2.0]
    """
    if out is not None:
        raise TypeError("taylorad.numpy.choose: out= is not supported — use the return value")
    idx = _const(a)
    return _rearrange(lambda *cs: np.choose(idx, cs, mode=mode), list(choices))


def diagflat(v, k=0):
    """numpy.diagflat: a 2-D array with the flattened input on diagonal ``k``.

    Parameters
    ----------
    v : array_like (traced or not)
        The diagonal (flattened).
    k : int, optional
        The diagonal.

    Returns
    -------
    array
        2-D array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.diagflat(np.array([1.0, 2.0])).tolist()
    [[1.0, 0.0], [0.0, 2.0]]
    """
    return _rearrange(lambda t: np.diagflat(t, k), [v])


def trim_zeros(filt, trim="fb", axis=None):
    """numpy.trim_zeros: leading/trailing zeros (of the values) cut off.

    Parameters
    ----------
    filt : array_like (traced or not)
        Input.
    trim : str, optional
        'f' front, 'b' back, 'fb' both.
    axis : int or sequence of int, optional
        Axes to trim (None: all).

    Returns
    -------
    array
        A slice of ``filt``.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.trim_zeros(np.array([0.0, 1.0, 0.0, 2.0, 0.0])).tolist()
    [1.0, 0.0, 2.0]
    """
    filt = _arr(filt)
    v = np.asarray(getval(filt))
    nd = v.ndim
    axes = range(nd) if axis is None else normalize_axis(axis, nd, "trim_zeros")
    idx = [slice(None)] * nd
    nz = v != 0
    for ax in axes:
        other = tuple(i for i in range(nd) if i != ax)
        hit = np.flatnonzero(nz.any(axis=other) if other else nz)
        if hit.size == 0:
            idx[ax] = slice(0, 0)
            continue
        lo = int(hit[0]) if "f" in trim.lower() else 0
        hi = int(hit[-1]) + 1 if "b" in trim.lower() else v.shape[ax]
        idx[ax] = slice(lo, hi)
    return getitem_p(filt, idx=tuple(idx))


# sort, partition: the active piece --------------------------------------------------------------
def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """numpy.sort; the derivative follows each entry to its sorted place (the active piece).

    Parameters
    ----------
    a : array_like (traced or not)
        Input (real).
    axis : int or None, optional
        Axis to sort along (None: flattened).
    kind, order, stable
        As numpy.sort (``order`` is not supported).

    Returns
    -------
    array
        The sorted array. Ties keep their stable order.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.grad(lambda x: tnp.sort(x)[0])(np.array([3.0, 1.0, 2.0])).tolist()
    [0.0, 1.0, 0.0]
    """
    if order is not None:
        raise TypeError("taylorad.numpy.sort: order= (structured arrays) is not supported")
    a = _arr(a)
    if axis is None:
        a, axis = ravel(a), 0
    v = getval(a)
    idx = np.argsort(np.asarray(v), axis=axis, kind="stable")
    if not isinstance(a, Box):
        return np.sort(v, axis=axis, kind=kind)
    return take_along_axis(a, idx, axis)


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """numpy.partition; the derivative follows each entry (the active piece).

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    kth : int or sequence of int
        The partition positions.
    axis : int or None, optional
        The axis (None: flattened).
    kind, order
        As numpy.partition (``order`` is not supported).

    Returns
    -------
    array
        The partitioned array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.partition(np.array([3.0, 1.0, 2.0]), 1)[1])
    2.0
    """
    if order is not None:
        raise TypeError("taylorad.numpy.partition: order= is not supported")
    a = _arr(a)
    if axis is None:
        a, axis = ravel(a), 0
    idx = np.argpartition(np.asarray(getval(a)), kth, axis=axis)
    return take_along_axis(a, idx, axis)


# layout spellings -------------------------------------------------------------------------------
def broadcast_arrays(*args, subok=False):
    """numpy.broadcast_arrays.

    Parameters
    ----------
    *args : arrays (traced or not)
        Inputs.

    Returns
    -------
    tuple of arrays
        The inputs broadcast to their common shape.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> [a.shape for a in tnp.broadcast_arrays(np.ones(3), np.ones((2, 1)))]
    [(2, 3), (2, 3)]
    """
    args = [_arr(a) for a in args]
    shape = np.broadcast_shapes(*[shape_of(a) for a in args])
    return tuple(broadcast_to(a, shape) for a in args)


def permute_dims(a, /, axes=None):
    """numpy.permute_dims (the array-API spelling of transpose).

    Parameters
    ----------
    a : array (traced or not)
        Input.
    axes : tuple of int, optional
        The permutation (default: reversed).

    Returns
    -------
    array
        The transposed array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.permute_dims(np.ones((2, 3)), (1, 0)).shape
    (3, 2)
    """
    return transpose(_arr(a), axes)


def matrix_transpose(x, /):
    """numpy.matrix_transpose: swap the last two axes.

    Parameters
    ----------
    x : array (traced or not)
        At least 2-D.

    Returns
    -------
    array
        The transposed stack of matrices.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.matrix_transpose(np.ones((4, 2, 3))).shape
    (4, 3, 2)
    """
    x = _arr(x)
    if len(shape_of(x)) < 2:
        raise ValueError("taylorad.numpy.matrix_transpose: the input must be at least 2-D")
    return swapaxes(x, -1, -2)


def rollaxis(a, axis, start=0):
    """numpy.rollaxis.

    Parameters
    ----------
    a : array (traced or not)
        Input.
    axis : int
        The axis to move.
    start : int, optional
        Where it goes (before the axis now at ``start``).

    Returns
    -------
    array
        The transposed array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.rollaxis(np.ones((2, 3, 4)), 2).shape
    (4, 2, 3)
    """
    a = _arr(a)
    n = len(shape_of(a))
    axis = normalize_axis(axis, n, "rollaxis")[0]
    start = int(start) + (n if start < 0 else 0)
    if not 0 <= start <= n:
        raise ValueError(f"taylorad.numpy.rollaxis: start {start} out of range")
    if axis < start:
        start -= 1
    if axis == start:
        return a
    axes = [i for i in range(n) if i != axis]
    axes.insert(start, axis)
    return transpose(a, tuple(axes))


def copy(a, order="K", subok=False):
    """numpy.copy: the same values (a traced value is immutable, so the copy is itself).

    Parameters
    ----------
    a : array_like (traced or not)
        Input.

    Returns
    -------
    array
        A copy.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.copy(np.ones(2)).tolist()
    [1.0, 1.0]
    """
    return a if isinstance(a, Box) else array_namespace(a).array(a, copy=True)


def _as(a, dtype=None):
    if isinstance(a, Box):
        return a if dtype is None else astype(a, dtype)
    return array_namespace(a).asarray(a, dtype=dtype)


def asanyarray(a, dtype=None, order=None, **kwargs):
    """numpy.asanyarray: traced values pass through.

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    dtype : dtype, optional
        A cast (differentiable).

    Returns
    -------
    array
        The input as an array.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.asanyarray([1.0]).shape
    (1,)
    """
    return _as(a, dtype)


def ascontiguousarray(a, dtype=None, **kwargs):
    """numpy.ascontiguousarray: traced values pass through.

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    dtype : dtype, optional
        A cast (differentiable).

    Returns
    -------
    array
        The input as an array.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.ascontiguousarray([1.0]).shape
    (1,)
    """
    return _as(a, dtype)


def asfortranarray(a, dtype=None, **kwargs):
    """numpy.asfortranarray: traced values pass through (layout is not observable).

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    dtype : dtype, optional
        A cast (differentiable).

    Returns
    -------
    array
        The input as an array.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.asfortranarray([1.0]).shape
    (1,)
    """
    return _as(a, dtype)


def require(a, dtype=None, requirements=None, **kwargs):
    """numpy.require: traced values pass through (memory requirements do not apply).

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    dtype : dtype, optional
        A cast (differentiable).
    requirements : sequence of str, optional
        Ignored for traced values.

    Returns
    -------
    array
        The input as an array.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.require([1.0]).shape
    (1,)
    """
    if not isinstance(a, Box):
        return np.require(a, dtype, requirements)
    return _as(a, dtype)


def asarray_chkfinite(a, dtype=None, order=None):
    """numpy.asarray_chkfinite: ValueError if any value is inf or nan.

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    dtype : dtype, optional
        A cast (differentiable).

    Returns
    -------
    array
        The input as an array.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.asarray_chkfinite([1.0]).shape
    (1,)
    """
    v = getval(a)
    if not np.all(np.isfinite(np.asarray(v))):
        raise ValueError("taylorad.numpy.asarray_chkfinite: array must not contain infs or NaNs")
    return _as(a, dtype)
