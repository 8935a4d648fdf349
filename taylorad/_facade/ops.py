"""``ops``: MindSpore's operator classes and their lowercase functional forms.

Each op is a thin mapping onto ``taylorad.numpy`` (MINDSPORE.md §8): an op class takes its
configuration in the constructor and Tensors in ``__call__``; the functional forms take both.
Derivatives (all orders) come from the taylorad.numpy primitives.
"""

import numpy as np

from .. import numpy as tnp
from ..core.trace import getval
from . import dtype as mstype
from ._activations import _gelu_erf, _gelu_tanh, _silu
from .tensor import Tensor, binary, result_dtype

__all__ = ["Primitive"]  # extended below


def _fn(name):
    """The taylorad.numpy function ``name``; a clear error while it is not there."""
    fn = getattr(tnp, name, None)
    if fn is None:
        raise NotImplementedError(f"taylorad.numpy.{name} is not available in this version of "
                                  f"taylorad, so the op that needs it cannot run")
    return fn


def _d(x):
    """The array under a Tensor; Python numbers and lists become arrays (MindSpore defaults)."""
    if isinstance(x, Tensor):
        return x._data
    if hasattr(x, "dtype") and hasattr(x, "shape"):
        return x
    return Tensor(x)._data


def _t(v):
    return Tensor._wrap(v)


def _axes(axis):
    if axis is None or (isinstance(axis, (tuple, list)) and len(axis) == 0):
        return None
    return int(axis) if isinstance(axis, (int, np.integer)) else tuple(int(a) for a in axis)


class Primitive:
    """Base of the op classes (``ops.Sin()`` etc.)."""

    def __repr__(self):
        return f"Prim[{type(self).__name__}]"


# --- elementwise unary ------------------------------------------------------------------------
def _rsqrt(x):
    return tnp.divide(tnp.ones_like(x), tnp.sqrt(x))


def _float_in(x):
    """Integer inputs of transcendental ops compute in Float32, as MindSpore does."""
    return tnp.astype(x, np.float32) if np.dtype(getval(x).dtype).kind in "biu" else x


_UNARY = {  # class name: (functional name, taylorad.numpy name or callable, float only)
    "Neg": ("neg", "negative", False), "Abs": ("abs", "absolute", False),
    "Square": ("square", "square", False), "Sign": ("sign", "sign", False),
    "Exp": ("exp", "exp", True), "Log": ("log", "log", True), "Log1p": ("log1p", "log1p", True),
    "Expm1": ("expm1", "expm1", True), "Sin": ("sin", "sin", True), "Cos": ("cos", "cos", True),
    "Tan": ("tan", "tan", True), "Asin": ("asin", "arcsin", True),
    "ACos": ("acos", "arccos", True), "Atan": ("atan", "arctan", True),
    "Sinh": ("sinh", "sinh", True), "Cosh": ("cosh", "cosh", True),
    "Asinh": ("asinh", "arcsinh", True), "Acosh": ("acosh", "arccosh", True),
    "Atanh": ("atanh", "arctanh", True), "Tanh": ("tanh", "tanh", True),
    "Sigmoid": ("sigmoid", "sigmoid", True), "Sqrt": ("sqrt", "sqrt", True),
    "Rsqrt": ("rsqrt", _rsqrt, True), "Reciprocal": ("reciprocal", "reciprocal", True),
    "Erf": ("erf", "erf", True), "Softplus": ("softplus", "softplus", True),
    "ReLU": ("relu", "relu", False), "StopGradient": ("stop_gradient", "stop_gradient", False),
}


def _make_unary(cls_name, fname, impl, float_only):
    def apply(x):
        f = impl if callable(impl) else _fn(impl)
        v = _d(x)
        return _t(f(_float_in(v) if float_only else v))

    apply.__name__ = fname
    apply.__doc__ = f"``ops.{fname}(x)``: elementwise, as ``ops.{cls_name}()(x)``."
    cls = type(cls_name, (Primitive,), {"__call__": lambda self, x: apply(x),
                                        "__doc__": f"``ops.{cls_name}()(x)``."})
    return cls, apply


for _c, (_f, _impl, _fl) in _UNARY.items():
    globals()[_c], globals()[_f] = _make_unary(_c, _f, _impl, _fl)
    __all__ += [_c, _f]
negative = neg  # noqa: F821
Acos = ACos  # noqa: F821


class OnesLike(Primitive):
    def __call__(self, x):
        return ones_like(x)


class ZerosLike(Primitive):
    def __call__(self, x):
        return zeros_like(x)


class Identity(Primitive):
    def __call__(self, x):
        return _t(_d(x))


def ones_like(x, dtype=None):
    v = getval(_d(x))
    return _t(tnp.ones_like(v, dtype=None if dtype is None else mstype.to_dtype(dtype).np))


def zeros_like(x, dtype=None):
    v = getval(_d(x))
    return _t(tnp.zeros_like(v, dtype=None if dtype is None else mstype.to_dtype(dtype).np))


def ones(shape, dtype=None):
    return Tensor(np.ones(shape, mstype.to_dtype(dtype or mstype.float32).np))


def zeros(shape, dtype=None):
    return Tensor(np.zeros(shape, mstype.to_dtype(dtype or mstype.float32).np))


# --- elementwise binary -----------------------------------------------------------------------
def _xlogy(x, y):
    return tnp.where(tnp.equal(getval(x), 0), tnp.zeros_like(getval(x)), x * tnp.log(y))


def _sqdiff(x, y):
    return tnp.square(tnp.subtract(x, y))


_BINARY = {  # class name: (functional name, taylorad.numpy name or callable, true division)
    "Add": ("add", "add", False), "Sub": ("sub", "subtract", False),
    "Mul": ("mul", "multiply", False), "Div": ("div", "divide", True),
    "Pow": ("pow", "power", False), "Maximum": ("maximum", "maximum", False),
    "Minimum": ("minimum", "minimum", False),
    "SquaredDifference": ("squared_difference", _sqdiff, False),
    "Atan2": ("atan2", "arctan2", True), "Xlogy": ("xlogy", _xlogy, True),
}


def _make_binary(cls_name, fname, impl, true_div):
    def apply(x, y):
        f = impl if callable(impl) else _fn(impl)
        return binary(f, x, y, true_div=true_div)

    apply.__name__ = fname
    apply.__doc__ = f"``ops.{fname}(x, y)``: broadcasting, MindSpore type promotion."
    cls = type(cls_name, (Primitive,), {"__call__": lambda self, x, y: apply(x, y),
                                        "__doc__": f"``ops.{cls_name}()(x, y)``."})
    return cls, apply


for _c, (_f, _impl, _td) in _BINARY.items():
    globals()[_c], globals()[_f] = _make_binary(_c, _f, _impl, _td)
    __all__ += [_c, _f]
TensorAdd = Add  # noqa: F821 - deprecated alias kept by MindSpore
subtract, multiply, divide = sub, mul, div  # noqa: F821


class RealDiv(Primitive):
    """x / y; integer inputs give an integer (truncated) result, as MindSpore's RealDiv."""

    def __call__(self, x, y):
        dt = result_dtype(x, y)
        if dt.kind in "biu":
            a, b = getval(_d(x)).astype(dt), getval(_d(y)).astype(dt)
            return _t((np.trunc(a / b)).astype(dt))
        return binary(tnp.divide, x, y)


# --- matrix products --------------------------------------------------------------------------
class MatMul(Primitive):
    """``MatMul(transpose_a=False, transpose_b=False)(x, y)`` for 2-D x and y."""

    def __init__(self, transpose_a=False, transpose_b=False):
        for n, v in (("transpose_a", transpose_a), ("transpose_b", transpose_b)):
            if not isinstance(v, bool):
                raise TypeError(f"For 'MatMul', the '{n}' should be bool, but got "
                                f"{type(v).__name__}")
        self.transpose_a, self.transpose_b = transpose_a, transpose_b

    def __call__(self, x, y):
        for n, t in (("x", x), ("y", y)):
            if len(getval(_d(t)).shape) != 2:
                raise ValueError(f"For 'MatMul', the input '{n}' must be 2-D, got shape "
                                 f"{tuple(getval(_d(t)).shape)} — use ops.BatchMatMul or "
                                 f"ops.matmul for other ranks")
        return _matmul(x, y, self.transpose_a, self.transpose_b)


class BatchMatMul(MatMul):
    """``BatchMatMul(transpose_a=False, transpose_b=False)(x, y)``: matmul over leading axes."""

    def __call__(self, x, y):
        return _matmul(x, y, self.transpose_a, self.transpose_b)


def _matmul(x, y, ta=False, tb=False):
    def mm(a, b):
        if ta:
            a = tnp.swapaxes(a, -1, -2)
        if tb:
            b = tnp.swapaxes(b, -1, -2)
        return tnp.matmul(a, b)
    return binary(mm, x, y)


def matmul(x, y):
    """``ops.matmul(x, y)``: numpy.matmul semantics."""
    return _matmul(x, y)


def bmm(x, y):
    return _matmul(x, y)


# --- reductions -------------------------------------------------------------------------------
class _Reduce(Primitive):
    _name = "sum"

    def __init__(self, keep_dims=False, skip_mode=False):
        if not isinstance(keep_dims, bool):
            raise TypeError(f"For '{type(self).__name__}', the 'keep_dims' should be bool, but "
                            f"got {type(keep_dims).__name__}")
        self.keep_dims = keep_dims

    def __call__(self, x, axis=()):
        return _t(_fn(self._name)(_d(x), _axes(axis), self.keep_dims))


class ReduceSum(_Reduce):
    _name = "sum"


class ReduceMean(_Reduce):
    _name = "mean"


class ReduceMax(_Reduce):
    _name = "max"


class ReduceMin(_Reduce):
    _name = "min"


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001, A002 - MindSpore's names
    out = _t(tnp.sum(_d(input), _axes(dim), keepdim))
    return out if dtype is None else out.astype(dtype)


def mean(x, axis=None, keep_dims=False):
    return _t(tnp.mean(_d(x), _axes(axis), keep_dims))


def amax(x, axis=None, keepdims=False):
    return _t(_fn("max")(_d(x), _axes(axis), keepdims))


def amin(x, axis=None, keepdims=False):
    return _t(_fn("min")(_d(x), _axes(axis), keepdims))


def reduce_sum(x, axis=(), keep_dims=False):
    return ReduceSum(keep_dims)(x, axis)


def logsumexp(x, axis, keep_dims=False):
    return _t(_fn("logsumexp")(_d(x), axis=_axes(axis), keepdims=keep_dims))


# --- shapes -----------------------------------------------------------------------------------
class Reshape(Primitive):
    def __call__(self, x, shape):
        return reshape(x, shape)


class Transpose(Primitive):
    def __call__(self, x, perm):
        return transpose(x, perm)


class ExpandDims(Primitive):
    def __call__(self, x, axis):
        return expand_dims(x, axis)


class Squeeze(Primitive):
    def __init__(self, axis=()):
        self.axis = axis

    def __call__(self, x):
        return squeeze(x, self.axis)


class Concat(Primitive):
    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, input_x):
        return concat(input_x, self.axis)


class Stack(Primitive):
    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, input_x):
        return stack(input_x, self.axis)


class BroadcastTo(Primitive):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def __call__(self, x):
        return broadcast_to(x, self.shape)


class Tile(Primitive):
    def __call__(self, x, multiples):
        return tile(x, multiples)


class Cast(Primitive):
    def __call__(self, x, dtype):
        return cast(x, dtype)


class Gather(Primitive):
    def __init__(self, batch_dims=0):
        self.batch_dims = batch_dims

    def __call__(self, input_params, input_indices, axis):
        return gather(input_params, input_indices, axis, self.batch_dims)


class Split(Primitive):
    def __init__(self, axis=0, output_num=1):
        self.axis, self.output_num = axis, output_num

    def __call__(self, x):
        v = _d(x)
        n = getval(v).shape[self.axis]
        if n % self.output_num:
            raise ValueError(f"For 'Split', the size of axis {self.axis} ({n}) must be divisible "
                             f"by output_num ({self.output_num})")
        step = n // self.output_num
        ax = self.axis % len(getval(v).shape)
        return tuple(_t(tnp.getitem(v, (slice(None),) * ax + (slice(i, i + step),)))
                     for i in range(0, n, step))


def reshape(x, shape):
    return _t(tnp.reshape(_d(x), tuple(shape)))


def transpose(x, perm):
    return _t(tnp.transpose(_d(x), tuple(perm)))


permute = transpose


def expand_dims(x, axis):
    return _t(tnp.expand_dims(_d(x), int(axis)))


def unsqueeze(x, dim):
    return expand_dims(x, dim)


def squeeze(x, axis=None):
    return _t(tnp.squeeze(_d(x), _axes(axis)))


def concat(tensors, axis=0):
    return _t(_joined(tnp.concatenate, tensors, axis))


cat = concat


def stack(tensors, axis=0):
    return _t(_joined(tnp.stack, tensors, axis))


def _joined(fn, tensors, axis):
    if not isinstance(tensors, (tuple, list)) or not tensors:
        raise TypeError("concat/stack: pass a non-empty tuple or list of Tensors")
    dt = np.result_type(*(getval(_d(t)).dtype for t in tensors))
    return fn([tnp.astype(_d(t), dt) for t in tensors], axis=axis)


def broadcast_to(x, shape):
    v = _d(x)
    old = tuple(getval(v).shape)
    shape = tuple(shape)
    off = len(shape) - len(old)
    shape = tuple(old[i - off] if s == -1 and i >= off else s for i, s in enumerate(shape))
    return _t(tnp.broadcast_to(v, shape))


def tile(x, multiples):
    return _t(_fn("tile")(_d(x), tuple(multiples)))


def cast(x, dtype):
    return _t(tnp.astype(_d(x), mstype.to_dtype(dtype, "Cast").np))


def gather(input_params, input_indices, axis, batch_dims=0):
    """Slices of ``input_params`` along ``axis`` at ``input_indices``; the first ``batch_dims``
    axes of both are batch axes (output shape: params[:axis] + indices[batch_dims:] +
    params[axis+1:])."""
    idx = input_indices.asnumpy() if isinstance(input_indices, Tensor) else \
        np.asarray(input_indices)
    v = _d(input_params)
    nd = len(getval(v).shape)
    axis = int(axis) % nd if nd else 0
    b = int(batch_dims) % (idx.ndim + 1) if batch_dims < 0 else int(batch_dims)
    if not b:
        return _t(tnp.take(v, idx, axis=axis))
    if axis < b or tuple(getval(v).shape[:b]) != idx.shape[:b]:
        raise ValueError(f"For 'Gather', batch_dims ({b}) must not exceed axis ({axis}) and the "
                         f"first {b} dimensions of input_params {tuple(getval(v).shape)} and "
                         f"input_indices {idx.shape} must be equal")
    pieces = [tnp.take(v[beta], idx[beta], axis=axis - b) for beta in np.ndindex(*idx.shape[:b])]
    out = tnp.stack(pieces)
    return _t(tnp.reshape(out, idx.shape[:b] + tuple(getval(pieces[0]).shape)))


# --- activations and layers -------------------------------------------------------------------
class Softmax(Primitive):
    def __init__(self, axis=-1):
        self.axis = axis

    def __call__(self, x):
        return softmax(x, self.axis)


class LogSoftmax(Softmax):
    def __call__(self, x):
        return log_softmax(x, self.axis)


def softmax(x, axis=-1):
    return _t(_fn("softmax")(_d(x), axis=axis))


def log_softmax(x, axis=-1):
    return _t(_fn("log_softmax")(_d(x), axis=axis))


class BiasAdd(Primitive):
    """``BiasAdd(data_format='NCHW')(x, b)``: adds 1-D ``b`` along the channel axis."""

    def __init__(self, data_format="NCHW"):
        if data_format not in ("NCHW", "NHWC", "NCDHW"):
            raise ValueError(f"For 'BiasAdd', data_format must be 'NCHW', 'NHWC' or 'NCDHW', "
                             f"got {data_format!r}")
        self.data_format = data_format

    def __call__(self, x, b):
        return bias_add(x, b, self.data_format)


def bias_add(x, b, data_format="NCHW"):
    v = _d(x)
    nd = len(getval(v).shape)
    if nd < 2:
        raise ValueError("For 'BiasAdd', the input must have at least 2 dimensions")
    ch = nd - 1 if data_format == "NHWC" else 1
    bv = _d(b)
    shape = tuple(getval(bv).shape[0] if i == ch else 1 for i in range(nd))
    return binary(tnp.add, _t(v), _t(tnp.reshape(bv, shape)))


class Einsum(Primitive):
    def __init__(self, equation):
        self.equation = equation

    def __call__(self, input_x):
        return _t(_fn("einsum")(self.equation, *(_d(t) for t in input_x)))


def einsum(equation, *operands):
    return _t(_fn("einsum")(equation, *(_d(t) for t in operands)))


__all__ += [
    "Acos", "Add", "TensorAdd", "RealDiv", "MatMul", "BatchMatMul", "ReduceSum", "ReduceMean",
    "ReduceMax", "ReduceMin", "Reshape", "Transpose", "ExpandDims", "Squeeze", "Concat",
    "Stack", "BroadcastTo", "Tile", "Cast", "Gather", "Split", "Softmax", "LogSoftmax",
    "BiasAdd", "Einsum", "OnesLike", "ZerosLike", "Identity", "ones_like", "zeros_like", "ones",
    "zeros", "matmul", "bmm", "sum", "mean", "amax", "amin", "reduce_sum", "logsumexp",
    "reshape", "transpose", "permute", "expand_dims", "unsqueeze", "squeeze", "concat", "cat",
    "stack", "broadcast_to", "tile", "cast", "gather", "softmax", "log_softmax", "bias_add",
    "einsum", "negative", "subtract", "multiply", "divide",
]


# --- functional forms used in training scripts and loss functions -----------------------------
def _reduce_out(out, reduction, fname):
    if reduction == "mean":
        return out.mean()
    if reduction == "sum":
        return out.sum()
    if reduction == "none":
        return out
    raise ValueError(f"{fname}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def clamp(input, min=None, max=None):  # noqa: A002 - MindSpore's names
    """``ops.clamp(input, min=None, max=None)``: elementwise clip (derivative 1 inside, 0 out).

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.clamp(Tensor([-2.0, 0.5, 3.0]), -1.0, 1.0))
    [-1.   0.5  1. ]
    """
    if min is None and max is None:
        raise ValueError("clamp: give min, max or both")
    v = _d(input)
    lo = None if min is None else getval(_d(min))
    hi = None if max is None else getval(_d(max))
    return _t(tnp.clip(v, lo, hi))


def clip_by_value(x, clip_value_min=None, clip_value_max=None):
    """``ops.clip_by_value(x, clip_value_min, clip_value_max)``: as :func:`clamp`.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.clip_by_value(Tensor([-2.0, 0.5]), -1.0, 1.0))
    [-1.   0.5]
    """
    return clamp(x, clip_value_min, clip_value_max)


def where(condition, x, y):
    """``ops.where(condition, x, y)``: x where condition else y (condition is not traced).

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.where(Tensor([True, False]), Tensor([1.0, 2.0]), Tensor([5.0, 6.0])))
    [1. 6.]
    """
    cond = np.asarray(condition.asnumpy() if isinstance(condition, Tensor) else condition,
                      dtype=bool)
    dt = result_dtype(x, y) if isinstance(x, Tensor) or isinstance(y, Tensor) else None
    xv, yv = _d(x), _d(y)
    if dt is not None:
        xv, yv = tnp.astype(xv, dt), tnp.astype(yv, dt)
    return _t(tnp.where(cond, xv, yv))


select = where


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    """``ops.norm(A, ord=None, dim=None, keepdim=False)``: the 2-norm (Frobenius) over ``dim``
    (all elements by default); other ``ord`` values are not supported.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.norm(Tensor([3.0, 4.0])))
    5.0
    """
    if ord not in (None, 2, "fro"):
        raise ValueError(f"norm: only ord=None/2/'fro' (the Euclidean norm) is supported, got "
                         f"{ord!r}")
    v = _d(A)
    out = _t(tnp.sqrt(tnp.sum(tnp.square(v), _axes(dim), keepdim)))
    return out if dtype is None else out.astype(dtype)


def mse_loss(input, target, reduction="mean"):  # noqa: A002
    """``ops.mse_loss(input, target, reduction='mean')``: (input − target)², reduced.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.mse_loss(Tensor([1.0, 3.0]), Tensor([0.0, 0.0])))
    5.0
    """
    d = Tensor._wrap(_d(input)) - Tensor._wrap(_d(target))
    return _reduce_out(d * d, reduction, "mse_loss")


def l1_loss(input, target, reduction="mean"):  # noqa: A002
    """``ops.l1_loss(input, target, reduction='mean')``: |input − target|, reduced.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.l1_loss(Tensor([1.0, -3.0]), Tensor([0.0, 0.0])))
    2.0
    """
    d = Tensor._wrap(_d(input)) - Tensor._wrap(_d(target))
    return _reduce_out(abs(d), reduction, "l1_loss")


def smooth_l1_loss(input, target, beta=1.0, reduction="none"):  # noqa: A002
    """``ops.smooth_l1_loss(input, target, beta=1.0, reduction='none')`` (nn.SmoothL1Loss).

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.smooth_l1_loss(Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 2.0, 2.0])))
    [0.  0.  0.5]
    """
    from .loss import SmoothL1Loss  # noqa: PLC0415

    return SmoothL1Loss(beta, reduction)(Tensor._wrap(_d(input)), Tensor._wrap(_d(target)))


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",  # noqa: A002
                  label_smoothing=0.0):
    """``ops.cross_entropy(input, target, weight=None, ignore_index=-100, reduction='mean',
    label_smoothing=0.0)`` (nn.CrossEntropyLoss).

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> round(float(ops.cross_entropy(Tensor(np.zeros((1, 2), np.float32)),
    ...     Tensor(np.array([1], np.int32)))), 6)
    0.693147
    """
    from .loss import CrossEntropyLoss  # noqa: PLC0415

    return CrossEntropyLoss(weight, ignore_index, reduction, label_smoothing)(
        Tensor._wrap(_d(input)), target)


def fill(type, shape, value):  # noqa: A002 - MindSpore's names
    """``ops.fill(type, shape, value)``: a Tensor of ``shape`` filled with ``value``.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.fill(ms.int32, (2,), 3))
    [3 3]
    """
    return Tensor(np.full(tuple(shape), value, mstype.to_dtype(type, "fill").np))


def full(size, fill_value, *, dtype=None):
    """``ops.full(size, fill_value, *, dtype=None)`` (dtype from the value by default).

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.full((2,), 1.5))
    [1.5 1.5]
    """
    if dtype is None:
        dtype = mstype.float32 if isinstance(fill_value, float) else (
            mstype.bool_ if isinstance(fill_value, bool) else mstype.int64)
    return fill(dtype, size, fill_value)


def prod(input, axis=None, keep_dims=False):  # noqa: A002
    """``ops.prod(input, axis=None, keep_dims=False)``.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.prod(Tensor([2.0, 3.0, 4.0])))
    24.0
    """
    return _t(_fn("prod")(_d(input), _axes(axis), keepdims=keep_dims))


def var(input, axis=None, ddof=0, keepdims=False):  # noqa: A002
    """``ops.var(input, axis=None, ddof=0, keepdims=False)``: Σ(x − mean)²/(n − ddof).

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.var(Tensor([1.0, 2.0, 3.0, 4.0])))
    1.25
    """
    v = _d(input)
    ax = _axes(axis)
    mu = tnp.mean(v, ax, True)
    n = int(np.prod([getval(v).shape[a] for a in (range(len(getval(v).shape)) if ax is None else
                                                   ((ax,) if isinstance(ax, int) else ax))]))
    return _t(tnp.divide(tnp.sum(tnp.square(tnp.subtract(v, mu)), ax, keepdims),
                         float(n - ddof)))


def std(input, axis=None, ddof=0, keepdims=False):  # noqa: A002
    """``ops.std(input, axis=None, ddof=0, keepdims=False)``: sqrt of :func:`var`.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.std(Tensor([1.0, 3.0])))
    1.0
    """
    return _t(tnp.sqrt(var(input, axis, ddof, keepdims)._data))


def flatten(input, order="C", *, start_dim=1, end_dim=-1):  # noqa: A002
    """``ops.flatten(input, order='C', *, start_dim=1, end_dim=-1)``: merges axes
    start_dim..end_dim (MindSpore keeps the batch axis by default).

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> ops.flatten(Tensor(np.zeros((2, 3, 4), np.float32))).shape
    (2, 12)
    """
    v = _d(input)
    shape = tuple(getval(v).shape)
    if not shape:
        return _t(tnp.reshape(v, (1,)))
    s, e = start_dim % len(shape), end_dim % len(shape)
    new = shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:]
    return _t(tnp.reshape(v, new))


def split(tensor, split_size_or_sections, axis=0):
    """``ops.split(tensor, split_size_or_sections, axis=0)``: pieces of a size, or of sizes.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> [t.shape for t in ops.split(Tensor(np.zeros((5, 2), np.float32)), 2)]
    [(2, 2), (2, 2), (1, 2)]
    """
    v = _d(tensor)
    n = getval(v).shape[axis]
    if isinstance(split_size_or_sections, int):
        sizes = [split_size_or_sections] * (n // split_size_or_sections)
        if n % split_size_or_sections:
            sizes.append(n % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
    ax = axis % len(getval(v).shape)
    out, start = [], 0
    for sz in sizes:
        out.append(_t(tnp.getitem(v, (slice(None),) * ax + (slice(start, start + sz),))))
        start += sz
    return tuple(out)


def silu(input):  # noqa: A002
    """``ops.silu(input)``: x·sigmoid(x).

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.silu(Tensor([0.0])))
    [0.]
    """
    return _t(_silu(_float_in(_d(input))))


def gelu(input_x, approximate="none"):
    """``ops.gelu(input_x, approximate='none')``: x·Φ(x) (``'tanh'``: the tanh approximation).

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.gelu(Tensor([0.0])))
    [0.]
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    v = _float_in(_d(input_x))
    return _t((_gelu_tanh if approximate == "tanh" else _gelu_erf)(v))


def cumsum(x, axis, dtype=None):
    """``ops.cumsum(x, axis, dtype=None)``.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.cumsum(Tensor([1.0, 2.0, 3.0]), 0))
    [1. 3. 6.]
    """
    out = _t(_fn("cumsum")(_d(x), axis=int(axis)))
    return out if dtype is None else out.astype(dtype)


def linspace(start, end, steps):
    """``ops.linspace(start, end, steps)``: a Float32 Tensor.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.linspace(0, 1, 3))
    [0.  0.5 1. ]
    """
    return Tensor(np.linspace(float(start), float(end), int(steps), dtype=np.float32))


def arange(start=0, end=None, step=1, *, dtype=None):
    """``ops.arange(start=0, end=None, step=1, *, dtype=None)``.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.arange(3))
    [0 1 2]
    """
    if end is None:
        start, end = 0, start
    a = np.arange(start, end, step)
    return Tensor(a) if dtype is None else Tensor(a, dtype)


def _arg(which, x, dim, keepdim):
    """np.argmax / np.argmin of a Tensor's values as an Int64 Tensor."""
    return Tensor(np.asarray(which(Tensor._wrap(_d(x)).asnumpy(), axis=dim, keepdims=keepdim),
                             np.int64))


def argmax(input, dim=None, keepdim=False):  # noqa: A002
    """``ops.argmax(input, dim=None, keepdim=False)``: Int64 indices.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.argmax(Tensor([[1.0, 5.0], [7.0, 2.0]]), 1))
    [1 0]
    """
    return _arg(np.argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):  # noqa: A002
    """``ops.argmin(input, dim=None, keepdim=False)``: Int64 indices.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.argmin(Tensor([[1.0, 5.0], [7.0, 2.0]]), 1))
    [0 1]
    """
    return _arg(np.argmin, input, dim, keepdim)


def dot(input, other):  # noqa: A002
    """``ops.dot(input, other)``: matmul over the last axis of input and the second-last of
    other (1-D: inner product).

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.dot(Tensor([1.0, 2.0]), Tensor([3.0, 4.0])))
    11.0
    """
    return _matmul(input, other)


def outer(input, vec2):  # noqa: A002
    """``ops.outer(input, vec2)``: the outer product of two 1-D Tensors.

    Examples
    --------
    >>> import numpy as np, taylorad as ms
    >>> from taylorad import ops, Tensor
    >>> print(ops.outer(Tensor([1.0, 2.0]), Tensor([3.0, 4.0])))
    [[3. 4.]
     [6. 8.]]
    """
    a, b = Tensor._wrap(_d(input)), Tensor._wrap(_d(vec2))
    return a.reshape(-1, 1) * b.reshape(1, -1)


__all__ += ["clamp", "clip_by_value", "where", "select", "norm", "mse_loss", "l1_loss",
            "smooth_l1_loss", "cross_entropy", "fill", "full", "prod", "var", "std", "flatten",
            "split", "silu", "gelu", "cumsum", "linspace", "arange", "argmax", "argmin", "dot",
            "outer"]
