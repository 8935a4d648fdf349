"""taylorad.scipy.linalg: solve_triangular, cho_factor, cho_solve, cholesky, solve, inv, det.

Each is a taylorad primitive or a composition of primitives (VJP rule and Taylor rule of any
order), with SciPy's signatures and defaults (``cholesky`` returns the UPPER factor unless
``lower=True``, as SciPy does). Matrices are the last two axes.
"""
from ..numpy.linalg import solvers as _s
from ..numpy.linalg._common import _T, _check_square

__all__ = ["solve_triangular", "cho_factor", "cho_solve", "cholesky", "solve", "inv", "det"]


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """scipy.linalg.solve_triangular: x with op(a)·x = b for triangular ``a``.

    Only the triangle of ``a`` that SciPy reads enters the result (and its derivatives).
    ``overwrite_b`` and ``check_finite`` are accepted and ignored.

    Parameters
    ----------
    a : array_like, shape (..., n, n)
    b : array_like, shape (n,) or (..., n, k)
    trans : {0, 1, 2, 'N', 'T', 'C'}
    lower : bool
    unit_diagonal : bool

    Returns
    -------
    x : array

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.scipy.linalg import solve_triangular
    >>> solve_triangular(np.array([[2.0, 0.0], [1.0, 1.0]]), np.array([2.0, 3.0]), lower=True)
    array([1., 2.])
    """
    return _s.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """scipy.linalg.cholesky: the upper factor U with a = UᵀU (``lower=True``: L with a = LLᵀ).

    Tangents of ``a`` are taken as symmetric, as in taylorad.numpy.linalg.cholesky.

    Parameters
    ----------
    a : array_like, shape (..., n, n), symmetric positive definite
    lower : bool

    Returns
    -------
    array, shape (..., n, n)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.scipy.linalg import cholesky
    >>> cholesky(np.array([[4.0, 2.0], [2.0, 2.0]]))
    array([[2., 1.],
           [0., 1.]])
    """
    L = _s.cholesky(a)
    return L if lower else _T(L)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """scipy.linalg.cho_factor: (c, lower) for :func:`cho_solve`.

    ``c`` holds the Cholesky factor in its lower (``lower=True``) or upper triangle and zeros
    in the other one (SciPy leaves unspecified values there; nothing reads them).

    Parameters
    ----------
    a : array_like, shape (n, n), symmetric positive definite
    lower : bool

    Returns
    -------
    (c, lower)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.scipy.linalg import cho_factor, cho_solve
    >>> cho_solve(cho_factor(np.array([[4.0, 2.0], [2.0, 2.0]])), np.array([6.0, 4.0]))
    array([1., 1.])
    """
    return cholesky(a, lower=lower), bool(lower)


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """scipy.linalg.cho_solve: x with a·x = b from ``cho_factor(a)``: two triangular solves.

    Parameters
    ----------
    c_and_lower : tuple (c, lower)
        As returned by :func:`cho_factor` (or SciPy's).
    b : array_like, shape (n,) or (n, k)

    Returns
    -------
    x : array

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.scipy.linalg import cho_solve
    >>> cho_solve((np.array([[2.0, 0.0], [1.0, 1.0]]), True), np.array([4.0, 3.0]))
    array([0.5, 1. ])
    """
    try:
        c, lower = c_and_lower
    except (TypeError, ValueError):
        raise TypeError("taylorad.scipy.linalg.cho_solve: c_and_lower must be the pair (c, "
                        "lower) that cho_factor returns") from None
    _check_square(c, "cho_solve", "c")
    if lower:  # a = L·Lᵀ: y = L⁻¹b, x = L⁻ᵀy
        y = _s.solve_triangular(c, b, lower=True)
        return _s.solve_triangular(c, y, trans=1, lower=True)
    y = _s.solve_triangular(c, b, trans=1, lower=False)  # a = UᵀU: y = U⁻ᵀb, x = U⁻¹y
    return _s.solve_triangular(c, y, lower=False)


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    """scipy.linalg.solve: x with a·x = b (``transposed``: aᵀ·x = b) by a general LU solve.

    ``assume_a`` is accepted; every structure is solved as a general matrix, which gives the
    same x (for 'sym'/'pos', SciPy reads one triangle: pass a symmetric ``a``).

    Parameters
    ----------
    a : array_like, shape (n, n)
    b : array_like, shape (n,) or (n, k)
    transposed : bool

    Returns
    -------
    x : array

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.scipy.linalg import solve
    >>> solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 4.0]))
    array([1., 1.])
    """
    return _s.solve(_T(a) if transposed else a, b)


def inv(a, overwrite_a=False, check_finite=True):
    """scipy.linalg.inv.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.scipy.linalg import inv
    >>> inv(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    return _s.inv(a)


def det(a, overwrite_a=False, check_finite=True):
    """scipy.linalg.det.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.scipy.linalg import det
    >>> round(float(det(np.array([[2.0, 1.0], [1.0, 2.0]]))), 12)
    3.0
    """
    return _s.det(a)
