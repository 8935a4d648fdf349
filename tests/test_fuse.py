"""taylorad.jit's fusion of elementwise arithmetic into numba kernels (taylorad/cpu/fuse.py):
which runs fuse, and that a fused replay gives NumPy's numbers bit for bit."""
import importlib

import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.cpu import available, use_kernels

pytestmark = pytest.mark.skipif(not available(), reason="numba is not installed")
jit_mod = importlib.import_module("taylorad.jit")
RNG = np.random.default_rng(8)


def _program(jitted):
    (prog,) = jitted.cache.values()
    return prog


def _fused_sizes(prog):
    return [int(op[0].name[6:-1]) for op in prog.array_ops if op[0].name.startswith("fused[")]


def _replay(jitted, *args, n=3):
    out = None
    for _ in range(n):
        out = jitted(*args)
    return out


def test_a_chain_of_arithmetic_is_one_kernel_and_bitwise_equal():
    def f(x, y):
        return ((x * y + 2.0) * x - y / (x * x + 1.5)) * -x + tnp.sqrt(tnp.abs(y)) - 3

    x, y = RNG.standard_normal((40, 50)), RNG.standard_normal((40, 50))
    g = ta.jit(f)
    got = _replay(g, x, y)
    assert _fused_sizes(_program(g)) == [13]  # every operation of f
    ref = ((x * y + 2.0) * x - y / (x * x + 1.5)) * -x + np.sqrt(np.abs(y)) - 3
    np.testing.assert_array_equal(got, ref)
    x2 = RNG.standard_normal((40, 50))  # new values: a replay, verified once against eager
    np.testing.assert_array_equal(_replay(g, x2, y), ((x2 * y + 2.0) * x2 - y / (x2 * x2 + 1.5))
                                  * -x2 + np.sqrt(np.abs(y)) - 3)


def test_broadcast_operands_unit_axes_and_intermediates_used_later():
    b = RNG.standard_normal(50)

    def f(x):
        u = x * b + 1.0  # (40, 50) with a (50,) operand: broadcast along the leading axis
        w = tnp.reshape(u, (1, 40, 50)) * 2.0 - b  # unit leading axis: same elementwise shape
        return tnp.sum(tnp.tanh(u)) + tnp.sum(w * w), u  # u is needed after the group

    x = RNG.standard_normal((40, 50))
    g = ta.jit(f)
    s, u = _replay(g, x)
    assert _fused_sizes(_program(g))
    np.testing.assert_array_equal(u, x * b + 1.0)
    w = np.reshape(x * b + 1.0, (1, 40, 50)) * 2.0 - b
    assert float(s) == pytest.approx(np.sum(np.tanh(x * b + 1.0)) + np.sum(w * w), rel=1e-14)


def test_hvp_and_hessian_through_fused_programs_match_eager():
    A = RNG.standard_normal((60, 60)) / 8
    f = lambda z: tnp.sum(tnp.tanh(A @ z) ** 2) + 0.5 * tnp.sum(z * z)  # noqa: E731
    x, v = RNG.standard_normal(60), RNG.standard_normal(60)
    h = ta.jit(ta.hessian(f))
    hv = ta.jit(lambda a, b: ta.hvp(f, a, b))
    with use_kernels(False):
        H, Hv = ta.hessian(f)(x), ta.hvp(f, x, v)
    np.testing.assert_allclose(_replay(h, x), H, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(_replay(hv, x, v), Hv, rtol=1e-13, atol=1e-14)
    assert _fused_sizes(_program(h))


def test_strided_inputs_and_ieee_specials():
    def f(x):
        a, b = x[0::2], x[1::2]  # strided views go in as they are
        return (b - a * a) / (a - 1.0) * 100.0 + (1.0 - a) * (1.0 - a)

    x = RNG.standard_normal(4000)
    x[:6] = [1.0, 2.0, np.inf, 1.0, np.nan, 0.0]  # 1/0, inf − inf, nan
    g = ta.jit(f)
    with np.errstate(all="ignore"):
        got = _replay(g, x)
        a, b = x[0::2], x[1::2]
        ref = (b - a * a) / (a - 1.0) * 100.0 + (1.0 - a) * (1.0 - a)
    assert _fused_sizes(_program(g))
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("case", ["float32", "small", "off"])
def test_no_fusion_where_it_does_not_apply(case):
    f = lambda x: (x * 2.0 + 1.0) * x - x  # noqa: E731
    x = RNG.standard_normal(1000)
    if case == "float32":
        x = x.astype(np.float32)
    if case == "small":
        x = x[:10]
    g = ta.jit(f)
    if case == "off":
        with use_kernels(False):
            got = _replay(g, x)
    else:
        got = _replay(g, x)
    assert _fused_sizes(_program(g)) == []
    np.testing.assert_array_equal(got, (x * 2.0 + 1.0) * x - x)


def test_a_kernel_that_fails_to_compile_leaves_the_program_unfused(monkeypatch):
    from taylorad.cpu import kernels  # noqa: PLC0415

    def broken(src):
        raise RuntimeError("simulated compiler failure")

    monkeypatch.setattr(kernels, "load", broken)
    g = ta.jit(lambda x: (x * 2.0 + 1.0) * x)
    x = RNG.standard_normal(500)
    with pytest.warns(RuntimeWarning, match="fusing elementwise operations failed"):
        got = _replay(g, x)
    assert _fused_sizes(_program(g)) == []
    np.testing.assert_array_equal(got, (x * 2.0 + 1.0) * x)


def test_a_run_continues_across_calls_that_do_not_use_it():
    """An elementwise run interrupted by a GEMM that does not read it is still one kernel, run
    where its last member was; a call that reads the run's result ends it."""
    A = RNG.standard_normal((300, 300))

    def f(x):
        u = x * 2.0 + 1.0
        w = A @ x  # independent of u: the run goes on
        z = u * u - 3.0
        return z, w, tnp.tanh(z) * 2.0 + z  # tanh reads z: a new run starts after it

    x = RNG.standard_normal(300)
    g = ta.jit(f)
    z, w, t = _replay(g, x)
    assert _fused_sizes(_program(g)) == [4, 2]
    u = x * 2.0 + 1.0
    np.testing.assert_array_equal(z, u * u - 3.0)
    np.testing.assert_array_equal(t, np.tanh(u * u - 3.0) * 2.0 + (u * u - 3.0))
    np.testing.assert_allclose(w, A @ x, rtol=1e-14)


def test_rank_one_products_and_column_operands_fuse():
    """(n, 1) @ (1, m) is a column times a row: it joins a run as a multiplication, and a column
    operand ((n, 1) against (n, m)) is read once per row. Reference: np.outer, written out."""
    a, b = RNG.standard_normal((300, 1)), RNG.standard_normal((1, 200))
    c = RNG.standard_normal((300, 1))

    def f(x, y):
        return x @ y + (c @ y) * 2.0 - c  # c: a column operand of the (300, 200) run

    g = ta.jit(f)
    got = _replay(g, a, b)
    assert _fused_sizes(_program(g)) == [5]
    assert not any(op[0].name == "matmul" for op in _program(g).array_ops)
    ref = np.outer(a[:, 0], b[0]) + 2.0 * np.outer(c[:, 0], b[0]) - c
    np.testing.assert_allclose(got, ref, rtol=1e-15, atol=1e-15)
    # and the gradient through it (the backward of a scalar-output layer is such a product)
    W = RNG.standard_normal((50, 1))
    X = RNG.standard_normal((400, 50))
    loss = lambda w: tnp.sum(tnp.tanh(X @ w) ** 2)  # noqa: E731
    gl = ta.jit(ta.grad(loss))
    t = np.tanh(X @ W)
    np.testing.assert_allclose(_replay(gl, W), X.T @ (2 * t * (1 - t * t)), rtol=1e-12)


def test_column_operands_with_a_different_split_are_not_mixed():
    """A run mixes one split of its axes: (40, 50) with a (50,) row and a (40, 1) column share
    it; an operand of shape (1, 50, 1) against (4, 50, 6) does not fit and ends the run."""
    x = RNG.standard_normal((4, 50, 6))
    col = RNG.standard_normal((4, 1, 1))
    mid = RNG.standard_normal((1, 50, 1))

    def f(x):
        return (x * col + 1.0) * mid - x

    got = _replay(ta.jit(f), x)
    np.testing.assert_array_equal(got, (x * col + 1.0) * mid - x)
