"""taylorad.numpy — the differentiable NumPy subset (``import taylorad.numpy as tnp``).

Every function here is a taylorad primitive (implementation, VJP rule and Taylor rule of any
order) or a composition of primitives, and works on numpy and cupy arrays and on traced values.
"""
import numpy as _np

from .. import core as _core
from ..core import ops as _ops
from . import boxes as _boxes
from . import shape as _shape
from .arith import (abs, absolute, add, ceil, divide, equal, floor, greater, greater_equal, less,
                    less_equal, maximum, minimum, multiply, negative, not_equal, positive, power,
                    rint, round, sign, sqrt, square, subtract, true_divide)
from .products import dot, matmul, vdot
from .shape import (astype, broadcast_to, concatenate, expand_dims, getitem, mean, moveaxis,
                    ones_like, ravel, reshape, squeeze, stack, stop_gradient, sum, swapaxes,
                    take, transpose, where, zeros_like)
from .transcendental import arctanh, cos, cosh, exp, log, sigmoid, sin, sinh, tan, tanh
from . import elementwise as _elementwise
from . import linalg  # numpy.linalg's real-valued functions (tnp.linalg.*)
from . import reductions as _reductions
from . import tensor as _tensor
from .elementwise import (arccos, arccosh, arcsin, arcsinh, arctan, arctan2, cbrt, clip, erf,
                          erfc, exp2, expm1, hypot, log1p, log2, log10, logaddexp, reciprocal,
                          relu, softplus)
from .reductions import (amax, amin, argmax, argmin, cumsum, log_softmax, logsumexp, max, min,
                         prod, softmax, std, var)
from . import modular as _modular
from .modular import divmod, floor_divide, fmod, mod, remainder
from .tensor import (array_split, diag, diagonal, einsum, flip, inner, outer, pad, repeat, roll,
                     split, take_along_axis, tensordot, tile, trace, tril, triu)

pi = _np.pi
e = _np.e
newaxis = None
float16, float32, float64 = _np.float16, _np.float32, _np.float64
int32, int64 = _np.int32, _np.int64


from .construct import array, asarray  # noqa: E402 - lists of traced values too

__all__ = [
    "abs", "absolute", "add", "arctanh", "array", "asarray", "astype", "broadcast_to", "ceil",
    "concatenate", "cos", "cosh", "divide", "dot", "equal", "exp", "expand_dims", "floor",
    "greater", "greater_equal", "less", "less_equal", "log", "matmul", "maximum", "mean",
    "minimum", "moveaxis", "multiply", "negative", "not_equal", "ones_like", "positive", "power",
    "ravel", "reshape", "rint", "round", "sigmoid", "sign", "sin", "sinh", "sqrt", "square",
    "squeeze", "stack", "stop_gradient", "subtract", "sum", "swapaxes", "take", "tan", "tanh",
    "transpose", "true_divide", "vdot", "where", "zeros_like",
    "e", "pi", "newaxis", "float16", "float32", "float64", "int32", "int64",
]
__all__ += _elementwise.__all__ + _reductions.__all__ + _tensor.__all__
__all__ += _modular.__all__

# the rest of NumPy's main namespace (issue 13): joining/rearranging, statistics, differences and
# products, more real elementwise functions, polynomials and ranges, zero-derivative functions;
# what is not supported, and why, is listed in taylorad/numpy/_coverage.py
from . import calculus as _calculus  # noqa: E402
from . import joining as _joining  # noqa: E402
from . import zeroderiv as _zeroderiv  # noqa: E402
from . import polynomial as _polynomial  # noqa: E402
from . import realfuncs as _realfuncs  # noqa: E402
from . import rearrange as _rearrange  # noqa: E402
from . import statistics as _statistics  # noqa: E402

for _mod in (_joining, _rearrange, _statistics, _calculus, _realfuncs, _polynomial, _zeroderiv):
    for _name in _mod.__all__:
        if _name not in globals() or _name not in __all__:
            globals()[_name] = getattr(_mod, _name)
            __all__.append(_name)
del _mod, _name
around = round
__all__.append("around")

from .fitting import polyfit  # noqa: E402 - least squares through tnp.linalg (issue 13)
if "polyfit" not in __all__:
    __all__ += ["polyfit"]

# the few primitives the core machinery uses (reverse accumulation, seeds, restacking)
_ops.add = add
_ops.multiply = multiply
_ops.broadcast_to = broadcast_to
_ops.reshape = reshape
_ops.stack = stack
_ops.concatenate = concatenate
_ops.index_add_many = _shape.index_add_many
_ops.zeros_like = zeros_like
_ops.ones_like = ones_like
_ops.astype = astype
_ops.sqrt = sqrt
_ops.sum = sum

_boxes.attach(__import__(__name__, fromlist=["*"]))

# primitives whose implementation is exactly this NumPy function on NumPy arrays and Python
# numbers: eager calls of the elementwise ones, and taylorad.jit replays of all of them, write
# large float results into recycled memory (core.buffers)
for _prim, _ufunc in [(add, _np.add), (subtract, _np.subtract), (multiply, _np.multiply),
                      (divide, _np.divide), (negative, _np.negative), (square, _np.square),
                      (sqrt, _np.sqrt), (exp, _np.exp), (log, _np.log), (tanh, _np.tanh),
                      (sin, _np.sin), (cos, _np.cos), (tan, _np.tan), (sinh, _np.sinh),
                      (cosh, _np.cosh), (absolute, _np.absolute),
                      (_elementwise.log1p, _np.log1p), (_elementwise.expm1, _np.expm1)]:
    _prim.ufunc = _ufunc
    _prim._pooled = _core.buffers.pooled_ufunc(_ufunc)
matmul.ufunc = _np.matmul  # not broadcasting elementwise: jit replays only
_shape.concatenate_p.ufunc = _np.concatenate
del _prim, _ufunc
