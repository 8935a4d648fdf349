"""The numba CPU kernels (taylorad/cpu): generated recurrences vs the composed NumPy rules and
50-digit mpmath, dispatch (when a kernel runs and when it must not), the jit recording, the
cos-from-sin companion, recycled buffers, and the library without numba."""
import math
import os
import subprocess
import sys
import textwrap

import mpmath
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.core import buffers
from taylorad.core.taylor import TaylorBox, TaylorTrace
from taylorad.cpu import calls, codegen, use_kernels

needs_numba = pytest.mark.skipif(not __import__("taylorad.cpu").cpu.available(),
                                 reason="numba is not installed (pip install 'taylorad[fast]')")

RNG = np.random.default_rng(11)


def _rel(got, ref):
    got, ref = np.asarray(got, np.float64), np.asarray(ref, np.float64)
    scale = np.max(np.abs(ref), axis=tuple(range(1, ref.ndim)), keepdims=True)
    return float(np.max(np.abs(got - ref) / np.where(scale == 0, 1.0, scale)))


# --- the generated source (no numba needed) ---------------------------------------------------

@pytest.mark.parametrize("K", [1, 2, 5, 16])
def test_generated_source_compiles_for_every_rule(K):
    for name in codegen.UNARY:
        for d in sorted({1, K}):
            compile(codegen.source("unary", name, K, (d,)), name, "exec")
    for da, db in [(K, K), (1, K), (K, 1)]:
        compile(codegen.source("multiply", "", K, (da, db)), "mul", "exec")
        compile(codegen.source("divide", "", K, (da, db)), "div", "exec")
    compile(codegen.source("divide", "", K, (0, K)), "div", "exec")
    for ip in (0, 1, 3, 64):
        compile(codegen.source("power", "", K, (K,), ip), "pow", "exec")


def test_known_zero_coefficients_are_left_out_of_the_source():
    full = codegen.source("unary", "exp", 8, (8,))
    seed = codegen.source("unary", "exp", 8, (1,))
    assert "xs[7, bi, i]" in full and "xs[1, bi, i]" not in seed
    assert seed.count("*") < full.count("*") / 2  # the terms with x₂..x₈ are gone
    with pytest.raises(ValueError, match="no kernel for 'erf'"):
        codegen.source("unary", "erf", 3, (3,))


# --- kernels vs composed rules ----------------------------------------------------------------

UNARY_DOMAIN = {"log": (0.2, 2.0), "log1p": (-0.5, 2.0), "sqrt": (0.2, 2.0),
                "reciprocal": (0.3, 2.0), "tan": (-1.2, 1.2)}


def _taylor(prim_call, K, batch, primals, series):
    """(ans, series) of prim_call(*boxes) in a Taylor trace of order K (None: a constant)."""
    tr = TaylorTrace(K, batch)
    with tr:
        args = [p if S is None else TaylorBox(p, S, tr) for p, S in zip(primals, series)]
        out = prim_call(*args)
    return out._primal, out._series


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("name", codegen.UNARY)
def test_unary_kernel_equals_composed_rule(name, dtype):
    lo, hi = UNARY_DOMAIN.get(name, (-2.5, 2.5))
    prim = getattr(tnp, name)
    for K, d, batch in [(2, 1, ()), (2, 2, ()), (3, 3, (2,)), (5, 1, (3,)), (8, 8, ())]:
        m = 700
        x0 = RNG.uniform(lo, hi, m).astype(dtype)
        S = RNG.uniform(-0.5, 0.5, (d, *batch, m)).astype(dtype)
        before = calls[name]
        _, got = _taylor(prim, K, batch, [x0], [S])
        assert calls[name] == before + 1, "the kernel did not run"
        with use_kernels(False):
            _, ref = _taylor(prim, K, batch, [x0], [S])
        assert calls[name] == before + 1
        assert got.dtype == dtype and got.shape == ref.shape == (K, *batch, m)
        assert _rel(got, ref) <= (1e-13 if dtype == np.float64 else 2e-5), (K, d, batch)


@needs_numba
@pytest.mark.parametrize("case", ["multiply", "divide", "divide-const", "power:3", "power:2.5",
                                  "power:-1.5", "power:64"])
def test_binary_and_power_kernels_equal_composed_rule(case):
    for K, (da, db), batch in [(2, (1, 2), ()), (4, (4, 1), (2,)), (8, (8, 8), ())]:
        m = 500
        a0, b0 = RNG.uniform(0.5, 1.5, m), RNG.uniform(0.5, 1.5, m)
        if case == "power:64":
            a0 = RNG.uniform(0.9, 1.05, m)
        Sa = RNG.uniform(-0.3, 0.3, (da, *batch, m))
        Sb = RNG.uniform(-0.3, 0.3, (db, *batch, m))
        if case.startswith("power"):
            p = float(case.split(":")[1])
            fn, primals, series, key = (lambda a: tnp.power(a, p)), [a0], [Sa], "power"
        elif case == "divide-const":
            fn, primals, series, key = tnp.divide, [a0, b0], [None, Sb], "divide"
        else:
            fn, primals, series, key = getattr(tnp, case), [a0, b0], [Sa, Sb], case
        before = calls[key]
        _, got = _taylor(fn, K, batch, primals, series)
        assert calls[key] == before + 1
        with use_kernels(False):
            _, ref = _taylor(fn, K, batch, primals, series)
        assert _rel(got, ref) <= 1e-13, (case, K)


@needs_numba
def test_integer_power_kernel_is_exact_at_zero():
    x0 = np.zeros(400)
    S = np.zeros((3, 400))
    S[0] = 1.0  # x(t) = t  ⇒  x(t)³ = t³
    _, got = _taylor(lambda a: tnp.power(a, 3.0), 5, (), [x0], [S])
    np.testing.assert_array_equal(got[2], 1.0)
    np.testing.assert_array_equal(np.delete(got, 2, axis=0), 0.0)


def _mp_chain(u):
    return mpmath.sin(mpmath.exp(mpmath.tanh(u)) * u) + mpmath.log(1 + u * u) \
        + mpmath.sqrt(2 + u) / (1 + mpmath.exp(-u)) + mpmath.cos(u) ** 3


@needs_numba
def test_derivatives_through_kernels_vs_mpmath():
    """Order 8 of a chain of kernel rules (sin, exp, tanh, log1p, sqrt, sigmoid, cos, power,
    multiply, divide) at 300 points against 50-digit mpmath."""
    x = np.linspace(-1.5, 2.5, 300)
    v = np.ones_like(x)

    def f(a):
        return (tnp.sin(tnp.exp(tnp.tanh(a)) * a) + tnp.log1p(a * a)
                + tnp.sqrt(2.0 + a) * tnp.sigmoid(a) + tnp.power(tnp.cos(a), 3.0))

    before = sum(calls.values())
    ds = ta.derivatives(f, x, v, 8)
    assert sum(calls.values()) - before >= 10
    for i in range(0, 300, 37):
        with mpmath.workdps(50):
            ref = [float(r) for r in mpmath.diffs(_mp_chain, mpmath.mpf(float(x[i])), 8)]
        for k in range(9):
            assert float(ds[k][i]) == pytest.approx(ref[k], rel=1e-10, abs=1e-10 * abs(ref[0]) + 1e-12)


# --- dispatch ---------------------------------------------------------------------------------

@needs_numba
def test_kernels_do_not_run_where_they_must_not():
    x = RNG.uniform(0.2, 0.8, 400)
    v = np.ones_like(x)
    total = lambda: sum(calls.values())  # noqa: E731

    def ran(fn, *args):
        before = total()
        fn(*args)
        return total() > before

    assert ran(lambda: ta.derivatives(tnp.exp, x, v, 3))
    assert not ran(lambda: ta.derivatives(tnp.exp, x, v, 1))  # K = 1: one multiply
    assert not ran(lambda: ta.derivatives(tnp.exp, x[:20], v[:20], 3))  # too small to pay
    ta.derivatives(tnp.erf, x, v, 3)  # no kernel of its own (its rule uses exp's)
    assert calls["erf"] == 0
    assert not ran(lambda: ta.derivatives(lambda a: tnp.exp(a.astype(np.complex128)), x, v, 3))
    with use_kernels(False):
        assert not ran(lambda: ta.derivatives(tnp.exp, x, v, 3))
    # broadcasting operands: the composed rule
    assert not ran(lambda: ta.derivatives(lambda a: tnp.reshape(a, (20, 20)) * tnp.reshape(a, (20, 20))[0],
                                          x, v, 3))
    # a user primitive that reuses a kernel's name keeps its own rule
    from taylorad.core.rules import defunary  # noqa: PLC0415
    from taylorad.core.trace import Primitive  # noqa: PLC0415

    fake = Primitive("exp", lambda a: 2.0 * a)
    defunary(fake, lambda ans, a: 2.0 + 0.0 * a, lambda tr, xs, y0: [None] * tr.K)
    out = ta.derivatives(fake, x, v, 3)
    np.testing.assert_array_equal(out[1], 0.0)  # its own (deliberately odd) rule ran


def test_use_kernels_rejects_non_bool():
    with pytest.raises(TypeError, match="taylorad.cpu.use_kernels: enabled must be True or False"):
        use_kernels("no")


@needs_numba
def test_jit_records_one_kernel_call_and_replays_it():
    x = RNG.uniform(-1, 1, 5000)
    v = np.ones_like(x)
    f = lambda a: tnp.tanh(tnp.exp(a) * a)  # noqa: E731
    d = ta.jit(lambda a, b: ta.derivatives(f, a, b, 4))
    first = d(x, v)
    before = dict(calls)
    again = d(x + 0.0, v)  # a replay (new inputs: verified against eager once)
    third = d(x * 0.5, v)
    assert calls["tanh"] >= before.get("tanh", 0) + 2 and calls["multiply"] > before.get("multiply", 0)
    for got, ref in zip(first, again):
        np.testing.assert_array_equal(got, ref)
    with use_kernels(False):
        ref = ta.derivatives(f, x * 0.5, v, 4)
    for got, r in zip(third, ref):
        np.testing.assert_allclose(got, r, rtol=1e-13, atol=1e-14)


@needs_numba
def test_a_failing_kernel_warns_once_and_falls_back(monkeypatch):
    from taylorad.cpu import dispatch, kernels  # noqa: PLC0415

    def broken(*a, **k):
        raise RuntimeError("simulated compiler failure")

    monkeypatch.setattr(kernels, "get", broken)
    x = RNG.uniform(-1, 1, 600)
    with use_kernels(False):
        ref = ta.derivatives(tnp.sin, x, np.ones_like(x), 3)
    try:
        with pytest.warns(RuntimeWarning, match="numba kernel for 'sin' failed.*composed NumPy"):
            got = ta.derivatives(tnp.sin, x, np.ones_like(x), 3)
        for g, r in zip(got, ref):
            np.testing.assert_allclose(g, r, rtol=1e-14)
        assert not dispatch.available() or dispatch._state["broken"]
    finally:
        dispatch._state["broken"], dispatch._state["kernels"] = False, None


# --- the companion cos x₀ (sin x₀) of the sine's (cosine's) rule ------------------------------

def _ulps(got, exact):
    """|got − exact| in units of the last place of exact (exact: mpmath numbers)."""
    out = []
    for g, e in zip(got, exact):
        fe = float(e)
        out.append(float(abs(mpmath.mpf(float(g)) - e)) / np.spacing(abs(fe)) if fe else
                   (0.0 if g == 0 else np.inf))
    return np.array(out)


@needs_numba
@pytest.mark.parametrize("cosine", [True, False], ids=["cos", "sin"])
def test_companion_is_within_two_ulp_of_mpmath(cosine):
    """Vectorized sin/cos (Cody–Waite reduction + polynomials) against 50-digit mpmath: random
    arguments over several scales, and the hardest ones for the reduction — next to multiples
    of π/2 up to the edge of its range (k = 2²⁰), where cos or sin is tiny."""
    from taylorad.cpu import kernels  # noqa: PLC0415

    mpmath.mp.dps = 50
    k = np.concatenate([np.arange(-12, 13), [1000, -4097, 65535, 1048575, 1048576, 3e6]])
    near = [float(mpmath.mpf(int(j)) * mpmath.pi / 2) for j in k]  # the double nearest kπ/2
    near = np.concatenate([near, np.nextafter(near, np.inf), np.nextafter(near, -np.inf),
                           np.array(near) * (1 + 1e-9)])
    x = np.concatenate([RNG.uniform(-4, 4, 600), RNG.uniform(-1e4, 1e4, 300),
                        RNG.uniform(-2e6, 2e6, 200), 10.0 ** RNG.uniform(-300, -5, 50), near,
                        [0.5, 1e-310, 2.0 ** 19 * np.pi]])
    x = np.concatenate([x, -x])
    out = kernels.companion(x, cosine, np.empty_like(x), np.empty(x.size, np.bool_))
    f = mpmath.cos if cosine else mpmath.sin
    err = _ulps(out, [f(mpmath.mpf(float(v))) for v in x])
    assert err.max() <= 2.0, (err.max(), x[np.argmax(err)])


@needs_numba
@pytest.mark.parametrize("cosine", [True, False], ids=["cos", "sin"])
def test_companion_specials_and_libm_range(cosine):
    from taylorad.cpu import kernels  # noqa: PLC0415

    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e20, -3e9, 7e7, 5e-324])
    out = kernels.companion(x, cosine, np.empty_like(x), np.empty(x.size, np.bool_))
    with np.errstate(invalid="ignore"):
        ref = np.cos(x) if cosine else np.sin(x)
    np.testing.assert_array_equal(out, ref)  # ±0 keep their sign; beyond 2²⁰·π/2: libm itself
    np.testing.assert_array_equal(np.signbit(out), np.signbit(ref))
    # float32 arguments: computed in float64, rounded once
    x32 = RNG.uniform(-50, 50, 1000).astype(np.float32)
    out32 = kernels.companion(x32, cosine, np.empty_like(x32), np.empty(x32.size, np.bool_))
    ref32 = (np.cos if cosine else np.sin)(x32.astype(np.float64)).astype(np.float32)
    assert np.max(np.abs(out32 - ref32) / np.spacing(np.abs(ref32))) <= 1.0


# --- recycled buffers -------------------------------------------------------------------------

def test_buffers_recycle_only_what_nobody_holds():
    shape = (3, 200_000)  # 4.8 MB
    a = buffers.empty(shape, np.float64)
    a[...] = 1.0
    b = buffers.empty(shape, np.float64)
    assert not np.shares_memory(a, b)  # a is alive: never handed out again
    view = a[1]
    del a
    c = buffers.empty(shape, np.float64)
    assert not np.shares_memory(c, view)  # a view keeps its buffer alive
    del view, b, c
    d = buffers.empty(shape, np.float64)
    e = buffers.empty((600_000,), np.float64)
    assert not np.shares_memory(d, e)
    small = buffers.empty((10,), np.float64)
    assert small.base is None  # small arrays come straight from NumPy
    buffers.release()


@needs_numba
def test_results_held_by_the_caller_are_never_overwritten():
    x = RNG.uniform(-1, 1, 200_000)
    v = np.ones_like(x)
    first = ta.derivatives(tnp.tanh, x, v, 4)
    kept = [np.array(d) for d in first]
    for _ in range(3):  # later calls recycle only buffers nobody holds
        ta.derivatives(tnp.tanh, x * 0.3, v, 4)
    for got, ref in zip(first, kept):
        np.testing.assert_array_equal(got, ref)


# --- without numba ----------------------------------------------------------------------------

def test_library_works_without_numba():
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "numba" or name.startswith("numba."):
                    raise ImportError("blocked by the test")
        sys.meta_path.insert(0, Block())
        import numpy as np, taylorad as ta, taylorad.numpy as tnp, taylorad.cpu as cpu
        x = np.linspace(-1, 1, 3000)
        ds = ta.derivatives(lambda a: tnp.sin(tnp.exp(a)), x, np.ones_like(x), 3)
        print("AVAILABLE", cpu.available(), "CALLS", sum(cpu.calls.values()))
        print("D1", float(ds[1][0]))
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "AVAILABLE False CALLS 0" in res.stdout
    d1 = float(res.stdout.split("D1")[1])
    assert d1 == pytest.approx(math.cos(math.exp(-1.0)) * math.exp(-1.0), rel=1e-14)


def test_environment_switch_turns_kernels_off():
    code = ("import numpy as np, taylorad as ta, taylorad.numpy as tnp, taylorad.cpu as cpu\n"
            "x = np.linspace(-1, 1, 3000)\n"
            "ta.derivatives(tnp.exp, x, np.ones_like(x), 3)\n"
            "print('CALLS', sum(cpu.calls.values()))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "TAYLORAD_NUMBA": "0"})
    assert res.returncode == 0, res.stderr
    assert "CALLS 0" in res.stdout


@needs_numba
def test_kernels_compile_in_memory_when_the_cache_cannot_be_written(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    code = ("import numpy as np, taylorad as ta, taylorad.numpy as tnp, taylorad.cpu as cpu\n"
            "x = np.linspace(-1, 1, 3000)\n"
            "d = ta.derivatives(tnp.exp, x, np.ones_like(x), 3)\n"
            "print('CALLS', sum(cpu.calls.values()), 'OK', bool(np.allclose(d[3], np.exp(x))))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ,
                              "TAYLORAD_KERNEL_CACHE": str(blocked / "cache")})
    assert res.returncode == 0, res.stderr
    assert "CALLS 1 OK True" in res.stdout


def test_buffers_hand_out_the_most_recently_used_idle_buffer():
    """The buffer most likely still in the CPU's caches is reused first."""
    shape = (200_000,)
    a = buffers.empty(shape, np.float64)
    b = buffers.empty(shape, np.float64)
    pa, pb = a.ctypes.data, b.ctypes.data
    del b, a  # both idle; b was handed out last
    c = buffers.empty(shape, np.float64)
    assert c.ctypes.data == pb
    d = buffers.empty(shape, np.float64)
    assert d.ctypes.data == pa
    del c
    e = buffers.empty(shape, np.float64)  # c's buffer again, not a third one
    assert e.ctypes.data == pb
    buffers.release()


@pytest.mark.skipif(not sys.platform.startswith("linux") or
                    "glibc" not in " ".join(__import__("platform").libc_ver()),
                    reason="glibc's malloc thresholds")
def test_small_temporaries_are_not_page_faulted_again_on_every_call():
    """An eager HVP whose arrays are all below 128 KiB reuses its heap from call to call
    (buffers._settle_malloc): after warm-up, almost no page faults per call (154 without)."""
    code = textwrap.dedent("""
        import resource, numpy as np, taylorad as ta, taylorad.numpy as tnp
        x = np.ones(10000); x[0::2] = -1.2
        def f(x):
            a, b = x[0::2], x[1::2]
            d = b - a * a
            return tnp.sum(100.0 * d * d + (1.0 - a) ** 2)
        for _ in range(10):
            ta.hvp(f, x, x)
        r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(50):
            ta.hvp(f, x, x)
        print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0) / 50)
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout
    assert float(out) < 10, out
