"""Coverage that cannot silently regress (issue 13, item 3): every public callable of NumPy's
main namespace, of numpy.linalg and the SciPy functions the issue names is differentiable,
declared zero-derivative, or listed in taylorad/numpy/_coverage.py's NOT_SUPPORTED table with a
reason — and never both supported and listed."""
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.core.trace import Box
from taylorad.numpy import _coverage as cov

NAMES = cov.all_names()


def test_every_callable_is_accounted_for():
    missing = [n for n in NAMES if cov.status(n) == "missing"]
    assert not missing, ("callables neither supported nor listed in taylorad/numpy/_coverage.py "
                         f"NOT_SUPPORTED (add support or a row with the reason): {missing}")


def test_nothing_is_both_supported_and_listed():
    both = [n for n in NAMES if cov.status(n) == "conflict"]
    assert not both, f"supported now — remove from NOT_SUPPORTED: {both}"


def test_a_conflict_is_caught(monkeypatch):
    monkeypatch.setitem(cov.NOT_SUPPORTED, "numpy.sort", "stale row")
    assert cov.status("numpy.sort") == "conflict"


def test_the_table_has_no_stale_rows():
    known = set(NAMES)
    stale = [n for n in cov.NOT_SUPPORTED if n not in known]
    assert not stale, f"NOT_SUPPORTED names that NumPy/SciPy do not have: {stale}"
    assert all(isinstance(r, str) and len(r) > 10 for r in cov.NOT_SUPPORTED.values())


def test_counts_and_markdown(capsys):
    counts = cov.summary()
    assert set(counts) <= {"differentiable", "zero derivative", "not supported"}
    assert counts["differentiable"] >= 277 and counts["zero derivative"] >= 119
    assert counts["not supported"] == len(cov.NOT_SUPPORTED)
    md = cov.as_markdown()
    assert "| `numpy.unique` |" in md
    with capsys.disabled():
        print(f"\ncoverage: {counts}; not-supported table: {len(cov.NOT_SUPPORTED)} rows")


DIFF_UFUNCS = sorted(n for n in NAMES if cov.status(n) == "differentiable" and
                     isinstance(getattr(np, n.split(".")[-1], None), np.ufunc) and
                     n.count(".") == 1)


@pytest.mark.parametrize("name", DIFF_UFUNCS)
def test_differentiable_ufuncs_dispatch(name):
    """NumPy's own ufunc on traced values reaches taylorad and returns a traced value."""
    uf = getattr(np, name.split(".")[-1])
    x = np.array([0.35, 0.6]) + (1.0 if uf.__name__ == "arccosh" else 0.0)
    args = (x,) * uf.nin
    seen = {}
    other = {"ldexp": np.array([1, 3]), "heaviside": None}.get(uf.__name__, np.array([0.45, 0.7]))
    if uf.__name__ == "heaviside":  # differentiable in x2 only (the value at x1 = 0)
        np.testing.assert_allclose(ta.grad(lambda v: np.sum(np.heaviside(np.array([0.0, 1.0]),
                                                                         v)))(x), [1.0, 0.0])
        return
    if uf.__name__ in ("matvec", "vecmat"):
        m = np.array([[1.0, 2.0], [3.0, 4.0]])
        np.testing.assert_allclose(ta.grad(lambda v: np.sum(uf(m, v) if uf.__name__ == "matvec"
                                                            else uf(v, m)))(x),
                                   m.sum(0) if uf.__name__ == "matvec" else m.sum(1))
        return

    def f(x):
        out = uf(*([x] + [other] * (uf.nin - 1)))
        # a tuple result (frexp, modf, divmod): the pieces that carry a derivative are traced
        outs = [o for o in (out if isinstance(out, tuple) else (out,)) if isinstance(o, Box)]
        seen["traced"] = bool(outs)
        return sum(np.sum(o) for o in outs) if outs else np.sum(np.asarray(out[0]))

    ta.grad(f)(args[0])
    assert seen["traced"], name


ZERO_UFUNCS = sorted(n for n in NAMES if cov.status(n) == "zero derivative" and
                     isinstance(getattr(np, n.split(".")[-1], None), np.ufunc))


@pytest.mark.parametrize("name", ZERO_UFUNCS)
def test_zero_derivative_ufuncs_return_constants(name):
    uf = getattr(np, name.split(".")[-1])
    x = np.array([0.35, 1.6])
    other = np.array([0.5, 2.0])
    if not any(c in t.split("->")[0] for t in uf.types for c in "efdg"):
        x, other = np.array([3, 5]), np.array([1, 2])  # integer-only ufuncs: no traced floats
        out = uf(*([x] + [other] * (uf.nin - 1)))
        assert out is not None
        return
    seen = {}

    def f(x):
        out = uf(*([x] + [other] * (uf.nin - 1)))
        leaves = out if isinstance(out, tuple) else (out,)
        seen["traced"] = any(isinstance(v, Box) for v in leaves)
        return np.sum(x * x)

    np.testing.assert_allclose(ta.grad(f)(x), 2 * x)
    assert not seen["traced"], name


def test_supported_names_are_public():
    for n in NAMES:
        if cov.status(n) in ("differentiable", "zero derivative") and n.count(".") == 1:
            assert n.split(".")[-1] in tnp.__all__
