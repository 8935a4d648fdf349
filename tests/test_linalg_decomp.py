"""numpy.linalg decompositions and what is built on them (eigh, eigvalsh, svd, svdvals, qr, pinv,
lstsq, the spectral/nuclear norms, cond, matrix_power, multi_dot, tensorinv/tensorsolve,
solve_triangular, scipy.linalg's cho_solve/cholesky): Taylor coefficients of orders 1..8 along a
line A + t·V against 100-digit mpmath (tests/linalg_ref.py), float64 and float32; VJP and JVP
against central differences; HVPs against differences of gradients; degenerate cases warn."""
import warnings

import mpmath as mp
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
import taylorad.scipy.linalg as sla
from linalg_ref import (assert_coeffs_close, line_coeffs, mp_eigh, mp_pinv, mp_qr, mp_svals,
                        mp_svd, mp_tri, sym, ta_coeffs, to_mp)
from taylorad.testing import check_grads, check_hvp

la = tnp.linalg


def _rng():
    return np.random.default_rng(7)


def _spd_spread(rng, n):
    """Symmetric with eigenvalues 1.5, 3, 4.5, … (well separated), random eigenvectors."""
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return q @ np.diag(1.5 * np.arange(1.0, n + 1)) @ q.T


def _flat(*xs):
    return tnp.concatenate([tnp.ravel(x) for x in xs])


def _tri_case(lower, trans, unit):
    def ta_f(a, b):
        return la.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit)

    def mp_f(a, b):
        T = mp_tri(a, lower, unit)
        return (T.T if trans else T) ** -1 * b
    return ta_f, mp_f


def taylor_cases():
    """(id, taylorad function, mpmath function, primals, directions)."""
    rng = _rng()
    cases = []
    S = _spd_spread(rng, 4)
    U = 0.3 * rng.standard_normal((4, 4))
    w0, V0 = np.linalg.eigh(S)
    cases.append(("eigh", lambda a: _flat(*la.eigh(a)), mp_eigh(to_mp(V0)), [S], [U]))
    cases.append(("eigvalsh", la.eigvalsh, lambda a: mp_eigh(to_mp(V0))(a)[0], [S], [U]))
    for shape in [(5, 3), (3, 5), (4, 4)]:
        A = rng.standard_normal(shape)
        V = 0.3 * rng.standard_normal(shape)
        U0 = np.linalg.svd(A, full_matrices=False)[0]
        _, R0 = np.linalg.qr(A)
        cases.append((f"svd{shape}", lambda a: _flat(*la.svd(a, full_matrices=False)),
                      mp_svd(to_mp(U0)), [A], [V]))
        cases.append((f"qr{shape}", lambda a: _flat(*la.qr(a)), mp_qr(to_mp(R0)), [A], [V]))
        if shape[0] != shape[1]:
            cases.append((f"pinv{shape}", la.pinv, mp_pinv, [A], [V]))
    A, V = rng.standard_normal((4, 3)), 0.3 * rng.standard_normal((4, 3))
    cases.append(("svdvals", la.svdvals, mp_svals, [A], [V]))
    cases.append(("svd_compute_uv_false", lambda a: la.svd(a, compute_uv=False), mp_svals,
                  [A], [V]))
    _, R0 = np.linalg.qr(A)
    cases.append(("qr_mode_r", lambda a: la.qr(a, mode="r"),
                  lambda a: mp_qr(to_mp(R0))(a)[1], [A], [V]))
    cases.append(("norm_nuc", lambda a: la.norm(a, "nuc"), lambda a: mp.fsum(mp_svals(a)),
                  [A], [V]))
    cases.append(("norm_2", lambda a: la.norm(a, 2), lambda a: mp_svals(a)[0], [A], [V]))
    cases.append(("matrix_norm_-2", lambda a: la.matrix_norm(a, ord=-2),
                  lambda a: mp_svals(a)[-1], [A], [V]))
    cases.append(("cond", la.cond, lambda a: mp_svals(a)[0] / mp_svals(a)[-1], [A], [V]))
    b, vb = rng.standard_normal(4), rng.standard_normal(4)
    cases.append(("lstsq_x", lambda a, b: la.lstsq(a, b)[0], lambda a, b: mp_pinv(a) * b,
                  [A, b], [V, vb]))
    cases.append(("lstsq_residuals", lambda a, b: la.lstsq(a, b)[1],
                  lambda a, b: mp.fsum(r ** 2 for r in (b - a * (mp_pinv(a) * b))), [A, b],
                  [V, vb]))
    b3, vb3 = rng.standard_normal(3), rng.standard_normal(3)
    cases.append(("lstsq_minimum_norm", lambda a, b: la.lstsq(a, b)[0],
                  lambda a, b: mp_pinv(a) * b, [A.T, b3], [V.T, vb3]))
    M = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    W = 0.3 * rng.standard_normal((3, 3))
    cases.append(("cond_fro", lambda a: la.cond(a, "fro"),
                  lambda a: mp.mnorm(a, "f") * mp.mnorm(a ** -1, "f"), [M], [W]))
    cases.append(("matrix_power_3", lambda a: la.matrix_power(a, 3), lambda a: a ** 3, [M], [W]))
    cases.append(("matrix_power_-2", lambda a: la.matrix_power(a, -2), lambda a: a ** -2,
                  [M], [W]))
    B, C = rng.standard_normal((3, 2)), rng.standard_normal((2, 4))
    cases.append(("multi_dot", lambda a, b, c: la.multi_dot([a, b, c]),
                  lambda a, b, c: a * b * c, [M, B, C], [W, 0.3 * B[::-1], 0.3 * C[::-1]]))
    T4 = (rng.standard_normal((4, 4)) + 4 * np.eye(4))
    cases.append(("tensorinv", lambda a: la.tensorinv(tnp.reshape(a, (4, 2, 2)), ind=1),
                  lambda a: (a ** -1), [T4], [0.3 * rng.standard_normal((4, 4))]))
    for lower, trans, unit in [(True, 0, False), (False, 1, False), (True, "T", True),
                               (False, 0, True)]:
        ta_f, mp_f = _tri_case(lower, trans, unit)
        bm = rng.standard_normal((3, 2))
        cases.append((f"solve_triangular_{lower}_{trans}_{unit}", ta_f, mp_f, [M, bm],
                      [W, 0.3 * bm[::-1]]))
    Ss = _spd_spread(rng, 3)
    Us = sym(0.3 * rng.standard_normal((3, 3)))  # cholesky's tangents are symmetric
    bs = rng.standard_normal(3)
    for lower in (False, True):
        cases.append((f"cho_solve_{lower}", lambda s, b, lower=lower:
                      sla.cho_solve(sla.cho_factor(s, lower=lower), b),
                      lambda s, b: s ** -1 * b, [Ss, bs], [Us, 0.3 * bs[::-1]]))
    cases.append(("scipy_cholesky_upper", sla.cholesky, lambda s: mp.cholesky(s).T, [Ss], [Us]))
    return cases


CASES = taylor_cases()
QUICK = {"eigh", "eigvalsh", "svd(5, 3)", "svd(3, 5)", "qr(5, 3)", "qr(3, 5)", "pinv(5, 3)",
         "norm_nuc", "lstsq_x", "solve_triangular_False_1_False", "cho_solve_False"}
_REFS = {}


def _reference(case, K):
    name, _, mp_f, x0s, vs = case
    if (name, K) not in _REFS:
        _REFS[name, K] = line_coeffs(mp_f, x0s, vs, K)
    return _REFS[name, K]


def _params():
    return [pytest.param(c, id=c[0], marks=() if c[0] in QUICK else pytest.mark.slow)
            for c in CASES]


@pytest.mark.parametrize("case", _params())
def test_taylor_order_8_vs_mpmath(case):
    name, fn, _, x0s, vs = case
    assert_coeffs_close(ta_coeffs(fn, x0s, vs, 8), _reference(case, 8), rtol=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["eigh", "svd(5, 3)", "svd(3, 5)", "qr(5, 3)", "qr(3, 5)",
                                  "pinv(5, 3)"])
def test_taylor_order_16_vs_mpmath(name):
    """Spot check far beyond order 8: the recurrences stay accurate."""
    case = next(c for c in CASES if c[0] == name)
    _, fn, mp_f, x0s, vs = case
    assert_coeffs_close(ta_coeffs(fn, x0s, vs, 16), line_coeffs(mp_f, x0s, vs, 16), rtol=1e-9)


@pytest.mark.parametrize("case", _params())
def test_taylor_orders_1_to_4_vs_mpmath(case):
    name, fn, _, x0s, vs = case
    assert_coeffs_close(ta_coeffs(fn, x0s, vs, 4), _reference(case, 8)[:5], rtol=1e-10)


@pytest.mark.parametrize("case", _params())
def test_taylor_float32(case):
    """float32 in, float32 out, and coefficients 1..4 within float32's accuracy."""
    name, fn, _, x0s, vs = case
    x32 = [np.asarray(x, dtype=np.float32) for x in x0s]
    v32 = [np.asarray(v, dtype=np.float32) for v in vs]
    ds = ta.derivatives(fn, x32[0], v32[0], 4) if len(x32) == 1 else \
        ta.derivatives(lambda xs: fn(*xs), tuple(x32), tuple(v32), 4)
    assert all(np.asarray(d).dtype == np.float32 for d in ds), [np.asarray(d).dtype for d in ds]
    got = ta_coeffs(fn, x32, v32, 4)
    assert_coeffs_close(got, _reference(case, 8)[:5], rtol=2e-3)


# first and second order against differences ---------------------------------------------------
def grad_cases():
    """(id, function, args): outputs made sign-invariant where a vector's sign is a convention
    (finite differences call NumPy at A ± εV, whose sign choices need not be continuous)."""
    rng = np.random.default_rng(3)
    S = _spd_spread(rng, 4) + 0.1 * rng.standard_normal((4, 4))  # non-symmetric point too
    A53, A35 = rng.standard_normal((5, 3)), rng.standard_normal((3, 5))
    M = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    Sb = np.stack([_spd_spread(rng, 3) for _ in range(2)])  # a stack of matrices

    def eig_inv(a):
        w, V = la.eigh(a)
        return w, V * V, V[:, :1] * V[:, :1].T

    def svd_inv(a):
        U, s, Vh = la.svd(a, full_matrices=False)
        return s, U * U, Vh * Vh, U[..., :, :1] * Vh[..., :1, :]

    def qr_inv(a):
        Q, R = la.qr(a)
        return Q * Q, R * R, Q[..., :, :1] * R[..., :1, :]

    return [
        ("eigh", eig_inv, (S,)),
        ("eigh_stack", lambda a: la.eigh(a)[0], (Sb,)),
        ("eigvalsh", la.eigvalsh, (S,)),
        ("svd53", svd_inv, (A53,)),
        ("svd35", svd_inv, (A35,)),
        ("svd_stack", svd_inv, (np.stack([A53, A53[::-1]]),)),
        ("svdvals", la.svdvals, (A35,)),
        ("qr53", qr_inv, (A53,)),
        ("qr35", qr_inv, (A35,)),
        ("qr_stack", qr_inv, (np.stack([M, M.T]),)),
        ("pinv53", la.pinv, (A53,)),
        ("pinv35", la.pinv, (A35,)),
        ("lstsq", lambda a, b: la.lstsq(a, b)[:2], (A53, rng.standard_normal((5, 2)))),
        ("norm_nuc", lambda a: la.norm(a, "nuc"), (A53,)),
        ("norm_2_axis", lambda a: la.norm(a, 2, axis=(0, 2)), (rng.standard_normal((3, 2, 4)),)),
        ("norm_-2", lambda a: la.norm(a, -2), (A35,)),
        ("cond", la.cond, (M,)),
        ("cond_inf", lambda a: la.cond(a, np.inf), (M,)),
        ("matrix_power", lambda a: la.matrix_power(a, -3), (M,)),
        ("multi_dot", lambda a, b: la.multi_dot([b[0], a, a, b[:, 0]]), (M, M.T)),
        ("tensorsolve", la.tensorsolve, ((np.eye(6) * 3 + rng.standard_normal((6, 6))
                                          ).reshape(2, 3, 6), rng.standard_normal((2, 3)))),
        ("solve_triangular", lambda a, b: la.solve_triangular(a, b, trans=1, lower=True), (M, M)),
        ("cho_solve", lambda s, b: sla.cho_solve(sla.cho_factor(sym(s)), b),
         (_spd_spread(rng, 3), rng.standard_normal(3))),
    ]


@pytest.mark.parametrize("name,f,args", grad_cases(), ids=[c[0] for c in grad_cases()])
def test_vjp_jvp_vs_central_differences(name, f, args):
    check_grads(f, args)


HVP_CASES = [
    ("eigh", lambda a: tnp.sum(tnp.sin(la.eigh(a)[1] ** 2)) + tnp.sum(la.eigvalsh(a) ** 3)),
    ("svd", lambda a: tnp.sum(la.svd(a, full_matrices=False)[0] ** 4) +
     tnp.sum(tnp.exp(la.svdvals(a)))),
    ("qr", lambda a: tnp.sum(la.qr(a)[0] ** 4) + tnp.sum(la.qr(a)[1] ** 3)),
    ("pinv", lambda a: tnp.sum(la.pinv(a) ** 3)),
    ("nuc", lambda a: la.norm(a, "nuc") ** 2),
]


@pytest.mark.parametrize("name,f", HVP_CASES, ids=[c[0] for c in HVP_CASES])
def test_hvp_vs_differences_of_gradients(name, f):
    rng = np.random.default_rng(5)
    a = rng.standard_normal((4, 3))
    if name == "eigh":
        a = _spd_spread(rng, 4)
    check_hvp(f, a)


def test_grad_of_grad_vs_differences():
    """d/dA of ⟨∇ₐ eigvalsh-energy, U⟩ (a second derivative by nesting reverse in reverse)."""
    rng = np.random.default_rng(11)
    A, U, V = _spd_spread(rng, 3), rng.standard_normal((3, 3)), rng.standard_normal((3, 3))

    def inner(a):
        return tnp.sum(ta.grad(lambda x: tnp.sum(la.eigvalsh(x) ** 3))(a) * U)

    g = ta.grad(inner)(A)
    eps = 1e-5
    fd = (inner(A + eps * V) - inner(A - eps * V)) / (2 * eps)
    np.testing.assert_allclose(np.sum(g * V), fd, rtol=1e-6)


# closed forms, conventions, batching -----------------------------------------------------------
def test_values_and_signs_match_numpy():
    rng = np.random.default_rng(2)
    S = _spd_spread(rng, 4)
    for got, want in zip(la.eigh(S), np.linalg.eigh(S)):  # same signs as NumPy's vectors
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)
    for shape in [(5, 3), (3, 5), (2, 4, 3)]:
        A = rng.standard_normal(shape)
        for got, want in zip(la.svd(A, full_matrices=False), np.linalg.svd(A, full_matrices=False)):
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)
        for got, want in zip(la.qr(A), np.linalg.qr(A)):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(la.svdvals(A), np.linalg.svdvals(A), rtol=1e-13)
    A = rng.standard_normal((4, 3))
    np.testing.assert_allclose(la.pinv(A), np.linalg.pinv(A))
    np.testing.assert_allclose(ta.jvp(la.pinv, (A,), (A,))[0], np.linalg.pinv(A), rtol=1e-12)
    b = rng.standard_normal(4)
    for got, want in zip(la.lstsq(A, b), np.linalg.lstsq(A, b)):
        np.testing.assert_allclose(got, want)
    x, res, rank, s = ta.jvp(lambda a: la.lstsq(a, b), (A,), (A,))[0]
    want = np.linalg.lstsq(A, b)
    np.testing.assert_allclose(x, want[0], rtol=1e-12)
    np.testing.assert_allclose(res, want[1], rtol=1e-12)
    assert rank == want[2]
    np.testing.assert_allclose(s, want[3], rtol=1e-13)
    for ord_ in ("nuc", 2, -2):
        for axis in (None, (1, 0)):
            np.testing.assert_allclose(la.norm(A, ord_, axis), np.linalg.norm(A, ord_, axis))
    np.testing.assert_allclose(la.cond(A), np.linalg.cond(A))
    assert la.matrix_rank(A) == 3 and la.svd(A).U.shape == (4, 4)  # untraced: NumPy's own


def test_closed_form_gradients():
    rng = np.random.default_rng(4)
    S = _spd_spread(rng, 4)
    w, V = np.linalg.eigh(S)
    np.testing.assert_allclose(ta.grad(lambda a: la.eigvalsh(a)[-1])(S), np.outer(V[:, -1],
                                                                                  V[:, -1]))
    A = rng.standard_normal((5, 3))
    U, s, Vh = np.linalg.svd(A, full_matrices=False)
    np.testing.assert_allclose(ta.grad(lambda a: la.norm(a, "nuc"))(A), U @ Vh, atol=1e-12)
    np.testing.assert_allclose(ta.grad(lambda a: la.norm(a, 2))(A), np.outer(U[:, 0], Vh[0]),
                               atol=1e-12)
    # d²/dt² λ_i(S + tE) = 2 Σ_{j≠i} (v_iᵀEv_j)² / (λ_i − λ_j): second-order perturbation theory
    E = sym(rng.standard_normal((4, 4)))
    d2 = ta.derivatives(la.eigvalsh, S, E, 2)[2]
    P = V.T @ E @ V
    want = [2 * sum(P[i, j] ** 2 / (w[i] - w[j]) for j in range(4) if j != i) for i in range(4)]
    np.testing.assert_allclose(d2, want, rtol=1e-10)


def test_batched_matrices_and_directions():
    """Stacks of matrices, and Taylor directions carried in a batch axis: each equals its own
    pass on one matrix / one direction."""
    from taylorad.core.taylor import TaylorBox, TaylorTrace

    rng = np.random.default_rng(6)
    Ss = np.stack([_spd_spread(rng, 3) for _ in range(2)])
    As = rng.standard_normal((2, 4, 3))
    cases = [(lambda a, c=c: la.eigh(a)[c], Ss) for c in range(2)] + \
        [(lambda a, c=c: la.qr(a)[c], As) for c in range(2)] + \
        [(lambda a, c=c: la.svd(a, full_matrices=False)[c], As) for c in range(3)] + \
        [(la.svdvals, As), (la.eigvalsh, Ss), (la.pinv, As)]
    for fn, X in cases:
        V = 0.3 * rng.standard_normal(X.shape)
        full = ta.derivatives(fn, X, V, 3)
        for i in range(2):
            one = ta.derivatives(fn, X[i], V[i], 3)
            for d_full, d_one in zip(full, one):
                np.testing.assert_allclose(d_full[i], d_one, rtol=1e-10, atol=1e-12)
        Kb, nb = 3, 2
        dirs = rng.standard_normal((Kb, nb) + X.shape[1:])
        tr = TaylorTrace(Kb, batch=(nb,))
        with tr:
            out = fn(TaylorBox(X[0], dirs, tr))
        for d in range(nb):
            tr1 = TaylorTrace(Kb)
            with tr1:
                one = fn(TaylorBox(X[0], dirs[:, d], tr1))
            np.testing.assert_allclose(out._series[:, d], one._series, rtol=1e-10, atol=1e-12)


def test_numpy_dispatch_on_traced_values():
    rng = np.random.default_rng(8)
    A = rng.standard_normal((4, 3))

    def f(a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        q, r = np.linalg.qr(a)
        w = np.linalg.eigvalsh(a.T @ a)
        return (np.sum(s) + np.linalg.norm(a, "nuc") + np.linalg.norm(a, 2) + np.sum(w)
                + np.sum(np.linalg.pinv(a)) + np.sum(r * r) + np.linalg.cond(a)
                + np.sum(np.linalg.svdvals(a)) + np.linalg.matrix_norm(a, ord="nuc")
                + np.linalg.matrix_rank(a))

    def g(a):
        return (np.sum(la.svd(a, full_matrices=False)[1]) + la.norm(a, "nuc") + la.norm(a, 2)
                + tnp.sum(la.eigvalsh(a.T @ a)) + tnp.sum(la.pinv(a)) + tnp.sum(la.qr(a)[1] ** 2)
                + la.cond(a) + tnp.sum(la.svdvals(a)) + la.norm(a, "nuc") + 3)

    np.testing.assert_allclose(ta.grad(f)(A), ta.grad(g)(A), rtol=1e-12)
    check_grads(f, (A,))


# degenerate cases and refusals --------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning",
                            "ignore:divide by zero:RuntimeWarning")
def test_repeated_eigenvalues_warn_instead_of_silent_nan():
    S = np.diag([1.0, 1.0, 3.0])
    E = sym(np.arange(9.0).reshape(3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # first derivatives of the values need no gap
        g = ta.grad(lambda a: la.eigvalsh(a)[-1])(S)
        g2 = ta.grad(lambda a: la.eigh(a)[0][-1])(S)  # the unused vectors' cotangent is zero
        d1 = ta.jvp(la.eigvalsh, (S,), (E,))[1]
    np.testing.assert_allclose(g, np.diag([0.0, 0.0, 1.0]))
    np.testing.assert_allclose(g2, g)
    np.testing.assert_allclose(d1[-1], E[2, 2])
    with pytest.warns(RuntimeWarning, match="eigh: repeated eigenvalues"):
        ta.grad(lambda a: tnp.sum(la.eigh(a)[1]))(S)
    with pytest.warns(RuntimeWarning, match="repeated eigenvalues"):
        ta.derivatives(la.eigvalsh, S, E, 2)
    with pytest.warns(RuntimeWarning, match="repeated singular values"):
        ta.jvp(lambda a: la.svd(a, full_matrices=False)[0], (np.eye(3),), (E,))
    with pytest.warns(RuntimeWarning, match="singular value of a non-square matrix"):
        ta.jvp(lambda a: la.svd(a, full_matrices=False)[0], (np.diag([2.0, 0.0])[:, :2].repeat(
            2, axis=0)[:3],), (np.ones((3, 2)),))


def test_refusals_name_function_argument_and_fix():
    A = np.ones((3, 2))
    with pytest.raises(ValueError, match="svd: full_matrices=True.*full_matrices=False"):
        ta.grad(lambda a: tnp.sum(la.svd(a)[0]))(A)
    with pytest.raises(ValueError, match="qr: mode='complete'"):
        ta.grad(lambda a: tnp.sum(la.qr(a, mode="complete")[0]))(A)
    with pytest.raises(ValueError, match="pinv: a is rank-deficient"):
        ta.grad(lambda a: tnp.sum(la.pinv(a)))(A)
    with pytest.raises(TypeError, match="eig of a traced matrix.*complex.*eigh"):
        ta.grad(lambda a: tnp.sum(np.linalg.eig(a)[0]))(np.eye(2))
    with pytest.raises(TypeError, match="eigvals of a traced matrix"):
        ta.grad(lambda a: tnp.sum(la.eigvals(a)))(np.eye(2))
    with pytest.raises(TypeError, match="eigh: a is complex.*out of scope"):
        la.eigh(np.eye(2) * 1j)
    with pytest.raises(TypeError, match="svd: a is complex"):
        la.svd(np.ones((2, 2), complex))
    with pytest.raises(ValueError, match="eigh: a must be a square matrix"):
        la.eigh(A)
    with pytest.raises(ValueError, match="matrix_norm: x must have at least 2"):
        la.matrix_norm(np.ones(3))
    with pytest.raises(TypeError, match="matrix_power: n must be an integer"):
        la.matrix_power(np.eye(2), 1.5)
    with pytest.raises(ValueError, match="solve_triangular: trans must be"):
        la.solve_triangular(np.eye(2), np.ones(2), trans="X")
    with pytest.raises(ValueError, match="lstsq: a must be"):
        ta.grad(lambda a: tnp.sum(la.lstsq(a, np.ones(4))[0]))(np.eye(3))
    # matrix_rank is piecewise constant: an integer, never traced (zero derivative)
    assert ta.grad(lambda a: tnp.sum(a) * la.matrix_rank(a))(np.eye(2))[0, 0] == 2


@pytest.mark.parametrize("name", ["eigvalsh", "eigh", "svd", "qr", "pinv"])
def test_grad_of_taylor_coefficient_vs_differences(name):
    """Reverse over Taylor: d/dA of the order-3 coefficient of f(A + tE) (the Taylor rules are
    written in taylorad primitives, so they differentiate again)."""
    rng = np.random.default_rng(13)
    if name.startswith("eig"):
        A, E, W = _spd_spread(rng, 3), rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    else:
        A, E, W = (rng.standard_normal((4, 3)) for _ in range(3))
    E = 0.3 * E
    f = {"eigvalsh": la.eigvalsh, "eigh": lambda a: la.eigh(a)[1] ** 2,
         "svd": lambda a: la.svd(a, full_matrices=False)[2] ** 2,
         "qr": lambda a: la.qr(a)[1] ** 2, "pinv": la.pinv}[name]

    def d3(a):
        return tnp.sum(tnp.sin(ta.derivatives(f, a, E, 3)[3]))

    g = ta.grad(d3)(A)
    h = 1e-4  # fourth-order central differences

    def d(s):
        return d3(A + s * h * W)

    fd = (8 * (d(1) - d(-1)) - (d(2) - d(-2))) / (12 * h)
    np.testing.assert_allclose(np.sum(g * W), fd, rtol=1e-7)


@pytest.mark.slow
def test_gradients_and_hessians_match_jax():
    """JAX as a peer reference: the same conventions (symmetrized eigh, reduced svd/qr), so the
    same gradients and Hessians of gauge-invariant functions."""
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        rng = np.random.default_rng(21)
        S, A = rng.standard_normal((5, 5)), rng.standard_normal((6, 4))
        pairs = [
            (lambda m, a: m.sum(m.linalg.eigh(a)[1] ** 4) + m.sum(m.linalg.eigh(a)[0] ** 3), S),
            (lambda m, a: m.sum(m.linalg.svd(a, full_matrices=False)[0] ** 4)
             + m.sum(m.linalg.svd(a, full_matrices=False)[2] ** 4)
             + m.sum(m.linalg.svd(a, compute_uv=False) ** 3), A),
            (lambda m, a: m.sum(m.linalg.qr(a)[0] ** 4) + m.sum(m.linalg.qr(a)[1] ** 3), A),
            (lambda m, a: m.sum(m.linalg.pinv(a) ** 3) + m.linalg.norm(a, "nuc"), A),
        ]
        for i, (f, x) in enumerate(pairs):
            mine = ta.grad(lambda a: f(tnp, a))(x)
            np.testing.assert_allclose(mine, np.asarray(jax.grad(lambda a: f(jnp, a))(x)),
                                       rtol=1e-10, atol=1e-12)
            if i in (1, 3):  # JAX's Hessians of svd and pinv take a minute to trace
                continue
            np.testing.assert_allclose(ta.hessian(lambda a: f(tnp, a))(x),
                                       np.asarray(jax.hessian(lambda a: f(jnp, a))(x)),
                                       rtol=1e-9, atol=1e-10)
    finally:
        jax.config.update("jax_enable_x64", old)


def test_float32_gradients_stay_float32_and_close():
    rng = np.random.default_rng(17)
    S, A = _spd_spread(rng, 4), rng.standard_normal((5, 3))
    for f, x in [(lambda a: tnp.sum(la.eigh(a)[1] ** 4), S), (la.eigvalsh, S),
                 (lambda a: tnp.sum(la.svd(a, full_matrices=False)[0] ** 4), A),
                 (lambda a: tnp.sum(la.qr(a)[0] ** 4), A), (la.pinv, A),
                 (lambda a: la.norm(a, "nuc"), A),
                 (lambda a: sla.solve_triangular(a[:3], a[:3], lower=True), A)]:
        g64 = ta.grad(lambda a: tnp.sum(tnp.sin(f(a))))(x)
        g32 = ta.grad(lambda a: tnp.sum(tnp.sin(f(a))))(x.astype(np.float32))
        assert g32.dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=2e-3, atol=2e-4 * np.abs(g64).max())
