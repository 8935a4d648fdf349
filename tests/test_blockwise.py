"""The blockwise fast path for Taylor recurrences on large concrete NumPy arrays
(taylorad.core.coeffs) must agree with the list path used for small arrays, and with mpmath."""
import math

import mpmath
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.core import coeffs

N = (1 << 16) + 37  # above the fast-path threshold, not a multiple of the block size
RNG = np.random.default_rng(7)

UNARY = [
    ("exp", tnp.exp, mpmath.exp, (-1, 1)), ("log", tnp.log, mpmath.log, (0.5, 2)),
    ("sin", tnp.sin, mpmath.sin, (-2, 2)), ("cos", tnp.cos, mpmath.cos, (-2, 2)),
    ("tan", tnp.tan, mpmath.tan, (-1, 1)), ("tanh", tnp.tanh, mpmath.tanh, (-2, 2)),
    ("sinh", tnp.sinh, mpmath.sinh, (-1, 1)), ("cosh", tnp.cosh, mpmath.cosh, (-1, 1)),
    ("sigmoid", tnp.sigmoid, lambda x: 1 / (1 + mpmath.exp(-x)), (-2, 2)),
    ("arctanh", tnp.arctanh, mpmath.atanh, (-0.5, 0.5)), ("sqrt", tnp.sqrt, mpmath.sqrt, (0.5, 2)),
    ("log1p", tnp.log1p, mpmath.log1p, (-0.5, 1)), ("expm1", tnp.expm1, mpmath.expm1, (-1, 1)),
    ("arcsin", tnp.arcsin, mpmath.asin, (-0.5, 0.5)), ("square", tnp.square, lambda x: x * x, (-2, 2)),
]


def _small_path(f, x, v, K):
    """The same derivatives computed piecewise on slices below the threshold (list path)."""
    parts = [ta.derivatives(f, x[i:i + 1000], v[i:i + 1000], K) for i in range(0, x.size, 1000)]
    return [np.concatenate([p[k] for p in parts]) for k in range(K + 1)]


@pytest.mark.parametrize("name,f,fm,dom", UNARY, ids=[u[0] for u in UNARY])
def test_blockwise_unary_matches_list_path_and_mpmath(name, f, fm, dom):
    K = 6
    x = RNG.uniform(*dom, N)
    v = RNG.uniform(-1, 1, N)
    big = ta.derivatives(f, x, v, K)
    small = _small_path(f, x, v, K)
    for k in range(K + 1):
        np.testing.assert_allclose(big[k], small[k], rtol=1e-12, atol=1e-12)
    for i in (0, N // 2, N - 1):
        with mpmath.workdps(40):
            ref = mpmath.taylor(lambda t: fm(mpmath.mpf(x[i]) + t * mpmath.mpf(v[i])), 0, K)
        for k in range(K + 1):
            assert math.isclose(big[k][i] / math.factorial(k), float(ref[k]), rel_tol=1e-10,
                                abs_tol=1e-12)


def test_blockwise_binary_products_and_chain():
    K = 8
    x = RNG.uniform(-1, 1, N)
    v = np.ones(N)

    def f(x):
        return tnp.sin(tnp.exp(tnp.tanh(x)) * x) + tnp.log1p(x * x)

    big = ta.derivatives(f, x, v, K)
    small = _small_path(f, x, v, K)
    for k in range(K + 1):
        np.testing.assert_allclose(big[k], small[k], rtol=1e-11, atol=1e-11)


def test_blockwise_with_a_direction_batch():
    P = RNG.uniform(-1, 1, ((1 << 14) + 5, 3))  # order-2 stacks (2, 3 directions, 16k points, 3)
    f = lambda p: tnp.sum(tnp.exp(p) * p, axis=-1)  # noqa: E731
    want = np.sum((P + 2) * np.exp(P), axis=-1)
    for method in ("stacked", "collapsed"):
        np.testing.assert_allclose(ta.laplacian(f, method)(P), want, rtol=1e-12)


def test_threshold_is_the_documented_one():
    assert coeffs.chunkable(np.ones(1), np.ones((2, 1 << 15)))
    assert not coeffs.chunkable(np.ones(1), np.ones((2, 100)))


def test_blockwise_rules_are_recorded_as_one_call_under_jit():
    x = RNG.uniform(-1, 1, N)
    v = np.ones(N)

    def f(x):
        return tnp.sin(tnp.exp(tnp.tanh(x)) * x) + tnp.log1p(x * x)

    d = ta.jit(lambda x: ta.derivatives(f, x, v, 6)[6])
    for x_ in (x, x * 0.5):
        np.testing.assert_array_equal(d(x_), ta.derivatives(f, x_, v, 6)[6])
    prog = next(iter(d.cache.values()))
    names = [op[0].name for op in prog.ops]
    assert names.count("taylor_blockwise") == 6  # tanh, exp, the product, sin, x·x, log1p
    assert len(names) < 40  # not the unrolled O(K²) recurrences
