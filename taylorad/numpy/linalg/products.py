"""taylorad.numpy.linalg, the array-API spellings: matmul, tensordot, vecdot, matrix_transpose,
outer, cross, trace, diagonal — compositions of taylorad.numpy primitives that act on the last
axes (the matrix or vector axes), as numpy.linalg's versions do."""
from .._util import normalize_axis, shape_of
from .. import products as _products
from .. import tensor as _tensor
from ..shape import getitem, moveaxis, stack, sum
from ._common import _T, _check_real

__all__ = ["matmul", "tensordot", "vecdot", "matrix_transpose", "outer", "cross", "trace",
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
    if len(shape_of(x)) < 2:
        raise ValueError(f"taylorad.numpy.linalg.matrix_transpose: x must have at least 2 "
                         f"dimensions; got shape {shape_of(x)}")
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
    if len(shape_of(x)) < 2:
        raise ValueError(f"taylorad.numpy.linalg.diagonal: x must have at least 2 dimensions; "
                         f"got shape {shape_of(x)}")
    return _tensor.diagonal(x, offset, -2, -1)
