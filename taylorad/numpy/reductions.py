"""Reductions: max/min (amax/amin), argmax/argmin, prod, cumsum, var, std, logsumexp, softmax,
log_softmax.

Ties in max/min: the derivative is shared equally among all entries that attain the extremum
(as JAX's reduce_max), so gradient and Taylor coefficients are the same linear map
y_k = Σ_i w_i·x_{k,i} with w = [x_i = max]/count. This is the average of the one-sided
derivatives; for a unique extremum it is the ordinary derivative.
"""
import numpy as np

from ..core.rules import defcompose, deflinear, defnondiff, deftaylor, defvjp
from ..core.trace import Primitive, getval
from ._util import array_namespace, normalize_axis, shape_of
from .arith import sqrt
from .shape import broadcast_to, concatenate, getitem_p, mean, moveaxis, reshape, sum_p
from .transcendental import exp, log

__all__ = ["max", "min", "amax", "amin", "argmax", "argmin", "prod", "cumsum", "var", "std",
           "logsumexp", "softmax", "log_softmax"]


def _keep_shape(shape, axis):
    """The reduced shape with keepdims=True (axis None: all axes)."""
    return tuple(1 if axis is None or i in axis else s for i, s in enumerate(shape))


# max / min: y_k = Σ_i w_i·x_{k,i}, w = [x_i attains the extremum] / (number attaining it) --------
def _tie_weights(x, ans, axis, keepdims):
    xv, av = getval(x), getval(ans)
    xp = array_namespace(xv)
    shape = tuple(xv.shape)
    if not keepdims:
        av = xp.reshape(av, _keep_shape(shape, axis))
    hit = (xv == av)
    count = xp.sum(hit, axis=axis, keepdims=True)
    return (hit / count).astype(xv.dtype)


def _extremum(name, np_name):
    prim = Primitive(name, lambda x, axis, keepdims:
                     getattr(array_namespace(x), np_name)(x, axis=axis, keepdims=keepdims))

    def taylor(tr, ans, primals, series, axis, keepdims):
        S = series[0]
        w = _tie_weights(primals[0], ans, axis, keepdims)
        p = tr.pdim
        axes = tuple(range(p, S.ndim)) if axis is None else tuple(a + p for a in axis)
        return sum_p(S * w, axis=axes, keepdims=keepdims)

    def vjp(g, ans, x, axis, keepdims):
        shape = shape_of(x)
        if not keepdims:
            g = reshape(g, _keep_shape(shape, axis))
        return broadcast_to(g, shape, like=x) * _tie_weights(x, ans, axis, keepdims)

    deftaylor(prim, taylor)
    defvjp(prim, vjp)
    return prim


amax_p = _extremum("amax", "max")
amin_p = _extremum("amin", "min")


def _check_nonempty(x, axis, fname):
    shape = shape_of(x)
    if any(shape[a] == 0 for a in (range(len(shape)) if axis is None else axis)) or \
            (axis is None and int(np.prod(shape)) == 0):
        raise ValueError(f"taylorad.numpy.{fname}: zero-size reduction has no identity — give a "
                         f"non-empty array")


def amax(a, axis=None, keepdims=False):
    """numpy.amax / numpy.max. Ties share the derivative equally (see module docstring)."""
    axis = normalize_axis(axis, len(shape_of(a)), "max")
    _check_nonempty(a, axis, "max")
    return amax_p(a, axis=axis, keepdims=bool(keepdims))


def amin(a, axis=None, keepdims=False):
    """numpy.amin / numpy.min. Ties share the derivative equally (see module docstring)."""
    axis = normalize_axis(axis, len(shape_of(a)), "min")
    _check_nonempty(a, axis, "min")
    return amin_p(a, axis=axis, keepdims=bool(keepdims))


max = amax  # noqa: A001 - numpy's name
min = amin  # noqa: A001


# argmax / argmin: integer outputs, zero derivative ------------------------------------------------
argmax_p = Primitive("argmax", lambda x, axis, keepdims:
                     array_namespace(x).argmax(x, axis=axis, keepdims=keepdims))
argmin_p = Primitive("argmin", lambda x, axis, keepdims:
                     array_namespace(x).argmin(x, axis=axis, keepdims=keepdims))
defnondiff(argmax_p)
defnondiff(argmin_p)


def argmax(a, axis=None, keepdims=False):
    """numpy.argmax: a constant (no derivative)."""
    return argmax_p(a, axis=axis, keepdims=bool(keepdims))


def argmin(a, axis=None, keepdims=False):
    """numpy.argmin: a constant (no derivative)."""
    return argmin_p(a, axis=axis, keepdims=bool(keepdims))


# cumsum: linear; its VJP is the reversed cumulative sum of g --------------------------------------
cumsum_p = Primitive("cumsum", lambda x, axis: array_namespace(x).cumsum(x, axis=axis))


def _reverse(x, axis):
    return getitem_p(x, idx=(slice(None),) * axis + (slice(None, None, -1),))


deflinear(cumsum_p, lambda p, S, axis: cumsum_p(S, axis=axis + p),
          lambda g, ans, x, axis: _reverse(cumsum_p(_reverse(g, axis), axis=axis), axis))


def cumsum(a, axis=None):
    """numpy.cumsum (axis None: of the flattened array)."""
    if axis is None:
        a = reshape(a, (-1,))
        axis = 0
    nd = len(shape_of(a))
    if nd == 0:
        a, nd = reshape(a, (1,)), 1
    return cumsum_p(a, axis=normalize_axis(axis, nd, "cumsum")[0])


# prod: a balanced tree of products along the axis (log₂ n multiply primitives, each a Cauchy
# product in Taylor mode); exact with zeros, unlike ans / x --------------------------------------
def prod(a, axis=None, keepdims=False):
    """numpy.prod. Differentiable everywhere, including at zeros."""
    shape = shape_of(a)
    axes = normalize_axis(axis, len(shape), "prod")
    axes = tuple(range(len(shape))) if axes is None else axes
    rest = [i for i in range(len(shape)) if i not in axes]
    x = moveaxis(a, axes, tuple(range(len(shape) - len(axes), len(shape)))) if axes else a
    x = reshape(x, tuple(shape[i] for i in rest) + (-1,))
    n = shape_of(x)[-1]
    lead = (slice(None),) * len(rest)
    if n == 0:
        v = getval(a)
        out = array_namespace(v).ones(tuple(shape[i] for i in rest), dtype=v.dtype)
    else:
        while n > 1:
            half = n // 2
            left = getitem_p(x, idx=lead + (slice(0, half),))
            right = getitem_p(x, idx=lead + (slice(half, 2 * half),))
            y = left * right
            if n % 2:
                y = concatenate([y, getitem_p(x, idx=lead + (slice(n - 1, n),))], axis=len(rest))
            x, n = y, half + n % 2
        out = reshape(x, tuple(shape[i] for i in rest))
    if keepdims:
        out = reshape(out, _keep_shape(shape, axes))
    return out


# var / std: compositions (mean of squared deviations; std = √var, not differentiable at 0) -------
def var(a, axis=None, ddof=0, keepdims=False):
    """numpy.var with ``ddof``."""
    shape = shape_of(a)
    axes = normalize_axis(axis, len(shape), "var")
    n = int(np.prod(shape if axes is None else [shape[i] for i in axes]))
    if n - ddof <= 0:
        raise ValueError(f"taylorad.numpy.var: ddof={ddof} leaves no degrees of freedom for "
                         f"{n} values — use a smaller ddof")
    d = a - mean(a, axis=axes, keepdims=True)
    return sum_p(d * d, axis=axes, keepdims=bool(keepdims)) * (1.0 / (n - ddof))


def std(a, axis=None, ddof=0, keepdims=False):
    """numpy.std with ``ddof`` (its derivative is infinite where all values are equal)."""
    return sqrt(var(a, axis=axis, ddof=ddof, keepdims=keepdims))


# logsumexp: VJP g·exp(x − y); series of m + log Σ exp(x − m) with the constant shift m = max x₀ ---
def _shift(x, axis):
    v = getval(x)
    xp = array_namespace(v)
    m = xp.max(v, axis=axis, keepdims=True)
    return xp.where(xp.isfinite(m), m, 0).astype(v.dtype)


def _logsumexp_impl(x, axis, keepdims):
    xp = array_namespace(x)
    m = _shift(x, axis)
    out = xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else xp.reshape(out, tuple(s for i, s in enumerate(x.shape)
                                                      if not (axis is None or i in axis)))


def _logsumexp_series(x, axis, keepdims):
    m = _shift(x, axis)
    out = log(sum_p(exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else reshape(out, tuple(s for i, s in enumerate(shape_of(x))
                                                   if not (axis is None or i in axis)))


def _logsumexp_vjp(g, ans, x, axis, keepdims):
    shape = shape_of(x)
    if not keepdims:
        g = reshape(g, _keep_shape(shape, axis))
        ans = reshape(ans, _keep_shape(shape, axis))
    return g * exp(x - ans)


logsumexp_p = Primitive("logsumexp", _logsumexp_impl, doc="log Σ exp(x), computed stably")
defvjp(logsumexp_p, _logsumexp_vjp)
defcompose(logsumexp_p, _logsumexp_series)


def logsumexp(a, axis=None, keepdims=False):
    """log(sum(exp(a), axis)), computed stably (as scipy.special.logsumexp without weights)."""
    axis = normalize_axis(axis, len(shape_of(a)), "logsumexp")
    _check_nonempty(a, axis, "logsumexp")
    return logsumexp_p(a, axis=axis, keepdims=bool(keepdims))


def softmax(x, axis=-1):
    """exp(x − logsumexp(x, axis)); default axis −1 (scipy.special.softmax defaults to all)."""
    return exp(x - logsumexp(x, axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    """x − logsumexp(x, axis); default axis −1 (scipy.special.log_softmax defaults to all)."""
    return x - logsumexp(x, axis=axis, keepdims=True)
