"""Run a straight run of elementwise passes in a ``taylorad.jit`` program as one parallel region.

After ``chain`` and ``fuse``, an elementwise program (``derivatives(f, x, v, K)`` of an
elementwise ``f``, a Taylor-mode Laplacian's pointwise part) is still a line of passes over the
same elements: NumPy's transcendental ufuncs for the primal (``tanh``, ``exp``, ``sin`` …), the
chain kernel for its Taylor coefficients, a fused kernel for the result. Run one by one, each
large pass is split across the threads on its own — one hand-off and one wait per pass, and the
passes below the split threshold (a multiply, an add) stay on one thread — and each pass streams
its operands through memory again.

This pass groups such a run into one op. At replay the op allocates every output of the run,
then cuts the elements into chunks that the threads take in turn (``threads.parallel_for``:
one hand-off for the whole run, and every pass of it on every thread), each thread running the
whole run on its chunk. A member is:

* a NumPy ufunc call (one output, float64) whose array operands all have the output's shape —
  called on slices, so each element is NumPy's own result;
* a fused elementwise kernel (``fuse``) or a Taylor chain kernel (``chain``), run on ranges of
  its columns (the kernels already take ``lo, hi``);
* a reshape (a view of a value already allocated).

All members index one set of ``m`` columns: a (rows, m) view of each array, where ``m`` is a
trailing part of every member's shape (a primal of m elements, its (K, m) series). Every element
is computed by the same code as in the op-by-op replay, so results are bit for bit the same
whatever the number of threads and chunks. A region is formed only when its work is large
enough to split (``threads.MIN_WORK`` per chunk, as for one pass: see below); a kernel that
fails makes the region run its members one by one from then on (as ``chain`` does).
"""
import math
import warnings

import numpy as np

from ..core import buffers
from . import threads
from .chain import ChainPrimitive

__all__ = ["form_regions", "RegionPrimitive"]

_F64 = np.dtype(np.float64)
# The region's chunks are as large as a single pass's (threads.MIN_WORK). Why not smaller: each
# thread calls the members from Python, and the calls of two threads contend for the GIL.
# Measured on the order-2..8 chains at 10⁴ elements (one chunk ~100 µs per thread): 292-417 µs
# on two threads against 204-305 µs on one; at 10⁶ elements with chunks of at least MIN_WORK
# the region runs in 10.6/11.2/15.2 ms against 14.2/12.7-14.4/17.6 ms op by op (2 threads),
# and within 2 % of it on one.


def _suffix_sizes(shape):
    out, p = [], 1
    for d in reversed(tuple(shape)):
        p *= d
        out.append(p)
    return out


def _is_scalar(c):
    return (isinstance(c, (int, float)) and not isinstance(c, bool)) or isinstance(c, np.floating)


class _Member:
    """One op of a region: ``fits(m)``, ``proposals`` (values of m it suggests), and at replay
    ``bind(get, m) -> ({slot: array}, run or None)``."""

    compute = True
    proposals = ()

    def ran(self):
        pass


class _View(_Member):
    compute = False

    def __init__(self, op):
        self.op = op

    def fits(self, m):
        return True

    def bind(self, get, m):
        prim, specs, params, out = self.op
        return {out: prim.impl(*(get(sp) for sp in specs), **params)}, None


class _Ufunc(_Member):
    def __init__(self, op, ufunc, shape):
        self.op, self.ufunc, self.shape = op, ufunc, shape
        self.proposals = _suffix_sizes(shape)
        self.size = math.prod(shape)
        self.work = threads._ufunc_work(ufunc)

    def fits(self, m):
        return m in self.proposals

    def work_per_column(self, m):
        return self.work * (self.size // m)

    def bind(self, get, m):
        _, specs, _, out = self.op
        rows = self.size // m
        layout = (m,) if rows == 1 else (rows, m)
        o = buffers.empty(self.shape, _F64)
        ov = o.reshape(layout)
        args = []
        for sp in specs:
            v = get(sp)
            if _is_scalar(v):
                args.append((v, False))
            else:
                args.append((np.ascontiguousarray(v).reshape(layout), True))
        ufunc = self.ufunc
        if rows == 1:
            def run(lo, hi):
                ufunc(*[a[lo:hi] if arr else a for a, arr in args], out=ov[lo:hi])
        else:
            def run(lo, hi):
                ufunc(*[a[:, lo:hi] if arr else a for a, arr in args], out=ov[:, lo:hi])
        return {out: o}, run


class _Fused(_Member):
    def __init__(self, op):
        self.op, self.layout = op, op[0].layout
        lay = self.layout
        full = all(k == "full" for k in lay.kinds)
        self.proposals = [lay.M] + (_suffix_sizes(lay.out_shapes[0]) if full else [])

    def fits(self, m):
        return self.layout.columns(m) is not None

    def work_per_column(self, m):
        return self.layout.work * self.layout.columns(m)[0]

    def bind(self, get, m):
        _, specs, _, out = self.op
        lay = self.layout
        P, M = lay.columns(m)
        shapes = {"full": (P, M), "suffix": (lay.M,), "column": (lay.P,)}
        args = [get(sp).reshape(shapes[kind]) for sp, kind in zip(specs, lay.kinds)]
        res = [buffers.empty((P, M), _F64) for _ in lay.out_shapes]
        outs = out if type(out) is tuple else (out,)
        kernel, u64 = lay.kernel, np.uint64
        u0, uP = u64(0), u64(P)

        def run(lo, hi):
            kernel(*args, *res, u0, uP, u64(lo), u64(hi))

        return {k: r.reshape(s) for k, r, s in zip(outs, res, lay.out_shapes)}, run


class _Chain(_Member):
    def __init__(self, op):
        self.op, self.prim = op, op[0]
        self.proposals = [self.prim.m]

    def fits(self, m):
        return m == self.prim.m

    def work_per_column(self, m):
        return self.prim.work

    def bind(self, get, m):
        _, specs, _, out = self.op
        flat, run = self.prim.bind([get(sp) for sp in specs])
        outs = out if type(out) is tuple else (out,)
        return dict(zip(outs, flat)), run

    def ran(self):
        self.prim.ran()


def _member(op, meta):
    """The region member for one op of the program, or None."""
    prim, specs, params, out = op
    name = getattr(prim, "name", "")
    if name == "reshape":
        return _View(op)
    if getattr(prim, "layout", None) is not None:
        return _Fused(op)
    if isinstance(prim, ChainPrimitive):
        return _Chain(op)
    ufunc = getattr(prim, "ufunc", None)
    if not isinstance(ufunc, np.ufunc) or params or ufunc.nout != 1 or \
            ufunc.signature is not None or ufunc.nin != len(specs) or type(out) is tuple:
        return None
    m = meta.get(out)
    if m is None or m[0] is not np.ndarray or m[2] != _F64 or not m[1]:
        return None
    for k, c in specs:
        if k is None:
            if _is_scalar(c):
                continue
            if not (type(c) is np.ndarray and c.shape == m[1] and c.dtype == _F64):
                return None
        else:
            mk = meta.get(k)
            if mk is None or mk[0] is not np.ndarray or mk[1] != m[1] or mk[2] != _F64:
                return None
    return _Ufunc(op, ufunc, tuple(m[1]))


class RegionPrimitive:
    """Stands in for a primitive in a program: ``impl`` runs the region's members."""

    def __init__(self, impl, members):
        self.impl = impl
        self.members = members
        self.name = f"region[{len(members)}]"


def form_regions(ops, meta, out_specs):
    """The program's ops with each long enough run of region members replaced by one op (its
    ``out``: the slots the rest of the program reads)."""
    from ..jit import program_uses  # noqa: PLC0415 - one of jit's passes

    uses, final, _ = program_uses(ops, out_specs)
    runs, cur, cands = [], [], None  # cur: [(index, member)], cands: the m still possible
    for i, op in enumerate(ops):
        mem = _member(op, meta)
        if mem is not None and cur:
            if not mem.compute:
                cur.append((i, mem))
                continue
            new = [m for m in cands if mem.fits(m)] if cands is not None else list(
                mem.proposals)
            if new:
                cur.append((i, mem))
                cands = new
                continue
        if cur:
            runs.append((cur, cands))
        cur, cands = [], None
        if mem is not None:
            cur = [(i, mem)]
            cands = list(mem.proposals) if mem.compute else None
    if cur:
        runs.append((cur, cands))

    replace = {}
    for members, cands in runs:
        # views at the edges belong to the ops around the region
        while members and not members[-1][1].compute:
            members.pop()
        while members and not members[0][1].compute:
            members.pop(0)
        if not cands or sum(1 for _, mem in members if mem.compute) < 2:
            continue
        m = max(cands)
        work = sum(mem.work_per_column(m) for _, mem in members if mem.compute)
        if m * work < 2 * threads.MIN_WORK:
            continue
        op = _region_op(ops, members, m, work, uses, final)
        if op is None:
            continue
        idx = [i for i, _ in members]
        replace[idx[0]] = op
        for i in idx[1:]:
            replace[i] = None
    if not replace:
        return ops
    return [replace.get(i, op) for i, op in enumerate(ops) if replace.get(i, op) is not None]


def _region_op(ops, members, m, work, uses, final):
    from ..jit import run_one_by_one  # noqa: PLC0415 - one of jit's passes

    idx = [i for i, _ in members]
    last = idx[-1]
    made = set()
    ext = []
    for i in idx:
        prim, specs, params, out = ops[i]
        for k, _ in specs:
            if k is not None and k not in made and k not in ext:
                ext.append(k)
        made.update(out if type(out) is tuple else (out,))
    outs = [k for k in sorted(made)
            if k in final or any(u > last for u in uses.get(k, ()))]
    if not outs:
        return None
    mems = [mem for _, mem in members]
    originals = [ops[i] for i in idx]
    usable = [mem.prim.usable for mem in mems if isinstance(mem, _Chain)]
    broken = []

    def one_by_one(values):
        return run_one_by_one(originals, dict(zip(ext, values)))

    def impl(*values):
        if broken or not all(u() for u in usable):
            env = one_by_one(values)
        else:
            env = dict(zip(ext, values))

            def get(spec):
                return spec[1] if spec[0] is None else env[spec[0]]

            try:
                runs = []
                for mem in mems:
                    res, run = mem.bind(get, m)
                    env.update(res)
                    if run is not None:
                        runs.append(run)

                def chunk(lo, hi):
                    for run in runs:
                        run(lo, hi)

                threads.parallel_for(chunk, m, work)
            except FloatingPointError:
                raise  # np.errstate(...="raise"): what the op-by-op replay raises too
            except Exception as err:  # noqa: BLE001 - a kernel that cannot run must not break users
                broken.append(err)
                warnings.warn(f"taylorad.cpu: a parallel region of {len(mems)} passes failed "
                              f"({type(err).__name__}: {err}); running them one by one from "
                              f"now on", RuntimeWarning, stacklevel=2)
                env = one_by_one(values)
            else:
                for mem in mems:
                    mem.ran()
        res = [env[k] for k in outs]
        return res[0] if len(res) == 1 else tuple(res)

    prim = RegionPrimitive(impl, [getattr(ops[i][0], "name", "?") for i in idx])
    return (prim, tuple((k, None) for k in ext), {}, tuple(outs) if len(outs) > 1 else outs[0])
