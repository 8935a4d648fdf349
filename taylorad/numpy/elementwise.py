"""More elementwise functions: inverse trigonometric and hyperbolic, log1p/expm1 and the base-2/10
forms, cbrt, reciprocal, hypot, arctan2, softplus, relu, clip, erf/erfc.

Same notation as ``transcendental``: x_k, y_k normalized coefficients, and every recurrence read
off y′ = f′(x)·x′ at the coefficient of t^{k−1}: k·y_k = Σ_{j=1..k} j·x_j·f′_{k−j}. Functions with
a cheap algebraic derivative are ``raised`` from it (f′ propagated one order lower, O(K²)).
"""
import math

import numpy as np

from ..core.backend import any_dask
from ..core.coeffs import Coeffs, start, tail
from ..core.rules import defcompose, deftaylor, defunary, defvjp, raised, zeros_ok
from ..core.trace import Box, Primitive, getval
from ._util import array_namespace, shape_of
from .arith import sqrt
from .shape import unbroadcast, where
from .transcendental import _exp_rec, _jx, _lin, _log_rec, _sigmoid_impl, exp, log, sigmoid

__all__ = ["arcsin", "arccos", "arctan", "arctan2", "arcsinh", "arccosh", "hypot", "log1p",
           "expm1", "log2", "log10", "exp2", "cbrt", "reciprocal", "softplus", "relu", "clip",
           "erf", "erfc", "logaddexp"]

LN2 = math.log(2.0)
LN10 = math.log(10.0)


def _ufunc(name, np_name=None):
    np_name = np_name or name
    return Primitive(name, lambda x: getattr(array_namespace(x), np_name)(x))


# arcsin: y′ = x′ / √(1 − x²)  (raised) ----------------------------------------------------------
def _d_arcsin(x):
    return 1.0 / sqrt(1.0 - x * x)


arcsin = _ufunc("arcsin")
defunary(arcsin, lambda ans, x: _d_arcsin(x), raised(_d_arcsin))

# arccos: y′ = −x′ / √(1 − x²)  (raised) ---------------------------------------------------------
arccos = _ufunc("arccos")
defunary(arccos, lambda ans, x: -_d_arcsin(x), raised(lambda x: -_d_arcsin(x)))


# arctan: y′ = x′ / (1 + x²)  (raised) -----------------------------------------------------------
def _d_arctan(x):
    return 1.0 / (1.0 + x * x)


arctan = _ufunc("arctan")
defunary(arctan, lambda ans, x: _d_arctan(x), raised(_d_arctan))


# arcsinh: y′ = x′ / √(1 + x²)  (raised) ---------------------------------------------------------
def _d_arcsinh(x):
    return 1.0 / sqrt(1.0 + x * x)


arcsinh = _ufunc("arcsinh")
defunary(arcsinh, lambda ans, x: _d_arcsinh(x), raised(_d_arcsinh))


# arccosh: y′ = x′ / (√(x − 1)·√(x + 1))  (raised; the factored form keeps accuracy near 1) -------
def _d_arccosh(x):
    return 1.0 / (sqrt(x - 1.0) * sqrt(x + 1.0))


arccosh = _ufunc("arccosh")
defunary(arccosh, lambda ans, x: _d_arccosh(x), raised(_d_arccosh))


# log1p: (1 + x)·y′ = x′ — the log recurrence with 1 + x₀ as the leading coefficient ------------
log1p = _ufunc("log1p")
defunary(log1p, lambda ans, x: 1.0 / (1.0 + x),
         lambda tr, x, y0: _log_rec(tr, _with_head(x, 1.0 + x[0]), y0))


def _with_head(x, head):
    """x with its leading coefficient replaced (keeping the fast stacked form if it has one)."""
    return (type(x) is Coeffs and x.with_head(head)) or [head] + x[1:]


# expm1: y′ = (y + 1)·x′  ⇒  k·y_k = Σ j·x_j·e_{k−j}, e₀ = exp(x₀), e_k = y_k ---------------------
def _expm1_rec(tr, x, y0):
    jx, e = _jx(x, tr.K), start(x, y0 + 1.0, tr.K)
    for k in range(1, tr.K + 1):
        e.append(_lin(jx, e, k))
    return tail(e)


expm1 = _ufunc("expm1")
defunary(expm1, lambda ans, x: ans + 1.0, zeros_ok(_expm1_rec))

# log2, log10: y = log(x)/ln b — the log recurrence scaled by 1/ln b -----------------------------
log2 = _ufunc("log2")
defunary(log2, lambda ans, x: (1.0 / LN2) / x,
         lambda tr, x, y0: [yk * (1.0 / LN2) for yk in _log_rec(tr, x, y0 * LN2)])
log10 = _ufunc("log10")
defunary(log10, lambda ans, x: (1.0 / LN10) / x,
         lambda tr, x, y0: [yk * (1.0 / LN10) for yk in _log_rec(tr, x, y0 * LN10)])

# exp2: y′ = ln2·y·x′ — the exp recurrence on ln2·x ----------------------------------------------
exp2 = _ufunc("exp2")
defunary(exp2, lambda ans, x: ans * LN2,
         lambda tr, x, y0: _exp_rec(tr, [x[0]] + [None if xk is None else xk * LN2
                                                  for xk in x[1:]], y0))


# cbrt: 3·x·y′ = y·x′  ⇒  y_k = Σ_{j=1..k} ((p+1)·j − k)·x_j·y_{k−j} / (k·x₀), p = 1/3 ----------
def _pow_rec(p):
    def rec(tr, x, y0):
        inv = 1.0 / x[0]
        y = [y0]
        for k in range(1, tr.K + 1):
            acc = None
            for j in range(1, k + 1):
                if x[j] is None:
                    continue
                term = x[j] * y[k - j] * (((p + 1.0) * j - k) / k)
                acc = term if acc is None else acc + term
            y.append(None if acc is None else acc * inv)
        return tail(y)

    return rec


cbrt = _ufunc("cbrt")
defunary(cbrt, lambda ans, x: ans / (3.0 * x), _pow_rec(1.0 / 3.0))


# reciprocal: x·y = 1  ⇒  y_k = −(Σ_{j=1..k} x_j·y_{k−j}) / x₀ -----------------------------------
def _reciprocal_rec(tr, x, y0):
    y = [y0]
    for k in range(1, tr.K + 1):
        acc = None
        for j in range(1, k + 1):
            if x[j] is None or y[k - j] is None:
                continue
            term = x[j] * y[k - j]
            acc = term if acc is None else acc + term
        y.append(None if acc is None else -acc * y0)
    return tail(y)


def _reciprocal_impl(x):
    return array_namespace(x).reciprocal(x)


reciprocal = Primitive("reciprocal", _reciprocal_impl)
defunary(reciprocal, lambda ans, x: -(ans * ans), _reciprocal_rec)


# g·σ(u) as one primitive: the VJP of softplus and logaddexp. Forward-over-reverse carries a
# constant cotangent g (no series of its own), and at order 1 the series is (g·σ′(u))·u̇: ONE
# product with the tangent stack, where g·sigmoid(u) as two primitives makes two — σ′(u)·u̇, then
# g times that. With the n unit directions of a dense Hessian the stack is n × the data (the
# logistic loss's Hessian on Dask data: one data-sized multiply per chunk instead of two).
# Otherwise (K > 1, or g carrying a series) the series of the composition g·sigmoid(u). ----------
def _scaled_sigmoid_impl(g, u):
    return g * _sigmoid_impl(u)


def _scaled_sigmoid_taylor(tr, ans, primals, series):
    (g0, u0), (Sg, Su) = primals, series
    if tr.K == 1 and Sg is None:
        s = sigmoid(u0)
        return (g0 * (s * (1.0 - s))) * tr.align(Su, len(shape_of(ans)))
    return tr.compose(lambda g, u: g * sigmoid(u), primals, series)


_scaled_sigmoid = Primitive("scaled_sigmoid", _scaled_sigmoid_impl,
                            doc="g * sigmoid(u) (softplus' and logaddexp's VJP)")
deftaylor(_scaled_sigmoid, _scaled_sigmoid_taylor)
defvjp(_scaled_sigmoid, lambda h, ans, g, u: unbroadcast(h * sigmoid(u), shape_of(g)),
       lambda h, ans, g, u: unbroadcast(h * ans * (1.0 - sigmoid(u)), shape_of(u)))


# softplus = log(1 + eˣ): y′ = sigmoid(x)·x′  (raised from sigmoid's own recurrence) --------------
softplus = Primitive("softplus", lambda x: array_namespace(x).logaddexp(0, x),
                     doc="""log(1 + exp(x)), elementwise, computed stably.

    Parameters
    ----------
    x : array or traced value

    Returns
    -------
    array, the shape and dtype of ``x``; its derivative is ``sigmoid(x)``.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> tnp.softplus(np.array([0.0]))
    array([0.69314718])
    >>> ta.grad(lambda x: tnp.sum(tnp.softplus(x)))(np.array([0.0]))
    array([0.5])
    """)
defunary(softplus, lambda ans, x: sigmoid(x), raised(sigmoid))
softplus.vjps[0] = lambda g, ans, x: _scaled_sigmoid(g, x)


# relu = max(x, 0): piecewise linear, y_k = [x₀ > 0]·x_k; the derivative at 0 is taken as 0 ------
def _positive_mask(x):
    v = getval(x)
    return (v > 0).astype(v.dtype)


relu = Primitive("relu", lambda x: array_namespace(x).maximum(x, 0).astype(x.dtype),
                 doc="""max(x, 0), elementwise; derivative 1 for x > 0, 0 for x <= 0 (including 0).

    Parameters
    ----------
    x : array or traced value

    Returns
    -------
    array, the shape and dtype of ``x``; every Taylor coefficient above the first is 0.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> tnp.relu(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    >>> ta.grad(lambda x: tnp.sum(tnp.relu(x)))(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 1.])
    """)
defunary(relu, lambda ans, x: _positive_mask(x),
         lambda tr, x, y0: [None if xk is None else xk * _positive_mask(x[0]) for xk in x[1:]])


# erf: y′ = (2/√π)·exp(−x²)·x′  (raised); erfc = 1 − erf -----------------------------------------
def _special(x):
    if array_namespace(x) is np:
        import scipy.special  # noqa: PLC0415 - scipy is a dependency of the NumPy backend

        return scipy.special
    import cupyx.scipy.special  # noqa: PLC0415

    return cupyx.scipy.special


_TWO_OVER_SQRTPI = 2.0 / math.sqrt(math.pi)


def _d_erf(x):
    return exp(-(x * x)) * _TWO_OVER_SQRTPI


erf = Primitive("erf", lambda x: _special(x).erf(x), doc="the error function")
defunary(erf, lambda ans, x: _d_erf(x), raised(_d_erf))
erfc = Primitive("erfc", lambda x: _special(x).erfc(x), doc="the complementary error function")
defunary(erfc, lambda ans, x: -_d_erf(x), raised(lambda x: -_d_erf(x)))


# hypot = √(a² + b²): VJP (a/h, b/h); Taylor series of the composition sqrt(a·a + b·b) ------------
hypot = Primitive("hypot", lambda a, b: array_namespace(a, b).hypot(a, b))
defvjp(hypot, lambda g, ans, a, b: unbroadcast(g * a / ans, shape_of(a)),
       lambda g, ans, a, b: unbroadcast(g * b / ans, shape_of(b)))
defcompose(hypot, lambda a, b: sqrt(a * a + b * b))


# arctan2(y, x): θ′ = (x·y′ − y·x′)/(x² + y²); higher coefficients are those of arctan(y/x) where
# |x₀| ≥ |y₀| and of −arctan(x/y) elsewhere (they differ from θ by a constant multiple of π/2);
# the unused branch gets a safe denominator so no nan leaks through where's derivatives.
def _arctan2_series(y, x):
    yv, xv = getval(y), getval(x)
    use_x = np.abs(xv) >= np.abs(yv)
    xs = where(use_x, x, 1.0)
    ys = where(use_x, 1.0, y)
    return where(use_x, arctan(y / xs), -arctan(x / ys))


arctan2 = Primitive("arctan2", lambda y, x: array_namespace(y, x).arctan2(y, x))
defvjp(arctan2, lambda g, ans, y, x: unbroadcast(g * x / (x * x + y * y), shape_of(y)),
       lambda g, ans, y, x: unbroadcast(-g * y / (x * x + y * y), shape_of(x)))
defcompose(arctan2, _arctan2_series)


# logaddexp(a, b) = log(eᵃ + eᵇ): VJP (e^{a−y}, e^{b−y}) = (σ(a − b), σ(b − a)), written with
# sigmoid (its own O(K²) rule: one pass per coefficient where e^{b−y} composed costs four — the
# logistic loss's Hessian on data); series of hi + softplus(lo − hi) ------------------------------
def _logaddexp_series(a, b):
    """hi, lo: the operand with the larger / smaller primal. The series of lo − hi is formed
    first, so directions that nearly agree cancel exactly there, not between two exponentials'
    series (float32, order 4: 400 ulps → 2). Non-finite primals, and Dask data (whose values
    are not looked at while the graph is built: that would be a pass over the data), take
    m + log(e^{a−m} + e^{b−m})."""
    av, bv = getval(a), getval(b)
    m = np.maximum(av, bv)
    finite = np.isfinite(m)
    if any_dask((av, bv)) or not bool(finite.all()):
        m = np.where(finite, m, 0.0)
        return log(exp(a - m) + exp(b - m)) + m
    a_hi = av >= bv
    hi, lo = where(a_hi, a, b), where(a_hi, b, a)
    return hi + softplus(lo - hi)


logaddexp = Primitive("logaddexp", lambda a, b: array_namespace(a, b).logaddexp(a, b))
defvjp(logaddexp, lambda g, ans, a, b: unbroadcast(_scaled_sigmoid(g, a - b), shape_of(a)),
       lambda g, ans, a, b: unbroadcast(_scaled_sigmoid(g, b - a), shape_of(b)))
defcompose(logaddexp, _logaddexp_series)


# clip: a composition of where; derivative 1 w.r.t. x on lo <= x <= hi (bounds included), and
# flows to a bound where it is active -------------------------------------------------------------
def clip(a, a_min=None, a_max=None, *, min=None, max=None):  # noqa: A002 - numpy's names
    """numpy.clip. Derivative w.r.t. ``a`` is 1 where a_min <= a <= a_max (ties count as inside)
    and 0 elsewhere; where a bound is active its (traced) value receives the derivative."""
    lo = a_min if min is None else min
    hi = a_max if max is None else max
    if lo is None and hi is None:
        raise ValueError("taylorad.numpy.clip: give at least one of a_min and a_max")
    if not isinstance(a, Box):
        a = array_namespace(a).asarray(a)
    out = a
    if lo is not None:
        out = where(getval(a) < getval(lo), lo, out)
    if hi is not None:
        out = where(getval(a) > getval(hi), hi, out)
    v = getval(a)
    if isinstance(out, (int, float)) or getval(out).dtype != v.dtype:
        from .shape import astype  # noqa: PLC0415

        out = astype(out, v.dtype)
    return out

