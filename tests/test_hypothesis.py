"""Property tests over random compositions of primitives.

Random expression trees of unary and binary primitives (each wrapped onto a safe domain, e.g.
log(2 + tanh u), so that every tree is smooth and bounded on any input) are evaluated in taylorad
and, for the references, in 50-digit mpmath. Checked: grad against central differences, the
Taylor coefficients of ``derivatives`` against mpmath, ``derivatives`` against nested jvp, and
hvp against differences of the gradient.
"""
import math
import warnings

import mpmath as mp
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.testing import check_grads

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

# (name, taylorad op on arrays, mpmath op on scalars): each maps any real input into the
# primitive's domain first
UNARY = {
    "sin": (tnp.sin, mp.sin),
    "cos": (tnp.cos, mp.cos),
    "tanh": (tnp.tanh, mp.tanh),
    "sigmoid": (tnp.sigmoid, lambda u: 1 / (1 + mp.exp(-u))),
    "exp": (lambda u: tnp.exp(tnp.tanh(u)), lambda u: mp.exp(mp.tanh(u))),
    "log": (lambda u: tnp.log(2.0 + tnp.tanh(u)), lambda u: mp.log(2 + mp.tanh(u))),
    "sqrt": (lambda u: tnp.sqrt(1.0 + u * u), lambda u: mp.sqrt(1 + u * u)),
    "square": (lambda u: tnp.square(tnp.tanh(u)), lambda u: mp.tanh(u) ** 2),
    "negative": (tnp.negative, lambda u: -u),
    "tan": (lambda u: tnp.tan(0.7 * tnp.tanh(u)), lambda u: mp.tan(mp.mpf("0.7") * mp.tanh(u))),
    "sinh": (lambda u: tnp.sinh(tnp.tanh(u)), lambda u: mp.sinh(mp.tanh(u))),
    "cosh": (lambda u: tnp.cosh(tnp.sin(u)), lambda u: mp.cosh(mp.sin(u))),
    "arctanh": (lambda u: tnp.arctanh(0.6 * tnp.tanh(u)),
                lambda u: mp.atanh(mp.mpf("0.6") * mp.tanh(u))),
    "pow_scalar": (lambda u: (1.5 + tnp.tanh(u)) ** 1.7, lambda u: (mp.mpf("1.5") + mp.tanh(u))
                   ** mp.mpf("1.7")),
    "pow_int": (lambda u: tnp.tanh(u) ** 3, lambda u: mp.tanh(u) ** 3),
}
BINARY = {
    "add": (tnp.add, lambda a, b: a + b),
    "subtract": (tnp.subtract, lambda a, b: a - b),
    "multiply": (lambda a, b: tnp.tanh(a) * b, lambda a, b: mp.tanh(a) * b),
    "divide": (lambda a, b: a / (1.5 + tnp.sin(b)), lambda a, b: a / (mp.mpf("1.5") + mp.sin(b))),
    "power": (lambda a, b: (1.5 + tnp.tanh(a)) ** tnp.tanh(b),
              lambda a, b: (mp.mpf("1.5") + mp.tanh(a)) ** mp.tanh(b)),
}

# leaves: the input vector, a permutation of it (mixes elements: the Jacobian is not diagonal),
# and constants
LEAVES = ["x", "x_rev", "x_roll", "const"]


LEAF = st.one_of(st.sampled_from(LEAVES[:3]),
                st.floats(-1.5, 1.5, allow_nan=False).map(lambda c: ("const", c)))


@st.composite
def _tree(draw, depth):
    """A tree of exactly ``depth`` levels along its first branch (others may be shallower)."""
    if depth == 0:
        return draw(LEAF)
    if draw(st.booleans()):
        return (draw(st.sampled_from(sorted(UNARY))), draw(_tree(depth - 1)))
    other = draw(st.integers(0, depth - 1))
    kids = [draw(_tree(depth - 1)), draw(_tree(other))]
    if draw(st.booleans()):
        kids.reverse()
    return (draw(st.sampled_from(sorted(BINARY))), *kids)


def trees(max_depth=4):
    return st.integers(1, max_depth).flatmap(_tree)


def evaluate(tree, x, module):
    """The tree on a vector x; module 'tnp' (arrays) or 'mp' (a list of mpmath numbers)."""
    if isinstance(tree, str):
        if module == "tnp":
            return {"x": x, "x_rev": x[::-1], "x_roll": tnp.concatenate([x[1:], x[:1]])}[tree]
        return {"x": x, "x_rev": x[::-1], "x_roll": x[1:] + x[:1]}[tree]
    if tree[0] == "const":
        return tree[1] if module == "tnp" else [mp.mpf(tree[1])] * len(x)
    if tree[0] in UNARY:
        f_t, f_m = UNARY[tree[0]]
        u = evaluate(tree[1], x, module)
        return f_t(u) if module == "tnp" else [f_m(ui) for ui in u]
    f_t, f_m = BINARY[tree[0]]
    a, b = evaluate(tree[1], x, module), evaluate(tree[2], x, module)
    return f_t(a, b) if module == "tnp" else [f_m(ai, bi) for ai, bi in zip(a, b)]


def scalar_fn(tree):
    def f(x):
        y = evaluate(tree, x, "tnp")
        # a constant tree still has to be an array of the input's shape
        return tnp.sum(y * tnp.ones_like(x) if np.ndim(ta.core.trace.getval(y)) == 0 else y)
    return f


VEC = st.lists(st.floats(-1.5, 1.5, allow_nan=False), min_size=3, max_size=3).map(np.array)
DIR = st.lists(st.floats(-1.0, 1.0, allow_nan=False), min_size=3, max_size=3).map(np.array)


@SETTINGS
@given(trees(), VEC)
def test_random_tree_grad_vs_differences(tree, x):
    f = scalar_fn(tree)
    check_grads(f, (x,), rtol=1e-5, atol=1e-6)
    check_grads(lambda x: evaluate(tree, x, "tnp") * tnp.ones_like(x), (x,), rtol=1e-5,
                atol=1e-6)


@SETTINGS
@given(trees(), VEC, DIR)
def test_random_tree_derivatives_vs_mpmath(tree, x, v):
    K = 6
    ds = ta.derivatives(scalar_fn(tree), x, v, K)
    with mp.workdps(50):
        def f_mp(t):
            return mp.fsum(evaluate(tree, [mp.mpf(xi) + t * mp.mpf(vi) for xi, vi in zip(x, v)],
                                    "mp"))
        ref = mp.taylor(f_mp, 0, K)
    for k in range(K + 1):
        got, want = float(ds[k]) / math.factorial(k), float(ref[k])
        assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (k, got, want, tree)


@SETTINGS
@given(trees(), VEC, DIR)
def test_random_tree_derivatives_vs_nested_jvp(tree, x, v):
    f = scalar_fn(tree)
    ds = ta.derivatives(f, x, v, 3)

    def d1(x):
        return ta.jvp(f, (x,), (v,))[1]

    def d2(x):
        return ta.jvp(d1, (x,), (v,))[1]

    np.testing.assert_allclose(ds[1], d1(x), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(ds[2], d2(x), rtol=1e-10, atol=1e-11)
    np.testing.assert_allclose(ds[3], ta.jvp(d2, (x,), (v,))[1], rtol=1e-9, atol=1e-10)
    # and the second derivative from forward over reverse: <v, H v>
    np.testing.assert_allclose(ds[2], np.dot(ta.hvp(f, x, v), v), rtol=1e-10, atol=1e-11)


@SETTINGS
@given(trees(), VEC, DIR)
def test_random_tree_hvp_vs_gradient_differences(tree, x, v):
    f = scalar_fn(tree)
    g = ta.grad(f)
    eps = 1e-5
    fd = (g(x + eps * v) - g(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(ta.hvp(f, x, v), fd, rtol=1e-5, atol=1e-6)
    # grad of <grad f, v> (nested reverse, forward over reverse) is the same H v
    np.testing.assert_allclose(ta.grad(lambda y: tnp.sum(g(y) * v))(x), ta.hvp(f, x, v),
                               rtol=1e-11, atol=1e-12)


# --- ta.jit's passes on large arrays: the same numbers as eager evaluation ---------------------

BIG = np.random.default_rng(11).uniform(-1.2, 1.2, (300, 40))
BIG_V = np.random.default_rng(12).uniform(-1.0, 1.0, (300, 40))


def _broadcast_leaves(tree, x):
    """evaluate() on a (300, 40) x whose leaves also broadcast: x_rev is a column of x (300, 1),
    x_roll a row (40,) — the operand kinds the fused replay reads differently."""
    if isinstance(tree, str):
        return {"x": x, "x_rev": x[:, :1] * 1.3, "x_roll": x[0] - 0.2}[tree]
    if tree[0] == "const":
        return tree[1]
    if tree[0] in UNARY:
        return UNARY[tree[0]][0](_broadcast_leaves(tree[1], x))
    return BINARY[tree[0]][0](_broadcast_leaves(tree[1], x), _broadcast_leaves(tree[2], x))


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(trees(), st.integers(1, 4))
def test_random_tree_jit_replay_matches_eager(tree, K):
    """Fusion (rows, columns), index sinking, kernels and recycled memory in ta.jit's replay
    give eager evaluation's numbers: the values, the top Taylor coefficient and an HVP."""
    def value(x):
        return _broadcast_leaves(tree, x) * tnp.ones_like(x)

    def top(x, v):
        return ta.derivatives(value, x, v, K)[K]

    def hv(x, v):
        return ta.hvp(lambda y: tnp.sum(value(y)), x, v)

    for fn, args in ((value, (BIG,)), (top, (BIG, BIG_V)), (hv, (BIG, BIG_V))):
        jf = ta.jit(fn)
        args2 = tuple(a * 0.9 for a in args)
        with warnings.catch_warnings():  # a replay that disagreed would warn and run eagerly
            warnings.filterwarnings("error", message="taylorad.jit")
            got = [jf(*args), jf(*args), jf(*args2), jf(*args2)]
        np.testing.assert_allclose(got[1], fn(*args), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(got[3], fn(*args2), rtol=1e-12, atol=1e-12)
