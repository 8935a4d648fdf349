"""ta.jit fuses runs of Taylor kernels into one kernel (taylorad/cpu/chain.py): replays equal the
eager results (single-rule kernels) bit for bit, for every kind of kernel in a chain (the UNARY
rules incl. sin/cos with their companion, multiply, divide with a constant numerator, power with
integer and real exponents), whole series and single coefficients, batched directions, several
threads; with the kernels switched off at replay the recorded calls run one by one. Expected
values: the eager computation (whose kernels test_cpu_kernels.py checks against mpmath and the
composed rules) and closed forms."""
import math

import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.cpu import calls, threads, use_kernels

pytest.importorskip("numba")

CHAINS = {
    "transcendental": lambda x: tnp.sin(tnp.exp(tnp.tanh(x)) * x) + tnp.log1p(x * x),
    "cos_sqrt_power": lambda x: tnp.cos(tnp.sqrt(x + 2.0)) * tnp.power(x + 3.0, 2.5),
    "divide_intpower": lambda x: 1.0 / (tnp.power(x, 3) + 4.0) + tnp.sigmoid(x) / tnp.cosh(x),
    "every_unary": lambda x: tnp.expm1(tnp.sinh(tnp.tan(tnp.log(tnp.square(tnp.reciprocal(
        x + 3.0)) + 1.0)) * 0.5)),
}


def _replays(fn, *args):
    return [fn(*args) for _ in range(3)]  # record, verify against eager, replay


# each (chain, K) compiles two kernels (a few seconds each, cached on disk afterwards): four
# combinations in the default run, every one under -m slow
QUICK = {("transcendental", 8), ("cos_sqrt_power", 3), ("divide_intpower", 2),
         ("every_unary", 4)}


@pytest.mark.parametrize("name, K", [
    (n, K) if (n, K) in QUICK else pytest.param(n, K, marks=pytest.mark.slow)
    for n in CHAINS for K in (2, 3, 4, 5, 8)])
def test_chain_replay_equals_eager_bit_for_bit(name, K):
    f = CHAINS[name]
    rng = np.random.default_rng(K)
    x, v = rng.uniform(-0.9, 0.9, 3001), rng.uniform(0.5, 1.5, 3001)
    ref = ta.derivatives(f, x, v, K)
    top = ta.jit(lambda x, v: ta.derivatives(f, x, v, K)[K])
    every = ta.jit(lambda x, v: ta.derivatives(f, x, v, K))
    before = calls["chain"]
    for got in _replays(top, x, v):
        assert np.array_equal(got, ref[K])
    for got in _replays(every, x, v):
        assert all(np.array_equal(a, b) for a, b in zip(got, ref))
    assert calls["chain"] >= before + 2, "no fused chain ran"
    prog = next(iter(top.cache.values()))
    assert any(op[0].name.startswith("taylor_chain") for op in prog.array_ops)


def test_chain_matches_the_closed_form():
    """d^K/dt^K sin(exp(x + tv)) at K = 3 by hand: with u = exp(x), s = sin u, c = cos u,
    d³/dx³ sin(eˣ) = c·u − 3·s·u² − c·u³."""
    x = np.linspace(-1.0, 1.0, 4001)
    v = np.full_like(x, 0.7)
    d = ta.jit(lambda x, v: ta.derivatives(lambda y: tnp.sin(tnp.exp(y)), x, v, 3)[3])
    u = np.exp(x)
    ref = (np.cos(u) * u - 3 * np.sin(u) * u ** 2 - np.cos(u) * u ** 3) * 0.7 ** 3
    for got in _replays(d, x, v):
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)


def test_chain_with_batched_directions():
    """ta.jet with several directions at once: series of shape (K, nb, m)."""
    f = CHAINS["transcendental"]
    rng = np.random.default_rng(4)
    x = rng.uniform(-0.9, 0.9, 1500)
    V = rng.uniform(0.5, 1.5, (3, 1500))

    def all_dirs(x, V):
        return [ta.derivatives(f, x, V[i], 4)[4] for i in range(3)]

    ref = all_dirs(x, V)
    for got in _replays(ta.jit(all_dirs), x, V):
        assert all(np.array_equal(a, b) for a, b in zip(got, ref))


def test_chain_split_across_threads(monkeypatch):
    monkeypatch.setattr(threads, "MIN_WORK", 64)
    threads.set_num_threads(4)
    try:
        f = CHAINS["transcendental"]
        x, v = np.linspace(-0.9, 0.9, 5003), np.full(5003, 0.8)
        with threads.limit(1):
            ref = ta.derivatives(f, x, v, 6)[6]
        for got in _replays(ta.jit(lambda x, v: ta.derivatives(f, x, v, 6)[6]), x, v):
            assert np.array_equal(got, ref)
    finally:
        threads.set_num_threads(None)


def test_kernels_switched_off_at_replay_run_the_recorded_calls():
    f = CHAINS["cos_sqrt_power"]
    x, v = np.linspace(-0.9, 0.9, 2001), np.full(2001, 1.1)
    d = ta.jit(lambda x, v: ta.derivatives(f, x, v, 4)[4])
    ref = ta.derivatives(f, x, v, 4)[4]
    _replays(d, x, v)
    before = calls["chain"]
    with use_kernels(False):
        got = d(x, v)
        composed = ta.derivatives(f, x, v, 4)[4]
    assert calls["chain"] == before
    assert np.array_equal(got, composed)
    np.testing.assert_allclose(got, ref, rtol=1e-11, atol=1e-11 * np.abs(ref).max())
    assert not math.isnan(got.sum())


def test_a_chain_kernel_that_fails_warns_and_runs_the_recorded_calls(monkeypatch):
    from taylorad.cpu import kernels  # noqa: PLC0415

    real = kernels.load

    def load(src):
        fn = real(src)
        if "def kernel(q0" not in src:  # the single-rule and fused-arithmetic kernels work
            return fn

        def broken(*a):
            raise RuntimeError("simulated compiler failure")
        return broken

    monkeypatch.setattr(kernels, "load", load)
    f = CHAINS["transcendental"]
    x, v = np.linspace(-0.9, 0.9, 2001), np.full(2001, 0.9)
    ref = ta.derivatives(f, x, v, 3)[3]
    d = ta.jit(lambda x, v: ta.derivatives(f, x, v, 3)[3])
    d(x, v)
    with pytest.warns(RuntimeWarning, match="fused kernel for 6 Taylor rules failed"):
        got = d(x, v)
    assert np.array_equal(got, ref)
    assert np.array_equal(d(x, v), ref)  # no second warning: warnings as errors would raise
