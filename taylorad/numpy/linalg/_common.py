"""Helpers shared by the linear-algebra families: entry checks, transposes, diagonals, and the
warning for derivatives that do not exist (repeated eigen/singular values)."""
import warnings

import numpy as np

from ...core.trace import Box, getval
from .._util import array_namespace, shape_of
from ..shape import expand_dims, getitem, reshape, swapaxes
from ..tensor import diagonal


def _T(x):
    return swapaxes(x, -1, -2)


def _sym(x):
    return (x + _T(x)) * 0.5


def _diag(x):
    """The diagonal of the last two axes, as the last axis."""
    return diagonal(x, 0, -2, -1)


def _expand2(g):
    return reshape(g, shape_of(g) + (1, 1))


def _row(v):
    """(..., n) -> (..., 1, n): scales the columns of a matrix it multiplies."""
    return expand_dims(v, -2)


def _col(v):
    """(..., n) -> (..., n, 1): scales the rows of a matrix it multiplies."""
    return expand_dims(v, -1)


def _eye(n, like):
    v = getval(like)
    return array_namespace(v).eye(n, dtype=v.dtype)


def _check_real(a, fname, what="a"):
    dt = getattr(getval(a), "dtype", None)
    if dt is not None and np.dtype(dt).kind == "c":
        raise TypeError(f"taylorad.numpy.linalg.{fname}: {what} is complex ({dt}); complex "
                        f"inputs are out of scope for taylorad's derivatives — pass a real "
                        f"array (split real and imaginary parts yourself if you need them)")


def _check_square(a, fname, what="a"):
    _check_real(a, fname, what)
    s = shape_of(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise ValueError(f"taylorad.numpy.linalg.{fname}: {what} must be a square matrix (or a "
                         f"stack of them, shape (..., n, n)); got shape {s}")


def _check_matrix(a, fname, what="a"):
    _check_real(a, fname, what)
    s = shape_of(a)
    if len(s) < 2:
        raise ValueError(f"taylorad.numpy.linalg.{fname}: {what} must be a matrix (or a stack "
                         f"of them, shape (..., m, n)); got shape {s}")


def _check_ndim2(x, fname):
    """The number of dimensions of x, after checking that it has the two matrix axes."""
    nd = len(shape_of(x))
    if nd < 2:
        raise ValueError(f"taylorad.numpy.linalg.{fname}: x must have at least 2 dimensions; "
                         f"got shape {shape_of(x)}")
    return nd


def _concrete(x):
    """The NumPy/CuPy value of x, or None while taylorad.jit records (no value yet)."""
    v = getval(x)
    return None if isinstance(v, Box) else v


def _is_zero(g):
    """True when the cotangent g is a concrete all-zero array (a part of a packed output
    nobody used): its term is skipped, so that an unused eigenvector never turns a finite
    eigenvalue gradient into 0·inf = nan."""
    if isinstance(g, Box):
        return False
    return not bool(array_namespace(g).any(g))


def _gap_inverse(w, fname, what):
    """F with F_ij = 1/(w_j − w_i) off the diagonal and 0 on it (JAX's and autograd's
    construction 1/(w_j − w_i + δ_ij) − δ_ij). Where two values coincide (to working precision)
    the derivative does not exist; F holds inf there, as in JAX and autograd, and a
    RuntimeWarning says so instead of a silent nan."""
    n = shape_of(w)[-1]
    eye = _eye(n, w)
    gaps = _row(w) - _col(w)
    v = _concrete(gaps)
    if v is not None and n > 1:
        xp = array_namespace(v)
        scale = float(xp.max(xp.abs(getval(w)))) if v.size else 0.0
        tol = 64 * n * np.finfo(v.dtype).eps * max(scale, np.finfo(v.dtype).tiny)
        off = xp.where(xp.eye(n, dtype=bool), xp.inf, xp.abs(v))
        if bool(xp.any(off <= tol)):
            warnings.warn(
                f"taylorad.numpy.linalg.{fname}: repeated {what} — the derivative of the "
                f"corresponding vectors (and of the values beyond first order) does not exist; "
                f"the result holds inf/nan, as JAX's and autograd's do. Perturb the input or "
                f"differentiate a quantity that is invariant within the repeated subspace",
                RuntimeWarning, stacklevel=4)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 / (gaps + eye) - eye


def _warn_small(s, fname, what):
    v = _concrete(s)
    if v is None or v.size == 0:
        return
    xp = array_namespace(v)
    scale = float(xp.max(xp.abs(v)))
    if float(xp.min(xp.abs(v))) <= 64 * v.shape[-1] * np.finfo(v.dtype).eps * scale:
        warnings.warn(f"taylorad.numpy.linalg.{fname}: {what} is (numerically) zero — the "
                      f"derivative does not exist there; the result holds inf/nan",
                      RuntimeWarning, stacklevel=4)


def _acc(acc, term):
    """acc + term with None as zero."""
    if term is None:
        return acc
    return term if acc is None else acc + term


def _rows(x, lo, hi=None):
    """Rows lo:hi of the last-but-one axis (a part of a packed output)."""
    return getitem(x, (Ellipsis, slice(lo, hi), slice(None)))


def _one_row(x, i):
    """Row i of the last-but-one axis, as a (..., n) array."""
    return getitem(x, (Ellipsis, i, slice(None)))


def _diag_matrix(v, n, like):
    """diag(v) over the last axis (a (..., n, n) array)."""
    return _col(v) * _eye(n, like)
