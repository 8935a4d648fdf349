"""taylorad's CPU thread pool (taylorad.cpu.threads): the split passes give the serial results bit
for bit (Taylor kernels, the sine's companion, jit's fused loops and NumPy ufuncs), also when
several Python threads call taylorad at once; the thread count follows TAYLORAD_NUM_THREADS,
OMP_NUM_THREADS, threadpoolctl's BLAS limit and ``limit``; bad settings fail with a clear error.

Expected values: closed-form derivatives (d^K/dt^K of exp, sin and x·exp at x + t·v) and the
same computation on one thread (the serial kernels are checked against mpmath and the composed
rules in test_cpu_kernels.py)."""
import math
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.cpu import threads
from thread_cases import in_threads

numba = pytest.importorskip("numba")


def test_parallel_for_covers_every_item_once(split):
    seen = np.zeros(1001, np.int64)
    lock = threading.Lock()

    def fn(lo, hi):
        with lock:
            seen[lo:hi] += 1

    parts = threads.chunks(1001)
    assert 4 < len(parts) <= min(4 * threads.CHUNKS_PER_THREAD, 1001 // 64)
    assert threads.parallel_for(fn, 1001) == len(parts)
    assert (seen == 1).all()
    assert [lo % 8 for lo, _ in parts] == [0] * len(parts) and parts[-1][1] == 1001


def test_parallel_for_raises_a_chunk_error_after_the_running_chunks(split):
    """The first error is raised once every chunk that started has finished (no chunk still
    writes into the output after the call returns); chunks not yet taken are skipped."""
    started, finished = [], []

    def fn(lo, hi):
        started.append(lo)
        if lo > 0:
            raise ZeroDivisionError(f"chunk {lo}")
        finished.append(lo)

    with pytest.raises(ZeroDivisionError):
        threads.parallel_for(fn, 1000)
    assert 2 <= len(started) <= len(threads.chunks(1000))
    assert finished == [0] or 0 not in started  # the chunk without error ran to its end


def test_parallel_for_does_not_wait_for_a_worker_that_never_starts(split, monkeypatch):
    """A worker that wakes late takes fewer chunks: with the pool's workers stalled, the calling
    thread runs every chunk and returns without waiting for them."""
    gate = threading.Event()
    pool = threads._pool(4)
    stalls = [pool.submit(gate.wait) for _ in range(3)]  # occupy every worker
    try:
        who = []

        def fn(lo, hi):
            who.append(threading.current_thread().name)

        n = threads.parallel_for(fn, 1001)
        assert len(who) == n and set(who) == {threading.current_thread().name}
    finally:
        gate.set()
        for f in stalls:
            f.result()


def test_nested_parallel_for_runs_serially_in_workers(split):
    """A pass started inside a worker does not wait on the pool (no deadlock)."""
    inner = []

    def fn(lo, hi):
        worker = threading.current_thread().name.startswith("taylorad-cpu")
        inner.append((worker, threads.parallel_for(lambda a, b: None, 1000)))

    n = threads.parallel_for(fn, 1000)
    assert len(inner) == n
    assert all(k == 1 for worker, k in inner if worker)  # serial inside a worker
    # the caller's own chunks may split again (their helpers are cancelled when busy)


def _closed_forms(x, v, K):
    """d^K/dt^K at t=0 of exp(x+tv), sin(x+tv) and (x+tv)·exp(x+tv)."""
    return {"exp": np.exp(x) * v ** K,
            "sin": np.sin(x + K * math.pi / 2) * v ** K,
            "xexp": (x + K) * np.exp(x) * v ** K}


FUNS = {"exp": tnp.exp, "sin": tnp.sin, "xexp": lambda x: x * tnp.exp(x)}


@pytest.mark.parametrize("K", [2, 5, 8])
def test_split_kernels_match_closed_forms_and_the_serial_result(split, K):
    rng = np.random.default_rng(K)
    x, v = rng.uniform(-2.0, 2.0, 3001), rng.uniform(0.5, 1.5, 3001)
    ref = _closed_forms(x, v, K)
    for name, f in FUNS.items():
        with threads.limit(1):
            serial = ta.derivatives(f, x, v, K)
        got = ta.derivatives(f, x, v, K)
        for a, b in zip(got, serial):
            assert np.array_equal(a, b), name
        np.testing.assert_allclose(got[K], ref[name], rtol=1e-11, atol=1e-11)


def test_split_unary_kernels_equal_serial_for_every_rule(split):
    from taylorad.cpu import calls, codegen  # noqa: PLC0415

    rng = np.random.default_rng(3)
    x = rng.uniform(0.2, 0.9, 2003)
    v = rng.uniform(-1.0, 1.0, 2003)
    for name in codegen.UNARY:
        f = getattr(tnp, name)
        before = calls[name]
        with threads.limit(1):
            serial = ta.derivatives(f, x, v, 6)
        got = ta.derivatives(f, x, v, 6)
        assert calls[name] == before + 2, name
        for a, b in zip(got, serial):
            assert np.array_equal(a, b), name


def test_split_companion_equals_serial(split):
    from taylorad.cpu import kernels  # noqa: PLC0415

    x = np.linspace(-1e3, 1e3, 4099)
    x[::7] = np.linspace(-1e7, 1e7, x[::7].size)  # some elements take the libm pass
    for cosine in (True, False):
        with threads.limit(1):
            a = kernels.companion(x, cosine, np.empty_like(x), np.empty(x.size, np.bool_))
        b = kernels.companion(x, cosine, np.empty_like(x), np.empty(x.size, np.bool_))
        assert np.array_equal(a, b)
        # both within 2 ulp of the exact value, which has magnitude <= 1
        np.testing.assert_allclose(b, np.cos(x) if cosine else np.sin(x), rtol=0, atol=1e-15)


@pytest.mark.parametrize("ufunc", [np.sin, np.exp, np.tanh, np.log1p, np.add, np.multiply])
def test_parallel_ufunc_is_numpy_bit_for_bit(split, ufunc):
    rng = np.random.default_rng(5)
    a, b = rng.uniform(0.1, 3.0, (7, 1001)), rng.uniform(0.1, 3.0, (7, 1001))
    args = (a,) if ufunc.nin == 1 else (a, b)
    got = threads.parallel_ufunc(ufunc, *args, out=np.empty_like(a))
    assert np.array_equal(got, ufunc(*args))
    if ufunc.nin == 2:  # a broadcast operand and a scalar: one call, NumPy's result
        assert np.array_equal(threads.parallel_ufunc(ufunc, a, b[0], out=np.empty_like(a)),
                              ufunc(a, b[0]))
        assert np.array_equal(threads.parallel_ufunc(ufunc, 2.5, a, out=np.empty_like(a)),
                              ufunc(2.5, a))


def test_jit_fused_and_ufunc_passes_split_equal_serial(split):
    """ta.jit's fused elementwise loops (rows split, columns split) and its large ufunc calls."""
    rng = np.random.default_rng(7)

    def f(x, c):
        return tnp.sum(tnp.sin(x) * c + x * x * (c - 1.0) / (x * x + 1.0))

    for shape, cshape in (((64, 300), (64, 1)), ((3, 2000), (3, 1)), ((5000,), (5000,))):
        x, c = rng.uniform(-1, 1, shape), rng.uniform(0.5, 1.5, cshape)
        h = ta.jit(lambda x, v, c: ta.hvp(lambda y: f(y, c), x, v))
        v = rng.standard_normal(shape)
        with threads.limit(1):
            serial = ta.hvp(lambda y: f(y, c), x, v)
        for _ in range(3):  # record, verify, replay
            assert np.array_equal(h(x, v, c), serial), shape


def test_many_python_threads_at_once(split):
    """8 Python threads call eager and jitted taylorad on split kernels at the same time: every
    result is the closed form (and the single-threaded result bit for bit)."""
    K = 6
    rng = np.random.default_rng(11)
    xs = [rng.uniform(-1.0, 1.0, 2500) for _ in range(8)]
    v = np.full(2500, 0.75)
    d = ta.jit(lambda x, v: ta.derivatives(lambda y: y * tnp.exp(y), x, v, K)[K])
    with threads.limit(1):
        serial = [ta.derivatives(lambda y: y * tnp.exp(y), x, v, K)[K] for x in xs]
    d(xs[0], v)  # record in this thread; the others replay (and one verifies)

    def work(i):
        for _ in range(5):
            a = d(xs[i], v)
            b = ta.derivatives(lambda y: tnp.sin(y), xs[i], v, K)[K]
            assert np.array_equal(a, serial[i])
            np.testing.assert_allclose(a, (xs[i] + K) * np.exp(xs[i]) * v ** K, rtol=1e-12)
            np.testing.assert_allclose(b, np.sin(xs[i] + K * math.pi / 2) * v ** K,
                                       rtol=1e-12, atol=1e-13)

    in_threads(work, 8)


# --- the thread count --------------------------------------------------------------------------


def _count(env):
    code = "from taylorad.cpu import threads; print(threads.num_threads())"
    full = {k: v for k, v in os.environ.items()
            if k not in ("TAYLORAD_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    res = subprocess.run([sys.executable, "-c", code], env={**full, **env}, capture_output=True,
                         text=True, timeout=120)
    return res


def test_thread_count_from_the_environment():
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert _count({}).stdout.strip() == str(cores)
    assert _count({"TAYLORAD_NUM_THREADS": "3"}).stdout.strip() == "3"
    assert _count({"OMP_NUM_THREADS": "1"}).stdout.strip() == "1"  # a Dask worker's setting
    assert _count({"OMP_NUM_THREADS": "1", "TAYLORAD_NUM_THREADS": "2"}).stdout.strip() == "2"
    bad = _count({"TAYLORAD_NUM_THREADS": "zero"})
    assert bad.returncode != 0 and "TAYLORAD_NUM_THREADS='zero'" in bad.stderr


def test_thread_count_follows_threadpoolctl_and_limit():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    threads.set_num_threads(None)
    try:
        with threadpoolctl.threadpool_limits(1, user_api="blas"):
            assert threads.num_threads() == 1
        with threads.limit(1):
            assert threads.num_threads() == 1
        threads.set_num_threads(5)  # the user's explicit choice is taken as given
        with threadpoolctl.threadpool_limits(1, user_api="blas"):
            assert threads.num_threads() == 5
            with threads.limit(2):
                assert threads.num_threads() == 2
    finally:
        threads.set_num_threads(None)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "4"])
def test_bad_thread_counts_name_the_function(bad):
    with pytest.raises(ValueError, match="set_num_threads: n="):
        threads.set_num_threads(bad)
    with pytest.raises(ValueError, match="threads.limit: n="):
        threads.limit(bad)
