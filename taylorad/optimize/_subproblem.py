"""Inner solvers: truncated CG, Steihaug–Toint CG, GLTR (Lanczos) and the exact TR solve.

Vectors live in the array namespace of the problem (numpy or cupy); every reduction is turned
into a Python float at once, so control flow never depends on the backend. Each solver returns
the model value m(p) = gᵀp + ½ pᵀHp of its step, tracked from quantities it already has, so a
trust-region iteration never spends an extra Hessian-vector product on the ratio test.
"""
import math

import numpy as np

__all__ = [
    "exact_tr_step",
    "gltr",
    "modified_newton_step",
    "steihaug_cg",
    "tr_eig_solve",
    "truncated_cg",
]

_EPS = float(np.finfo(np.float64).eps)


def _dot(a, b):
    return float(a @ b)


def truncated_cg(hvp, g, tol, maxiter):
    """Newton-CG inner loop: approximately solve H p = -g; exit on negative curvature.

    Returns (p, iterations, negative_curvature_flag). On negative curvature in the first
    iteration the scaled steepest-descent step (gᵀg / |dᵀHd|)·(-g) is returned (as scipy does);
    later, the last CG iterate (a descent direction).
    """
    z = g * 0
    r = g
    d = -r
    rs = _dot(r, r)
    for i in range(maxiter):
        if math.sqrt(rs) <= tol:
            return z, i, False
        Hd = hvp(d)
        curv = _dot(d, Hd)
        if not math.isfinite(curv):
            return (-g if i == 0 else z), i + 1, True
        if curv <= 3 * _EPS * rs:
            if i == 0:
                scale = rs / abs(curv) if curv < 0 else 1.0
                return -g * scale, 1, True
            return z, i + 1, True
        alpha = rs / curv
        z = z + alpha * d
        r = r + alpha * Hd
        rs_new = _dot(r, r)
        d = -r + (rs_new / rs) * d
        rs = rs_new
    return z, maxiter, False


def _to_boundary(z, d, delta):
    """Both τ with ‖z + τd‖ = Δ (τ_neg ≤ 0 ≤ τ_pos)."""
    a, b, c = _dot(d, d), 2 * _dot(z, d), _dot(z, z) - delta * delta
    disc = math.sqrt(max(b * b - 4 * a * c, 0.0))
    # numerically stable roots
    q = -0.5 * (b + math.copysign(disc, b))
    t1 = q / a
    t2 = c / q if q != 0 else -t1
    return min(t1, t2), max(t1, t2)


def steihaug_cg(hvp, g, delta, tol, maxiter):
    """Steihaug–Toint truncated CG for min gᵀp + ½pᵀHp, ‖p‖ ≤ Δ (N&W Algorithm 7.2).

    Returns (p, model value, hits_boundary, iterations).
    """
    z = g * 0
    r = g
    d = -r
    rs = _dot(r, r)
    if math.sqrt(rs) <= tol:
        return z, 0.0, False, 0
    gz = 0.0  # gᵀz;   rᵀz tracked too, m(z) = ½(gᵀz + rᵀz) since r = g + Hz
    rz = 0.0
    for i in range(maxiter):
        Hd = hvp(d)
        curv = _dot(d, Hd)
        if not math.isfinite(curv):
            raise FloatingPointError("non-finite Hessian-vector product")
        if curv <= 0:
            ta, tb = _to_boundary(z, d, delta)
            # choose the boundary point with the lower model value
            best = None
            for t in (ta, tb):
                gzt = gz + t * _dot(g, d)
                rzt = _dot(r + t * Hd, z + t * d)
                m = 0.5 * (gzt + rzt)
                if best is None or m < best[1]:
                    best = (t, m)
            t, m = best
            return z + t * d, m, True, i + 1
        alpha = rs / curv
        z_new = z + alpha * d
        if math.sqrt(_dot(z_new, z_new)) >= delta:
            _, t = _to_boundary(z, d, delta)
            p = z + t * d
            m = 0.5 * (gz + t * _dot(g, d) + _dot(r + t * Hd, p))
            return p, m, True, i + 1
        z = z_new
        r = r + alpha * Hd
        rs_new = _dot(r, r)
        gz, rz = _dot(g, z), _dot(r, z)
        if math.sqrt(rs_new) < tol:
            return z, 0.5 * (gz + rz), False, i + 1
        d = -r + (rs_new / rs) * d
        rs = rs_new
    return z, 0.5 * (gz + rz), False, maxiter


def tr_eig_solve(lam, c, delta):
    """Exact solution of min cᵀh + ½ Σ λᵢhᵢ², ‖h‖ ≤ Δ, in an eigenbasis (host numpy).

    The multiplier σ ≥ max(0, -λ_min) solves the secular equation ‖h(σ)‖ = Δ with
    h(σ) = -c/(λ+σ): Moré–Sorensen's safeguarded Newton iteration on 1/‖h(σ)‖ - 1/Δ, done in
    closed form per step because the matrix is diagonal here. The hard case (c ⟂ the lowest
    eigenvector) is completed along that eigenvector. Returns (h, σ, model value).
    """
    lam = np.asarray(lam, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(lam))) if lam.size else 1.0)
    lmin = float(lam.min())
    cn = float(np.linalg.norm(c))

    def model(h):
        return float(c @ h + 0.5 * np.sum(lam * h * h))

    if lmin > 0:
        h = -c / lam
        if np.linalg.norm(h) <= delta:
            return h, 0.0, model(h)
    s_lo = max(0.0, -lmin)
    low = np.abs(lam - lmin) <= 1e-12 * scale
    if lmin <= 0 and float(np.linalg.norm(c[low])) <= 1e-12 * max(cn, 1e-300):
        # possible hard case: is ‖h(σ_lo)‖ (without the lowest components) inside?
        den = lam[~low] + s_lo
        h = np.zeros_like(c)
        h[~low] = -c[~low] / den
        hn = float(np.linalg.norm(h))
        if hn <= delta:
            u = np.zeros_like(c)
            u[np.flatnonzero(low)[0]] = 1.0
            h = h + math.sqrt(max(delta * delta - hn * hn, 0.0)) * u
            return h, s_lo, model(h)
    if cn == 0.0:
        return np.zeros_like(c), s_lo, 0.0
    s_hi = cn / delta + max(0.0, -lmin) + _EPS * scale
    s = s_lo if lmin > 0 else s_lo + 1e-10 * scale
    for _ in range(200):
        den = lam + s
        if np.any(den <= 0):
            s = 0.5 * (s_lo + s_hi) if s_hi > s_lo else s_hi
            continue
        h = -c / den
        hn = float(np.linalg.norm(h))
        if abs(hn - delta) <= 1e-12 * delta:
            break
        if hn > delta:
            s_lo = s
        else:
            s_hi = s
        # Newton step on φ(σ) = 1/‖h‖ - 1/Δ;  φ' = Σ c²/(λ+σ)³ / ‖h‖³
        dphi = float(np.sum(c * c / den ** 3)) / hn ** 3
        s_new = s - (1.0 / hn - 1.0 / delta) / dphi if dphi > 0 else 0.5 * (s_lo + s_hi)
        if not s_lo < s_new < s_hi:
            s_new = 0.5 * (s_lo + s_hi)
        if s_new == s:
            break
        s = s_new
    h = -c / (lam + s)
    return h, s, model(h)


def exact_tr_step(H, g, delta, xp):
    """Exact trust-region step on a dense symmetric H: Moré–Sorensen (1983).

    Newton's method on the secular equation 1/‖p(λ)‖ − 1/Δ = 0 with p(λ) = −(H + λI)⁻¹g, one
    Cholesky factorization H + λI = LLᵀ per iteration (λ safeguarded in [λ_L, λ_U]; a failed
    factorization raises λ_L). The hard case — the solution lies on the boundary but g has no
    component along the lowest eigenvector, so the iteration stalls with ‖p‖ < Δ — is finished
    exactly in the eigenbasis (:func:`tr_eig_solve`). Returns (p, model value, hits_boundary).
    """
    step = _more_sorensen(H, g, delta, xp)
    if step is not None:
        return step
    return _eig_tr_step(H, g, delta, xp)


def _chol(A, xp):
    try:
        L = xp.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return None
    return L if bool(xp.all(xp.isfinite(L))) else None  # cupy reports failure as nan


def _more_sorensen(H, g, delta, xp, max_iter=60, rtol=1e-10):
    n = g.shape[0]
    gn = math.sqrt(_dot(g, g))
    eye = xp.eye(n, dtype=H.dtype)
    H1 = float(xp.max(xp.sum(xp.abs(H), axis=1)))  # ‖H‖₁ = ‖H‖_∞ bounds every eigenvalue
    d_min = float(xp.min(xp.diagonal(H)))
    lam_lo = max(0.0, -d_min, gn / delta - H1)
    lam_hi = max(0.0, gn / delta + H1)
    lam = 0.0
    for _ in range(max_iter):
        L = _chol(H + lam * eye, xp)
        if L is None:  # H + λI is not positive definite: λ is too small
            lam_lo = max(lam_lo, lam)
            lam = max(math.sqrt(lam_lo * lam_hi), lam_lo + 1e-3 * (lam_hi - lam_lo))
            continue
        p = -xp.linalg.solve(L.T, xp.linalg.solve(L, g))
        pn = math.sqrt(_dot(p, p))
        if lam == 0.0 and pn <= delta:
            return p, 0.5 * _dot(g, p), False  # interior Newton step: m = ½gᵀp
        if abs(pn - delta) <= rtol * delta:
            return p, _dot(g, p) + 0.5 * _dot(p, H @ p), True
        if pn < delta:
            lam_hi = lam
        else:
            lam_lo = lam
        if lam_hi - lam_lo <= rtol * max(1.0, lam_hi):
            return None  # stalled inside the region with λ > 0: the hard case
        q = xp.linalg.solve(L, p)
        lam_new = lam + (pn / math.sqrt(_dot(q, q))) ** 2 * (pn - delta) / delta
        lam = lam_new if lam_lo < lam_new < lam_hi else \
            max(math.sqrt(lam_lo * lam_hi), lam_lo + 1e-3 * (lam_hi - lam_lo))
    return None


def _eig_tr_step(H, g, delta, xp):
    lam, U = xp.linalg.eigh(H)
    c = U.T @ g
    lam_h = np.asarray(lam.get() if hasattr(lam, "get") else lam, dtype=np.float64)
    c_h = np.asarray(c.get() if hasattr(c, "get") else c, dtype=np.float64)
    h, sigma, m = tr_eig_solve(lam_h, c_h, delta)
    p = U @ xp.asarray(h, dtype=g.dtype)
    return p, m, sigma > 0 or float(np.linalg.norm(h)) >= delta * (1 - 1e-8)


def gltr(hvp, g, delta, tol, maxiter):
    """Generalized Lanczos trust-region method (Gould, Lucidi, Roma & Toint 1999).

    Lanczos on H from q₁ = g/‖g‖ builds a tridiagonal T_j; the TR subproblem restricted to the
    Krylov space, min ‖g‖e₁ᵀh + ½hᵀT_jh with ‖h‖ ≤ Δ, is solved exactly at each step. It stops
    when the full model's gradient norm β_{j+1}|h_j| (no extra product needed) falls below tol.
    Returns (p, model value, hits_boundary, iterations).
    """
    gn = math.sqrt(_dot(g, g))
    if gn <= tol or gn == 0.0:
        return g * 0, 0.0, False, 0
    Q = []
    alphas, betas = [], []
    q, q_prev, beta = g / gn, None, 0.0
    h, sigma, m = None, 0.0, 0.0
    for j in range(maxiter):
        Q.append(q)
        w = hvp(q)
        a = _dot(q, w)
        if not math.isfinite(a):
            raise FloatingPointError("non-finite Hessian-vector product")
        w = w - a * q
        if q_prev is not None:
            w = w - beta * q_prev
        alphas.append(a)
        beta_next = math.sqrt(_dot(w, w))
        k = len(alphas)
        T = np.diag(alphas)
        if k > 1:
            off = np.asarray(betas)
            T += np.diag(off, 1) + np.diag(off, -1)
        lam, U = np.linalg.eigh(T)
        c = U[0, :] * gn  # Uᵀ(‖g‖e₁)
        y, sigma, m = tr_eig_solve(lam, c, delta)
        h = U @ y
        resid = beta_next * abs(h[-1])
        if resid <= tol or beta_next <= _EPS * max(1.0, abs(a)) or k >= maxiter:
            break
        betas.append(beta_next)
        q_prev, q, beta = q, w / beta_next, beta_next
    p = Q[0] * float(h[0])
    for qi, hi in zip(Q[1:], h[1:]):
        p = p + float(hi) * qi
    hits = sigma > 0 or float(np.linalg.norm(h)) >= delta * (1 - 1e-8)
    return p, m, hits, len(Q)


def modified_newton_step(H, g, xp, npd="cholesky-shift"):
    """Newton direction -Ĥ⁻¹g with Ĥ a positive-definite modification of H.

    npd='eig':    eigenvalues replaced by max(|λ|, δ), δ = √eps·max(1, max|λ|)
                  (the direction stays a descent direction and keeps the curvature scale);
    npd='cholesky-shift': Ĥ = H + τI, τ raised until Cholesky succeeds (N&W Algorithm 3.3);
    npd='grad':   H when Cholesky succeeds, else steepest descent.
    Returns (p, modified_flag).
    """
    if npd == "eig":
        lam, U = xp.linalg.eigh(H)
        lam_h = np.asarray(lam.get() if hasattr(lam, "get") else lam, dtype=np.float64)
        delta = math.sqrt(_EPS) * max(1.0, float(np.max(np.abs(lam_h))))
        mod = np.maximum(np.abs(lam_h), delta)
        p = -(U @ ((U.T @ g) / xp.asarray(mod, dtype=g.dtype)))
        return p, bool(np.any(mod != lam_h))
    n = H.shape[0]
    eye = xp.eye(n, dtype=H.dtype)

    def chol_ok(A):
        try:
            L = xp.linalg.cholesky(A)
        except Exception:  # noqa: BLE001 - numpy raises LinAlgError, cupy may return nan
            return False
        return bool(xp.all(xp.isfinite(L)))

    if chol_ok(H):
        return -xp.linalg.solve(H, g), False
    if npd == "grad":
        return -g, True
    beta = 1e-3 * max(1.0, float(xp.max(xp.abs(H))))
    dmin = float(xp.min(xp.diagonal(H)))
    tau = beta if dmin > 0 else -dmin + beta
    for _ in range(100):
        if chol_ok(H + tau * eye):
            break
        tau = max(2 * tau, beta)
    return -xp.linalg.solve(H + tau * eye, g), True
