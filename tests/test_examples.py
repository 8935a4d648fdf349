"""Every program in examples/ runs, in fast mode, as its own process — so examples cannot rot.

Each ``examples/*.py`` is run with ``sys.executable``, ``PYTHONPATH`` = the repository root,
``TAYLORAD_EXAMPLES_FAST=1`` (the shared fast-mode switch: fewer iterations, smaller problems)
and a temporary working directory (figures land there). It must exit with status 0 and print its
key line(s):

* the table ``KEY_LINES`` below names them for the examples that exist today, with numeric
  checks against independent references (MindSpore's tutorial output, closed forms);
* an example not in the table declares its own, one regular expression per line::

      # examples-test: expect <regex matched against some line of stdout>

* an example that cannot run here says so, and is then skipped with that reason (never
  silently)::

      # examples-test: skip <reason>

An example with neither is a test failure that says what to add. The full-mode runs of the
scientific examples, which check their stated accuracy targets themselves (exit status 1 when
missed), are marked ``slow``.
"""
import math
import os
import re
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
HANG_GUARD_S = 300  # a hung example fails instead of blocking the suite (not a timing check)

_FLOAT = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"


def _numbers(text):
    return [float(v) for v in re.findall(_FLOAT, text)]


# ----------------------------------------------------------------------------------------------
# key lines: {example stem: [(regex, check of the match or None), ...]}; every regex must match
# a line of stdout and its check (on the regex groups) must hold.


def _pinn_fast(m):
    err = float(m.group(1))  # an untrained network has a relative error of about 1
    return 0.0 < err < 0.5


def _small(limit):
    return lambda m: float(m.group(1)) < limit


def _morse_closed_form(m):
    # k·{1, 1, 2, 2, 2, 4} with k = V''(r_e) = 2·D·a² = 8 for D = 1, a = 2 (regular tetrahedron)
    return _numbers(m.group(1)) == pytest.approx([8, 8, 16, 16, 16, 32], rel=1e-9)


KEY_LINES = {
    "pinn_poisson": [
        (r"check: \|Δu collapsed − Δu nested\| max = " + _FLOAT, _small(1e-10)),
        (r"relative L2 error vs exact solution \(101x101 grid\): " + _FLOAT, _pinn_fast),
        (r"^trained: \d+ L-BFGS-B iterations", None),
    ],
    "force_matching": [
        (r"held-out errors: energy RMSE " + _FLOAT, lambda m: math.isfinite(float(m.group(1)))),
        (r"taylorad\.hessian vs ops\.jacfwd\(ops\.grad\(E\)\) max diff " + _FLOAT,
         _small(1e-10)),
        (r"fitted max \|λ\| = " + _FLOAT, _small(1e-6)),  # the 6 rigid-body modes
        (r"Morse \(closed form\):\s+(.*)$", _morse_closed_form),
    ],
    # the MindSpore tutorial programs: the numbers MindSpore's tutorial prints (their values are
    # checked in detail by test_examples_tutorial.py)
    "tutorial_1_grad_wrt_input": [(r"\[\[4\.5099998 2\.7 +3\.6000001\]", None)],
    "tutorial_2_grad_wrt_all_inputs": [(r"2\.59999990e\+00", None), (r"4\.50999975e\+00", None)],
    "tutorial_3_grad_wrt_weights": [(r"2\.15359993e\+01", None)],
    "tutorial_4_sensitivity": [(r"\[\[2\.211 +0\.51 +1\.49", None)],
    "tutorial_5_single_output": [(r"\[\[0\.11 1\.1 +1\.1 *\]", None)],
    "tutorial_6_sin_second_order": [(r"^\[-0\.841471\]$", None)],
    "tutorial_7_mul_second_order": [(r"^\[2\. 2\. 2\.\]$", None)],
    "tutorial_8_mixed_second_order": [(r"^\[10\.\] \[8\.\] \[8\.\] \[0\.\]$", None)],
    "facade_benchmark": [(r"order 4:\s+" + _FLOAT + " ms", None)],
    # the optimizer examples: the Rosenbrock minimum is f = 0 at x = 1; Newton-CG and L-BFGS-B
    # reach the same strictly convex minimum; the curve fit beats the best constant (loss 0.245)
    "newton_rosenbrock": [(r"^taylorad trust-krylov \(AD\)\s+\d+\s+\d+\s+" + _FLOAT,
                           _small(1e-10))],
    "newton_logistic": [(r"^loss " + _FLOAT + r" \(L-BFGS-B " + _FLOAT + r"\)",
                         lambda m: abs(float(m.group(1)) - float(m.group(2))) < 1e-8)],
    "newton_hessian_free_mlp": [(r"^Hessian-free: loss " + _FLOAT + r" after \d+ outer steps",
                                 _small(0.1))],
}

_MARK = re.compile(r"^#\s*examples-test:\s*(expect|skip)\s+(.*?)\s*$", re.MULTILINE)


def _declared(path):
    """(expect regexes, skip reason or None) from the example's own marker lines."""
    expect, skip = [], None
    for kind, arg in _MARK.findall(path.read_text(encoding="utf-8")):
        if kind == "skip":
            skip = arg or "declared not runnable"
        else:
            expect.append((arg, None))
    return expect, skip


def _run(path, tmp_path, fast=True, args=()):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(
        os.pathsep) if p])
    env["MPLBACKEND"] = "Agg"
    env.pop("TAYLORAD_EXAMPLES_FAST", None)
    if fast:
        env["TAYLORAD_EXAMPLES_FAST"] = "1"
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    proc = subprocess.run([sys.executable, str(path), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=HANG_GUARD_S)
    return proc


def _check_key_lines(name, stdout, key_lines):
    lines = stdout.splitlines()
    for regex, check in key_lines:
        rx = re.compile(regex)
        hits = [m for m in map(rx.search, lines) if m]
        assert hits, f"{name}: no line of its output matches {regex!r}; output:\n{stdout}"
        if check is not None:
            assert any(check(m) for m in hits), \
                f"{name}: the line {hits[0].group(0)!r} fails its check; output:\n{stdout}"


def test_examples_exist():
    names = {p.stem for p in EXAMPLES}
    assert {"pinn_poisson", "force_matching"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_fast(path, tmp_path):
    expect, skip = _declared(path)
    if skip is not None:
        pytest.skip(f"{path.name} declares itself not runnable: {skip}")
    key_lines = KEY_LINES.get(path.stem, []) + expect
    if not key_lines:
        pytest.fail(f"{path.name} declares no key line of output: add a line "
                    f"'# examples-test: expect <regex>' to it (or an entry to KEY_LINES in "
                    f"{Path(__file__).name}), or '# examples-test: skip <reason>' if it cannot "
                    f"run in the tests")
    proc = _run(path, tmp_path)
    assert proc.returncode == 0, (f"{path.name} exited with status {proc.returncode}\n"
                                  f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    _check_key_lines(path.name, proc.stdout, key_lines)
    if path.stem == "pinn_poisson":  # the figure is written exactly when matplotlib is there
        png = tmp_path / "pinn_poisson.png"
        if find_spec("matplotlib") is not None:
            assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        else:
            assert not png.exists()
            assert "matplotlib is not installed" in proc.stdout


def test_key_line_checks_can_fail():
    good = ("check: |Δu collapsed − Δu nested| max = 4.4e-16 (scale 8.1e-01)\n"
            "trained: 60 L-BFGS-B iterations in 0.8 s\n"
            "relative L2 error vs exact solution (101x101 grid): 1.23e-01   max abs error: 0.2")
    _check_key_lines("pinn_poisson", good, KEY_LINES["pinn_poisson"])
    for bad in (good.replace("1.23e-01", "9.70e-01"),  # not trained
                good.replace("4.4e-16", "3.0e-02"),  # collapsed and nested Laplacians disagree
                good.replace("trained:", "stopped:")):
        with pytest.raises(AssertionError):
            _check_key_lines("pinn_poisson", bad, KEY_LINES["pinn_poisson"])
    with pytest.raises(AssertionError):
        _check_key_lines("force_matching", "    Morse (closed form):   8.0  8.0  16.0  16.0  16.0  "
                         "16.0", [KEY_LINES["force_matching"][-1]])


def test_marker_parsing(tmp_path):
    f = tmp_path / "ex.py"
    f.write_text("print(1)\n# examples-test: expect ^1$\n#examples-test: skip needs a GPU\n")
    expect, skip = _declared(f)
    assert expect == [("^1$", None)]
    assert skip == "needs a GPU"


# ----------------------------------------------------------------------------------------------
# full mode: the examples check their documented targets themselves and exit 1 when missed


@pytest.mark.slow
@pytest.mark.parametrize("stem, ok_line", [
    ("force_matching", r"^OK: force error < 1%, energy RMSE < 0\.001, vibrational eigenvalues"),
    ("pinn_poisson", r"^OK: relative L2 error " + _FLOAT + r" < target 0\.01$"),
])
def test_example_full_mode_meets_target(stem, ok_line, tmp_path):
    proc = _run(ROOT / "examples" / f"{stem}.py", tmp_path, fast=False)
    assert proc.returncode == 0, (f"{stem}.py (full mode) exited with status {proc.returncode}\n"
                                  f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    _check_key_lines(stem, proc.stdout, [(ok_line, None)])
