"""Registry: every Primitive reachable from taylorad.numpy has a Taylor rule and a VJP rule for
each differentiable argument, unless it is declared non-differentiable (``prim.nondiff``, or the
argument in ``prim.nondiff_args``).

Primitives are found, not listed: module attributes of ``taylorad.numpy`` and of every module
below it (walked with pkgutil, so new files are covered automatically), including Primitives kept
in module-level dicts, lists and tuples.

A primitive's differentiable arguments are its implementation's positional parameters; the
non-array parameters it takes as keywords (``reshape_p(x, shape=...)``) are recognised by name
(PARAM_NAMES) or by having a default value. A variadic implementation (``*xs``) must accept a VJP
for any argument position.
"""
import importlib
import inspect
import pkgutil
import types

import pytest

import taylorad.numpy as tnp
from taylorad.core.trace import Primitive

# keyword parameters of primitives (never differentiated); extend when a primitive adds one
PARAM_NAMES = frozenset({
    "shape", "axes", "axis", "keepdims", "idx", "index", "indices", "dtype", "ins", "out",
    "subscripts", "spec", "order", "decimals", "ord", "k", "mode", "side", "offset", "n",
    "source", "destination", "repeats", "reps", "pad_width", "ddof", "kind", "new_shape",
    "start", "stop", "step", "perm", "side", "ndim", "size", "sizes", "sections", "q",
})


def _walk_modules(pkg):
    yield pkg
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        yield importlib.import_module(info.name)


def _primitives_in(obj, depth=0):
    if isinstance(obj, Primitive):
        yield obj
    elif depth < 2 and isinstance(obj, dict):
        for v in obj.values():
            yield from _primitives_in(v, depth + 1)
    elif depth < 2 and isinstance(obj, (list, tuple, set, frozenset)):
        for v in obj:
            yield from _primitives_in(v, depth + 1)


def all_primitives():
    found = {}
    for mod in _walk_modules(tnp):
        for attr, value in vars(mod).items():
            if isinstance(value, types.ModuleType):
                continue
            for p in _primitives_in(value, 1 if isinstance(value, dict) else 0):
                found.setdefault(id(p), (p, f"{mod.__name__}.{attr}"))
    return list(found.values())


def differentiable_positions(prim):
    """(positions, variadic) from the implementation's signature."""
    try:
        sig = inspect.signature(prim.impl)
    except (TypeError, ValueError):  # a builtin without a signature: assume binary
        return [0, 1], False
    positions, variadic = [], False
    for i, p in enumerate(sig.parameters.values()):
        if p.kind is p.VAR_POSITIONAL:
            variadic = True
            break
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            break
        if p.name in PARAM_NAMES or p.default is not p.empty:
            break
        positions.append(i)
    return positions, variadic


def missing_rules(prim):
    """Human-readable problems of one primitive (empty when it is complete)."""
    if prim.nondiff:
        return []
    problems = []
    if not callable(prim.taylor):
        problems.append(f"no Taylor rule for '{prim.name}' — define one (deflinear, defunary, "
                        f"defcompose, deftaylor) or mark it non-differentiable")
    positions, variadic = differentiable_positions(prim)
    if variadic:
        positions = range(5)  # any argument position must have a rule
    for i in positions:
        if i in prim.nondiff_args:
            continue
        rule = prim.vjps[i] if i in prim.vjps else None
        if not callable(rule):
            problems.append(f"no VJP rule for '{prim.name}' (argument {i}) — define one with "
                            f"defvjp or add {i} to {prim.name}.nondiff_args")
    return problems


PRIMS = all_primitives()


def test_registry_finds_the_core_set():
    names = {p.name for p, _ in PRIMS}
    core = {"add", "subtract", "multiply", "divide", "negative", "power", "square", "sqrt", "exp",
            "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arctanh", "sigmoid", "absolute",
            "maximum", "minimum", "where", "matmul", "sum", "reshape", "transpose",
            "broadcast_to", "concatenate", "getitem"}
    assert core <= names, f"primitives not found: {sorted(core - names)}"
    assert len(PRIMS) >= len(core)


def test_every_primitive_has_its_rules():
    problems = [f"{where}: {msg}" for p, where in PRIMS for msg in missing_rules(p)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("prim,where", PRIMS, ids=[w for _, w in PRIMS])
def test_primitive_rules(prim, where):
    assert missing_rules(prim) == []
    assert prim.name and isinstance(prim.name, str)
    assert callable(prim.impl)


def test_nondiff_primitives_return_constants():
    """A primitive declared non-differentiable really yields no derivative (a plain array)."""
    import numpy as np

    import taylorad as ta

    x = np.array([0.3, -1.7])
    assert tnp.sign(x).dtype == x.dtype
    g = ta.grad(lambda x: tnp.sum(tnp.sign(x) * x + tnp.floor(x) + tnp.stop_gradient(x) * x))(x)
    np.testing.assert_allclose(g, np.sign(x) + x)


# the checker itself must catch what it is meant to catch -----------------------------------------


def _fake(name, impl, vjps=(), taylor=True, nondiff=False, nondiff_args=()):
    p = Primitive(name, impl, nondiff=nondiff)
    for i in vjps:
        p.vjps[i] = lambda g, ans, *a, **k: g
    if taylor:
        p.taylor = lambda tr, ans, primals, series, **k: None
    p.nondiff_args = frozenset(nondiff_args)
    return p


@pytest.mark.parametrize("prim,n_problems", [
    (_fake("ok_unary", lambda x: x, vjps=[0]), 0),
    (_fake("no_taylor", lambda x: x, vjps=[0], taylor=False), 1),
    (_fake("no_vjp", lambda x: x), 1),
    (_fake("half_binary", lambda a, b: a, vjps=[0]), 1),
    (_fake("binary_declared", lambda a, b: a, vjps=[0], nondiff_args=[1]), 0),
    (_fake("with_params", lambda x, axis, keepdims: x, vjps=[0]), 0),
    (_fake("variadic", lambda *xs, axis: xs[0], vjps=[0, 1]), 3),
    (_fake("nondiff", lambda x: x, taylor=False, nondiff=True), 0),
    (_fake("nothing", lambda a, b: a, taylor=False), 3),
])
def test_checker_catches_missing_rules(prim, n_problems):
    assert len(missing_rules(prim)) == n_problems


def test_discovery_covers_new_modules(monkeypatch):
    """A Primitive added in a new submodule (or a module-level dict) is found automatically."""
    import sys

    mod = types.ModuleType("taylorad.numpy._registry_probe")
    mod.probe = _fake("probe_missing", lambda x: x)  # no VJP rule
    mod.table = {"inner": _fake("probe_in_dict", lambda x: x, vjps=[0], taylor=False)}
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    real_walk = pkgutil.walk_packages

    def walk(path, prefix, onerror=None):  # walk_packages recurses into subpackages through
        yield from real_walk(path, prefix, onerror)  # its module-level name, i.e. this one
        if prefix == "taylorad.numpy.":
            yield pkgutil.ModuleInfo(None, mod.__name__, False)

    monkeypatch.setattr(pkgutil, "walk_packages", walk)
    found = {p.name: p for p, _ in all_primitives()}
    assert "probe_missing" in found and "probe_in_dict" in found
    assert missing_rules(found["probe_missing"]) and missing_rules(found["probe_in_dict"])
