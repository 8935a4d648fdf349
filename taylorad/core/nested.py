"""Nested gradients, forward over reverse (DESIGN.md §1).

When ``grad`` runs while the innermost open trace is an enclosing reverse trace R, the inner
gradient becomes ONE node of R. Its VJP is a Hessian-vector product, computed forward over
reverse — but without running the user's function a second time:

1. R is suspended. Every box of R the inner computation touches (its differentiated arguments,
   closed-over values, the sensitivity) becomes an input of a *recording* (a trace that logs each
   primitive applied to values derived from those inputs) and, for the inner reverse pass, a
   leaf: the inner pass returns ∇ w.r.t. the arguments AND the closed-over values.
2. For cotangents c (of the gradients) and c_out (of the values), the node's VJP is the tangent
   of that recorded computation along (x + t·c, θ, seed + t·c_out): one forward sweep of the
   order-1 Taylor rules over the log, with the primal values already known:
       d/dt ∇_(x,θ)⟨u + t·c_out, F(x + t·c, θ)⟩ = (H_xx·c + ∇ₓ⟨c_out, F⟩, H_θx·c + ∇_θ⟨c_out, F⟩),
   and d/dt F(x + t·c, θ) = J·c is the VJP for a sensitivity u that depends on R.
The sweep's own primitive calls are ordinary taylorad operations, so a third level records them
again (a gradient inside a gradient inside a gradient), and so on.
"""
from . import ops
from .trace import Box, Trace, check_one_backend
from .tree import tree_flatten, tree_unflatten

__all__ = ["nested_grad"]


class _RecBox(Box):
    __slots__ = ("_slot",)

    def __init__(self, value, trace, slot):
        self._primal = value
        self._trace = trace
        self._slot = slot


class _Recording(Trace):
    """Logs every differentiable primitive applied to its boxes: (prim, inputs, params, out)."""

    __slots__ = ("ops", "vals")

    def __init__(self):
        super().__init__()
        self.ops = []
        self.vals = []

    def box(self, value):
        self.vals.append(value)
        return _RecBox(value, self, len(self.vals) - 1)

    def process(self, prim, args, params):
        specs, vals = [], []
        for a in args:
            if isinstance(a, Box) and a._trace is self:
                specs.append((a._slot, None))
                vals.append(a._primal)
            else:
                specs.append((None, a))
                vals.append(a)
        if any(isinstance(v, Box) for v in vals):
            out = self.box(prim(*vals, **params))
        else:  # nothing below this level: straight to the implementation
            try:
                out = self.box(prim.impl(*vals, **params))
            except TypeError:
                check_one_backend(prim, vals)
                raise
        self.ops.append((prim, tuple(specs), params, out._slot))
        return out

    def value(self, x):
        return x._primal if isinstance(x, _RecBox) and x._trace is self else x

    def tangents(self, seeds, keep):
        """Forward sweep of the order-1 Taylor rules; returns the tangents of the slots in ``keep``.

        Tangents stay stacked as order-1 series (1, *shape) from the seeds to the outputs, so
        the sweep adds no reshaping of its own (it would be recorded again one level out); each
        is dropped after its last use, so the sweep holds few of them at a time."""
        from .taylor import TaylorTrace  # noqa: PLC0415

        tr = TaylorTrace(1)  # a rule context; nothing is boxed at its level
        tan = {k: _lift(t) for k, t in seeds.items()}
        vals = self.vals
        last = {}
        for i, (_, specs, _, _) in enumerate(self.ops):
            for k, _ in specs:
                if k is not None:
                    last[k] = i
        for i, (prim, specs, params, out) in enumerate(self.ops):
            series = [None if k is None else tan.get(k) for k, _ in specs]
            for k, _ in specs:
                if k is not None and last[k] == i and k not in keep:
                    tan.pop(k, None)
            if all(S is None for S in series):
                continue
            if prim.taylor is None:
                from .taylor import _missing_taylor  # noqa: PLC0415

                raise _missing_taylor(prim)
            primals = [c if k is None else vals[k] for k, c in specs]
            S = prim.taylor(tr, vals[out], primals, series, **params)
            if S is not None:
                full = (1,) + tuple(vals[out].shape)
                tan[out] = S if tuple(S.shape) == full else ops.broadcast_to(S, full, like=vals[out])
        return _Unstacked(tan)


class _Unstacked(dict):
    """Read access to the sweep's tangents as plain (unstacked) arrays."""

    def get(self, k, default=None):
        S = dict.get(self, k)
        return default if S is None else S[0]


def _lift(t):
    """A tangent as an order-1 stack (1, *shape)."""
    if t is None:
        return None
    if isinstance(t, Box):
        return ops.reshape(t, (1,) + tuple(t.shape))
    return t[None]


class _Capture:
    """What a suspended reverse trace does with its boxes: each distinct box becomes one input of
    the recording and one leaf of the inner reverse pass."""

    __slots__ = ("rec", "inner", "leaves")

    def __init__(self, rec, inner):
        self.rec, self.inner = rec, inner
        self.leaves = {}  # id(outer box) -> (outer box, recording box, inner leaf node, inner box)

    def capture(self, box):
        hit = self.leaves.get(id(box))
        if hit is None:
            from .reverse import Node, VJPBox  # noqa: PLC0415

            r = self.rec.box(box._primal)
            node = Node()
            hit = self.leaves[id(box)] = (box, r, node, VJPBox(r, self.inner, node))
        return hit[3]


def nested_grad(outer, fun, args, argnums, sens, check):
    """``grad_core`` inside an enclosing reverse trace ``outer``: see the module docstring."""
    from .reverse import ReverseTrace, VJPBox, Node, _GradNode, _leaf_ct, _pull  # noqa: PLC0415

    rec, inner = _Recording(), ReverseTrace()
    cap = _Capture(rec, inner)
    saved = outer.free
    outer.suspended, outer.free = True, cap
    try:
        # differentiated arguments: inputs of the recording (their own slots, which carry the
        # tangent c) and leaves of the inner pass
        args = list(args)
        slots = []  # per argnum: (treedef, [(leaf, recording box, inner leaf node)])
        for i in argnums:
            leaves, td = tree_flatten(args[i])
            entries = [(leaf, rec.box(leaf._primal if _is_of(leaf, outer) else leaf), Node())
                       for leaf in leaves]
            args[i] = tree_unflatten(td, [VJPBox(r, inner, node) for _, r, node in entries])
            slots.append((td, entries))
        with inner:
            out = fun(*args)
        check(out)
        out_leaves, out_td = tree_flatten(out)
        sens_leaves = [None] * len(out_leaves) if sens is None else tree_flatten(sens)[0]
        seeds = []  # recording boxes: they carry the tangent c_out of the values
        for o, s in zip(out_leaves, sens_leaves):
            if s is None:
                s = ops.ones_like(o._primal if isinstance(o, Box) else o)
            seeds.append(rec.box(s._primal if _is_of(s, outer) else s))
        _, leaf_cts = _pull(inner, out, tree_unflatten(out_td, seeds))
        inner.tape.clear()  # the inner backward pass is done (and its nodes hold no cycle)
        arg_grads = [[_leaf_ct(leaf_cts, node, r) for _, r, node in entries]
                     for _, entries in slots]
        closure = [(b, r, node) for b, r, node, _ in cap.leaves.values()]
        closure_grads = [_leaf_ct(leaf_cts, node, r) for _, r, node in closure]
    finally:
        outer.suspended, outer.free = False, saved

    grads = tuple(tree_unflatten(td, [rec.value(g) for g in gs])
                  for (td, _), gs in zip(slots, arg_grads))
    out_vals = [rec.value(o._primal if _is_of(o, inner) else o) for o in out_leaves]
    arg_entries = [e for _, entries in slots for e in entries]
    flat_grads = [g for gs in arg_grads for g in gs]
    # the node's parents: every box of ``outer`` the inner gradient depends on, once each
    free = {}
    for leaf, _, _ in arg_entries:
        if _is_of(leaf, outer):
            free.setdefault(id(leaf), leaf)
    for b, _, _ in closure:
        free.setdefault(id(b), b)
    for s in sens_leaves:
        if _is_of(s, outer):
            free.setdefault(id(s), s)
    if not free:
        return tree_unflatten(out_td, out_vals), grads
    free = list(free.values())
    n_value = len(out_leaves)
    keep = {g._slot for g in flat_grads + closure_grads if _is_of(g, rec)}
    keep.update(o._primal._slot for o in out_leaves
                if _is_of(o, inner) and _is_of(o._primal, rec))

    def vjp(cts):
        c_out, c_grad = cts[:n_value], cts[n_value:]
        seeds_t = {r._slot: c for (_, r, _), c in zip(arg_entries, c_grad) if c is not None}
        seeds_t.update((s._slot, c) for s, c in zip(seeds, c_out) if c is not None)
        tan = rec.tangents(seeds_t, keep)

        def tangent(x):
            return tan.get(x._slot) if isinstance(x, _RecBox) and x._trace is rec else None

        result = {}

        def add(box, t):
            if t is not None:
                k = id(box)
                result[k] = t if k not in result else ops.add(result[k], t)

        for (leaf, _, _), g in zip(arg_entries, flat_grads):  # H_xx·c + ∇ₓ⟨c_out, F⟩
            if _is_of(leaf, outer):
                add(leaf, tangent(g))
        for (b, _, _), g in zip(closure, closure_grads):  # H_θx·c + ∇_θ⟨c_out, F⟩
            add(b, tangent(g))
        for s, o in zip(sens_leaves, out_leaves):  # a sensitivity of ``outer``: J·c
            if _is_of(s, outer) and _is_of(o, inner):
                add(s, tangent(o._primal))
        return [_cast(result.get(id(b)), b) for b in free]

    node = _GradNode(tuple((b._node, b._idx) for b in free), vjp)
    node.n = n_value + len(flat_grads)
    outer.tape.append(node)
    boxed = [VJPBox(v, outer, node, k)
             for k, v in enumerate(out_vals + [rec.value(g) for g in flat_grads])]
    grads_boxed, start = [], n_value
    for td, entries in slots:
        grads_boxed.append(tree_unflatten(td, boxed[start:start + len(entries)]))
        start += len(entries)
    return tree_unflatten(out_td, boxed[:n_value]), tuple(grads_boxed)


def _is_of(x, trace):
    return isinstance(x, Box) and x._trace is trace


def _cast(ct, box):
    if ct is not None and ct.dtype != box.dtype:
        ct = ops.astype(ct, box.dtype)
    return ct
