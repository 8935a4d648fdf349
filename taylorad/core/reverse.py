"""Reverse mode: the tape (nodes), the backward pass and gradients that nest forward over reverse.

A ``VJPBox`` records, through its ``Node``, how its value was computed. ``backward`` walks the nodes
in reverse topological order, calling each node's ``vjp`` once with the cotangents of all its
outputs. Cotangents that are known to be zero are ``None`` and never materialized.

Nested gradients (DESIGN.md §1). When ``grad`` is called while the innermost open trace is an
outer reverse trace R, that trace is suspended: the inner computation sees plain values, and the
boxes of R it touches (its arguments and closed-over values) are recorded as free variables. The
whole inner gradient then becomes ONE node of R whose VJP, for a cotangent c of the gradient, is
d/dt ∇ f(x + t·c) at t = 0 — one forward-over-reverse pass (a Taylor level of order 1 under a fresh
reverse trace). R never records, and never differentiates, the inner backward pass.
"""
from . import ops
from .trace import STATE, Box, Trace, _resolve
from .tree import tree_flatten, tree_unflatten

__all__ = ["VJPBox", "Node", "ReverseTrace", "Scatter", "backward", "grad_core"]


class Node:
    __slots__ = ("parents", "vjp")

    def __init__(self, parents=(), vjp=None):
        self.parents = parents  # tuple of (node, output index)
        self.vjp = vjp  # vjp(list of output cotangents) -> list of parent cotangents


class VJPBox(Box):
    __slots__ = ("_node", "_idx")

    def __init__(self, value, trace, node, idx=0):
        self._primal = value
        self._trace = trace
        self._node = node
        self._idx = idx


def _missing_vjp(prim, i):
    return TypeError(
        f"no VJP rule for '{prim.name}' (argument {i}) in reverse mode — define one with "
        f"taylorad.core.rules or pass that argument as a constant")


class ReverseTrace(Trace):
    """A reverse pass. Its nodes are kept in creation order (``tape``), which is a topological
    order, so the backward pass walks the tape backwards instead of sorting the graph."""

    __slots__ = ("tape",)

    def __init__(self):
        super().__init__()
        self.tape = []

    def process(self, prim, args, params):
        vals = []
        parents = []
        argnums = []
        for i, a in enumerate(args):
            if isinstance(a, Box) and a._trace is self:
                vals.append(a._primal)
                if i in prim.nondiff_args:
                    continue
                if i not in prim.vjps:
                    raise _missing_vjp(prim, i)
                parents.append((a._node, a._idx))
                argnums.append(i)
            else:
                vals.append(a)
        if any(isinstance(v, Box) for v in vals):
            ans = prim(*vals, **params)
        else:  # nothing below this trace: straight to the implementation
            ans = prim.impl(*vals, **params)
        if not parents:
            return ans
        vjps = prim.vjps

        def vjp(cts):
            g = cts[0]
            return [vjps[i](g, ans, *vals, **params) for i in argnums]

        node = Node(tuple(parents), vjp)
        self.tape.append(node)
        return VJPBox(ans, self, node)


class Scatter:
    """A cotangent that is zero except at some index sets: the VJP of indexing.

    Kept lazy while cotangents accumulate, so that the slices of one array (e.g. every layer's
    weights cut out of one flat parameter vector) are written into ONE zero buffer by one
    ``index_add_many`` call, instead of a full-size buffer per slice plus a full-size add each.
    """

    __slots__ = ("shape", "parts")

    def __init__(self, shape, parts):
        self.shape = shape
        self.parts = parts  # [(values, index), ...]

    def dense(self):
        return ops.index_add_many(self.parts, self.shape)


def _dense(ct):
    return ct.dense() if type(ct) is Scatter else ct


def _accumulate(store, node, idx, n_slots, ct):
    slots = store.get(node)
    if slots is None:
        slots = store[node] = [None] * n_slots
    old = slots[idx]
    if old is None:
        slots[idx] = ct
    elif type(old) is Scatter and type(ct) is Scatter and old.shape == ct.shape:
        slots[idx] = Scatter(old.shape, old.parts + ct.parts)
    else:
        slots[idx] = ops.add(_dense(old), _dense(ct))


def backward(roots, n_out, tape):
    """Propagate cotangents from ``roots`` [(node, idx, ct)] back through ``tape`` (the nodes of
    one reverse trace in creation order). ``n_out(node)`` gives a node's number of outputs.
    Returns {leaf node: [ct, ...]} for the nodes reached that are not on the tape (the inputs).
    """
    cts = {}
    for node, idx, ct in roots:
        _accumulate(cts, node, idx, n_out(node), ct)
    for node in reversed(tape):
        node_cts = cts.pop(node, None)
        if node_cts is None:
            continue
        node_cts = [_dense(c) for c in node_cts]
        if any(c is not None for c in node_cts):
            for (parent, idx), pct in zip(node.parents, node.vjp(node_cts)):
                if pct is not None:
                    _accumulate(cts, parent, idx, n_out(parent), pct)
    return {node: [_dense(c) for c in node_cts] for node, node_cts in cts.items()}


# ---------------------------------------------------------------------------------------------
# gradients of a function, plain or nested forward over reverse


class _GradNode(Node):
    """A whole inner gradient, recorded as one node of the enclosing reverse trace."""

    __slots__ = ("n",)


def _n_out(node):
    return node.n if type(node) is _GradNode else 1


def _seed(out_leaf, sens_leaf):
    if sens_leaf is None:
        return ops.ones_like(out_leaf)
    return sens_leaf


def _reverse_run(fun, args, argnums, trace, leaf_box):
    """Box the leaves of ``args[argnums]`` with ``leaf_box(value, node)``; run ``fun``."""
    args = list(args)
    slots = []  # per argnum: (treedef, leaves, nodes)
    for i in argnums:
        leaves, td = tree_flatten(args[i])
        nodes = [Node() for _ in leaves]
        args[i] = tree_unflatten(td, [leaf_box(v, n, i, k) for k, (v, n) in
                                      enumerate(zip(leaves, nodes))])
        slots.append((td, leaves, nodes))
    with trace:
        out = fun(*args)
    return out, slots


def _pull(trace, out, sens):
    """Run the backward pass of ``trace`` from ``out`` seeded with ``sens`` (None: ones)."""
    out_leaves, out_td = tree_flatten(out)
    sens_leaves = [None] * len(out_leaves) if sens is None else tree_flatten(sens)[0]
    roots, vals = [], []
    for o, s in zip(out_leaves, sens_leaves):
        if isinstance(o, Box) and o._trace is trace:
            roots.append((o._node, o._idx, _seed(o._primal, s)))
            vals.append(o._primal)
        else:
            vals.append(o)
    leaves = backward(roots, _n_out, trace.tape) if roots else {}
    return tree_unflatten(out_td, vals), leaves


def _leaf_ct(leaves, node, like):
    ct = leaves.get(node)
    ct = None if ct is None else ct[0]
    if ct is None:
        return ops.zeros_like(like)
    if ct.dtype != like.dtype:
        ct = ops.astype(ct, like.dtype)
    return ct


def _plain(fun, args, argnums, sens, check):
    trace = ReverseTrace()
    out, slots = _reverse_run(fun, args, argnums, trace,
                              lambda v, n, i, k: VJPBox(v, trace, n))
    check(out)
    out, leaves = _pull(trace, out, sens)
    grads = tuple(tree_unflatten(td, [_leaf_ct(leaves, n, v) for v, n in zip(vals, nodes)])
                  for td, vals, nodes in slots)
    return out, grads


def grad_core(fun, args, argnums, sens=None, check=lambda out: None):
    """Evaluate ``fun(*args)`` and the gradients of <sens, out> w.r.t. ``args[i]``, i in argnums.

    ``sens`` is a pytree like the output (None: ones, i.e. the gradient of the sum of all output
    elements). Returns ``(out, grads)`` with one gradient pytree per argnum. Inside an enclosing
    reverse trace the result is recorded there as one forward-over-reverse node.
    """
    top = STATE.active[-1] if STATE.active else None
    if type(top) is not ReverseTrace or top.suspended:
        return _plain(fun, args, argnums, sens, check)
    return _nested(top, fun, args, argnums, sens, check)


def _resolve_tree(t):
    leaves, td = tree_flatten(t)
    return tree_unflatten(td, [_resolve(x) for x in leaves])


def _nested(outer, fun, args, argnums, sens, check):
    saved = outer.free
    outer.suspended, outer.free = True, {}
    try:
        out, grads = _plain(fun, _resolve_tree(args), argnums, _resolve_tree(sens), check)
        out, grads = _resolve_tree(out), _resolve_tree(grads)
        free = outer.free
    finally:
        outer.suspended, outer.free = False, saved
    if not free:
        return out, grads
    out_leaves, out_td = tree_flatten(out)
    g_leaves, g_td = tree_flatten(grads)
    free_boxes = list(free.values())
    n_value = len(out_leaves)

    def vjp(cts):
        return _fwd_over_rev(outer, fun, args, argnums, sens, free_boxes,
                             cts[:n_value], cts[n_value:])

    node = _GradNode(tuple((b._node, b._idx) for b in free_boxes), vjp)
    node.n = n_value + len(g_leaves)
    outer.tape.append(node)
    boxed = [VJPBox(v, outer, node, k) for k, v in enumerate(out_leaves + g_leaves)]
    return (tree_unflatten(out_td, boxed[:n_value]), tree_unflatten(g_td, boxed[n_value:]))


def _fwd_over_rev(outer, fun, args, argnums, sens, free_boxes, c_out, c_grad):
    """Cotangents of the free variables of an inner gradient node (DESIGN.md §1).

    With g = ∇ₓ<u, F(x, θ)> and cotangents c (for g) and c_out (for F), the free variables get
    d/dt ∇_(x,θ)<u, F(x + t c, θ)> at t = 0 plus ∇_(x,θ)<c_out, F>, and the sensitivity u gets
    d/dt F(x + t c, θ) — all from one Taylor-over-reverse evaluation.
    """
    from .taylor import TaylorBox, TaylorTrace  # noqa: PLC0415 (taylor imports reverse's peers)

    tt = TaylorTrace(1)
    rt = ReverseTrace()
    c_iter = iter(c_grad)
    # tangent for every differentiated leaf, in argnums order
    tangents = {}
    for i in argnums:
        for k, _ in enumerate(tree_flatten(args[i])[0]):
            tangents[(i, k)] = next(c_iter)

    def leaf_box(v, node, i, k):
        val = v._primal if isinstance(v, Box) and id(v) in free_ids else v
        c = tangents[(i, k)]
        if c is not None:
            val = TaylorBox(val, ops.reshape(c, (1,) + tuple(c.shape)), tt)
        return VJPBox(val, rt, node)

    free_ids = {id(b) for b in free_boxes}
    closure_nodes = {id(b): Node() for b in free_boxes}
    subst = {id(b): VJPBox(b._primal, rt, closure_nodes[id(b)]) for b in free_boxes}
    old_subst, old_redirected = STATE.subst, outer.redirected
    STATE.subst = {**old_subst, **subst}
    outer.redirected = True  # only the outer trace's boxes are looked up
    try:
        sens_leaves = None if sens is None else tree_flatten(sens)[0]
        sens_vals = None if sens is None else [
            s._primal if isinstance(s, Box) and id(s) in free_ids else s for s in sens_leaves]
        with tt:
            out, slots = _reverse_run(fun, args, argnums, rt, leaf_box)
        out_leaves, out_td = tree_flatten(out)
        seeds = _combine_seeds(out_leaves, sens_vals, c_out, tt)
        _, leaves = _pull(rt, tree_unflatten(out_td, out_leaves), tree_unflatten(out_td, seeds))
    finally:
        STATE.subst, outer.redirected = old_subst, old_redirected

    def coef1(ct):
        if isinstance(ct, TaylorBox) and ct._trace is tt:
            return ct._series[0]
        return None

    def value_part(ct):  # tangent part of the seed is carried in coefficient 1 already
        return ct

    result = {}

    def add(box_id, ct):
        if ct is not None:
            result[box_id] = ct if box_id not in result else ops.add(result[box_id], ct)

    for (td, vals, nodes), i in zip(slots, argnums):
        orig = tree_flatten(args[i])[0]
        for v, node in zip(orig, nodes):
            if isinstance(v, Box) and id(v) in free_ids:
                ct = leaves.get(node)
                add(id(v), value_part(coef1(ct[0])) if ct else None)
    for b in free_boxes:
        ct = leaves.get(closure_nodes[id(b)])
        add(id(b), coef1(ct[0]) if ct else None)
    if sens is not None:  # d/dt F(x + t c): the VJP w.r.t. the sensitivity
        for s, o in zip(sens_leaves, out_leaves):
            if isinstance(s, Box) and id(s) in free_ids:
                o = o._primal if isinstance(o, Box) and o._trace is rt else o
                add(id(s), coef1(o))
    return [_fix_dtype(result.get(id(b)), b) for b in free_boxes]


def _fix_dtype(ct, box):
    if ct is not None and ct.dtype != box.dtype:
        ct = ops.astype(ct, box.dtype)
    return ct


def _combine_seeds(out_leaves, sens_vals, c_out, tt):
    """Seeds for the re-evaluation: u + t·c_out, so coefficient 1 of ∇ also carries ∇<c_out, F>.

    Coefficient 1 of ∇_(x,θ)<u + t·c_out, F(x + t c)> = H c + ∇<c_out, F>: both terms of the
    VJP in one backward pass.
    """
    from .taylor import TaylorBox  # noqa: PLC0415

    seeds = []
    for k, o in enumerate(out_leaves):
        val = o._primal if isinstance(o, Box) else o
        u = ops.ones_like(val) if sens_vals is None else sens_vals[k]
        c = c_out[k] if k < len(c_out) else None
        if c is not None:
            c = ops.broadcast_to(c, tuple(val.shape)) if tuple(c.shape) != tuple(val.shape) else c
            u = TaylorBox(ops.broadcast_to(u, tuple(val.shape)),
                          ops.reshape(c, (1,) + tuple(val.shape)), tt)
        seeds.append(u)
    return seeds
