"""The stress suite: the reliability checks of tests/test_reliability.py at scale.

Run it with ``python -m pytest -m stress tests/stress`` (it is excluded from the default run).
``TAYLORAD_STRESS=quick`` scales every size down (CI runs that, in well under a minute):

=====================================  ==========  =====================
check                                  full        quick
=====================================  ==========  =====================
threads × calls (8 transforms)         8 × 500     4 × 40
short-lived threads (state freed)      2000        100
one ta.jit function: threads × calls   8 × 500     4 × 40
tape length: grad                      10⁶         2·10⁴
program length: hvp, derivatives(4)    10⁵         2·10³
program length: ta.jit(grad)           2·10⁴       10³
program length: vjp, jvp, an error     10⁵         2·10³
calls per memory run                   10⁵         200
random programs (hypothesis)           300         5
float32 points per primitive           64          3
=====================================  ==========  =====================
"""
import math
import os
import pathlib
import sys
import threading

import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.cpu import use_kernels

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent))
import reliability_cases as R  # noqa: E402

pytestmark = pytest.mark.stress

QUICK = os.environ.get("TAYLORAD_STRESS", "").strip().lower() == "quick"


def size(full, quick):
    return quick if QUICK else full


# --- concurrency -----------------------------------------------------------------------------

def test_threads_many_calls():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        assert R.run_threads(size(8, 4), size(500, 40)) == []
    finally:
        sys.setswitchinterval(old)


def test_one_jit_function_many_threads():
    f = ta.jit(lambda x: ta.grad(lambda x: tnp.sum(tnp.exp(tnp.sin(x))))(x))
    n_threads, calls = size(8, 4), size(500, 40)
    bad, barrier = [], threading.Barrier(n_threads)

    def run(k):
        rng = np.random.default_rng(k)
        barrier.wait()
        for i in range(calls):
            x = rng.uniform(-2, 2, (i % 3 + 1) * 1000)  # 3 signatures; large ones use the pool
            got = f(x)
            if R.escaped(got) or not np.allclose(got, np.cos(x) * np.exp(np.sin(x)),
                                                 rtol=1e-13, atol=0):
                bad.append((k, i))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=run, args=(k,)) for k in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert bad == []
    assert R.clean_state()


def test_short_lived_threads_leave_no_state():
    """Per-thread state (trace stacks, fast-path switches) goes away with its thread."""
    g = ta.grad(lambda x: tnp.sum(tnp.sin(x)))
    jg = ta.jit(g)

    wrong = []

    def work():
        with use_kernels(False):
            for h in (g, jg):
                if not np.allclose(h(np.ones(3)), np.cos(np.ones(3)), rtol=1e-14):
                    wrong.append(h)

    def many(n):
        for _ in range(n):
            t = threading.Thread(target=work)
            t.start()
            t.join()

    traced, _ = R.memory_growth(lambda i: many(1), size(2000, 100), warm=20)
    assert traced < 64 << 10, traced
    assert wrong == []


# --- long programs ---------------------------------------------------------------------------

@pytest.mark.parametrize("which,full,quick", [("grad", 10 ** 6, 20000), ("hvp", 10 ** 5, 2000),
                                              ("derivatives", 10 ** 5, 2000),
                                              ("jit", 20000, 1000), ("vjp", 10 ** 5, 2000),
                                              ("jvp", 10 ** 5, 2000),
                                              ("error", 10 ** 5, 2000)])
def test_long_program(which, full, quick):
    got, want = R.LONG[which](size(full, quick))
    np.testing.assert_allclose(got, want, rtol=1e-9)
    assert R.clean_state()


def test_long_program_memory_is_linear():
    """Peak traced memory per operation of a grad is the same at n and at 4n (± 25%)."""
    import gc  # noqa: PLC0415
    import tracemalloc  # noqa: PLC0415

    per_op = []
    for n in (size(50000, 2000), size(200000, 8000)):
        gc.collect()
        tracemalloc.start()
        R.long_grad(n)
        per_op.append(tracemalloc.get_traced_memory()[1] / n)
        tracemalloc.stop()
    assert per_op[1] < 1.25 * per_op[0], per_op


# --- bounded memory --------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["grad", "hvp", "derivatives", "jit"])
def test_memory_flat_many_calls(which):
    pytest.importorskip("psutil")
    traced, rss = R.memory_growth(R.memory_calls()[which], size(10 ** 5, 200))
    assert traced < 64 << 10, traced
    assert rss < 16 << 20, rss


def test_jit_many_shapes_bounded():
    g = ta.jit(ta.grad(lambda x: tnp.sum(tnp.sin(x))), cache_size=8)
    for n in range(1, size(2000, 100)):
        np.testing.assert_allclose(g(np.full(n, 0.5)), np.cos(np.full(n, 0.5)))
        assert len(g.cache) <= 8
    assert R.clean_state()


# --- random programs, every transform, against mpmath ----------------------------------------

UN = [("sin", tnp.sin, mp.sin), ("cos", tnp.cos, mp.cos), ("tanh", tnp.tanh, mp.tanh),
      ("sigmoid", tnp.sigmoid, lambda a: 1 / (1 + mp.exp(-a))), ("arctan", tnp.arctan, mp.atan),
      ("exp_sin", lambda a: tnp.exp(tnp.sin(a)), lambda a: mp.exp(mp.sin(a))),
      ("log1p_sq", lambda a: tnp.log1p(a * a), lambda a: mp.log(1 + a * a)),
      ("sqrt1p_sq", lambda a: tnp.sqrt(1.0 + a * a), lambda a: mp.sqrt(1 + a * a)),
      ("softplus", tnp.softplus, lambda a: mp.log(1 + mp.exp(a))),
      ("cube", lambda a: a ** 3, lambda a: a ** 3)]
BIN = [("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
       ("div", lambda a, b: a / (1.5 + b * b))]


def _trees(depth):
    leaf = st.one_of(st.integers(0, 2).map(lambda i: ("x", i)),
                     st.floats(-1.5, 1.5).map(lambda c: ("c", c)))
    if depth == 0:
        return leaf
    sub = _trees(depth - 1)
    return st.one_of(leaf, st.tuples(st.just("u"), st.integers(0, len(UN) - 1), sub),
                     st.tuples(st.just("b"), st.integers(0, len(BIN) - 1), sub, sub))


def _eval(tree, xs, mpmode):
    kind = tree[0]
    if kind == "x":
        return xs[tree[1]]
    if kind == "c":
        return mp.mpf(tree[1]) if mpmode else tree[1]
    if kind == "u":
        row = UN[tree[1]]
        return (row[2] if mpmode else row[1])(_eval(tree[2], xs, mpmode))
    return BIN[tree[1]][1](_eval(tree[2], xs, mpmode), _eval(tree[3], xs, mpmode))


def _program(tree):
    def f(x):
        y = _eval(tree, [x[0], x[1], x[2]], False)
        return tnp.sum(y + 0.0 * x[0])  # a scalar array even for a constant tree
    return f


def _mp_partials(tree, x, orders):
    with mp.workdps(30):
        return float(mp.diff(lambda a, b, c: _eval(tree, [a, b, c], True),
                             tuple(mp.mpf(float(t)) for t in x), orders))


@settings(max_examples=size(300, 5), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(tree=_trees(4), x=st.lists(st.floats(-1.2, 1.2), min_size=3, max_size=3),
       v=st.lists(st.floats(-1, 1), min_size=3, max_size=3))
def test_random_programs_every_transform(tree, x, v):
    x, v = np.array(x), np.array(v)
    f = _program(tree)
    unit = np.eye(3, dtype=int)
    grad_ref = np.array([_mp_partials(tree, x, tuple(unit[i])) for i in range(3)])
    hess_ref = np.array([[_mp_partials(tree, x, tuple(unit[i] + unit[j])) for j in range(3)]
                         for i in range(3)])
    with mp.workdps(30):
        pts = [(mp.mpf(float(a)), mp.mpf(float(b))) for a, b in zip(x, v)]
        ser = mp.taylor(lambda t: _eval(tree, [a + t * b for a, b in pts], True), 0, 3)
        der_ref = np.array([float(ser[k]) * math.factorial(k) for k in range(4)])
    scale = 1.0 + np.max(np.abs(hess_ref)) + np.max(np.abs(grad_ref))

    def close(got, want, s=scale):
        assert not R.escaped(got)
        np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=1e-8, atol=1e-9 * s)

    close(ta.grad(f)(x), grad_ref)
    close(ta.value_and_grad(f)(x)[1], grad_ref)
    close(ta.hvp(f, x, v), hess_ref @ v)
    close(ta.hessian(f)(x), hess_ref)
    ders = ta.derivatives(f, x, v, 3)
    close(np.array([float(d) for d in ders]), der_ref, 1.0 + np.max(np.abs(der_ref)))
    close(ta.jvp(f, (x,), (v,))[1], grad_ref @ v)
    close(ta.vjp(f, x)[1](np.float64(1.0))[0], grad_ref)
    g = ta.jit(ta.grad(f))
    close(g(x), grad_ref)
    close(g(x), grad_ref)  # the replay
    close(ta.grad(lambda y: tnp.sum(ta.grad(f)(y) * v))(x), hess_ref @ v)  # grad of grad
    close(ta.laplacian(f)(x), np.trace(hess_ref))
    close(ta.hessian_diag(f)(x), np.diag(hess_ref))
    close(ta.jacfwd(f)(x), grad_ref)
    close(ta.jacrev(f)(x), grad_ref)
    close(ta.jit(lambda y, w: ta.hvp(f, y, w))(x, v), hess_ref @ v)


# --- float32 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kernels", [True, False], ids=["kernels", "composed"])
@pytest.mark.parametrize("name", [r[0] for r in R.F32_UNARY + R.F32_BINARY])
def test_float32_all_points(name, kernels):
    row = {r[0]: r for r in R.F32_UNARY + R.F32_BINARY}[name]
    xs, vs = R.f32_inputs(name, 64, seed=1)
    with use_kernels(kernels):
        worst = R.f32_errors(row[1], row[2], xs, vs, K=4, points=size(64, 3))
    assert max(worst) <= R.F32_ULPS, worst
