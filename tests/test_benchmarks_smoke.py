"""The asv suite runs, without asv: every benchmark module imports and every benchmark method runs
once at a tiny size (TAYLORAD_BENCH_SMOKE=1); peers that are not installed are skipped, as asv skips
them. Also: the comparison command prints its table and its correctness check passes.

No timing is asserted anywhere (DESIGN.md §7).
"""
import importlib
import inspect
import itertools
import json
import os
import pkgutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASV_DIR = os.path.join(ROOT, "asv_bench")
PREFIXES = ("time_", "peakmem_", "mem_", "track_", "timeraw_")

os.environ["TAYLORAD_BENCH_SMOKE"] = "1"  # read by benchmarks/common.py at import
sys.path.insert(0, ASV_DIR)
benchmarks = importlib.import_module("benchmarks")
sys.path.remove(ASV_DIR)


def _modules():
    names = [m.name for m in pkgutil.walk_packages(benchmarks.__path__, "benchmarks.")]
    return [importlib.import_module(n) for n in sorted(names)]


def _cases():
    cases = []
    for mod in _modules():
        for cname, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ != mod.__name__:
                continue
            methods = [m for m in dir(cls) if m.startswith(PREFIXES)]
            params = getattr(cls, "params", [])
            if params and not isinstance(params[0], (list, tuple)):
                params = [params]
            for combo in itertools.product(*params) if params else [()]:
                if cname == "Peers" and combo[1] != "taylorad":
                    continue  # the peers' same code runs in test_peer_workloads_match_…
                for m in methods:
                    cases.append(pytest.param(cls, m, combo,
                                              id=f"{mod.__name__[11:]}.{cname}.{m}{list(combo)}"))
    return cases


def test_suite_has_the_benchmarks_of_issues_2_and_6():
    mods = {m.__name__.split(".")[-1] for m in _modules()}
    assert {"common", "bench_grad", "bench_hvp", "bench_taylor", "bench_nested",
            "bench_toolbox", "bench_peers"} <= mods
    assert len(_cases()) > 50


def test_every_method_signature_matches_its_params():
    for p in _cases():
        cls, method, combo = p.values
        sig = inspect.signature(getattr(cls, method))
        assert len(sig.parameters) == 1 + len(combo), (cls, method)


@pytest.mark.parametrize("cls, method, combo", _cases())
def test_benchmark_runs_once(cls, method, combo):
    bench = cls()
    try:
        if hasattr(bench, "setup"):
            bench.setup(*combo)
    except NotImplementedError as e:
        pytest.skip(f"skipped by setup: {e}")
    try:
        getattr(bench, method)(*combo)
    finally:
        if hasattr(bench, "teardown"):
            bench.teardown(*combo)


def test_peer_workloads_match_their_references():
    """Every installed framework's result on the tiny rows against the float64 references."""
    from benchmarks import workloads as W  # noqa: PLC0415

    checked = 0
    for row in W.rows(quick=True):
        ref, idx = W.reference(row)
        for fw in W.FRAMEWORKS:
            try:
                fn, block = W.make(row, fw)
            except W.Missing:
                continue
            err, why = W.check(row, block(fn()), ref, idx)
            assert why is None and err <= row.rtol, (row.key, fw, err, why)
            checked += 1
    assert checked >= len(W.rows(quick=True))  # taylorad at least, on every row


def test_references_are_independent_of_taylorad():
    """The references themselves against finite differences (they must not share a bug)."""
    import numpy as np  # noqa: PLC0415
    from benchmarks import common as c  # noqa: PLC0415
    from benchmarks import workloads as W  # noqa: PLC0415

    widths, batch = (3, 5, 1), 4
    theta, X, y, v = c.mlp_data(widths, batch)
    loss = lambda th: float(c.mlp_loss(np, th, X, y, widths))  # noqa: E731
    g = W._np_mlp_grad(theta, X, y, widths)
    h = 1e-6
    fd = np.array([(loss(theta + h * e) - loss(theta - h * e)) / (2 * h)
                   for e in np.eye(theta.size)])
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)
    gfun = lambda th: W._np_mlp_grad(th, X, y, widths)  # noqa: E731
    hv = (gfun(theta + h * v) - gfun(theta - h * v)) / (2 * h)
    np.testing.assert_allclose(W._complex_step(gfun, theta, v), hv, rtol=1e-5, atol=1e-8)
    A, x = c.hessian_data(5)
    f = lambda x: float(c.hess_fun(np, A, x))  # noqa: E731
    E = np.eye(5) * 1e-4
    fdh = np.array([[(f(x + a + b) - f(x + a - b) - f(x - a + b) + f(x - a - b)) / 4e-8
                     for b in E] for a in E])
    np.testing.assert_allclose(W._hess_closed(A, x), fdh, rtol=1e-5, atol=1e-6)
    params, P = c.laplacian_data((3, 4, 4, 1), 2)
    u = lambda p: float(c.mlp_forward(np, params, p[None, :])[0])  # noqa: E731
    lap = [sum((u(p + e) - 2 * u(p) + u(p - e)) / 1e-8 for e in np.eye(3) * 1e-4) for p in P]
    np.testing.assert_allclose(W._forward_laplacian(params, P), lap, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(W._tiny_grad(c.TINY_X) @ c.TINY_V,
                               (c.tiny(np, c.TINY_X + h * c.TINY_V)
                                - c.tiny(np, c.TINY_X - h * c.TINY_V)) / (2 * h), rtol=1e-8)


def test_compare_quick_prints_a_checked_table():
    p = subprocess.run([sys.executable, os.path.join(ASV_DIR, "compare.py"), "--quick",
                        "-f", "taylorad", "--repeats", "1", "--min-time", "0"],
                       capture_output=True, text=True, timeout=300,
                       env={**os.environ, "TAYLORAD_BENCH_SMOKE": "0"})
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    assert "| workload" in out and "| taylorad" in out.replace("| workload", "")
    assert "correctness: all results match the float64 references" in out
    for label in ("MLP grad", "MLP HVP", "Hessian n=6", "order-4 derivs", "tiny HVP",
                  "4th derivative of sin", "Laplacian", "Rosenbrock"):
        assert label in out, label
    assert "WRONG" not in out and "error" not in out.split("| workload")[1]


def test_compare_interleaved_times_each_framework_every_round(tmp_path):
    """--interleave: one warmed process per framework, timed alternately; each cell has one
    timing per round, and the results are checked like the one-after-another run's."""
    p = subprocess.run([sys.executable, os.path.join(ASV_DIR, "compare.py"), "--quick",
                        "-f", "taylorad,taylorad.jit", "-r", "tiny|sin4", "--interleave", "3",
                        "--min-time", "0", "--json", str(tmp_path / "cells.json")],
                       capture_output=True, text=True, timeout=300,
                       env={**os.environ, "TAYLORAD_BENCH_SMOKE": "0"})
    assert p.returncode == 0, p.stdout + p.stderr
    assert "3 interleaved rounds" in p.stdout
    assert "correctness: all results match the float64 references" in p.stdout
    cells = json.loads((tmp_path / "cells.json").read_text())
    assert set(cells) == {f"{k}|{f}" for k in ("tiny_grad", "tiny_hvp", "sin4")
                          for f in ("taylorad", "taylorad.jit")}
    for info in cells.values():
        assert info["status"] == "ok" and len(info["times"]) == 3, info
        assert info["median"] == sorted(info["times"])[1]


def test_compare_rejects_an_unknown_framework():
    p = subprocess.run([sys.executable, os.path.join(ASV_DIR, "compare.py"), "-f", "tensorflow"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "unknown framework 'tensorflow'" in p.stderr
