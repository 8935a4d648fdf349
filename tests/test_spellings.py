"""Top-level taylorad.jacfwd/jacrev/vjp/jvp accept MindSpore 2.x's spelling and facade Tensors
without changing the JAX-style behaviour."""
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
import taylorad.ops as ops
from taylorad import Tensor

X = np.array([0.1, 0.2, -0.4], np.float32)
JAC = np.diag(np.cos(X) * X + np.sin(X))  # d/dx (sin(x)·x), elementwise


def ms_f(x):
    return ops.sin(x) * x


@pytest.mark.parametrize("jac", [ta.jacfwd, ta.jacrev])
def test_jacobians_both_spellings(jac):
    for got in (jac(ms_f, grad_position=0)(Tensor(X)), jac(ms_f)(Tensor(X))):
        assert isinstance(got, Tensor) and got.dtype == ta.float32
        np.testing.assert_allclose(got.asnumpy(), JAC, rtol=1e-6, atol=1e-7)
    got = jac(lambda x: tnp.sin(x) * x)(X.astype(np.float64))  # JAX spelling, plain arrays
    assert isinstance(got, np.ndarray)
    np.testing.assert_allclose(got, JAC, rtol=1e-6, atol=1e-7)
    with pytest.raises(TypeError, match="either argnums .* or grad_position"):
        jac(ms_f, 1, grad_position=0)


def test_vjp_jvp_with_tensors():
    out, pullback = ta.vjp(ms_f, Tensor(X))
    np.testing.assert_allclose(pullback(Tensor(np.ones(3, np.float32))).asnumpy(), np.diag(JAC),
                               rtol=1e-6)
    out, tangent = ta.jvp(ms_f, Tensor(X), Tensor(np.ones(3, np.float32)))
    np.testing.assert_allclose(tangent.asnumpy(), np.diag(JAC), rtol=1e-6)
    out, tangent = ta.jvp(lambda x: tnp.sin(x) * x, (X,), (np.ones(3, np.float32),))
    assert isinstance(tangent, np.ndarray)
    np.testing.assert_allclose(tangent, np.diag(JAC), rtol=1e-6)


def test_functional_api_accepts_functions_returning_tensors():
    x = np.array([0.3, 0.5])
    want = np.diag(-np.sin(x))
    np.testing.assert_allclose(ta.hessian(lambda y: ops.sin(Tensor(y)).sum())(x), want, rtol=1e-14)
    np.testing.assert_allclose(ta.hessian(lambda y: ops.sin(y).sum())(Tensor(x)), want, rtol=1e-14)
    np.testing.assert_allclose(ta.grad(lambda y: ops.sin(Tensor(y)).sum())(x), np.cos(x))
    np.testing.assert_allclose(ta.laplacian(lambda p: ops.sin(Tensor(p)).sum(-1))(x[None]),
                               [-np.sin(x).sum()], rtol=1e-14)
    ds = ta.derivatives(lambda y: ops.sin(Tensor(y)), x, np.ones(2), 2)
    np.testing.assert_allclose(ds[2], -np.sin(x), rtol=1e-14)


@pytest.mark.parametrize("jac", [ta.jacfwd, ta.jacrev, ops.jacfwd, ops.jacrev])
def test_jacobians_with_aux(jac):
    def f(x):
        return ops.sin(x) * x, x * 2

    J, aux = jac(f, grad_position=0, has_aux=True)(Tensor(X))
    np.testing.assert_allclose(J.asnumpy(), JAC, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(aux.asnumpy(), 2 * X)
    with pytest.raises(TypeError, match="has_aux=True needs fn to return a tuple"):
        jac(ms_f, grad_position=0, has_aux=True)(Tensor(X))
