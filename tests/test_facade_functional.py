"""MindSpore 2.x functional transforms on the facade (MINDSPORE.md §6) beside the JAX-style API."""
import numpy as np
import pytest

import taylorad
import taylorad.numpy as tnp
import taylorad.ops as ops
from taylorad import Parameter, ParameterTuple, Tensor

X = Tensor(np.array([0.5, -1.0, 2.0]))
W = Parameter(Tensor(np.array([1.5, 2.0, -0.5])), name="w")


def f(x):
    return ops.sin(x) * W


def test_jax_spelling_unchanged():
    g = taylorad.grad(lambda x: tnp.sum(x ** 3))(np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, [3.0, 12.0])
    with pytest.raises(TypeError, match="must return a scalar"):
        taylorad.grad(lambda x: x ** 2)(np.array([1.0, 2.0]))
    (v, aux), g = taylorad.value_and_grad(lambda x: (tnp.sum(x * x), 7), has_aux=True)(
        np.array([1.0]))
    assert aux == 7 and float(v) == 1.0 and float(g[0]) == 2.0
    g0, g1 = taylorad.grad(lambda a, b: tnp.sum(a * b), argnums=(0, 1))(np.ones(2), np.full(2, 3.0))
    np.testing.assert_allclose(g1, [1.0, 1.0])


def test_mindspore_spelling():
    cosx, sinx = np.cos(X.asnumpy()), np.sin(X.asnumpy())
    g = taylorad.grad(f)(X)  # facade Tensors: MindSpore semantics (non-scalar output summed)
    np.testing.assert_allclose(g.asnumpy(), cosx * W.asnumpy())
    gx, gw = taylorad.grad(f, grad_position=0, weights=W)(X)
    np.testing.assert_allclose(gw.asnumpy(), sinx)
    gx2, (gw2,) = taylorad.grad(f, 0, ParameterTuple([W]))(X)  # MindSpore positional order
    np.testing.assert_allclose(gw2.asnumpy(), sinx)
    (gw3,) = taylorad.grad(f, grad_position=None, weights=[W])(X)
    np.testing.assert_allclose(gw3.asnumpy(), sinx)
    gt = taylorad.grad(lambda a, b: a * b, grad_position=(0, 1))(X, X)
    assert isinstance(gt, tuple) and len(gt) == 2
    val, grads = taylorad.value_and_grad(f, grad_position=0, weights=W)(X)
    np.testing.assert_allclose(val.asnumpy(), sinx * W.asnumpy())
    g, aux = taylorad.grad(lambda x: (ops.sin(x), x * 2.0), has_aux=True)(X)
    np.testing.assert_allclose(g.asnumpy(), cosx)
    np.testing.assert_allclose(aux[0].asnumpy(), 2 * X.asnumpy())
    (out, aux2), g = taylorad.value_and_grad(lambda x: (ops.sin(x), x * 2.0), grad_position=0,
                                             has_aux=True)(X)
    np.testing.assert_allclose(out.asnumpy(), sinx)
    assert taylorad.grad(lambda a, b: a * b, grad_position=0)(1.0, 2.0) == ()
    with pytest.raises(ValueError, match="both be None"):
        taylorad.grad(f, grad_position=None)
    with pytest.raises(RuntimeError, match="empty"):
        taylorad.grad(f, grad_position=())
    with pytest.raises(IndexError, match="out of range"):
        taylorad.grad(f, grad_position=3)(X)
    with pytest.raises(TypeError, match="either argnums"):
        taylorad.grad(f, 1, grad_position=0)


def test_jacobians_and_hessian():
    h = lambda x: ops.sin(x) * x  # noqa: E731
    xv = X.asnumpy()
    want = np.diag(np.cos(xv) * xv + np.sin(xv))
    np.testing.assert_allclose(ops.jacfwd(h)(X).asnumpy(), want, rtol=1e-13)
    np.testing.assert_allclose(ops.jacrev(h)(X).asnumpy(), want, rtol=1e-13)
    J = ops.jacrev(lambda a, b: a * b, grad_position=(0, 1))(X, X)
    assert isinstance(J, tuple) and J[0].shape == (3, 3)
    s = lambda x: (ops.sin(x) * x).sum()  # noqa: E731
    H = ops.jacfwd(ops.jacrev(s))(X).asnumpy()
    np.testing.assert_allclose(H, np.diag(2 * np.cos(xv) - xv * np.sin(xv)), rtol=1e-12,
                               atol=1e-14)


def test_vjp_jvp():
    out, pull = ops.vjp(lambda x: ops.exp(x) * 2.0, X)
    np.testing.assert_allclose(out.asnumpy(), 2 * np.exp(X.asnumpy()))
    v = Tensor(np.array([1.0, 0.0, 3.0]))
    np.testing.assert_allclose(pull(v).asnumpy(), 2 * np.exp(X.asnumpy()) * v.asnumpy())
    o, t = ops.jvp(lambda x: ops.exp(x) * 2.0, X, v)
    np.testing.assert_allclose(t.asnumpy(), 2 * np.exp(X.asnumpy()) * v.asnumpy())


def test_jet_and_derivative_mindspore_conventions():
    x = Tensor(np.array([1.0], np.float32))
    series = Tensor(np.array([[1.0], [1.0], [0.0]], np.float32))
    out, s = ops.jet(ops.sin, x, series)
    c, si = np.cos(1.0), np.sin(1.0)
    # Faà di Bruno along a path with x' = 1, x'' = 1, x''' = 0
    np.testing.assert_allclose(s.asnumpy().ravel(), [c, c - si, -c - 3 * si], rtol=1e-6)
    assert s.shape == (3, 1) and s.dtype == x.dtype
    np.testing.assert_allclose(s.asnumpy().ravel(), [0.5403, -0.3012, -3.0647], atol=1e-4)
    o, d = ops.derivative(ops.sin, Tensor(np.array([0.4])), 5)
    np.testing.assert_allclose(d.asnumpy(), [np.cos(0.4)], rtol=1e-13)
    outs, ds = ops.derivative(lambda t: (ops.exp(t), t * t), Tensor(np.array([0.4])), 2)
    assert isinstance(outs, list) and isinstance(ds, list)
    np.testing.assert_allclose([ds[0].asnumpy()[0], ds[1].asnumpy()[0]], [np.exp(0.4), 2.0])
    oi, di = ops.derivative(lambda t: t * t * t, Tensor(np.array([2])), 2)  # int -> float
    np.testing.assert_allclose(di.asnumpy(), [12.0])
