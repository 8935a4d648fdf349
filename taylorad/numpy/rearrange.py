"""Functions that only move entries: append, insert, delete, resize, rot90, fliplr/flipud,
compress, extract, choose, diagflat, block, trim_zeros, and sort/partition (the active piece).

Linear, so no new primitive: each runs NumPy's own function once on *tags* — integer arrays
numbering the entries of the inputs (0 for an inserted zero) — and gathers the traced entries
with those tags (one getitem: its VJP and Taylor rules at every order). NumPy's semantics exactly.

``sort`` and ``partition`` take the derivative of the active piece: the entries are gathered in
the order ``argsort`` (stable) / ``argpartition`` gives for the values. Between ties the order
is the stable one, so each output entry follows one input entry.
"""
import numpy as np

from ..core.trace import Box, getval
from ._util import array_namespace, normalize_axis, shape_of
from ._util import as_array as _arr
from .shape import astype, concatenate, getitem_p, ravel
from .tensor import take_along_axis

__all__ = ["append", "insert", "delete", "resize", "rot90", "fliplr", "flipud", "compress",
           "extract", "choose", "diagflat", "block", "trim_zeros", "sort", "partition"]


def _traced(*xs):
    return any(isinstance(x, Box) for x in xs)


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


# rearranging by tags ------------------------------------------------------------------------
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
    arr, values = _arr(arr), _arr(values)
    dt = getval(arr).dtype
    if getval(values).dtype != dt:  # numpy.insert casts the values to the array's dtype
        values = astype(values, dt)
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


def _flip(m, axis, fname):
    """``m`` reversed along ``axis`` (m must have more than ``axis`` dimensions)."""
    m = _arr(m)
    if len(shape_of(m)) <= axis:
        raise ValueError(f"taylorad.numpy.{fname}: the array must be at least {axis + 1}-D")
    return getitem_p(m, idx=(slice(None),) * axis + (slice(None, None, -1),))


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
    return _flip(m, 1, "fliplr")


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
    return _flip(m, 0, "flipud")


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
    if not isinstance(a, Box):
        return np.sort(a, axis=axis, kind=kind)
    return take_along_axis(a, np.argsort(np.asarray(getval(a)), axis=axis, kind="stable"), axis)


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
