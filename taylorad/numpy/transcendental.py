"""exp, log, trigonometric and hyperbolic functions, sigmoid: hand-written O(K²) recurrences.

Notation: x_k, y_k are normalized coefficients (DESIGN.md §3); ``jx[j]`` = j·x_j. Each recurrence
comes from differentiating the defining identity once, y′ = f′(x)·x′, and reading off the
coefficient of t^{k−1}: k·y_k = Σ_{j=1..k} j·x_j·f′_{k−j}.
"""
from ..core.coeffs import Coeffs, conv, start, tail
from ..core.rules import defunary, raised, zeros_ok
from ..core.trace import Primitive
from ._util import array_namespace
from .arith import _sq


def _jx(x, K):
    if type(x) is Coeffs:
        return x.scaled_by_index()
    return [None] + [None if x[j] is None else x[j] * float(j) for j in range(1, K + 1)]


def _lin(jx, d, k):
    """(1/k)·Σ_{j=1..k} jx_j·d_{k−j} (None when every term is a known zero)."""
    acc = conv(jx, d, 1, k, k)
    return None if acc is None else acc * (1.0 / k)


def _ufunc(name, np_name=None):
    np_name = np_name or name
    return Primitive(name, lambda x: getattr(array_namespace(x), np_name)(x))


# exp: y′ = y·x′ --------------------------------------------------------------------------------
def _exp_rec(tr, x, y0):
    jx, y = _jx(x, tr.K), start(x, y0, tr.K)
    for k in range(1, tr.K + 1):
        y.append(_lin(jx, y, k))
    return tail(y)


exp = _ufunc("exp")
defunary(exp, lambda ans, x: ans, zeros_ok(_exp_rec))


# log: x·y′ = x′  ⇒  y_k = (x_k − (1/k)·Σ_{j=1..k−1} j·y_j·x_{k−j}) / x₀ ------------------------------
def _log_rec(tr, x, y0):
    inv = 1.0 / x[0]
    y, jy = start(x, y0, tr.K), start(x, y0 * 0.0, tr.K)
    for k in range(1, tr.K + 1):
        acc = x[k]
        if k > 1:
            acc = acc - conv(jy, x, 1, k - 1, k) * (1.0 / k)
        y.append(acc * inv)
        jy.append(y[k] * float(k))
    return tail(y)


log = _ufunc("log")
defunary(log, lambda ans, x: 1.0 / x, _log_rec)


# sin and cos together: s′ = c·x′, c′ = −s·x′ (sinh, cosh: c′ = +s·x′) ------------------------------
def _sincos(tr, x, s0, c0, sign):
    jx, s, c = _jx(x, tr.K), start(x, s0, tr.K), start(x, c0, tr.K)
    for k in range(1, tr.K + 1):
        s.append(_lin(jx, c, k))
        ck = _lin(jx, s, k)
        c.append(-ck if sign < 0 else ck)
    return s, c


sin = _ufunc("sin")
cos = _ufunc("cos")
sinh = _ufunc("sinh")
cosh = _ufunc("cosh")
defunary(sin, lambda ans, x: cos(x),
         zeros_ok(lambda tr, x, y0: tail(_sincos(tr, x, y0, cos(x[0]), -1)[0])))
defunary(cos, lambda ans, x: -sin(x),
         zeros_ok(lambda tr, x, y0: tail(_sincos(tr, x, sin(x[0]), y0, -1)[1])))
defunary(sinh, lambda ans, x: cosh(x),
         zeros_ok(lambda tr, x, y0: tail(_sincos(tr, x, y0, cosh(x[0]), 1)[0])))
defunary(cosh, lambda ans, x: sinh(x),
         zeros_ok(lambda tr, x, y0: tail(_sincos(tr, x, sinh(x[0]), y0, 1)[1])))


# tan, tanh, sigmoid: y′ = z(y)·x′ with z polynomial in y --------------------------------------------
def _poly_rec(z_of):
    """y′ = z·x′ where z_k is computed from y₀..y_k by ``z_of(y, k)``."""

    def rec(tr, x, y0):
        jx, y = _jx(x, tr.K), start(x, y0, tr.K)
        z = start(x, z_of(y, 0), tr.K)
        for k in range(1, tr.K + 1):
            y.append(_lin(jx, z, k))
            if k < tr.K:
                z.append(z_of(y, k))
        return tail(y)

    return zeros_ok(rec)


tan = _ufunc("tan")
defunary(tan, lambda ans, x: 1.0 + ans * ans,  # z = 1 + y²
         _poly_rec(lambda y, k: 1.0 + y[0] * y[0] if k == 0 else _sq(y, k)))

tanh = _ufunc("tanh")
defunary(tanh, lambda ans, x: 1.0 - ans * ans,  # z = 1 − y²
         _poly_rec(lambda y, k: 1.0 - y[0] * y[0] if k == 0 else -_sq(y, k)))


def _sigmoid_impl(x):
    xp = array_namespace(x)
    return xp.tanh(x * 0.5) * 0.5 + 0.5  # stable for large |x|


sigmoid = Primitive("sigmoid", _sigmoid_impl, doc="""Logistic function 1 / (1 + exp(-x)).

    A primitive with a hand-written O(K²) Taylor recurrence (y' = y(1 - y)).

    Parameters
    ----------
    x : array or traced value

    Returns
    -------
    array, the shape and dtype of ``x``

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> tnp.sigmoid(np.array([0.0]))
    array([0.5])
    >>> ta.grad(lambda x: tnp.sum(tnp.sigmoid(x)))(np.array([0.0]))
    array([0.25])
    """)
defunary(sigmoid, lambda ans, x: ans * (1.0 - ans),  # z = y − y²
         _poly_rec(lambda y, k: y[k] - _sq(y, k)))


# arctanh: raised from its derivative 1 / (1 − x²) ------------------------------------------------
arctanh = _ufunc("arctanh")
defunary(arctanh, lambda ans, x: 1.0 / (1.0 - x * x), raised(lambda x: 1.0 / (1.0 - x * x)))
