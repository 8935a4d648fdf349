"""The README's Python snippets run as written (with the names they assume defined)."""
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
SETUP = """
import numpy as np, taylorad as ta, taylorad.numpy as tnp
f = lambda x: tnp.sum(tnp.sin(x) * tnp.exp(x) + x ** 3)
x = np.array([0.3, -0.7, 1.2]); V = np.eye(3); g = lambda x: tnp.sin(x) * x
u = lambda X: tnp.sum(tnp.tanh(X), axis=-1); X = np.random.default_rng(0).standard_normal((4, 3))
"""
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_snippet_runs(code):
    exec(compile(SETUP + code, str(README), "exec"), {})  # noqa: S102


def test_readme_has_snippets_and_the_two_commands():
    text = README.read_text()
    assert len(BLOCKS) >= 3
    assert "pip install -q . && .venv/bin/python -m taylorad" in text
    assert 'pip install -q -e ".[test]" && .venv/bin/python -m pytest -q' in text
