"""Joining and splitting: vstack/hstack/dstack/column_stack/row_stack, concat, atleast_1d/2d/3d,
vsplit/hsplit/dsplit, unstack, broadcast_arrays, permute_dims, matrix_transpose, rollaxis, copy
and the as*array spellings (functions that move entries by NumPy's own rules are in
``rearrange``).

No new primitive: each is linear, a composition of reshape, concatenate, getitem, transpose and
broadcast_to, so its VJP and its Taylor rule at every order are theirs.
"""
import numpy as np

from ..core.trace import Box, getval
from ._util import array_namespace, normalize_axis, shape_of
from ._util import as_array as _arr
from .shape import astype, broadcast_to, concatenate, getitem_p, ravel, reshape, swapaxes, transpose
from .tensor import split

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "vstack", "hstack", "dstack",
           "column_stack", "concat", "vsplit", "hsplit", "dsplit", "unstack", "broadcast_arrays",
           "permute_dims", "matrix_transpose", "rollaxis", "copy", "asanyarray",
           "ascontiguousarray", "asfortranarray", "require", "asarray_chkfinite", "row_stack"]


# atleast_*, stacking ------------------------------------------------------------------------
def _atleast(arys, nd):
    out = []
    for a in arys:
        a = _arr(a)
        s = shape_of(a)
        if len(s) < nd:
            if nd < 3:
                new = (1,) * (nd - len(s)) + s
            else:  # (n,) -> (1, n, 1), (m, n) -> (m, n, 1)
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
