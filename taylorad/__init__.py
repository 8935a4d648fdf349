"""taylorad — higher-order automatic differentiation for NumPy and CuPy.

Reverse mode for first derivatives; truncated Taylor polynomials, propagated forward through
every primitive's rules, for every order above (DESIGN.md §1).
"""
from . import numpy
from .jit import jit
from .api import derivatives, grad, hvp, jet, jvp, value_and_grad, vjp
from .toolbox import (derivative_tensor, hessian, hessian_diag, hessian_diag_estimate, hvp_batch, jacfwd, jacrev,
                      laplacian, laplacian_estimate)
from .functional import checkpoint, elementwise_grad, linearize_hvp
from ._lazy import compute

__version__ = "0.1.0"

__all__ = ["derivative_tensor", "derivatives", "grad", "hessian", "hessian_diag", "hessian_diag_estimate", "hvp",
           "hvp_batch", "jacfwd", "jacrev", "jet", "jit", "jvp", "laplacian", "laplacian_estimate",
           "numpy", "value_and_grad", "vjp"]
__all__ += ["checkpoint", "compute", "elementwise_grad", "linearize_hvp"]

# the MindSpore-compatible facade (``from taylorad import Tensor, Parameter``; taylorad.float32)
from ._facade import Parameter, ParameterTuple, Tensor  # noqa: E402
from ._facade.dtype import (bool_, float16, float32, float64, int8, int16, int32,  # noqa: E402
                            int64, uint8)

__all__ += ["Parameter", "ParameterTuple", "Tensor", "bool_", "float16", "float32", "float64",
            "int8", "int16", "int32", "int64", "uint8"]

# MindSpore's top-level training functions (import taylorad as ms; ms.set_seed, ms.set_context,
# ms.save_checkpoint ...) and the nn / ops / context modules as attributes (ms.nn.Dense)
from ._facade.context import GRAPH_MODE, PYNATIVE_MODE, get_context, set_context  # noqa: E402
from ._facade.initializer import get_seed, set_seed  # noqa: E402
from ._facade.serialization import (load_checkpoint, load_param_into_net,  # noqa: E402
                                    save_checkpoint)
from . import common, context, dtype, nn, ops, train  # noqa: E402, F401

__all__ += ["GRAPH_MODE", "PYNATIVE_MODE", "get_context", "set_context", "get_seed", "set_seed",
            "load_checkpoint", "load_param_into_net", "save_checkpoint"]
