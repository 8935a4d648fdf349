"""sphinx-gallery helpers for examples/ (importable, so that Sphinx can pickle the
configuration): a scraper for figures the examples write to disk, the gallery's order, and a
guard against ``sys.exit`` in an example."""
import shutil
from pathlib import Path


class PNGScraper:
    """Figures the examples save as files (``pinn_poisson.png`` …) instead of leaving them open:
    every PNG in the example's directory after a block is moved into the gallery (examples/
    holds no committed PNG; ``examples/*.png`` is gitignored)."""

    def __repr__(self):  # sphinx-gallery caches the configuration by its repr
        return "PNGScraper"

    def __call__(self, block, block_vars, gallery_conf):
        from sphinx_gallery.scrapers import figure_rst  # noqa: PLC0415

        src_dir = Path(block_vars["src_file"]).parent
        image_names = []
        image_path_iterator = block_vars["image_path_iterator"]
        for png in sorted(src_dir.glob("*.png")):
            this = next(image_path_iterator)
            shutil.move(str(png), this)
            image_names.append(this)
        return figure_rst(image_names, gallery_conf["src_dir"])


class GalleryOrder:
    """The gallery's order: the higher-order derivatives first (Taylor accuracy, HVP cost,
    Laplacians), then the scientific programs, the optimizers, the MindSpore programs; an example
    no group names goes before the MindSpore ones, by file name."""

    GROUPS = ("taylor_accuracy", "hvp_cost", "laplacian_cost", "pinn_", "force_", "newton_",
              "dask_", None, "mindspore_", "tutorial_", "facade_")

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __repr__(self):
        return "GalleryOrder"

    def __call__(self, filename):
        name = Path(str(filename)).name
        for i, prefix in enumerate(self.GROUPS):
            if prefix is not None and name.startswith(prefix):
                return (i, name)
        return (self.GROUPS.index(None), name)


def guard_system_exit(run):
    """``run`` (sphinx-gallery's executor of one code block) with SystemExit handled.

    sphinx-gallery runs each example in the Sphinx process and does not catch SystemExit, so
    ``sys.exit(main())`` at the end of an example would stop the whole build with exit status 0
    and no pages. Status 0 (or None) ends the example normally; any other status becomes an
    error of that example, which fails the build."""

    def guarded(*args, **kwargs):
        try:
            return run(*args, **kwargs)
        except SystemExit as exc:
            if exc.code in (None, 0):
                return False, 0.0  # (is_last_expr, memory): nothing to show after the exit
            raise RuntimeError(f"the example exited with status {exc.code!r}") from None

    guarded._taylorad_guard = True
    return guarded


def install_system_exit_guard():
    from sphinx_gallery import gen_rst  # noqa: PLC0415

    if not getattr(gen_rst._exec_and_get_memory, "_taylorad_guard", False):
        gen_rst._exec_and_get_memory = guard_system_exit(gen_rst._exec_and_get_memory)
