"""taylorad.numpy.linalg: numpy.linalg for real arrays, every function a taylorad primitive or a
composition of primitives (VJP rule and Taylor rule of any order).

* solvers (``solvers.py``): solve, inv, det, slogdet, cholesky, solve_triangular, matrix_power,
  multi_dot, tensorsolve, tensorinv
* decompositions (``decomp.py``): eigh, eigvalsh, svd, svdvals, qr, pinv, lstsq; matrix_rank
  (an integer: zero derivative); eig/eigvals refuse traced input (complex results)
* norms (``norms.py``): norm, vector_norm, matrix_norm, cond
* array-API spellings (``products.py``): matmul, tensordot, vecdot, matrix_transpose, outer,
  cross, trace, diagonal

Matrices are the last two axes; leading axes are batch axes, as in numpy.linalg. Complex input
raises a TypeError (out of scope). ``np.linalg.X(traced)`` dispatches here.
"""
import numpy as _np

from . import decomp, norms, products, solvers
from .decomp import eig, eigh, eigvals, eigvalsh, lstsq, matrix_rank, pinv, qr, svd, svdvals
from .norms import cond, matrix_norm, norm, vector_norm
from .products import (cross, diagonal, matmul, matrix_transpose, outer, tensordot, trace,
                       vecdot)
from .solvers import (cholesky, det, inv, matrix_power, multi_dot, slogdet, solve,
                    solve_triangular, tensorinv, tensorsolve)

LinAlgError = _np.linalg.LinAlgError

__all__ = (solvers.__all__ + decomp.__all__ + norms.__all__ + products.__all__)
