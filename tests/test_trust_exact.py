"""trust-exact's subproblem: Moré–Sorensen (Cholesky) against the eigenbasis solution, and the
hard case."""
import numpy as np
import pytest

from taylorad.optimize import _subproblem as S


def _model(H, g, p):
    return float(g @ p + 0.5 * p @ H @ p)


@pytest.mark.parametrize("seed", range(5))
def test_more_sorensen_matches_the_eigenbasis_optimum(seed, monkeypatch):
    fallbacks = []
    real = S._eig_tr_step
    monkeypatch.setattr(S, "_eig_tr_step", lambda *a: fallbacks.append(1) or real(*a))
    rng = np.random.default_rng(seed)
    for _ in range(40):
        n = int(rng.integers(2, 25))
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        H = Q @ np.diag(rng.standard_normal(n) * rng.choice([0.1, 1.0, 10.0])) @ Q.T
        H = (H + H.T) / 2
        g = rng.standard_normal(n)
        delta = float(rng.choice([0.01, 0.1, 1.0, 10.0, 100.0]))
        p, m, hits = S.exact_tr_step(H, g, delta, np)
        lam, U = np.linalg.eigh(H)
        h, sigma, m_ref = S.tr_eig_solve(lam, U.T @ g, delta)
        assert np.linalg.norm(p) <= delta * (1 + 1e-8)
        assert m == pytest.approx(_model(H, g, p), rel=1e-9, abs=1e-12)
        assert m <= m_ref + 1e-9 * max(1.0, abs(m_ref))  # the global minimum of the model
        assert hits == (sigma > 0 or np.linalg.norm(h) >= delta * (1 - 1e-8))
    assert not fallbacks  # random problems never need the hard-case path


def test_hard_case_reaches_the_boundary_along_the_lowest_eigenvector():
    H = np.diag([-2.0, 1.0, 3.0])
    g = np.array([0.0, 1.0, 1.0])  # no component along e₀, the lowest eigenvector
    p, m, hits = S.exact_tr_step(H, g, 2.0, np)
    assert hits and np.linalg.norm(p) == pytest.approx(2.0)
    # σ = 2: p = −g/(λ+2) on e₁, e₂, the rest of the radius along ±e₀
    np.testing.assert_allclose(p[1:], [-1 / 3, -1 / 5])
    assert m == pytest.approx(_model(H, g, p)) and m == pytest.approx(-4.2666666666666667)
