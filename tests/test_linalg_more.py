"""numpy.linalg's norms and array-API spellings, and taylorad.scipy.linalg's aliases: values
against NumPy/SciPy for every ord, axis and keepdims; VJP/JVP against central differences;
Taylor coefficients against nested first-order AD or closed forms; NumPy dispatch."""
import math

import numpy as np
import pytest
import scipy.linalg

import taylorad as ta
import taylorad.numpy as tnp
import taylorad.scipy.linalg as sla
from taylorad.testing import check_grads, check_hvp

la = tnp.linalg

VECTOR_ORDS = [None, 2, 1, np.inf, -np.inf, 3, 0.5, -1.5]
MATRIX_ORDS = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]


def _x(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("ord_", MATRIX_ORDS, ids=str)
@pytest.mark.parametrize("axis", [None, (0, 1), (1, 0), (2, 0)], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_matrix_norm_values_and_grads(ord_, axis, keepdims):
    x = _x((4, 3) if axis in (None, (0, 1), (1, 0)) else (4, 2, 3))
    want = np.linalg.norm(x, ord_, axis, keepdims)
    got = la.norm(x, ord_, axis, keepdims)
    np.testing.assert_allclose(got, want, rtol=1e-13)
    assert np.shape(got) == np.shape(want)
    check_grads(lambda a: la.norm(a, ord_, axis, keepdims), (x,))


@pytest.mark.parametrize("ord_", VECTOR_ORDS, ids=str)
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)], ids=str)
def test_vector_norm_values_and_grads(ord_, axis):
    x = _x((3, 2, 4), 1) + 0.1
    o = 2 if ord_ is None else ord_
    for keepdims in (False, True):
        want = np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=o)
        got = la.vector_norm(x, axis=axis, keepdims=keepdims, ord=o)
        np.testing.assert_allclose(got, want, rtol=1e-13)
        assert np.shape(got) == np.shape(want)
    if axis is not None and not isinstance(axis, tuple):
        np.testing.assert_allclose(la.norm(x, ord_, axis), np.linalg.norm(x, ord_, axis))
    check_grads(lambda a: la.vector_norm(a, axis=axis, ord=o), (x,))


@pytest.mark.parametrize("ord_", ["fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf], ids=str)
def test_matrix_norm_and_cond_stacked(ord_):
    x = _x((2, 3, 3), 2) + 2 * np.eye(3)
    for kd in (False, True):
        np.testing.assert_allclose(la.matrix_norm(x, ord=ord_, keepdims=kd),
                                   np.linalg.matrix_norm(x, ord=ord_, keepdims=kd), rtol=1e-13)
    np.testing.assert_allclose(la.cond(x, ord_), np.linalg.cond(x, ord_), rtol=1e-12)
    check_grads(lambda a: la.cond(a, ord_), (x,))


def test_norm_taylor_vs_nested_first_order():
    """Order 1..4 coefficients of the spectral, nuclear and induced norms along a line against
    nested jvp (each level a first-order rule), away from kinks."""
    x, v = _x((4, 3), 3), _x((4, 3), 4)
    for ord_ in ("nuc", 2, -2, 1, np.inf, "fro"):
        def f(t, ord_=ord_):
            return la.norm(x + t * v, ord_)

        want = [float(f(0.0))]
        g = f
        for k in range(1, 5):
            g = (lambda h: (lambda t: ta.jvp(h, (t,), (1.0,))[1]))(g)
            want.append(float(g(0.0)) / math.factorial(k))
        got = [float(d) / math.factorial(k) for k, d in
               enumerate(ta.derivatives(lambda a: la.norm(a, ord_), x, v, 4))]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=str(ord_))


def test_array_api_spellings():
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 2))
    u, w = rng.standard_normal((2, 3)), rng.standard_normal(3)
    pairs = [
        (lambda: la.matmul(a, b), lambda: np.linalg.matmul(a, b)),
        (lambda: la.tensordot(a, b, axes=1), lambda: np.linalg.tensordot(a, b, axes=1)),
        (lambda: la.vecdot(u, w), lambda: np.linalg.vecdot(u, w)),
        (lambda: la.vecdot(a, a, axis=1), lambda: np.linalg.vecdot(a, a, axis=1)),
        (lambda: la.matrix_transpose(a), lambda: np.linalg.matrix_transpose(a)),
        (lambda: la.outer(w, u[0]), lambda: np.linalg.outer(w, u[0])),
        (lambda: la.cross(u, w), lambda: np.linalg.cross(u, w)),
        (lambda: la.cross(u.T, u.T[:, ::-1], axis=0),
         lambda: np.linalg.cross(u.T, u.T[:, ::-1], axis=0)),
        (lambda: la.trace(a, offset=1), lambda: np.linalg.trace(a, offset=1)),
        (lambda: la.diagonal(a, offset=-1), lambda: np.linalg.diagonal(a, offset=-1)),
    ]
    for mine, theirs in pairs:
        np.testing.assert_allclose(mine(), theirs(), rtol=1e-14)
    check_grads(lambda x, y: la.cross(x, y), (u, w))
    check_grads(lambda x: la.trace(x, offset=1) + la.vecdot(x, x)[..., 0], (a,))
    check_grads(lambda x: la.outer(x, x[::-1]), (w,))
    with pytest.raises(ValueError, match="cross: x1 and x2 must have 3 entries"):
        la.cross(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="outer: x1 and x2 must be 1-D"):
        la.outer(np.ones((2, 2)), np.ones(2))


def test_compositions_values_and_grads():
    rng = np.random.default_rng(6)
    A = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    for n in (-3, -1, 0, 1, 2, 5):
        np.testing.assert_allclose(la.matrix_power(A, n), np.linalg.matrix_power(A, n),
                                   rtol=1e-12)
    check_grads(lambda a: la.matrix_power(a, 5), (A,))
    assert np.all(ta.grad(lambda a: tnp.sum(la.matrix_power(a, 0)))(A) == 0)
    B, C = rng.standard_normal((3, 4)), rng.standard_normal(4)
    np.testing.assert_allclose(la.multi_dot([A, B, C]), np.linalg.multi_dot([A, B, C]))
    np.testing.assert_allclose(la.multi_dot([C, B.T, A]), np.linalg.multi_dot([C, B.T, A]))
    check_grads(lambda a, b, c: la.multi_dot([c, b.T, a, a]), (A, B, C))
    T = (np.eye(6) * 3 + rng.standard_normal((6, 6))).reshape(2, 3, 3, 2)
    bb = rng.standard_normal((2, 3))
    np.testing.assert_allclose(la.tensorsolve(T, bb), np.linalg.tensorsolve(T, bb))
    np.testing.assert_allclose(la.tensorsolve(T, bb, axes=(1,)),
                               np.linalg.tensorsolve(T, bb, axes=(1,)))
    np.testing.assert_allclose(la.tensorinv(T, 2), np.linalg.tensorinv(T, 2))
    check_grads(lambda t: la.tensorinv(t, 2), (T,))
    check_hvp(lambda a: tnp.sum(la.matrix_power(a, -2) ** 2), A)


def test_scipy_linalg_matches_scipy():
    rng = np.random.default_rng(9)
    A = rng.standard_normal((4, 4)) + 4 * np.eye(4)
    S = A @ A.T
    b, B = rng.standard_normal(4), rng.standard_normal((4, 2))
    for lower in (False, True):
        for trans in (0, 1, 2, "N", "T", "C"):
            for unit in (False, True):
                for rhs in (b, B):
                    np.testing.assert_allclose(
                        sla.solve_triangular(A, rhs, trans=trans, lower=lower,
                                             unit_diagonal=unit),
                        scipy.linalg.solve_triangular(A, rhs, trans=trans, lower=lower,
                                                      unit_diagonal=unit), rtol=1e-12)
        c = sla.cho_factor(S, lower=lower)
        c_sp = scipy.linalg.cho_factor(S, lower=lower)
        assert c[1] == c_sp[1]
        np.testing.assert_allclose(sla.cho_solve(c, B), scipy.linalg.cho_solve(c_sp, B))
        np.testing.assert_allclose(sla.cho_solve(c_sp, b), scipy.linalg.cho_solve(c_sp, b))
        np.testing.assert_allclose(sla.cholesky(S, lower=lower),
                                   scipy.linalg.cholesky(S, lower=lower))
    np.testing.assert_allclose(sla.solve(A, B), scipy.linalg.solve(A, B))
    np.testing.assert_allclose(sla.solve(A, b, transposed=True),
                               scipy.linalg.solve(A, b, transposed=True))
    np.testing.assert_allclose(sla.inv(A), scipy.linalg.inv(A))
    np.testing.assert_allclose(sla.det(A), scipy.linalg.det(A))
    # batched triangular solves (the non-scipy path)
    As = np.stack([A, A.T])
    np.testing.assert_allclose(sla.solve_triangular(As, B, lower=True),
                               np.stack([scipy.linalg.solve_triangular(m, B, lower=True)
                                         for m in As]))


def test_scipy_linalg_grads():
    rng = np.random.default_rng(10)
    A = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((3, 2))
    for lower in (False, True):
        for trans in (0, 1):
            for unit in (False, True):
                check_grads(lambda a, y: sla.solve_triangular(a, y, trans=trans, lower=lower,
                                                              unit_diagonal=unit), (A, b))
    # entries outside the triangle do not enter: zero gradient there
    g = ta.grad(lambda a: tnp.sum(sla.solve_triangular(a, b, lower=True)))(A)
    assert np.all(np.triu(g, 1) == 0) and np.all(np.diag(g) != 0)
    g = ta.grad(lambda a: tnp.sum(sla.solve_triangular(a, b, lower=True, unit_diagonal=True)))(A)
    assert np.all(np.triu(g) == 0)
    S = A @ A.T
    check_grads(lambda s, y: sla.cho_solve(sla.cho_factor((s + s.T) / 2), y), (S, b))
    check_grads(lambda s: sla.cholesky((s + s.T) / 2), (S,))
    check_grads(lambda a, y: sla.solve(a, y, transposed=True), (A, b))
    check_grads(sla.det, (A,))
    check_hvp(lambda a: tnp.sum(sla.solve_triangular(a, b, trans=1) ** 2), A)
    # Taylor: d^k/dt^k of (A + tI)^{-1} b = (-1)^k k! (A + tI)^{-(k+1)} b for triangular A
    L = np.tril(A)
    ds = ta.derivatives(lambda a: sla.solve_triangular(a, b, lower=True), L, np.eye(3), 6)
    Li = np.linalg.inv(L)
    for k, d in enumerate(ds):
        want = (-1) ** k * math.factorial(k) * np.linalg.matrix_power(Li, k + 1) @ b
        np.testing.assert_allclose(d, want, rtol=1e-10, atol=1e-12)


def test_numpy_dispatch_of_norms_and_spellings():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((3, 3))

    def f(a):
        return (np.linalg.norm(a, "nuc") + np.linalg.vector_norm(a, ord=3)
                + np.linalg.matrix_norm(a, ord=np.inf) + np.linalg.trace(a)
                + np.sum(np.linalg.cross(a, a[::-1])) + np.sum(np.linalg.vecdot(a, a))
                + np.sum(np.linalg.matrix_power(a, 3)) + np.sum(np.linalg.multi_dot([a, a, a]))
                + np.sum(np.linalg.matrix_transpose(a) * np.linalg.outer(a[0], a[1]))
                + np.sum(np.linalg.diagonal(a)) + np.linalg.cond(a, "fro")
                + np.sum(np.linalg.tensorinv(a, 1)))

    check_grads(f, (x,))


def test_solve_triangular_without_scipy(monkeypatch):
    """SciPy is optional at run time: without it a general solve on the triangle gives the
    same values and derivatives."""
    from taylorad.numpy.linalg import solvers

    rng = np.random.default_rng(14)
    A, b = rng.standard_normal((4, 4)) + 4 * np.eye(4), rng.standard_normal((4, 3))
    f = lambda a: la.solve_triangular(a, b, trans=1, lower=True, unit_diagonal=True)  # noqa
    want = f(A), ta.derivatives(f, A, A.T, 3), ta.grad(lambda a: tnp.sum(f(a) ** 2))(A)
    monkeypatch.setattr(solvers, "_scipy_solve_triangular", lambda: None)
    got = f(A), ta.derivatives(f, A, A.T, 3), ta.grad(lambda a: tnp.sum(f(a) ** 2))(A)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    for d_got, d_want in zip(got[1], want[1]):
        np.testing.assert_allclose(d_got, d_want, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-11)


def test_polyfit_values_grads_and_taylor():
    """numpy.polyfit through lstsq: NumPy's values; VJP/JVP in x, y and w against differences;
    Taylor coefficients 1..6 along a line in (x, y) against the normal equations in mpmath."""
    import mpmath as mp
    from linalg_ref import assert_coeffs_close, line_coeffs, ta_coeffs

    rng = np.random.default_rng(15)
    x, w = np.linspace(-1.0, 2.0, 7), 1.0 + rng.random(7)
    y = np.sin(x)
    Y = np.stack([y, np.cos(x)], axis=1)
    for args, kw in [((x, y, 3), {}), ((x, Y, 2), {}), ((x, y, 2), {"w": w})]:
        want = np.polyfit(*args, **kw)
        got = ta.jvp(lambda xx: tnp.polyfit(xx, *args[1:], **kw), (x,), (x,))[0]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    check_grads(lambda a, b: tnp.polyfit(a, b, 3), (x, y))
    check_grads(lambda a, b, c: tnp.polyfit(a, b, 2, w=c), (x, Y, w))
    check_grads(lambda a: np.polyfit(a, y, 2), (x,))  # NumPy's own name on a traced value

    def mp_fit(xm, ym):
        V = mp.matrix([[xm[i] ** (3 - j) for j in range(4)] for i in range(xm.rows)])
        return (V.T * V) ** -1 * (V.T * ym)

    vx, vy = 0.1 * rng.standard_normal(7), rng.standard_normal(7)
    assert_coeffs_close(ta_coeffs(lambda a, b: tnp.polyfit(a, b, 3), [x, y], [vx, vy], 6),
                        line_coeffs(mp_fit, [x, y], [vx, vy], 6), rtol=1e-8)
    with pytest.raises(ValueError, match="polyfit: 3 points cannot determine a degree-3"):
        ta.grad(lambda a: tnp.sum(tnp.polyfit(a, y[:3], 3)))(x[:3])
    with pytest.raises(ValueError, match="polyfit: cov=True"):
        ta.grad(lambda a: tnp.sum(tnp.polyfit(a, y, 2, cov=True)[0]))(x)
