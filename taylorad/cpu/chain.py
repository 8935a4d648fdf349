"""Fuse chains of Taylor kernels in a ``taylorad.jit`` recording into one numba kernel.

``derivatives(f, x, v, K)`` of an elementwise f runs one Taylor kernel per primitive, and each
hands the next a (K, nb, m) series through memory: at K = 8 on 10⁶ elements that is 64 MB
written and read again per primitive, most of the time of the whole call. This pass finds runs
of recorded kernel calls (``taylor_blockwise`` ops that wrap a ``taylorad.cpu`` kernel: the
rules of the UNARY primitives, multiply, divide and power by a scalar) in which each call's
series feeds later calls, and generates one kernel for the run (``codegen.chain_source``): per
element, every series of the run lives in registers; only the series that the rest of the
program reads are written — and when the rest reads only single coefficients of one
(``derivatives(...)[K]``), only those rows.

Each value is the one the single-rule kernels compute (same statements, same order; a
coefficient they store as 0.0 enters the next step as 0.0), so replays equal eager results bit
for bit. float64 only (a float32 kernel rounds what it stores: keeping values in registers would
change them). With the kernels switched off at replay (``use_kernels(False)``) the recorded calls
run one by one, as before.
"""
import functools
import math
import warnings

import numpy as np

from ..core import buffers
from ..core.switch import enabled
from . import codegen, dispatch, threads

__all__ = ["fuse_chains"]

_F64 = np.dtype(np.float64)


def _describe(op, meta):
    """(kind, name, ip, K, prefix, shape, primal specs, series specs, p) for a recorded kernel
    call that may join a chain, else None."""
    from ..core import rules  # noqa: PLC0415
    from ..numpy import arith  # noqa: PLC0415

    prim, specs, params, out = op
    fn = params.get("fn") if prim.name == "taylor_blockwise" and set(params) == {"fn"} else None
    if not (isinstance(fn, functools.partial) and fn.func is rules._kernel_replay):
        return None
    _, tr, run, n_primals = fn.args
    if not isinstance(run, functools.partial):
        return None
    K = tr.K
    ans, primals, series = specs[0], specs[1:1 + n_primals], specs[1 + n_primals:]
    p, ip = None, 0
    if run.func is rules._unary_kernel:
        prim_, K_ = run.args
        if not dispatch._own(prim_):
            return None
        kind, name = "unary", prim_.name
    elif run.func is arith._mul_kernel:
        kind, name = "multiply", ""
        if any(s[0] is None for s in series):
            return None
    elif run.func is arith._div_kernel:
        kind, name = "divide", ""
        if series[1][0] is None or (series[0][0] is None and series[0][1] is not None):
            return None
    elif run.func is arith._pow_kernel:
        kind, name = "power", ""
        k, c = primals[1]
        if k is not None or isinstance(c, bool) or not isinstance(c, (int, float, np.number)):
            return None
        p = float(c)
        if not math.isfinite(p) or p == 0.0:
            return None
        ip = rules.integer_exponent(p)
        primals = primals[:1]
    else:
        return None
    m = meta.get(out)
    a = meta.get(ans[0])
    if ans[0] is None or a is None or m is None or a[0] is not np.ndarray or a[2] != _F64 or \
            m[2] != _F64 or K < 2:
        return None
    shape = a[1]
    for k, c in primals:
        mk = meta.get(k) if k is not None else None
        if mk is None or mk[0] is not np.ndarray or mk[2] != _F64 or mk[1] != shape:
            return None
    prefix = None
    for k, c in series:
        if k is None:
            if c is not None:
                return None
            continue
        mk = meta.get(k)
        if mk is None or mk[0] is not np.ndarray or mk[2] != _F64:
            return None
        core = mk[1][1:]
        if not 1 <= mk[1][0] <= K or core[len(core) - len(shape):] != shape:
            return None
        pre = core[:len(core) - len(shape)]
        if prefix is not None and pre != prefix:
            return None
        prefix = pre
    if prefix is None or m[1] != (K,) + prefix + shape or \
            K * math.prod(prefix) * math.prod(shape) < dispatch.MIN_ELEMENTS:
        return None
    return kind, name, ip, K, prefix, shape, primals, series, p


def fuse_chains(ops, meta, out_specs, load):
    """ops with runs of two or more kernel calls replaced by one call each (see the module
    docstring); ``load(source)`` compiles a kernel. Returns ops unchanged where nothing fuses."""
    from ..jit import program_uses  # noqa: PLC0415

    uses, final, _ = program_uses(ops, out_specs)
    chains, cur = [], None
    for i, op in enumerate(ops):
        d = _describe(op, meta)
        if d is not None:
            if cur is not None and d[3:6] == cur[0][1][3:6]:
                cur.append((i, d))
                continue
            if cur is not None:
                chains.append(cur)
            cur = [(i, d)]
            continue
        if cur is not None and any(k is not None and k in {ops[j][3] for j, _ in cur}
                                   for k, _ in op[1]):
            chains.append(cur)  # a call outside the chain reads one of its series: it ends here
            cur = None
    if cur is not None:
        chains.append(cur)
    replace = {}
    for chain in chains:
        if len(chain) < 2:
            continue
        made = _chain_op(chain, ops, meta, uses, final, load)
        if made is None:
            continue
        new_op, absorbed = made
        for j, _ in chain[:-1]:
            replace[j] = None
        for j in absorbed:
            replace[j] = None
        replace[chain[-1][0]] = new_op
    if not replace:
        return ops
    return [replace[i] if i in replace else op for i, op in enumerate(ops)
            if i not in replace or replace[i] is not None]


class ChainPrimitive:
    """Stands in for a primitive in a program: ``impl`` runs the fused kernel. For
    ``taylorad.cpu.region``: ``m`` elements, ``work`` (~ns per element), ``bind(values)`` ->
    (results, ``run(lo, hi)``), ``ran()`` (count the kernel calls), ``usable()``."""

    def __init__(self, impl, n_ops, source, m, work, bind, ran, usable):
        self.impl = impl
        self.name = f"taylor_chain[{n_ops}]"
        self.source = source
        self.m, self.work, self.bind, self.ran, self.usable = m, work, bind, ran, usable


def _chain_op(chain, ops, meta, uses, final, load):
    from ..jit import run_one_by_one  # noqa: PLC0415 - one of jit's passes

    idx = [i for i, _ in chain]
    last = idx[-1]
    slot_step = {ops[i][3]: j for j, i in enumerate(idx)}
    K, prefix, shape = chain[0][1][3:6]
    nb, m = math.prod(prefix), math.prod(shape)

    args, inputs, arg_of = [], [], {}  # kernel arguments; external inputs (specs) in order

    def arg(spec, how):
        """The kernel argument name for an external input ``spec``, read as ``how``:
        "flat" (a primal), ("series", d) or ("companion", sine?)."""
        key = (spec, how)
        if key not in arg_of:
            if spec not in inputs:
                inputs.append(spec)
            arg_of[key] = f"q{len(args)}"
            args.append((arg_of[key], inputs.index(spec), how))
        return arg_of[key]

    steps = []
    for j, (i, (kind, name, ip, _, _, _, primals, series, p)) in enumerate(chain):
        ans = ops[i][1][0]
        refs = []
        for k, c in series:
            if k is None:
                refs.append(None)
            elif k in slot_step:
                refs.append(("step", slot_step[k]))
            else:
                d = meta[k][1][0]
                refs.append(("arg", arg((k, None), ("series", d)), d))
        if kind == "unary":
            x0 = primals[0]
            if name in ("sin", "cos"):  # the recurrence takes the companion cos x0 / sin x0
                x0n = arg(x0, ("companion", name == "sin"))
            else:
                x0n = arg(x0, "flat")
            pr = (x0n, arg(ans, "flat"))
        elif kind == "multiply":
            pr = (arg(primals[0], "flat"), arg(primals[1], "flat"))
        elif kind == "divide":
            pr = (arg(primals[1], "flat"), arg(ans, "flat"))
        else:
            pr = (repr(p), arg(primals[0], "flat"), arg(ans, "flat"))
        steps.append((kind, name, ip, pr, refs))

    # every input the recorded calls read, for the replay with kernels off (_fallback)
    made_here = {ops[i][3] for i in idx}
    for i in idx:
        for spec in ops[i][1]:
            if spec[0] is not None and spec[0] not in made_here and spec not in inputs:
                inputs.append(spec)

    # what the rest of the program reads: whole series, or single coefficients through getitem
    stores, outs, absorbed = [], [], []
    for j, i in enumerate(idx):
        s = ops[i][3]
        ext = [u for u in uses.get(s, ()) if u not in idx]
        if not ext and s not in final:
            continue
        rows = {}
        if s not in final:
            for u in ext:
                g = ops[u]
                gi = g[2].get("idx") if g[0].name == "getitem" else None
                if not (type(gi) is tuple and len(gi) == 1 and type(gi[0]) is int
                        and -K <= gi[0] < K and u > last):
                    rows = None
                    break
                rows.setdefault(gi[0] % K, []).append(u)
        if rows:
            for k, us in sorted(rows.items()):
                out = us[0]
                name = f"r{len(outs)}"
                stores.append((j, name, k))
                outs.append((ops[out][3], (nb, m), meta[ops[out][3]][1], [ops[u][3] for u in us]))
                absorbed += us
        else:
            name = f"r{len(outs)}"
            stores.append((j, name, None))
            outs.append((s, (K, nb, m), meta[s][1], [s]))
    if not outs:
        return None
    # several getitems of one row all name the one array (values in a program are never written)
    src = codegen.chain_source([a for a, _, _ in args] + [f"r{j}" for j in range(len(outs))],
                               steps, stores, K)
    kernel = load(src)
    work = 2 * (K + 1) * nb * len(chain)  # ~ns per element (threads.MIN_WORK)
    originals = [ops[i] for i in idx]
    members = [kind if kind != "unary" else name for kind, name, _, _, _ in steps]
    absorbed_ops = [ops[u] for u in absorbed]
    u64 = np.uint64
    hows = [(pos, how) for _, pos, how in args]
    broken = []  # the kernel failed once: the recorded calls from then on

    def bind(values):
        """(results, run): the output arrays (uncomputed) and ``run(lo, hi)``, which computes
        elements lo..hi of every output (companions first) — the kernel's work on a range."""
        kargs, comps = [], []
        for pos, how in hows:
            v = values[pos]
            if how == "flat":
                kargs.append(np.ascontiguousarray(v).reshape(-1))
            elif how[0] == "series":
                kargs.append(np.ascontiguousarray(v).reshape(how[1], nb, m))
            else:
                x = np.ascontiguousarray(v).reshape(-1)
                c = buffers.empty((m,), _F64)
                comps.append((x, how[1], c, buffers.empty((m,), np.bool_)))
                kargs.append(c)
        res = [buffers.empty(sh, _F64) for _, sh, _, _ in outs]
        companion = dispatch._kernels().companion_range

        def run(lo, hi):
            for x, cosine, c, bad in comps:
                companion(x, cosine, c, bad, lo, hi)
            kernel(*kargs, *res, nb, m, u64(lo), u64(hi))

        flat = []
        for r, (_, _, rec, slots) in zip(res, outs):
            r = r.reshape(rec)
            flat += [r] * len(slots)
        return flat, run

    def usable():
        return not broken and enabled(dispatch._state) and dispatch._kernels() is not None

    def impl(*values):
        if not usable():
            return _fallback(values)
        try:
            flat, run = bind(values)
            threads.parallel_for(run, m, work)
        except Exception as err:  # noqa: BLE001 - a kernel that cannot compile must not break users
            broken.append(err)
            warnings.warn(f"taylorad.cpu: the fused kernel for {len(chain)} Taylor rules failed "
                          f"({type(err).__name__}: {err}); running them one by one from now on",
                          RuntimeWarning, stacklevel=2)
            return _fallback(values)
        ran()
        return flat[0] if len(flat) == 1 else tuple(flat)

    def ran():
        dispatch.calls["chain"] += 1
        dispatch.calls.update(members)  # each rule's kernel ran (fused): counted as before

    def _fallback(values):
        env = {k: v for (k, _), v in zip(inputs, values) if k is not None}
        run_one_by_one(originals + absorbed_ops, env)
        flat = [env[k] for _, _, _, slots in outs for k in slots]
        return flat[0] if len(flat) == 1 else tuple(flat)

    out_slots = tuple(k for _, _, _, slots in outs for k in slots)
    specs = tuple(inputs)
    prim = ChainPrimitive(impl, len(chain), src, m, work, bind, ran, usable)
    return ((prim, specs, {},
             out_slots if len(out_slots) > 1 else out_slots[0]), absorbed)
