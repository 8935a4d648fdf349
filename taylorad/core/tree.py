"""Minimal pytrees: tuples (namedtuples too), lists and dicts of leaves (None is an empty node).

A treedef is ``"*"`` for a single leaf, ``None`` for None, and otherwise a flat tuple of tokens
in preorder — ``(type, n)`` for a tuple or list of n children, ``(dict, keys)`` for a dict,
``"*"`` for a leaf, ``None`` for None. Flat, so that trees nested thousands deep (a history
kept as ``state = (x, state)`` in a long loop) flatten, compare and hash without recursion.
"""


def tree_flatten(tree):
    """Return (leaves, treedef); ``tree_unflatten(treedef, leaves)`` rebuilds ``tree``.

    (A loop, not recursion: no closure that refers to itself either — such a closure is a
    reference cycle, and it would keep every leaf — large arrays — alive until the garbage
    collector runs.)
    """
    leaves = []
    if not isinstance(tree, (tuple, list, dict)):
        if tree is None:
            return leaves, None
        leaves.append(tree)
        return leaves, "*"
    tokens = []
    stack = [tree]
    while stack:
        t = stack.pop()
        if isinstance(t, (tuple, list)):
            tokens.append((type(t), len(t)))
            stack.extend(reversed(t))
        elif isinstance(t, dict):
            keys = tuple(t)
            tokens.append((dict, keys))
            stack.extend([t[k] for k in reversed(keys)])
        elif t is None:
            tokens.append(None)
        else:
            tokens.append("*")
            leaves.append(t)
    return leaves, tuple(tokens)


def _build(kind, children):
    if hasattr(kind, "_fields"):  # a namedtuple (EighResult, SVDResult, …) takes positionals
        return kind(*children)
    return kind(children)


def tree_unflatten(treedef, leaves):
    if treedef is None:
        return None
    it = iter(leaves)
    if type(treedef) is str:  # "*": one leaf
        return next(it)
    stack = []  # open containers: [kind, children still to come, children, dict keys]
    for tok in treedef:
        if tok is None:
            node = None
        elif type(tok) is str:
            node = next(it)
        else:
            kind, spec = tok
            n = len(spec) if kind is dict else spec
            if n:
                stack.append([kind, n, [], spec])
                continue
            node = {} if kind is dict else _build(kind, [])
        while stack:  # hand the node to its parent; close every container it completes
            top = stack[-1]
            top[2].append(node)
            top[1] -= 1
            if top[1]:
                break
            stack.pop()
            node = dict(zip(top[3], top[2])) if top[0] is dict else _build(top[0], top[2])
        if not stack:
            return node
    raise ValueError("tree_unflatten: the treedef is incomplete")


def tree_map(fn, tree, *rest):
    leaves, treedef = tree_flatten(tree)
    others = [tree_flatten(r)[0] for r in rest]
    return tree_unflatten(treedef, [fn(*xs) for xs in zip(leaves, *others)])
