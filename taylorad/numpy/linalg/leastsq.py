"""taylorad.numpy.linalg, QR and least squares: qr; pinv and lstsq built on it (full rank).

Taylor rule for m ≥ n (m < n: Q and the leading block of R from the QR of the leading m×m
block, the rest of R = Qᵀ·A), A = QR with QᵀQ = I and R upper triangular, order by order
(normalized coefficients, DESIGN.md §3): with P_k = A_k − Σ_{j=1..k−1} Q_jR_{k−j},
N = P_kR₀⁻¹ (a triangular solve), M = Q₀ᵀN, L the strict lower part of M and
SQ = Σ_{j=1..k−1} Q_jᵀQ_{k−j}:

    C = L − Lᵀ − triu(SQ, 1) − ½·diag(SQ),   R_k = triu(M − C)·R₀,   Q_k = Q₀C + N − Q₀M

(QᵀQ = I fixes C's symmetric part, R_k R₀⁻¹ upper triangular its strict lower part). The signs
are NumPy's (Householder) at the primal; the series keep diag(R)'s signs. qr's outputs travel as
ONE packed array [Q; R] of shape (..., m+n, n).

pinv = R⁻¹Qᵀ and lstsq's x = R⁻¹Qᵀb (m ≥ n; transposed for m < n) are compositions: smooth
where ``a`` has full rank, and refused (a clear ValueError) at a rank-deficient traced ``a``,
where the pseudo-inverse is not even continuous.
"""
from collections import namedtuple

from ...core.rules import deftaylor, defvjp
from ...core.trace import Box, Primitive, getval
from .._util import array_namespace, shape_of
from ..products import matmul
from ..shape import concatenate, getitem, reshape, sum, unbroadcast
from ..tensor import triu
from ._common import _T, _acc, _check_matrix, _check_real, _eye, _is_zero, _rows
from .solvers import solve_triangular_p
from .singular import svdvals_p

__all__ = ["qr", "pinv", "lstsq"]

QRResult = namedtuple("QRResult", "Q R")
LstsqResult = namedtuple("LstsqResult", "x residuals rank s")


# qr: packed [Q; R] (reduced, m ≥ n) — the recurrence of the module docstring ----------------------
def _qr_impl(a):
    xp = array_namespace(a)
    q, r = xp.linalg.qr(a, mode="reduced")
    return xp.concatenate([q, r], axis=-2)


qr_p = Primitive("qr", _qr_impl, doc="[Q; R] of the reduced QR (m ≥ n), packed")


def _qr_unpack(packed, m):
    """Q (the first m rows) and R (the rest) of a packed [Q; R]."""
    return _rows(packed, 0, m), _rows(packed, m)


def _upper_solve(R, B, trans=False):
    """R⁻¹·B (``trans``: R⁻ᵀ·B) for upper triangular R."""
    return solve_triangular_p(R, B, lower=False, trans=trans, unit=False)


def _right_solve_upper(X, R, trans=False):
    """X·R⁻¹ (``trans``: X·R⁻ᵀ) for upper triangular R: (R⁻ᵀXᵀ)ᵀ (resp. (R⁻¹Xᵀ)ᵀ)."""
    return _T(_upper_solve(R, _T(X), trans=not trans))


def _strict_lower(x):
    from ..tensor import tril  # noqa: PLC0415

    return tril(x, -1)


def _qr_taylor(tr, ans, primals, series):
    m, n = shape_of(primals[0])[-2:]
    Q0, R0 = _qr_unpack(ans, m)
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
    Q, R = _qr_unpack(ans, m)
    gQ, gR = _qr_unpack(g, m)
    gRRt = matmul(gR, _T(R))
    X = -gRRt
    use_gQ = not _is_zero(gQ)
    if use_gQ:
        QtgQ = matmul(_T(Q), gQ)
        X = X + QtgQ
    inner = _strict_lower(X - _T(X)) + gRRt
    Nbar = matmul(Q, inner - QtgQ) + gQ if use_gQ else matmul(Q, inner)
    return unbroadcast(_right_solve_upper(Nbar, R, trans=True), shape_of(a))  # Ā = N̄·R⁻ᵀ


deftaylor(qr_p, _qr_taylor)
defvjp(qr_p, _qr_vjp)


def _qr_reduced(a):
    m, n = shape_of(a)[-2:]
    if m >= n:
        return _qr_unpack(qr_p(a), m)
    # m < n: Q and the first m columns of R are the QR of the leading m×m block (Householder
    # works column by column); the remaining columns of R are Qᵀ times those of a
    head = getitem(a, (Ellipsis, slice(None), slice(0, m)))
    tail = getitem(a, (Ellipsis, slice(None), slice(m, None)))
    Q, Rh = _qr_unpack(qr_p(head), m)
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
    return _upper_solve(R, _T(Q))


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
        return LstsqResult(*array_namespace(a, b).linalg.lstsq(a, b, rcond=rcond))
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
        x = _upper_solve(R, matmul(_T(Q), b2))
    else:  # a = Rᵀ·Qᵀ with aᵀ = Q·R: x = Q·R⁻ᵀ·b
        Q, R = _qr_reduced(_T(a))
        x = matmul(Q, _upper_solve(R, b2, trans=True))
    if m > n:
        r = b2 - matmul(a, x)
        residuals = sum(r * r, axis=0)
    else:
        v = getval(a)
        residuals = array_namespace(v).zeros((0,), dtype=v.dtype)
    if vec:
        x = reshape(x, (n,))
    return LstsqResult(x, residuals, min(m, n), svdvals_p(a))
