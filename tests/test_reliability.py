"""Reliability, quick versions (the stress suite, tests/stress/, runs them at scale): threads,
long programs, bounded memory, recovery from exceptions, integer inputs, float32 accuracy.
References are closed forms and 50-digit mpmath (tests/reliability_cases.py)."""
import pathlib
import sys
import threading

import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.core.trace import STATE

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import reliability_cases as R  # noqa: E402


# --- threads ---------------------------------------------------------------------------------

def test_threads_each_result_matches_its_closed_form():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often: races show within a few calls
    try:
        bad = R.run_threads(4, 60)
    finally:
        sys.setswitchinterval(old)
    assert bad == []


def test_one_jit_function_from_several_threads():
    f = ta.jit(lambda x, v: ta.hvp(lambda x: tnp.sum(tnp.sin(x) * x), x, v))
    n, results = 50, {}

    def ref(x, v):  # d²/dx² (x sin x) = 2 cos x − x sin x
        return (2 * np.cos(x) - x * np.sin(x)) * v

    def run(k):
        rng = np.random.default_rng(k)
        out = []
        for i in range(n):
            shape = (3,) if i % 2 else (2, 2)  # two recordings, shared by every thread
            x, v = rng.uniform(-2, 2, shape), rng.uniform(-1, 1, shape)
            out.append((f(x, v), ref(x, v)))
        results[k] = out

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert sorted(results) == [0, 1, 2, 3]
    for out in results.values():
        for got, want in out:
            assert not R.escaped(got)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    assert len(f.cache) == 2


def test_fast_path_switch_is_per_thread():
    from taylorad.core.switch import enabled  # noqa: PLC0415
    from taylorad.cpu import dispatch, use_kernels  # noqa: PLC0415

    before = enabled(dispatch._state)
    inside, other = [], []
    entered, done = threading.Event(), threading.Event()

    def off():
        with use_kernels(False):
            inside.append(enabled(dispatch._state))
            entered.set()
            done.wait(5)

    t = threading.Thread(target=off)
    t.start()
    entered.wait(5)
    other.append(enabled(dispatch._state))  # this thread is not inside the block
    done.set()
    t.join()
    assert inside == [False] and other == [before] and enabled(dispatch._state) == before


# --- long programs ---------------------------------------------------------------------------

@pytest.mark.parametrize("which,n", [("grad", 20000), ("hvp", 3000), ("derivatives", 3000),
                                     ("jit", 2000), ("vjp", 5000), ("jvp", 5000),
                                     ("error", 5000)])
def test_long_program(which, n):
    got, want = R.LONG[which](n)  # far beyond the recursion limit (1000)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert R.clean_state()


# --- bounded memory --------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["grad", "hvp", "derivatives", "jit"])
def test_memory_flat(which):
    call = R.memory_calls()[which]
    traced, _ = R.memory_growth(call, 300)
    assert traced < 64 << 10, traced  # a handful of cached objects, not a copy per call


def test_jit_cache_is_bounded_lru():
    calls = []

    def f(x):
        calls.append(x.shape)
        return tnp.sum(x ** 2)

    g = ta.jit(f, cache_size=3)
    for n in range(1, 11):
        assert float(g(np.ones(n))) == n
    assert len(g.cache) == 3  # the three most recent shapes
    assert float(g(np.ones(9))) == 9  # still recorded: a replay (f not run again)
    assert calls.count((9,)) == 1
    g(np.ones(8)), g(np.ones(1))  # (1,) was evicted: recorded again, evicting (10,)
    assert calls.count((1,)) == 2
    assert sorted(k[1][0][1] for k in g.cache) == [(1,), (8,), (9,)]
    g.clear_cache()
    assert len(g.cache) == 0
    assert float(g(np.ones(9))) == 9 and calls.count((9,)) == 2
    assert ta.jit(f).cache_size == ta.jit.default_cache_size == 64
    deco = ta.jit(cache_size=2)(f)
    assert deco.cache_size == 2 and float(deco(np.ones(2))) == 2


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "3"])
def test_jit_cache_size_is_checked(bad):
    with pytest.raises(ValueError, match="taylorad.jit: cache_size must be a positive int"):
        ta.jit(lambda x: x, cache_size=bad)


# --- clean recovery --------------------------------------------------------------------------

class _Stop(Exception):
    pass


def _raising(exc, depth):
    """A scalar function raising ``exc()`` under ``depth`` nested transformations of its own."""
    def f(x):
        y = tnp.sum(tnp.sin(x) * x)
        if depth == 0:
            raise exc()
        return tnp.sum(ta.grad(_raising(exc, depth - 1))(x) * x) + y
    return f


TRANSFORMS = {
    "grad": lambda f, x, v: ta.grad(f)(x),
    "hvp": lambda f, x, v: ta.hvp(f, x, v),
    "derivatives": lambda f, x, v: ta.derivatives(f, x, v, 3),
    "hessian": lambda f, x, v: ta.hessian(f)(x),
    "jit": lambda f, x, v: ta.jit(ta.grad(f))(x),
}


@pytest.mark.parametrize("exc", [_Stop, KeyboardInterrupt], ids=["error", "interrupt"])
@pytest.mark.parametrize("depth", [0, 1, 2])
@pytest.mark.parametrize("transform", list(TRANSFORMS))
def test_exception_leaves_nothing_behind(transform, depth, exc):
    x, v = np.linspace(-1, 1, 300), np.ones(300)
    raised = False
    try:  # (not pytest.raises: its record of the traceback would keep the frames' arrays)
        TRANSFORMS[transform](_raising(exc, depth), x, v)
    except exc:
        raised = True
    assert raised
    assert R.clean_state()
    # the next calls, in this thread and another, are right
    assert R.worker(7, 6) == []
    other = []
    t = threading.Thread(target=lambda: other.extend(R.worker(3, 6)))
    t.start()
    t.join()
    assert other == []


def test_interrupted_jit_recording_is_not_kept():
    state = {"interrupt": True}

    def f(x):
        if state["interrupt"]:
            raise KeyboardInterrupt
        return tnp.sum(tnp.exp(x))

    g = ta.jit(ta.grad(f))
    with pytest.raises(KeyboardInterrupt):
        g(np.zeros(3))
    assert len(g.cache) == 0 and not STATE.active
    state["interrupt"] = False
    np.testing.assert_allclose(g(np.zeros(3)), np.ones(3))
    np.testing.assert_allclose(g(np.ones(3)), np.full(3, np.e))


# --- integer inputs --------------------------------------------------------------------------

_F = lambda x: tnp.sum(x * x)  # noqa: E731
INTEGER_CALLS = {  # transform: (call on x, what the message calls the argument)
    "grad": (lambda x: ta.grad(_F)(x), "argument 0"),
    "value_and_grad": (lambda x: ta.value_and_grad(_F)(x), "argument 0"),
    "vjp": (lambda x: ta.vjp(_F, x), "argument 0"),
    "jvp": (lambda x: ta.jvp(_F, (x,), (x,)), "primals"),
    "hvp": (lambda x: ta.hvp(_F, x, x), "x"),
    "derivatives": (lambda x: ta.derivatives(_F, x, x, 2), "x"),
    "hessian": (lambda x: ta.hessian(_F)(x), "argument 0"),
    "jacrev": (lambda x: ta.jacrev(lambda x: x * x)(x), "argument 0"),
    "laplacian": (lambda x: ta.laplacian(_F)(x), "x"),
    "grad(argnums=(0, 1))": (lambda x: ta.grad(lambda a, b: tnp.sum(a * b), argnums=(0, 1))(
        np.ones(3), x), "argument 1"),
}


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_])
@pytest.mark.parametrize("transform", list(INTEGER_CALLS))
def test_integer_input_is_a_clear_error(transform, dtype):
    """Never a zero gradient for an integer array: an error naming function, argument, dtype."""
    call, what = INTEGER_CALLS[transform]
    fname = transform.split("(")[0]
    with pytest.raises(TypeError, match=rf"^{fname}: {what} has dtype {np.dtype(dtype).name}; "
                                        rf"only floating-point inputs can be differentiated"):
        call(np.array([1, 0, 1], dtype=dtype))


# --- float32 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [r[0] for r in R.F32_UNARY + R.F32_BINARY])
def test_float32_derivatives_within_a_few_ulps(name):
    row = {r[0]: r for r in R.F32_UNARY + R.F32_BINARY}[name]
    xs, vs = R.f32_inputs(name, 64)  # 64 points × order 4: the numba kernels' size
    worst = R.f32_errors(row[1], row[2], xs, vs, K=4, points=6)
    assert max(worst) <= R.F32_ULPS, worst


def test_deeply_nested_pytrees():
    depth = 1500  # a history kept as state = (x, state): beyond the recursion limit (1000)
    tree = None
    for i in range(depth):
        tree = (np.array([0.001 * i]), tree)

    def f(t):
        total = 0.0
        while t is not None:
            total = total + tnp.sum(t[0] ** 2)
            t = t[1]
        return total

    for g in (ta.grad(f), ta.jit(ta.grad(f))):
        got = g(tree)
        for i in reversed(range(depth)):
            np.testing.assert_allclose(got[0], 2 * 0.001 * i)
            got = got[1]
        assert got is None


def test_jit_recording_of_a_taylor_pass_does_not_keep_every_value():
    """derivatives() keeps a few series alive at a time; recording it under ta.jit must not
    keep all of them (peak memory independent of the program's length)."""
    import tracemalloc  # noqa: PLC0415

    from taylorad.cpu import use_kernels  # noqa: PLC0415

    x = np.linspace(0.2, 0.8, 20000)
    peaks = []
    for n in (30, 120):
        d = ta.jit(lambda x, v, n=n: ta.derivatives(lambda y: tnp.sin(R.chain(y, n)), x, v, 4)[4])
        tracemalloc.start()
        try:
            with use_kernels(False):  # (no fusion: nothing to compile)
                got = d(x, np.ones_like(x))
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        np.testing.assert_allclose(got, np.sin(x), rtol=1e-8)
    assert peaks[1] < 1.5 * peaks[0], peaks
