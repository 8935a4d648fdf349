"""Every core primitive, one table row each: VJP and JVP against central differences, Taylor
rules against independent references, float32 in -> float32 out.

References are independent of taylorad: central differences (taylorad.testing.check_grads),
50-digit mpmath series (elementwise rows), and for the linear / bilinear primitives closed forms
computed with NumPy itself: for a linear map L, dᵏ/dtᵏ L(sin(x + t·v)) = L(sin⁽ᵏ⁾(x)·vᵏ) with
sin⁽ᵏ⁾(x) = sin(x + kπ/2); for a bilinear B, Leibniz' rule over two such curves.
"""
import math

import mpmath
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.testing import check_grads, check_hvp

mp = mpmath


def _mp_sigmoid(x):
    return 1 / (1 + mp.exp(-x))


# ---------------------------------------------------------------------------------------------
# elementwise unary rows: (id, taylorad function, mpmath function, sampler of valid inputs)


def _uniform(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, shape)


def _away_from_zero(rng, shape):  # abs: never evaluated at its kink
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape)


UNARY = [
    ("negative", tnp.negative, lambda x: -x, _uniform(-2, 2)),
    ("square", tnp.square, lambda x: x * x, _uniform(-2, 2)),
    ("sqrt", tnp.sqrt, mp.sqrt, _uniform(0.3, 3)),
    ("exp", tnp.exp, mp.exp, _uniform(-2, 2)),
    ("log", tnp.log, mp.log, _uniform(0.3, 3)),
    ("sin", tnp.sin, mp.sin, _uniform(-3, 3)),
    ("cos", tnp.cos, mp.cos, _uniform(-3, 3)),
    ("tan", tnp.tan, mp.tan, _uniform(-1.2, 1.2)),
    ("sinh", tnp.sinh, mp.sinh, _uniform(-2, 2)),
    ("cosh", tnp.cosh, mp.cosh, _uniform(-2, 2)),
    ("tanh", tnp.tanh, mp.tanh, _uniform(-2, 2)),
    ("arctanh", tnp.arctanh, mp.atanh, _uniform(-0.8, 0.8)),
    ("sigmoid", tnp.sigmoid, _mp_sigmoid, _uniform(-3, 3)),
    ("abs", tnp.abs, mp.fabs, _away_from_zero),
    # power with a scalar exponent (integer, fractional, negative) and with a scalar base
    ("power_int", lambda x: x ** 3, lambda x: x ** 3, _uniform(-2, 2)),
    ("power_frac", lambda x: x ** 2.5, lambda x: x ** mp.mpf(2.5), _uniform(0.3, 3)),
    ("power_neg", lambda x: tnp.power(x, -1.5), lambda x: x ** mp.mpf(-1.5), _uniform(0.3, 3)),
    ("power_half", lambda x: x ** 0.5, mp.sqrt, _uniform(0.3, 3)),
    ("power_scalar_base", lambda x: 2.0 ** x, lambda x: mp.mpf(2) ** x, _uniform(-2, 2)),
    ("reciprocal", lambda x: 1.0 / x, lambda x: 1 / x, _uniform(0.5, 2)),
]
UNARY_IDS = [r[0] for r in UNARY]


@pytest.mark.parametrize("name,f,f_mp,sample", UNARY, ids=UNARY_IDS)
def test_unary_vjp_jvp(name, f, f_mp, sample):
    x = sample(np.random.default_rng(1), (2, 3))
    check_grads(f, (x,))


@pytest.mark.parametrize("name,f,f_mp,sample", UNARY, ids=UNARY_IDS)
def test_unary_float32(name, f, f_mp, sample):
    x = sample(np.random.default_rng(3), (4,)).astype(np.float32)
    v = np.ones(4, np.float32)
    y = f(x)
    assert y.dtype == np.float32
    for d in ta.derivatives(f, x, v, 3):
        assert d.dtype == np.float32, name
    assert ta.grad(lambda x: tnp.sum(f(x)))(x).dtype == np.float32
    assert ta.hvp(lambda x: tnp.sum(f(x)), x, v).dtype == np.float32
    _, t = ta.jvp(f, (x,), (v,))
    assert t.dtype == np.float32
    # float32 derivatives still approximate the float64 ones
    d64 = ta.derivatives(f, x.astype(np.float64), v.astype(np.float64), 3)
    for a, b in zip(ta.derivatives(f, x, v, 3), d64):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-4)


# ---------------------------------------------------------------------------------------------
# elementwise binary rows (both arguments differentiable unless noted)


def _pos(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def _any(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def _sep(rng, shape):
    """A pair of arrays that differ by at least 0.2 everywhere (no ties for maximum/minimum)."""
    a = rng.uniform(-2, 2, shape)
    return a, a + rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 1.0, shape)


BINARY = [
    ("add", tnp.add, lambda a, b: a + b, _any, _any),
    ("subtract", tnp.subtract, lambda a, b: a - b, _any, _any),
    ("multiply", tnp.multiply, lambda a, b: a * b, _any, _any),
    ("divide", tnp.divide, lambda a, b: a / b, _any, _pos),
    ("power", tnp.power, lambda a, b: a ** b, _pos, _any),
    ("maximum", tnp.maximum, max, None, None),
    ("minimum", tnp.minimum, min, None, None),
    ("op_add", lambda a, b: a + b, lambda a, b: a + b, _any, _any),
    ("op_sub", lambda a, b: a - b, lambda a, b: a - b, _any, _any),
    ("op_mul", lambda a, b: a * b, lambda a, b: a * b, _any, _any),
    ("op_div", lambda a, b: a / b, lambda a, b: a / b, _any, _pos),
    ("op_pow", lambda a, b: a ** b, lambda a, b: a ** b, _pos, _any),
]
BINARY_IDS = [r[0] for r in BINARY]


def _binary_inputs(row, rng, sa, sb):
    _, _, _, fa, fb = row
    if fa is None:  # maximum / minimum: separated arguments
        a, b = _sep(rng, np.broadcast_shapes(sa, sb))
        return _fit(a, sa), _fit(b, sb)
    return fa(rng, sa), fb(rng, sb)


def _fit(a, shape):
    """Cut a down to ``shape`` (taking index 0 along broadcast axes)."""
    a = a[(0,) * (a.ndim - len(shape))]
    return np.ascontiguousarray(a[tuple(slice(0, s) for s in shape)])


SHAPES = [((2, 3), (2, 3)), ((3, 1), (4,)), ((), (2, 3)), ((2, 3), ())]


@pytest.mark.parametrize("sa,sb", SHAPES, ids=[f"{a}-{b}" for a, b in SHAPES])
@pytest.mark.parametrize("row", BINARY, ids=BINARY_IDS)
def test_binary_vjp_jvp(row, sa, sb):
    rng = np.random.default_rng(4)
    a, b = _binary_inputs(row, rng, sa, sb)
    f = row[1]
    check_grads(f, (a, b))
    check_grads(lambda a: f(a, b), (a,))  # second argument constant
    check_grads(lambda b: f(a, b), (b,))  # first argument constant


@pytest.mark.parametrize("row", BINARY, ids=BINARY_IDS)
def test_binary_float32(row):
    rng = np.random.default_rng(6)
    a, b = _binary_inputs(row, rng, (2, 3), (3,))
    a, b = a.astype(np.float32), b.astype(np.float32)
    f = row[1]
    assert f(a, b).dtype == np.float32
    for d in ta.derivatives(lambda ab: f(*ab), (a, b), (np.ones_like(a), np.ones_like(b)), 3):
        assert d.dtype == np.float32
    ga, gb = ta.grad(lambda a, b: tnp.sum(f(a, b)), argnums=(0, 1))(a, b)
    assert ga.dtype == gb.dtype == np.float32
    assert ga.shape == a.shape and gb.shape == b.shape
    # Python scalars do not upcast (NumPy 2 rules)
    for g in (lambda x: f(x, 1.5), lambda x: f(1.5, x)):
        assert ta.derivatives(g, np.abs(b) + 0.5, np.ones_like(b), 2)[2].dtype == np.float32


def test_power_integer_and_zero_exponents():
    x = np.array([-1.5, 0.0, 0.7, 2.0])
    v = np.array([0.3, 1.0, -0.5, 1.0])
    for n in range(0, 6):
        ds = ta.derivatives(lambda x: x ** n, x, v, 6)
        for k in range(7):
            want = (math.perm(n, k) * x ** (n - k) if k <= n else 0.0 * x) * v ** k
            np.testing.assert_allclose(ds[k], want, rtol=1e-13, atol=1e-13)
    g = ta.grad(lambda x: tnp.sum(x ** 2))(x)
    np.testing.assert_allclose(g, 2 * x)


def test_power_array_exponent_constant():
    rng = np.random.default_rng(7)
    x, p = rng.uniform(0.5, 2, (2, 3)), np.array([0.5, 2.0, -1.3])
    check_grads(lambda x: x ** p, (x,))
    ds = ta.derivatives(lambda x: x ** p, x, np.ones_like(x), 3)
    np.testing.assert_allclose(ds[3], p * (p - 1) * (p - 2) * x ** (p - 3), rtol=1e-12)


def test_where():
    rng = np.random.default_rng(8)
    x, y = rng.uniform(-2, 2, (3, 4)), rng.uniform(-2, 2, (4,))
    c = x > 0
    check_grads(lambda x, y: tnp.where(c, tnp.sin(x), y * y), (x, y))
    # the condition may itself be computed from traced values (never differentiated)
    check_grads(lambda x: tnp.where(x > 0, x * x, tnp.exp(x)), (x,))
    ds = ta.derivatives(lambda x: tnp.where(c, tnp.sin(x), 2.0), x, np.ones_like(x), 4)
    for k in range(1, 5):
        np.testing.assert_allclose(ds[k], np.where(c, np.sin(x + k * np.pi / 2), 0.0),
                                   atol=1e-14)
    ds = ta.derivatives(lambda y: tnp.where(c, 1.0, tnp.exp(y)), y, np.ones_like(y), 3)
    np.testing.assert_allclose(ds[3], np.where(c, 0.0, np.exp(y)), rtol=1e-14)
    assert tnp.where(c, x.astype(np.float32), np.float32(0)).dtype == np.float32


def test_maximum_minimum_ties_share_the_derivative():
    x = np.array([1.0, 2.0])
    g = ta.grad(lambda a, b: tnp.sum(tnp.maximum(a, b)), argnums=(0, 1))(x, x.copy())
    np.testing.assert_allclose(g[0], 0.5)
    np.testing.assert_allclose(g[1], 0.5)
    g = ta.grad(lambda a: tnp.sum(tnp.minimum(a, 0.0) + tnp.maximum(a, 0.0)))(
        np.array([-1.0, 3.0]))
    np.testing.assert_allclose(g, [1.0, 1.0])


# ---------------------------------------------------------------------------------------------
# linear structural rows: L(m, x) written once for m = numpy (the reference) and m = tnp


def _idx(x, i):
    return x[i]


MASK = np.array([[True, False, True, True], [False, False, True, False],
                 [True, True, False, True]])

LINEAR = [
    ("sum_all", (2, 3, 4), lambda m, x: m.sum(x)),
    ("sum_axis0", (2, 3, 4), lambda m, x: m.sum(x, axis=0)),
    ("sum_axis-1", (2, 3, 4), lambda m, x: m.sum(x, axis=-1)),
    ("sum_axes02", (2, 3, 4), lambda m, x: m.sum(x, axis=(0, 2))),
    ("sum_keepdims", (2, 3, 4), lambda m, x: m.sum(x, axis=1, keepdims=True)),
    ("sum_all_keepdims", (2, 3), lambda m, x: m.sum(x, keepdims=True)),
    ("sum_method", (2, 3), lambda m, x: x.sum(axis=0)),
    ("mean_all", (2, 3, 4), lambda m, x: m.mean(x)),
    ("mean_axes", (2, 3, 4), lambda m, x: m.mean(x, axis=(0, 1))),
    ("mean_keepdims", (2, 3, 4), lambda m, x: m.mean(x, axis=-1, keepdims=True)),
    ("reshape", (2, 3, 4), lambda m, x: m.reshape(x, (6, 4))),
    ("reshape_-1", (2, 3, 4), lambda m, x: m.reshape(x, (4, -1))),
    ("reshape_method", (2, 3, 4), lambda m, x: x.reshape(3, 8)),
    ("ravel", (2, 3), lambda m, x: m.ravel(x)),
    ("transpose", (2, 3, 4), lambda m, x: m.transpose(x)),
    ("transpose_axes", (2, 3, 4), lambda m, x: m.transpose(x, (1, 0, 2))),
    ("T", (2, 3), lambda m, x: x.T),
    ("swapaxes", (2, 3, 4), lambda m, x: m.swapaxes(x, 0, 2)),
    ("moveaxis", (2, 3, 4), lambda m, x: m.moveaxis(x, 0, -1)),
    ("broadcast_to", (3, 1), lambda m, x: m.broadcast_to(x, (2, 3, 4))),
    ("broadcast_add", (3, 1), lambda m, x: x + np.zeros((2, 1, 4), x.dtype)),
    ("broadcast_mul", (4,), lambda m, x: np.ones((3, 1), x.dtype) * x),
    ("expand_dims0", (2, 3), lambda m, x: m.expand_dims(x, 0)),
    ("expand_dims-1", (2, 3), lambda m, x: m.expand_dims(x, -1)),
    ("expand_dims_tuple", (2, 3), lambda m, x: m.expand_dims(x, (0, 3))),
    ("squeeze_all", (1, 3, 1), lambda m, x: m.squeeze(x)),
    ("squeeze_axis", (1, 3, 1), lambda m, x: m.squeeze(x, axis=2)),
    ("concatenate0", (2, 3), lambda m, x: m.concatenate([x, x[::-1], x[:1]], axis=0)),
    ("concatenate1", (2, 3), lambda m, x: m.concatenate([x, x[:, :2]], axis=1)),
    ("concatenate-1", (2, 3, 2), lambda m, x: m.concatenate([x, x], axis=-1)),
    ("stack0", (2, 3), lambda m, x: m.stack([x, x[::-1]], axis=0)),
    ("stack1", (2, 3), lambda m, x: m.stack([x, x, x], axis=1)),
    ("stack-1", (2, 3), lambda m, x: m.stack([x[0], x[1]], axis=-1)),
    ("getitem_int", (3, 4), lambda m, x: x[1]),
    ("getitem_negint", (3, 4), lambda m, x: x[-1, -2]),
    ("getitem_slices", (3, 4), lambda m, x: x[1:, ::2]),
    ("getitem_negstep", (3, 4), lambda m, x: x[::-1, 3:0:-2]),
    ("getitem_ellipsis", (2, 3, 4), lambda m, x: x[..., 1]),
    ("getitem_ellipsis_mid", (2, 3, 4), lambda m, x: x[0, ..., 1:]),
    ("getitem_none", (3, 4), lambda m, x: x[:, None, 1:3]),
    ("getitem_none_ellipsis", (2, 3), lambda m, x: x[None, ..., None]),
    ("getitem_intarray_repeat", (3, 4), lambda m, x: x[np.array([0, 2, 0, 0])]),
    ("getitem_list", (3, 4), lambda m, x: x[[2, 1]]),
    ("getitem_intarray_2d", (3, 4), lambda m, x: x[np.array([[0, 1], [2, 0]])]),
    ("getitem_intarray_axis1", (3, 4), lambda m, x: x[:, np.array([3, 3, 0])]),
    ("getitem_two_arrays", (3, 4), lambda m, x: x[np.array([0, 2, 2]), np.array([1, 1, 3])]),
    ("getitem_adjacent_adv", (2, 3, 4), lambda m, x: x[:, np.array([0, 2]), np.array([1, 3])]),
    ("getitem_split_adv", (3, 2, 4), lambda m, x: x[np.array([0, 2]), :, np.array([1, 3])]),
    ("getitem_int_slice_array", (3, 2, 4), lambda m, x: x[1, :, np.array([0, 3, 3])]),
    ("getitem_bool_mask", (3, 4), lambda m, x: x[MASK]),
    ("getitem_bool_rows", (3, 4), lambda m, x: x[np.array([True, False, True])]),
    ("getitem_bool_axis1", (3, 4), lambda m, x: x[:, MASK[0]]),
    ("getitem_fn", (3, 4), lambda m, x: (m.getitem if m is tnp else _idx)(x, (slice(1, 3), 2))),
    ("take", (3, 4), lambda m, x: m.take(x, np.array([5, 0, 5]))),
    ("take_axis", (3, 4), lambda m, x: m.take(x, np.array([2, 0]), axis=1)),
]
LINEAR_IDS = [r[0] for r in LINEAR]


@pytest.mark.parametrize("name,shape,L", LINEAR, ids=LINEAR_IDS)
def test_linear_vjp_jvp(name, shape, L):
    x = np.random.default_rng(9).standard_normal(shape)
    np.testing.assert_allclose(L(tnp, x), L(np, x), rtol=1e-15)  # the primal agrees with numpy
    check_grads(lambda x: L(tnp, x), (x,))


@pytest.mark.parametrize("K", [1, 2, 5])
@pytest.mark.parametrize("name,shape,L", LINEAR, ids=LINEAR_IDS)
def test_linear_taylor_closed_form(name, shape, L, K):
    rng = np.random.default_rng(10)
    x, v = rng.standard_normal(shape), rng.standard_normal(shape)
    ds = ta.derivatives(lambda x: L(tnp, tnp.sin(x)), x, v, K)
    for k in range(K + 1):  # dᵏ/dtᵏ L(sin(x + t v)) = L(sin⁽ᵏ⁾(x)·vᵏ)
        want = L(np, np.sin(x + k * np.pi / 2) * v ** k)
        np.testing.assert_allclose(ds[k], want, rtol=1e-12, atol=1e-12, err_msg=f"k={k}")
    # a purely linear input: only the first derivative survives
    ds = ta.derivatives(lambda x: L(tnp, x), x, v, 3)
    np.testing.assert_allclose(ds[1], L(np, v), rtol=1e-13)
    np.testing.assert_allclose(ds[2], 0 * L(np, v), atol=0)


@pytest.mark.parametrize("name,shape,L", LINEAR, ids=LINEAR_IDS)
def test_linear_float32(name, shape, L):
    x = np.random.default_rng(11).standard_normal(shape).astype(np.float32)
    f = lambda x: L(tnp, tnp.sin(x))  # noqa: E731
    for d in ta.derivatives(f, x, np.ones_like(x), 3):
        assert d.dtype == np.float32
    assert ta.grad(lambda x: tnp.sum(f(x) ** 2))(x).dtype == np.float32


def test_joins_of_several_arguments():
    rng = np.random.default_rng(12)
    a, b, c = rng.standard_normal((2, 3)), rng.standard_normal((4, 3)), rng.standard_normal((2, 3))
    check_grads(lambda a, b: tnp.concatenate([a, b, a], axis=0), (a, b))
    check_grads(lambda a, c: tnp.stack([a, c], axis=-1), (a, c))
    check_grads(lambda a: tnp.concatenate([a, b], axis=0), (a,))  # b constant
    ds = ta.derivatives(lambda a: tnp.concatenate([tnp.exp(a), b]), a, np.ones_like(a), 3)
    np.testing.assert_allclose(ds[3], np.concatenate([np.exp(a), 0 * b]), rtol=1e-14)
    ds = ta.derivatives(lambda t: tnp.stack([b[:2], tnp.exp(t)], axis=1), a, np.ones_like(a), 2)
    np.testing.assert_allclose(ds[2], np.stack([0 * b[:2], np.exp(a)], axis=1), rtol=1e-14)


# ---------------------------------------------------------------------------------------------
# bilinear rows: matmul (every 1-D / 2-D / batched combination) and dot

MATMUL_SHAPES = [
    ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2)),
    ((3,), (5, 3, 4)), ((5, 2, 3), (3,)), ((1, 2, 3), (5, 3, 2)),
]
DOT_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((), (2, 3)),
              ((2, 3), ()), ((2, 3, 4), (4,)), ((2, 3, 4), (4, 5))]
BILINEAR = ([("matmul", tnp.matmul, np.matmul, sa, sb) for sa, sb in MATMUL_SHAPES] +
            [("op_matmul", lambda a, b: a @ b, np.matmul, sa, sb) for sa, sb in MATMUL_SHAPES[:4]] +
            [("dot", tnp.dot, np.dot, sa, sb) for sa, sb in DOT_SHAPES])
BILINEAR_IDS = [f"{r[0]}{r[3]}{r[4]}" for r in BILINEAR]


def _dsin(x, v, j):
    return np.sin(x + j * np.pi / 2) * v ** j


def _dcos(x, v, j):
    return np.cos(x + j * np.pi / 2) * v ** j


@pytest.mark.parametrize("name,f,ref,sa,sb", BILINEAR, ids=BILINEAR_IDS)
def test_bilinear_vjp_jvp(name, f, ref, sa, sb):
    rng = np.random.default_rng(13)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    np.testing.assert_allclose(f(a, b), ref(a, b), rtol=1e-14)
    check_grads(f, (a, b))
    check_grads(lambda a: f(a, b), (a,))
    check_grads(lambda b: f(a, b), (b,))


@pytest.mark.parametrize("K", [1, 2, 4])
@pytest.mark.parametrize("name,f,ref,sa,sb", BILINEAR, ids=BILINEAR_IDS)
def test_bilinear_taylor_leibniz(name, f, ref, sa, sb, K):
    rng = np.random.default_rng(14)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    va, vb = rng.standard_normal(sa), rng.standard_normal(sb)
    ds = ta.derivatives(lambda ab: f(tnp.sin(ab[0]), tnp.cos(ab[1])), (a, b), (va, vb), K)
    for k in range(K + 1):  # Leibniz: Σ_j C(k, j) B(sin⁽ʲ⁾·vaʲ, cos⁽ᵏ⁻ʲ⁾·vbᵏ⁻ʲ)
        want = sum(math.comb(k, j) * ref(_dsin(a, va, j), _dcos(b, vb, k - j))
                   for j in range(k + 1))
        np.testing.assert_allclose(ds[k], want, rtol=1e-11, atol=1e-11, err_msg=f"k={k}")
    # one side constant
    ds = ta.derivatives(lambda x: f(tnp.sin(x), b), a, va, K)
    np.testing.assert_allclose(ds[K], ref(_dsin(a, va, K), b), rtol=1e-11, atol=1e-11)
    ds = ta.derivatives(lambda y: f(a, tnp.cos(y)), b, vb, K)
    np.testing.assert_allclose(ds[K], ref(a, _dcos(b, vb, K)), rtol=1e-11, atol=1e-11)


def test_matmul_float32():
    rng = np.random.default_rng(15)
    a, b = rng.standard_normal((5, 2, 3)).astype(np.float32), \
        rng.standard_normal((3, 4)).astype(np.float32)
    ds = ta.derivatives(lambda ab: tnp.tanh(ab[0]) @ ab[1], (a, b), (a, b), 3)
    assert all(d.dtype == np.float32 for d in ds)
    ga, gb = ta.grad(lambda a, b: tnp.sum(tnp.tanh(a @ b)), argnums=(0, 1))(a, b)
    assert ga.dtype == gb.dtype == np.float32


def test_astype():
    x = np.array([0.3, -1.2, 2.0], np.float32)
    f = lambda x: tnp.sin(tnp.astype(x, np.float64)) * 2.0  # noqa: E731
    assert f(x).dtype == np.float64
    g = ta.grad(lambda x: tnp.sum(f(x)))(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2 * np.cos(x.astype(np.float64)), rtol=1e-6)
    ds = ta.derivatives(f, x, np.ones_like(x), 3)
    np.testing.assert_allclose(ds[3], -2 * np.cos(x.astype(np.float64)), rtol=1e-6)
    check_grads(lambda x: tnp.astype(tnp.astype(x, np.float32), np.float64) * 1.0, (x,),
                rtol=1e-3, eps=1e-3)


def test_python_scalar_operands():
    x = np.array([0.5, 1.5])
    check_grads(lambda x: 2.0 * x - 1.0 + x / 3.0 - 2.0 / x + 1.0 - x, (x,))
    ds = ta.derivatives(lambda x: 3.0 / x, x, np.ones_like(x), 3)
    np.testing.assert_allclose(ds[3], -18.0 / x ** 4, rtol=1e-13)


# ---------------------------------------------------------------------------------------------
# every structural and bilinear rule under forward over reverse (its VJP run on Taylor values)


@pytest.mark.parametrize("name,shape,L", LINEAR, ids=LINEAR_IDS)
def test_linear_hvp(name, shape, L):
    x = np.random.default_rng(17).standard_normal(shape)
    check_hvp(lambda x: tnp.sum(L(tnp, tnp.sin(x)) ** 2), x, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name,f,ref,sa,sb", BILINEAR, ids=BILINEAR_IDS)
def test_bilinear_hvp(name, f, ref, sa, sb):
    rng = np.random.default_rng(18)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    check_hvp(lambda a: tnp.sum(tnp.sin(f(a, b * a.sum())) * 1.0), a, rtol=1e-6, atol=1e-8)
    check_hvp(lambda b: tnp.sum(f(tnp.tanh(a), b) ** 3), b, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name,f,f_mp,sample", UNARY, ids=UNARY_IDS)
def test_unary_hvp(name, f, f_mp, sample):
    x = sample(np.random.default_rng(19), (4,))
    check_hvp(lambda x: tnp.sum(f(x) * f(x)[::-1]), x, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("row", BINARY, ids=BINARY_IDS)
def test_binary_hvp(row):
    a, b = _binary_inputs(row, np.random.default_rng(20), (3,), (3,))
    f = row[1]
    check_hvp(lambda ab: tnp.sum(f(ab[:3], ab[3:]) ** 2), np.concatenate([a, b]), rtol=1e-6,
              atol=1e-8)
