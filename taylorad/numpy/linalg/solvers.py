"""taylorad.numpy.linalg, solvers: solve, inv, det, slogdet, cholesky, solve_triangular,
tensorsolve, tensorinv.

Taylor rules come from the recurrences of the defining identities, with the normalized
coefficients of DESIGN.md §3 (M_k is the t^k coefficient of M(t)):

* solve, A·X = B:    X_k = A₀⁻¹ (B_k − Σ_{j=1..k} A_j·X_{k−j})
* inv,   A·X = I:    X_k = −X₀ Σ_{j=1..k} A_j·X_{k−j}
* logabsdet l:       l′ = tr(A⁻¹A′)  ⇒  k·l_k = Σ_{j=1..k} j·tr(X_{k−j}·A_j), X = A⁻¹ as above
* det = sign·exp(l)  (the exp recurrence on l; A₀ must be non-singular for orders ≥ 1)
* cholesky, L·Lᵀ = A: L₀L_kᵀ + L_kL₀ᵀ = M_k := A_k − Σ_{j=1..k−1} L_j·L_{k−j}ᵀ
                      ⇒ L_k = L₀·Φ(L₀⁻¹ M_k L₀⁻ᵀ), Φ = strict lower part + half the diagonal

solve with a constant A₀ solves for every direction (and, when only B varies, every k) in one
call; when A₀ is itself traced (nested derivatives) each X_k is a differentiable solve.
Matrices are the last two axes; leading axes are batch axes, as in numpy.linalg.
"""
import numpy as np

from ...core.rules import defcompose, deflinear, deftaylor, defvjp
from ...core.trace import Box, Primitive, getval
from .._util import array_namespace, shape_of
from ..products import matmul
from ..shape import reshape, sum, unbroadcast
from ..transcendental import exp
from ._common import _T, _acc, _check_real, _check_square, _expand2, _sym

__all__ = ["solve", "inv", "det", "slogdet", "cholesky", "solve_triangular", "tensorsolve",
           "tensorinv"]


# A₀⁻¹·R for a constant A₀, any number of right-hand sides in one factorization ---------------
def _solve_columns(solve2d, r, dtype):
    """solve2d (an (n, n) solve) applied to every right-hand side of the NumPy array r of shape
    (..., n, m) as ONE (n, ·) matrix, the result cast to ``dtype``."""
    rm = np.moveaxis(r, -2, 0)
    x = solve2d(rm.reshape(r.shape[-2], -1))
    return np.moveaxis(x.reshape(rm.shape), 0, -2).astype(dtype, copy=False)


def _broadcast_solve(xp, a, b):
    """xp.linalg.solve(a, b) over the broadcast stack axes (cupy's solve does not broadcast)."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return xp.linalg.solve(xp.broadcast_to(a, batch + a.shape[-2:]),
                           xp.broadcast_to(b, batch + b.shape[-2:]))


class _ConstSolve:
    """A₀⁻¹·R (or A₀⁻ᵀ·R) for R of shape (..., n, m). For a 2-D NumPy A₀ every right-hand side
    of R is solved in ONE call (one LU factorization), not one per batch item.

    NumPy's own LAPACK, not scipy's LU: scipy links a second OpenBLAS with its own thread pool,
    and alternating the two libraries (a factorization, then NumPy's GEMMs, then a solve…) left
    each one's spinning threads in the other's way — order-6 derivatives of a 400×400 solve took
    120 ms instead of 15 with the default two threads here."""

    __slots__ = ("a", "trans")

    def __init__(self, a, trans=False):
        self.a, self.trans = a, trans

    def transposed(self):
        return _ConstSolve(self.a, not self.trans)

    def __call__(self, r):
        xp = array_namespace(self.a, r)
        a = xp.swapaxes(self.a, -1, -2) if self.trans else self.a
        if xp is np and a.ndim == 2:
            return _solve_columns(lambda rm: np.linalg.solve(a, rm), r, r.dtype)
        return _broadcast_solve(xp, a, r)


# const_solve: X = A₀⁻¹·R for a constant A₀ — linear in R ------------------------------------
const_solve_p = Primitive("const_solve", lambda r, factor=None: factor(r),
                          doc="A0^{-1} R with A0 constant (used by solve's rules)")
deflinear(const_solve_p, lambda p, S, factor: const_solve_p(S, factor=factor),
          lambda g, ans, r, factor: const_solve_p(g, factor=factor.transposed()))


# solve: X = A⁻¹B; VJP B̄ = A⁻ᵀḡ, Ā = −B̄·Xᵀ; Taylor X_k = A₀⁻¹(B_k − Σ_{j≥1} A_j X_{k−j}) ---------
solve_p = Primitive("solve", lambda a, b: array_namespace(a, b).linalg.solve(a, b))


def _solver(a0):
    if isinstance(a0, Box):  # nested: keep A₀ differentiable
        return lambda r: solve_p(a0, r)
    factor = _ConstSolve(a0)
    return lambda r: const_solve_p(r, factor=factor)


def _solve_taylor(tr, ans, primals, series):
    a0, (Sa, Sb) = primals[0], series
    s = _solver(a0)
    if tr.K == 1:
        r = Sb if Sa is None else (-matmul(Sa, ans) if Sb is None else Sb - matmul(Sa, ans))
        return s(r)
    if Sa is None:  # X_k = A₀⁻¹ B_k for every k at once
        return s(Sb)
    return _solve_series(tr, ans, primals, series, s)


def _solve_series(tr, ans, primals, series, s, op=lambda m: m):
    """The coefficients X_1..X_K of op(A(t))·X(t) = B(t), order by order:
    X_k = s(B_k − Σ_{j=1..k} op(A_j)·X_{k−j}), where s applies op(A₀)⁻¹ (``solve`` and
    ``solve_triangular`` share it)."""
    (a0, b0), (Sa, Sb) = primals, series
    A, B, X = tr.coeffs(a0, Sa), tr.coeffs(b0, Sb), [ans]
    for k in range(1, tr.K + 1):
        acc = B[k]
        for j in range(1, k + 1):
            if A[j] is not None:
                term = matmul(op(A[j]), X[k - j])
                acc = -term if acc is None else acc - term
        X.append(s(acc))
    return tr.stack(X[1:])


def _solve_vjp_b(g, ans, a, b):
    return unbroadcast(solve_p(_T(a), g), shape_of(b))


def _solve_vjp_a(g, ans, a, b):
    return unbroadcast(-matmul(solve_p(_T(a), g), _T(ans)), shape_of(a))


deftaylor(solve_p, _solve_taylor)
defvjp(solve_p, _solve_vjp_a, _solve_vjp_b)


def solve(a, b):
    """numpy.linalg.solve: X with a·X = b.

    Parameters
    ----------
    a : array_like, shape (..., n, n)
    b : array_like, shape (n,) or (..., n, m)

    Returns
    -------
    x : array, shaped like ``b`` (broadcast over the stack axes)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import solve
    >>> solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 2.0]))
    array([1. , 0.5])
    """
    _check_square(a, "solve")
    return _solve_with(solve_p, a, b, "solve")


def _solve_with(prim, a, b, fname, **kw):
    """prim(a, b, **kw) for b of shape (..., n, m), or for b of shape (n,) as a column (the
    result is then a vector), after checking b against the square a (the entry check of
    ``solve`` and ``solve_triangular``)."""
    n = shape_of(a)[-1]
    sb = shape_of(b)
    vec = len(sb) == 1
    if (vec and sb[0] != n) or (not vec and (len(sb) < 2 or sb[-2] != n)):
        raise ValueError(f"taylorad.numpy.linalg.{fname}: b of shape {sb} does not match a of "
                         f"shape {shape_of(a)} — b must be (n,) or (..., n, m) with n = {n}")
    if vec:
        x = prim(a, reshape(b, (n, 1)), **kw)
        return reshape(x, shape_of(x)[:-1])
    return prim(a, b, **kw)


# inv: X = A⁻¹; VJP −Xᵀ ḡ Xᵀ; Taylor X_k = −X₀ Σ_{j=1..k} A_j X_{k−j} ------------------------------
inv_p = Primitive("inv", lambda a: array_namespace(a).linalg.inv(a))


def _inv_series(tr, x0, A, K):
    """[X₀, …, X_K] of A(t)⁻¹ from the coefficients A (X₀ given)."""
    X = [x0]
    for k in range(1, K + 1):
        acc = None
        for j in range(1, k + 1):
            if A[j] is not None and X[k - j] is not None:
                acc = _acc(acc, matmul(A[j], X[k - j]))
        X.append(None if acc is None else -matmul(x0, acc))
    return X


def _inv_taylor(tr, ans, primals, series):
    if tr.K == 1:
        return -matmul(ans, matmul(series[0], ans))
    return tr.stack(_inv_series(tr, ans, tr.coeffs(primals[0], series[0]), tr.K)[1:])


deftaylor(inv_p, _inv_taylor)
defvjp(inv_p, lambda g, ans, a: -matmul(_T(ans), matmul(g, _T(ans))))


def inv(a):
    """numpy.linalg.inv: the inverse of each square matrix in the last two axes.

    Parameters
    ----------
    a : array_like, shape (..., n, n)

    Returns
    -------
    array, shape (..., n, n)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import inv
    >>> inv(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    _check_square(a, "inv")
    return inv_p(a)


def _sign(a):
    """sign(det a): piecewise constant, taken from the value (never traced)."""
    v = getval(a)
    return array_namespace(v).linalg.slogdet(v)[0]


# logabsdet: VJP ḡ·A⁻ᵀ; Taylor k·l_k = Σ_{j=1..k} j·tr(X_{k−j} A_j) with X = A⁻¹'s series ----------
def _logabsdet_impl(a):
    return array_namespace(a).linalg.slogdet(a)[1]


logabsdet_p = Primitive("logabsdet", _logabsdet_impl, doc="log |det a|")


def _tr_prod(x, a):
    """tr(x·a) over the last two axes, without forming the product."""
    return sum(x * _T(a), axis=(-2, -1))


def _logabsdet_taylor(tr, ans, primals, series):
    a0, Sa = primals[0], series[0]
    x0 = inv_p(a0)
    if tr.K == 1:
        return _tr_prod(x0, Sa)
    A = tr.coeffs(a0, Sa)
    X = _inv_series(tr, x0, A, tr.K - 1)
    out = []
    for k in range(1, tr.K + 1):
        acc = None
        for j in range(1, k + 1):
            if A[j] is None or X[k - j] is None:
                continue
            acc = _acc(acc, _tr_prod(X[k - j], A[j]) * (j / k))
        out.append(acc)
    return tr.stack(out)


deftaylor(logabsdet_p, _logabsdet_taylor)
defvjp(logabsdet_p, lambda g, ans, a: _expand2(g) * _T(inv_p(a)))


def slogdet(a):
    """numpy.linalg.slogdet: (sign, log|det a|); the sign is piecewise constant (a constant).

    Parameters
    ----------
    a : array_like, shape (..., n, n)

    Returns
    -------
    (sign, logabsdet)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import slogdet
    >>> sign, logdet = slogdet(np.array([[-2.0, 0.0], [0.0, 1.0]]))
    >>> float(sign), round(float(logdet), 6)
    (-1.0, 0.693147)
    """
    _check_square(a, "slogdet")
    return _sign(a), logabsdet_p(a)


# det: VJP ḡ·det·A⁻ᵀ; Taylor of sign₀·exp(logabsdet(A)) --------------------------------------------
det_p = Primitive("det", lambda a: array_namespace(a).linalg.det(a))


def _det_series(a):
    return exp(logabsdet_p(a)) * _sign(a)


defcompose(det_p, _det_series)
defvjp(det_p, lambda g, ans, a: _expand2(g * ans) * _T(inv_p(a)))


def det(a):
    """numpy.linalg.det. Its VJP and Taylor rule use A⁻¹: ``a`` must be non-singular.

    Parameters
    ----------
    a : array_like, shape (..., n, n)

    Returns
    -------
    array, shape (...)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import det
    >>> float(det(np.diag([2.0, 3.0])))
    6.0
    """
    _check_square(a, "det")
    return det_p(a)


# cholesky: L₀L_kᵀ + L_kL₀ᵀ = M_k  ⇒  L_k = L₀·Φ(L₀⁻¹M_kL₀⁻ᵀ); VJP Ā = sym(L⁻ᵀ Φ(LᵀL̄) L⁻¹) --------
cholesky_p = Primitive("cholesky", lambda a: array_namespace(a).linalg.cholesky(a))


def _phi_mask(L):
    """Φ as a mask of L's size and dtype: 1 below the diagonal, ½ on it, 0 above."""
    n, v = shape_of(L)[-1], getval(L)
    m = np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n)
    return array_namespace(v).asarray(m.astype(v.dtype))


def _cholesky_taylor(tr, ans, primals, series):
    L0, Sa = ans, series[0]
    phi = _phi_mask(L0)
    Linv = inv_p(L0)
    LinvT = _T(Linv)

    def step(m):
        return matmul(L0, matmul(matmul(Linv, m), LinvT) * phi)

    if tr.K == 1:
        return step(Sa)
    A, L = tr.coeffs(primals[0], Sa), [L0]
    for k in range(1, tr.K + 1):
        acc = A[k]
        for j in range(1, k):
            if L[j] is not None and L[k - j] is not None:
                term = matmul(L[j], _T(L[k - j]))
                acc = -term if acc is None else acc - term
        L.append(None if acc is None else step(acc))
    return tr.stack(L[1:])


def _cholesky_vjp(g, ans, a):
    Linv = inv_p(ans)
    return _sym(matmul(_T(Linv), matmul(matmul(_T(ans), g) * _phi_mask(ans), Linv)))


deftaylor(cholesky_p, _cholesky_taylor)
defvjp(cholesky_p, _cholesky_vjp)


def cholesky(a):
    """numpy.linalg.cholesky (lower factor). Tangents of ``a`` are taken as symmetric; the
    gradient returned is symmetric.

    Parameters
    ----------
    a : array_like, shape (..., n, n), symmetric positive definite

    Returns
    -------
    L : array, shape (..., n, n), lower triangular with a = L·Lᵀ

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import cholesky
    >>> cholesky(np.array([[4.0, 2.0], [2.0, 2.0]]))
    array([[2., 0.],
           [1., 1.]])
    """
    _check_square(a, "cholesky")
    return cholesky_p(a)


# solve_triangular: X = op(T)⁻¹B, T the lower/upper triangle of A (unit: diagonal taken as 1),
# op = identity or transpose. Taylor X_k = op(T₀)⁻¹(B_k − Σ_{j≥1} op(T_j)·X_{k−j}) with T_j the
# triangle of A_j (strict when unit); VJP B̄ = op(T)⁻ᵀḡ, Ā = triangle of op-transposed(−B̄·Xᵀ) --
def _tri_mask(n, lower, strict, like):
    ones = np.ones((n, n), dtype=bool)
    m = np.tril(ones, -1 if strict else 0) if lower else np.triu(ones, 1 if strict else 0)
    return array_namespace(getval(like)).asarray(m)


def _scipy_solve_triangular():
    """scipy.linalg.solve_triangular, or None without SciPy (an optional dependency: then a
    general solve on the triangle, O(n³) instead of O(n²), gives the same x)."""
    try:
        from scipy.linalg import solve_triangular as st  # noqa: PLC0415 - SciPy on first use
    except ImportError:  # pragma: no cover - SciPy is installed wherever the tests run
        return None
    return st


def _solve_triangular_impl(a, b, lower=False, trans=False, unit=False):
    xp = array_namespace(a, b)
    dtype = xp.result_type(a, b)
    n = a.shape[-1]
    _st = _scipy_solve_triangular() if xp is np and a.ndim == 2 else None
    if _st is not None:  # one O(n²) substitution for every right-hand side
        return _solve_columns(lambda bm: _st(a, bm, trans=int(trans), lower=lower,
                                             unit_diagonal=unit, check_finite=False), b, dtype)
    t = xp.where(_tri_mask(n, lower, unit, a), a, 0)
    if unit:
        t = t + xp.eye(n, dtype=t.dtype)
    if trans:
        t = xp.swapaxes(t, -1, -2)
    return _broadcast_solve(xp, t, b).astype(dtype, copy=False)


solve_triangular_p = Primitive("solve_triangular", _solve_triangular_impl,
                               doc="op(tri(a))^{-1} b (scipy.linalg.solve_triangular)")


def _tri_part(x, lower, unit):
    """The entries of x that solve_triangular reads (zero elsewhere)."""
    from ..shape import where  # noqa: PLC0415

    return where(_tri_mask(shape_of(x)[-1], lower, unit, x), x, 0)


def _solve_triangular_taylor(tr, ans, primals, series, lower, trans, unit):
    a0, (Sa, Sb) = primals[0], series

    def s(r):
        return solve_triangular_p(a0, r, lower=lower, trans=trans, unit=unit)

    def op(m):
        m = _tri_part(m, lower, unit)
        return _T(m) if trans else m

    if Sa is None:
        return s(Sb)
    return _solve_series(tr, ans, primals, series, s, op)


def _solve_triangular_vjp_a(g, ans, a, b, lower, trans, unit):
    gb = solve_triangular_p(a, g, lower=lower, trans=not trans, unit=unit)
    ga = -matmul(gb, _T(ans))
    ga = _tri_part(_T(ga) if trans else ga, lower, unit)
    return unbroadcast(ga, shape_of(a))


def _solve_triangular_vjp_b(g, ans, a, b, lower, trans, unit):
    return unbroadcast(solve_triangular_p(a, g, lower=lower, trans=not trans, unit=unit),
                       shape_of(b))


deftaylor(solve_triangular_p, _solve_triangular_taylor)
defvjp(solve_triangular_p, _solve_triangular_vjp_a, _solve_triangular_vjp_b)


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    """X with op(a)·X = b for a triangular ``a`` (scipy.linalg.solve_triangular).

    Only the lower (``lower=True``) or upper triangle of ``a`` is read, and not its diagonal
    when ``unit_diagonal`` (taken as ones); derivatives with respect to the other entries are
    zero, as they do not enter the result.

    Parameters
    ----------
    a : array_like, shape (..., n, n)
        Triangular matrix (or a stack of them).
    b : array_like, shape (n,) or (..., n, m)
        Right-hand side.
    trans : {0, 1, 'N', 'T'}
        0/'N': solve a·X = b; 1/'T': solve aᵀ·X = b ('C' equals 'T' for real input).
    lower : bool
        Use the lower triangle of ``a`` (default: the upper one, as SciPy).
    unit_diagonal : bool
        Take the diagonal of ``a`` to be ones.

    Returns
    -------
    x : array, shaped like ``b`` (broadcast over the stack axes)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import solve_triangular
    >>> solve_triangular(np.array([[2.0, 1.0], [0.0, 4.0]]), np.array([3.0, 4.0]))
    array([1., 1.])
    """
    _check_square(a, "solve_triangular")
    t = {0: False, 1: True, 2: True, "N": False, "T": True, "C": True}.get(trans)
    if t is None:
        raise ValueError(f"taylorad.numpy.linalg.solve_triangular: trans must be 0, 1, 2, 'N', "
                         f"'T' or 'C'; got {trans!r}")
    return _solve_with(solve_triangular_p, a, b, "solve_triangular", lower=bool(lower), trans=t,
                       unit=bool(unit_diagonal))


# compositions: tensorsolve, tensorinv (reshaped solve / inv) ------------------------------------
def tensorsolve(a, b, axes=None):
    """numpy.linalg.tensorsolve: x with tensordot(a, x, x.ndim) = b, as a reshaped ``solve``.

    Parameters
    ----------
    a : array_like, shape b.shape + Q, prod(Q) == prod(b.shape)
    b : array_like
    axes : tuple of ints, optional
        Axes of ``a`` to move to the end first.

    Returns
    -------
    x : array, shape Q

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import tensorsolve
    >>> tensorsolve(2.0 * np.eye(4).reshape(2, 2, 2, 2), np.ones((2, 2)))
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    from ..shape import transpose  # noqa: PLC0415

    _check_real(a, "tensorsolve")
    sa, sb = shape_of(a), shape_of(b)
    if axes is not None:  # as NumPy: each listed axis moves to the end, in order
        order = list(range(len(sa)))
        for ax in axes:
            order.remove(ax % len(sa))
            order.append(ax % len(sa))
        a = transpose(a, order)
        sa = shape_of(a)
    q = sa[len(sb):]
    n = int(np.prod(q, dtype=np.int64))
    if len(sa) <= len(sb) or int(np.prod(sa, dtype=np.int64)) != n * n or \
            int(np.prod(sb, dtype=np.int64)) != n:
        raise ValueError(f"taylorad.numpy.linalg.tensorsolve: a of shape {sa} does not fit b of "
                         f"shape {sb} — a must be b.shape followed by axes of the same product")
    x = solve(reshape(a, (n, n)), reshape(b, (n,)))
    return reshape(x, q)


def tensorinv(a, ind=2):
    """numpy.linalg.tensorinv: the inverse of an N-D array for tensordot over ``ind`` axes.

    Parameters
    ----------
    a : array_like, prod(a.shape[:ind]) == prod(a.shape[ind:])
    ind : int

    Returns
    -------
    array, shape a.shape[ind:] + a.shape[:ind]

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy.linalg import tensorinv
    >>> tensorinv(4.0 * np.eye(4).reshape(4, 2, 2), ind=1).shape
    (2, 2, 4)
    """
    _check_real(a, "tensorinv")
    sa = shape_of(a)
    if ind <= 0:
        raise ValueError("taylorad.numpy.linalg.tensorinv: ind must be a positive integer")
    head, tail = sa[:ind], sa[ind:]
    n, m = int(np.prod(head, dtype=np.int64)), int(np.prod(tail, dtype=np.int64))
    if n != m:
        raise ValueError(f"taylorad.numpy.linalg.tensorinv: prod(a.shape[:ind]) = {n} must "
                         f"equal prod(a.shape[ind:]) = {m}")
    return reshape(inv(reshape(a, (n, m))), tail + head)
