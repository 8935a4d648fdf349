"""taylorad.numpy.linalg, products: matrix_power (binary powering), multi_dot, and the array-API
spellings matmul, tensordot, vecdot, matrix_transpose, outer, cross, trace, diagonal —
compositions of taylorad.numpy primitives that act on the last axes (the matrix or vector axes),
as numpy.linalg's versions do."""
import numpy as np

from .._util import normalize_axis, shape_of
from .. import products as _products
from .. import tensor as _tensor
from ..shape import broadcast_to, getitem, moveaxis, stack, sum
from ._common import _T, _check_ndim2, _check_real, _check_square, _eye
from .solvers import inv

__all__ = ["matrix_power", "multi_dot", "matmul", "tensordot", "vecdot", "matrix_transpose", "outer", "cross", "trace",
           "diagonal"]


def matmul(x1, x2, /):
    """numpy.linalg.matmul (numpy.matmul).

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy import linalg
    >>> linalg.matmul(np.eye(2), np.array([1.0, 2.0]))
    array([1., 2.])
    """
    return _products.matmul(x1, x2)


def tensordot(x1, x2, /, *, axes=2):
    """numpy.linalg.tensordot (numpy.tensordot).

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy import linalg
    >>> float(linalg.tensordot(np.ones((2, 2)), np.ones((2, 2))))
    4.0
    """
    return _tensor.tensordot(x1, x2, axes)


def vecdot(x1, x2, /, *, axis=-1):
    """numpy.linalg.vecdot for real input: Σ x1·x2 over ``axis`` (broadcasting the others).

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy import linalg
    >>> linalg.vecdot(np.array([[1.0, 2.0]]), np.array([3.0, 4.0]))
    array([11.])
    """
    _check_real(x1, "vecdot", "x1")
    _check_real(x2, "vecdot", "x2")
    return sum(x1 * x2, axis=axis)


def matrix_transpose(x, /):
    """numpy.linalg.matrix_transpose: swap the last two axes.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy import linalg
    >>> linalg.matrix_transpose(np.arange(2.0)[None]).shape
    (2, 1)
    """
    _check_ndim2(x, "matrix_transpose")
    return _T(x)


def outer(x1, x2, /):
    """numpy.linalg.outer: the outer product of two 1-D arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy import linalg
    >>> linalg.outer(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
    array([[1., 3.],
           [2., 6.]])
    """
    if len(shape_of(x1)) != 1 or len(shape_of(x2)) != 1:
        raise ValueError(f"taylorad.numpy.linalg.outer: x1 and x2 must be 1-D; got shapes "
                         f"{shape_of(x1)} and {shape_of(x2)} (numpy.outer flattens instead)")
    return _tensor.outer(x1, x2)


def cross(x1, x2, /, *, axis=-1):
    """numpy.linalg.cross: the cross product of 3-vectors along ``axis`` (broadcasting).

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy import linalg
    >>> linalg.cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    array([0., 0., 1.])
    """
    _check_real(x1, "cross", "x1")
    _check_real(x2, "cross", "x2")
    s1, s2 = shape_of(x1), shape_of(x2)
    if not s1 or not s2 or s1[axis] != 3 or s2[axis] != 3:
        raise ValueError(f"taylorad.numpy.linalg.cross: x1 and x2 must have 3 entries along "
                         f"axis {axis}; got shapes {s1} and {s2}")
    a = moveaxis(x1, axis, -1)
    b = moveaxis(x2, axis, -1)

    def c(v, i):
        return getitem(v, (Ellipsis, i))

    out = stack([c(a, 1) * c(b, 2) - c(a, 2) * c(b, 1),
                 c(a, 2) * c(b, 0) - c(a, 0) * c(b, 2),
                 c(a, 0) * c(b, 1) - c(a, 1) * c(b, 0)], axis=-1)
    nd = len(shape_of(out))
    ax = normalize_axis(axis, max(len(s1), len(s2)), "linalg.cross")[0] - \
        (max(len(s1), len(s2)) - nd)
    return moveaxis(out, -1, ax) if ax != nd - 1 else out


def trace(x, /, *, offset=0, dtype=None):
    """numpy.linalg.trace: the sum of the ``offset`` diagonal of the last two axes.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy import linalg
    >>> float(linalg.trace(np.diag([1.0, 2.0])))
    3.0
    """
    out = sum(diagonal(x, offset=offset), axis=-1)
    if dtype is not None:
        from ..shape import astype  # noqa: PLC0415

        out = astype(out, dtype)
    return out


def diagonal(x, /, *, offset=0):
    """numpy.linalg.diagonal: the ``offset`` diagonal of the last two axes.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy import linalg
    >>> linalg.diagonal(np.diag([1.0, 2.0]))
    array([1., 2.])
    """
    _check_ndim2(x, "diagonal")
    return _tensor.diagonal(x, offset, -2, -1)


def matrix_power(a, n):
    """numpy.linalg.matrix_power: a raised to the integer power n (n < 0: of inv(a)).

    A composition of ``matmul`` (binary powering) and, for n < 0, ``inv``.

    Parameters
    ----------
    a : array_like, shape (..., m, m)
    n : int

    Returns
    -------
    array, shape (..., m, m)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import matrix_power
    >>> matrix_power(np.array([[1.0, 1.0], [0.0, 1.0]]), 3)
    array([[1., 3.],
           [0., 1.]])
    """
    _check_square(a, "matrix_power")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"taylorad.numpy.linalg.matrix_power: n must be an integer; got "
                        f"{type(n).__name__} — pass int(n)")
    n = int(n)
    if n == 0:
        return broadcast_to(_eye(shape_of(a)[-1], a), shape_of(a))  # a constant: d(a⁰)/da = 0
    if n < 0:
        a, n = inv(a), -n
    result = None
    base = a
    while n:
        if n & 1:
            result = base if result is None else _products.matmul(result, base)
        n >>= 1
        if n:
            base = _products.matmul(base, base)
    return result


def multi_dot(arrays):
    """numpy.linalg.multi_dot: the product of two or more matrices, left to right.

    The first array may be 1-D (a row vector) and the last 1-D (a column vector), as in NumPy.
    The product order is left to right (NumPy picks the cheapest order; the values agree to
    rounding).

    Parameters
    ----------
    arrays : sequence of array_like

    Returns
    -------
    array

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import multi_dot
    >>> float(multi_dot([np.ones(2), np.eye(2), np.array([1.0, 2.0])]))
    3.0
    """
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("taylorad.numpy.linalg.multi_dot: expecting at least two arrays")
    for i, x in enumerate(arrays):
        nd = len(shape_of(x))
        if nd != 2 and not (nd == 1 and i in (0, len(arrays) - 1)):
            raise ValueError(f"taylorad.numpy.linalg.multi_dot: array {i} has {nd} dimensions; "
                             f"all must be 2-D (the first and last may be 1-D)")
    out = arrays[0]
    for x in arrays[1:]:
        out = _products.matmul(out, x)
    return out
