"""Batched directions and the operators built on them, against closed forms and nested AD."""
import math

import mpmath
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp

RNG = np.random.default_rng(42)
A = RNG.standard_normal((5, 4))
X4 = RNG.standard_normal(4)


def f_tanh(x):
    return tnp.sum(tnp.tanh(A @ x) ** 2) + 0.5 * tnp.sum(x * x)


def hess_tanh(x):
    """Closed form: ∇² Σ tanh(Ax)² + x·x/2 = Aᵀ diag(2(1−t²)(1−3t²)) A + I, t = tanh(Ax)."""
    t = np.tanh(A @ x)
    return A.T @ np.diag(2 * (1 - t ** 2) * (1 - 3 * t ** 2)) @ A + np.eye(x.size)


@pytest.mark.parametrize("chunk", [None, 1, 3, 4, 100])
def test_hessian_closed_form(chunk):
    np.testing.assert_allclose(ta.hessian(f_tanh, chunk_size=chunk)(X4), hess_tanh(X4),
                               rtol=1e-12, atol=1e-12)


def test_hessian_argnums_and_matrix_input():
    def f(a, M):
        return tnp.sum(tnp.sin(M) * a)

    M = RNG.standard_normal((2, 3))
    H = ta.hessian(f, argnums=1)(1.5, M)
    assert H.shape == (2, 3, 2, 3)
    want = np.diag((-1.5 * np.sin(M)).ravel()).reshape(2, 3, 2, 3)
    np.testing.assert_allclose(H, want, rtol=1e-13, atol=1e-15)


def test_hvp_batch_matches_single_hvps():
    V = RNG.standard_normal((6, 4))
    HV = ta.hvp_batch(f_tanh, X4, V)
    np.testing.assert_allclose(HV, V @ hess_tanh(X4).T, rtol=1e-12)
    for i in range(6):
        np.testing.assert_allclose(ta.hvp(f_tanh, X4, V[i]), HV[i], rtol=1e-13)


def test_jacobians_closed_form():
    def g(x):
        return tnp.sin(A @ x) * tnp.exp(x[0])

    want = (np.cos(A @ X4)[:, None] * A) * np.exp(X4[0])
    want[:, 0] += np.sin(A @ X4) * np.exp(X4[0])
    for jac in (ta.jacfwd(g), ta.jacrev(g), ta.jacfwd(g, chunk_size=3), ta.jacrev(g, chunk_size=2)):
        np.testing.assert_allclose(jac(X4), want, rtol=1e-13, atol=1e-14)


def test_jacobian_shapes_and_float32():
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 10
    J = ta.jacrev(lambda x: tnp.exp(x).T)(x)
    assert J.shape == (3, 2, 2, 3) and J.dtype == np.float32
    np.testing.assert_allclose(J, ta.jacfwd(lambda x: tnp.exp(x).T)(x), rtol=1e-6)
    want = np.einsum("ij,ik,jl->jikl", np.exp(x), np.eye(2), np.eye(3))
    np.testing.assert_allclose(J, want, rtol=1e-6)


def _mlp():
    rng = np.random.default_rng(1)
    W1, W2, W3 = rng.standard_normal((3, 7)), rng.standard_normal((7, 5)), rng.standard_normal((5, 1))

    def u(x):
        return tnp.sum(tnp.tanh(tnp.sin(x @ W1) @ W2) @ W3, axis=-1)

    return u


@pytest.mark.parametrize("method", ["collapsed", "stacked", "nested"])
def test_laplacian_mlp_against_hessian_trace(method):
    u = _mlp()
    P = RNG.standard_normal((5, 3))
    want = [np.trace(ta.hessian(lambda y: u(y[None])[0])(p)) for p in P]
    np.testing.assert_allclose(ta.laplacian(u, method)(P), want, rtol=1e-11, atol=1e-12)


def test_laplacian_closed_form():
    # Δ (Σ sin(x_i)·exp(x_0)) computed by hand for one point, batched over points
    def f(x):
        return tnp.sum(tnp.sin(x), axis=-1) * tnp.exp(x[..., 0])

    P = RNG.standard_normal((4, 3))
    s, c, e = np.sin(P), np.cos(P), np.exp(P[:, 0])
    want = -s.sum(1) * e + (2 * c[:, 0] + s.sum(1)) * e
    for m in ("collapsed", "stacked", "nested"):
        np.testing.assert_allclose(ta.laplacian(f, m)(P), want, rtol=1e-12)


def test_laplacian_estimate_and_hessian_diag():
    u = _mlp()
    P = RNG.standard_normal((3, 3))
    exact = ta.laplacian(u)(P)
    for dist in ("rademacher", "normal"):
        est, se = ta.laplacian_estimate(u, P, 4000, seed=3, distribution=dist)
        assert est.shape == se.shape == (3,)
        assert np.all(np.abs(est - exact) < 5 * se + 1e-12)
    d = ta.hessian_diag(f_tanh, chunk_size=3)(X4)
    np.testing.assert_allclose(d, np.diag(hess_tanh(X4)), rtol=1e-12)
    est, se = ta.hessian_diag_estimate(f_tanh, X4, 4000, seed=5)
    assert np.all(np.abs(est - np.diag(hess_tanh(X4))) < 5 * se + 1e-12)
    # Rademacher probes give v ⊙ Hv exactly for a diagonal Hessian: zero variance
    est, se = ta.hessian_diag_estimate(lambda x: tnp.sum(tnp.sin(x)), X4, 3, seed=0)
    np.testing.assert_allclose(est, -np.sin(X4), rtol=1e-13)
    np.testing.assert_allclose(se, 0.0, atol=1e-13)


def f_poly(x):
    return x[0] ** 2 * x[1] + tnp.sin(x[0] * x[2]) + x[1] ** 3 + x[0] * x[1] * x[2] ** 2


def test_derivative_tensor_matches_nested():
    x = np.array([0.3, 0.5, 0.7])
    np.testing.assert_allclose(ta.derivative_tensor(f_poly, x, 2), ta.hessian(f_poly)(x),
                               rtol=1e-12, atol=1e-13)
    T3 = ta.jacfwd(ta.hessian(f_poly))(x)
    np.testing.assert_allclose(ta.derivative_tensor(f_poly, x, 3), T3, rtol=1e-12, atol=1e-12)
    T4 = ta.jacfwd(ta.jacfwd(ta.hessian(f_poly)))(x)
    np.testing.assert_allclose(ta.derivative_tensor(f_poly, x, 4), T4, rtol=1e-11, atol=1e-11)


def test_derivative_tensor_selected_closed_form():
    x = np.array([0.3, 0.5, 0.7])
    # ∂³/∂x0²∂x2 of sin(x0 x2) = −2x2·x0·... : d/dx2 of −x2² sin(x0 x2) = −2 x2 sin − x0 x2² cos
    a, c = x[0], x[2]
    want_002 = -2 * c * np.sin(a * c) - a * c ** 2 * np.cos(a * c)
    got = ta.derivative_tensor(f_poly, x, 3, indices=[(0, 0, 2), (1, 1, 1), (0, 1, 2), (2, 0, 0)])
    np.testing.assert_allclose(got, [want_002, 6.0, 2 * c, want_002], rtol=1e-12)


@pytest.mark.parametrize("name,f,fm,x0", [
    ("exp", tnp.exp, mpmath.exp, 0.3),
    ("sin", tnp.sin, mpmath.sin, 0.7),
    ("log", tnp.log, mpmath.log, 1.3),
    ("tanh", tnp.tanh, mpmath.tanh, 0.4),
    ("sigmoid", tnp.sigmoid, lambda x: 1 / (1 + mpmath.exp(-x)), 0.4),
    ("divide", lambda x: 1.0 / (2.0 + x), lambda x: 1 / (2 + x), 0.5),
    ("power", lambda x: x ** 2.5, lambda x: x ** 2.5, 1.5),
])
def test_order_30_against_mpmath(name, f, fm, x0):
    K = 30
    ds = ta.derivatives(f, np.float64(x0), np.float64(1.0), K)
    with mpmath.workdps(50):
        ref = mpmath.taylor(fm, mpmath.mpf(x0), K)
    for k in range(K + 1):
        got = float(ds[k]) / math.factorial(k)
        assert abs(got - float(ref[k])) <= 1e-10 * abs(float(ref[k])), (name, k)


def test_toolbox_bad_input():
    with pytest.raises(ValueError, match="hvp_batch: V must have shape"):
        ta.hvp_batch(f_tanh, X4, np.ones(4))
    with pytest.raises(TypeError, match="hvp_batch: V has dtype float32"):
        ta.hvp_batch(f_tanh, X4, np.ones((2, 4), np.float32))
    with pytest.raises(ValueError, match="hessian: chunk_size must be a positive integer"):
        ta.hessian(f_tanh, chunk_size=0)(X4)
    with pytest.raises(TypeError, match="hessian: argnums must be a single int"):
        ta.hessian(f_tanh, argnums=(0,))(X4)
    with pytest.raises(TypeError, match="hessian: argument 0 has dtype int64"):
        ta.hessian(f_tanh)(np.arange(4))
    with pytest.raises(ValueError, match="laplacian: method must be"):
        ta.laplacian(f_tanh, "fast")
    with pytest.raises(ValueError, match="laplacian_estimate: distribution must be"):
        ta.laplacian_estimate(f_tanh, X4, 3, distribution="cauchy")
    with pytest.raises(ValueError, match="the number of samples must be a positive integer"):
        ta.hessian_diag_estimate(f_tanh, X4, 0)
    with pytest.raises(ValueError, match="derivative_tensor: order must be a positive integer"):
        ta.derivative_tensor(f_poly, np.ones(3), 0)
    with pytest.raises(ValueError, match="derivative_tensor: each index must be a tuple of 3"):
        ta.derivative_tensor(f_poly, np.ones(3), 3, indices=[(0, 1)])
    with pytest.raises(TypeError, match="derivative_tensor: the function must return a scalar"):
        ta.derivative_tensor(lambda x: x * 2.0, np.ones(3), 2)


def test_gradient_through_collapsed_laplacian_matches_differences():
    """A PINN-style loss Σ (Δu)² differentiated w.r.t. the weights (reverse over collapsed)."""
    rng = np.random.default_rng(0)
    W1, w2, P = rng.standard_normal((2, 6)), rng.standard_normal(6), rng.standard_normal((5, 2))

    def loss(W1):
        return tnp.sum(ta.laplacian(lambda x: tnp.tanh(x @ W1) @ w2)(P) ** 2)

    g = ta.grad(loss)(W1)
    eps, fd = 1e-6, np.zeros_like(W1)
    for i in range(2):
        for j in range(6):
            E = np.zeros_like(W1)
            E[i, j] = eps
            fd[i, j] = (loss(W1 + E) - loss(W1 - E)) / (2 * eps)
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-7)
