"""taylorad — higher-order automatic differentiation for NumPy and CuPy.

Reverse mode for first derivatives; truncated Taylor polynomials, propagated forward through
every primitive's rules, for every order above (DESIGN.md §1).
"""
from . import numpy
from .api import derivatives, grad, hvp, jet, jvp, value_and_grad, vjp

__version__ = "0.1.0"

__all__ = ["derivatives", "grad", "hvp", "jet", "jvp", "numpy", "value_and_grad", "vjp"]
