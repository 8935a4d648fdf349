"""taylorad.numpy.linalg: solve, inv, det, slogdet, cholesky, norm.

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

from ..core.rules import defcompose, deflinear, deftaylor, defvjp
from ..core.trace import Box, Primitive, getval
from ._util import array_namespace, normalize_axis, shape_of
from .arith import absolute, power, sqrt
from .products import matmul
from .reductions import amax, amin
from .shape import reshape, sum, swapaxes, unbroadcast
from .transcendental import exp

__all__ = ["solve", "inv", "det", "slogdet", "cholesky", "norm"]


def _T(x):
    return swapaxes(x, -1, -2)


def _check_square(a, fname, what="a"):
    s = shape_of(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise ValueError(f"taylorad.numpy.linalg.{fname}: {what} must be a square matrix (or a "
                         f"stack of them, shape (..., n, n)); got shape {s}")


def _expand2(g):
    return reshape(g, shape_of(g) + (1, 1))


# A₀⁻¹·R for a constant A₀, any number of right-hand sides in one factorization ---------------
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
            n = r.shape[-2]
            rm = np.moveaxis(r, -2, 0)
            x = np.linalg.solve(a, rm.reshape(n, -1))
            return np.moveaxis(x.reshape(rm.shape), 0, -2).astype(r.dtype, copy=False)
        batch = np.broadcast_shapes(a.shape[:-2], r.shape[:-2])  # cupy's solve does not broadcast
        return xp.linalg.solve(xp.broadcast_to(a, batch + a.shape[-2:]),
                               xp.broadcast_to(r, batch + r.shape[-2:]))


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
    (a0, b0), (Sa, Sb) = primals, series
    s = _solver(a0)
    if tr.K == 1:
        r = Sb if Sa is None else (-matmul(Sa, ans) if Sb is None else Sb - matmul(Sa, ans))
        return s(r)
    if Sa is None:  # X_k = A₀⁻¹ B_k for every k at once
        return s(Sb)
    A, B, X = tr.coeffs(a0, Sa), tr.coeffs(b0, Sb), [ans]
    for k in range(1, tr.K + 1):
        acc = B[k]
        for j in range(1, k + 1):
            if A[j] is not None:
                term = matmul(A[j], X[k - j])
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
    """numpy.linalg.solve: X with a·X = b (b of shape (n,) or (..., n, m))."""
    _check_square(a, "solve")
    n = shape_of(a)[-1]
    sb = shape_of(b)
    vec = len(sb) == 1
    if (vec and sb[0] != n) or (not vec and (len(sb) < 2 or sb[-2] != n)):
        raise ValueError(f"taylorad.numpy.linalg.solve: b of shape {sb} does not match a of shape "
                         f"{shape_of(a)} — b must be (n,) or (..., n, m) with n = {n}")
    if vec:
        x = solve_p(a, reshape(b, (n, 1)))
        return reshape(x, shape_of(x)[:-1])
    return solve_p(a, b)


# inv: X = A⁻¹; VJP −Xᵀ ḡ Xᵀ; Taylor X_k = −X₀ Σ_{j=1..k} A_j X_{k−j} ------------------------------
inv_p = Primitive("inv", lambda a: array_namespace(a).linalg.inv(a))


def _inv_series(tr, x0, A, K):
    """[X₀, …, X_K] of A(t)⁻¹ from the coefficients A (X₀ given)."""
    X = [x0]
    for k in range(1, K + 1):
        acc = None
        for j in range(1, k + 1):
            if A[j] is not None and X[k - j] is not None:
                term = matmul(A[j], X[k - j])
                acc = term if acc is None else acc + term
        X.append(None if acc is None else -matmul(x0, acc))
    return X


def _inv_taylor(tr, ans, primals, series):
    if tr.K == 1:
        return -matmul(ans, matmul(series[0], ans))
    return tr.stack(_inv_series(tr, ans, tr.coeffs(primals[0], series[0]), tr.K)[1:])


deftaylor(inv_p, _inv_taylor)
defvjp(inv_p, lambda g, ans, a: -matmul(_T(ans), matmul(g, _T(ans))))


def inv(a):
    """numpy.linalg.inv."""
    _check_square(a, "inv")
    return inv_p(a)


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
            term = _tr_prod(X[k - j], A[j]) * (j / k)
            acc = term if acc is None else acc + term
        out.append(acc)
    return tr.stack(out)


deftaylor(logabsdet_p, _logabsdet_taylor)
defvjp(logabsdet_p, lambda g, ans, a: _expand2(g) * _T(inv_p(a)))


def slogdet(a):
    """numpy.linalg.slogdet: (sign, log|det a|); the sign is a constant."""
    _check_square(a, "slogdet")
    v = getval(a)
    sign = array_namespace(v).linalg.slogdet(v)[0]
    return sign, logabsdet_p(a)


# det: VJP ḡ·det·A⁻ᵀ; Taylor of sign₀·exp(logabsdet(A)) --------------------------------------------
det_p = Primitive("det", lambda a: array_namespace(a).linalg.det(a))


def _det_series(a):
    v = getval(a)
    sign = array_namespace(v).linalg.slogdet(v)[0]
    return exp(logabsdet_p(a)) * sign


defcompose(det_p, _det_series)
defvjp(det_p, lambda g, ans, a: _expand2(g * ans) * _T(inv_p(a)))


def det(a):
    """numpy.linalg.det. Its VJP and Taylor rule use A⁻¹: ``a`` must be non-singular."""
    _check_square(a, "det")
    return det_p(a)


# cholesky: L₀L_kᵀ + L_kL₀ᵀ = M_k  ⇒  L_k = L₀·Φ(L₀⁻¹M_kL₀⁻ᵀ); VJP Ā = sym(L⁻ᵀ Φ(LᵀL̄) L⁻¹) --------
cholesky_p = Primitive("cholesky", lambda a: array_namespace(a).linalg.cholesky(a))


def _phi_mask(n, dtype, like):
    m = np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n)
    return array_namespace(getval(like)).asarray(m.astype(dtype))


def _cholesky_taylor(tr, ans, primals, series):
    L0, Sa = ans, series[0]
    n = shape_of(L0)[-1]
    phi = _phi_mask(n, getval(L0).dtype, L0)
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
    n = shape_of(ans)[-1]
    phi = _phi_mask(n, getval(ans).dtype, ans)
    Linv = inv_p(ans)
    s = matmul(_T(Linv), matmul(matmul(_T(ans), g) * phi, Linv))
    return (s + _T(s)) * 0.5


deftaylor(cholesky_p, _cholesky_taylor)
defvjp(cholesky_p, _cholesky_vjp)


def cholesky(a):
    """numpy.linalg.cholesky (lower factor). Tangents of ``a`` are taken as symmetric; the
    gradient returned is symmetric."""
    _check_square(a, "cholesky")
    return cholesky_p(a)


# norm: compositions (vector p-norms, Frobenius, induced 1/inf matrix norms) -----------------------
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - numpy's name
    """numpy.linalg.norm for vectors (ord None/2, 1, inf, -inf, 0, any p) and matrices
    (ord None/'fro', 1, -1, inf, -inf). The 2-norm is not differentiable at 0 (nan there);
    'nuc' and the spectral norms (ord 2/-2 for matrices) are not supported."""
    nd = len(shape_of(x))
    if axis is None:
        if ord is None or (ord == "fro" and nd == 2) or (ord == 2 and nd == 1):
            out = sqrt(sum(x * x))  # the 2-norm of the flattened array
            return reshape(out, (1,) * nd) if keepdims else out
        if nd not in (1, 2):
            raise ValueError(f"taylorad.numpy.linalg.norm: ord={ord!r} needs a 1-D or 2-D array "
                             f"or an explicit axis")
        axis = tuple(range(nd))
    axes = normalize_axis(axis, nd, "linalg.norm")
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims)
    if len(axes) != 2:
        raise ValueError("taylorad.numpy.linalg.norm: axis must be an int or a pair of ints")
    return _matrix_norm(x, ord, axes, keepdims)


def _vector_norm(x, ord, axes, keepdims):
    if ord is None or ord == 2:
        return sqrt(sum(x * x, axis=axes, keepdims=keepdims))
    if ord == np.inf:
        return amax(absolute(x), axis=axes, keepdims=keepdims)
    if ord == -np.inf:
        return amin(absolute(x), axis=axes, keepdims=keepdims)
    if ord == 0:
        v = getval(x)
        return (v != 0).sum(axis=axes, keepdims=keepdims).astype(v.dtype)
    if ord == 1:
        return sum(absolute(x), axis=axes, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"taylorad.numpy.linalg.norm: invalid norm order {ord!r} for vectors")
    return power(sum(power(absolute(x), float(ord)), axis=axes, keepdims=keepdims), 1.0 / ord)


def _matrix_norm(x, ord, axes, keepdims):
    r, c = axes
    if ord is None or ord == "fro":
        return sqrt(sum(x * x, axis=axes, keepdims=keepdims))
    if ord in (1, -1, np.inf, -np.inf):
        inner, outer = (r, c) if ord in (1, -1) else (c, r)
        s = sum(absolute(x), axis=inner, keepdims=True)
        red = amax if ord in (1, np.inf) else amin
        out = red(s, axis=outer, keepdims=True)
        if not keepdims:
            out = reshape(out, tuple(n for i, n in enumerate(shape_of(x)) if i not in axes))
        return out
    raise ValueError(f"taylorad.numpy.linalg.norm: matrix norm ord={ord!r} is not supported "
                     f"(use None/'fro', 1, -1, inf or -inf)")
