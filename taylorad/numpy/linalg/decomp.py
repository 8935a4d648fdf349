"""taylorad.numpy.linalg, decompositions: eigh, eigvalsh, svd, svdvals, qr, and what is built on
them (pinv, lstsq, matrix_rank); eig/eigvals refuse traced input (complex results).

Taylor rules differentiate the defining identities order by order, with the normalized
coefficients of DESIGN.md §3 (M_k is the t^k coefficient of M(t)); every order solves for the
new coefficient in the primal's basis, so the O(K²) work is matrix products.

* eigh, A·V = V·Λ, VᵀV = I. Write V_k = V₀C_k; with R_k = V₀ᵀ(A_kV₀ + Σ_{j=1..k−1}(A_jV_{k−j} −
  V_jΛ_{k−j})) and S_k = Σ_{j=1..k−1} V_jᵀV_{k−j}:
      Λ_k = diag(R_k),   C_k,ij = R_k,ij / (λ_j − λ_i) (i ≠ j),   C_k,ii = −½ S_k,ii
  (the last from VᵀV = I: C_k + C_kᵀ = −S_k). The input is symmetrized, (A + Aᵀ)/2, as JAX's
  ``symmetrize_input``; on symmetric input the values are NumPy's.
* svd (m ≥ n; m < n by transposing), A = U·diag(s)·Vᵀ, UᵀU = VᵀV = I. With P_k the known part
  of A_k (all products of lower coefficients removed), R = U₀ᵀP_kV₀, U_k = U₀C + (P_kV₀ − U₀R)/s₀,
  V_k = V₀E, SU/SV the Σ U_jᵀU_{k−j} / Σ V_jᵀV_{k−j} sums:
      s_k = diag(R) + ½·s₀∘diag(SU + SV)
      s_j·C_ij + s_i·E_ji = R_ij,  s_i·C_ij + s_j·E_ji = −R_ji − s_j·SV_ij − s_i·SU_ij   (i ≠ j)
  a 2×2 system per pair with determinant s_j² − s_i²; C_ii = −½SU_ii, E_ii = −½SV_ii.
* qr (m ≥ n; m < n by QR of the leading square block), A = QR, QᵀQ = I, R upper triangular:
  with P_k = A_k − Σ_{j=1..k−1} Q_jR_{k−j}, N = P_kR₀⁻¹, M = Q₀ᵀN, L = strict lower part of M,
  SQ = Σ Q_jᵀQ_{k−j}:  C = L − Lᵀ − triu(SQ, 1) − ½diag(SQ),  R_k = triu(M − C)·R₀,
  Q_k = Q₀C + N − Q₀M.

Degenerate cases follow JAX and autograd: repeated eigenvalues or singular values (and a zero
singular value of a non-square matrix) make the vectors' derivatives infinite; the result holds
inf/nan and a RuntimeWarning says why. First derivatives of eigenvalues and singular values stay
finite (they need no gap). Signs of eigen/singular vectors are NumPy's at the primal; the series
continue that choice (each column keeps unit length and its orientation).

Several outputs travel as ONE packed array through one primitive (eigh: [λ; V] of shape
(..., n+1, n); svd: [U; s; V]; qr: [Q; R]) and are split by indexing; the VJP skips the part of
a packed cotangent that is a known zero, so an unused eigenvector never turns a finite gradient
into 0·inf.
"""
from collections import namedtuple

import numpy as np

from ...core.rules import deftaylor, defvjp
from ...core.trace import Box, Primitive, getval
from .._util import array_namespace, shape_of
from ..products import matmul
from ..shape import concatenate, getitem, reshape, sum, unbroadcast
from ..tensor import triu
from ._common import (_T, _acc, _check_matrix, _check_real, _check_square, _col, _diag, _eye,
                      _gap_inverse, _is_zero, _row, _sym, _warn_small)
from .solvers import solve_triangular_p

__all__ = ["eigh", "eigvalsh", "svd", "svdvals", "qr", "pinv", "lstsq", "matrix_rank", "eig",
           "eigvals"]

EighResult = namedtuple("EighResult", "eigenvalues eigenvectors")
SVDResult = namedtuple("SVDResult", "U S Vh")
QRResult = namedtuple("QRResult", "Q R")
LstsqResult = namedtuple("LstsqResult", "x residuals rank s")


def _rows(x, lo, hi=None):
    return getitem(x, (Ellipsis, slice(lo, hi), slice(None)))


def _one_row(x, i):
    return getitem(x, (Ellipsis, i, slice(None)))


# eigh: packed [λ; V] — the recurrence of the module docstring -------------------------------------
def _eigh_impl(a):
    xp = array_namespace(a)
    w, v = xp.linalg.eigh((a + xp.swapaxes(a, -1, -2)) * 0.5)
    return xp.concatenate([w[..., None, :], v], axis=-2)


eigh_p = Primitive("eigh", _eigh_impl, doc="[eigenvalues; eigenvectors] of (a + aᵀ)/2, packed")


def _eigh_series(tr, w0, V0, A, K, values_only=False):
    """Coefficients 1..K of λ(t) and V(t) (V_K skipped when only values are wanted)."""
    n = shape_of(V0)[-1]
    V0T = _T(V0)
    F = None
    eye = _eye(n, V0)
    lam, V = [w0], [V0]
    for k in range(1, K + 1):
        rest = None if A[k] is None else matmul(A[k], V0)
        for j in range(1, k):
            if A[j] is not None:
                rest = _acc(rest, matmul(A[j], V[k - j]))
            rest = _acc(rest, -(V[j] * _row(lam[k - j])))
        R = matmul(V0T, rest)
        lam.append(_diag(R))
        if values_only and k == K:
            V.append(None)
            break
        if F is None:
            F = _gap_inverse(w0, "eigh", "eigenvalues")
        C = F * R
        if k > 1:
            S = None
            for j in range(1, k):
                S = _acc(S, matmul(_T(V[j]), V[k - j]))
            C = C - (S * eye) * 0.5
        V.append(matmul(V0, C))
    return lam, V


def _eigh_taylor(tr, ans, primals, series):
    A = [None if c is None else _sym(c) for c in tr.coeffs(primals[0], series[0])]
    lam, V = _eigh_series(tr, _one_row(ans, 0), _rows(ans, 1), A, tr.K)
    return tr.stack([concatenate([_row(l), v], axis=-2) for l, v in zip(lam[1:], V[1:])])


def _eigh_vjp(g, ans, a):
    w, V = _one_row(ans, 0), _rows(ans, 1)
    gw, gV = _one_row(g, 0), _rows(g, 1)
    n = shape_of(V)[-1]
    inner = None if _is_zero(gw) else _diag_matrix(gw, n, V)
    if not _is_zero(gV):
        inner = _acc(inner, _gap_inverse(w, "eigh", "eigenvalues") * matmul(_T(V), gV))
    if inner is None:
        return None
    return unbroadcast(_sym(matmul(V, matmul(inner, _T(V)))), shape_of(a))


def _diag_matrix(v, n, like):
    """diag(v) over the last axis (a (..., n, n) array)."""
    return _col(v) * _eye(n, like)


deftaylor(eigh_p, _eigh_taylor)
defvjp(eigh_p, _eigh_vjp)


def eigh(a, UPLO="L"):
    """numpy.linalg.eigh for real symmetric matrices: eigenvalues (ascending) and eigenvectors.

    The input is symmetrized, (a + aᵀ)/2 (JAX's ``symmetrize_input``): on a symmetric matrix the
    result is NumPy's; tangents and gradients are symmetric. ``UPLO`` is accepted for NumPy's
    signature (both triangles are read). Eigenvector derivatives need distinct eigenvalues
    (a RuntimeWarning and inf/nan otherwise, as in JAX and autograd); the eigenvector signs are
    NumPy's at the primal and the Taylor series keep them.

    Parameters
    ----------
    a : array_like, shape (..., n, n)
    UPLO : {'L', 'U'}

    Returns
    -------
    EighResult(eigenvalues, eigenvectors)
        Arrays of shape (..., n) and (..., n, n); column i of the eigenvectors belongs to
        eigenvalue i.

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad as ta
    >>> from taylorad.numpy.linalg import eigh
    >>> eigh(np.diag([2.0, 1.0])).eigenvalues
    array([1., 2.])
    >>> ta.grad(lambda a: eigh(a)[0][1])(np.diag([2.0, 1.0]))  # d λ_max / dA = v vᵀ
    array([[1., 0.],
           [0., 0.]])
    """
    _check_square(a, "eigh")
    if UPLO not in ("L", "U"):
        raise ValueError(f"taylorad.numpy.linalg.eigh: UPLO must be 'L' or 'U'; got {UPLO!r}")
    packed = eigh_p(a)
    return EighResult(_one_row(packed, 0), _rows(packed, 1))


# eigvalsh: the values alone — VJP V·diag(ḡ)·Vᵀ (no gap), Taylor from eigh's series ---------------
def _eigvalsh_impl(a):
    xp = array_namespace(a)
    return xp.linalg.eigvalsh((a + xp.swapaxes(a, -1, -2)) * 0.5)


eigvalsh_p = Primitive("eigvalsh", _eigvalsh_impl, doc="eigenvalues of (a + aᵀ)/2")


def _eigvalsh_taylor(tr, ans, primals, series):
    packed = eigh_p(primals[0])
    A = [None if c is None else _sym(c) for c in tr.coeffs(primals[0], series[0])]
    lam, _ = _eigh_series(tr, ans, _rows(packed, 1), A, tr.K, values_only=True)
    return tr.stack(lam[1:])


def _eigvalsh_vjp(g, ans, a):
    V = _rows(eigh_p(a), 1)
    return unbroadcast(matmul(V * _row(g), _T(V)), shape_of(a))


deftaylor(eigvalsh_p, _eigvalsh_taylor)
defvjp(eigvalsh_p, _eigvalsh_vjp)


def eigvalsh(a, UPLO="L"):
    """numpy.linalg.eigvalsh: the eigenvalues (ascending) of a real symmetric matrix.

    As :func:`eigh` (symmetrized input); first derivatives exist for repeated eigenvalues too
    (the gradient is then one of the valid subgradients, as in JAX); higher orders need
    distinct eigenvalues.

    Parameters
    ----------
    a : array_like, shape (..., n, n)
    UPLO : {'L', 'U'}

    Returns
    -------
    array, shape (..., n)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import eigvalsh
    >>> eigvalsh(np.array([[2.0, 1.0], [1.0, 2.0]]))
    array([1., 3.])
    """
    _check_square(a, "eigvalsh")
    if UPLO not in ("L", "U"):
        raise ValueError(f"taylorad.numpy.linalg.eigvalsh: UPLO must be 'L' or 'U'; got {UPLO!r}")
    return eigvalsh_p(a)


# svd: packed [U; s; V] (reduced) — the recurrence of the module docstring --------------------------
def _svd_impl(a):
    xp = array_namespace(a)
    u, s, vt = xp.linalg.svd(a, full_matrices=False)
    return xp.concatenate([u, s[..., None, :], xp.swapaxes(vt, -1, -2)], axis=-2)


svd_p = Primitive("svd", _svd_impl, doc="[U; s; V] of the reduced SVD, packed")


def _svd_unpack(packed, m):
    return _rows(packed, 0, m), _one_row(packed, m), _rows(packed, m + 1)


def _svd_series(U0, s0, V0, A, K, values_only=False):
    """Coefficients 1..K of U, s, V for m ≥ n (A: coefficients of an m×n matrix)."""
    m, n = shape_of(U0)[-2:]
    U0T = _T(U0)
    eye = _eye(n, V0)
    si, sj = _col(s0), _row(s0)
    G = None
    U, s, V = [U0], [s0], [V0]
    W = [None]  # W_j = Σ_{b+c=j} diag(s_b)·V_cᵀ, completed once order j is known
    for k in range(1, K + 1):
        P = A[k]
        for a_ in range(1, k):
            P = _acc(P, -matmul(U[a_], W[k - a_]))
        Wk = None  # the known part of W_k (no order-k coefficient)
        for b in range(1, k):
            Wk = _acc(Wk, _col(s[b]) * _T(V[k - b]))
        if Wk is not None:
            P = _acc(P, -matmul(U0, Wk))
        PV = matmul(P, V0)  # P is never None: A₁ is (the input is traced)
        R = matmul(U0T, PV)
        SU = SV = None
        for j in range(1, k):
            SU = _acc(SU, matmul(_T(U[j]), U[k - j]))
            SV = _acc(SV, matmul(_T(V[j]), V[k - j]))
        sk = _diag(R)
        if SU is not None:
            sk = sk + s0 * (_diag(SU) + _diag(SV)) * 0.5
        s.append(sk)
        if values_only and k == K:
            break
        if G is None:
            G = _gap_inverse(s0 * s0, "svd", "singular values")
            if m > n:
                _warn_small(s0, "svd", "a singular value of a non-square matrix")
        Q = -_T(R)
        if SU is not None:
            Q = Q - sj * SV - si * SU
        C = G * (sj * R - si * Q)
        E = _T(G * (sj * Q - si * R))
        if SU is not None:
            C = C - (SU * eye) * 0.5
            E = E - (SV * eye) * 0.5
        Uk = matmul(U0, C)
        if m > n:
            Uk = Uk + (PV - matmul(U0, R)) / sj
        Vk = matmul(V0, E)
        U.append(Uk)
        V.append(Vk)
        W.append(_acc(Wk, _col(sk) * _T(V0) + _col(s0) * _T(Vk)))
    return U, s, V


def _svd_coeffs(tr, a0, Sa, ans, m, n, values_only=False):
    """U, s, V coefficient lists of A(t) = a0 + …, from the packed primal ``ans``."""
    A = tr.coeffs(a0, Sa)
    U0, s0, V0 = _svd_unpack(ans, m)
    if m >= n:
        return _svd_series(U0, s0, V0, A, tr.K, values_only)
    V, s, U = _svd_series(V0, s0, U0, [None if c is None else _T(c) for c in A], tr.K,
                          values_only)
    return U, s, V


def _svd_taylor(tr, ans, primals, series):
    m, n = shape_of(primals[0])[-2:]
    U, s, V = _svd_coeffs(tr, primals[0], series[0], ans, m, n)
    return tr.stack([concatenate([u, _row(sv), v], axis=-2)
                     for u, sv, v in zip(U[1:], s[1:], V[1:])])


def _svd_vjp(g, ans, a):
    m, n = shape_of(a)[-2:]
    U, s, V = _svd_unpack(ans, m)
    gU, gs, gV = _svd_unpack(g, m)
    if m < n:  # Aᵀ = V·diag(s)·Uᵀ
        U, V, gU, gV = V, U, gV, gU
    k = shape_of(s)[-1]
    inner = _diag_matrix(gs, k, s) if not _is_zero(gs) else None
    si = _col(s)
    F = None
    extra = None
    if not _is_zero(gU):
        F = _gap_inverse(s * s, "svd", "singular values")
        J = F * matmul(_T(U), gU)
        inner = _acc(inner, (J + _T(J)) * _row(s))
        if shape_of(U)[-2] > k:
            _warn_small(s, "svd", "a singular value of a non-square matrix")
            extra = matmul((gU - matmul(U, matmul(_T(U), gU))) / _row(s), _T(V))
    if not _is_zero(gV):
        F = _gap_inverse(s * s, "svd", "singular values") if F is None else F
        Kv = F * matmul(_T(V), gV)
        inner = _acc(inner, si * (Kv + _T(Kv)))
    if inner is None and extra is None:
        return None
    out = _acc(None if inner is None else matmul(U, matmul(inner, _T(V))), extra)
    if m < n:
        out = _T(out)
    return unbroadcast(out, shape_of(a))


deftaylor(svd_p, _svd_taylor)
defvjp(svd_p, _svd_vjp)


# svdvals: the values alone — VJP U·diag(ḡ)·Vᵀ (no gap), Taylor from svd's series ---------------
def _svdvals_impl(a):
    return array_namespace(a).linalg.svd(a, compute_uv=False)


svdvals_p = Primitive("svdvals", _svdvals_impl, doc="singular values (descending)")


def _svdvals_taylor(tr, ans, primals, series):
    a0 = primals[0]
    m, n = shape_of(a0)[-2:]
    packed = svd_p(a0)
    _, s, _ = _svd_coeffs(tr, a0, series[0], packed, m, n, values_only=True)
    return tr.stack(s[1:])


def _svdvals_vjp(g, ans, a):
    m, _ = shape_of(a)[-2:]
    U, _, V = _svd_unpack(svd_p(a), m)
    return unbroadcast(matmul(U * _row(g), _T(V)), shape_of(a))


deftaylor(svdvals_p, _svdvals_taylor)
defvjp(svdvals_p, _svdvals_vjp)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """numpy.linalg.svd for real matrices: U, s (descending), Vh with a = U·diag(s)·Vh.

    Derivatives need distinct (and, for a non-square matrix, non-zero) singular values: a
    RuntimeWarning and inf/nan otherwise, as in JAX and autograd; first derivatives of ``s``
    alone need neither (``compute_uv=False`` or :func:`svdvals`). Singular-vector signs are
    NumPy's at the primal and the Taylor series keep them. ``full_matrices=True`` on a traced
    non-square matrix is refused: the extra columns are not unique, so they have no derivative.

    Parameters
    ----------
    a : array_like, shape (..., m, n)
    full_matrices : bool
        As NumPy; only meaningful for derivatives when m == n.
    compute_uv : bool
        False: return only the singular values.
    hermitian : bool
        Accepted for NumPy's signature; the general algorithm is used.

    Returns
    -------
    SVDResult(U, S, Vh), or the singular values when ``compute_uv`` is False.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import svd
    >>> svd(np.diag([1.0, 3.0]), compute_uv=False)
    array([3., 1.])
    """
    _check_matrix(a, "svd")
    if not compute_uv:
        return svdvals_p(a)
    m, n = shape_of(a)[-2:]
    if full_matrices and m != n:
        if not isinstance(a, Box):
            return SVDResult(*array_namespace(a).linalg.svd(a, full_matrices=True))
        raise ValueError(f"taylorad.numpy.linalg.svd: full_matrices=True on a traced {m}×{n} "
                         f"matrix — the extra singular vectors are not unique and have no "
                         f"derivative; pass full_matrices=False")
    U, s, V = _svd_unpack(svd_p(a), m)
    return SVDResult(U, s, _T(V))


def svdvals(x):
    """numpy.linalg.svdvals: the singular values, descending.

    Parameters
    ----------
    x : array_like, shape (..., m, n)

    Returns
    -------
    array, shape (..., min(m, n))

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import svdvals
    >>> svdvals(np.array([[0.0, 2.0], [1.0, 0.0]]))
    array([2., 1.])
    """
    _check_matrix(x, "svdvals", "x")
    return svdvals_p(x)


# qr: packed [Q; R] (reduced, m ≥ n) — the recurrence of the module docstring ----------------------
def _qr_impl(a):
    xp = array_namespace(a)
    q, r = xp.linalg.qr(a, mode="reduced")
    return xp.concatenate([q, r], axis=-2)


qr_p = Primitive("qr", _qr_impl, doc="[Q; R] of the reduced QR (m ≥ n), packed")


def _right_solve_upper(X, R):
    """X·R⁻¹ for upper triangular R: (R⁻ᵀXᵀ)ᵀ."""
    return _T(solve_triangular_p(R, _T(X), lower=False, trans=True, unit=False))


def _strict_lower(x):
    from ..tensor import tril  # noqa: PLC0415

    return tril(x, -1)


def _qr_taylor(tr, ans, primals, series):
    m, n = shape_of(primals[0])[-2:]
    Q0, R0 = _rows(ans, 0, m), _rows(ans, m)
    A = tr.coeffs(primals[0], series[0])
    eye = _eye(n, R0)
    Q, R = [Q0], [R0]
    for k in range(1, tr.K + 1):
        P = A[k]
        for j in range(1, k):
            P = _acc(P, -matmul(Q[j], R[k - j]))
        N = _right_solve_upper(P, R0)
        M = matmul(_T(Q0), N)
        L = _strict_lower(M)
        C = L - _T(L)
        if k > 1:
            SQ = None
            for j in range(1, k):
                SQ = _acc(SQ, matmul(_T(Q[j]), Q[k - j]))
            C = C - triu(SQ, 1) - (SQ * eye) * 0.5
        R.append(matmul(triu(M - C), R0))
        Qk = matmul(Q0, C)
        if m > n:
            Qk = Qk + (N - matmul(Q0, M))
        Q.append(Qk)
    return tr.stack([concatenate([q, r], axis=-2) for q, r in zip(Q[1:], R[1:])])


def _qr_vjp(g, ans, a):
    m, n = shape_of(a)[-2:]
    Q, R = _rows(ans, 0, m), _rows(ans, m)
    gQ, gR = _rows(g, 0, m), _rows(g, m)
    X = -matmul(gR, _T(R))
    if not _is_zero(gQ):
        QtgQ = matmul(_T(Q), gQ)
        X = X + QtgQ
    inner = _strict_lower(X - _T(X)) + matmul(gR, _T(R))
    if not _is_zero(gQ):
        Nbar = matmul(Q, inner - QtgQ) + gQ
    else:
        Nbar = matmul(Q, inner)
    # Ā = N̄·R⁻ᵀ = (R⁻¹·N̄ᵀ)ᵀ
    return unbroadcast(_T(solve_triangular_p(R, _T(Nbar), lower=False, trans=False,
                                             unit=False)), shape_of(a))


deftaylor(qr_p, _qr_taylor)
defvjp(qr_p, _qr_vjp)


def _qr_reduced(a):
    m, n = shape_of(a)[-2:]
    if m >= n:
        packed = qr_p(a)
        return _rows(packed, 0, m), _rows(packed, m)
    # m < n: Q and the first m columns of R are the QR of the leading m×m block (Householder
    # works column by column); the remaining columns of R are Qᵀ times those of a
    head = getitem(a, (Ellipsis, slice(None), slice(0, m)))
    tail = getitem(a, (Ellipsis, slice(None), slice(m, None)))
    packed = qr_p(head)
    Q, Rh = _rows(packed, 0, m), _rows(packed, m)
    return Q, concatenate([Rh, matmul(_T(Q), tail)], axis=-1)


def qr(a, mode="reduced"):
    """numpy.linalg.qr for real matrices: a = Q·R, Q with orthonormal columns, R upper triangular.

    Derivatives need the leading min(m, n) columns of ``a`` to be linearly independent (R's
    diagonal non-zero); signs are NumPy's (Householder) at the primal and the Taylor series keep
    them. ``mode='complete'`` on a traced matrix with m > n is refused (the extra columns of Q are
    not unique); 'raw' is refused on traced input.

    Parameters
    ----------
    a : array_like, shape (..., m, n)
    mode : {'reduced', 'r', 'complete'}

    Returns
    -------
    QRResult(Q, R), or R alone for ``mode='r'``.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import qr
    >>> q, r = qr(np.array([[3.0], [4.0]]))
    >>> np.allclose(q @ r, [[3.0], [4.0]])
    True
    """
    _check_matrix(a, "qr")
    m, n = shape_of(a)[-2:]
    if mode not in ("reduced", "r", "complete", "raw"):
        raise ValueError(f"taylorad.numpy.linalg.qr: unknown mode {mode!r} (use 'reduced', 'r' "
                         f"or 'complete')")
    if not isinstance(a, Box) and mode in ("raw", "complete"):
        return array_namespace(a).linalg.qr(a, mode=mode)
    if mode == "raw" or (mode == "complete" and m > n):
        raise ValueError(f"taylorad.numpy.linalg.qr: mode={mode!r} on a traced {m}×{n} matrix "
                         f"has no derivative (the extra Householder data / columns of Q are not "
                         f"unique); use mode='reduced' or 'r'")
    Q, R = _qr_reduced(a)
    return R if mode == "r" else QRResult(Q, R)


# pinv, lstsq: compositions of qr and solve_triangular (full rank) ------------------------------
def _check_full_rank(a, fname):
    v = getval(a)
    if isinstance(a, Box) and not isinstance(v, Box):
        m, n = v.shape[-2:]
        xp = array_namespace(v)
        r = xp.asarray(xp.linalg.matrix_rank(v))
        if bool(xp.any(r < min(m, n))):
            raise ValueError(
                f"taylorad.numpy.linalg.{fname}: a is rank-deficient (rank {int(xp.min(r))} < "
                f"{min(m, n)}); derivatives are supported for full-rank matrices only (where "
                f"the rank cannot change under a perturbation) — regularize a or apply "
                f"stop_gradient if a is a constant")


def pinv(a, rcond=None, hermitian=False, *, rtol=None):
    """numpy.linalg.pinv of a full-rank real matrix, as R⁻¹Qᵀ from :func:`qr` (m ≥ n; the
    transpose of pinv(aᵀ) for m < n).

    On untraced input this is NumPy's pinv (``rcond``/``rtol`` honoured). A traced input must
    have full rank: there the pseudo-inverse is smooth; at a rank-deficient matrix it is not
    even continuous, and a clear ValueError says so.

    Parameters
    ----------
    a : array_like, shape (..., m, n)
    rcond, hermitian, rtol
        As NumPy (used for untraced input).

    Returns
    -------
    array, shape (..., n, m)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import pinv
    >>> np.allclose(pinv(np.array([[1.0], [1.0]])), [[0.5, 0.5]])
    True
    """
    _check_matrix(a, "pinv")
    if not isinstance(a, Box):
        kw = {} if rtol is None else {"rtol": rtol}
        if rcond is not None:
            kw["rcond"] = rcond
        return array_namespace(a).linalg.pinv(a, hermitian=hermitian, **kw)
    _check_full_rank(a, "pinv")
    m, n = shape_of(a)[-2:]
    if m < n:
        return _T(pinv(_T(a)))
    Q, R = _qr_reduced(a)
    return solve_triangular_p(R, _T(Q), lower=False, trans=False, unit=False)


def lstsq(a, b, rcond=None):
    """numpy.linalg.lstsq for a full-rank real ``a``: the least-squares solution (m ≥ n) or the
    minimum-norm solution (m < n), via :func:`qr`.

    Parameters
    ----------
    a : array_like, shape (m, n)
    b : array_like, shape (m,) or (m, k)
    rcond : float, optional
        As NumPy (used for untraced input).

    Returns
    -------
    LstsqResult(x, residuals, rank, s)
        ``residuals`` (sums of squared residuals, m > n only) and ``s`` (singular values) are
        differentiable; ``rank`` is an integer.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import lstsq
    >>> lstsq(np.array([[1.0], [1.0]]), np.array([1.0, 3.0])).x
    array([2.])
    """
    _check_matrix(a, "lstsq")
    _check_real(b, "lstsq", "b")
    if not isinstance(a, Box) and not isinstance(b, Box):
        return LstsqResult(*np.linalg.lstsq(a, b, rcond=rcond)) if array_namespace(a, b) is np \
            else LstsqResult(*array_namespace(a, b).linalg.lstsq(a, b, rcond=rcond))
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) != 2 or len(sb) not in (1, 2) or sb[0] != sa[0]:
        raise ValueError(f"taylorad.numpy.linalg.lstsq: a must be (m, n) and b (m,) or (m, k) "
                         f"with the same m; got {sa} and {sb}")
    _check_full_rank(a, "lstsq")
    m, n = sa
    vec = len(sb) == 1
    b2 = reshape(b, (m, 1)) if vec else b
    if m >= n:
        Q, R = _qr_reduced(a)
        x = solve_triangular_p(R, matmul(_T(Q), b2), lower=False, trans=False, unit=False)
    else:  # a = Rᵀ·Qᵀ with aᵀ = Q·R: x = Q·R⁻ᵀ·b
        Q, R = _qr_reduced(_T(a))
        x = matmul(Q, solve_triangular_p(R, b2, lower=False, trans=True, unit=False))
    if m > n:
        r = b2 - matmul(a, x)
        residuals = sum(r * r, axis=0)
    else:
        v = getval(a)
        residuals = array_namespace(v).zeros((0,), dtype=v.dtype)
    if vec:
        x = reshape(x, (n,))
    return LstsqResult(x, residuals, min(m, n), svdvals_p(a))


# non-differentiable and refused -----------------------------------------------------------------
def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """numpy.linalg.matrix_rank: an integer, piecewise constant in ``A`` — zero derivative
    (the result is never traced).

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import matrix_rank
    >>> int(matrix_rank(np.ones((3, 3))))
    1
    """
    v = getval(A)
    if isinstance(v, Box):
        raise TypeError("taylorad.numpy.linalg.matrix_rank: its value is not known while "
                        "taylorad.jit records; compute the rank outside the jitted function")
    kw = {} if rtol is None else {"rtol": rtol}
    return array_namespace(v).linalg.matrix_rank(v, tol=tol, hermitian=hermitian, **kw)


def _refuse_general_eig(a, fname):
    if isinstance(a, Box):
        raise TypeError(f"taylorad.numpy.linalg.{fname} of a traced matrix: the eigen-decomposition of a general "
                        f"(non-symmetric) matrix has complex eigenvalues and eigenvectors, and "
                        f"complex numbers are out of scope for taylorad's derivatives — for a "
                        f"symmetric matrix use eigh/eigvalsh; for singular values use svd")


def eig(a):
    """numpy.linalg.eig on untraced input; a TypeError on traced input (complex results are out
    of scope — use :func:`eigh` for symmetric matrices).

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import eig
    >>> eig(np.diag([1.0, 2.0])).eigenvalues
    array([1., 2.])
    """
    _refuse_general_eig(a, "eig")
    return array_namespace(a).linalg.eig(a)


def eigvals(a):
    """numpy.linalg.eigvals on untraced input; a TypeError on traced input (complex results are
    out of scope — use :func:`eigvalsh` for symmetric matrices).

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import eigvals
    >>> eigvals(np.diag([1.0, 2.0]))
    array([1., 2.])
    """
    _refuse_general_eig(a, "eigvals")
    return array_namespace(a).linalg.eigvals(a)
