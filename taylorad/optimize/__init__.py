"""taylorad.optimize — Newton-type minimizers on Hessian-vector products, and scipy adapters.

* :func:`minimize` with 'newton-cg', 'trust-ncg', 'trust-krylov', 'trust-exact',
  'newton-exact'; derivatives from taylorad (reverse gradient, forward-over-reverse HVP, a
  batched dense Hessian that comes with f and g from the same pass) unless given.
* :func:`scipy_callables`, :func:`hessian_operator`, :func:`scipy_method`: run scipy's own
  solvers on taylorad's derivatives, or taylorad's solvers under ``scipy.optimize.minimize``.
* :func:`ggnvp`, :func:`hessian_diag_hutchinson`: curvature for second-order training.
"""
from ._curvature import ggnvp, hessian_diag_hutchinson
from ._minimize import METHODS, OptimizeResult, minimize
from ._scipy import hessian_operator, scipy_callables, scipy_method

__all__ = ["METHODS", "OptimizeResult", "ggnvp", "hessian_diag_hutchinson",
           "hessian_operator", "minimize", "scipy_callables", "scipy_method"]
