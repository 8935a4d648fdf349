"""More real elementwise functions: degrees/radians (deg2rad/rad2deg), sinc, i0, logaddexp2,
fabs, copysign, heaviside, nan_to_num, fmax/fmin, float_power, ldexp, frexp, modf, nextafter,
conj/conjugate/real/imag/real_if_close/angle on real input, and NumPy 2's short names (acos, …).

Compositions of primitives, except ``i0`` (a family of primitives I_n whose rules are
I_n′ = (I_{n−1} + I_{n+1}) / 2, raised to every order). ``sinc`` is sin(πx)/(πx) away from 0 and
its Taylor polynomial in (πx)² (15 terms, exact to double precision for |πx| < 1) near 0, so its
derivatives of every order exist at 0 with no division by zero.

Complex input is out of scope: the functions that would accept it raise a TypeError.
"""
import math

import numpy as np

from ..core.rules import defunary, primitive_family, raised
from ..core.trace import Box, Primitive, getval
from ._util import array_namespace, shape_of
from ._util import as_array as _arr
from .arith import absolute, maximum, minimum, power
from .elementwise import (arccos, arccosh, arcsin, arcsinh, arctan, arctan2, logaddexp,
                          _special)
from .shape import astype, where
from .transcendental import arctanh, sin

__all__ = ["degrees", "radians", "deg2rad", "rad2deg", "sinc", "i0", "logaddexp2", "fabs",
           "copysign", "heaviside", "nan_to_num", "fmax", "fmin", "float_power", "ldexp",
           "frexp", "modf", "nextafter", "conj", "conjugate", "real", "imag", "real_if_close",
           "angle", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "pow"]

acos, acosh, asin, asinh, atan, atan2, atanh = (arccos, arccosh, arcsin, arcsinh, arctan,
                                                arctan2, arctanh)
pow = power  # noqa: A001 - numpy's name
fabs = absolute
_LN2 = math.log(2.0)


def _real(x, fname):
    x = _arr(x)
    if getval(x).dtype.kind == "c":
        raise TypeError(f"taylorad.numpy.{fname}: complex input is not supported (taylorad "
                        f"differentiates real functions) — split into real and imaginary parts")
    return x


def _float(x, fname):
    x = _real(x, fname)
    return x if getval(x).dtype.kind == "f" else astype(x, np.float64)


def degrees(x):
    """numpy.degrees: x·180/π.

    Parameters
    ----------
    x : array_like (traced or not)
        Angles in radians.

    Returns
    -------
    array
        Angles in degrees.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.degrees(np.pi))
    180.0
    """
    return _float(x, "degrees") * (180.0 / math.pi)


def radians(x):
    """numpy.radians: x·π/180.

    Parameters
    ----------
    x : array_like (traced or not)
        Angles in degrees.

    Returns
    -------
    array
        Angles in radians.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> round(float(tnp.radians(180.0)), 6)
    3.141593
    """
    return _float(x, "radians") * (math.pi / 180.0)


deg2rad = radians
rad2deg = degrees

# sinc -------------------------------------------------------------------------------------------
_SINC = [(-1.0) ** n / math.factorial(2 * n + 1) for n in range(15)]


def sinc(x):
    """numpy.sinc: sin(πx)/(πx), 1 at 0; derivatives of every order, also at 0.

    Parameters
    ----------
    x : array_like (traced or not)
        Input.

    Returns
    -------
    array
        The normalized sinc function.

    Examples
    --------
    >>> import taylorad as ta, taylorad.numpy as tnp
    >>> round(float(ta.grad(ta.grad(tnp.sinc))(0.0)), 12)  # -π²/3
    -3.289868133696
    """
    x = _float(x, "sinc")
    xv = getval(x)
    if not isinstance(x, Box):
        return np.sinc(xv)
    u = x * math.pi
    small = np.abs(np.asarray(xv) * math.pi) < 1.0
    us = where(small, u, 0.0)
    ub = where(small, 1.0, u)
    w = us * us
    p = _SINC[-1]
    for c in reversed(_SINC[:-1]):
        p = p * w + c
    return where(small, p, sin(ub) / ub)


# i0: I_n′ = (I_{n−1} + I_{n+1}) / 2, I_{−1} = I_1 ------------------------------------------------
def _make_bessel_i(n):
    prim = Primitive(f"bessel_i{n}", lambda x: _special(x).iv(n, x),
                     doc=f"modified Bessel function of the first kind I_{n}")

    def d(x):
        return (_bessel_i(n - 1)(x) + _bessel_i(n + 1)(x)) * 0.5

    defunary(prim, lambda ans, x: d(x), raised(d))
    return prim


_bessel_i_family = primitive_family(_make_bessel_i)


def _bessel_i(n):
    return _bessel_i_family(abs(n))


def i0(x):
    """numpy.i0: the modified Bessel function I₀ (derivatives from I_n′ = (I_{n−1} + I_{n+1})/2).

    Parameters
    ----------
    x : array_like (traced or not)
        Input (real).

    Returns
    -------
    array
        I₀(x).

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.i0(0.0))
    1.0
    """
    x = _float(x, "i0")
    if not isinstance(x, Box):
        return np.i0(x)
    return _bessel_i(0)(x)


_bessel_i(0)  # the first members exist at import (the registry test sees them)
_bessel_i(1)


def logaddexp2(x1, x2):
    """numpy.logaddexp2: log₂(2^x1 + 2^x2).

    Parameters
    ----------
    x1, x2 : array_like (traced or not)
        Inputs.

    Returns
    -------
    array
        log₂(2^x1 + 2^x2), computed stably.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.logaddexp2(1.0, 1.0))
    2.0
    """
    x1, x2 = _float(x1, "logaddexp2"), _float(x2, "logaddexp2")
    return logaddexp(x1 * _LN2, x2 * _LN2) * (1.0 / _LN2)


def copysign(x1, x2):
    """numpy.copysign: |x1| with the sign of x2 (derivative w.r.t. x2 is zero).

    Parameters
    ----------
    x1, x2 : array_like (traced or not)
        Magnitudes and signs.

    Returns
    -------
    array
        The result.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.copysign(2.0, -1.0))
    -2.0
    """
    x1 = _float(x1, "copysign")
    if not isinstance(x1, Box):
        return np.copysign(x1, getval(x2))
    flip = np.signbit(np.asarray(getval(x1))) != np.signbit(np.asarray(getval(x2)))
    return where(flip, -x1, x1)


def heaviside(x1, x2):
    """numpy.heaviside: 0 for x1 < 0, x2 at x1 == 0, 1 for x1 > 0 (derivative in x1 is zero).

    Parameters
    ----------
    x1 : array_like
        Input.
    x2 : array_like (traced or not)
        The value at 0.

    Returns
    -------
    array
        The step function.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.heaviside(0.0, 0.5))
    0.5
    """
    v1 = np.asarray(getval(x1))
    if not isinstance(x2, Box):
        return np.heaviside(v1, getval(x2))
    step = np.heaviside(v1, 0.0)
    return where(v1 == 0, x2, step.astype(getval(x2).dtype))


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """numpy.nan_to_num: NaN and ±inf replaced by constants (derivative 1 elsewhere).

    Parameters
    ----------
    x : array_like (traced or not)
        Input (real).
    nan, posinf, neginf : float, optional
        Replacements (default 0 and the largest finite magnitudes).

    Returns
    -------
    array
        The cleaned array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.nan_to_num(np.array([np.nan, 1.0])).tolist()
    [0.0, 1.0]
    """
    x = _real(x, "nan_to_num")
    v = np.asarray(getval(x))
    if not isinstance(x, Box) or v.dtype.kind != "f":
        return np.nan_to_num(v, copy=copy, nan=nan, posinf=posinf, neginf=neginf)
    fin = np.finfo(v.dtype)
    out = where(np.isnan(v), nan, x)
    out = where(np.isposinf(v), fin.max if posinf is None else posinf, out)
    out = where(np.isneginf(v), fin.min if neginf is None else neginf, out)
    return astype(out, v.dtype)


def fmax(x1, x2):
    """numpy.fmax: the maximum, ignoring a NaN operand (ties share the derivative).

    Parameters
    ----------
    x1, x2 : array_like (traced or not)
        Inputs.

    Returns
    -------
    array
        The elementwise maximum.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.fmax(np.nan, 1.0))
    1.0
    """
    return _fext(x1, x2, maximum, np.fmax)


def fmin(x1, x2):
    """numpy.fmin: the minimum, ignoring a NaN operand (ties share the derivative).

    Parameters
    ----------
    x1, x2 : array_like (traced or not)
        Inputs.

    Returns
    -------
    array
        The elementwise minimum.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.fmin(np.nan, 1.0))
    1.0
    """
    return _fext(x1, x2, minimum, np.fmin)


def _fext(x1, x2, op, np_op):
    if not isinstance(x1, Box) and not isinstance(x2, Box):
        return np_op(x1, x2)
    n1, n2 = np.isnan(np.asarray(getval(x1))), np.isnan(np.asarray(getval(x2)))
    a = where(n1, x2, x1) if n1.any() else x1
    b = where(n2, x1, x2) if n2.any() else x2
    return op(a, b)


def float_power(x1, x2):
    """numpy.float_power: x1**x2 in float64.

    Parameters
    ----------
    x1, x2 : array_like (traced or not)
        Base and exponent.

    Returns
    -------
    array
        float64 power.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.float_power(2, 3))
    8.0
    """
    return power(astype(_real(x1, "float_power"), np.float64),
                 astype(_real(x2, "float_power"), np.float64))


def ldexp(x1, x2):
    """numpy.ldexp: x1·2**x2 (x2 integer constants).

    Parameters
    ----------
    x1 : array_like (traced or not)
        Mantissas.
    x2 : array_like of int
        Exponents.

    Returns
    -------
    array
        x1·2**x2.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.ldexp(1.5, 2))
    6.0
    """
    x1 = _float(x1, "ldexp")
    e = np.asarray(getval(x2))
    if e.dtype.kind not in "iub":
        raise TypeError("taylorad.numpy.ldexp: the exponents x2 must be integers")
    dt = getval(x1).dtype
    return x1 * np.ldexp(np.ones((), dtype=dt), e)


def frexp(x):
    """numpy.frexp: (mantissa, exponent); the mantissa is x·2**−e (derivative 2**−e).

    Parameters
    ----------
    x : array_like (traced or not)
        Input.

    Returns
    -------
    (array, int array)
        Mantissa and exponent.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> [float(v) for v in tnp.frexp(8.0)]
    [0.5, 4.0]
    """
    x = _float(x, "frexp")
    m, e = np.frexp(np.asarray(getval(x)))
    if not isinstance(x, Box):
        return m, e
    dt = getval(x).dtype
    return x * np.ldexp(np.ones((), dtype=dt), -e), e


def modf(x):
    """numpy.modf: (fractional part, integral part); the fractional part has derivative 1.

    Parameters
    ----------
    x : array_like (traced or not)
        Input.

    Returns
    -------
    (array, array)
        x − trunc(x) and trunc(x) (a constant).

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> [float(v) for v in tnp.modf(2.5)]
    [0.5, 2.0]
    """
    x = _float(x, "modf")
    if not isinstance(x, Box):
        return np.modf(x)
    whole = np.trunc(np.asarray(getval(x)))
    return x - whole, whole


def nextafter(x1, x2):
    """numpy.nextafter: x1 plus a piecewise-constant step (derivative 1 in x1, 0 in x2).

    Parameters
    ----------
    x1 : array_like (traced or not)
        Start.
    x2 : array_like
        Direction.

    Returns
    -------
    array
        The next representable value.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.nextafter(1.0, 2.0)) > 1.0
    True
    """
    x1 = _float(x1, "nextafter")
    v1 = np.asarray(getval(x1))
    nxt = np.nextafter(v1, getval(x2))
    if not isinstance(x1, Box):
        return nxt
    step = nxt - v1  # x1 + step carries x1's derivative; at ±inf the step is nan: take nxt
    return where(np.isfinite(step), x1 + np.where(np.isfinite(step), step, 0.0), nxt)


def real(val):
    """numpy.real of real input: the input itself.

    Parameters
    ----------
    val : array_like (traced or not)
        Real input (complex raises TypeError).

    Returns
    -------
    array
        ``val``.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.real(2.0))
    2.0
    """
    return _real(val, "real")


def imag(val):
    """numpy.imag of real input: zeros (a constant).

    Parameters
    ----------
    val : array_like (traced or not)
        Real input (complex raises TypeError).

    Returns
    -------
    array
        Zeros shaped like ``val``.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.imag(2.0))
    0.0
    """
    v = getval(_real(val, "imag"))
    return array_namespace(v).zeros(shape_of(v), dtype=v.dtype)


def conj(x):
    """numpy.conj (conjugate) of real input: the input itself.

    Parameters
    ----------
    x : array_like (traced or not)
        Real input (complex raises TypeError).

    Returns
    -------
    array
        ``x``.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.conj(2.0))
    2.0
    """
    return _real(x, "conj")


conjugate = conj


def real_if_close(a, tol=100):
    """numpy.real_if_close of real input: the input itself.

    Parameters
    ----------
    a : array_like (traced or not)
        Real input (complex raises TypeError).
    tol : float, optional
        Unused for real input.

    Returns
    -------
    array
        ``a``.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.real_if_close(2.0))
    2.0
    """
    return _real(a, "real_if_close")


def angle(z, deg=False):
    """numpy.angle of real input: 0 or π (piecewise constant: a constant, zero derivative).

    Parameters
    ----------
    z : array_like (traced or not)
        Real input (complex raises TypeError).
    deg : bool, optional
        Degrees instead of radians.

    Returns
    -------
    array
        The angle (not traced).

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.angle(-1.0))
    3.141592653589793
    """
    return np.angle(np.asarray(getval(_real(z, "angle"))), deg)
