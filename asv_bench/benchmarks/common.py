"""Shared pieces of the benchmark suite: base class, sizes, backend choice, seeded data, test functions.

Conventions (numpy's and scipy's suites, see shared/ASV.md):

* every data builder draws from ``np.random.default_rng(SEED + k)`` with a fixed ``k`` per builder:
  never change a seed or a builder's draw order, only append new builders, so that timings stay
  comparable across commits;
* large sizes run only with ``TAYLORAD_BENCH_FULL=1`` (scipy's XSLOW pattern) so that
  ``asv run --quick`` stays in seconds;
* a case that cannot run (an API missing at an old commit, a peer not installed, cupy without a
  GPU) raises ``NotImplementedError`` in ``setup``, which asv records as skipped.

The test functions are written once against an array namespace ``m`` (``taylorad.numpy``,
``jax.numpy``, ``autograd.numpy`` or ``torch``) so that every framework evaluates the same
expression.
"""
import functools
import importlib
import os

import numpy as np

SEED = 1234
FULL = os.environ.get("TAYLORAD_BENCH_FULL") == "1"
# set by tests/test_benchmarks_smoke.py: every case at a tiny size, to prove it runs
SMOKE = os.environ.get("TAYLORAD_BENCH_SMOKE") == "1"


class Benchmark:
    """Base class: shared asv attributes."""

    timeout = 120


def skip(reason):
    """Raise asv's 'skipped' signal (``NotImplementedError``) with a reason."""
    raise NotImplementedError(reason)


def require(module):
    """Import ``module`` or skip the benchmark (old commits, peers that are not installed)."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        skip(f"{module} is not importable: {e}")


def require_attr(module, name):
    """``module.name`` or skip: an API that has not landed at the benchmarked commit."""
    mod = require(module)
    if not hasattr(mod, name):
        skip(f"{module}.{name} does not exist at this commit")
    return getattr(mod, name)


def get_xp():
    """The array namespace: numpy, or cupy with ``TAYLORAD_BENCH_XP=cupy`` and a GPU."""
    name = os.environ.get("TAYLORAD_BENCH_XP", "numpy")
    if name == "numpy":
        return np
    if name != "cupy":
        skip(f"TAYLORAD_BENCH_XP={name!r} is not numpy or cupy")
    cp = require("cupy")
    try:
        if cp.cuda.runtime.getDeviceCount() < 1:
            skip("no CUDA device")
    except Exception as e:  # noqa: BLE001 - any CUDA runtime failure means: no GPU here
        skip(f"no usable CUDA device: {e}")
    return cp


def sync(xp):
    """Wait for the device (inside ``time_*`` methods on cupy; a no-op on numpy)."""
    if xp is not np:
        xp.cuda.Device().synchronize()


def to_xp(xp, a):
    return a if xp is np else xp.asarray(a)


def pick(default, full=None, smoke=None):
    """A size or parameter list: ``smoke`` under TAYLORAD_BENCH_SMOKE=1, ``full`` under
    TAYLORAD_BENCH_FULL=1, ``default`` otherwise (a missing choice falls back to ``default``)."""
    if SMOKE and smoke is not None:
        return smoke
    if FULL and full is not None:
        return full
    return default


def taylorad():
    """``(taylorad, taylorad.numpy)`` or skip (a commit where the package does not import)."""
    return require("taylorad"), require("taylorad.numpy")


def warm(fn, *args):
    """Call once outside the timing (first-call caches) and return the result."""
    return fn(*args)


# ---------------------------------------------------------------------------------------------
# seeded data (append only: the k in default_rng(SEED + k) is fixed per builder)


def _rng(k):
    return np.random.default_rng(SEED + k)


TINY_X = np.array([0.3, -0.8, 1.1])
TINY_V = np.array([1.0, 0.5, -0.2])


def mlp_shapes(widths):
    """[(in, out), ...] of a dense network with layer widths ``widths``."""
    return [(widths[i], widths[i + 1]) for i in range(len(widths) - 1)]


def mlp_nparams(widths):
    return sum(i * o + o for i, o in mlp_shapes(widths))


@functools.lru_cache(maxsize=None)
def mlp_data(widths, batch):
    """(theta, X, y, v): flat weights (W1, b1, W2, b2, …; W of shape (in, out)), inputs, targets
    and a direction for HVPs, all float64. MLP 64-256-256-256-1 has 148,481 weights."""
    rng = _rng(1)
    parts = []
    for i, o in mlp_shapes(widths):
        parts.append(rng.standard_normal((i, o)).ravel() / np.sqrt(i))
        parts.append(0.1 * rng.standard_normal(o))
    theta = np.concatenate(parts)
    X = rng.standard_normal((batch, widths[0]))
    y = rng.standard_normal(batch)
    v = rng.standard_normal(theta.size)
    return theta, X, y, v


@functools.lru_cache(maxsize=None)
def hessian_data(n):
    """(A, x) for f(x) = Σ tanh(A x)² + x·x/2."""
    rng = _rng(2)
    return rng.standard_normal((n, n)) / np.sqrt(n), rng.standard_normal(n)


@functools.lru_cache(maxsize=None)
def chain_data(n):
    """(x, v) for the elementwise chain, x in [-1, 1], v in [0.5, 1.5]."""
    rng = _rng(3)
    return rng.uniform(-1.0, 1.0, n), rng.uniform(0.5, 1.5, n)


@functools.lru_cache(maxsize=None)
def laplacian_data(widths, npoints):
    """(params, X): weights [(W, b), …] of a tanh MLP and the points, X of shape (npoints, d)."""
    rng = _rng(4)
    params = []
    for i, o in mlp_shapes(widths):
        params.append((rng.standard_normal((i, o)) / np.sqrt(i), 0.1 * rng.standard_normal(o)))
    return tuple(params), rng.standard_normal((npoints, widths[0]))


def rosen_x0(n):
    """(−1.2, 1, −1.2, 1, …): the classical start of the extended Rosenbrock function."""
    x0 = np.ones(n)
    x0[0::2] = -1.2
    return x0


# ---------------------------------------------------------------------------------------------
# the test functions, written once for any array namespace m


def tiny(m, x):
    """x₀x₁ + x₀² sin x₂ + exp(x₁x₂): per-call overhead (7 primitives)."""
    return x[0] * x[1] + x[0] ** 2 * m.sin(x[2]) + m.exp(x[1] * x[2])


def mlp_unflatten(m, theta, widths):
    out, o = [], 0
    for i, k in mlp_shapes(widths):
        out.append((m.reshape(theta[o:o + i * k], (i, k)), theta[o + i * k:o + i * k + k]))
        o += i * k + k
    return out


def mlp_forward(m, layers, X):
    """tanh hidden layers, linear output; X of shape (batch, d) -> (batch,)."""
    a = X
    for W, b in layers[:-1]:
        a = m.tanh(a @ W + b)
    W, b = layers[-1]
    return m.reshape(a @ W + b, (-1,))


def mlp_loss(m, theta, X, y, widths):
    """MSE loss of the MLP w.r.t. its flat weight vector."""
    r = mlp_forward(m, mlp_unflatten(m, theta, widths), X) - y
    return m.mean(r * r)


def hess_fun(m, A, x):
    """Σ tanh(A x)² + x·x/2."""
    t = m.tanh(A @ x)
    return m.sum(t * t) + 0.5 * m.sum(x * x)


def chain(m, x):
    """sin(exp(tanh x)·x) + log1p(x²), elementwise."""
    return m.sin(m.exp(m.tanh(x)) * x) + m.log1p(x * x)


def chain_nolog1p(m, x):
    """sin(exp(tanh x)·x) + log(1 + x²): the same chain with primitives every version has."""
    return m.sin(m.exp(m.tanh(x)) * x) + m.log(1.0 + x * x)


def rosen_ext(m, x):
    """Extended Rosenbrock Σᵢ 100 (x₂ᵢ − x₂ᵢ₋₁²)² + (1 − x₂ᵢ₋₁)² (independent pairs)."""
    a, b = x[0::2], x[1::2]
    d = b - a * a
    e = 1.0 - a
    return m.sum(100.0 * d * d + e * e)
