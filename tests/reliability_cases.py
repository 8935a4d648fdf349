"""Shared cases of the reliability tests (tests/test_reliability.py, quick, default run) and the
stress suite (tests/stress/, ``-m stress``): closed-form references, long programs, the float32
table against mpmath. Sizes are arguments, so that each suite picks its own."""
import math
import threading

import mpmath as mp
import numpy as np

import taylorad as ta
import taylorad.numpy as tnp
import taylorad.scipy.special as tss
from taylorad.core import buffers
from taylorad.core.trace import STATE, Box

# ---------------------------------------------------------------------------------------------
# several transforms, each with its closed form (a is a per-call parameter, closed over)


def _grad_case(a, x, v):
    return ta.grad(lambda x: tnp.sum(tnp.sin(a * x)))(x), a * np.cos(a * x)


def _hvp_case(a, x, v):
    return ta.hvp(lambda x: tnp.sum(tnp.exp(a * x)), x, v), a * a * np.exp(a * x) * v


def _derivatives_case(a, x, v):
    return (ta.derivatives(lambda x: tnp.sin(a * x), x, v, 4)[4],
            (a * v) ** 4 * np.sin(a * x))


def _hessian_case(a, x, v):
    return ta.hessian(lambda x: a * tnp.sum(x ** 3))(x), np.diag(6 * a * x)


def _grad_grad_case(a, x, v):  # forward over reverse: d/dx Σ (d/dx a·x³)² = 36 a² x³
    inner = ta.grad(lambda x: a * tnp.sum(x ** 3))
    return ta.grad(lambda x: tnp.sum(inner(x) ** 2))(x), 36 * a * a * x ** 3


_JITTED = ta.jit(lambda a, x: ta.grad(lambda x: tnp.sum(tnp.tanh(a * x)))(x))


def _jit_case(a, x, v):
    return _JITTED(np.array(a), x), a / np.cosh(a * x) ** 2


def _laplacian_case(a, x, v):  # Δ Σ sin(a x) = −a² Σ sin(a x)
    return (ta.laplacian(lambda x: tnp.sum(tnp.sin(a * x)))(x),
            -a * a * np.sum(np.sin(a * x)))


def _minimize_case(a, x, v):  # argmin Σ a (y − x)² + (y − x)⁴ = x
    from taylorad.optimize import minimize  # noqa: PLC0415

    res = minimize(lambda y: tnp.sum(a * (y - x) ** 2 + (y - x) ** 4), np.zeros_like(x),
                   method="trust-krylov", options={"gtol": 1e-12})
    return res.x, x


CASES = [_grad_case, _hvp_case, _derivatives_case, _hessian_case, _grad_grad_case, _jit_case,
         _laplacian_case, _minimize_case]


def escaped(tree):
    """Whether a traced value is anywhere in ``tree`` (tuples, lists, dicts)."""
    if isinstance(tree, Box):
        return True
    if isinstance(tree, (tuple, list)):
        return any(escaped(t) for t in tree)
    if isinstance(tree, dict):
        return any(escaped(t) for t in tree.values())
    return False


def worker(seed, calls, cases=CASES, barrier=None):
    """``calls`` transforms of random parameters; returns a list of failures (empty: all right)."""
    rng = np.random.default_rng(seed)
    if barrier is not None:
        barrier.wait()
    bad = []
    for i in range(calls):
        a = float(rng.uniform(0.5, 1.5))
        x, v = rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 5)
        case = cases[(seed + i) % len(cases)]
        got, want = case(a, x, v)
        if escaped(got):
            bad.append((case.__name__, "a traced value escaped"))
        elif not np.allclose(got, want, rtol=1e-10, atol=1e-10):
            bad.append((case.__name__, np.max(np.abs(np.asarray(got) - want))))
    if STATE.active:
        bad.append(("trace stack", list(STATE.active)))
    return bad


def run_threads(n_threads, calls, cases=CASES):
    """``n_threads`` threads started together, each running ``worker``; every failure."""
    barrier = threading.Barrier(n_threads)
    results = [None] * n_threads

    def run(k):
        try:
            results[k] = worker(k, calls, cases, barrier)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            results[k] = [("exception", repr(exc))]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [b for r in results for b in r]


# ---------------------------------------------------------------------------------------------
# long programs: a chain of elementwise operations whose composition is the identity, so every
# derivative has a closed form, while each step has nonzero higher-order Taylor coefficients

_STEPS = [tnp.exp, tnp.log, lambda x: x * 1.25, tnp.tanh, tnp.arctanh, lambda x: x * 0.8,
          lambda x: x + 0.125, lambda x: x - 0.125, tnp.sinh, tnp.arcsinh]


def chain(x, n):
    """n elementwise operations (n a multiple of 10: the identity map)."""
    for i in range(n):
        x = _STEPS[i % 10](x)
    return x


LONG_X = np.array([0.3, 0.7])
LONG_V = np.array([1.0, -0.5])


def long_grad(n):
    return ta.grad(lambda x: tnp.sum(tnp.sin(chain(x, n))))(LONG_X), np.cos(LONG_X)


def long_hvp(n):
    return (ta.hvp(lambda x: tnp.sum(tnp.sin(chain(x, n))), LONG_X, LONG_V),
            -np.sin(LONG_X) * LONG_V)


def long_derivatives(n):
    return (ta.derivatives(lambda x: tnp.sin(chain(x, n)), LONG_X, LONG_V, 4)[4],
            np.sin(LONG_X) * LONG_V ** 4)


def long_jit(n):
    g = ta.jit(ta.grad(lambda x: tnp.sum(tnp.sin(chain(x, n)))))
    g(LONG_X)  # records
    y = LONG_X + 0.05
    return g(y), np.cos(y)  # a replay with new inputs (verified against eager once)


def long_vjp(n):  # the pullback keeps the whole tape alive until it is dropped
    out, pull = ta.vjp(lambda x: chain(x, n), LONG_X)
    return pull(np.array([1.0, -2.0]))[0], np.array([1.0, -2.0])


def long_jvp(n):
    return ta.jvp(lambda x: chain(x, n), (LONG_X,), (LONG_V,))[1], LONG_V


def long_error(n):
    """An error after n traced operations: the long tape goes away with the traceback."""
    def f(x):
        chain(x, n)
        raise ArithmeticError("late")
    try:
        ta.grad(f)(LONG_X)
    except ArithmeticError:
        pass
    return ta.grad(lambda x: tnp.sum(tnp.sin(x)))(LONG_X), np.cos(LONG_X)


LONG = {"grad": long_grad, "hvp": long_hvp, "derivatives": long_derivatives, "jit": long_jit,
        "vjp": long_vjp, "jvp": long_jvp, "error": long_error}


# ---------------------------------------------------------------------------------------------
# bounded memory


def memory_growth(call, n, warm=100, traced=2000):
    """(bytes tracemalloc still counts after the last min(n, traced) calls, RSS growth in bytes
    over all ``n`` calls, None without psutil). tracemalloc slows every allocation down several times, so it watches
    only the last calls; RSS watches them all."""
    import gc  # noqa: PLC0415
    import tracemalloc  # noqa: PLC0415

    try:
        import psutil  # noqa: PLC0415 - in the test extra; the quick tests need only tracemalloc

        def rss():
            return psutil.Process().memory_info().rss
    except ImportError:
        def rss():
            return None

    for i in range(warm):
        call(i)
    gc.collect()
    rss0 = rss()
    m = min(n, traced)
    for i in range(n - m):
        call(i)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for i in range(n - m, n):
            call(i)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    rss1 = rss()
    return grown, None if rss0 is None else rss1 - rss0


def memory_calls():
    def f(x):
        return tnp.sum(tnp.sin(x) * tnp.exp(x) + x ** 3)

    x, v = np.linspace(-1, 1, 50), np.ones(50)
    g, jg = ta.grad(f), ta.jit(ta.grad(f))
    return {"grad": lambda i: g(x + i * 1e-9),
            "hvp": lambda i: ta.hvp(f, x + i * 1e-9, v),
            "derivatives": lambda i: ta.derivatives(lambda x: tnp.sin(x) * tnp.exp(x),
                                                    x + i * 1e-9, v, 4),
            "jit": lambda i: jg(x + i * 1e-9)}


def clean_state():
    """Nothing left behind: no open trace in this thread, no pooled buffer checked out."""
    import gc  # noqa: PLC0415

    gc.collect()
    return not STATE.active and buffers.in_use() == 0


# ---------------------------------------------------------------------------------------------
# float32 accuracy of every elementwise primitive against mpmath


def _mp_sigmoid(x):
    return 1 / (1 + mp.exp(-x))


F32_UNARY = [
    ("negative", tnp.negative, lambda x: -x, (-2, 2)),
    ("square", tnp.square, lambda x: x * x, (-2, 2)),
    ("sqrt", tnp.sqrt, mp.sqrt, (0.3, 3)), ("exp", tnp.exp, mp.exp, (-2, 2)),
    ("log", tnp.log, mp.log, (0.3, 3)), ("sin", tnp.sin, mp.sin, (-3, 3)),
    ("cos", tnp.cos, mp.cos, (-3, 3)), ("tan", tnp.tan, mp.tan, (-1.2, 1.2)),
    ("sinh", tnp.sinh, mp.sinh, (-2, 2)), ("cosh", tnp.cosh, mp.cosh, (-2, 2)),
    ("tanh", tnp.tanh, mp.tanh, (-2, 2)), ("arctanh", tnp.arctanh, mp.atanh, (-0.8, 0.8)),
    ("sigmoid", tnp.sigmoid, _mp_sigmoid, (-3, 3)), ("abs", tnp.abs, mp.fabs, (0.2, 2)),
    ("power_int", lambda x: x ** 3, lambda x: x ** 3, (-2, 2)),
    ("power_frac", lambda x: x ** 2.5, lambda x: x ** mp.mpf(2.5), (0.3, 3)),
    ("power_neg", lambda x: x ** -1.5, lambda x: x ** mp.mpf(-1.5), (0.3, 3)),
    ("reciprocal", tnp.reciprocal, lambda x: 1 / x, (0.5, 2)),
    ("arcsin", tnp.arcsin, mp.asin, (-0.8, 0.8)), ("arccos", tnp.arccos, mp.acos, (-0.8, 0.8)),
    ("arctan", tnp.arctan, mp.atan, (-2, 2)), ("arcsinh", tnp.arcsinh, mp.asinh, (-2, 2)),
    ("arccosh", tnp.arccosh, mp.acosh, (1.3, 3)), ("log1p", tnp.log1p, mp.log1p, (-0.5, 2)),
    ("expm1", tnp.expm1, mp.expm1, (-2, 2)), ("log2", tnp.log2, lambda x: mp.log(x, 2), (0.3, 3)),
    ("log10", tnp.log10, mp.log10, (0.3, 3)),
    ("exp2", tnp.exp2, lambda x: mp.mpf(2) ** x, (-2, 2)),
    ("cbrt", tnp.cbrt, mp.cbrt, (0.3, 3)),
    ("softplus", tnp.softplus, lambda x: mp.log1p(mp.exp(x)), (-2, 2)),
    ("erf", tnp.erf, mp.erf, (-2, 2)), ("erfc", tnp.erfc, mp.erfc, (-1, 2)),
    ("logit", tss.logit, lambda x: mp.log(x / (1 - x)), (0.2, 0.8)),
]
F32_BINARY = [
    ("add", tnp.add, lambda a, b: a + b), ("subtract", tnp.subtract, lambda a, b: a - b),
    ("multiply", tnp.multiply, lambda a, b: a * b), ("divide", tnp.divide, lambda a, b: a / b),
    ("power", tnp.power, lambda a, b: a ** b), ("arctan2", tnp.arctan2, mp.atan2),
    ("hypot", tnp.hypot, mp.hypot),
    ("logaddexp", tnp.logaddexp, lambda a, b: mp.log(mp.exp(a) + mp.exp(b))),
]
F32_ULPS = 8  # the bound tested: |error| ≤ F32_ULPS · (1 + κ) float32 ulps of the exact value
F32_COND_MAX = 50  # points whose derivative has a condition number κ above this are skipped
EPS32 = 2.0 ** -23


def f32_inputs(name, n, seed=0):
    """(xs, vs) float32 sample points (binary: both arguments and both directions vary)."""
    rng = np.random.default_rng([seed, sum(map(ord, name))])
    unary = {r[0]: r for r in F32_UNARY}
    if name in unary:
        lo, hi = unary[name][3]
        return [rng.uniform(lo, hi, n).astype(np.float32)], [np.ones(n, np.float32)]
    a, b = (rng.uniform(0.5, 2, n).astype(np.float32) for _ in range(2))
    va, vb = (rng.uniform(-1, 1, n).astype(np.float32) for _ in range(2))
    return [a, b], [va, vb]


def f32_errors(f, f_mp, xs, vs, K=4, points=None):
    """Worst error of d^k/dt^k f(x + t·v), k = 1..K, in float32 ulps divided by (1 + κ_k).

    κ_k is the condition number of the k-th derivative with respect to relative perturbations
    of every input and direction (Σ |z ∂d_k/∂z| / |d_k|), from 50-digit mpmath; an algorithm
    that is exact up to an ulp of its inputs and of each primal value errs by about (1 + κ)
    ulps. Points with κ_k > F32_COND_MAX (near a zero of d_k) are left out."""
    out = ta.derivatives(lambda a: f(*a), tuple(xs), tuple(vs), K)
    assert all(o.dtype == np.float32 for o in out), [o.dtype for o in out]
    worst = [0.0] * (K + 1)
    n = xs[0].size
    idx = range(n) if points is None else np.linspace(0, n - 1, points).astype(int)

    def dk(pts):
        ref = mp.taylor(lambda t: f_mp(*[x + t * v for x, v in pts]), 0, K)
        return [ref[k] * math.factorial(k) for k in range(K + 1)]

    with mp.workdps(50):
        for i in idx:
            pts = [(mp.mpf(float(x[i])), mp.mpf(float(v[i]))) for x, v in zip(xs, vs)]
            exact = dk(pts)
            kappa = [mp.mpf(0)] * (K + 1)
            for j in range(len(pts)):
                for which in (0, 1):
                    z = pts[j][which]
                    if z == 0:
                        continue
                    h = mp.mpf(10) ** -20 * abs(z)

                    def bumped(s, j=j, which=which):
                        p = [list(q) for q in pts]
                        p[j][which] += s
                        return dk(p)

                    up, dn = bumped(h), bumped(-h)
                    for k in range(K + 1):
                        kappa[k] += abs(z * (up[k] - dn[k]) / (2 * h))
            for k in range(1, K + 1):
                if exact[k] == 0:  # (a polynomial's high orders): zero to rounding of the others
                    scale = max(abs(float(e)) for e in exact)
                    assert abs(float(out[k][i])) <= F32_ULPS * EPS32 * scale, (k, i, out[k][i])
                    continue
                cond = 1 + float(kappa[k] / abs(exact[k]))
                if cond > F32_COND_MAX:
                    continue
                err = abs(float(out[k][i]) - float(exact[k])) / (abs(float(exact[k])) * EPS32)
                worst[k] = max(worst[k], err / cond)
    return worst[1:]
