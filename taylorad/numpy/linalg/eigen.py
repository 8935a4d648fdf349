"""taylorad.numpy.linalg, symmetric eigenproblems: eigh, eigvalsh; eig and eigvals refuse
traced input (their results are complex in general, and complex numbers are out of scope).

Taylor rule (normalized coefficients of DESIGN.md §3, M_k the t^k coefficient of M(t)), from
A·V = V·Λ and VᵀV = I order by order in the primal's eigenbasis: write V_k = V₀C_k; with
R_k = V₀ᵀ(A_kV₀ + Σ_{j=1..k−1}(A_jV_{k−j} − V_jΛ_{k−j})) and S_k = Σ_{j=1..k−1} V_jᵀV_{k−j}:

    Λ_k = diag(R_k),   C_k,ij = R_k,ij / (λ_j − λ_i)  (i ≠ j),   C_k,ii = −½ S_k,ii

(the last from VᵀV = I: C_k + C_kᵀ = −S_k). O(K²) matrix products. The input is symmetrized,
(A + Aᵀ)/2, as JAX's ``symmetrize_input`` (autograd returns the unsymmetrized gradient; its
symmetric part is ours); on symmetric input the values are NumPy's, and so are the signs of the
eigenvectors, which the series continue (each column keeps unit length and orientation).

Repeated eigenvalues, as in JAX and autograd: the eigenvectors' derivatives (and the values'
beyond first order) do not exist; F = 1/(λ_j − λ_i) holds inf there, the result inf/nan, and a
RuntimeWarning says why. First derivatives of the eigenvalues need no gap.

eigh's two outputs travel as ONE packed array [λ; V] of shape (..., n+1, n) and are split by
indexing; the VJP skips the part of a packed cotangent that is a known zero, so that unused
eigenvectors never turn a finite eigenvalue gradient into 0·inf.
"""
from collections import namedtuple

from ...core.rules import deftaylor, defvjp
from ...core.trace import Box, Primitive
from .._util import array_namespace, shape_of
from ..products import matmul
from ..shape import concatenate, unbroadcast
from ._common import (_T, _acc, _check_square, _diag, _diag_matrix, _eye, _gap_inverse,
                      _is_zero, _one_row, _row, _rows, _sym)

__all__ = ["eigh", "eigvalsh", "eig", "eigvals"]

EighResult = namedtuple("EighResult", "eigenvalues eigenvectors")


# eigh: packed [λ; V] — the recurrence of the module docstring -------------------------------------
def _eigh_impl(a):
    xp = array_namespace(a)
    w, v = xp.linalg.eigh((a + xp.swapaxes(a, -1, -2)) * 0.5)
    return xp.concatenate([w[..., None, :], v], axis=-2)


eigh_p = Primitive("eigh", _eigh_impl, doc="[eigenvalues; eigenvectors] of (a + aᵀ)/2, packed")


def _eigh_series(w0, V0, A, K, values_only=False):
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
    lam, V = _eigh_series(_one_row(ans, 0), _rows(ans, 1), A, tr.K)
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


deftaylor(eigh_p, _eigh_taylor)
defvjp(eigh_p, _eigh_vjp)


def _check_symmetric_entry(a, UPLO, fname):
    _check_square(a, fname)
    if UPLO not in ("L", "U"):
        raise ValueError(f"taylorad.numpy.linalg.{fname}: UPLO must be 'L' or 'U'; got {UPLO!r}")


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
    _check_symmetric_entry(a, UPLO, "eigh")
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
    lam, _ = _eigh_series(ans, _rows(packed, 1), A, tr.K, values_only=True)
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
    _check_symmetric_entry(a, UPLO, "eigvalsh")
    return eigvalsh_p(a)


# eig, eigvals: refused on traced input ------------------------------------------------------------
def _refuse_general_eig(a, fname):
    if isinstance(a, Box):
        raise TypeError(f"taylorad.numpy.linalg.{fname} of a traced matrix: the "
                        f"eigen-decomposition of a general (non-symmetric) matrix has complex "
                        f"eigenvalues and eigenvectors, and "
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
