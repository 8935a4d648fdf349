"""Minimal pytrees: tuples, lists and dicts of leaves (None is an empty node)."""


def tree_flatten(tree):
    """Return (leaves, treedef); ``tree_unflatten(treedef, leaves)`` rebuilds ``tree``."""
    leaves = []

    def rec(t):
        if isinstance(t, (tuple, list)):
            return (type(t), tuple(rec(c) for c in t))
        if isinstance(t, dict):
            keys = tuple(t)
            return (dict, keys, tuple(rec(t[k]) for k in keys))
        if t is None:
            return None
        leaves.append(t)
        return "*"

    treedef = rec(tree)
    return leaves, treedef


def tree_unflatten(treedef, leaves):
    it = iter(leaves)

    def rec(d):
        if d == "*":
            return next(it)
        if d is None:
            return None
        if d[0] is dict:
            return {k: rec(c) for k, c in zip(d[1], d[2])}
        kind, children = d
        return kind(rec(c) for c in children)

    return rec(treedef)


def tree_map(fn, tree, *rest):
    leaves, treedef = tree_flatten(tree)
    others = [tree_flatten(r)[0] for r in rest]
    return tree_unflatten(treedef, [fn(*xs) for xs in zip(leaves, *others)])
