"""Taylor rules against 50-digit mpmath: every elementwise row of test_primitives' tables at
orders 1..8 (with direction 1 and random directions, both arguments of binary primitives varying
or one held constant), exp/log/sin/tanh/divide/power at orders 16-20, and a matrix function
through mpmath matrices.

mpmath.taylor differentiates the scalar reparametrisation t ↦ f(x + t·v) at 50 digits; taylorad's
``derivatives`` returns dᵏ/dtᵏ, compared as normalized coefficients dᵏ/k!.
"""
import math
import pathlib
import sys

import mpmath
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.testing import check_taylor

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from test_primitives import BINARY, BINARY_IDS, UNARY, UNARY_IDS, _binary_inputs  # noqa: E402

mp = mpmath


def assert_series_mp(f, f_mp, xs, vs, K, rtol=1e-10):
    """derivatives of the elementwise f(*xs) along vs vs 50-digit mpmath, as d_k / k!."""
    ds = ta.derivatives(lambda a: f(*a), tuple(xs), tuple(vs), K)
    assert len(ds) == K + 1
    shape = np.broadcast_shapes(*[np.shape(x) for x in xs])
    with mp.workdps(50):
        for idx in np.ndindex(*shape):
            pts = [(mp.mpf(float(np.broadcast_to(x, shape)[idx])),
                    mp.mpf(float(np.broadcast_to(v, shape)[idx]))) for x, v in zip(xs, vs)]
            ref = mp.taylor(lambda t: f_mp(*[x + t * v for x, v in pts]), 0, K)
            for k in range(K + 1):
                got = float(np.asarray(ds[k])[idx]) / math.factorial(k)
                want = float(ref[k])
                assert abs(got - want) <= rtol * max(1.0, abs(want)), (
                    f"coefficient {k} at {idx}: taylorad {got!r}, mpmath {want!r}")


@pytest.mark.parametrize("K", range(1, 9))
@pytest.mark.parametrize("name,f,f_mp,sample", UNARY, ids=UNARY_IDS)
def test_unary_taylor_mpmath(name, f, f_mp, sample, K):
    rng = np.random.default_rng(2)
    x = sample(rng, (2,))
    check_taylor(f, f_mp, x, order=K)  # direction 1
    assert_series_mp(f, f_mp, (x,), (rng.uniform(-1.5, 1.5, 2),), K)  # a random direction


HIGH_ORDER = [
    ("exp", tnp.exp, mp.exp, 0.4),
    ("log", tnp.log, mp.log, 1.7),
    ("sin", tnp.sin, mp.sin, 0.9),
    ("tanh", tnp.tanh, mp.tanh, 0.3),
    ("reciprocal", lambda x: 1.0 / x, lambda x: 1 / x, 1.6),
    ("power_frac", lambda x: x ** 2.5, lambda x: x ** mp.mpf(2.5), 1.8),
    ("power_int", lambda x: x ** 7, lambda x: x ** 7, 0.7),
]


@pytest.mark.parametrize("name,f,f_mp,x0", HIGH_ORDER, ids=[r[0] for r in HIGH_ORDER])
def test_unary_taylor_high_order(name, f, f_mp, x0):
    check_taylor(f, f_mp, np.array([x0, -x0 if name in ("exp", "sin", "tanh") else x0 * 0.8]),
                 order=20, rtol=1e-9)
    assert_series_mp(f, f_mp, (np.array([x0]),), (np.array([0.6]),), 18, rtol=1e-9)


@pytest.mark.parametrize("K", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("row", BINARY, ids=BINARY_IDS)
def test_binary_taylor_mpmath(row, K):
    rng = np.random.default_rng(5)
    a, b = _binary_inputs(row, rng, (3,), (3,))
    va, vb = rng.uniform(-0.7, 0.7, 3), rng.uniform(-0.7, 0.7, 3)
    f, f_mp = row[1], row[2]
    assert_series_mp(f, f_mp, (a, b), (va, vb), K)
    # one constant argument: the rules' "series is None" branches
    ds = ta.derivatives(lambda x: f(x, b), a, va, K)
    dsb = ta.derivatives(lambda y: f(a, y), b, vb, K)
    with mp.workdps(50):
        for i in range(3):
            ra = mp.taylor(lambda t: f_mp(mp.mpf(a[i]) + t * mp.mpf(va[i]), mp.mpf(b[i])), 0, K)
            rb = mp.taylor(lambda t: f_mp(mp.mpf(a[i]), mp.mpf(b[i]) + t * mp.mpf(vb[i])), 0, K)
            for k in range(K + 1):
                for d, r in ((ds, ra), (dsb, rb)):
                    got = float(np.asarray(d[k])[i]) / math.factorial(k)
                    assert abs(got - float(r[k])) <= 1e-10 * max(1.0, abs(float(r[k]))), \
                        (k, i, got, float(r[k]))


HIGH_BINARY = [BINARY[3], BINARY[4]]  # divide and power, both arguments varying


@pytest.mark.parametrize("row", HIGH_BINARY, ids=["divide", "power"])
def test_binary_taylor_high_order(row):
    a, b = (np.array([0.9, 1.4]), np.array([1.3, -0.6])) if row[0] == "divide" else \
        (np.array([1.3, 0.8]), np.array([0.7, -1.2]))
    assert_series_mp(row[1], row[2], (a, b), (np.array([0.4, -0.3]), np.array([0.2, 0.5])),
                     18, rtol=1e-9)


def test_derivatives_of_matmul_match_mpmath_matrices():
    """t ↦ sum(exp(A(t)) @ B(t)) with A(t) = A + t·V, B(t) = B + t·W, in mpmath matrices."""
    rng = np.random.default_rng(16)
    A, V, B, W = (rng.standard_normal(s) * 0.5 for s in ((2, 3), (2, 3), (3, 2), (3, 2)))
    K = 8
    ds = ta.derivatives(lambda ab: tnp.sum(tnp.exp(ab[0]) @ ab[1]), (A, B), (V, W), K)

    def f_mp(t):
        EA = mp.matrix(2, 3)
        BB = mp.matrix(3, 2)
        for i in range(2):
            for j in range(3):
                EA[i, j] = mp.exp(mp.mpf(A[i, j]) + t * mp.mpf(V[i, j]))
                BB[j, i] = mp.mpf(B[j, i]) + t * mp.mpf(W[j, i])
        P = EA * BB
        return sum(P[i, j] for i in range(2) for j in range(2))

    with mp.workdps(50):
        ref = mp.taylor(f_mp, 0, K)
    for k in range(K + 1):
        got = float(ds[k]) / math.factorial(k)
        assert abs(got - float(ref[k])) <= 1e-11 * max(1, abs(float(ref[k])))


@pytest.mark.parametrize("name,f,f_mp,sample", UNARY, ids=UNARY_IDS)
def test_every_unary_rule_at_order_16(name, f, f_mp, sample):
    x = sample(np.random.default_rng(21), (2,))
    assert_series_mp(f, f_mp, (x,), (np.array([0.3, -0.25]),), 16, rtol=1e-9)


def test_long_chain_order_12():
    def f(x):
        return tnp.tanh(tnp.exp(tnp.sin(x)) / (1.0 + x * x)) ** 1.5 + tnp.log(tnp.cosh(x)) * x

    def f_mp(x):
        return mp.tanh(mp.exp(mp.sin(x)) / (1 + x * x)) ** mp.mpf(1.5) + mp.log(mp.cosh(x)) * x

    assert_series_mp(f, f_mp, (np.array([0.4, -1.1, 2.0]),), (np.array([1.0, 0.5, -0.8]),), 12,
                     rtol=1e-9)


def test_check_taylor_rejects_a_wrong_reference():
    """The checker used above can fail: a rule compared with the wrong function is caught."""
    with pytest.raises(AssertionError, match="coefficient 2"):  # differs only from t² on
        check_taylor(tnp.sin, lambda x: mp.sin(x) + (x - mp.mpf(0.3)) ** 2 * mp.mpf("1e-6"),
                     np.array([0.3]), order=3)
    with pytest.raises(AssertionError):
        assert_series_mp(tnp.exp, lambda x: mp.exp(x) * (1 + x ** 9 * mp.mpf("1e-7")),
                         (np.array([0.5]),), (np.array([1.0]),), 9)
