"""Tensor operations: einsum (multilinear: a Cauchy product over all operands) and the structural
linear maps built on indexing — tensordot, outer, inner, trace, diagonal, diag, triu, tril, flip,
roll, pad, tile, repeat, split, array_split, take_along_axis.

Only ``einsum`` is a new primitive; everything else is a composition of linear primitives
(getitem, index_add, reshape, broadcast_to, transpose, where), so its VJP and Taylor rules are
theirs: one backend call per primitive for all Taylor coefficients.
"""
import builtins
import itertools
import string
from collections import Counter

import numpy as np

from ..core.rules import deftaylor, defvjp_variadic
from ..core.trace import Box, Primitive, getval
from ._util import array_namespace, normalize_axis, shape_of
from .shape import (broadcast_to, getitem_p, index_add_p, moveaxis, ravel, reshape,
                    sum, where)

__all__ = ["einsum", "tensordot", "outer", "inner", "trace", "diagonal", "diag", "triu", "tril",
           "flip", "roll", "pad", "tile", "repeat", "split", "array_split", "take_along_axis"]


# einsum --------------------------------------------------------------------------------------
# Multilinear: y_k = Σ_{k₁+…+kₙ=k} einsum(x¹_{k₁}, …, xⁿ_{kₙ}). The terms with one kᵢ = k (all
# others 0) are stacked: one einsum per operand for every coefficient; the mixed terms (k ≥ 2)
# are summed coefficient by coefficient, skipping zero series.
def _einsum_impl(*ops, ins, out):
    return array_namespace(*ops).einsum(",".join(ins) + "->" + out, *ops)


einsum_p = Primitive("einsum", _einsum_impl)


def _free_letters(ins, out, n):
    used = set("".join(ins) + out)
    free = [c for c in string.ascii_letters if c not in used]
    if len(free) < n:
        raise ValueError("taylorad.numpy.einsum: too many distinct subscripts to differentiate "
                         f"(need {n} spare letters)")
    return "".join(free[:n])


def _einsum_taylor(tr, ans, primals, series, ins, out):
    P = _free_letters(ins, out, tr.pdim)  # letters for the prefix (K, *batch)
    Q = P[1:]
    nz = [i for i, S in enumerate(series) if S is not None]
    total = None
    for i in nz:  # the stacked terms: operand i carries every coefficient, the others their primal
        sub = [P + s if j == i else s for j, s in enumerate(ins)]
        ops_ = [series[j] if j == i else primals[j] for j in range(len(ins))]
        term = einsum_p(*ops_, ins=tuple(sub), out=P + out)
        total = term if total is None else total + term
    if tr.K == 1 or len(nz) < 2:
        return total
    coeffs = [tr.coeffs(x0, S) for x0, S in zip(primals, series)]
    mid = [None]
    for k in range(2, tr.K + 1):
        acc = None
        for ks in itertools.product(*[range(k + 1) if i in nz else (0,) for i in range(len(ins))]):
            if builtins.sum(ks) != k or builtins.sum(1 for kk in ks if kk) < 2:
                continue
            sub = tuple(Q + s if kk else s for s, kk in zip(ins, ks))
            term = einsum_p(*[c[kk] for c, kk in zip(coeffs, ks)], ins=sub, out=Q + out)
            acc = term if acc is None else acc + term
        mid.append(acc)
    return total + tr.stack(mid)


def _einsum_vjp(i):
    # ∂/∂xᵢ: contract g with the other operands back to xᵢ's subscripts; a repeated letter in xᵢ
    # (a diagonal) becomes an identity factor, a letter summed only in xᵢ a ones factor
    def vjp(g, ans, *ops, ins, out):
        target = ins[i]
        others = [s for j, s in enumerate(ins) if j != i]
        spare = iter(_free_letters(ins, out, len(target)))
        gv = getval(g)
        xp = array_namespace(gv)
        sizes = dict(zip(target, shape_of(ops[i])))
        renamed, seen, extra_subs, extra_ops = [], set(), [], []
        for c in target:
            if c in seen:
                new = next(spare)
                extra_subs.append(c + new)
                extra_ops.append(xp.eye(sizes[c], dtype=gv.dtype))
                renamed.append(new)
            else:
                seen.add(c)
                renamed.append(c)
        have = set(out + "".join(others))
        for c in seen:
            if c not in have:
                extra_subs.append(c)
                extra_ops.append(xp.ones(sizes[c], dtype=gv.dtype))
        return einsum_p(g, *[o for j, o in enumerate(ops) if j != i], *extra_ops,
                        ins=(out,) + tuple(others) + tuple(extra_subs), out="".join(renamed))

    return vjp


deftaylor(einsum_p, _einsum_taylor)
defvjp_variadic(einsum_p, _einsum_vjp)


def _parse_einsum(subscripts, shapes):
    s = subscripts.replace(" ", "")
    ins, out = s.split("->") if "->" in s else (s, None)
    ins = ins.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"taylorad.numpy.einsum: {len(ins)} operand subscripts but "
                         f"{len(shapes)} operands")
    bad = set(s) - set(string.ascii_letters) - set(",->.")
    if bad:
        raise ValueError(f"taylorad.numpy.einsum: invalid subscript characters {sorted(bad)}")
    ell_nd = 0
    for sub, shape in zip(ins, shapes):
        if "..." in sub:
            ell_nd = builtins.max(ell_nd, len(shape) - (len(sub) - 3))
    ell = _free_letters(ins, out or "", ell_nd) if ell_nd else ""
    new_ins = []
    for sub, shape in zip(ins, shapes):
        if "..." in sub:
            n = len(shape) - (len(sub) - 3)
            sub = sub.replace("...", ell[ell_nd - n:])
        if len(sub) != len(shape):
            raise ValueError(f"taylorad.numpy.einsum: subscripts '{sub}' do not match an "
                             f"operand of shape {shape}")
        new_ins.append(sub)
    if out is None:
        counts = Counter("".join(i.replace("...", "") for i in ins))
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        out = out.replace("...", ell)
    return new_ins, out


def _sublist_subscripts(args):
    """NumPy's other spelling, ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` (integer sublists,
    ``...`` as Ellipsis, optional output sublist), as a subscripts string and operands."""
    def letters(sub, where):
        if isinstance(sub, (str, bytes)) or not hasattr(sub, "__iter__"):
            raise TypeError(f"taylorad.numpy.einsum: {where} must be a list of integers (and "
                            f"Ellipsis), got {sub!r} — e.g. einsum(a, [0, 1], b, [1, 2])")
        out = []
        for s in sub:
            if s is Ellipsis:
                out.append("...")
            elif isinstance(s, (int, np.integer)) and not isinstance(s, bool) and \
                    0 <= s < len(string.ascii_letters):
                out.append(string.ascii_letters[int(s)])
            else:
                raise ValueError(f"taylorad.numpy.einsum: {where} holds {s!r}; subscripts in a "
                                 f"sublist are integers in [0, 52) or Ellipsis")
        return "".join(out)

    operands, subs = list(args[0::2]), args[1::2]
    out = None
    if len(args) % 2:  # a final output sublist
        out = operands.pop()
        out = letters(out, "the output sublist")
    spec = ",".join(letters(s, f"sublist {i}") for i, s in enumerate(subs))
    return (spec if out is None else f"{spec}->{out}"), operands


def einsum(subscripts, *operands):
    """numpy.einsum with an explicit or implicit output: string subscripts (``...`` allowed), or
    NumPy's interleaved spelling ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> a, b = np.arange(4.0).reshape(2, 2), np.eye(2)
    >>> tnp.einsum(a, [0, 1], b, [1, 2], [0, 2])
    array([[0., 1.],
           [2., 3.]])
    """
    if not isinstance(subscripts, str):
        subscripts, operands = _sublist_subscripts((subscripts,) + operands)
    shapes = [shape_of(o) for o in operands]
    ins, out = _parse_einsum(subscripts, shapes)
    sizes = {}
    for sub, shape in zip(ins, shapes):
        for c, n in zip(sub, shape):
            if n != 1:
                if sizes.get(c, n) != n:
                    raise ValueError(f"taylorad.numpy.einsum: subscript '{c}' has sizes "
                                     f"{sizes[c]} and {n}")
                sizes[c] = n
    ops_ = []
    for sub, shape, o in zip(ins, shapes, operands):  # broadcast size-1 axes explicitly
        full = tuple(sizes.get(c, 1) for c in sub)
        ops_.append(broadcast_to(o, full) if full != shape else o)
    return einsum_p(*ops_, ins=tuple(ins), out=out)


def tensordot(a, b, axes=2):
    """numpy.tensordot."""
    na, nb = len(shape_of(a)), len(shape_of(b))
    if isinstance(axes, (int, np.integer)):
        ax_a, ax_b = list(range(na - axes, na)), list(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, (int, np.integer)) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, (int, np.integer)) else list(ax_b)
    ax_a = list(normalize_axis(ax_a, na, "tensordot") or ())
    ax_b = list(normalize_axis(ax_b, nb, "tensordot") or ())
    if len(ax_a) != len(ax_b):
        raise ValueError("taylorad.numpy.tensordot: axes lists have different lengths")
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in ax_a] + \
          [c for j, c in enumerate(sb) if j not in ax_b]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), a, b)


def outer(a, b):
    """numpy.outer (inputs are flattened)."""
    return einsum("i,j->ij", ravel(a), ravel(b))


def inner(a, b):
    """numpy.inner: sum over the last axes."""
    na, nb = len(shape_of(a)), len(shape_of(b))
    if na == 0 or nb == 0:
        return a * b
    return tensordot(a, b, ([na - 1], [nb - 1]))


# diagonal, trace, diag, triu, tril: indexing and masks --------------------------------------------
def _diag_index(n, m, offset):
    start_r, start_c = builtins.max(0, -offset), builtins.max(0, offset)
    length = builtins.max(0, builtins.min(n - start_r, m - start_c))
    r = np.arange(length)
    return r + start_r, r + start_c


def diagonal(a, offset=0, axis1=0, axis2=1):
    """numpy.diagonal: the diagonal becomes the last axis."""
    nd = len(shape_of(a))
    if nd < 2:
        raise ValueError("taylorad.numpy.diagonal: the array must have at least 2 dimensions")
    a1, a2 = normalize_axis((axis1, axis2), nd, "diagonal")
    if a1 == a2:
        raise ValueError("taylorad.numpy.diagonal: axis1 and axis2 cannot be the same")
    x = moveaxis(a, (a1, a2), (nd - 2, nd - 1))
    n, m = shape_of(x)[-2:]
    rows, cols = _diag_index(n, m, int(offset))
    return getitem_p(x, idx=(slice(None),) * (nd - 2) + (rows, cols))


def trace(a, offset=0, axis1=0, axis2=1):
    """numpy.trace: the sum of a diagonal."""
    return sum(diagonal(a, offset, axis1, axis2), axis=-1)


def diag(v, k=0):
    """numpy.diag: a 2-D array from a 1-D diagonal, or the k-th diagonal of a 2-D array."""
    shape = shape_of(v)
    if len(shape) == 2:
        return diagonal(v, k)
    if len(shape) != 1:
        raise ValueError("taylorad.numpy.diag: the input must be 1-D or 2-D")
    n = shape[0] + abs(int(k))
    rows, cols = _diag_index(n, n, int(k))
    return index_add_p(v, idx=(rows, cols), shape=(n, n))


def _tri_mask(a, k, upper):
    shape = shape_of(a)
    if len(shape) < 2:
        raise ValueError(f"taylorad.numpy.{'triu' if upper else 'tril'}: the array must have "
                         f"at least 2 dimensions")
    ones = np.ones(shape[-2:], dtype=bool)
    mask = np.triu(ones, k) if upper else np.tril(ones, k)
    return array_namespace(getval(a)).asarray(mask)


def triu(m, k=0):
    """numpy.triu (zeros below the k-th diagonal)."""
    return where(_tri_mask(m, k, True), m, 0)


def tril(m, k=0):
    """numpy.tril (zeros above the k-th diagonal)."""
    return where(_tri_mask(m, k, False), m, 0)


# flip, roll, take_along_axis, repeat: indexing ------------------------------------------------
def flip(m, axis=None):
    """numpy.flip."""
    nd = len(shape_of(m))
    axes = normalize_axis(axis, nd, "flip")
    axes = range(nd) if axes is None else axes
    idx = tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(nd))
    return getitem_p(m, idx=idx)


def _take_axis(x, index, axis):
    return getitem_p(x, idx=(slice(None),) * axis + (np.asarray(index, dtype=np.intp),))


def roll(a, shift, axis=None):
    """numpy.roll."""
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), shape_of(a))
    nd = len(shape_of(a))
    axes = normalize_axis(axis, nd, "roll")
    shifts = (shift,) * len(axes) if isinstance(shift, (int, np.integer)) else tuple(shift)
    if len(shifts) != len(axes):
        raise ValueError("taylorad.numpy.roll: shift and axis must have the same length")
    out = a
    for ax, s in zip(axes, shifts):
        n = shape_of(out)[ax]
        if n and int(s) % n:
            out = _take_axis(out, (np.arange(n) - int(s)) % n, ax)
    return out


def take_along_axis(arr, indices, axis):
    """numpy.take_along_axis (indices are constants)."""
    idx = np.asarray(getval(indices))
    if idx.dtype.kind not in "iu":
        raise TypeError("taylorad.numpy.take_along_axis: indices must be integers")
    if axis is None:
        return getitem_p(ravel(arr), idx=(idx.ravel(),))
    shape = shape_of(arr)
    nd = len(shape)
    if idx.ndim != nd:
        raise ValueError("taylorad.numpy.take_along_axis: indices and arr must have the same "
                         "number of dimensions")
    axis = normalize_axis(axis, nd, "take_along_axis")[0]
    full = []
    for d in range(nd):
        if d == axis:
            full.append(np.where(idx < 0, idx + shape[d], idx))
        else:
            full.append(np.arange(shape[d]).reshape((1,) * d + (-1,) + (1,) * (nd - d - 1)))
    return getitem_p(arr, idx=tuple(full))


def repeat(a, repeats, axis=None):
    """numpy.repeat (repeats: an int or one count per entry along ``axis``)."""
    if axis is None:
        a, axis = ravel(a), 0
    nd = len(shape_of(a))
    axis = normalize_axis(axis, nd, "repeat")[0]
    n = shape_of(a)[axis]
    return _take_axis(a, np.repeat(np.arange(n), np.asarray(getval(repeats))), axis)


def tile(A, reps):
    """numpy.tile: reshape to (1, s₀, 1, s₁, …), broadcast to (r₀, s₀, r₁, s₁, …), merge pairs."""
    reps = (int(reps),) if isinstance(reps, (int, np.integer)) else tuple(int(r) for r in reps)
    shape = shape_of(A)
    n = builtins.max(len(shape), len(reps))
    shape = (1,) * (n - len(shape)) + shape
    reps = (1,) * (n - len(reps)) + reps
    if any(r < 0 for r in reps):
        raise ValueError("taylorad.numpy.tile: reps must be non-negative")
    x = reshape(A, tuple(d for s in shape for d in (1, s)))
    x = broadcast_to(x, tuple(d for r, s in zip(reps, shape) for d in (r, s)))
    return reshape(x, tuple(r * s for r, s in zip(reps, shape)))


# pad ------------------------------------------------------------------------------------------
_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad(array, pad_width, mode="constant", constant_values=0):
    """numpy.pad for modes constant, edge, reflect, symmetric and wrap.

    Constant padding places ``array`` into zeros (index_add) and adds the constant; the other
    modes gather source indices computed by numpy.pad on an index range, axis by axis."""
    if mode not in _PAD_MODES:
        raise ValueError(f"taylorad.numpy.pad: mode {mode!r} is not supported — use one of "
                         f"{_PAD_MODES}")
    shape = shape_of(array)
    nd = len(shape)
    width = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (nd, 2))
    if (width < 0).any():
        raise ValueError("taylorad.numpy.pad: pad widths must be non-negative")
    if mode == "constant":
        if isinstance(constant_values, Box):
            raise TypeError("taylorad.numpy.pad: constant_values cannot be traced — pad with "
                            "zeros and add the value times a mask")
        new = tuple(int(s + b + e) for s, (b, e) in zip(shape, width))
        idx = tuple(slice(int(b), int(b) + s) for s, (b, _) in zip(shape, width))
        out = index_add_p(array, idx=idx, shape=new)
        cv = np.broadcast_to(np.asarray(constant_values), (nd, 2))
        if cv.any():
            fill = np.zeros(new, dtype=getval(array).dtype)
            for d in range(nd):  # numpy fills axis by axis, later axes overwrite the corners
                b, e = int(width[d][0]), int(width[d][1])
                sl = [slice(None)] * nd
                sl[d] = slice(0, b)
                fill[tuple(sl)] = cv[d][0]
                sl[d] = slice(new[d] - e, new[d])
                fill[tuple(sl)] = cv[d][1]
            inside = np.zeros(new, dtype=bool)
            inside[idx] = True
            fill[inside] = 0
            out = out + array_namespace(getval(array)).asarray(fill)
        return out
    out = array
    for d in range(nd):
        b, e = int(width[d][0]), int(width[d][1])
        if b or e:
            out = _take_axis(out, np.pad(np.arange(shape[d]), (b, e), mode=mode), d)
    return out


# split ----------------------------------------------------------------------------------------
def _split_at(a, points, axis):
    n = shape_of(a)[axis]
    bounds = [0] + [builtins.min(builtins.max(int(p), 0), n) for p in points] + [n]
    lead = (slice(None),) * axis
    return [getitem_p(a, idx=lead + (slice(s, builtins.max(s, t)),))
            for s, t in zip(bounds[:-1], bounds[1:])]


def array_split(ary, indices_or_sections, axis=0):
    """numpy.array_split: a list of views (slices)."""
    axis = normalize_axis(axis, len(shape_of(ary)), "array_split")[0]
    if isinstance(indices_or_sections, (int, np.integer)):
        n, k = shape_of(ary)[axis], int(indices_or_sections)
        if k <= 0:
            raise ValueError("taylorad.numpy.array_split: number of sections must be > 0")
        each, extra = divmod(n, k)
        sizes = [each + 1] * extra + [each] * (k - extra)
        points = np.cumsum(sizes)[:-1]
    else:
        points = list(indices_or_sections)
    return _split_at(ary, points, axis)


def split(ary, indices_or_sections, axis=0):
    """numpy.split: equal sections (must divide the axis) or split points."""
    ax = normalize_axis(axis, len(shape_of(ary)), "split")[0]
    if isinstance(indices_or_sections, (int, np.integer)) and \
            shape_of(ary)[ax] % int(indices_or_sections):
        raise ValueError("taylorad.numpy.split: array split does not result in an equal "
                         "division — use array_split")
    return array_split(ary, indices_or_sections, ax)

