"""``import taylorad.ops as ops`` — MindSpore's ``mindspore.ops`` (see taylorad._facade.ops)."""
from ._facade.grad import GradOperation, grad, jacfwd, jacrev, jvp, value_and_grad, vjp
from ._facade.ops import *  # noqa: F403 - the op classes and functional forms
from ._facade.ops import __all__ as _ops_all
from ._facade.taylor import derivative, jet
from ._facade.tensor import Tensor

__all__ = list(_ops_all) + ["GradOperation", "grad", "value_and_grad", "jacfwd", "jacrev",
                            "vjp", "jvp", "jet", "derivative", "Tensor"]
