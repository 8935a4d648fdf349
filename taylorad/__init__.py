"""taylorad — higher-order automatic differentiation for NumPy and CuPy.

Reverse mode for first derivatives; truncated Taylor polynomials, propagated forward through
every primitive's rules, for every order above (DESIGN.md §1).
"""
from . import numpy
from .api import derivatives, grad, hvp, jet, jvp, value_and_grad, vjp
from .toolbox import (derivative_tensor, hessian, hessian_diag, hessian_diag_estimate, hvp_batch, jacfwd, jacrev,
                      laplacian, laplacian_estimate)

__version__ = "0.1.0"

__all__ = ["derivative_tensor", "derivatives", "grad", "hessian", "hessian_diag", "hessian_diag_estimate", "hvp",
           "hvp_batch", "jacfwd", "jacrev", "jet", "jvp", "laplacian", "laplacian_estimate",
           "numpy", "value_and_grad", "vjp"]
