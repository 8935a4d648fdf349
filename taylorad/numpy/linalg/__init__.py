"""taylorad.numpy.linalg: numpy.linalg for real arrays, every function a taylorad primitive or a
composition of primitives (VJP rule and Taylor rule of any order).

* solvers (``solvers.py``): solve, inv, det, slogdet, cholesky, solve_triangular, tensorsolve,
  tensorinv
* symmetric eigenproblems (``eigen.py``): eigh, eigvalsh; eig/eigvals refuse traced input
  (complex results)
* singular values (``singular.py``): svd, svdvals; matrix_rank (an integer: zero derivative)
* QR and least squares (``leastsq.py``): qr, pinv, lstsq
* norms (``norms.py``): norm, vector_norm, matrix_norm, cond
* products (``products.py``): matrix_power, multi_dot, and the array-API spellings matmul,
  tensordot, vecdot, matrix_transpose, outer, cross, trace, diagonal

Matrices are the last two axes; leading axes are batch axes, as in numpy.linalg. Complex input
raises a TypeError (out of scope). ``np.linalg.X(traced)`` dispatches here.
"""
import numpy as _np

from . import eigen, leastsq, norms, products, singular, solvers
from .eigen import eig, eigh, eigvals, eigvalsh
from .leastsq import lstsq, pinv, qr
from .singular import matrix_rank, svd, svdvals
from .norms import cond, matrix_norm, norm, vector_norm
from .products import (cross, diagonal, matmul, matrix_power, matrix_transpose, multi_dot, outer,
                       tensordot, trace, vecdot)
from .solvers import (cholesky, det, inv, slogdet, solve, solve_triangular, tensorinv,
                      tensorsolve)

LinAlgError = _np.linalg.LinAlgError

# for the coverage table (taylorad/numpy/_coverage.py): of the names in __all__, these have a
# zero derivative (integer result) ...
ZERO_DERIVATIVE = ("matrix_rank",)
# ... and these refuse traced input with a TypeError that says why (plain arrays: NumPy's result)
NOT_SUPPORTED = {
    "eig": "out of scope: complex eigenvalues/eigenvectors in general (use eigh for symmetric "
           "matrices)",
    "eigvals": "out of scope: complex eigenvalues in general (use eigvalsh for symmetric "
               "matrices)",
}

__all__ = (solvers.__all__ + eigen.__all__ + singular.__all__ + leastsq.__all__ + norms.__all__
           + products.__all__)
