"""Minimal pytrees: tuples (namedtuples too), lists and dicts of leaves (None is an empty node)."""


def _flatten(t, leaves):
    if isinstance(t, (tuple, list)):
        return (type(t), tuple(_flatten(c, leaves) for c in t))
    if isinstance(t, dict):
        keys = tuple(t)
        return (dict, keys, tuple(_flatten(t[k], leaves) for k in keys))
    if t is None:
        return None
    leaves.append(t)
    return "*"


def tree_flatten(tree):
    """Return (leaves, treedef); ``tree_unflatten(treedef, leaves)`` rebuilds ``tree``.

    (Module-level recursion, not a closure that refers to itself: such a closure is a reference
    cycle, and it would keep every leaf — large arrays — alive until the garbage collector runs.)
    """
    leaves = []
    return leaves, _flatten(tree, leaves)


def _unflatten(d, it):
    if d == "*":
        return next(it)
    if d is None:
        return None
    if d[0] is dict:
        return {k: _unflatten(c, it) for k, c in zip(d[1], d[2])}
    kind, children = d
    if hasattr(kind, "_fields"):  # a namedtuple (EighResult, SVDResult, …) takes positionals
        return kind(*(_unflatten(c, it) for c in children))
    return kind(_unflatten(c, it) for c in children)


def tree_unflatten(treedef, leaves):
    return _unflatten(treedef, iter(leaves))


def tree_map(fn, tree, *rest):
    leaves, treedef = tree_flatten(tree)
    others = [tree_flatten(r)[0] for r in rest]
    return tree_unflatten(treedef, [fn(*xs) for xs in zip(leaves, *others)])
