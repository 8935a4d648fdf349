"""ta.jit's parallel regions (taylorad.cpu.region): a run of elementwise passes in a recorded
program runs as one op whose threads each compute every pass on their chunk of the elements.

What could go wrong, and what is checked: a value read before it is computed (a member run out
of order, a view of an unwritten buffer), a chunk boundary that changes a value (each element
must be the one the op-by-op replay computes, bit for bit, on any number of threads), a result
of the region that the rest of the program reads but the region does not hand back, a region
that stops working when the kernels are switched off, NumPy's error state (np.errstate) lost in
the worker threads, and several Python threads replaying one program at once.

Expected values: the same program recorded without regions (each pass NumPy's or the kernel's
own serial result) and the eager, unjitted call; the K-th derivative of the chain against its
closed form for K = 1 (the serial kernels are checked against mpmath in test_cpu_kernels.py)."""
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.cpu import region, threads
import test_hypothesis as hyp
from thread_cases import in_threads

numba = pytest.importorskip("numba")


def chain(x):
    return tnp.sin(tnp.exp(tnp.tanh(x)) * x) + tnp.log1p(x * x)


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-2.0, 2.0, n), rng.standard_normal(n)


def _ops(jitted):
    (prog,) = jitted.cache.values()
    return [getattr(op[0], "name", "") for op in prog.array_ops]


def _without_regions(monkeypatch, fun):
    with monkeypatch.context() as mp:
        mp.setattr(region, "form_regions", lambda ops, meta, out_specs: ops)
        j = ta.jit(fun)
        j(*fun.args)
        return j


@pytest.mark.parametrize("K", [1, 2, 5])
@pytest.mark.parametrize("n", [4099, 20000])
def test_region_equals_the_op_by_op_replay_bit_for_bit(split, monkeypatch, K, n):
    x, v = _data(n)

    def f(x, v):
        return ta.derivatives(chain, x, v, K)

    f.args = (x, v)
    plain = _without_regions(monkeypatch, f)
    assert not any(name.startswith("region") for name in _ops(plain))
    jf = ta.jit(f)
    first = jf(x, v)
    assert any(name.startswith("region") for name in _ops(jf)), _ops(jf)
    ref, eager = plain(x, v), f(x, v)
    for nt in (1, 2, 3, 4):
        with threads.limit(nt):
            got = jf(x, v)
        for a, b, c in zip(got, ref, eager):
            assert np.array_equal(a, b) and np.array_equal(a, c), f"{nt} threads"
    for a, b in zip(first, ref):
        assert np.array_equal(a, b)
    # new inputs (the recording is verified against the eager call, then replayed)
    x2, v2 = _data(n, seed=1)
    for a, b in zip(jf(x2, v2), f(x2, v2)):
        assert np.array_equal(a, b)
    if K == 1:  # d/dt f(x + t v) = f'(x) v, closed form
        e = np.exp(np.tanh(x2))
        fp = np.cos(e * x2) * (e * (1 - np.tanh(x2) ** 2) * x2 + e) + 2 * x2 / (1 + x2 * x2)
        np.testing.assert_allclose(jf(x2, v2)[1], fp * v2, rtol=1e-12, atol=1e-12)


def test_region_hands_back_what_the_rest_of_the_program_reads(split):
    """Intermediate values of the region used after it (here the primal tanh x and the chain's
    first coefficient) come out of the region computed, not as empty buffers."""
    x, v = _data(9000)

    def f(x, v):
        t = tnp.tanh(x)
        s = tnp.sin(t) * tnp.exp(x)
        ds = ta.derivatives(lambda y: tnp.sin(tnp.tanh(y)) * tnp.exp(y), x, v, 2)
        return s + ds[2], t.sum() * 1.0 + ds[1].sum()

    jf = ta.jit(f)
    jf(x, v)
    assert any(name.startswith("region") for name in _ops(jf)), _ops(jf)
    got, ref = jf(x, v), f(x, v)
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)


def test_region_with_kernels_switched_off_runs_its_passes_one_by_one(split):
    x, v = _data(5000)
    jf = ta.jit(lambda x, v: ta.derivatives(chain, x, v, 3)[3])
    ref = jf(x, v)
    assert any(name.startswith("region") for name in _ops(jf))
    with ta.cpu.use_kernels(False):
        off = jf(x, v)
    np.testing.assert_allclose(off, ref, rtol=1e-12, atol=1e-12)
    assert np.array_equal(jf(x, v), ref)


def test_ufunc_member_on_column_ranges_of_a_series():
    """A ufunc over a (rows, m) series runs on column ranges [lo, hi) of all rows at once."""
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((3, 1000)), rng.standard_normal((3, 1000))
    op = (np.add, ((0, None), (1, None)), {}, 2)
    mem = region._Ufunc(op, np.hypot, (3, 1000))
    assert mem.fits(1000) and mem.fits(3000) and not mem.fits(3)
    env = {0: a, 1: b}
    out, run = mem.bind(lambda sp: env[sp[0]], 1000)
    for lo in range(0, 1000, 96):
        run(lo, min(1000, lo + 96))
    assert np.array_equal(out[2], np.hypot(a, b))


def test_numpy_error_state_reaches_the_worker_threads(split):
    """np.errstate is a context variable: every chunk, on any thread, sees the caller's."""
    seen = []
    lock = threading.Lock()

    def fn(lo, hi):
        with lock:
            seen.append((threading.get_ident(), np.geterr()["over"]))

    with np.errstate(over="raise"):
        threads.parallel_for(fn, 4096)
    assert seen and all(mode == "raise" for _, mode in seen)
    x = np.full(4096, 800.0)
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        threads.parallel_ufunc(np.exp, x, out=np.empty_like(x))


def test_threads_replaying_one_region_at_once(split):
    x, v = _data(12000)
    jf = ta.jit(lambda x, v: ta.derivatives(chain, x, v, 4)[4])
    ref = jf(x, v)
    assert any(name.startswith("region") for name in _ops(jf))
    inputs = [_data(12000, seed=s) for s in range(8)]
    expected = [ta.derivatives(chain, a, b, 4)[4] for a, b in inputs]

    def work(i):
        return all(np.array_equal(jf(*inputs[i]), expected[i]) for _ in range(5))

    assert in_threads(work, 8) == [True] * 8
    assert np.array_equal(jf(x, v), ref)


def test_region_reads_strided_inputs(split):
    """Inputs that are strided views (every other element of a larger array) are read as
    values: the region copies what it cannot view, and each result equals the eager one."""
    rng = np.random.default_rng(5)
    big, vb = rng.uniform(-2.0, 2.0, (2, 20000)), rng.standard_normal((3, 20000))

    def f(x, v):
        return ta.derivatives(chain, x, v, 3)

    jf = ta.jit(f)
    x, v = big[0, ::2], vb[1, 1::2]
    first = jf(x, v)
    assert any(name.startswith("region") for name in _ops(jf)), _ops(jf)
    for got in (first, jf(x, v)):
        for a, b in zip(got, f(np.ascontiguousarray(x), np.ascontiguousarray(v))):
            assert np.array_equal(a, b)
    x2, v2 = big[1, 1::2], vb[2, ::2]
    for a, b in zip(jf(x2, v2), f(x2, v2)):
        assert np.array_equal(a, b)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(hyp.trees(), st.integers(1, 4))
def test_random_programs_with_regions_match_eager(split, tree, K):
    """test_hypothesis's random elementwise trees (values, top Taylor coefficient, HVP), recorded
    with a split threshold so low that their runs of passes become regions on 4 threads."""
    hyp.test_random_tree_jit_replay_matches_eager.hypothesis.inner_test(tree, K)
