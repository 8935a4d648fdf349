"""taylorad.numpy.linalg, norms: norm, vector_norm, matrix_norm, cond — compositions.

Vector p-norms and the Frobenius norm are sums and powers; the induced 1/inf norms are maxima
of absolute column/row sums (the derivative of the active piece); the spectral norms (ord 2/−2)
and the nuclear norm are the largest/smallest/sum of :func:`svdvals`. Every norm is
non-differentiable where it has a kink (the 2-norm at 0, a max over tied entries, repeated
extreme singular values), as in NumPy's mathematics.
"""
import numpy as np

from ...core.trace import getval
from .._util import normalize_axis, shape_of
from ..arith import absolute, power, sqrt
from ..reductions import amax, amin
from ..shape import moveaxis, ravel, reshape, sum
from ._common import _check_ndim2, _check_real
from .singular import svdvals_p
from .solvers import inv

__all__ = ["norm", "vector_norm", "matrix_norm", "cond"]


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - numpy's name
    """numpy.linalg.norm: vector norms (ord None/2, 1, inf, -inf, 0, any p) and matrix norms
    (ord None/'fro', 'nuc', 1, -1, 2, -2, inf, -inf), over ``axis`` (an int or a pair).

    The 2-norm is not differentiable at 0 (nan there); the spectral norms (2/−2) need a
    simple extreme singular value beyond first order.

    Parameters
    ----------
    x : array_like
    ord : {None, 'fro', 'nuc', inf, -inf, int, float}
    axis : int or pair of ints, optional
    keepdims : bool

    Returns
    -------
    array

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import norm
    >>> float(norm(np.array([[3.0, 0.0], [0.0, 4.0]]), 'nuc'))
    7.0
    """
    _check_real(x, "norm", "x")
    nd = len(shape_of(x))
    if axis is None:
        if ord is None or (ord == "fro" and nd == 2) or (ord == 2 and nd == 1):
            out = sqrt(sum(x * x))  # the 2-norm of the flattened array
            return reshape(out, (1,) * nd) if keepdims else out
        if nd not in (1, 2):
            raise ValueError(f"taylorad.numpy.linalg.norm: ord={ord!r} needs a 1-D or 2-D array "
                             f"or an explicit axis")
        axis = tuple(range(nd))
    axes = normalize_axis(axis, nd, "linalg.norm")
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims)
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError("taylorad.numpy.linalg.norm: axis must be an int or a pair of distinct "
                         "ints")
    return _matrix_norm(x, ord, axes, keepdims)


def _vector_norm(x, ord, axes, keepdims):
    if ord is None or ord == 2:
        return sqrt(sum(x * x, axis=axes, keepdims=keepdims))
    if ord == np.inf:
        return amax(absolute(x), axis=axes, keepdims=keepdims)
    if ord == -np.inf:
        return amin(absolute(x), axis=axes, keepdims=keepdims)
    if ord == 0:
        v = getval(x)
        return (v != 0).sum(axis=axes, keepdims=keepdims).astype(v.dtype)
    if ord == 1:
        return sum(absolute(x), axis=axes, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"taylorad.numpy.linalg.norm: invalid norm order {ord!r} for vectors")
    return power(sum(power(absolute(x), float(ord)), axis=axes, keepdims=keepdims), 1.0 / ord)


def _kept(out, shape, axes, keepdims):
    """Reshape a reduction over ``axes`` (taken without keepdims) to NumPy's output shape."""
    if keepdims:
        return reshape(out, tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return out


def _matrix_norm(x, ord, axes, keepdims):
    r, c = axes
    shape = shape_of(x)
    if ord is None or ord == "fro":
        return sqrt(sum(x * x, axis=axes, keepdims=keepdims))
    if ord in (1, -1, np.inf, -np.inf):
        inner, outer = (r, c) if ord in (1, -1) else (c, r)
        s = sum(absolute(x), axis=inner, keepdims=True)
        red = amax if ord in (1, np.inf) else amin
        out = red(s, axis=outer, keepdims=True)
        if not keepdims:
            out = reshape(out, tuple(n for i, n in enumerate(shape) if i not in axes))
        return out
    if ord in (2, -2, "nuc"):
        s = svdvals_p(moveaxis(x, (r, c), (-2, -1)))
        out = amax(s, axis=-1) if ord == 2 else amin(s, axis=-1) if ord == -2 else sum(s, axis=-1)
        return _kept(out, shape, axes, keepdims)
    raise ValueError(f"taylorad.numpy.linalg.norm: invalid norm order {ord!r} for matrices "
                     f"(use None/'fro', 'nuc', 1, -1, 2, -2, inf or -inf)")


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):  # noqa: A002
    """numpy.linalg.vector_norm: the ord-norm of x as a vector over ``axis`` (None: all axes;
    a tuple: those axes together).

    Parameters
    ----------
    x : array_like
    axis : None, int or tuple of ints
    keepdims : bool
    ord : {2, 1, inf, -inf, 0, float}

    Returns
    -------
    array

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import vector_norm
    >>> float(vector_norm(np.array([[3.0], [4.0]])))
    5.0
    """
    _check_real(x, "vector_norm", "x")
    shape = shape_of(x)
    nd = len(shape)
    axes = tuple(range(nd)) if axis is None else normalize_axis(axis, nd, "linalg.vector_norm")
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims)
    rest = [i for i in range(nd) if i not in axes]
    moved = moveaxis(x, axes, tuple(range(nd - len(axes), nd))) if rest else x
    flat = reshape(moved, tuple(shape[i] for i in rest) + (-1,)) if rest else ravel(x)
    out = _vector_norm(flat, ord, (len(rest),), False)
    return _kept(out, shape, axes, keepdims)


def matrix_norm(x, /, *, keepdims=False, ord="fro"):  # noqa: A002
    """numpy.linalg.matrix_norm: the ord-norm of each matrix in the last two axes.

    Parameters
    ----------
    x : array_like, shape (..., m, n)
    keepdims : bool
    ord : {'fro', 'nuc', 1, -1, 2, -2, inf, -inf}

    Returns
    -------
    array, shape (...)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import matrix_norm
    >>> float(matrix_norm(np.diag([3.0, 4.0]), ord=2))
    4.0
    """
    _check_real(x, "matrix_norm", "x")
    nd = _check_ndim2(x, "matrix_norm")
    return _matrix_norm(x, ord, (nd - 2, nd - 1), keepdims)


def cond(x, p=None):
    """numpy.linalg.cond: the condition number; p None/2: s_max/s_min, −2: s_min/s_max, others:
    norm(x, p)·norm(inv(x), p).

    Parameters
    ----------
    x : array_like, shape (..., m, n)
    p : {None, 1, -1, 2, -2, inf, -inf, 'fro', 'nuc'}

    Returns
    -------
    array, shape (...)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import cond
    >>> float(cond(np.diag([1.0, 4.0])))
    4.0
    """
    _check_real(x, "cond", "x")
    nd = len(shape_of(x))
    if nd < 2:
        raise ValueError(f"taylorad.numpy.linalg.cond: x must be a matrix (or a stack of them); "
                         f"got shape {shape_of(x)}")
    if p is None or p in (2, -2):
        s = svdvals_p(x)
        hi, lo = amax(s, axis=-1), amin(s, axis=-1)
        return lo / hi if p == -2 else hi / lo
    axes = (nd - 2, nd - 1)
    return _matrix_norm(x, p, axes, False) * _matrix_norm(inv(x), p, axes, False)
