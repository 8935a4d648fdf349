"""taylorad.numpy.linalg: values vs numpy, VJPs vs central differences, Taylor coefficients of
orders 1..8 along a line A + t·U against 50-digit mpmath matrices, nested derivatives."""
import math

import mpmath as mp
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.testing import check_grads, check_hvp

la = tnp.linalg
K = 8


def _well_conditioned(rng, n):
    return rng.standard_normal((n, n)) + n * np.eye(n)


def _spd(rng, n):
    m = rng.standard_normal((n, n))
    return m @ m.T + n * np.eye(n)


def _mpm(a):
    return mp.matrix(a.tolist())


def _mp_coeffs(F, shape, K=K):
    """Normalized Taylor coefficients 0..K of every entry of the mpmath function F(t)."""
    out = np.zeros((K + 1,) + shape)
    with mp.workdps(50):
        for idx in np.ndindex(*shape):
            def f(t, idx=idx):
                v = F(t)
                if not shape:
                    return v
                return v[idx] if len(idx) == 2 else v[idx[0], 0]
            out[(slice(None),) + idx] = [float(c) for c in mp.taylor(f, 0, K)]
    return out


def _ta_coeffs(fn, x, v, K=K):
    ds = ta.derivatives(fn, x, v, K)
    return np.array([np.asarray(d) / math.factorial(k) for k, d in enumerate(ds)])


def _close(got, want, rtol=1e-9):
    scale = np.maximum(1.0, np.abs(want))
    err = np.abs(got - want) / scale
    where = np.unravel_index(err.argmax(), err.shape)
    assert err.max() <= rtol, f"max scaled error {err.max():.3g} at (order, entry) {where}"


def test_values_match_numpy(rng):
    A = _well_conditioned(rng, 4)
    B = rng.standard_normal((4, 2))
    b = rng.standard_normal(4)
    As = rng.standard_normal((3, 4, 4)) + 4 * np.eye(4)
    np.testing.assert_allclose(la.solve(A, B), np.linalg.solve(A, B))
    np.testing.assert_allclose(la.solve(A, b), np.linalg.solve(A, b))
    np.testing.assert_allclose(la.solve(As, B), np.linalg.solve(As, B))
    np.testing.assert_allclose(la.inv(As), np.linalg.inv(As))
    np.testing.assert_allclose(la.det(As), np.linalg.det(As))
    s, l = la.slogdet(-A)
    s0, l0 = np.linalg.slogdet(-A)
    assert s == s0
    np.testing.assert_allclose(l, l0)
    S = _spd(rng, 4)
    np.testing.assert_allclose(la.cholesky(S), np.linalg.cholesky(S))
    x = rng.standard_normal((3, 4))
    for ord_, axis in [(None, None), ("fro", None), (None, 1), (1, 0), (np.inf, 1), (-np.inf, 1),
                       (3, 1), (0, 1), (1, None), (np.inf, None), (-1, None), (-np.inf, None)]:
        np.testing.assert_allclose(la.norm(x, ord_, axis), np.linalg.norm(x, ord_, axis),
                                   err_msg=str((ord_, axis)))
    np.testing.assert_allclose(la.norm(x[0], 2), np.linalg.norm(x[0], 2))
    np.testing.assert_allclose(la.norm(x, axis=1, keepdims=True),
                               np.linalg.norm(x, axis=1, keepdims=True))


def test_bad_input_raises():
    with pytest.raises(ValueError, match="solve.*square"):
        la.solve(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match="solve: b"):
        la.solve(np.eye(3), np.ones(2))
    with pytest.raises(ValueError, match="inv"):
        la.inv(np.ones(3))
    with pytest.raises(ValueError, match="norm"):
        la.norm(np.ones((2, 2)), ord=3)  # no induced 3-norm for matrices ("nuc" is supported)


def test_vjps(rng):
    A = _well_conditioned(rng, 3)
    B = rng.standard_normal((3, 2))
    check_grads(la.solve, (A, B))
    check_grads(la.solve, (A, B[:, 0]))
    check_grads(la.solve, (rng.standard_normal((2, 3, 3)) + 3 * np.eye(3), B))  # broadcast B
    check_grads(la.inv, (A,))
    check_grads(la.det, (A,))
    check_grads(lambda a: la.slogdet(a)[1], (A,))
    check_grads(lambda m: la.cholesky(m @ m.T + 3 * np.eye(3)), (rng.standard_normal((3, 3)),))
    check_grads(lambda m: la.cholesky(0.5 * (m + m.T)), (_spd(rng, 3),))
    x = rng.standard_normal((3, 4))
    check_grads(lambda x: la.norm(x), (x,))
    check_grads(lambda x: la.norm(x, axis=0), (x,))
    check_grads(lambda x: la.norm(x, 3, axis=1), (x,))
    check_grads(lambda x: la.norm(x, 1), (x,))


def test_det_gradient_closed_form(rng):
    A = _well_conditioned(rng, 3)
    np.testing.assert_allclose(ta.grad(la.det)(A), np.linalg.det(A) * np.linalg.inv(A).T)
    np.testing.assert_allclose(ta.grad(lambda a: la.slogdet(a)[1])(A), np.linalg.inv(A).T)


def test_solve_taylor_vs_mpmath(rng):
    A, U = _well_conditioned(rng, 3), rng.standard_normal((3, 3))
    B, W = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    got = _ta_coeffs(lambda ab: la.solve(*ab), (A, B), (U, W))
    want = _mp_coeffs(lambda t: (_mpm(A) + t * _mpm(U)) ** -1 * (_mpm(B) + t * _mpm(W)), (3, 2))
    _close(got, want)
    # only A varies; vector right-hand side
    b = rng.standard_normal(3)
    got = _ta_coeffs(lambda a: la.solve(a, b), A, U)
    want = _mp_coeffs(lambda t: mp.lu_solve(_mpm(A) + t * _mpm(U), mp.matrix(b.tolist())), (3,))
    _close(got, want)


def test_inv_det_logdet_taylor_vs_mpmath(rng):
    A, U = _well_conditioned(rng, 3), rng.standard_normal((3, 3))
    line = lambda t: _mpm(A) + t * _mpm(U)  # noqa: E731
    _close(_ta_coeffs(la.inv, A, U), _mp_coeffs(lambda t: line(t) ** -1, (3, 3)))
    _close(_ta_coeffs(la.det, A, U), _mp_coeffs(lambda t: mp.det(line(t)), ()))
    _close(_ta_coeffs(lambda a: la.slogdet(a)[1], A, U),
           _mp_coeffs(lambda t: mp.log(abs(mp.det(line(t)))), ()))
    # det(A + tU) is a cubic: coefficients above 3 vanish
    assert np.abs(_ta_coeffs(la.det, A, U)[4:]).max() < 1e-10


def test_cholesky_taylor_vs_mpmath(rng):
    S = _spd(rng, 3)
    m = rng.standard_normal((3, 3))
    U = m + m.T
    got = _ta_coeffs(la.cholesky, S, U)
    want = _mp_coeffs(lambda t: mp.cholesky(_mpm(S) + t * _mpm(U)), (3, 3))
    _close(got, want)


def test_norm_taylor_vs_mpmath(rng):
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    want = _mp_coeffs(lambda t: mp.sqrt(mp.fsum((mp.mpf(a) + b * t) ** 2 for a, b in zip(x, v))),
                      ())
    _close(_ta_coeffs(la.norm, x, v), want)
    X, V = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    want = _mp_coeffs(lambda t: mp.sqrt(mp.fsum((mp.mpf(a) + b * t) ** 2
                                                for a, b in zip(X.ravel(), V.ravel()))), ())
    _close(_ta_coeffs(lambda x: la.norm(x, "fro"), X, V), want)


def test_nested_derivatives(rng):
    A = _well_conditioned(rng, 3)
    b = rng.standard_normal(3)

    def f(a):  # bᵀ A⁻¹ b + log|det A| + Σ chol(A Aᵀ)
        return tnp.sum(b * la.solve(a, b)) + la.slogdet(a)[1] + \
            tnp.sum(la.cholesky(tnp.matmul(a, a.T)))

    check_hvp(f, A)
    check_hvp(lambda a: la.det(a) * tnp.sum(la.inv(a)), A)
    # grad of a derivative: d/dA of d²/dt² f(A + tU) against central differences
    U = rng.standard_normal((3, 3))

    def d2(a):
        return ta.derivatives(lambda s: tnp.sum(la.inv(s)), a, U, 2)[2]

    g = ta.grad(d2)(A)
    V = rng.standard_normal((3, 3))
    eps = 1e-5
    fd = (np.asarray(d2(A + eps * V)) - np.asarray(d2(A - eps * V))) / (2 * eps)
    np.testing.assert_allclose(np.sum(g * V), fd, rtol=1e-6)


def test_batched_directions(rng):
    """The rules accept a Taylor prefix (K, batch): each direction equals its own pass."""
    from taylorad.core.taylor import TaylorBox, TaylorTrace

    A = _well_conditioned(rng, 3)
    S = _spd(rng, 3)
    fns = [la.inv, la.det, lambda a: la.slogdet(a)[1], lambda a: la.solve(a, A[:, :2]),
           lambda a: la.cholesky(a + a.T), lambda a: tnp.max(a, axis=0),
           lambda a: tnp.logsumexp(a, axis=1), lambda a: tnp.einsum("ij,jk->ik", a, a),
           tnp.arcsinh, lambda a: la.norm(a, axis=1)]
    Kb, nb = 3, 2
    dirs = rng.standard_normal((Kb, nb, 3, 3))
    for fn in fns:
        x0 = S if fn is fns[4] else A
        tr = TaylorTrace(Kb, batch=(nb,))
        with tr:
            out = fn(TaylorBox(x0, dirs, tr))
        for d in range(nb):
            tr1 = TaylorTrace(Kb)
            with tr1:
                one = fn(TaylorBox(x0, dirs[:, d], tr1))
            np.testing.assert_allclose(out._series[:, d], one._series, rtol=1e-10, atol=1e-12)


def test_solve_float32_and_plain_arrays(rng):
    A = _well_conditioned(rng, 3).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    assert la.solve(A, b).dtype == np.float32
    assert ta.grad(lambda a: tnp.sum(la.solve(a, b)))(A).dtype == np.float32
    ds = ta.derivatives(lambda a: la.solve(a, b), A, np.eye(3, dtype=np.float32), 3)
    assert all(d.dtype == np.float32 for d in ds)


def test_grad_of_taylor_through_factored_solve(rng):
    """Reverse over Taylor where A₀ is constant: the constant-A₀ solve (every right-hand side in
    one call) and its VJP."""
    A, U = _well_conditioned(rng, 3), rng.standard_normal((3, 3))
    As = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)  # batched A: the non-LU path
    b = rng.standard_normal(3)
    for a0, u in ((A, U), (As, np.stack([U, U.T]))):
        def d2(b):
            return tnp.sum(ta.derivatives(lambda a: la.solve(a, b), a0, u, 2)[2])

        # d²/dt² (A + tU)⁻¹ b = 2 A⁻¹U A⁻¹U A⁻¹ b: linear in b, gradient 2·(A⁻¹UA⁻¹UA⁻¹)ᵀ·1
        inv = np.linalg.inv(a0)
        M = 2 * inv @ u @ inv @ u @ inv
        want = np.sum(np.swapaxes(M, -1, -2) @ np.ones(3), axis=tuple(range(M.ndim - 2)))
        np.testing.assert_allclose(ta.grad(d2)(b), want, rtol=1e-10)


@pytest.mark.parametrize("shape", [(4,), (4, 3), (2, 4, 3)])
def test_taylor_of_solve_with_only_b_varying(rng, shape):
    """Only b depends on t: every coefficient is solved in one call. Closed form:
    dᵏ/dtᵏ A⁻¹(b·eᵗ) = A⁻¹b·eᵗ for every k."""
    A = _well_conditioned(rng, 4)
    b = rng.standard_normal(shape)
    ds = ta.derivatives(lambda t: la.solve(A, b * tnp.exp(t)), 0.3, 1.0, 5)
    want = np.linalg.solve(A, b[..., None] if len(shape) == 1 else b)
    want = (want[..., 0] if len(shape) == 1 else want) * np.exp(0.3)
    for d in ds:
        np.testing.assert_allclose(d, want, rtol=1e-12, atol=1e-14)
