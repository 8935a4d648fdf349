"""matmul and dot: bilinear, so the Taylor rule is a Cauchy product of matrix products.

The stacked form puts the Taylor prefix (K, *batch) in front of matmul's own batch axes, so
a₀·B and A·b₀ over all coefficients are ONE matmul each.
"""
from ..core.rules import deftaylor, defvjp, linear_in_one
from ..core.trace import Primitive
import numpy as np

from ._util import array_namespace, shape_of
from .shape import getitem_p, reshape_p, transpose_p, unbroadcast



def is_outer(sa, sb):
    """Whether matmul of operands with shapes ``sa`` and ``sb`` contracts over one element:
    (…, n, 1) @ (…, 1, m) is the broadcast product, which BLAS computes several times slower
    (a rank-1 GEMM) than one elementwise pass. The backward pass of every layer with a single
    output (a scalar-valued network's last layer) is such an outer product."""
    return len(sa) >= 2 and len(sb) >= 2 and sa[-1] == 1 and sb[-2] == 1


def _matmul(a, b):
    xp = array_namespace(a, b)
    if is_outer(shape_of(a), shape_of(b)):
        return xp.multiply(a, b)  # one product per element, as in the GEMM: the same numbers
    return xp.matmul(a, b)


matmul = Primitive("matmul", _matmul)


def _insert_ones(x, p, n):
    """Insert ``n`` unit axes after the first ``p`` axes of x."""
    if n <= 0:
        return x
    s = shape_of(x)
    return reshape_p(x, shape=s[:p] + (1,) * n + s[p:])


def _swap_last(x):
    n = len(shape_of(x))
    return transpose_p(x, axes=tuple(range(n - 2)) + (n - 1, n - 2))


def _unit_rows(flat):
    """The column of the single 1 in each row of ``flat`` when ``flat`` is a concrete NumPy
    matrix whose rows are unit vectors (the seeds of a dense Hessian or Jacobian: rows of the
    identity), else None. Checked on the small seed matrix, never on data."""
    if type(flat) is not np.ndarray or flat.ndim != 2 or flat.shape[0] > flat.shape[1] or \
            flat.dtype.kind != "f" or not flat.size or np.count_nonzero(flat[0]) != 1:
        return None  # (the first row decides cheaply for data-sized stacks)
    cols = np.argmax(flat, axis=1)
    if not np.all(flat[np.arange(flat.shape[0]), cols] == 1) or \
            np.count_nonzero(flat) != flat.shape[0]:
        return None
    return cols


def _rows_times(S, p, M, left):
    """A stack of vectors S (p prefix axes, then n) times a plain matrix M as ONE GEMM on the
    (prefix, n) rows: S·M (left=False: vector @ matrix) or M·S per vector (left=True: matrix @
    vector, computed as S·Mᵀ). NumPy would otherwise run one matrix-vector product per vector.

    Rows of the identity (the unit directions of a dense Hessian or Jacobian) select instead:
    e_j·M is row j of M, M·e_j column j, exactly (the GEMM would give the same numbers at
    O(n·m·rows) cost — on a data matrix X (N×n), the N·n² of one more pass over the data)."""
    s = shape_of(S)
    flat = reshape_p(S, shape=(-1, s[-1])) if p != 1 else S
    cols = _unit_rows(flat)
    if cols is not None and len(shape_of(M)) == 2:
        Mt = _swap_last(M) if left else M  # rows of Mt are what e_j selects
        if not np.array_equal(cols, np.arange(shape_of(Mt)[0])):
            Mt = getitem_p(Mt, idx=(cols,))
        y = Mt
    else:
        y = matmul(flat, _swap_last(M) if left else M)
    return reshape_p(y, shape=s[:-1] + shape_of(y)[-1:]) if p != 1 else y


def mm(a, b, pa=0, pb=0):
    """matmul(a, b) where a and b carry ``pa``/``pb`` leading prefix axes (the same prefix)."""
    sa, sb = shape_of(a), shape_of(b)
    va, vb = len(sa) - pa == 1, len(sb) - pb == 1
    if pb and not pa and len(sa) == 2:  # matrix @ stacked vectors (or (n, 1) columns)
        if vb:
            return _rows_times(b, pb, a, left=True)
        if len(sb) - pb == 2 and sb[-1] == 1:
            y = _rows_times(reshape_p(b, shape=sb[:-1]), pb, a, left=True)
            return reshape_p(y, shape=shape_of(y) + (1,))
    if pa and not pb and len(sb) == 2:  # stacked vectors (or (1, n) rows) @ matrix
        if va:
            return _rows_times(a, pa, b, left=False)
        if len(sa) - pa == 2 and sa[-2] == 1:
            y = _rows_times(reshape_p(a, shape=sa[:-2] + sa[-1:]), pa, b, left=False)
            s = shape_of(y)
            return reshape_p(y, shape=s[:-1] + (1,) + s[-1:])
    if va:
        a = reshape_p(a, shape=sa[:-1] + (1, sa[-1]))
    if vb:
        b = reshape_p(b, shape=sb + (1,))
    ra, rb = len(shape_of(a)) - pa, len(shape_of(b)) - pb
    r = max(ra, rb)
    if pa:
        a = _insert_ones(a, pa, r - ra)
    if pb:
        b = _insert_ones(b, pb, r - rb)
    y = matmul(a, b)
    if va or vb:
        s = shape_of(y)
        y = reshape_p(y, shape=s[:-2] + (() if va else s[-2:-1]) + (() if vb else s[-1:]))
    return y


def _matmul_taylor(tr, ans, primals, series):
    (a0, b0), (Sa, Sb) = primals, series
    p, q = tr.pdim, tr.pdim - 1
    if Sb is None:
        return mm(Sa, b0, p, 0)
    if Sa is None:
        return mm(a0, Sb, 0, p)
    out = mm(Sa, b0, p, 0) + mm(a0, Sb, 0, p)  # the j = 0 and j = k terms, stacked
    if tr.K == 1:
        return out
    a, b = tr.coeffs(a0, Sa), tr.coeffs(b0, Sb)
    mid = [None]
    for k in range(2, tr.K + 1):
        acc = mm(a[1], b[k - 1], q, q)
        for j in range(2, k):
            acc = acc + mm(a[j], b[k - j], q, q)
        mid.append(acc)
    return out + tr.stack(mid)


def _promoted(a, b):
    sa, sb = shape_of(a), shape_of(b)
    a2 = (1,) + sa if len(sa) == 1 else sa
    b2 = sb + (1,) if len(sb) == 1 else sb
    return sa, sb, a2, b2


def _g2(g, sa, sb):
    sg = shape_of(g)
    if len(sa) == 1:
        sg = sg[:-1] + (1,) + sg[-1:] if len(sb) > 1 else sg + (1,)
    if len(sb) == 1:
        sg = sg + (1,)
    return reshape_p(g, shape=sg) if sg != shape_of(g) else g


def _matmul_vjp_a(g, ans, a, b):
    sa, sb, a2, b2 = _promoted(a, b)
    b2v = reshape_p(b, shape=b2) if b2 != sb else b
    ga = matmul(_g2(g, sa, sb), _swap_last(b2v))
    ga = unbroadcast(ga, a2)
    return reshape_p(ga, shape=sa) if a2 != sa else ga


def _matmul_vjp_b(g, ans, a, b):
    sa, sb, a2, b2 = _promoted(a, b)
    a2v = reshape_p(a, shape=a2) if a2 != sa else a
    gb = matmul(_swap_last(a2v), _g2(g, sa, sb))
    gb = unbroadcast(gb, b2)
    return reshape_p(gb, shape=sb) if b2 != sb else gb


deftaylor(matmul, _matmul_taylor)
matmul._linear_when = linear_in_one
defvjp(matmul, _matmul_vjp_a, _matmul_vjp_b)


def dot(a, b):
    """numpy.dot for scalars, vectors and matrices (and N-D · vector / N-D · matrix)."""
    na, nb = len(shape_of(a)), len(shape_of(b))
    if na == 0 or nb == 0:
        return a * b
    if nb <= 2:
        return matmul(a, b)
    raise ValueError("taylorad.numpy.dot: the second argument has more than 2 dimensions, "
                     "where numpy.dot and matmul disagree — use taylorad.numpy.matmul")


def vdot(a, b):
    from .shape import ravel  # noqa: PLC0415

    return matmul(ravel(a), ravel(b))
