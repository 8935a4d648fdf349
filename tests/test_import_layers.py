"""The import graph has no cycle through the transforms (issue 13, item 6; DESIGN.md §2).

Every ``import`` statement of the package is read from the source — module level AND inside
functions (a deferred import is still an edge of the graph) — and the strongly connected
components are computed. ``api``, ``toolbox``, ``_args``, ``testing`` and the facade's ``grad``
must each be alone in theirs. Each module also imports on its own in a fresh interpreter.
"""
import ast
import functools
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PKG = ROOT / "taylorad"


def _module_name(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.lru_cache(maxsize=1)
def _graph():
    modules = {_module_name(p): p for p in PKG.rglob("*.py")}
    edges = {m: set() for m in modules}
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        base = mod.split(".") if is_pkg else mod.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = base[:len(base) - node.level + 1]
                    head = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    head = node.module or ""
                # ``from . import numpy`` names a module; ``from .api import grad`` a name in one
                targets = [f"{head}.{a.name}" if f"{head}.{a.name}" in modules else head
                           for a in node.names]
            for t in targets:
                while t and t not in modules:
                    t = t.rpartition(".")[0]
                # the top package's __init__ only re-exports; an edge into it says nothing
                if t and t != mod and t != "taylorad":
                    edges[mod].add(t)
    return edges


def _sccs(edges):
    """Tarjan's strongly connected components."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            visit(v)
    return out


@functools.lru_cache(maxsize=1)
def _SCCS():  # noqa: N802
    return tuple(frozenset(c) for c in _sccs(_graph()))


LAYERED = ["taylorad._args", "taylorad.api", "taylorad.toolbox", "taylorad.testing",
           "taylorad._facade.grad"]


def test_graph_is_read():
    edges = _graph()
    assert "taylorad._args" in edges["taylorad.api"]
    assert "taylorad._args" in edges["taylorad.toolbox"]
    assert "taylorad.toolbox" in edges["taylorad._facade.grad"]  # deferred import, seen too
    assert not any(e.startswith("taylorad._facade") or e in ("taylorad.api", "taylorad.toolbox")
                   for e in edges["taylorad._args"])


@pytest.mark.parametrize("mod", LAYERED)
def test_no_import_cycle_through(mod):
    comp = next(c for c in _SCCS() if mod in c)
    assert comp == {mod}, f"{mod} is on an import cycle with {sorted(comp - {mod})}"


def test_modules_import_alone_in_a_fresh_interpreter():
    code = "; ".join(f"import importlib; importlib.import_module({m!r})" for m in
                     ["taylorad._args", "taylorad.toolbox", "taylorad.api",
                      "taylorad._facade.grad", "taylorad.testing"])
    for first in ["taylorad.toolbox", "taylorad._facade.grad", "taylorad._args"]:
        r = subprocess.run([sys.executable, "-c", f"import {first}; {code}"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
