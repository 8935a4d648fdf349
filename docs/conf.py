"""Sphinx configuration of taylorad's documentation site.

Build (from the repository root)::

    pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

At build time: the API pages are generated from each public module's ``__all__``
(``docs/_apigen.py`` writes ``docs/api/``), every program in ``examples/`` is executed by
sphinx-gallery in the examples' fast mode (``TAYLORAD_EXAMPLES_FAST=1``; ``docs/gallery/``), and
the guide's figures are computed by matplotlib's ``plot`` directive.
"""
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS))

# the examples' fast mode (what tests/test_examples.py runs); a headless matplotlib
os.environ["TAYLORAD_EXAMPLES_FAST"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import taylorad  # noqa: E402

import _apigen  # noqa: E402
from _gallery_scraper import PNGScraper, install_system_exit_guard  # noqa: E402

project = "taylorad"
author = "the taylorad developers"
copyright = "2026, the taylorad developers"  # noqa: A001
release = version = taylorad.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "gallery/*.ipynb", "gallery/*.py",
                    "gallery/*.md5", "gallery/*.zip", "README.md"]
templates_path = ["_templates"]

# --- API reference: generated from __all__ before the sources are read ------------------------
_apigen.write_pages(DOCS / "api")
autosummary_generate = False  # _apigen writes every page itself (and removes stale ones)
autodoc_default_options = {"members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()  # the completeness rule is tests/test_docs_api.py


def _primitive_docstring(app, what, name, obj, options, lines):
    """A taylorad.numpy primitive is an instance: its docstring is its ``doc``."""
    if _apigen.is_primitive(obj):
        lines[:] = _apigen.docstring(obj).splitlines()


def _primitive_signature(app, what, name, obj, options, signature, return_annotation):
    """A primitive's signature is its implementation's."""
    if _apigen.is_primitive(obj) and what == "function":
        import inspect  # noqa: PLC0415

        try:
            return str(inspect.signature(obj.impl)), return_annotation
        except (TypeError, ValueError):
            return "(*args, **params)", return_annotation
    return None


# --- the gallery: examples/ executed in fast mode ---------------------------------------------
def _executable_examples():
    """A regex matching the examples to execute: all but those that declare
    ``# examples-test: skip <reason>`` (tests/test_examples.py's marker): shown, not run."""
    import re  # noqa: PLC0415

    skip = [p.name for p in sorted((ROOT / "examples").glob("*.py"))
            if re.search(r"^#\s*examples-test:\s*skip\b", p.read_text(encoding="utf-8"),
                         re.MULTILINE)]
    if not skip:
        return r"\.py$"
    return r"^(?!.*(?:" + "|".join(re.escape(n) for n in skip) + r")$).*\.py$"


# sys.exit(main()) at the end of an example must not end the build (see _gallery_scraper.py)
install_system_exit_guard()

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "gallery",
    "filename_pattern": _executable_examples(),  # execute every runnable example
    "ignore_pattern": r"__init__\.py",
    "image_scrapers": ("matplotlib", PNGScraper()),
    "within_subsection_order": "_gallery_scraper.GalleryOrder",
    "download_all_examples": False,
    "remove_config_comments": True,
    "capture_repr": (),
    "abort_on_example_error": True,
    "min_reported_time": 10_000,  # no per-example timing lines (they change every build)
    "show_memory": False,
    "line_numbers": False,
    "plot_gallery": "True",
}

# --- figures in the guide, computed at build time ---------------------------------------------
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.figsize": (6.4, 3.8), "font.size": 10}
plot_pre_code = "import numpy as np\nimport matplotlib.pyplot as plt\n"
plot_working_directory = str(DOCS)

# --- Markdown pages (docs/specs/*.md) ---------------------------------------------------------
myst_heading_anchors = 3
# other branches' Markdown specs may link to files outside docs/ or use unknown code languages
suppress_warnings = ["myst.header", "myst.xref_missing", "misc.highlighting_failure"]

# --- HTML -------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"taylorad {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": {"**": ["page-toc"], "index": []},
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "getting_started": [], "how_it_works": []}
html_show_sourcelink = False
html_last_updated_fmt = None
pygments_style = "sphinx"


def setup(app):
    # before numpydoc's own handler (priority 500), which then formats the primitive's doc
    app.connect("autodoc-process-docstring", _primitive_docstring, priority=100)
    app.connect("autodoc-process-signature", _primitive_signature)
