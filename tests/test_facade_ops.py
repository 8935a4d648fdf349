"""Facade ops: every op class of MINDSPORE.md §8 runs, has MindSpore's shape semantics, and its
GradOperation gradient matches central differences; nested GradOperation to order 4 matches
50-digit mpmath (incl. the ops where MindSpore 2.10 itself fails, §7)."""
import mpmath
import numpy as np
import pytest

import taylorad.nn as nn
import taylorad.ops as ops
from taylorad import Tensor

mpmath.mp.dps = 50
rng = np.random.default_rng(7)


def _fd_grad(f, x, h=1e-6):
    """Central differences of sum(f(x)) in float64."""
    x = np.asarray(x, np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (f(Tensor(xp)).asnumpy().sum() - f(Tensor(xm)).asnumpy().sum()) / (2 * h)
    return g


U = rng.uniform(0.2, 0.8, (2, 3))  # inside every domain below
M = rng.standard_normal((3, 4))
UNARY = {
    "Neg": ops.Neg(), "Abs": ops.Abs(), "Square": ops.Square(), "Exp": ops.Exp(),
    "Log": ops.Log(), "Log1p": ops.Log1p(), "Expm1": ops.Expm1(), "Sin": ops.Sin(),
    "Cos": ops.Cos(), "Tan": ops.Tan(), "Asin": ops.Asin(), "ACos": ops.ACos(),
    "Atan": ops.Atan(), "Sinh": ops.Sinh(), "Cosh": ops.Cosh(), "Asinh": ops.Asinh(),
    "Atanh": ops.Atanh(), "Tanh": ops.Tanh(), "Sigmoid": ops.Sigmoid(), "Sqrt": ops.Sqrt(),
    "Rsqrt": ops.Rsqrt(), "Reciprocal": ops.Reciprocal(), "Erf": ops.Erf(),
    "Softplus": ops.Softplus(), "ReLU": ops.ReLU(), "Identity": ops.Identity(),
}
NUMPY_REF = {
    "Neg": np.negative, "Abs": np.abs, "Square": np.square, "Exp": np.exp, "Log": np.log,
    "Log1p": np.log1p, "Expm1": np.expm1, "Sin": np.sin, "Cos": np.cos, "Tan": np.tan,
    "Asin": np.arcsin, "ACos": np.arccos, "Atan": np.arctan, "Sinh": np.sinh, "Cosh": np.cosh,
    "Asinh": np.arcsinh, "Atanh": np.arctanh, "Tanh": np.tanh,
    "Sigmoid": lambda x: 1 / (1 + np.exp(-x)), "Sqrt": np.sqrt, "Rsqrt": lambda x: x ** -0.5,
    "Reciprocal": lambda x: 1 / x, "Erf": np.vectorize(lambda v: float(mpmath.erf(v))),
    "Softplus": lambda x: np.log1p(np.exp(x)), "ReLU": lambda x: np.maximum(x, 0),
    "Identity": lambda x: x,
}
OTHER = {  # name: (function of one Tensor, reference on numpy arrays)
    "Acosh": (lambda x: ops.Acosh()(x + 1.5), lambda x: np.arccosh(x + 1.5)),
    "Mul": (lambda x: ops.Mul()(x, x * 2.0), lambda x: 2 * x * x),
    "Add": (lambda x: ops.Add()(x, 3.0), lambda x: x + 3),
    "TensorAdd": (lambda x: ops.TensorAdd()(x, x), lambda x: 2 * x),
    "Sub": (lambda x: ops.Sub()(1.0, x), lambda x: 1 - x),
    "Div": (lambda x: ops.Div()(x, x + 1.0), lambda x: x / (x + 1)),
    "RealDiv": (lambda x: ops.RealDiv()(1.0, x), lambda x: 1 / x),
    "Pow": (lambda x: ops.Pow()(x, x), lambda x: x ** x),
    "Pow_scalar": (lambda x: ops.Pow()(x, 3.0), lambda x: x ** 3),
    "Maximum": (lambda x: ops.Maximum()(x, 0.5), lambda x: np.maximum(x, 0.5)),
    "Minimum": (lambda x: ops.Minimum()(x, 0.5), lambda x: np.minimum(x, 0.5)),
    "SquaredDifference": (lambda x: ops.SquaredDifference()(x, 0.3), lambda x: (x - .3) ** 2),
    "MatMul": (lambda x: ops.MatMul()(x, Tensor(M)), lambda x: x @ M),
    "MatMul_tb": (lambda x: ops.MatMul(transpose_b=True)(x, x), lambda x: x @ x.T),
    "MatMul_ta": (lambda x: ops.MatMul(transpose_a=True)(x, x), lambda x: x.T @ x),
    "BatchMatMul": (lambda x: ops.BatchMatMul()(ops.Reshape()(x, (2, 1, 3)),
                                                ops.Reshape()(x, (2, 3, 1))),
                    lambda x: (x * x).sum(1).reshape(2, 1, 1)),
    "ReduceSum": (lambda x: ops.ReduceSum()(ops.Exp()(x), 1), lambda x: np.exp(x).sum(1)),
    "ReduceSum_keep": (lambda x: ops.ReduceSum(keep_dims=True)(x * x),
                       lambda x: (x * x).sum(keepdims=True)),
    "ReduceMean": (lambda x: ops.ReduceMean()(x * x, (0,)), lambda x: (x * x).mean(0)),
    "ReduceMax": (lambda x: ops.ReduceMax()(x, 1), lambda x: x.max(1)),
    "Reshape": (lambda x: ops.Reshape()(x, (3, 2)) * 2.0, lambda x: 2 * x.reshape(3, 2)),
    "Transpose": (lambda x: ops.Transpose()(x, (1, 0)) ** 2, lambda x: x.T ** 2),
    "ExpandDims": (lambda x: ops.ExpandDims()(x, 0) ** 2, lambda x: x[None] ** 2),
    "Squeeze": (lambda x: ops.Squeeze(0)(ops.ExpandDims()(x, 0)) ** 2, lambda x: x ** 2),
    "Concat": (lambda x: ops.Concat(1)((x, x * x)), lambda x: np.concatenate([x, x * x], 1)),
    "Stack": (lambda x: ops.Stack(0)((x, x * x)), lambda x: np.stack([x, x * x])),
    "Softmax": (lambda x: ops.Softmax()(x) ** 2,
                lambda x: (np.exp(x) / np.exp(x).sum(-1, keepdims=True)) ** 2),
    "LogSoftmax": (lambda x: ops.LogSoftmax()(x) ** 2,
                   lambda x: (x - np.log(np.exp(x).sum(-1, keepdims=True))) ** 2),
    "BiasAdd": (lambda x: ops.BiasAdd()(x, x[0]) ** 2, lambda x: (x + x[0][None]) ** 2),
    "Cast": (lambda x: ops.Cast()(x, np.float64) ** 2, lambda x: x ** 2),
    "BroadcastTo": (lambda x: ops.BroadcastTo((4, 2, 3))(x) ** 2,
                    lambda x: np.broadcast_to(x ** 2, (4, 2, 3))),
    "Tile": (lambda x: ops.Tile()(x, (2, 1)) ** 2, lambda x: np.tile(x ** 2, (2, 1))),
    "Gather": (lambda x: ops.Gather()(x, Tensor(np.array([2, 0, 2], np.int32)), 1) ** 2,
               lambda x: x[:, [2, 0, 2]] ** 2),
    "Split": (lambda x: ops.Split(1, 3)(x)[2] ** 2, lambda x: x[:, 2:3] ** 2),
    "OnesLike": (lambda x: ops.OnesLike()(x) + x, lambda x: 1 + x),
    "ZerosLike": (lambda x: ops.ZerosLike()(x) + x, lambda x: x),
    "StopGradient": (lambda x: ops.StopGradient()(x) * x, None),
}


@pytest.mark.parametrize("name", sorted(UNARY) + sorted(OTHER))
def test_op_value_and_gradient(name):
    if name in UNARY:
        f, ref = UNARY[name], NUMPY_REF[name]
    else:
        f, ref = OTHER[name]
    x = Tensor(U.copy())
    out = f(x)
    assert isinstance(out, Tensor) and out.dtype == Tensor(U).dtype
    if ref is not None:
        np.testing.assert_allclose(out.asnumpy(), ref(U), rtol=1e-12, atol=1e-14)
    g = ops.GradOperation()(f)(x)
    assert g.shape == x.shape and g.dtype == x.dtype
    want = U.copy() if name == "StopGradient" else _fd_grad(f, U)
    np.testing.assert_allclose(g.asnumpy(), want, rtol=1e-6, atol=1e-8)


def _nested(fn, depth):
    """GradOperation applied ``depth`` times, as Cells (the tutorial's Grad/GradSec pattern)."""
    class Net(nn.Cell):
        def construct(self, x):
            return fn(x)

    class Grad(nn.Cell):
        def __init__(self, network):
            super().__init__()
            self.network = network
            self.grad = ops.GradOperation()

        def construct(self, x):
            return self.grad(self.network)(x)

    net = Net()
    for _ in range(depth):
        net = Grad(net)
    return net


MP = {"Square": lambda v: v * v, "Exp": mpmath.exp, "Log": mpmath.log, "Sin": mpmath.sin,
      "Cos": mpmath.cos, "Tan": mpmath.tan, "Atanh": mpmath.atanh, "Asin": mpmath.asin,
      "Erf": mpmath.erf, "Sigmoid": lambda v: 1 / (1 + mpmath.exp(-v)), "Tanh": mpmath.tanh,
      "Sqrt": mpmath.sqrt, "Rsqrt": lambda v: 1 / mpmath.sqrt(v), "Atan": mpmath.atan,
      "Asinh": mpmath.asinh, "Softplus": lambda v: mpmath.log(1 + mpmath.exp(v)),
      "Log1p": lambda v: mpmath.log(1 + v), "Expm1": lambda v: mpmath.exp(v) - 1,
      "Reciprocal": lambda v: 1 / v, "Cosh": mpmath.cosh, "Sinh": mpmath.sinh}


@pytest.mark.parametrize("name", sorted(MP))
@pytest.mark.parametrize("order", [2, 3, 4])
def test_nested_gradoperation_matches_mpmath(name, order):
    # MindSpore 2.10 raises at Square order >= 3, Tan/Atanh/Asin order 4, Erf order >= 3 (§7)
    x0 = np.array([0.3, 0.55])
    got = _nested(UNARY[name], order)(Tensor(x0)).asnumpy()
    want = [float(mpmath.diff(MP[name], mpmath.mpf(v), order)) for v in x0]
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("op", [lambda x: ops.Reshape()(x, (3, 2)), lambda x: ops.Transpose()(
    x, (1, 0))])
def test_second_order_through_reshape_transpose_is_not_zero(op):
    # MindSpore PYNATIVE returns zeros here (§7): d²/dx² sum(op(x)·op(x)·x) = 6x
    x = Tensor(U.copy())
    f = lambda t: op(t) * op(t) * op(t)  # noqa: E731
    got = _nested(f, 2)(x).asnumpy()
    np.testing.assert_allclose(got, 6 * U, rtol=1e-12)


def test_matmul_rejects_non_2d():
    with pytest.raises(ValueError, match="MatMul.*2-D"):
        ops.MatMul()(Tensor(np.ones(3)), Tensor(np.ones((3, 2))))


def test_op_flag_validation():
    with pytest.raises(TypeError, match="transpose_a"):
        ops.MatMul(transpose_a=1)
    with pytest.raises(TypeError, match="keep_dims"):
        ops.ReduceSum(keep_dims=1)


def test_functional_forms_match_classes():
    x = Tensor(U.copy())
    for cls, fn in [(ops.Sin, ops.sin), (ops.Exp, ops.exp), (ops.Tanh, ops.tanh),
                    (ops.Sqrt, ops.sqrt), (ops.Sigmoid, ops.sigmoid), (ops.Asin, ops.asin)]:
        np.testing.assert_array_equal(cls()(x).asnumpy(), fn(x).asnumpy())
    np.testing.assert_allclose(ops.matmul(x, Tensor(M)).asnumpy(), U @ M)
    np.testing.assert_allclose(ops.mul(x, 2.0).asnumpy(), 2 * U)
    np.testing.assert_allclose(ops.sum(x, 1).asnumpy(), U.sum(1))
    np.testing.assert_allclose(ops.reduce_sum(x, (0, 1)).asnumpy(), U.sum())


def test_gather_with_batch_dims_matches_a_loop_and_differentiates():
    rng = np.random.default_rng(3)
    params = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)
    idx = np.array([[0, 4, 4], [1, 2, 3]], np.int32)
    out = ops.Gather(batch_dims=1)(Tensor(params), Tensor(idx), 2)
    want = np.stack([np.take(params[b], idx[b], axis=1) for b in range(2)])
    assert out.shape == (2, 3, 3, 4)
    np.testing.assert_array_equal(out.asnumpy(), want)
    g = ops.GradOperation()(lambda p: ops.Gather(batch_dims=1)(p, Tensor(idx), 2))(Tensor(params))
    counts = np.zeros((2, 5))
    for b in range(2):
        np.add.at(counts[b], idx[b], 1.0)
    np.testing.assert_array_equal(g.asnumpy(), np.broadcast_to(counts[:, None, :, None], params.shape))
