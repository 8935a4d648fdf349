"""NumPy code differentiable as written (issue 13, item 1): cotangents as people write them,
lists of traced values, both einsum spellings, the % and // family, arguments passed through.

References are independent: closed forms and central differences (taylorad.testing).
"""
import math

import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.core.trace import Box
from taylorad.testing import check_grads, numerical_jvp

RNG = np.random.default_rng(13)


# ---------------------------------------------------------------------------------------------
# cotangents of scalar outputs: Python numbers, NumPy scalars, 0-d arrays


@pytest.mark.parametrize("ct", [2.0, 2, np.float64(2.0), np.array(2.0), np.float32(2.0)],
                         ids=["float", "int", "np.float64", "0-d", "np.float32"])
@pytest.mark.parametrize("x", [1.1, np.float64(1.1), np.array(1.1), np.array([1.1, 0.3])],
                         ids=["pyfloat", "np.float64", "0-d", "vector"])
def test_vjp_scalar_cotangent(x, ct):
    f = lambda x: tnp.sum(tnp.sin(x) * x)  # noqa: E731
    y, pullback = ta.vjp(f, x)
    (g,) = pullback(ct)
    xv = np.asarray(x, dtype=np.float64)
    want = 2.0 * (np.cos(xv) * xv + np.sin(xv))  # closed form
    np.testing.assert_allclose(g, want, rtol=1e-14)
    assert np.shape(g) == np.shape(xv)


def test_vjp_python_float_cotangent_keeps_float32():
    x = np.array([0.5, 1.5], dtype=np.float32)
    y, pullback = ta.vjp(lambda x: tnp.sum(x * x), x)
    (g,) = pullback(3.0)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 6.0 * x, rtol=1e-6)


def test_vjp_cotangent_tree_with_a_number():
    x = np.array([0.5, 1.5])
    y, pullback = ta.vjp(lambda x: (tnp.sum(x ** 3), 2.0 * x), x)
    (g,) = pullback((0.5, np.array([1.0, -1.0])))
    np.testing.assert_allclose(g, 0.5 * 3 * x ** 2 + 2.0 * np.array([1.0, -1.0]))


@pytest.mark.parametrize("ct, err, words", [
    ("a", TypeError, ["vjp", "cotangent", "str"]),
    (np.ones(3), ValueError, ["vjp", "cotangent shape (3,)", "output shape ()"]),
    (None, ValueError, ["vjp", "cotangent has 0 arrays"]),
])
def test_vjp_bad_cotangent_is_named(ct, err, words):
    _, pullback = ta.vjp(lambda x: tnp.sum(x), np.ones(2))
    with pytest.raises(err) as e:
        pullback(ct)
    for w in words:
        assert w in str(e.value)


# ---------------------------------------------------------------------------------------------
# arrays built from lists of traced values


def _fd_grad(f, x, eps=1e-6):
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


# each builder is written as NumPy code would be; ``np_twin`` is the same on plain arrays
BUILDERS = [
    ("tnp.array flat", lambda a: tnp.array([a[0] * a[1], tnp.sin(a[0]), 2.0]),
     lambda a: np.array([a[0] * a[1], np.sin(a[0]), 2.0])),
    ("tnp.asarray nested", lambda a: tnp.asarray([[a[0], 1.0], (a[1], a[0] ** 2)]),
     lambda a: np.asarray([[a[0], 1.0], (a[1], a[0] ** 2)])),
    ("tnp.array of vectors", lambda a: tnp.array([a, [1.0, -1.0], a * a]),
     lambda a: np.array([a, [1.0, -1.0], a * a])),
    ("np.stack", lambda a: np.stack([a[0] * 3.0, 1.0, np.exp(a[1])]),
     lambda a: np.stack([a[0] * 3.0, 1.0, np.exp(a[1])])),
    ("np.stack axis=1", lambda a: np.stack([a, np.ones(2), a ** 2], axis=1),
     lambda a: np.stack([a, np.ones(2), a ** 2], axis=1)),
    ("np.concatenate mixed", lambda a: np.concatenate([a, [1.0, a[0]], np.zeros(1)]),
     lambda a: np.concatenate([a, [1.0, a[0]], np.zeros(1)])),
    ("tnp.stack nested lists", lambda a: tnp.stack([[a[0], 1.0], [2.0, a[1]]]),
     lambda a: np.stack([[a[0], 1.0], [2.0, a[1]]])),
]


@pytest.mark.parametrize("name, build, np_twin", BUILDERS, ids=[b[0] for b in BUILDERS])
def test_arrays_from_lists_of_traced_values(name, build, np_twin):
    a = np.array([0.7, -0.4])
    w = RNG.standard_normal(np.shape(np_twin(a)))
    f = lambda a: tnp.sum(w * build(a) ** 2)  # noqa: E731
    f_np = lambda a: float(np.sum(w * np_twin(a) ** 2))  # noqa: E731
    np.testing.assert_allclose(ta.grad(f)(a), _fd_grad(f_np, a), rtol=1e-7, atol=1e-9)
    check_grads(build, (a,))
    # Taylor (order 3) against central differences of the order-2 derivative
    v = np.array([0.3, 0.8])
    d = ta.derivatives(f, a, v, 3)
    d2 = lambda s: ta.derivatives(f, a + s * v, v, 2)[2]  # noqa: E731
    np.testing.assert_allclose(d[3], (d2(1e-5) - d2(-1e-5)) / 2e-5, rtol=1e-5, atol=1e-8)


# float32 traced values with Python numbers stay float32 (weak scalars, as x + 1.0 does); a
# float64 array constant (np.ones, np.zeros) promotes, as in NumPy
F64_CONSTANT = {"np.stack axis=1", "np.concatenate mixed"}


@pytest.mark.parametrize("name, build, np_twin", BUILDERS, ids=[b[0] for b in BUILDERS])
def test_lists_of_float32_values_keep_numpys_dtype(name, build, np_twin):
    a = np.array([0.7, -0.4], dtype=np.float32)
    y, pullback = ta.vjp(build, a)
    want = np.float64 if name in F64_CONSTANT else np.float32
    assert np.asarray(y).dtype == want
    assert pullback(np.ones(np.shape(y), want))[0].dtype == np.float32
    np.testing.assert_allclose(y, np_twin(a).astype(want), rtol=1e-6)


def test_np_array_of_traced_values_names_the_fix():
    with pytest.raises(TypeError) as e:
        ta.grad(lambda a: np.sum(np.array([a * 2.0, a])))(1.0)
    assert "tnp.array" in str(e.value) and "np.stack" in str(e.value) and "like=" in str(e.value)


@pytest.mark.parametrize("make", [np.array, np.asarray], ids=["np.array", "np.asarray"])
def test_np_array_with_like_dispatches(make):
    def f(a):  # d/da (4a² + sin²a + 1) = 8a + sin 2a
        return np.sum(make([a * 2.0, np.sin(a), 1.0], like=a) ** 2)
    np.testing.assert_allclose(ta.grad(f)(1.3), 8 * 1.3 + np.sin(2.6), rtol=1e-14)


# ---------------------------------------------------------------------------------------------
# einsum: both spellings

A, B, C = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4)), RNG.standard_normal((4,))
EINSUMS = [  # (string spelling, sublist spelling), operands
    (("ij,jk->ik", A, B), (A, [0, 1], B, [1, 2], [0, 2])),
    (("ij,jk", A, B), (A, [0, 1], B, [1, 2])),
    (("ij->ji", A), (A, [0, 1], [1, 0])),
    (("ij,jk,k->i", A, B, C), (A, [0, 1], B, [1, 2], C, [2], [0])),
    (("...j,jk->...k", A, B), (A, [Ellipsis, 1], B, [1, 2], [Ellipsis, 2])),
    (("ii", np.eye(3) + A.T @ A), (np.eye(3) + A.T @ A, [5, 5])),
]


@pytest.mark.parametrize("string_form, sublist_form", EINSUMS,
                         ids=[e[0][0] for e in EINSUMS])
def test_einsum_sublist_spelling(string_form, sublist_form):
    np.testing.assert_allclose(tnp.einsum(*sublist_form), np.einsum(*string_form), rtol=1e-13)
    x0 = sublist_form[0]

    def f_sub(x):  # np.einsum on a traced value dispatches to taylorad
        return np.einsum(x, *sublist_form[1:])

    def f_str(x):
        return np.einsum(string_form[0], x, *string_form[2:])

    check_grads(f_sub, (x0,))
    u = RNG.standard_normal(np.shape(f_str(x0)))
    g_sub = ta.grad(lambda x: tnp.sum(u * f_sub(x)))(x0)
    g_str = ta.grad(lambda x: tnp.sum(u * f_str(x)))(x0)
    np.testing.assert_allclose(g_sub, g_str, rtol=1e-13)


def test_einsum_bad_sublist_is_named():
    with pytest.raises(ValueError, match="einsum.*integers in"):
        tnp.einsum(A, [0, -1])
    with pytest.raises(TypeError, match="einsum: sublist 0 must be a list"):
        tnp.einsum(A, "ij")


# ---------------------------------------------------------------------------------------------
# the % and // family

X = np.array([7.3, -7.3, 3.3, -0.4, 5.1])
Y = np.array([2.0, 2.0, -1.5, 0.7, -2.2])
MOD_FAMILY = [  # name, taylorad call, reference quotient q: f = x - q y on the piece
    ("%", lambda x, y: x % y, np.floor(X / Y)),
    ("remainder", tnp.remainder, np.floor(X / Y)),
    ("mod", tnp.mod, np.floor(X / Y)),
    ("np.remainder", np.remainder, np.floor(X / Y)),
    ("np.mod", np.mod, np.floor(X / Y)),
    ("fmod", tnp.fmod, np.trunc(X / Y)),
    ("np.fmod", np.fmod, np.trunc(X / Y)),
    ("divmod[1]", lambda x, y: divmod(x, y)[1], np.floor(X / Y)),
    ("np.divmod[1]", lambda x, y: np.divmod(x, y)[1], np.floor(X / Y)),
]


@pytest.mark.parametrize("name, f, q", MOD_FAMILY, ids=[m[0] for m in MOD_FAMILY])
def test_remainder_family_first_order(name, f, q):
    np.testing.assert_allclose(f(X, Y), X - q * Y, rtol=1e-12, atol=1e-12)  # the value
    gx, gy = ta.grad(lambda x, y: tnp.sum(f(x, y)), (0, 1))(X, Y)
    np.testing.assert_allclose(gx, np.ones_like(X))  # derivative of the active piece
    np.testing.assert_allclose(gy, -q)
    check_grads(f, (X, Y))  # against central differences (no jump within eps of X, Y)
    check_grads(lambda x: f(x, 1.3), (X,))  # scalar divisor, constant
    check_grads(lambda y: f(4.1, y), (Y,))  # scalar dividend, constant


@pytest.mark.parametrize("name, f, q", MOD_FAMILY, ids=[m[0] for m in MOD_FAMILY])
@pytest.mark.parametrize("K", [1, 2, 4, 6])
def test_remainder_family_taylor(name, f, q, K):
    # along x(t) = X + t v and y(t) = exp(Y + t w): the kth derivative of x − q·y is
    # −q·e^Y·w^k for k >= 2 (closed form), v − q·e^Y·w at k = 1
    v, w = np.array([0.5, -1.0, 0.3, 0.2, 1.0]), np.array([0.1, 0.2, -0.3, 0.4, -0.1])
    ey = np.exp(Y)
    qe = np.trunc(X / ey) if "fmod" in name else np.floor(X / ey)
    ds = ta.derivatives(lambda z: f(z[0], tnp.exp(z[1])), np.stack([X, Y]), np.stack([v, w]), K)
    for k in range(1, K + 1):
        want = -qe * ey * w ** k + (v if k == 1 else 0.0)
        np.testing.assert_allclose(ds[k], want, rtol=1e-12, atol=1e-12, err_msg=f"order {k}")


def test_remainder_hvp_and_grad_of_grad():
    f = lambda x: tnp.sum((x * x) % 1.7)  # noqa: E731
    x, v = np.array([0.3, 1.1, 2.0]), np.array([1.0, -0.5, 0.25])
    np.testing.assert_allclose(ta.hvp(f, x, v), 2.0 * v, rtol=1e-14)  # (x²)'' = 2 on a piece
    np.testing.assert_allclose(ta.grad(lambda x: tnp.sum(ta.grad(f)(x)))(x), 2.0 * np.ones(3))


def test_floor_divide_is_piecewise_constant():
    g = ta.grad(lambda x, y: tnp.sum((x // y) * x), (0, 1))(X, Y)
    np.testing.assert_allclose(g[0], np.floor_divide(X, Y))  # d/dx (q·x) = q
    np.testing.assert_allclose(g[1], np.zeros_like(Y))
    seen = []
    ta.grad(lambda x: seen.append(x // 2.0) or tnp.sum(x))(X)
    assert not isinstance(seen[0], Box)  # never carries a derivative
    for k, d in enumerate(ta.derivatives(lambda x: np.floor_divide(x, 2.0), X, np.ones(5), 3)):
        np.testing.assert_array_equal(d, np.floor_divide(X, 2.0) if k == 0 else 0.0)
    assert divmod(7.0, 2.0) == tuple(float(v) for v in tnp.divmod(7.0, 2.0))


def test_mod_operators_on_traced_values_both_sides():
    def f(x):
        return tnp.sum(5.0 % x + x % 2.0 + 9.0 // x + x // 0.5)
    x = np.array([1.3, 2.9])
    want = -np.floor(5.0 / x) + 1.0  # d(5 % x)/dx + d(x % 2)/dx; // contributes zero
    np.testing.assert_allclose(ta.grad(f)(x), want)
    np.testing.assert_allclose(numerical_jvp(lambda x: np.sum(5.0 % x + x % 2.0), (x,),
                                             (np.array([1.0, 0.0]),)), want[0], rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# arguments that are not differentiated reach fun exactly as given; integer and boolean arrays
# are constants anywhere except in a differentiated position


def test_non_differentiated_arguments_pass_through_unchanged():
    tag, opts, idx, mask = "label", {"scale": 3, "shift": None}, np.array([2, 0]), \
        np.array([True, False, True])
    seen = {}

    def f(x, name, nothing, n, options, index, m):
        seen.update(name=name, nothing=nothing, n=n, options=options, index=index, m=m)
        return tnp.sum(x[index] * options["scale"]) + tnp.sum(tnp.where(m, x, 0.0) * n)

    x = np.array([0.5, 1.0, 2.0])
    g = ta.grad(f)(x, tag, None, 4, opts, idx, mask)
    assert seen["name"] is tag and seen["nothing"] is None and seen["n"] == 4 and \
        type(seen["n"]) is int
    assert seen["options"] is opts and seen["index"] is idx and seen["m"] is mask
    np.testing.assert_allclose(g, np.array([3.0, 0.0, 3.0]) + 4.0 * mask)  # closed form
    for transform in (lambda: ta.hvp(lambda x: f(x, tag, None, 4, opts, idx, mask), x, x),
                      lambda: ta.derivatives(lambda x: f(x, tag, None, 4, opts, idx, mask),
                                             x, x, 3),
                      lambda: ta.vjp(lambda x: f(x, tag, None, 4, opts, idx, mask), x)):
        seen.clear()
        transform()
        assert seen["options"] is opts and seen["index"] is idx and seen["name"] is tag


@pytest.mark.parametrize("bad", [np.array([1, 2]), np.array([True, False]), 3, True])
def test_integer_or_boolean_in_a_differentiated_position_is_named(bad):
    with pytest.raises(TypeError) as e:
        ta.grad(lambda x, y: tnp.sum(x * y), argnums=1)(np.ones(2), bad)
    msg = str(e.value)
    assert "grad" in msg and "argument 1" in msg and "astype" in msg
    assert math.isfinite(float(ta.grad(lambda x, y: tnp.sum(x * y))(np.ones(2), bad)[0]))


@pytest.mark.parametrize("name, f, q", MOD_FAMILY[::3], ids=[m[0] for m in MOD_FAMILY[::3]])
def test_remainder_family_float32_and_jit(name, f, q):
    x32, y32 = X.astype(np.float32), Y.astype(np.float32)
    gx, gy = ta.grad(lambda x, y: tnp.sum(f(x, y) ** 2), (0, 1))(x32, y32)
    r = f(X, Y)
    assert gx.dtype == gy.dtype == np.float32
    np.testing.assert_allclose(gx, 2.0 * r, rtol=1e-5)
    np.testing.assert_allclose(gy, -2.0 * q * r, rtol=1e-5)
    g = ta.grad(lambda x, y: tnp.sum(f(x, y) * x), (0, 1))
    for shift in (0.0, 0.05):  # a replay at a second point (same pieces) equals eager
        want = g(X + shift, Y)
        got = ta.jit(g)(X + shift, Y)
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-14)
