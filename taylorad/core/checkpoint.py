"""Checkpointing: a block recorded as ONE node of the reverse tape, recomputed in the backward pass.

``checkpointed(fun, args, kwargs)`` runs ``fun`` on the values under the boxes of the innermost
reverse trace T (so T tapes nothing inside the block) and records one node whose VJP, when the
backward pass reaches it, runs the block again under a fresh reverse trace and pulls the incoming
cotangents through that short tape. Only the block's inputs and outputs stay alive between the
forward and the backward pass; its intermediates live only while its own VJP runs.

The VJP is written with taylorad operations on whatever values the block saw, so the node
composes like any other: under a Taylor trace (``hvp``, ``derivatives`` of a gradient) the
recomputation carries the tangents; inside a nested gradient (forward over reverse,
``core.nested``) it is recorded and swept like the rest of the inner computation.

Values of T that ``fun`` closes over (not passed as arguments) would be taped inside the block;
then the block cannot be cut out of T and it runs un-checkpointed, with a warning.
"""
import warnings

from .reverse import Node, ReverseTrace, VJPBox, _GradNode, _n_out, backward
from .trace import STATE, Box
from .tree import tree_flatten, tree_unflatten

__all__ = ["checkpointed"]


def _reverse_top(leaves):
    """The reverse trace to cut the block out of: the innermost open trace among the leaves'."""
    top = None
    for a in leaves:
        if isinstance(a, Box) and (top is None or a._trace.level > top.level):
            top = a._trace
    if type(top) is not ReverseTrace or top.suspended or top not in STATE.active:
        return None
    return top


def checkpointed(fun, args, kwargs):
    keys = list(kwargs)
    given = list(args) + [kwargs[k] for k in keys]
    flat = [tree_flatten(a) for a in given]
    trace = _reverse_top([leaf for leaves, _ in flat for leaf in leaves])
    if trace is None:  # nothing to store: no reverse pass over these values
        return fun(*args, **kwargs)
    # (argument, leaf) positions of the trace's boxes; other arguments reach fun untouched
    where = [(i, j) for i, (leaves, _) in enumerate(flat) for j, a in enumerate(leaves)
             if isinstance(a, Box) and a._trace is trace]
    inner = [flat[i][0][j]._primal for i, j in where]
    parents = tuple((flat[i][0][j]._node, flat[i][0][j]._idx) for i, j in where)

    def call(values):
        new = list(given)
        leaves = {i: list(flat[i][0]) for i, _ in where}
        for (i, j), v in zip(where, values):
            leaves[i][j] = v
        for i, ls in leaves.items():
            new[i] = tree_unflatten(flat[i][1], ls)
        return fun(*new[:len(args)], **dict(zip(keys, new[len(args):])))

    out = call(inner)
    out_leaves, out_td = tree_flatten(out)
    if any(isinstance(o, Box) and o._trace is trace for o in out_leaves):
        warnings.warn(f"checkpoint({getattr(fun, '__name__', 'fun')}): the block uses traced "
                      f"values it does not take as arguments, so it cannot be recomputed on its "
                      f"own — it runs without checkpointing; pass those values as arguments",
                      RuntimeWarning, stacklevel=3)
        return fun(*args, **kwargs)

    def vjp(cts):
        tr = ReverseTrace()
        boxed = [VJPBox(v, tr, Node()) for v in inner]
        with tr:
            again = tree_flatten(call(boxed))[0]
        roots = [(o._node, o._idx, c) for o, c in zip(again, cts)
                 if c is not None and isinstance(o, Box) and o._trace is tr]
        got = backward(roots, _n_out, tr.tape) if roots else {}
        tr.tape.clear()
        return [got.get(b._node, [None])[0] for b in boxed]

    node = _GradNode(parents, vjp)
    node.n = len(out_leaves)  # one node, several outputs (as a nested gradient's node)
    trace.tape.append(node)
    return tree_unflatten(out_td, [VJPBox(o, trace, node, k) if _is_value(o) else o
                                   for k, o in enumerate(out_leaves)])


def _is_value(o):
    """An output that can carry a derivative: a float array or traced value (not an integer
    array, None, a string, …)."""
    kind = getattr(getattr(o, "dtype", None), "kind", None)
    return kind is not None and kind in "fc"
