"""The API reference is complete: every public name has an entry, and every name with a page of
its own has a numpydoc docstring with an Examples section (no Sphinx build; fast).

The names come from each public module's ``__all__`` (``docs/_apigen.py``'s ``MODULES``, the
list the documentation site generates its API pages from). The rule (``_apigen.classify``):

* a taylorad.numpy / tnp.linalg / taylorad.scipy.special function with the NumPy or SciPy name
  and semantics, and a MindSpore operator of ``taylorad.ops``, is a row of a table generated from
  the primitive registry with a link to the upstream documentation it mirrors — no docstring of
  its own required;
* constants (dtype objects, ``pi``, ``METHODS``) are rows with their value; objects defined
  outside taylorad (scipy's ``OptimizeResult``) are links; an object already documented under
  another name is a link to that entry;
* every other public name — the transforms, the toolbox, jit, the optimizers, the checkers, the
  facade classes and gradient functions, taylorad.numpy functions NumPy does not have — gets its
  own page and needs Parameters/Returns prose and at least one ``>>>`` example under an
  ``Examples`` heading.
"""
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_apigen():
    spec = importlib.util.spec_from_file_location("_taylorad_docs_apigen",
                                                  ROOT / "docs" / "_apigen.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


apigen = _load_apigen()
PAGES = apigen.pages_needing_examples()
_EXAMPLES = re.compile(r"^\s*Examples\n\s*-{8,}\n(.*)", re.MULTILINE | re.DOTALL)


def examples_problem(doc):
    """Why ``doc`` fails the rule, or None."""
    if not doc.strip():
        return "has no docstring"
    m = _EXAMPLES.search(doc)
    if m is None:
        return "has no 'Examples' section (numpydoc: 'Examples' underlined with dashes)"
    body = m.group(1)
    nxt = re.search(r"^\s*\w[\w ]*\n\s*-{3,}\n", body, re.MULTILINE)  # the next section
    if ">>>" not in (body[:nxt.start()] if nxt else body):
        return "has an 'Examples' section without a '>>>' example"
    return None


def test_every_module_has_public_names():
    for modname, _title, _intro, _mirror in apigen.MODULES:
        _mod, names = apigen.public_names(modname)
        assert names, f"{modname}.__all__ is empty or missing"
        for n in names:
            assert hasattr(_mod, n), f"{modname}.__all__ names {n!r}, which it does not define"


def test_core_names_have_pages():
    full = {name for name, _ in PAGES}
    for name in ("taylorad.grad", "taylorad.hvp", "taylorad.derivatives", "taylorad.jit",
                 "taylorad.hessian", "taylorad.laplacian", "taylorad.optimize.minimize",
                 "taylorad.testing.check_grads", "taylorad.ops.GradOperation", "taylorad.Tensor",
                 "taylorad.nn.Cell"):
        assert name in full, f"{name} has no page of its own in the API reference"


@pytest.mark.parametrize("name, obj", PAGES, ids=[n for n, _ in PAGES])
def test_public_name_has_numpydoc_example(name, obj):
    problem = examples_problem(apigen.docstring(obj))
    assert problem is None, (f"{name} {problem}: write a numpydoc docstring with Parameters, "
                             f"Returns and an Examples section holding a cheap doctest (the API "
                             f"reference shows it and CI runs it)")


def test_every_tnp_name_is_documented_somewhere():
    """Each taylorad.numpy name is a page, a registry-table row, a constant, or an alias."""
    for modname, mirror, rows in apigen.iter_entries():
        for name, obj, kind, _first in rows:
            assert kind in {"page", "mirror", "data", "module", "alias", "reexport"}
            if kind == "mirror":
                lib, target = apigen.mirror_target(modname, name, obj, mirror)
                assert lib in {"numpy", "scipy", "mindspore"} and target


def test_mirror_rule_is_narrow():
    """Only names the upstream library has are exempt: a tnp function NumPy lacks needs a page."""
    import numpy as np

    import taylorad as ta
    import taylorad.numpy as tnp

    for name in ("sigmoid", "relu", "softplus", "stop_gradient"):
        assert not hasattr(np, name)
        assert apigen.classify("taylorad.numpy", name, getattr(tnp, name), "numpy", {}) == "page"
    assert apigen.classify("taylorad.numpy", "sin", tnp.sin, "numpy", {}) == "mirror"
    assert apigen.classify("taylorad", "grad", ta.grad, None, {}) == "page"
    assert apigen.classify("taylorad", "grad", ta.grad, None, {id(ta.grad): "x"}) == "alias"


def test_primitive_docstring_examples_run():
    """pytest --doctest-modules finds functions and classes, not Primitive instances: run the
    examples of the primitives that have pages here."""
    import doctest

    prims = [(n, o) for n, o in PAGES if apigen.is_primitive(o)]
    assert prims
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    for name, obj in prims:
        test = doctest.DocTestParser().get_doctest(apigen.docstring(obj), {}, name, None, 0)
        result = runner.run(test, out=lambda s: None)
        assert result.failed == 0, f"{name}: {result.failed} of its docstring examples fail"


def test_the_rule_can_fail():
    assert examples_problem("") == "has no docstring"
    assert "no 'Examples'" in examples_problem("Summary.\n\nReturns\n-------\nx : float\n")
    assert "without a '>>>'" in examples_problem(
        "Summary.\n\nExamples\n--------\nSee the guide.\n\nNotes\n-----\n>>> 1\n")
    assert examples_problem("Summary.\n\n    Examples\n    --------\n    >>> 1 + 1\n    2\n") \
        is None


EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_renders_in_the_gallery(path):
    """sphinx-gallery makes the docstring's first line the page title: without the underline the
    page has no title and the build (warnings as errors) fails."""
    src = path.read_text(encoding="utf-8")
    m = re.match(r'\s*(?:[rRuU]?"""|[rRuU]?\'\'\')([^\n]+)\n(=+)\s*\n', src)
    assert m and len(m.group(2)) >= len(m.group(1).strip()), (
        f"{path.name}: start with a docstring whose first line is the title, underlined with '=' "
        f"at least as long (the gallery's page title)")


def test_gallery_survives_sys_exit():
    """An example ending in sys.exit(main()) must neither stop the documentation build (status
    0) nor pass silently (any other status)."""
    spec = importlib.util.spec_from_file_location("_taylorad_docs_scraper",
                                                  ROOT / "docs" / "_gallery_scraper.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)

    def exits(code):
        def run():
            raise SystemExit(code)
        return run

    assert mod.guard_system_exit(exits(0))() == (False, 0.0)
    assert mod.guard_system_exit(exits(None))() == (False, 0.0)
    with pytest.raises(RuntimeError, match="status 1"):
        mod.guard_system_exit(exits(1))()
    assert mod.guard_system_exit(lambda: (True, 1.5))() == (True, 1.5)
