"""softplus' and logaddexp's VJP g·σ(u) as one primitive (one product with the tangent stack at
order 1): Hessians, HVPs, reverse-over-reverse and third derivatives through it, against closed
forms of the logistic function's derivatives σ′ = σ(1 − σ), σ″ = σ′(1 − 2σ)."""
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


RNG = np.random.default_rng(7)
X = RNG.normal(size=(40, 5))
Y = (RNG.random(40) > 0.5).astype(float)
A = RNG.normal(size=(3, 1))          # logaddexp's other argument, broadcast against X @ w
W = RNG.normal(size=5) * 0.5


def logistic(w):                     # sum of logaddexp(0, z) - y z: H = Xᵀ diag(σ′(z)) X
    z = X @ w
    return tnp.sum(tnp.logaddexp(0.0, z) - Y * z)


def logistic_h(w):
    z = X @ w
    return X.T @ ((_sig(z) * (1 - _sig(z)))[:, None] * X)


def broadcast(w):                    # logaddexp(a (3, 1), z (40,)) -> (3, 40): u broadcasts
    return tnp.sum(tnp.logaddexp(A, X @ w))


def broadcast_h(w):
    z = X @ w
    d = (_sig(z - A) * (1 - _sig(z - A))).sum(axis=0)
    return X.T @ (d[:, None] * X)


def softplus_sq(w):                  # (Σ softplus(z))²: the cotangent of softplus carries a series
    return tnp.sum(tnp.softplus(X @ w)) ** 2


def softplus_sq_h(w):
    z = X @ w
    s, sp = _sig(z), np.logaddexp(0.0, z).sum()
    gz = X.T @ s
    return 2 * np.outer(gz, gz) + 2 * sp * X.T @ ((s * (1 - s))[:, None] * X)


CASES = [("logistic", logistic, logistic_h), ("broadcast", broadcast, broadcast_h),
         ("softplus squared", softplus_sq, softplus_sq_h)]


@pytest.mark.parametrize("name,fun,href", CASES, ids=[c[0] for c in CASES])
def test_hessian_hvp_and_reverse_over_reverse(name, fun, href):
    H = href(W)
    tol = 1e-12 * np.max(np.abs(H))
    np.testing.assert_allclose(ta.hessian(fun)(W), H, rtol=0, atol=tol)
    v = RNG.normal(size=5)
    np.testing.assert_allclose(ta.hvp(fun, W, v), H @ v, rtol=0, atol=10 * tol * np.abs(v).max())
    np.testing.assert_allclose(ta.jacrev(ta.grad(fun))(W), H, rtol=0, atol=tol)


def test_third_derivative_through_the_vjp():
    # d²/dt² of the gradient of Σ softplus(x) along v: the gradient is σ(x), so its second
    # Taylor derivative along v is σ″(x)·v² (order 2: the composed series of g·σ(u))
    x = np.array([-1.5, 0.2, 2.0])
    v = np.array([0.7, -1.1, 0.4])
    out = ta.derivatives(ta.grad(lambda t: tnp.sum(tnp.softplus(t))), x, v, 2)
    s = _sig(x)
    np.testing.assert_allclose(out[0], s, rtol=1e-14)
    np.testing.assert_allclose(out[1], s * (1 - s) * v, rtol=1e-13)
    np.testing.assert_allclose(out[2], s * (1 - s) * (1 - 2 * s) * v * v, rtol=1e-12, atol=1e-15)
