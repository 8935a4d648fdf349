"""A fast path for Taylor recurrences on concrete NumPy arrays.

The recurrences are sums of products of coefficients, Σⱼ aⱼ·b_{k−j}. Written on lists of
arrays they cost two passes over memory per term (a product, then an add). When the coefficients
are rows of one contiguous array (``Coeffs``), the whole sum is ONE ``einsum`` over a slice and a
reversed slice: one pass, no temporaries. The recurrences themselves are unchanged — the helpers
they call (``conv``, ``rows``) pick the strategy; traced values and CuPy arrays keep the list path.
"""
import numpy as np

from . import buffers

__all__ = ["Coeffs", "conv", "start", "tail", "chunked_unary", "chunked_binary",
           "blockwise_p", "captured"]

MIN_SIZE = 2048  # below this, per-call overhead dominates and lists are as fast


class Coeffs(list):
    """Coefficients c₀…c_m held as rows of one array: cⱼ = buf[j − off] (j ≥ off)."""

    __slots__ = ("buf", "off")

    @classmethod
    def of_series(cls, head, buf):
        """[head, buf[0], buf[1], …]: a primal and its stacked series (off = 1)."""
        c = cls([head])
        c.buf, c.off = buf, 1
        list.extend(c, buf)
        return c

    @classmethod
    def empty(cls, like, n):
        """An empty list with room for n coefficients shaped like ``like`` (off = 0)."""
        c = cls()
        c.buf, c.off = buffers.empty((n,) + like.shape, like.dtype), 0
        return c

    def append(self, v):
        row = self.buf[len(self) - self.off]
        row[...] = v
        list.append(self, row)

    def with_head(self, head):
        return Coeffs.of_series(head, self.buf) if self.off == 1 else None

    def scaled_by_index(self):
        """[None, 1·c₁, 2·c₂, …] as one array op (the j·x_j of the recurrences)."""
        m = len(self) - 1
        scale = np.arange(1, m + 1, dtype=self.buf.dtype).reshape((m,) + (1,) * (self.buf.ndim - 1))
        c = Coeffs([None])
        c.buf, c.off = self.buf[1 - self.off:m + 1 - self.off] * scale, 1
        list.extend(c, c.buf)
        return c


def _asc(c, lo, hi):
    return c.buf[lo - c.off:hi - c.off + 1]


def _desc(c, hi, lo):
    return c.buf[hi - c.off::-1][:hi - lo + 1]


def conv(a, b, lo, hi, k):
    """Σ_{j=lo..hi} a_j·b_{k−j}; one einsum when both are ``Coeffs``, else a loop."""
    if hi < lo:
        return None
    if type(a) is Coeffs and type(b) is Coeffs and lo >= a.off and k - hi >= b.off:
        return np.einsum("i...,i...->...", _asc(a, lo, hi), _desc(b, k - lo, k - hi))
    acc = None
    for j in range(lo, hi + 1):
        aj, bj = a[j], b[k - j]
        if aj is None or bj is None:
            continue
        term = aj * bj
        acc = term if acc is None else acc + term
    return acc


def start(x, y0, K):
    """The output list of a recurrence: ``Coeffs`` when the input is, else a plain list."""
    if type(x) is Coeffs:
        y = Coeffs.empty(x.buf[0], K + 1)
        y.append(y0)
        return y
    return [y0]


def wrap(x0, S):
    """Coefficients [x₀, x₁, …] of a concrete NumPy series, as ``Coeffs`` when worthwhile."""
    if type(S) is np.ndarray and S.size >= MIN_SIZE and isinstance(x0, (np.ndarray, np.generic)):
        return Coeffs.of_series(x0, S)
    return None


def tail(y):
    """Coefficients 1.. of a recurrence's output: one array view for ``Coeffs``, else a list."""
    return y.buf[1 - y.off:] if type(y) is Coeffs else y[1:]


def chunked_unary(recurrence, tr, x0, S, ans):
    """Run an elementwise recurrence block by block, so each block's K+1 coefficients stay in
    cache: O(K) passes over main memory instead of O(K²). Concrete NumPy arrays only."""
    K = S.shape[0]
    shape = S.shape[1:]
    S2 = np.ascontiguousarray(S).reshape(K, -1)
    x0f = np.broadcast_to(x0, shape).reshape(-1)
    ansf = np.broadcast_to(ans, shape).reshape(-1)
    m = S2.shape[1]
    out = buffers.empty((K, m), np.result_type(S.dtype, ans.dtype))
    block = max(1024, (1 << 17) // (K + 1))
    for lo in range(0, m, block):
        hi = min(m, lo + block)
        xs = Coeffs.of_series(x0f[lo:hi], np.ascontiguousarray(S2[:, lo:hi]))
        out[:, lo:hi] = recurrence(tr, xs, ansf[lo:hi])
    return out.reshape((K,) + shape)


def chunkable(x0, S):
    return (type(S) is np.ndarray and S.size >= (1 << 16)
            and isinstance(x0, (np.ndarray, np.generic)))


def chunked_binary(rule, K, a0, b0, Sa, Sb, dtype=None):
    """Blockwise ``rule(a, b) -> [y₁..y_K]`` on coefficient lists of two same-shaped operands
    whose stacks may hold fewer than K coefficients (missing ones are zero: None)."""
    shape = Sa.shape[1:]
    da, db = Sa.shape[0], Sb.shape[0]
    A, B = np.ascontiguousarray(Sa).reshape(da, -1), np.ascontiguousarray(Sb).reshape(db, -1)
    a0f, b0f = np.broadcast_to(a0, shape).reshape(-1), np.broadcast_to(b0, shape).reshape(-1)
    m = A.shape[1]
    out = buffers.empty((K, m), np.result_type(Sa.dtype, Sb.dtype) if dtype is None else dtype)
    block = max(1024, (1 << 17) // (K + 1))
    for lo in range(0, m, block):
        hi = min(m, lo + block)
        a = [a0f[lo:hi]] + list(A[:, lo:hi]) + [None] * (K - da)
        b = [b0f[lo:hi]] + list(B[:, lo:hi]) + [None] * (K - db)
        for k, y in enumerate(rule(a, b)):
            if y is None:
                out[k, lo:hi] = 0
            else:
                out[k, lo:hi] = y
    return out.reshape((K,) + shape)


def _run_blockwise(*arrays, fn):
    return fn(*arrays)


def _blockwise_primitive():
    from .trace import Primitive  # noqa: PLC0415

    p = Primitive("taylor_blockwise", _run_blockwise,
                  doc="a blockwise Taylor rule as one recorded call (taylorad.jit only)")
    p.nondiff = True  # only ever applied to taylorad.jit's level-0 capture boxes
    return p


blockwise_p = _blockwise_primitive()


def captured(*xs):
    """True when the values are taylorad.jit capture boxes (level 0) over concrete NumPy arrays:
    the blockwise rule can then be recorded as one call instead of its unrolled recurrence."""
    from .trace import Box  # noqa: PLC0415

    boxes = [x for x in xs if isinstance(x, Box)]
    return bool(boxes) and all(b._trace.level == 0 for b in boxes)


def primal(x):
    from .trace import Box  # noqa: PLC0415

    return x._primal if isinstance(x, Box) else x
