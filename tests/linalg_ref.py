"""Independent references for the linear-algebra tests: Taylor coefficients along a line
X(t) = X₀ + t·V of any mpmath matrix function, and mpmath versions of the decompositions with
their sign conventions pinned to NumPy's primal (the gauge the derivatives continue).

``line_coeffs`` samples F at t = h·i, |i| ≤ K, in 100-digit arithmetic and reads the normalized
coefficients off the exact interpolating polynomial of degree 2K: truncation ~h^(K+1)·c_(2K+1),
rounding ~1e-100·h^(-K) — both far below float64 for h = 1e-6.
"""
import functools
import math

import mpmath as mp
import numpy as np

import taylorad as ta

DPS = 100  # for K ≤ 8; higher orders add digits (rounding grows like h^-K)
H = "1e-6"


def _dps(K):
    return DPS + max(0, 8 * (K - 8))


@functools.lru_cache(maxsize=None)
def _vandermonde_inverse(K):
    with mp.workdps(_dps(K)):
        pts = range(-K, K + 1)
        V = mp.matrix([[mp.mpf(i) ** c for c in range(2 * K + 1)] for i in pts])
        return V ** -1


def to_mp(x):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        return mp.matrix([mp.mpf(float(a)) for a in x])
    return mp.matrix([[mp.mpf(float(a)) for a in row] for row in x])


def flat(M):
    if isinstance(M, (list, tuple)):
        return [e for m in M for e in flat(m)]
    if isinstance(M, mp.matrix):
        return [M[i, j] for i in range(M.rows) for j in range(M.cols)]
    return [M]


def line_coeffs(F, x0s, vs, K):
    """(K+1, N) normalized Taylor coefficients of flat(F(*X(t))), X(t) = x0 + t·v per argument."""
    with mp.workdps(_dps(K)):
        h = mp.mpf(H)
        x0m = [to_mp(x) for x in x0s]
        vm = [to_mp(v) for v in vs]
        samples = [flat(F(*[x + (h * i) * v for x, v in zip(x0m, vm)])) for i in range(-K, K + 1)]
        Vi = _vandermonde_inverse(K)
        n = len(samples[0])
        out = np.zeros((K + 1, n))
        for e in range(n):
            col = [s[e] for s in samples]
            for k in range(K + 1):
                out[k, e] = float(mp.fsum(Vi[k, r] * col[r] for r in range(len(col))) / h ** k)
    return out


def ta_coeffs(fn, x0s, vs, K):
    """The same coefficients from taylorad: derivatives along (v₁, v₂, …) divided by k!."""
    if len(x0s) == 1:
        ds = ta.derivatives(fn, x0s[0], vs[0], K)
    else:
        ds = ta.derivatives(lambda xs: fn(*xs), tuple(x0s), tuple(vs), K)
    return np.array([np.ravel(np.asarray(d, dtype=np.float64)) / math.factorial(k)
                     for k, d in enumerate(ds)])


def assert_coeffs_close(got, want, rtol):
    err = np.abs(got - want) / np.maximum(1.0, np.abs(want))
    where = np.unravel_index(err.argmax(), err.shape)
    assert err.max() <= rtol, f"max scaled error {err.max():.3g} at (order, entry) {where}"


# decompositions in mpmath, gauge fixed by NumPy's primal -------------------------------------
def sym(A):
    return (A + A.T) / 2


def mp_eigh(V0):
    """A ↦ (eigenvalues ascending, eigenvectors with columns oriented as V0's)."""
    def f(A):
        A = sym(A)
        E, Q = mp.eigsy(A)
        n = A.rows
        order = sorted(range(n), key=lambda i: E[i])
        w = mp.matrix([E[i] for i in order])
        V = mp.matrix(n, n)
        for c, i in enumerate(order):
            s = mp.fsum(Q[r, i] * V0[r, c] for r in range(n))
            for r in range(n):
                V[r, c] = Q[r, i] if s > 0 else -Q[r, i]
        return w, V
    return f


def mp_svd(U0):
    """A ↦ (U, s descending, Vh), singular pairs oriented as U0's columns."""
    def f(A):
        Um, Sm, Vm = mp.svd_r(A, full_matrices=False)
        k = len(Sm)
        order = sorted(range(k), key=lambda i: -Sm[i])
        U, s, Vh = mp.matrix(A.rows, k), mp.matrix(k, 1), mp.matrix(k, A.cols)
        for c, i in enumerate(order):
            sg = 1 if mp.fsum(Um[r, i] * U0[r, c] for r in range(A.rows)) > 0 else -1
            s[c] = Sm[i]
            for r in range(A.rows):
                U[r, c] = sg * Um[r, i]
            for j in range(A.cols):
                Vh[c, j] = sg * Vm[i, j]
        return U, s, Vh
    return f


def mp_qr(R0):
    """A ↦ (Q, R) with diag(R) signed as R0's (m < n: QR of the leading block, R = Qᵀ·A)."""
    def f(A):
        m, n = A.rows, A.cols
        k = min(m, n)
        head = A[:, :k] if n > m else A
        Q, R = mp.qr(head, mode="skinny")
        for i in range(k):
            if (R[i, i] > 0) != (R0[i, i] > 0):
                for r in range(m):
                    Q[r, i] = -Q[r, i]
                for j in range(R.cols):
                    R[i, j] = -R[i, j]
        if n > m:
            R = Q.T * A
        return Q, R
    return f


def mp_pinv(A):
    return (A.T * A) ** -1 * A.T if A.rows >= A.cols else A.T * (A * A.T) ** -1


def mp_svals(A):
    return sorted(mp.svd_r(A, compute_uv=False), reverse=True)


def mp_tri(A, lower, unit):
    n = A.rows
    T = mp.matrix(n, n)
    for i in range(n):
        for j in range(n):
            if (j < i if lower else j > i) or (i == j and not unit):
                T[i, j] = A[i, j]
        if unit:
            T[i, i] = 1
    return T
