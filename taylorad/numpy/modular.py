"""The ``%`` / ``//`` family: remainder (mod), fmod, floor_divide, divmod.

Piecewise functions take the derivative of the active piece. On the piece where the integer
quotient q is constant,

    remainder(x, y) = x − q·y,  q = floor(x / y)   (NumPy's ``%``, sign of y)
    fmod(x, y)      = x − q·y,  q = trunc(x / y)   (C's fmod, sign of x)

so both are *linear* in (x, y) there: ∂/∂x = 1, ∂/∂y = −q, and the Taylor rule of every order is
the same linear map of the coefficients, y_k = x_k − q·y_k (exact; no truncation). At the jumps
(x/y an integer) the derivative is that of the piece NumPy's result lies on. ``floor_divide``
(``//``) is piecewise constant: zero derivative, outputs never carry one.

q is taken from the same NumPy call as the value (``np.floor_divide`` is computed by the same
``divmod`` as ``np.remainder``; fmod's quotient is ``(x − fmod(x, y)) / y`` rounded), so the
derivative always belongs to the piece of the returned value.
"""
from ..core.rules import deftaylor, defnondiff, defvjp
from ..core.trace import Primitive, getval
from ._util import array_namespace, shape_of
from .shape import unbroadcast

__all__ = ["remainder", "mod", "fmod", "floor_divide", "divmod"]


# floor_divide: piecewise constant, never differentiated ----------------------------------------
floor_divide = Primitive("floor_divide", lambda a, b: array_namespace(a, b).floor_divide(a, b))
defnondiff(floor_divide)

# fmod's integer quotient trunc(x / y), consistent with fmod's value
_fmod_quotient = Primitive(
    "fmod_quotient",
    lambda a, b: array_namespace(a, b).round((a - array_namespace(a, b).fmod(a, b)) / b))
defnondiff(_fmod_quotient)


def _linear_piece(name, impl, quotient, doc):
    """A primitive that is x − q·y with q = quotient(x, y) constant on each piece."""
    prim = Primitive(name, impl, doc=doc)

    def q_of(a, b):
        return quotient(getval(a), getval(b))  # a constant (nondiff primitive)

    # y_k = x_k − q·y_k for every k ≥ 1 (linear on the active piece)
    def taylor(tr, ans, primals, series):
        nd = len(shape_of(ans))
        Sa, Sb = (None if S is None else tr.align(S, nd) for S in series)
        if Sb is None:
            return Sa
        mq = -q_of(*primals)
        return Sb * mq if Sa is None else Sa + Sb * mq

    deftaylor(prim, taylor)
    defvjp(prim, lambda g, ans, a, b: unbroadcast(g, shape_of(a)),
           lambda g, ans, a, b: unbroadcast(g * -q_of(a, b), shape_of(b)))
    return prim


remainder = _linear_piece(
    "remainder", lambda a, b: array_namespace(a, b).remainder(a, b), floor_divide,
    """Elementwise remainder of division, with the sign of the divisor (NumPy's ``%``).

    Derivative of the active piece: d/dx = 1, d/dy = -floor(x / y); exact at every order.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> float(ta.grad(lambda y: tnp.remainder(7.0, y))(np.float64(2.0)))
    -3.0
    """)
mod = remainder
fmod = _linear_piece(
    "fmod", lambda a, b: array_namespace(a, b).fmod(a, b), _fmod_quotient,
    """Elementwise C remainder, with the sign of the dividend (``np.fmod``).

    Derivative of the active piece: d/dx = 1, d/dy = -trunc(x / y); exact at every order.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> float(ta.grad(lambda y: tnp.fmod(-7.0, y))(np.float64(2.0)))
    3.0
    """)


def divmod(a, b):  # noqa: A001 - NumPy's name
    """``(floor_divide(a, b), remainder(a, b))``, as Python's ``divmod`` and ``np.divmod``.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.divmod(np.array([7.0, -7.0]), 2.0)
    (array([ 3., -4.]), array([1., 1.]))
    """
    return floor_divide(a, b), remainder(a, b)
