"""The functional API's conventions: argnums, pytrees in and out, has_aux, vjp pullbacks, jvp,
jet's scaling (jax.experimental.jet: series terms are derivatives), derivatives, hvp; expected
values from closed forms."""
import doctest

import numpy as np
import pytest

import taylorad as ta
import taylorad.api
import taylorad.numpy as tnp

X = np.array([0.3, -0.8, 1.4])
Y = np.array([1.1, 0.4, -0.6])


def test_value_and_grad_single_and_tuple_argnums():
    f = lambda x, y: tnp.sum(tnp.sin(x) * y ** 2)  # noqa: E731
    val, g = ta.value_and_grad(f)(X, Y)
    np.testing.assert_allclose(val, np.sum(np.sin(X) * Y ** 2), rtol=1e-15)
    np.testing.assert_allclose(g, np.cos(X) * Y ** 2, rtol=1e-14)
    val, g = ta.value_and_grad(f, argnums=(0, 1))(X, Y)
    assert isinstance(g, tuple) and len(g) == 2
    np.testing.assert_allclose(g[1], 2 * np.sin(X) * Y, rtol=1e-14)
    g1 = ta.grad(f, argnums=1)(X, Y)
    np.testing.assert_allclose(g1, g[1], rtol=1e-15)
    gneg = ta.grad(f, argnums=-1)(X, Y)  # negative positions count from the end
    np.testing.assert_allclose(gneg, g[1], rtol=1e-15)
    g10 = ta.grad(f, argnums=(1, 0))(X, Y)  # the order of argnums is the order of the result
    np.testing.assert_allclose(g10[0], g[1])
    np.testing.assert_allclose(g10[1], g[0])


def test_grad_pytrees_in():
    def loss(params, x):
        W, b = params["W"], params["b"]
        return tnp.sum(tnp.tanh(x @ W + b[0]) * b[1])

    params = {"W": np.arange(6.0).reshape(3, 2) / 10, "b": [np.array([0.1, -0.2]),
                                                             np.array([1.0, 2.0])]}
    g = ta.grad(loss)(params, X)
    assert set(g) == {"W", "b"} and isinstance(g["b"], list) and len(g["b"]) == 2
    z = X @ params["W"] + params["b"][0]
    s = (1 - np.tanh(z) ** 2) * params["b"][1]
    np.testing.assert_allclose(g["W"], np.outer(X, s), rtol=1e-14)
    np.testing.assert_allclose(g["b"][0], s, rtol=1e-14)
    np.testing.assert_allclose(g["b"][1], np.tanh(z), rtol=1e-14)
    # a tuple argument gives a tuple gradient
    gt = ta.grad(lambda t: tnp.sum(t[0] * t[1]))((X, Y))
    assert isinstance(gt, tuple)
    np.testing.assert_allclose(gt[0], Y)
    np.testing.assert_allclose(gt[1], X)


def test_has_aux():
    def f(x):
        y = tnp.sin(x)
        return tnp.sum(y), {"y": y, "n": 3}

    (val, aux), g = ta.value_and_grad(f, has_aux=True)(X)
    np.testing.assert_allclose(val, np.sum(np.sin(X)))
    np.testing.assert_allclose(aux["y"], np.sin(X))
    assert type(aux["y"]) is np.ndarray and aux["n"] == 3  # aux comes back as plain values
    g2, aux2 = ta.grad(f, has_aux=True)(X)
    np.testing.assert_allclose(g, np.cos(X))
    np.testing.assert_allclose(g2, np.cos(X))
    assert type(aux2["y"]) is np.ndarray


def test_grad_of_unused_argument_is_zero():
    g = ta.grad(lambda x, y: tnp.sum(x * 2.0), argnums=(0, 1))(X, Y)
    np.testing.assert_array_equal(g[1], np.zeros(3))
    np.testing.assert_array_equal(g[0], np.full(3, 2.0))


def test_grad_closure_over_constants_and_integer_arguments():
    A = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    g = ta.grad(lambda x, n: tnp.sum((A @ x) ** n))(X, 3)
    np.testing.assert_allclose(g, A.T @ (3 * (A @ X) ** 2), rtol=1e-14)


def test_grad_scalar_input_returns_scalar_shape():
    g = ta.grad(lambda x: x * x * x)(np.float64(2.0))
    assert np.shape(g) == ()
    np.testing.assert_allclose(g, 12.0)
    g = ta.grad(lambda x: x * x)(2.0)  # a Python float becomes a float64 array
    np.testing.assert_allclose(g, 4.0)


def test_vjp_pullback_reusable_and_pytree_output():
    def f(x, y):
        return {"s": tnp.sin(x) * y, "t": (tnp.sum(x * y), x)}

    out, pb = ta.vjp(f, X, Y)
    np.testing.assert_allclose(out["s"], np.sin(X) * Y)
    assert type(out["t"][1]) is np.ndarray
    ct = {"s": np.array([1.0, 0.0, 2.0]), "t": (np.float64(0.5), np.array([0.0, 1.0, 0.0]))}
    for _ in range(2):  # the pullback can be called again
        gx, gy = pb(ct)
        np.testing.assert_allclose(gx, np.cos(X) * Y * ct["s"] + 0.5 * Y + ct["t"][1],
                                   rtol=1e-14)
        np.testing.assert_allclose(gy, np.sin(X) * ct["s"] + 0.5 * X, rtol=1e-14)
    out, pb = ta.vjp(lambda x: tnp.exp(x), X)
    (g,) = pb(np.ones(3))
    np.testing.assert_allclose(g, np.exp(X))
    out, pb, aux = ta.vjp(lambda x: (tnp.exp(x), tnp.sin(x)), X, has_aux=True)
    np.testing.assert_allclose(aux, np.sin(X))


def test_jvp_pytrees():
    def f(p):
        return {"u": p["a"] * p["b"], "v": tnp.sum(tnp.exp(p["a"]))}

    p = {"a": X, "b": Y}
    t = {"a": np.array([1.0, 0.0, -1.0]), "b": np.array([0.5, 0.5, 0.5])}
    out, tout = ta.jvp(f, (p,), (t,))
    np.testing.assert_allclose(out["u"], X * Y)
    np.testing.assert_allclose(tout["u"], t["a"] * Y + X * t["b"], rtol=1e-14)
    np.testing.assert_allclose(tout["v"], np.sum(np.exp(X) * t["a"]), rtol=1e-14)
    out, tout = ta.jvp(lambda x, y: x / y, (X, Y), (np.ones(3), np.zeros(3)))
    np.testing.assert_allclose(tout, 1 / Y, rtol=1e-14)


def test_jet_follows_jax_scaling():
    """x(t) = x₀ + v t + w t²/2 + u t³/6 (series terms are derivatives); sin's output series by
    Faà di Bruno's formula."""
    v, w, u = np.array([1.0, 0.5, -1.0]), np.array([0.2, -0.3, 1.0]), np.array([0.0, 1.0, 2.0])
    y0, (y1, y2, y3) = ta.jet(tnp.sin, (X,), ((v, w, u),))
    s, c = np.sin(X), np.cos(X)
    np.testing.assert_allclose(y0, s)
    np.testing.assert_allclose(y1, c * v, rtol=1e-14)
    np.testing.assert_allclose(y2, -s * v ** 2 + c * w, rtol=1e-13)
    np.testing.assert_allclose(y3, -c * v ** 3 - 3 * s * v * w + c * u, rtol=1e-13, atol=1e-15)
    # two inputs: (a b)'' = a'' b + 2 a' b' + a b''
    _, (p1, p2) = ta.jet(lambda a, b: a * b, (X, Y), ((v, w), (u, v)))
    np.testing.assert_allclose(p1, v * Y + X * u, rtol=1e-14)
    np.testing.assert_allclose(p2, w * Y + 2 * v * u + X * v, rtol=1e-14)
    # exp with direction 1: every derivative is exp
    _, terms = ta.jet(tnp.exp, (X,), ((np.ones(3), np.zeros(3), np.zeros(3), np.zeros(3)),))
    for t in terms:
        np.testing.assert_allclose(t, np.exp(X), rtol=1e-14)


def test_derivatives_conventions():
    ds = ta.derivatives(lambda x: x ** 4, X, np.ones(3), 5)
    assert len(ds) == 6
    want = [X ** 4, 4 * X ** 3, 12 * X ** 2, 24 * X, 24 + 0 * X, 0 * X]
    for d, w in zip(ds, want):
        np.testing.assert_allclose(d, w, rtol=1e-14, atol=1e-14)
    # a pytree input and output
    ds = ta.derivatives(lambda p: {"q": p[0] * p[1]}, (X, Y), (np.ones(3), np.ones(3)), 2)
    np.testing.assert_allclose(ds[1]["q"], X + Y)
    np.testing.assert_allclose(ds[2]["q"], 2 * np.ones(3))
    # an output that does not depend on the input has zero derivatives
    ds = ta.derivatives(lambda x: np.ones(2), X, np.ones(3), 2)
    np.testing.assert_array_equal(ds[2], np.zeros(2))


def test_hvp_matches_explicit_hessian():
    A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 1.0]])
    f = lambda x: 0.5 * tnp.sum(x * (A @ x)) + tnp.sum(tnp.exp(x))  # noqa: E731
    v = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(ta.hvp(f, X, v), A @ v + np.exp(X) * v, rtol=1e-14)
    # columns of the Hessian, one hvp each
    H = np.stack([ta.hvp(f, X, e) for e in np.eye(3)], axis=1)
    np.testing.assert_allclose(H, A + np.diag(np.exp(X)), rtol=1e-14)


def test_float32_through_the_api():
    x, y = X.astype(np.float32), Y.astype(np.float32)
    f = lambda x, y: tnp.sum(tnp.tanh(x) * y * 2.0)  # noqa: E731
    val, (gx, gy) = ta.value_and_grad(f, argnums=(0, 1))(x, y)
    assert val.dtype == gx.dtype == gy.dtype == np.float32
    out, pb = ta.vjp(lambda x: tnp.sin(x) * 0.5, x)
    assert out.dtype == pb(np.ones(3, np.float32))[0].dtype == np.float32
    _, t = ta.jvp(tnp.exp, (x,), (y,))
    assert t.dtype == np.float32
    _, terms = ta.jet(tnp.exp, (x,), ((y, y),))
    assert all(tm.dtype == np.float32 for tm in terms)
    assert ta.hvp(lambda x: f(x, y), x, y).dtype == np.float32


def test_nested_grad_argnums_and_closures_do_not_confuse_levels():
    """Perturbation confusion check: d/dx [x · d/dy (x + y)] = 1 (not 2)."""
    f = lambda x: x * ta.grad(lambda y: x + y)(np.float64(1.0))  # noqa: E731
    np.testing.assert_allclose(ta.grad(f)(np.float64(3.0)), 1.0)
    g = lambda x: ta.derivatives(lambda y: x * y, np.float64(2.0), np.float64(1.0), 1)[1]  # noqa
    np.testing.assert_allclose(ta.derivatives(g, np.float64(5.0), np.float64(1.0), 1)[1], 1.0)


def test_docstring_examples():
    failures, _ = doctest.testmod(taylorad.api, verbose=False)
    assert failures == 0
    import importlib  # noqa: PLC0415

    for name in ("functional", "testing", "numpy.construct", "numpy.modular", "numpy.tensor"):
        mod = importlib.import_module(f"taylorad.{name}")
        failures, _ = doctest.testmod(mod, verbose=False)
        assert failures == 0, mod.__name__


@pytest.mark.parametrize("fn", ["grad", "value_and_grad", "vjp", "jvp", "derivatives", "jet",
                                "hvp", "elementwise_grad", "linearize_hvp", "checkpoint"])
def test_public_functions_are_exported_and_documented(fn):
    obj = getattr(ta, fn)
    assert callable(obj) and obj.__doc__ and fn in ta.__all__
