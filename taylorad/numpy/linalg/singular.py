"""taylorad.numpy.linalg, singular values: svd, svdvals; matrix_rank (an integer: zero
derivative).

Taylor rule for m ≥ n (m < n by transposing), A = U·diag(s)·Vᵀ with UᵀU = VᵀV = I, order by
order (normalized coefficients, DESIGN.md §3). With P_k the part of A_k not yet explained
(A_k − Σ of all products of lower-order coefficients), R = U₀ᵀP_kV₀, U_k = U₀C + (P_kV₀ − U₀R)/s₀
(the second term only when m > n), V_k = V₀E, SU = Σ_{j=1..k−1} U_jᵀU_{k−j}, SV likewise:

    s_k = diag(R) + ½·s₀∘diag(SU + SV)
    s_j·C_ij + s_i·E_ji = R_ij,   s_i·C_ij + s_j·E_ji = −R_ji − s_j·SV_ij − s_i·SU_ij   (i ≠ j)

a 2×2 system per pair, determinant s_j² − s_i²; C_ii = −½SU_ii, E_ii = −½SV_ii (unit columns).
At first order this is JAX's svd JVP. Singular-vector signs are NumPy's at the primal and the
series continue them.

Repeated singular values (and a zero singular value of a non-square matrix), as in JAX and
autograd: the vectors' derivatives do not exist; the result holds inf/nan and a RuntimeWarning
says why. First derivatives of the singular values need neither (svdvals' own VJP).

svd's outputs travel as ONE packed array [U; s; V] of shape (..., m+1+n, min(m, n)).
"""
from collections import namedtuple

from ...core.rules import deftaylor, defvjp
from ...core.trace import Box, Primitive, getval
from .._util import array_namespace, shape_of
from ..products import matmul
from ..shape import concatenate, unbroadcast
from ._common import (_T, _acc, _check_matrix, _col, _diag, _diag_matrix, _eye, _gap_inverse,
                      _is_zero, _one_row, _row, _rows, _warn_small)

__all__ = ["svd", "svdvals", "matrix_rank"]

SVDResult = namedtuple("SVDResult", "U S Vh")


# svd: packed [U; s; V] (reduced) — the recurrence of the module docstring -----------------------
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


# matrix_rank: piecewise constant ------------------------------------------------------------------
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
