"""Differences, integrals and products: diff, ediff1d, gradient, trapezoid, interp, convolve,
correlate, kron, cross, meshgrid, select, piecewise, apply_along_axis, apply_over_axes, unwrap,
bincount, vecdot, matvec, vecmat.

Compositions of primitives (slices, concatenate, einsum, where, index_add): their VJP and Taylor
rules at every order are the primitives'. ``interp`` is piecewise linear and takes the derivative
of the active segment (chosen by the values, as ``numpy.interp`` chooses it); ``unwrap`` adds a
piecewise-constant multiple of the period (derivative 1).
"""
import numpy as np

from ..core.trace import Box, getval
from ._util import normalize_axis, shape_of
from ._util import as_array as _arr
from .shape import (astype, broadcast_to, concatenate, getitem_p, index_add_p, moveaxis, ravel,
                    reshape, stack, sum, where)
from .tensor import einsum, pad

__all__ = ["diff", "ediff1d", "gradient", "trapezoid", "interp", "convolve", "correlate",
           "kron", "cross", "meshgrid", "select", "piecewise", "apply_along_axis",
           "apply_over_axes", "unwrap", "bincount", "vecdot", "matvec", "vecmat"]


def _sl(nd, axis, s):
    return (slice(None),) * axis + (s,) + (slice(None),) * (nd - axis - 1)


def diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    """numpy.diff: the n-th forward difference along ``axis``.

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    n : int, optional
        Number of times to difference.
    axis : int, optional
        The axis.
    prepend, append : array_like, optional
        Values joined to ``a`` first (traced or not).

    Returns
    -------
    array
        Differences; ``n`` shorter along ``axis``.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.diff(np.array([1.0, 4.0, 9.0])).tolist()
    [3.0, 5.0]
    """
    a = _arr(a)
    nd = len(shape_of(a))
    if nd == 0:
        raise ValueError("taylorad.numpy.diff: diff requires input that is at least one "
                         "dimensional")
    if n < 0:
        raise ValueError(f"taylorad.numpy.diff: order must be non-negative but got {n}")
    axis = normalize_axis(axis, nd, "diff")[0]
    parts = []
    for extra in (prepend,):
        if extra is not np._NoValue:
            parts.append(_edge(extra, a, axis))
    parts.append(a)
    if append is not np._NoValue:
        parts.append(_edge(append, a, axis))
    if len(parts) > 1:
        a = concatenate(parts, axis=axis)
    for _ in range(int(n)):
        m = shape_of(a)[axis]
        a = getitem_p(a, idx=_sl(nd, axis, slice(1, m))) - \
            getitem_p(a, idx=_sl(nd, axis, slice(0, m - 1)))
    return a


def _edge(v, a, axis):
    v = _arr(v)
    if len(shape_of(v)) == 0:
        s = list(shape_of(a))
        s[axis] = 1
        v = broadcast_to(v, tuple(s))
    return v


def ediff1d(ary, to_end=None, to_begin=None):
    """numpy.ediff1d: differences of the flattened array, with optional ends.

    Parameters
    ----------
    ary : array_like (traced or not)
        Input (flattened).
    to_end, to_begin : array_like, optional
        Appended / prepended values (traced or not).

    Returns
    -------
    array
        1-D differences.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.ediff1d(np.array([1.0, 2.0, 4.0]), to_begin=0.0).tolist()
    [0.0, 1.0, 2.0]
    """
    d = diff(ravel(_arr(ary)))
    parts = []
    if to_begin is not None:
        parts.append(ravel(_arr(to_begin)))
    parts.append(d)
    if to_end is not None:
        parts.append(ravel(_arr(to_end)))
    if len(parts) == 1:
        return d
    dtype = getval(d).dtype
    return concatenate([astype(p, dtype) for p in parts], axis=0)


def gradient(f, *varargs, axis=None, edge_order=1):
    """numpy.gradient: second-order central differences inside, one-sided at the edges.

    Parameters
    ----------
    f : array_like (traced or not)
        Samples.
    *varargs : scalars or 1-D arrays, optional
        Spacing per axis, or coordinates (constants).
    axis : int or tuple of int, optional
        Axes to differentiate along (default all).
    edge_order : {1, 2}, optional
        Accuracy at the boundaries.

    Returns
    -------
    array or tuple of arrays
        One derivative per axis.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.gradient(np.array([1.0, 4.0, 9.0])).tolist()
    [3.0, 4.0, 5.0]
    """
    f = _arr(f)
    if getval(f).dtype.kind not in "fc":
        f = astype(f, np.float64)
    nd = len(shape_of(f))
    axes = tuple(range(nd)) if axis is None else normalize_axis(axis, nd, "gradient")
    if len(varargs) == 0:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1 and np.ndim(getval(varargs[0])) == 0:
        spacing = [varargs[0]] * len(axes)
    elif len(varargs) == len(axes):
        spacing = list(varargs)
    else:
        raise TypeError("taylorad.numpy.gradient: invalid number of arguments — give no "
                        "spacing, one for all axes, or one per axis differentiated")
    if edge_order not in (1, 2):
        raise ValueError("taylorad.numpy.gradient: edge_order must be 1 or 2")
    if any(isinstance(s, Box) for s in spacing):
        raise TypeError("taylorad.numpy.gradient: spacings and coordinates cannot be traced — "
                        "pass them as constants")
    outs = []
    dtype = getval(f).dtype
    for ax, h in zip(axes, spacing):
        n = shape_of(f)[ax]
        if n < edge_order + 1:
            raise ValueError("taylorad.numpy.gradient: shape of the array too small to calculate "
                             "a numerical gradient, at least (edge_order + 1) elements are "
                             "required")
        h = np.asarray(h, dtype=np.float64)
        dx = np.full(n - 1, float(h)) if h.ndim == 0 else np.diff(h)
        if h.ndim == 1 and h.size != n:
            raise ValueError("taylorad.numpy.gradient: coordinates must match the length of the "
                             "axis")

        def S(s):
            return getitem_p(f, idx=_sl(nd, ax, s))

        def col(c):
            return np.asarray(c, dtype=dtype).reshape((-1,) + (1,) * (nd - ax - 1))

        dx1, dx2 = dx[:-1], dx[1:]
        a = -dx2 / (dx1 * (dx1 + dx2))
        b = (dx2 - dx1) / (dx1 * dx2)
        c = dx1 / (dx2 * (dx1 + dx2))
        inner = S(slice(0, n - 2)) * col(a) + S(slice(1, n - 1)) * col(b) + \
            S(slice(2, n)) * col(c) if n > 2 else None
        if edge_order == 1:
            first = (S(slice(1, 2)) - S(slice(0, 1))) * (1.0 / dx[0])
            last = (S(slice(n - 1, n)) - S(slice(n - 2, n - 1))) * (1.0 / dx[-1])
        else:
            d1, d2 = dx[0], dx[1]
            first = S(slice(0, 1)) * (-(2.0 * d1 + d2) / (d1 * (d1 + d2))) + \
                S(slice(1, 2)) * ((d1 + d2) / (d1 * d2)) + S(slice(2, 3)) * (-d1 / (d2 * (d1 + d2)))
            d1, d2 = dx[-2], dx[-1]
            last = S(slice(n - 3, n - 2)) * (d2 / (d1 * (d1 + d2))) + \
                S(slice(n - 2, n - 1)) * (-(d2 + d1) / (d1 * d2)) + \
                S(slice(n - 1, n)) * ((2.0 * d2 + d1) / (d2 * (d1 + d2)))
        parts = [first] + ([inner] if inner is not None else []) + [last]
        outs.append(astype(concatenate(parts, axis=ax), dtype))
    return outs[0] if len(outs) == 1 else tuple(outs)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """numpy.trapezoid: the trapezoidal rule (``x`` may be traced too).

    Parameters
    ----------
    y : array_like (traced or not)
        Samples.
    x : array_like, optional
        Sample points (traced or not); default spacing ``dx``.
    dx : float, optional
        Spacing when ``x`` is None.
    axis : int, optional
        The axis to integrate along.

    Returns
    -------
    array
        The integral.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.trapezoid(np.array([0.0, 1.0, 2.0])))
    2.0
    """
    y = _arr(y)
    nd = len(shape_of(y))
    axis = normalize_axis(axis, nd, "trapezoid")[0]
    n = shape_of(y)[axis]
    if x is None:
        d = dx
    else:
        x = _arr(x)
        sx = shape_of(x)
        if len(sx) == 1 and sx[0] != n:
            raise ValueError(f"taylorad.numpy.trapezoid: x of shape {sx} does not fit y of "
                             f"shape {shape_of(y)} along axis {axis} — pass x 1-D with {n} "
                             f"points, or shaped like y")
        d = diff(x, axis=-1 if len(sx) == 1 else axis)
        if len(shape_of(x)) == 1:
            d = reshape(d, (n - 1,) + (1,) * (nd - axis - 1))
    mids = (getitem_p(y, idx=_sl(nd, axis, slice(1, n))) +
            getitem_p(y, idx=_sl(nd, axis, slice(0, n - 1)))) * 0.5
    return sum(mids * d, axis=axis)


def interp(x, xp, fp, left=None, right=None, period=None):
    """numpy.interp: piecewise-linear interpolation; derivatives w.r.t. x, xp and fp.

    Parameters
    ----------
    x : array_like (traced or not)
        Where to evaluate.
    xp : 1-D array_like (traced or not)
        Increasing sample points.
    fp : 1-D array_like (traced or not)
        Sample values.
    left, right : float, optional
        Values outside [xp[0], xp[-1]] (default fp[0], fp[-1]).
    period : None
        Not supported.

    Returns
    -------
    array
        Interpolated values. At a sample point the slope is that of the segment to the right
        (the segment numpy.interp evaluates).

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> xp, fp = np.array([0.0, 1.0, 2.0]), np.array([0.0, 2.0, 3.0])
    >>> float(ta.grad(lambda x: tnp.interp(x, xp, fp))(0.5))
    2.0
    """
    if period is not None:
        raise TypeError("taylorad.numpy.interp: period= is not supported — reduce x modulo the "
                        "period first")
    x, xp_, fp = _arr(x), _arr(xp), _arr(fp)
    if len(shape_of(xp_)) != 1 or shape_of(xp_) != shape_of(fp):
        raise ValueError("taylorad.numpy.interp: xp and fp must be 1-D of the same length")
    n = shape_of(xp_)[0]
    xv = np.asarray(getval(x))
    xpv = np.asarray(getval(xp_))
    if not any(isinstance(v, Box) for v in (x, xp_, fp)):
        return np.interp(xv, xpv, np.asarray(getval(fp)), left, right)
    if n == 1:
        j = np.zeros(xv.shape, dtype=np.intp)
        val = broadcast_to(getitem_p(fp, idx=(j,)), xv.shape)
    else:
        j = np.clip(np.searchsorted(xpv, xv, side="right") - 1, 0, n - 2)
        x0, x1 = getitem_p(xp_, idx=(j,)), getitem_p(xp_, idx=(j + 1,))
        f0, f1 = getitem_p(fp, idx=(j,)), getitem_p(fp, idx=(j + 1,))
        val = f0 + (x - x0) * ((f1 - f0) / (x1 - x0))
    lo = getitem_p(fp, idx=(0,)) if left is None else left
    hi = getitem_p(fp, idx=(n - 1,)) if right is None else right
    val = where(xv < xpv[0], lo, val)
    val = where(xv > xpv[-1], hi, val)
    if n > 1:  # exactly at the last point numpy returns fp[-1]
        val = where(xv == xpv[-1], getitem_p(fp, idx=(n - 1,)), val)
    return val


def convolve(a, v, mode="full"):
    """numpy.convolve of 1-D sequences (both may be traced): a product with a Toeplitz gather.

    Parameters
    ----------
    a, v : 1-D array_like (traced or not)
        Inputs.
    mode : {'full', 'same', 'valid'}, optional
        As numpy.convolve.

    Returns
    -------
    array
        The discrete linear convolution.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.convolve(np.array([1.0, 2.0]), np.array([1.0, 1.0])).tolist()
    [1.0, 3.0, 2.0]
    """
    a, v = _seq1d(a, v, "convolve")
    na, nv = shape_of(a)[0], shape_of(v)[0]
    if na == 0 or nv == 0:
        raise ValueError("taylorad.numpy.convolve: inputs cannot be empty")
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"taylorad.numpy.convolve: mode must be 'full', 'same' or 'valid', "
                         f"got {mode!r}")
    # full[k] = Σ_i a[i]·v[k − i]: gather V[k, i] = v_padded[k − i + na − 1]
    vp = pad(v, (na - 1, na - 1))
    k = np.arange(na + nv - 1)[:, None]
    i = np.arange(na)[None, :]
    V = getitem_p(vp, idx=(k - i + na - 1,))
    full = einsum("i,ki->k", a, V)
    lo, hi = min(na, nv), max(na, nv)
    if mode == "full":
        return full
    if mode == "same":
        start = (lo - 1) // 2
        return getitem_p(full, idx=(slice(start, start + hi),))
    return getitem_p(full, idx=(slice(lo - 1, hi),))


def _seq1d(a, v, fname):
    """a and v as 1-D sequences (scalars count as length 1), as numpy.convolve/correlate."""
    a, v = _arr(a), _arr(v)
    if len(shape_of(a)) > 1 or len(shape_of(v)) > 1:
        raise ValueError(f"taylorad.numpy.{fname}: a and v must be 1-D sequences, as for "
                         f"numpy.{fname}; got shapes {shape_of(a)} and {shape_of(v)} — ravel "
                         f"them, or use tnp.einsum for a convolution along one axis")
    return ravel(a), ravel(v)


def correlate(a, v, mode="valid"):
    """numpy.correlate of real 1-D sequences: convolve(a, v[::-1]).

    Parameters
    ----------
    a, v : 1-D array_like (traced or not)
        Inputs (real).
    mode : {'valid', 'same', 'full'}, optional
        As numpy.correlate.

    Returns
    -------
    array
        The cross-correlation.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0])).tolist()
    [2.0, 3.0]
    """
    a, v = _seq1d(a, v, "correlate")
    na, nv = shape_of(a)[0], shape_of(v)[0]
    rev = (slice(None, None, -1),)
    if nv > na:
        # numpy swaps the operands when v is longer: correlate(a, v) = correlate(v, a)[::-1]
        return getitem_p(convolve(v, getitem_p(a, idx=rev), mode), idx=rev)
    return convolve(a, getitem_p(v, idx=rev), mode)


def kron(a, b):
    """numpy.kron: the Kronecker product (an einsum outer product, reshaped).

    Parameters
    ----------
    a, b : array_like (traced or not)
        Inputs.

    Returns
    -------
    array
        The Kronecker product.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.kron(np.eye(2), np.ones((1, 2))).shape
    (2, 4)
    """
    a, b = _arr(a), _arr(b)
    sa, sb = shape_of(a), shape_of(b)
    nd = max(len(sa), len(sb))
    sa, sb = (1,) * (nd - len(sa)) + sa, (1,) * (nd - len(sb)) + sb
    a, b = reshape(a, sa), reshape(b, sb)
    letters = "abcdefghijklmnopqrstuvwxyz"
    la, lb = letters[:nd], letters[nd:2 * nd]
    out = "".join(x + y for x, y in zip(la, lb))
    return reshape(einsum(f"{la},{lb}->{out}", a, b), tuple(x * y for x, y in zip(sa, sb)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """numpy.cross of 3-vectors (and 2-vectors: the z component).

    Parameters
    ----------
    a, b : array_like (traced or not)
        Vectors along ``axisa`` / ``axisb`` (length 2 or 3), broadcast elsewhere.
    axisa, axisb, axisc, axis : int, optional
        As numpy.cross.

    Returns
    -------
    array
        The cross product.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.cross(np.array([1.0, 0, 0]), np.array([0.0, 1, 0])).tolist()
    [0.0, 0.0, 1.0]
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    a = moveaxis(_arr(a), axisa, -1)
    b = moveaxis(_arr(b), axisb, -1)
    da, db = shape_of(a)[-1], shape_of(b)[-1]
    if da not in (2, 3) or db not in (2, 3):
        raise ValueError("taylorad.numpy.cross: incompatible dimensions for cross product "
                         "(dimension must be 2 or 3)")

    def c(x, i, d):
        if i >= d:
            return 0.0
        return getitem_p(x, idx=(Ellipsis, i))

    a0, a1, a2 = c(a, 0, da), c(a, 1, da), c(a, 2, da)
    b0, b1, b2 = c(b, 0, db), c(b, 1, db), c(b, 2, db)
    z = a0 * b1 - a1 * b0
    if da == 2 and db == 2:
        return z
    x = a1 * b2 - a2 * b1
    y = a2 * b0 - a0 * b2
    shape = np.broadcast_shapes(*[shape_of(t) for t in (x, y, z)])
    out = stack([broadcast_to(t, shape) if shape_of(t) != shape else t for t in (x, y, z)],
                axis=-1)
    return moveaxis(out, -1, axisc)


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """numpy.meshgrid: coordinate arrays (reshapes and broadcasts).

    Parameters
    ----------
    *xi : 1-D array_like (traced or not)
        Coordinates.
    sparse : bool, optional
        Return broadcastable, not full, arrays.
    indexing : {'xy', 'ij'}, optional
        Cartesian or matrix indexing.

    Returns
    -------
    tuple of arrays
        The grids.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> [g.shape for g in tnp.meshgrid(np.ones(2), np.ones(3))]
    [(3, 2), (3, 2)]
    """
    if indexing not in ("xy", "ij"):
        raise ValueError("taylorad.numpy.meshgrid: indexing must be 'xy' or 'ij'")
    xs = [ravel(_arr(x)) for x in xi]
    n = len(xs)
    outs = []
    for i, x in enumerate(xs):
        s = [1] * n
        s[i] = -1
        if indexing == "xy" and n > 1 and i < 2:
            s[0], s[1] = s[1], s[0]
        outs.append(reshape(x, tuple(s)))
    if not sparse:
        shape = np.broadcast_shapes(*[shape_of(o) for o in outs])
        outs = [broadcast_to(o, shape) for o in outs]
    return tuple(outs)


def select(condlist, choicelist, default=0):
    """numpy.select: the first true condition picks (conditions are constants).

    Parameters
    ----------
    condlist : list of bool arrays
        Conditions.
    choicelist : list of arrays (traced or not)
        Values.
    default : scalar or array, optional
        Where no condition holds.

    Returns
    -------
    array
        The selection.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> x = np.array([-1.0, 2.0])
    >>> tnp.select([x < 0, x > 0], [-x, x * x]).tolist()
    [1.0, 4.0]
    """
    if len(condlist) != len(choicelist):
        raise ValueError("taylorad.numpy.select: list of cases must be same length as list of "
                         "conditions")
    out = default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        c = np.asarray(getval(cond))
        if c.dtype != bool:
            raise TypeError("taylorad.numpy.select: invalid entry in condlist: should be boolean "
                            "ndarray")
        out = where(c, choice, out)
    if not isinstance(out, Box):
        shapes = [np.shape(getval(x)) for x in list(condlist) + list(choicelist)]
        out = np.broadcast_to(out, np.broadcast_shapes(*shapes))
    return out


def piecewise(x, condlist, funclist, *args, **kw):
    """numpy.piecewise: each function is applied to the entries its condition selects.

    Parameters
    ----------
    x : array_like (traced or not)
        Input.
    condlist : list of bool arrays (or one)
        Conditions (constants; later ones win, as numpy).
    funclist : list of callables or scalars
        One per condition, plus an optional default.

    Returns
    -------
    array
        The assembled values (0 where nothing applies).

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> x = np.array([-1.0, 2.0])
    >>> tnp.piecewise(x, [x < 0, x >= 0], [lambda t: -t, lambda t: t * t]).tolist()
    [1.0, 4.0]
    """
    x = _arr(x)
    xv = getval(x)
    if isinstance(condlist, np.ndarray) and condlist.dtype == bool and condlist.ndim == xv.ndim:
        condlist = [condlist]
    conds = [np.asarray(getval(c), dtype=bool) for c in condlist]
    conds = [np.broadcast_to(c, xv.shape) for c in conds]
    if len(funclist) == len(conds) + 1:
        conds.append(~np.any(conds, axis=0) if conds else np.ones(xv.shape, bool))
    elif len(funclist) != len(conds):
        raise ValueError("taylorad.numpy.piecewise: with {} condition(s), either {} or {} "
                         "functions are expected".format(len(conds), len(conds), len(conds) + 1))
    taken = np.zeros(xv.shape, dtype=bool)
    parts = []
    for cond, fn in reversed(list(zip(conds, funclist))):  # later conditions win
        mask = cond & ~taken
        taken |= cond
        if not mask.any():
            continue
        if callable(fn):
            vals = fn(getitem_p(x, idx=(mask,)), *args, **kw)
            vals = broadcast_to(vals, (int(mask.sum()),)) if len(shape_of(vals)) == 0 else vals
            parts.append(index_add_p(astype(vals, xv.dtype) if isinstance(vals, Box) else
                                     np.asarray(vals, dtype=xv.dtype), idx=(mask,),
                                     shape=tuple(xv.shape)))
        else:
            parts.append(np.where(mask, np.asarray(fn, dtype=xv.dtype), 0).astype(xv.dtype))
    out = np.zeros(xv.shape, dtype=xv.dtype)
    for p in parts:
        out = out + p
    return out


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """numpy.apply_along_axis: ``func1d`` on every 1-D slice (traced), results stacked.

    Parameters
    ----------
    func1d : callable
        Applied to 1-D slices.
    axis : int
        The slicing axis.
    arr : array_like (traced or not)
        Input.
    *args, **kwargs
        Passed to ``func1d``.

    Returns
    -------
    array
        The results, ``func1d``'s output axes in place of ``axis``.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.apply_along_axis(lambda r: r[0] * r[1], 1, np.ones((3, 2))).shape
    (3,)
    """
    arr = _arr(arr)
    nd = len(shape_of(arr))
    axis = normalize_axis(axis, nd, "apply_along_axis")[0]
    x = moveaxis(arr, axis, -1)
    outer = shape_of(x)[:-1]
    res = [func1d(getitem_p(x, idx=tuple(ix) + (slice(None),)), *args, **kwargs)
           for ix in np.ndindex(*outer)]
    res = [r if isinstance(r, Box) else np.asarray(r) for r in res]
    out = stack(res, axis=0) if res else np.zeros(outer)
    rshape = shape_of(res[0]) if res else ()
    out = reshape(out, outer + rshape)
    # numpy puts the result's axes where ``axis`` was
    k = len(rshape)
    if k:
        order = list(range(axis)) + list(range(len(outer), len(outer) + k)) + \
            list(range(axis, len(outer)))
        from .shape import transpose  # noqa: PLC0415

        out = transpose(out, tuple(order))
    return out


def apply_over_axes(func, a, axes):
    """numpy.apply_over_axes: ``func(a, axis)`` for each axis in turn, keeping dimensions.

    Parameters
    ----------
    func : callable
        ``func(a, axis)``, e.g. a reduction.
    a : array_like (traced or not)
        Input.
    axes : int or sequence of int
        The axes.

    Returns
    -------
    array
        The result, with the input's number of dimensions.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.apply_over_axes(tnp.sum, np.ones((2, 3)), [0, 1]).shape
    (1, 1)
    """
    val = _arr(a)
    nd = len(shape_of(val))
    for ax in np.atleast_1d(np.asarray(axes)):
        ax = int(ax) % nd
        res = func(val, ax)
        if len(shape_of(res)) == nd:
            val = res
        else:
            from .shape import expand_dims  # noqa: PLC0415

            val = expand_dims(res, ax)
    return val


def unwrap(p, discont=None, axis=-1, *, period=2 * np.pi):
    """numpy.unwrap: p plus a piecewise-constant multiple of the period (derivative 1).

    Parameters
    ----------
    p : array_like (traced or not)
        Phases.
    discont : float, optional
        Maximum jump (default period / 2).
    axis : int, optional
        The axis.
    period : float, optional
        The period.

    Returns
    -------
    array
        Unwrapped phases.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> np.round(tnp.unwrap(np.array([0.0, 3.0, -3.0])), 3).tolist()
    [0.0, 3.0, 3.283]
    """
    p = _arr(p)
    v = np.asarray(getval(p))
    shift = np.unwrap(v, discont, axis, period=period) - v
    return p + shift.astype(v.dtype)


def bincount(x, weights=None, minlength=0):
    """numpy.bincount: counts are constants; with ``weights`` (traced) a sum per bin.

    Parameters
    ----------
    x : 1-D array of non-negative int
        Bins (constants).
    weights : 1-D array_like, optional
        Weights (traced or not).
    minlength : int, optional
        Minimum number of bins.

    Returns
    -------
    array
        Counts or weighted sums.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.bincount(np.array([0, 1, 1]), weights=np.array([0.5, 1.0, 2.0])).tolist()
    [0.5, 3.0]
    """
    xv = np.asarray(getval(x))
    if weights is None or not isinstance(weights, Box):
        return np.bincount(xv, None if weights is None else np.asarray(weights), minlength)
    n = max(int(xv.max()) + 1 if xv.size else 0, int(minlength))
    w = weights
    if getval(w).dtype.kind != "f":
        w = astype(w, np.float64)
    return index_add_p(w, idx=(xv,), shape=(n,))


def vecdot(x1, x2, /, *, axis=-1, **kwargs):
    """numpy.vecdot of real vectors: Σ x1·x2 along ``axis``.

    Parameters
    ----------
    x1, x2 : array_like (traced or not)
        Vectors (broadcast).
    axis : int, optional
        The vector axis.

    Returns
    -------
    array
        The dot products.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.vecdot(np.array([1.0, 2.0]), np.array([3.0, 4.0])))
    11.0
    """
    _no_kwargs(kwargs, "vecdot")
    return sum(_arr(x1) * _arr(x2), axis=axis)


def matvec(x1, x2, /, **kwargs):
    """numpy.matvec: matrix-vector products over the last axes.

    Parameters
    ----------
    x1 : array_like (traced or not)
        Matrices (..., m, n).
    x2 : array_like (traced or not)
        Vectors (..., n).

    Returns
    -------
    array
        Shape (..., m).

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.matvec(np.eye(2), np.array([1.0, 2.0])).tolist()
    [1.0, 2.0]
    """
    _no_kwargs(kwargs, "matvec")
    return einsum("...ij,...j->...i", _arr(x1), _arr(x2))


def vecmat(x1, x2, /, **kwargs):
    """numpy.vecmat: vector-matrix products over the last axes (real).

    Parameters
    ----------
    x1 : array_like (traced or not)
        Vectors (..., m).
    x2 : array_like (traced or not)
        Matrices (..., m, n).

    Returns
    -------
    array
        Shape (..., n).

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.vecmat(np.array([1.0, 2.0]), np.eye(2)).tolist()
    [1.0, 2.0]
    """
    _no_kwargs(kwargs, "vecmat")
    return einsum("...i,...ij->...j", _arr(x1), _arr(x2))


def _no_kwargs(kwargs, fname):
    if kwargs:
        raise TypeError(f"taylorad.numpy.{fname}: keyword arguments {sorted(kwargs)} are not "
                        f"supported")
