"""The tutorial examples print what the MindSpore tutorial documents.

Each ``examples/tutorial_*.py`` runs as its own process. The expected numbers are the ones the
tutorial prints (../shared/reference/, MindSpore r1.1) or, where it prints none, closed forms of
the tutorial's formulas. The formatting expected is MindSpore 2.x's: ``print(t)`` is NumPy's str
of the float32 array, ``print`` of a tuple uses the Tensor repr (``% .8e``). Values are compared
to float32 rounding (a few ulps: MindSpore's own summation order may differ by one ulp).
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"

X = np.array([[0.8, 0.6, 0.2], [1.8, 1.3, 1.1]])
Y = np.array([[0.11, 3.3, 1.1], [1.1, 0.2, 1.4], [1.1, 2.2, 0.3]])

# example -> (tutorial's printed text or None, expected values, expected exact stdout or None)
CASES = {
    "tutorial_1_grad_wrt_input": (
        "[[4.5099998 2.7 3.6000001] [4.5099998 2.7 3.6000001]]",
        [[4.51, 2.7, 3.6]] * 2, None),
    # not printed by the tutorial: d(sum XY)/dX = 1·Yᵀ, d/dY = Xᵀ·1 (its formulas (1)-(2))
    "tutorial_2_grad_wrt_all_inputs": (
        None,
        list(np.ones((2, 3)) @ Y.T) + list(X.T @ np.ones((2, 3))),
        None),
    "tutorial_3_grad_wrt_weights": (
        "[2.15359993e+01]", [21.536],
        "(Tensor(shape=[1], dtype=Float32, value= [ 2.15359993e+01]),)"),
    "tutorial_4_sensitivity": (
        "[[2.211 0.51 1.49] [5.588 2.68 4.07]]", [[2.211, 0.51, 1.49], [5.588, 2.68, 4.07]],
        None),
    "tutorial_5_single_output": (
        "[[0.11 1.1 1.1] [0. 0. 0.]]", [[0.11, 1.1, 1.1], [0, 0, 0]],
        str(np.array([[0.11, 1.1, 1.1], [0, 0, 0]], np.float32))),  # these are exact in float32
    "tutorial_6_sin_second_order": (
        "[-0.841471]", [-np.sin(1.0)], "[-0.841471]"),
    "tutorial_7_mul_second_order": (
        "[2.00000000e+00, 2.00000000e+00, 2.00000000e+00]", [2.0, 2.0, 2.0],
        str(np.array([2.0, 2.0, 2.0], np.float32))),
    "tutorial_8_mixed_second_order": (
        "[10] [8.] [8.] [0.]", [10.0, 8.0, 8.0, 0.0],
        " ".join(str(np.array([v], np.float32)) for v in (10.0, 8.0, 8.0, 0.0))),
}

_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _numbers(text):
    text = re.sub(r"Tensor\(shape=\[[\d, ]*\], dtype=\w+, value=", "", text)
    return np.array([float(v) for v in _NUM.findall(text)])


def _close_f32(got, want, ulps=4):
    want32 = np.asarray(want, np.float32).astype(np.float64)
    tol = ulps * np.spacing(np.abs(want32).astype(np.float32)).astype(np.float64)
    return got.shape == want32.shape and bool(np.all(np.abs(got - want32) <= tol + 1e-12))


@pytest.fixture(scope="module")
def outputs():
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = {name: subprocess.Popen([sys.executable, str(EX / f"{name}.py")], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in CASES}
    res = {}
    for name, p in procs.items():
        out, err = p.communicate(timeout=120)
        res[name] = (p.returncode, out, err)
    return res


@pytest.mark.parametrize("name", sorted(CASES))
def test_tutorial_example_prints_documented_values(outputs, name):
    rc, out, err = outputs[name]
    assert rc == 0, err
    documented, values, exact = CASES[name]
    got = _numbers(out)
    want = np.ravel(np.asarray(values, dtype=np.float64))
    assert _close_f32(got, want), (out, want)
    if documented is not None:  # the tutorial's own printed numbers, to float32 rounding
        assert _close_f32(got, _numbers(documented).ravel()), (out, documented)
    if exact is not None:  # MindSpore 2.x formatting of the float32 result
        assert out.rstrip("\n") == exact


@pytest.mark.parametrize("name", ["tutorial_1_grad_wrt_input", "tutorial_5_single_output",
                                  "tutorial_6_sin_second_order"])
def test_tutorial_text_matches_whitespace_normalised(outputs, name):
    # print(Tensor) is str(t.asnumpy()): the float32 digits are the tutorial's, character for
    # character (4.5099998, 3.6000001 and -0.841471 are float32 rounding artefacts)
    out = outputs[name][1]
    norm = re.sub(r"\s+\]", "]", " ".join(out.split()))
    assert norm == CASES[name][0]
