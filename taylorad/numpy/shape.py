"""Linear structural primitives: reshape, transpose, broadcasting, indexing, joining, sums, casts.

Every block: the primitive, its batched form (the same map on stacked Taylor coefficients with
``p`` leading prefix axes, one backend call for all coefficients) and its VJP.
"""
from builtins import sum as builtins_sum

import numpy as np

from ..core import backend, buffers

from ..core.rules import always_linear, deflinear, defnondiff, deftaylor, defvjp, defvjp_variadic
from ..core.reverse import Scatter
from ..core.trace import Box, Primitive, getval
from ._util import array_namespace, normalize_axis, shape_of
from .construct import operands  # lists of traced values, weak scalars (imports shape lazily)


def _pre(S, p):
    return tuple(S.shape[:p])


# reshape -------------------------------------------------------------------------------------
def _method(name):
    """Call the array's own method (fast for ndarray, numpy and cupy scalars); Python numbers
    go through the namespace function."""
    def impl(x, **params):
        try:
            return getattr(x, name)(*params.values()) if name != "sum" else \
                x.sum(axis=params["axis"], keepdims=params["keepdims"])
        except AttributeError:
            return getattr(array_namespace(x), name)(x, **params)
    impl.method = name  # ta.jit calls the method itself on NumPy arrays
    return impl


reshape_p = Primitive("reshape", _method("reshape"))
deflinear(reshape_p, lambda p, S, shape: reshape_p(S, shape=_pre(S, p) + shape),
          lambda g, ans, x, shape: reshape_p(g, shape=shape_of(x)))


def reshape(x, shape, *more):
    """numpy.reshape (C order); -1 allowed once."""
    if more:
        shape = (shape,) + more
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    old = shape_of(x)
    if -1 in shape:
        known = int(np.prod([s for s in shape if s != -1]))
        total = int(np.prod(old))
        if known == 0 or total % known:
            raise ValueError(f"taylorad.numpy.reshape: cannot reshape an array of shape {old} "
                             f"into shape {shape}")
        shape = tuple(total // known if s == -1 else s for s in shape)
    if int(np.prod(shape)) != int(np.prod(old)):
        raise ValueError(f"taylorad.numpy.reshape: cannot reshape an array of shape {old} into "
                         f"shape {shape}")
    if shape == old:
        return x
    return reshape_p(x, shape=shape)


def expand_dims(x, axis):
    shape = list(shape_of(x))
    axes = normalize_axis(axis, len(shape) + (1 if isinstance(axis, (int, np.integer))
                                              else len(tuple(axis))), "expand_dims")
    for a in sorted(axes):
        shape.insert(a, 1)
    return reshape_p(x, shape=tuple(shape))


def squeeze(x, axis=None):
    shape = shape_of(x)
    if axis is None:
        axes = tuple(i for i, s in enumerate(shape) if s == 1)
    else:
        axes = normalize_axis(axis, len(shape), "squeeze")
        for a in axes:
            if shape[a] != 1:
                raise ValueError(f"taylorad.numpy.squeeze: cannot select axis {a}: its length "
                                 f"is {shape[a]}, not 1")
    return reshape_p(x, shape=tuple(s for i, s in enumerate(shape) if i not in axes))


def ravel(x):
    return reshape(x, (-1,))


# transpose -----------------------------------------------------------------------------------
transpose_p = Primitive("transpose", _method("transpose"))
deflinear(transpose_p,
          lambda p, S, axes: transpose_p(S, axes=tuple(range(p)) + tuple(a + p for a in axes)),
          lambda g, ans, x, axes: transpose_p(g, axes=tuple(int(i) for i in np.argsort(axes))))


def transpose(x, axes=None):
    n = len(shape_of(x))
    axes = tuple(range(n))[::-1] if axes is None else normalize_axis(axes, n, "transpose")
    if sorted(axes) != list(range(n)):
        raise ValueError(f"taylorad.numpy.transpose: axes {axes} are not a permutation of "
                         f"range({n})")
    if axes == tuple(range(n)):
        return x
    return transpose_p(x, axes=axes)


def swapaxes(x, a, b):
    n = len(shape_of(x))
    axes = list(range(n))
    a, b = normalize_axis((a, b), n, "swapaxes")
    axes[a], axes[b] = axes[b], axes[a]
    return transpose(x, tuple(axes))


def moveaxis(x, source, destination):
    n = len(shape_of(x))
    src = normalize_axis(source, n, "moveaxis")
    dst = normalize_axis(destination, n, "moveaxis")
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, tuple(order))


# broadcasting --------------------------------------------------------------------------------
def unbroadcast(g, shape):
    """Sum ``g`` down to ``shape`` (the VJP of broadcasting)."""
    gshape = shape_of(g)
    shape = tuple(shape)
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and gshape[lead + i] != 1)
    if axes:
        g = sum_p(g, axis=axes, keepdims=False)
    return reshape(g, shape)


def _broadcast_impl(x, shape, chunks=None):
    if chunks is None:
        return array_namespace(x).broadcast_to(x, shape)
    return backend.broadcast_like(x, shape, chunks)  # a Dask array with the data's chunks


# ``chunks``: the Dask chunks of the trailing axes when the result stands beside Dask data (the
# cotangent of a sum, a series beside a Dask primal), so that it is created as a Dask array with
# those chunks instead of a data-sized NumPy array on the client; None otherwise
broadcast_to_p = Primitive("broadcast_to", _broadcast_impl)


def _broadcast_batched(p, S, shape, chunks=None):
    core = S.ndim - p
    if core < len(shape):
        S = reshape_p(S, shape=_pre(S, p) + (1,) * (len(shape) - core) + tuple(S.shape[p:]))
    return broadcast_to_p(S, shape=_pre(S, p) + shape, chunks=chunks)


deflinear(broadcast_to_p, _broadcast_batched,
          lambda g, ans, x, shape, chunks=None: unbroadcast(g, shape_of(x)))


def _like_chunks(like, shape):
    """The Dask chunks of ``like`` (any box around a Dask array) for the trailing axes of
    ``shape`` that it matches, else None."""
    v = getval(like)
    chunks = backend.dask_chunks(v)
    if chunks is None or len(chunks) > len(shape) or \
            tuple(v.shape) != tuple(shape[len(shape) - len(chunks):]):
        return None
    return chunks


def broadcast_to(x, shape, like=None):
    """numpy.broadcast_to. ``like``: the data the result stands beside (the summed array of a
    sum's cotangent); when it is a Dask array the result is one too, with its chunks."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    chunks = None if like is None else _like_chunks(like, shape)
    if shape_of(x) == shape and (chunks is None or backend.is_dask(getval(x))):
        return x
    try:
        np.broadcast_shapes(shape_of(x), shape)
    except ValueError:
        raise ValueError(f"taylorad.numpy.broadcast_to: cannot broadcast shape {shape_of(x)} "
                         f"to {shape}") from None
    if chunks is None:
        return broadcast_to_p(x, shape=shape)
    return broadcast_to_p(x, shape=shape, chunks=chunks)


# sum (mean is a sum times 1/n) ---------------------------------------------------------------
sum_p = Primitive("sum", _method("sum"))


def _sum_batched(p, S, axis, keepdims):
    axes = tuple(range(p, S.ndim)) if axis is None else tuple(a + p for a in axis)
    return sum_p(S, axis=axes, keepdims=keepdims)


def _sum_vjp(g, ans, x, axis, keepdims):
    shape = shape_of(x)
    if not keepdims:
        axes = range(len(shape)) if axis is None else axis
        g = reshape(g, tuple(1 if i in axes else s for i, s in enumerate(shape)))
    return broadcast_to(g, shape, like=x)


deflinear(sum_p, _sum_batched, _sum_vjp)


def sum(x, axis=None, keepdims=False):  # noqa: A001 - numpy's name
    """numpy.sum over ``axis`` (None: all axes)."""
    return sum_p(x, axis=normalize_axis(axis, len(shape_of(x)), "sum"), keepdims=bool(keepdims))


def mean(x, axis=None, keepdims=False):
    shape = shape_of(x)
    axes = normalize_axis(axis, len(shape), "mean")
    n = int(np.prod(shape if axes is None else [shape[a] for a in axes]))
    return sum_p(x, axis=axes, keepdims=bool(keepdims)) * (1.0 / n)


# casts and constants -------------------------------------------------------------------------
astype_p = Primitive("astype", lambda x, dtype: x.astype(dtype))
deflinear(astype_p, lambda p, S, dtype: astype_p(S, dtype=dtype),
          lambda g, ans, x, dtype: astype_p(g, dtype=getval(x).dtype))


def astype(x, dtype):
    if getval(x).dtype == np.dtype(dtype):
        return x
    return astype_p(x, dtype=np.dtype(dtype))


def zeros_like(x, dtype=None):
    """Zeros shaped like ``x``: a constant (it depends on the shape only), never traced."""
    v = getval(x)
    return _constant(v, "zeros", dtype)


def ones_like(x, dtype=None):
    """Ones shaped like ``x``: a constant, never traced."""
    v = getval(x)
    return _constant(v, "ones", dtype)


def _constant(v, kind, dtype):
    shape = tuple(getattr(v, "shape", ()))
    dtype = getattr(v, "dtype", np.float64) if dtype is None else dtype
    v = v._primal if isinstance(v, Box) else v
    if backend.is_dask(v):  # lazy, with the data's chunks: nothing data-sized on the client
        return getattr(backend.namespace(v), kind + "_like")(v, dtype=dtype)
    return getattr(array_namespace(v), kind)(shape, dtype=dtype)


stop_gradient_p = Primitive("stop_gradient", lambda x: x)
defnondiff(stop_gradient_p)


def stop_gradient(x):
    """The value of ``x`` as a constant: no derivative flows through it.

    Parameters
    ----------
    x : array or traced value

    Returns
    -------
    The value of ``x``, treated as a constant by every transformation.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.grad(lambda x: tnp.sum(x * tnp.stop_gradient(x)))(np.array([3.0]))
    array([3.])
    """
    return stop_gradient_p(x)


# indexing ------------------------------------------------------------------------------------
def _is_adv(i):
    return not isinstance(i, (slice, type(None), type(Ellipsis), int, np.integer))


def _normalize_index(idx, ndim):
    if type(idx) is int or type(idx) is slice:  # the common cases, fast
        return (idx,)
    if not isinstance(idx, tuple):
        idx = (idx,)
    idx = tuple(getval(i) if isinstance(i, Box) else i for i in idx)
    idx = tuple(np.asarray(i) if isinstance(i, list) else i for i in idx)
    for i in idx:
        if _is_adv(i) and not (hasattr(i, "dtype") and (i.dtype.kind in "iub")):
            raise TypeError(f"taylorad.numpy: index {i!r} is not supported — use integers, "
                            f"slices, None, Ellipsis, or integer/boolean arrays")
    if any(i is Ellipsis for i in idx):
        k = idx.index(Ellipsis)
        used = builtins_sum(0 if i is None or i is Ellipsis else
                            (i.ndim if getattr(i, "dtype", None) == np.bool_ else 1) for i in idx)
        idx = idx[:k] + (slice(None),) * (ndim - used) + idx[k + 1:]
    return idx



def _split_advanced(idx):
    """True when advanced indices are separated by a slice (numpy then moves them to the front)."""
    if not any(_is_adv(i) for i in idx):
        return False
    pos = [k for k, i in enumerate(idx) if _is_adv(i) or isinstance(i, (int, np.integer))]
    return pos[-1] - pos[0] + 1 != len(pos)


def _prefix_to_back(S, p):
    n = S.ndim
    return transpose_p(S, axes=tuple(range(p, n)) + tuple(range(p)))


def _prefix_to_front(S, p):
    n = S.ndim
    return transpose_p(S, axes=tuple(range(n - p, n)) + tuple(range(n - p)))


getitem_p = Primitive("getitem", lambda x, idx: x[idx])


def _getitem_batched(p, S, idx):
    if _split_advanced(idx):
        return _prefix_to_front(getitem_p(_prefix_to_back(S, p), idx=idx), p)
    return getitem_p(S, idx=(slice(None),) * p + idx)


deflinear(getitem_p, _getitem_batched,
          lambda g, ans, x, idx: Scatter(shape_of(x), [(g, idx)]))


def _index_add_impl(g, idx, shape):
    xp = array_namespace(g)
    z = xp.zeros(shape, dtype=g.dtype)
    if any(_is_adv(i) for i in idx):
        xp.add.at(z, idx, g)
    else:
        z[idx] = g
    return z


index_add_p = Primitive("index_add", _index_add_impl,
                        doc="zeros(shape) with g added at idx: the VJP of indexing")


def _index_add_batched(p, S, idx, shape):
    pre = _pre(S, p)
    if _split_advanced(idx):
        return _prefix_to_front(index_add_p(_prefix_to_back(S, p), idx=idx, shape=shape + pre), p)
    return index_add_p(S, idx=(slice(None),) * p + idx, shape=pre + shape)


deflinear(index_add_p, _index_add_batched, lambda g, ans, x, idx, shape: getitem_p(g, idx=idx))


def _index_add_many_impl(*values, idxs, shape):
    xp = array_namespace(*values)
    z = xp.zeros(shape, dtype=np.result_type(*values))
    for v, idx in zip(values, idxs):
        if any(_is_adv(i) for i in idx):
            xp.add.at(z, idx, v)
        else:
            z[idx] += v
    return z


index_add_many_p = Primitive("index_add_many", _index_add_many_impl,
                             doc="zeros(shape) with each value added at its index")


def _index_add_many_taylor(tr, ans, primals, series, idxs, shape):
    parts = [(S, idx) for S, idx in zip(series, idxs) if S is not None]
    deg = parts[0][0].shape[0]
    pre = (deg,) + tr.batch
    if any(_split_advanced(idx) for _, idx in parts):  # rare: one scatter per part
        out = None
        for S, idx in parts:
            term = _index_add_batched(tr.pdim, S, idx, shape)
            out = term if out is None else out + term
        return out
    return index_add_many_p(*[S for S, _ in parts],
                            idxs=tuple((slice(None),) * tr.pdim + idx for _, idx in parts),
                            shape=pre + shape)


deftaylor(index_add_many_p, _index_add_many_taylor)
index_add_many_p._linear_when = always_linear


defvjp_variadic(index_add_many_p, lambda i: lambda g, ans, *vals, idxs, shape:
                getitem_p(g, idx=idxs[i]))


def index_add_many(parts, shape):
    """zeros(shape) with ``values`` added at ``index`` for each (values, index) in ``parts``."""
    if len(parts) == 1:
        return index_add_p(parts[0][0], idx=parts[0][1], shape=tuple(shape))
    return index_add_many_p(*[v for v, _ in parts], idxs=tuple(i for _, i in parts),
                            shape=tuple(shape))


def getitem(x, idx):
    """x[idx] for integers, slices, None, Ellipsis and integer or boolean arrays."""
    return getitem_p(x, idx=_normalize_index(idx, len(shape_of(x))))


def take(x, indices, axis=None):
    if axis is None:
        return getitem(ravel(x), _index_array(indices))
    axis = normalize_axis(axis, len(shape_of(x)), "take")[0]
    return getitem(x, (slice(None),) * axis + (_index_array(indices),))


def _index_array(indices):
    """Indices as an array of their own namespace (numpy or cupy); lists become numpy."""
    v = getval(indices)
    return v if hasattr(v, "dtype") else np.asarray(v)


# joining -------------------------------------------------------------------------------------
def _concat_impl(*xs, axis):
    xp = array_namespace(*xs)
    if xp is np and all(type(x) is np.ndarray for x in xs) and len({x.dtype for x in xs}) == 1:
        shape = list(xs[0].shape)
        nbytes = builtins_sum(x.nbytes for x in xs)
        if nbytes >= buffers.UFUNC_MIN and xs[0].dtype.kind == "f" and len(shape) and all(
                x.ndim == len(shape) for x in xs):
            ax = axis % len(shape)
            shape[ax] = builtins_sum(x.shape[ax] for x in xs)
            return np.concatenate(xs, axis=ax, out=buffers.empty(tuple(shape), xs[0].dtype))
    return xp.concatenate(xs, axis=axis)


concatenate_p = Primitive("concatenate", _concat_impl)


def _concat_taylor(tr, ans, primals, series, axis):
    pieces = []
    deg = next(S.shape[0] for S in series if S is not None)
    for x0, S in zip(primals, series):
        if S is None:
            v = getval(x0)
            S = array_namespace(v).zeros((deg,) + tr.batch + tuple(v.shape),
                                         dtype=getval(ans).dtype)
        pieces.append(S)
    return concatenate_p(*pieces, axis=axis + tr.pdim)


def _concat_vjp(i):
    def vjp(g, ans, *xs, axis):
        start = builtins_sum(shape_of(x)[axis] for x in xs[:i])
        stop = start + shape_of(xs[i])[axis]
        return getitem_p(g, idx=(slice(None),) * axis + (slice(start, stop),))

    return vjp


deftaylor(concatenate_p, _concat_taylor)
concatenate_p._linear_when = always_linear


defvjp_variadic(concatenate_p, _concat_vjp)


def concatenate(arrays, axis=0):
    arrays = operands(arrays)
    if not arrays:
        raise ValueError("taylorad.numpy.concatenate: need at least one array to concatenate")
    nd = len(shape_of(arrays[0]))
    if nd == 0:
        raise ValueError("taylorad.numpy.concatenate: zero-dimensional arrays cannot be "
                         "concatenated; use taylorad.numpy.stack")
    axis = normalize_axis(axis, nd, "concatenate")[0]
    return concatenate_p(*arrays, axis=axis)


def stack(arrays, axis=0):
    arrays = operands(arrays)
    if not arrays:
        raise ValueError("taylorad.numpy.stack: need at least one array to stack")
    shapes = {shape_of(a) for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"taylorad.numpy.stack: all input arrays must have the same shape, "
                         f"got {sorted(shapes)}")
    nd = len(shape_of(arrays[0])) + 1
    axis = normalize_axis(axis, nd, "stack")[0]
    return concatenate_p(*[expand_dims(a, axis) for a in arrays], axis=axis)


# where ---------------------------------------------------------------------------------------
where_p = Primitive("where", lambda c, x, y: array_namespace(c, x, y).where(c, x, y))
where_p.nondiff_args = frozenset({0})


def _where_taylor(tr, ans, primals, series):
    nd = len(shape_of(ans))
    c = getval(primals[0])
    Sx, Sy = tr.align(series[1], nd), tr.align(series[2], nd)
    return where_p(c, 0 if Sx is None else Sx, 0 if Sy is None else Sy)


deftaylor(where_p, _where_taylor)
where_p._linear_when = always_linear
defvjp(where_p, None,
       lambda g, ans, c, x, y: unbroadcast(where_p(c, g, 0), shape_of(x)),
       lambda g, ans, c, x, y: unbroadcast(where_p(c, 0, g), shape_of(y)))


def where(condition, x, y):
    """Elementwise choice; ``condition`` is never differentiated."""
    return where_p(getval(condition), x, y)
