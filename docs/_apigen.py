"""The API reference, generated from each public module's ``__all__`` at build time.

``docs/conf.py`` calls :func:`write_pages` before Sphinx reads the sources: it writes one page
per module (tables generated from ``__all__`` and the primitive registry) and one page per
documented name (autodoc of its numpydoc docstring), so a public name added anywhere (another
branch, a new module in ``MODULES``) gets its reference entry without an edit here. ``tests/test_docs_api.py`` uses :func:`classify` to check that every name that gets its own
page has a numpydoc docstring with an Examples section. This module imports nothing from Sphinx.

How a name is documented (``classify``):

* ``page`` — its own autosummary page from its numpydoc docstring (must have Examples);
* ``mirror`` — a taylorad.numpy function with the NumPy (or SciPy) name and semantics, or a
  MindSpore op of ``taylorad.ops``: one row of a table generated from the primitive registry, with
  a link to the upstream documentation it follows (no docstring of its own is required);
* ``reexport`` — an object defined outside taylorad (scipy's ``OptimizeResult``): a link;
* ``data`` — a constant (dtype objects, ``pi``, ``METHODS``): a row with its value;
* ``module`` — a public submodule: a page of its own (if listed in ``MODULES``);
* ``alias`` — the same object as one documented earlier (``taylorad.ops.Tensor`` is
  ``taylorad.Tensor``): a link to that entry.
"""
import importlib
import inspect
import textwrap
from pathlib import Path

# (module, title, intro, what it mirrors: None, "numpy", "numpy.linalg", "scipy.special" or
# "mindspore")
MODULES = [
    ("taylorad", "taylorad — transforms",
     "The functional transforms (JAX-like names and signatures), the higher-order toolbox, "
     "``ta.jit``, and the facade types re-exported at the top level.", None),
    ("taylorad.numpy", "taylorad.numpy — the differentiable NumPy",
     "``import taylorad.numpy as tnp``. Every function is a taylorad primitive (implementation, "
     "VJP rule and Taylor rule of any order, side by side) or a composition of primitives. The "
     "table is generated from the primitive registry when the documentation is built.", "numpy"),
    ("taylorad.numpy.linalg", "taylorad.numpy.linalg",
     "Differentiable linear algebra (``tnp.linalg``), with NumPy's names and semantics.",
     "numpy.linalg"),
    ("taylorad.scipy.special", "taylorad.scipy.special",
     "Differentiable special functions with SciPy's names and semantics.", "scipy.special"),
    ("taylorad.scipy.linalg", "taylorad.scipy.linalg",
     "Differentiable triangular and Cholesky solves with SciPy's names and semantics.",
     "scipy.linalg"),
    ("taylorad.scipy.stats", "taylorad.scipy.stats",
     "Differentiable ``norm`` and ``multivariate_normal`` (their ``pdf``/``logpdf``/``cdf``/… "
     "methods), with SciPy's names and semantics.", "scipy.stats"),
    ("taylorad.optimize", "taylorad.optimize — Newton-type optimization",
     "Minimizers on Hessian-vector products, curvature products for training, and adapters "
     "that hand taylorad's derivatives to ``scipy.optimize``.", None),
    ("taylorad.testing", "taylorad.testing — derivative checkers",
     "Check a function's derivatives against finite differences and 50-digit mpmath.", None),
    ("taylorad.nn", "taylorad.nn — MindSpore facade: cells",
     "``import taylorad.nn as nn`` in place of ``mindspore.nn``.", None),
    ("taylorad.ops", "taylorad.ops — MindSpore facade: operators and gradients",
     "``import taylorad.ops as ops`` in place of ``mindspore.ops``: ``GradOperation`` (nested to "
     "any depth, forward over reverse), MindSpore 2.x's functional ``grad``, taylorad's ``jet`` "
     "and ``derivative``, and the operators, each a thin mapping onto ``taylorad.numpy``.",
     "mindspore"),
    ("taylorad.context", "taylorad.context — MindSpore facade: context",
     "``import taylorad.context as context`` in place of ``mindspore.context``.", None),
    ("taylorad.train", "taylorad.train — MindSpore facade: checkpoints",
     "``import taylorad.train`` in place of ``mindspore.train`` (also ``ms.save_checkpoint``, "
     "…, at the top level).", None),
    ("taylorad.common", "taylorad.common — MindSpore facade: initializers and seeds",
     "``from taylorad.common.initializer import Normal`` in place of "
     "``mindspore.common.initializer``.", None),
    ("taylorad.dtype", "taylorad.dtype — MindSpore facade: dtypes",
     "``from taylorad import dtype as mstype`` in place of ``from mindspore import dtype as "
     "mstype``.", None),
]

NUMPY_URL = "https://numpy.org/doc/stable/reference/generated/{}.html"
SCIPY_URL = "https://docs.scipy.org/doc/scipy/reference/generated/{}.html"
MINDSPORE_URL = "https://www.mindspore.cn/docs/en/r2.3.0/api_python/ops/mindspore.ops.{}.html"
_SCIPY_SPECIAL_IN_TNP = {"erf", "erfc", "logsumexp", "softmax", "log_softmax"}


def public_names(modname):
    mod = importlib.import_module(modname)
    return mod, list(dict.fromkeys(getattr(mod, "__all__", [])))


def _facade_op_names():
    from taylorad._facade import ops as fops  # noqa: PLC0415

    return set(fops.__all__)


def is_primitive(obj):
    from taylorad.core.trace import Primitive  # noqa: PLC0415

    return isinstance(obj, Primitive)


def docstring(obj):
    """The docstring that documents ``obj`` (a Primitive's is its ``doc``)."""
    if is_primitive(obj):
        return inspect.cleandoc(obj.doc or "")
    return inspect.getdoc(obj) or ""


def mirror_target(modname, name, obj, mirror):
    """The upstream (library, dotted name) that ``modname.name`` follows, or None."""
    import numpy as np  # noqa: PLC0415

    if mirror == "numpy":
        if name in _SCIPY_SPECIAL_IN_TNP:
            return "scipy", f"scipy.special.{name}"
        if hasattr(np, name):
            return "numpy", f"numpy.{name}"
    elif mirror == "numpy.linalg" and hasattr(np.linalg, name):
        return "numpy", f"numpy.linalg.{name}"
    elif mirror in ("scipy.special", "scipy.linalg", "scipy.stats"):
        return "scipy", f"{mirror}.{name}"
    elif mirror == "mindspore" and name in _facade_op_names():
        return "mindspore", name
    return None


def classify(modname, name, obj, mirror, seen):
    """One of 'module', 'alias', 'reexport', 'data', 'mirror', 'page' (see the module doc)."""
    if inspect.ismodule(obj):
        return "module"
    if id(obj) in seen and (callable(obj) or inspect.isclass(obj)):
        return "alias"
    if mirror_target(modname, name, obj, mirror) is not None and (
            callable(obj) or is_primitive(obj) or mirror == "scipy.stats"):
        return "mirror"  # scipy.stats: distribution objects whose methods follow SciPy's
    if not (callable(obj) or inspect.isclass(obj) or is_primitive(obj)):
        return "data"
    mod = getattr(obj, "__module__", None) or ""
    if not is_primitive(obj) and not mod.startswith("taylorad"):
        return "reexport"
    return "page"


def iter_entries():
    """(modname, mirror, [(name, obj, kind)]) for every module of MODULES, in order; ``seen``
    maps documented objects to their first full name."""
    seen = {}
    out = []
    for modname, _title, _intro, mirror in MODULES:
        mod, names = public_names(modname)
        rows = []
        for name in names:
            obj = getattr(mod, name)
            kind = classify(modname, name, obj, mirror, seen)
            rows.append((name, obj, kind, seen.get(id(obj))))
            if kind in ("page", "mirror") and id(obj) not in seen:
                seen[id(obj)] = f"{modname}.{name}"
        out.append((modname, mirror, rows))
    return out


def pages_needing_examples():
    """[(full name, obj)] of every name that gets its own page."""
    return [(f"{m}.{n}", o) for m, _mirror, rows in iter_entries() for n, o, k, _ in rows
            if k == "page"]


# ----------------------------------------------------------------------------------------------
# writing the .rst files


def _first_line(text):
    """The docstring's first paragraph on one line (a summary may wrap, even inside a literal)."""
    para = []
    for line in text.strip().splitlines():
        if not line.strip():
            break
        para.append(line.strip())
    return " ".join(para)


def _esc(text):
    return text.replace("|", "\\|").replace("*", "\\*")


def _group_of(modname, obj):
    mod = getattr(obj, "__module__", "") or ""
    groups = {
        "taylorad.api": "Derivatives",
        "taylorad.toolbox": "The higher-order toolbox",
        "taylorad.jit": "Capture and replay",
    }
    if modname == "taylorad":
        if mod.startswith("taylorad._facade"):
            return "MindSpore facade types"
        return groups.get(mod, "Other transforms")
    if modname == "taylorad.numpy":
        return "Beyond NumPy"
    return "Functions and classes"


def _registry_cells(obj):
    """(kind, derivative) columns of the generated table, read from the primitive registry."""
    if is_primitive(obj):
        if obj.nondiff:
            return "primitive", "none (piecewise constant)"
        vjp = "VJP " + ", ".join(f"arg {i}" for i in sorted(obj.vjps)) if obj.vjps else "no VJP"
        taylor = "Taylor rule, any order" if obj.taylor is not None else "no Taylor rule"
        return "primitive", f"{vjp}; {taylor}"
    return "function", "from the primitives it calls"


def _link(lib, target):
    if lib == "numpy":
        return f"`{target} <{NUMPY_URL.format(target)}>`__"
    if lib == "scipy":
        return f"`{target} <{SCIPY_URL.format(target)}>`__"
    return f"`mindspore.ops.{target} <{MINDSPORE_URL.format(target)}>`__"


def _list_table(header, rows, widths):
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {' '.join(map(str, widths))}",
             ""]
    for row in [header] + rows:
        lines.append("   * - " + row[0])
        lines += [f"     - {c}" for c in row[1:]]
    return lines + [""]


def _module_page(modname, title, intro, mirror, rows):
    lines = [title, "=" * len(title), "", intro, "", f".. currentmodule:: {modname}", ""]
    pages = [(n, o) for n, o, k, _ in rows if k == "page"]
    groups = {}
    for n, o in pages:
        groups.setdefault(_group_of(modname, o), []).append(n)
    order = ["Derivatives", "The higher-order toolbox", "Capture and replay", "Other transforms"]
    for group, names in sorted(groups.items(), key=lambda g: (
            order.index(g[0]) if g[0] in order else len(order))):
        lines += [group, "-" * len(group), "", ".. autosummary::", ""]
        lines += [f"   {n}" for n in names] + [""]
        lines += [".. toctree::", "   :hidden:", ""]
        lines += [f"   {modname}.{n}" for n in names] + [""]
    mirrors = sorted(((n, o) for n, o, k, _ in rows if k == "mirror"),
                     key=lambda r: r[0].lower())
    if mirrors:
        if mirror == "mindspore":
            head = "MindSpore operators"
            text = ("Each operator class (``ops.Sin()(x)``) and functional form (``ops.sin(x)``) "
                    "behaves as the MindSpore operator it is named after, on facade Tensors; "
                    "derivatives of every order come from the taylorad.numpy primitive it maps "
                    "onto. Generated from ``taylorad.ops.__all__``.")
            table = [[f"``ops.{n}``", _link("mindspore", n), _esc(_first_line(docstring(o)))]
                     for n, o in mirrors]
            lines += [head, "-" * len(head), "", text, ""]
            lines += _list_table(["name", "follows", "note"], table, [20, 45, 35])
        else:
            head = "Supported functions"
            text = ("Generated from the primitive registry when this site is built: each name "
                    "has the semantics of the function it links to (the arguments taylorad "
                    "supports are in its signature). *primitive*: its own implementation, VJP "
                    "rules (for the arguments listed) and Taylor rule; *function*: written with "
                    "primitives, so its derivatives of every order come from theirs.")
            table = []
            for n, o in mirrors:
                lib, target = mirror_target(modname, n, o, mirror)
                kind, deriv = _registry_cells(o)
                table.append([f"``{n}``", _link(lib, target), kind, deriv])
            lines += [head, "-" * len(head), "", text, ""]
            lines += _list_table(["name", "follows", "kind", "derivatives"], table,
                                 [16, 34, 14, 36])
    aliases = [(n, first) for n, o, k, first in rows if k == "alias"]
    if aliases:
        head = "Also available here"
        lines += [head, "-" * len(head), ""]
        lines += _list_table(["name", "documented as"],
                             [[f"``{n}``", f":obj:`{first}`"] for n, first in aliases], [30, 70])
    others = [(n, o) for n, o, k, _ in rows if k == "reexport"]
    if others:
        head = "Re-exported"
        lines += [head, "-" * len(head), ""]
        lines += _list_table(
            ["name", "is"],
            [[f"``{n}``", f"``{o.__module__.split('._')[0]}.{o.__qualname__}`` (re-exported "
                          f"unchanged)"] for n, o in others], [30, 70])
    data = [(n, o) for n, o, k, _ in rows if k == "data"]
    if data:
        head = "Constants"
        lines += [head, "-" * len(head), ""]
        lines += _list_table(["name", "value"],
                             [[f"``{n}``", f"``{_esc(repr(o))}``"] for n, o in data], [30, 70])
    return "\n".join(lines) + "\n"


def _stub(modname, name, obj):
    """The page of one name: its numpydoc docstring through autodoc (a Primitive, an instance,
    is documented as the function it behaves as)."""
    full = f"{modname}.{name}"
    kind = "autoclass" if inspect.isclass(obj) else "autofunction"
    return "\n".join([full, "=" * len(full), "", f".. currentmodule:: {modname}", "",
                      f".. {kind}:: {name}", ""])


def _write(path, text):
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")  # unchanged files keep Sphinx's cache valid


def write_pages(outdir):
    """Write one page per module of MODULES (and the index listing them) into ``outdir``; the
    per-name pages are then written by autosummary. Returns the module names."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    entries = {m: (mirror, rows) for m, mirror, rows in iter_entries()}
    written, files = [], {"index.rst"}
    for modname, title, intro, mirror in MODULES:
        rows = entries[modname][1]
        _write(outdir / f"{modname}.rst", _module_page(modname, title, intro, mirror, rows))
        files.add(f"{modname}.rst")
        for name, obj, kind, _first in rows:
            if kind == "page":
                _write(outdir / f"{modname}.{name}.rst", _stub(modname, name, obj))
                files.add(f"{modname}.{name}.rst")
        written.append(modname)
    for stale in outdir.glob("*.rst"):  # a name removed from __all__ leaves no orphan page
        if stale.name not in files:
            stale.unlink()
    index = ["API reference", "=============", "",
             textwrap.fill("Every public name of taylorad, generated from each module's "
                           "``__all__`` when the documentation is built.", 99), "",
             ".. toctree::", "   :maxdepth: 1", ""] + [f"   {m}" for m in written]
    _write(outdir / "index.rst", "\n".join(index) + "\n")
    return written
