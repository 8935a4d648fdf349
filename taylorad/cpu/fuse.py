"""Fuse runs of elementwise arithmetic in a ``taylorad.jit`` recording into numba kernels.

A replayed program is a straight line of NumPy calls. Forward-over-reverse and Taylor rules
produce long runs of elementwise arithmetic (``a·b + c·d``, ``−g·y``, …) on arrays of one shape,
each a full pass over memory with a fresh temporary. This pass groups consecutive such calls
into one generated loop that reads each input once and writes only the values used after the
group — the way XLA fuses, restricted to what is safe to reproduce exactly:

* operations: add, subtract, multiply, divide, negative, square, sqrt, absolute (IEEE
  arithmetic, so each value is bit-for-bit NumPy's). Transcendental functions stay NumPy calls:
  NumPy's are vectorized, libm's scalar ones would be slower.
* operands: float64 NumPy arrays of the group's shape, arrays broadcast along leading axes
  (shape a suffix of the group's) or along trailing axes (columns: the group's leading axes,
  then unit axes) — all split at one axis — and Python or NumPy scalars.
* a matmul that contracts over one element, (…, n, 1) @ (…, 1, m), is the product of a column
  and a row, so it joins a run as a multiplication (what the primitive computes for it).

A group of fewer than two operations is left alone. Kernels compile on first use and are cached
on disk (``kernels.load``). A large group runs on several threads (``threads.parallel_for``:
each computes a block of rows or of columns), with results identical to the serial loop.
"""
import math

import numpy as np

from ..core import buffers
from . import threads
from ..numpy.products import is_outer

__all__ = ["fuse"]

_BINARY = {"add": "{0} + {1}", "subtract": "{0} - {1}", "multiply": "{0} * {1}",
           "divide": "{0} / {1}"}
_UNARY = {"negative": "-{0}", "square": "{0} * {0}", "sqrt": "math.sqrt({0})",
          "absolute": "abs({0})"}
MIN_SIZE = 64  # elements: below this NumPy's per-call cost is already small


def _core(shape):
    """The shape without leading unit axes: (1, 5000) and (5000,) are one elementwise shape."""
    shape = tuple(shape)
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


def _scalar(c):
    """The constant as a float literal when it is a real scalar, else None."""
    if isinstance(c, bool):
        return None
    if isinstance(c, (int, float)) or (isinstance(c, np.generic) and np.isrealobj(c)) or (
            type(c) is np.ndarray and c.ndim == 0 and c.dtype.kind in "fiu"):
        v = float(c)
        return repr(v) if math.isfinite(v) else None
    return None


class _Group:
    def __init__(self, shape, backend):
        self.backend = backend  # the array type and expression templates (_CPU, or the GPU's)
        self.shape = shape
        self.size = math.prod(shape)
        self.cut = None  # axes before the split that broadcast operands share, if any
        self.ops = []  # (index in program, op)
        self.slots = set()  # slots produced in the group
        self.inputs = []  # ("slot", k) or ("const", array), with "full"/"suffix"/"column"
        self.input_keys = {}

    def operand(self, spec, meta):
        """Code for one operand, or None when it cannot be read inside the loop."""
        k, c = spec
        if k is not None and k in self.slots:
            return f"t{k}"
        if k is None:
            lit = _scalar(c)
            if lit is not None:
                return lit
            arr = c
            if type(arr) is not self.backend.array_type or arr.dtype != np.float64:
                return None
            shape, key = arr.shape, ("const", id(arr))
        else:
            m = meta.get(k)
            if m is None or m[0] is not self.backend.array_type or m[2] != np.float64:
                return None
            shape, key = m[1], ("slot", k)
        s, n = _core(shape), len(self.shape)
        if s == self.shape:
            kind, cut = "full", None
        elif s and len(s) <= n and self.shape[n - len(s):] == s:
            kind, cut = "suffix", n - len(s)  # a[q]: the same for every leading index
        else:
            j = len(s)
            while j and s[j - 1] == 1:
                j -= 1
            if not (len(s) == n and 0 < j < n and s[:j] == self.shape[:j]):
                return None
            kind, cut = "column", j  # a[p]: the same for every trailing index
        if cut is not None and self.cut is not None and cut != self.cut:
            return None
        if key not in self.input_keys:
            if cut is not None:
                self.cut = cut
            self.input_keys[key] = len(self.inputs)
            self.inputs.append((key, c if k is None else None, kind))
        return f"a{self.input_keys[key]}"


def _expr(prim, specs, group, meta):
    name = prim.name
    args = []
    for spec in specs:
        a = group.operand(spec, meta)
        if a is None:
            return None
        args.append(a)
    if name == "matmul":
        name = "multiply"  # a rank-1 product (_fusible checked)
    binary, unary = group.backend.binary, group.backend.unary
    if name in binary and len(args) == 2:
        return binary[name].format(*args)
    if name in unary and len(args) == 1:
        return unary[name].format(*args)
    return None


def _shape(spec, meta):
    k, c = spec
    if k is None:
        return np.shape(c)
    m = meta.get(k)
    return None if m is None else m[1]


def _fusible(op, meta, array_type):
    prim, specs, params, out = op
    if params:
        return None
    if prim.name == "matmul":
        shapes = [_shape(sp, meta) for sp in specs]
        if len(shapes) != 2 or None in shapes or not is_outer(*shapes):
            return None
    elif prim.name not in _BINARY and prim.name not in _UNARY:  # the same names on every backend
        return None
    m = meta.get(out)
    if m is None or m[0] is not array_type or m[2] != np.float64 or math.prod(m[1]) < MIN_SIZE:
        return None
    return _core(m[1])


class Backend:
    """Where fused groups run: ``array_type`` (the operands' class), the expression templates of
    each fusible operation, and ``make(group, outs, out_shapes)`` -> the replacing op."""

    def __init__(self, array_type, binary, unary, make):
        self.array_type, self.binary, self.unary, self.make = array_type, binary, unary, make


def fuse(ops, meta, out_specs, load, backend=None):
    """The program's ops with fusible runs replaced by one op each (its ``out`` a tuple of the
    slots the rest of the program still needs). ``meta``: slot -> (type, shape, dtype) at capture;
    ``load(source)`` compiles a numba kernel (``backend``: None for NumPy arrays and numba, or a
    ``Backend``, e.g. ``taylorad.cuda.fuse``'s for CuPy). Returns ops unchanged where nothing
    fuses."""
    if backend is None:
        backend = Backend(np.ndarray, _BINARY, _UNARY,
                          lambda g, outs, shapes: _fused_op(g, outs, shapes, load, meta))
    from ..jit import program_uses  # noqa: PLC0415 - fuse is one of jit's passes

    uses, final, _ = program_uses(ops, out_specs)

    # A group runs where its last member was recorded. Calls between its members that do not use
    # its results (GEMMs between the additions of a Taylor rule, say, or elementwise work on
    # arrays of another shape: one group stays open per shape) stay where they are, so an
    # operation can join the next elementwise run instead of making a pass of its own.
    groups, open_ = [], {}  # open_: shape -> the group still accepting operations
    for i, op in enumerate(ops):
        shape = _fusible(op, meta, backend.array_type)
        cur = open_.get(shape) if shape is not None else None
        # a group whose results this call reads ends before it (it runs where its last member
        # was recorded, which must come before this call)
        for key in [key for key, g in open_.items()
                    if g is not cur and any(k in g.slots for k, _ in op[1])]:
            groups.append(open_.pop(key))
        if cur is not None:
            saved = (set(cur.slots), list(cur.inputs), dict(cur.input_keys), cur.cut)
            e = _expr(op[0], op[1], cur, meta)
            if e is not None:
                cur.ops.append((i, op, e))
                cur.slots.add(op[3])
                continue
            cur.slots, cur.inputs, cur.input_keys, cur.cut = saved
            del open_[shape]  # the group of this call's shape could not take it: it ends here
            groups.append(cur)
        if shape is not None:
            g = _Group(shape, backend)
            e = _expr(op[0], op[1], g, meta)
            if e is not None:
                g.ops.append((i, op, e))
                g.slots.add(op[3])
                open_[shape] = g
    groups += open_.values()

    replace = {}
    for g in groups:
        if len(g.ops) < 2:
            continue
        last = g.ops[-1][0]
        outs = [op[3] for _, op, _ in g.ops
                if op[3] in final or any(u > last for u in uses.get(op[3], ()))]
        if not outs:
            continue
        replace[last] = (g, outs)
        for i, _, _ in g.ops[:-1]:
            replace[i] = None
    if not replace:
        return ops

    new = []
    for i, op in enumerate(ops):
        if i not in replace:
            new.append(op)
            continue
        r = replace[i]
        if r is None:
            continue
        g, outs = r
        new.append(backend.make(g, outs, [meta[k][1] for k in outs]))
    return new


def _kernel_call(kernel, P, M, work, in_shapes, out_shapes):
    """The Python function a program calls for a fused kernel: inputs (their recorded shape,
    the kernel's (P, M), (M,) or (P,) view of them) -> the outputs in their recorded shapes.
    Generated, so that a small call is only its kernel call: no reshape of an operand already
    in the kernel's shape, no loop over operands, no size arithmetic (a fused run on a few
    hundred elements costs ~1 µs, of which the wrapper was half)."""
    n_in, n_out = len(in_shapes), len(out_shapes)
    ins = [f"a{j}" for j in range(n_in)]
    views = [a if have == want else f"{a}.reshape({want!r})"
             for a, (have, want) in zip(ins, in_shapes)]
    res = [f"o{j}" for j in range(n_out)]
    back = [o if s == (P, M) else f"{o}.reshape({s!r})" for o, s in zip(res, out_shapes)]
    empty = "_pooled" if P * M * 8 >= buffers.POOL_MIN else "_np_empty"
    lines = [f"def impl({', '.join(ins)}):",
             f"    {', '.join(res)}, = {', '.join(f'{empty}(({P}, {M}), _f64)' for _ in res)},",
             f"    if {P * M * work} < _threads.MIN_WORK * 2:",
             f"        _kernel({', '.join(views + res)}, _u0, _uP, _u0, _uM)",
             "    else:",
             f"        _split(({', '.join(views)},), ({', '.join(res)},))",
             f"    return {back[0] if n_out == 1 else '(' + ', '.join(back) + ',)'}"]
    u64 = np.uint64
    u0, uP, uM = u64(0), u64(P), u64(M)

    def split(args, outs):  # unsigned loop bounds: numba then drops its negative-index checks
        if P >= 4 * threads.num_threads():  # rows to each thread
            threads.parallel_for(lambda lo, hi: kernel(*args, *outs, u64(lo), u64(hi), u0, uM),
                                 P, M * work, 1)
        else:  # columns to each thread
            threads.parallel_for(lambda lo, hi: kernel(*args, *outs, u0, uP, u64(lo), u64(hi)),
                                 M, P * work)

    ns = {"_kernel": kernel, "_split": split, "_threads": threads, "_f64": np.float64,
          "_pooled": buffers.empty, "_np_empty": np.empty, "_u0": u0, "_uP": uP, "_uM": uM}
    exec(compile("\n".join(lines), "<taylorad fused kernel call>", "exec"), ns)  # noqa: S102
    return ns["impl"]


class FusedPrimitive:
    """Stands in for a primitive in a program: ``impl`` runs the generated kernel; ``layout``
    (CPU kernels only) what ``taylorad.cpu.region`` needs to run it on a range of columns."""

    def __init__(self, impl, n_ops, layout=None):
        self.impl = impl
        self.name = f"fused[{n_ops}]"
        self.layout = layout


class KernelLayout:
    """How a fused CPU kernel reads its operands: ``kernel(*inputs, *outputs, p0, p1, q0, q1)``
    on (P, M) views — inputs of kind "full" (P, M), "suffix" (M,) or "column" (P,), outputs
    (P, M) reshaped to ``out_shapes`` — and ``work``, ~ns per element."""

    def __init__(self, kernel, P, M, kinds, out_shapes, work):
        self.kernel, self.P, self.M, self.kinds = kernel, P, M, kinds
        self.out_shapes, self.work = out_shapes, work

    def columns(self, m):
        """(P', M') with M' = m when the kernel can run on column ranges of m columns: its own
        layout, or — every operand read whole — any other split of its elements; else None."""
        if self.M == m:
            return self.P, self.M
        if m > 0 and all(k == "full" for k in self.kinds) and (self.P * self.M) % m == 0:
            return self.P * self.M // m, m
        return None


def _fused_op(g, outs, out_shapes, load, meta):
    P = 1 if g.cut is None else math.prod(g.shape[:g.cut])
    M = g.size // P
    n_in = len(g.inputs)
    body = [f"def kernel({''.join(f'a{j}_, ' for j in range(n_in))}"
            f"{''.join(f'o{j}, ' for j in range(len(outs)))}p0, p1, q0, q1):",
            "    for p in range(p0, p1):",
            "        for q in range(q0, q1):"]
    for j, (_, _, kind) in enumerate(g.inputs):
        index = {"full": "p, q", "suffix": "q", "column": "p"}[kind]
        body.append(f"            a{j} = a{j}_[{index}]")
    for _, op, e in g.ops:
        body.append(f"            t{op[3]} = {e}")
    for j, k in enumerate(outs):
        body.append(f"            o{j}[p, q] = t{k}")
    kernel = load("\n".join(body) + "\n")
    work = max(1, len(g.ops) // 2)  # ~ns per element (threads.MIN_WORK)
    impl = _kernel_call(kernel, P, M, work, [
        (meta[key[1]][1] if key[0] == "slot" else const.shape,
         {"full": (P, M), "suffix": (M,), "column": (P,)}[kind]) for key, const, kind in g.inputs],
        out_shapes)
    specs = tuple((key[1], None) if key[0] == "slot" else (None, const)
                  for key, const, _ in g.inputs)
    layout = KernelLayout(kernel, P, M, [kind for _, _, kind in g.inputs], out_shapes, work)
    return (FusedPrimitive(impl, len(g.ops), layout), specs, {},
            tuple(outs) if len(outs) > 1 else outs[0])
