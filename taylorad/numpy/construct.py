"""Arrays built from Python lists and tuples of traced values: ``tnp.array([a * b, tnp.sin(a)])``.

A (nested) list or tuple that holds traced values becomes one traced array: each level is a
``stack`` of its elements, so the derivative reaches every traced element and constants are
constants. Dtypes follow NumPy 2's promotion with Python numbers as *weak* scalars: a list of
float32 traced values and Python floats is float32 (as ``x + 1.0`` is), not float64.

NumPy's own ``np.array(...)`` / ``np.asarray(...)`` of such a list reaches taylorad only through
NumPy's ``like=`` protocol: ``np.array([a * b, 1.0], like=a)`` with a traced ``a`` dispatches
here. Without ``like=`` NumPy converts each traced element with ``__array__``, which would drop
its derivative — so that stays an error which names the fixes (``tnp.array``, ``np.stack``,
``like=``).
"""
import numbers

import numpy as np

from ..core.trace import Box, getval
from ._util import array_namespace

__all__ = ["array", "asarray"]


def has_traced(x):
    """Whether a (nested) list/tuple holds a traced value."""
    if isinstance(x, Box):
        return True
    if isinstance(x, (list, tuple)):
        return any(has_traced(e) for e in x)
    return False


def _leaves(x, out):
    if isinstance(x, (list, tuple)):
        for e in x:
            _leaves(e, out)
    else:
        out.append(x)
    return out


def _common_dtype(leaves):
    """NumPy 2's result type; Python numbers are weak (they do not upcast arrays)."""
    strong, weak = [], []
    for v in leaves:
        if isinstance(v, Box) or hasattr(v, "dtype"):
            strong.append(np.dtype(getval(v).dtype))
        elif isinstance(v, numbers.Number):
            weak.append(v)
        else:
            raise TypeError(f"taylorad.numpy.array: a {type(v).__name__} among traced values; "
                            f"the elements must be numbers, arrays or traced values")
    return np.result_type(*strong, *weak)


def _xp(leaves):
    return array_namespace(*[getval(v) for v in leaves if isinstance(v, Box) or
                             hasattr(v, "dtype")])


def _build(x, dtype, xp):
    from .shape import astype, stack  # noqa: PLC0415 - shape imports this module lazily too

    if isinstance(x, (list, tuple)):
        if not has_traced(x):
            return xp.asarray(x, dtype=dtype)
        if not x:
            return xp.asarray(x, dtype=dtype)
        return stack([_build(e, dtype, xp) for e in x])
    if isinstance(x, Box):
        return astype(x, dtype)
    return xp.asarray(x, dtype=dtype)


def asarray(x, dtype=None):
    """``numpy.asarray`` that keeps derivatives: traced values pass through (cast to ``dtype``
    if given); lists and tuples holding traced values become one traced array.

    Parameters
    ----------
    x : array_like, traced value, or (nested) list/tuple of them
    dtype : dtype, optional
        Default: NumPy's result type of the elements, Python numbers counting as weak scalars.

    Returns
    -------
    array or traced array

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> f = lambda a: tnp.sum(tnp.array([a * a, 3.0 * a, 1.0]))
    >>> float(ta.grad(f)(np.float64(2.0)))
    7.0
    """
    if isinstance(x, Box):
        if dtype is None:
            return x
        from .shape import astype  # noqa: PLC0415

        return astype(x, dtype)
    if isinstance(x, (list, tuple)) and has_traced(x):
        leaves = _leaves(x, [])
        dt = _common_dtype(leaves) if dtype is None else np.dtype(dtype)
        return _build(x, dt, _xp(leaves))
    return array_namespace(x).asarray(x, dtype=dtype)


def array(x, dtype=None, copy=True):
    """``numpy.array`` that keeps derivatives (see :func:`asarray`); ``copy`` is accepted for
    NumPy's signature (traced values are never modified in place).

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.jacfwd(lambda a: tnp.array([[a[0], 0.0], [a[1], a[0] * a[1]]]))(np.array([1.0, 2.0]))[1]
    array([[0., 1.],
           [2., 1.]])
    """
    if not isinstance(x, Box) and not (isinstance(x, (list, tuple)) and has_traced(x)):
        xp = array_namespace(x)
        return xp.array(x, dtype=dtype, copy=copy) if xp is np else xp.array(x, dtype=dtype)
    return asarray(x, dtype)


_PLAIN = (list, tuple, int, float, complex)  # np.float64 is a float; bool is an int


def operands(arrays):
    """The elements of ``stack``/``concatenate``'s sequence: nested lists holding traced values
    become traced arrays; Python numbers take the traced elements' dtype (weak scalars)."""
    arrays = list(arrays)
    if not any(isinstance(a, _PLAIN) for a in arrays):  # the hot path: arrays and boxes only
        return arrays
    leaves = _leaves(arrays, [])
    if not any(isinstance(v, Box) for v in leaves):  # NumPy's own conversion
        return [np.asarray(a) if isinstance(a, (list, tuple)) else a for a in arrays]
    dt = _common_dtype(leaves)
    xp = _xp(leaves)
    return [asarray(a, dt) if isinstance(a, (list, tuple)) else
            xp.asarray(a, dtype=dt) if isinstance(a, _PLAIN) else a for a in arrays]
