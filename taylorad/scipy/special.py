"""taylorad.scipy.special: erf, erfc, erfcx, erfinv, expit, logit, logsumexp, softmax,
log_softmax, xlogy, xlog1py, gamma, gammaln, digamma (psi), polygamma, betaln, ndtr, log_ndtr.

Each is a taylorad primitive or a composition of primitives (VJP and Taylor rules of any order);
``softmax``/``log_softmax``/``logsumexp`` default to ``axis=None`` as SciPy does.

The gamma family's rules come from polygamma, which gives every derivative of digamma and
gammaln directly: gammaln′ = ψ, ψ⁽ⁿ⁾′ = ψ⁽ⁿ⁺¹⁾, Γ′ = Γ·ψ; each is raised to every order
(y′ = f′(x)·x′ with f′ itself a primitive of the family, evaluated one order lower). erfinv from
erfinv′ = (√π/2)·exp(erfinv²), erfcx from erfcx′ = 2x·erfcx − 2/√π. SciPy's own ufuncs called
on traced values (``scipy.special.gammaln(x)``) dispatch here through ``__array_ufunc__``.
"""
from ..numpy.elementwise import erf, erfc
from ..numpy.reductions import log_softmax as _log_softmax
from ..numpy.reductions import logsumexp as _logsumexp
from ..numpy.reductions import softmax as _softmax
from ..numpy.transcendental import log, sigmoid

__all__ = ["erf", "erfc", "expit", "logit", "logsumexp", "softmax", "log_softmax", "xlogy"]
__all__ += ["erfcx", "erfinv", "xlog1py", "gamma", "gammaln", "digamma", "psi", "polygamma",
            "betaln", "ndtr", "log_ndtr"]

expit = sigmoid


def logit(p):
    """log(p / (1 − p)), the inverse of expit."""
    return log(p) - log(1.0 - p)


def xlogy(x, y):
    """x·log(y) (as scipy.special.xlogy; the x = 0 special case is not applied when traced)."""
    return x * log(y)


def logsumexp(a, axis=None, keepdims=False):
    """scipy.special.logsumexp without weights (``b``) or ``return_sign``."""
    return _logsumexp(a, axis=axis, keepdims=keepdims)


def softmax(x, axis=None):
    """scipy.special.softmax: exp(x − logsumexp(x, axis)) (axis None: over all entries)."""
    return _softmax(x, axis=axis)


def log_softmax(x, axis=None):
    """scipy.special.log_softmax (axis None: over all entries)."""
    return _log_softmax(x, axis=axis)


# --- the gamma family, erfinv, erfcx, the normal distribution function -------------------------
import math as _math  # noqa: E402

import numpy as _np  # noqa: E402

from ..core.rules import defcompose as _defcompose  # noqa: E402
from ..core.rules import defunary as _defunary  # noqa: E402
from ..core.rules import defvjp as _defvjp  # noqa: E402
from ..core.rules import primitive_family as _primitive_family  # noqa: E402
from ..core.rules import raised as _raised  # noqa: E402
from ..core.trace import Box as _Box  # noqa: E402
from ..core.trace import Primitive as _Primitive  # noqa: E402
from ..core.trace import getval as _getval  # noqa: E402
from ..numpy.elementwise import _special, log1p as _log1p  # noqa: E402
from ..numpy.shape import where as _where  # noqa: E402
from ..numpy.transcendental import exp as _exp  # noqa: E402

_SQRT2 = _math.sqrt(2.0)
_SQRTPI_2 = _math.sqrt(_math.pi) / 2.0
_TWO_SQRTPI = 2.0 / _math.sqrt(_math.pi)
_LOG_SQRT_2PI = 0.5 * _math.log(2.0 * _math.pi)


def _ufunc(name):
    return _Primitive(name, lambda x: getattr(_special(x), name)(x))


# polygamma ψ⁽ⁿ⁾: ψ⁽ⁿ⁾′ = ψ⁽ⁿ⁺¹⁾ (raised); ψ⁽⁰⁾ = digamma ------------------------------------------
def _make_polygamma(n):
    if n == 0:
        prim = _ufunc("psi")
        prim.name = "digamma"
    else:
        prim = _Primitive(f"polygamma{n}",
                          lambda x: _special(x).polygamma(n, x).astype(x.dtype),
                          doc=f"the polygamma function of order {n}")

    def d(x):
        return _polygamma(n + 1)(x)

    _defunary(prim, lambda ans, x: d(x), _raised(d))
    return prim


_polygamma = _primitive_family(_make_polygamma)


digamma_p = _polygamma(0)
_polygamma(1)

# gammaln: gammaln′ = ψ (raised) ------------------------------------------------------------------
gammaln_p = _ufunc("gammaln")
_defunary(gammaln_p, lambda ans, x: digamma_p(x), _raised(digamma_p))

# gamma: Γ′ = Γ·ψ (raised) ----------------------------------------------------------------------
gamma_p = _ufunc("gamma")
_defunary(gamma_p, lambda ans, x: ans * digamma_p(x), _raised(lambda x: gamma_p(x) * digamma_p(x)))

# erfinv: erfinv′ = (√π/2)·exp(erfinv²) (raised) ---------------------------------------------------
erfinv_p = _ufunc("erfinv")


def _d_erfinv(x):
    y = erfinv_p(x)
    return _exp(y * y) * _SQRTPI_2


_defunary(erfinv_p, lambda ans, x: _exp(ans * ans) * _SQRTPI_2, _raised(_d_erfinv))

# erfcx = exp(x²)·erfc(x): erfcx′ = 2x·erfcx − 2/√π (raised) --------------------------------------
erfcx_p = _ufunc("erfcx")


def _d_erfcx(x):
    return x * erfcx_p(x) * 2.0 - _TWO_SQRTPI


_defunary(erfcx_p, lambda ans, x: x * ans * 2.0 - _TWO_SQRTPI, _raised(_d_erfcx))


# log_ndtr = log Φ(x): VJP φ(x)/Φ(x) = exp(−x²/2 − log Φ − log√(2π)); Taylor series of the stable
# composition log(erfcx(−x/√2)/2) − x²/2 for x < 0 and log1p(−erfc(x/√2)/2) for x ≥ 0 --------------
def _log_ndtr_series(x):
    neg = _np.asarray(_getval(x)) < 0
    xn = _where(neg, x, -1.0)
    xpos = _where(neg, 1.0, x)
    left = log(erfcx_p(xn * (-1.0 / _SQRT2)) * 0.5) - xn * xn * 0.5
    right = _log1p(erfc(xpos * (1.0 / _SQRT2)) * -0.5)
    return _where(neg, left, right)


log_ndtr_p = _ufunc("log_ndtr")
_defvjp(log_ndtr_p, lambda g, ans, x: g * _exp(x * x * -0.5 - ans - _LOG_SQRT_2PI))
_defcompose(log_ndtr_p, _log_ndtr_series)


def _doc(name, what, example, value):
    return (f"scipy.special.{name}: {what}.\n\n"
            f"Parameters\n----------\nx : array_like (traced or not)\n    Input.\n\n"
            f"Returns\n-------\narray\n    {name}(x).\n\n"
            f"Examples\n--------\n>>> import taylorad.scipy.special as tss\n"
            f">>> round(float(tss.{name}({example})), 6)\n{value}\n")


def gammaln(x):
    return gammaln_p(_float(x))


def digamma(x):
    return digamma_p(_float(x))


psi = digamma


def gamma(x):
    return gamma_p(_float(x))


def erfinv(x):
    return erfinv_p(_float(x))


def erfcx(x):
    return erfcx_p(_float(x))


def log_ndtr(x):
    return log_ndtr_p(_float(x))


def ndtr(x):
    return erfc(_float(x) * (-1.0 / _SQRT2)) * 0.5


gammaln.__doc__ = _doc("gammaln", "log |Γ(x)|; derivatives ψ⁽ⁿ⁾ of every order", "3.0",
                       round(_math.lgamma(3.0), 6))
digamma.__doc__ = _doc("digamma", "ψ(x) = Γ′(x)/Γ(x) (also ``psi``); derivatives ψ⁽ⁿ⁾", "1.0",
                       -0.577216)
gamma.__doc__ = _doc("gamma", "Γ(x); Γ′ = Γ·ψ", "4.0", 6.0)
erfinv.__doc__ = _doc("erfinv", "the inverse error function on (−1, 1)", "0.5", 0.476936)
erfcx.__doc__ = _doc("erfcx", "the scaled complementary error function exp(x²)·erfc(x)", "1.0",
                     0.427584)
log_ndtr.__doc__ = _doc("log_ndtr", "log Φ(x), stable in both tails", "0.0", -0.693147)
ndtr.__doc__ = _doc("ndtr", "Φ(x), the standard normal distribution function", "0.0", 0.5)


def _float(x):
    if isinstance(x, _Box):
        if _getval(x).dtype.kind == "c":
            raise TypeError("taylorad.scipy.special: complex input is not supported")
        return x
    v = _np.asarray(x)
    return v if v.dtype.kind == "f" else v.astype(_np.float64)


def polygamma(n, x):
    """scipy.special.polygamma: ψ⁽ⁿ⁾(x), the n-th derivative of digamma.

    Parameters
    ----------
    n : int
        Order (a non-negative integer constant).
    x : array_like (traced or not)
        Input.

    Returns
    -------
    array
        ψ⁽ⁿ⁾(x); derivatives of every order are ψ⁽ⁿ⁺ᵏ⁾.

    Examples
    --------
    >>> import taylorad.scipy.special as tss
    >>> round(float(tss.polygamma(1, 1.0)), 6)  # π²/6
    1.644934
    """
    nv = _np.asarray(_getval(n))
    if isinstance(n, _Box) or nv.ndim or nv.dtype.kind not in "iuf" or nv != int(nv) or nv < 0:
        raise ValueError("taylorad.scipy.special.polygamma: n must be a non-negative integer "
                         "constant (one order for all x)")
    return _polygamma(int(nv))(_float(x))


def xlog1py(x, y):
    """scipy.special.xlog1py: x·log1p(y) (the x = 0 special case is not applied when traced).

    Parameters
    ----------
    x, y : array_like (traced or not)
        Inputs.

    Returns
    -------
    array
        x·log(1 + y).

    Examples
    --------
    >>> import taylorad.scipy.special as tss
    >>> round(float(tss.xlog1py(2.0, 0.0)), 6)
    0.0
    """
    return x * _log1p(y)


def betaln(a, b):
    """scipy.special.betaln: log |B(a, b)| = gammaln(a) + gammaln(b) − gammaln(a + b).

    Parameters
    ----------
    a, b : array_like (traced or not)
        Inputs.

    Returns
    -------
    array
        log |B(a, b)|.

    Examples
    --------
    >>> import taylorad.scipy.special as tss
    >>> round(float(tss.betaln(1.0, 1.0)), 6)
    0.0
    """
    a, b = _float(a), _float(b)
    return gammaln(a) + gammaln(b) - gammaln(a + b)
