"""Reverse mode: the tape (nodes), the backward pass and gradients that nest forward over reverse.

A ``VJPBox`` records, through its ``Node``, how its value was computed. ``backward`` walks the nodes
in reverse topological order, calling each node's ``vjp`` once with the cotangents of all its
outputs. Cotangents that are known to be zero are ``None`` and never materialized.

Nested gradients (DESIGN.md §1): ``grad_core`` called inside an enclosing reverse trace R records
the whole inner gradient as ONE node of R whose VJP is a forward (Taylor) sweep over the recorded
inner computation — forward over reverse; R never tapes the inner backward pass. See
``taylorad.core.nested``.
"""
from . import ops
from .trace import STATE, Box, Trace, check_one_backend
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
            ans = prim._pooled(vals, params) if prim._pooled is not None else None
            if ans is None:
                try:
                    ans = prim.impl(*vals, **params)
                except TypeError:
                    check_one_backend(prim, vals)
                    raise
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
    if tuple(sens_leaf.shape) != tuple(out_leaf.shape):  # e.g. MindSpore GRAPH's 0-d sens
        return ops.broadcast_to(sens_leaf, tuple(out_leaf.shape), like=out_leaf)
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
    # the pass is over: drop the tape, so that nodes whose VJP closures hold boxes of this trace
    # (nested gradients) do not form a cycle with it that keeps arrays alive until gc runs
    trace.tape.clear()
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
    from .nested import nested_grad  # noqa: PLC0415

    return nested_grad(top, fun, args, argnums, sens, check)
