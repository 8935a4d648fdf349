"""Compositions of the transforms agree with each other and with closed forms.

grad∘grad (forward over reverse), jvp/derivatives over grad, grad over derivatives (reverse over
Taylor), derivatives over derivatives, closures (force matching), nesting depth 3-4, HVPs against
differences of the gradient, reverse-over-reverse (through ta.vjp) against the forward-over-reverse
shortcut, and high-order `derivatives` against closed forms.
"""
import math

import numpy as np
import pytest

import taylorad as ta
import taylorad.core.nested as nested
import taylorad.numpy as tnp
from taylorad.testing import check_grads, check_hvp


def sc(x):
    return np.float64(x)


# ---------------------------------------------------------------------------------------------
# a small tanh MLP on a flat parameter vector (exercises getitem/reshape/matmul/broadcasting)

SIZES = [(3, 5), (5, 4), (4, 1)]
N_PARAMS = sum(i * o + o for i, o in SIZES)


def unpack(theta):
    params, k = [], 0
    for i, o in SIZES:
        W = tnp.reshape(theta[k:k + i * o], (i, o))
        k += i * o
        b = theta[k:k + o]
        k += o
        params.append((W, b))
    return params


def mlp(theta, X):
    h = X
    params = unpack(theta)
    for n, (W, b) in enumerate(params):
        h = h @ W + b
        if n < len(params) - 1:
            h = tnp.tanh(h)
    return h[:, 0]


def mlp_loss(theta, X, y):
    return tnp.mean((mlp(theta, X) - y) ** 2)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((7, 3))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    theta = rng.standard_normal(N_PARAMS) * 0.5
    return theta, X, y


# ---------------------------------------------------------------------------------------------
# HVP against differences of the gradient

HVP_FUNS = [
    ("quartic", lambda x: tnp.sum(x ** 4) + tnp.sum(x[:-1] * x[1:])),
    ("rosenbrock", lambda x: tnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)),
    ("logsumexp", lambda x: tnp.log(tnp.sum(tnp.exp(x)))),
    ("trig", lambda x: tnp.sum(tnp.sin(x) * tnp.exp(x) + tnp.cos(x[::-1]) / (2.0 + x * x))),
    ("matrix", lambda x: tnp.sum(tnp.tanh(tnp.reshape(x, (2, 3)) @ tnp.reshape(x, (3, 2))))),
    ("sigmoid_pow", lambda x: tnp.sum(tnp.sigmoid(x) ** 2.5 + tnp.sqrt(1.0 + x * x))),
]


@pytest.mark.parametrize("name,f", HVP_FUNS, ids=[r[0] for r in HVP_FUNS])
def test_hvp_against_gradient_differences(name, f):
    x = np.random.default_rng(1).uniform(-1, 1, 6)
    check_hvp(f, x, rtol=1e-6, atol=1e-7)
    v = np.random.default_rng(2).standard_normal(6)
    # forward over reverse, four ways: hvp, jvp of grad, derivatives of grad, grad of <grad, v>
    h = ta.hvp(f, x, v)
    _, h_jvp = ta.jvp(ta.grad(f), (x,), (v,))
    h_der = ta.derivatives(ta.grad(f), x, v, 1)[1]
    h_gg = ta.grad(lambda x: tnp.sum(ta.grad(f)(x) * v))(x)
    for other in (h_jvp, h_der, h_gg):
        np.testing.assert_allclose(other, h, rtol=1e-12, atol=1e-12)


def test_hvp_mlp(data):
    theta, X, y = data
    f = lambda th: mlp_loss(th, X, y)  # noqa: E731
    check_grads(f, (theta,))
    check_hvp(f, theta, rtol=1e-6, atol=1e-8)
    v = np.random.default_rng(3).standard_normal(theta.shape)
    h = ta.hvp(f, theta, v)
    np.testing.assert_allclose(ta.grad(lambda th: tnp.sum(ta.grad(f)(th) * v))(theta), h,
                               rtol=1e-11, atol=1e-12)


def test_hvp_pytree_matches_closed_form():
    def f(p):
        return tnp.sum(p["a"] ** 2 * p["b"][0]) + tnp.sum(tnp.sin(p["b"]))

    p = {"a": np.array([1.0, 2.0]), "b": np.array([0.5, -0.3])}
    v = {"a": np.array([0.1, -1.0]), "b": np.array([2.0, 1.0])}
    h = ta.hvp(f, p, v)
    # ∂²f/∂a² = 2 b0 I, ∂²f/∂a∂b0 = 2a, ∂²f/∂b² = diag(−sin b)
    ha = 2 * p["b"][0] * v["a"] + 2 * p["a"] * v["b"][0]
    hb = -np.sin(p["b"]) * v["b"] + np.array([np.sum(2 * p["a"] * v["a"]), 0.0])
    np.testing.assert_allclose(h["a"], ha, rtol=1e-13)
    np.testing.assert_allclose(h["b"], hb, rtol=1e-13)


# ---------------------------------------------------------------------------------------------
# grad∘grad and deeper nesting, scalar closed forms

SCALAR = [
    # f, [f', f'', f''', f'''']
    (lambda x: tnp.sin(x) * x ** 3,
     [lambda x: np.cos(x) * x ** 3 + 3 * x ** 2 * np.sin(x),
      lambda x: -np.sin(x) * x ** 3 + 6 * x ** 2 * np.cos(x) + 6 * x * np.sin(x),
      lambda x: (-np.cos(x) * x ** 3 - 9 * x ** 2 * np.sin(x) + 18 * x * np.cos(x)
                 + 6 * np.sin(x)),
      lambda x: (np.sin(x) * x ** 3 - 12 * x ** 2 * np.cos(x) - 36 * x * np.sin(x)
                 + 24 * np.cos(x))]),
    (lambda x: tnp.exp(2.0 * x),
     [lambda x, n=n: 2.0 ** n * np.exp(2 * x) for n in range(1, 5)]),
    (lambda x: tnp.log(x) / x,  # (log x)/x
     [lambda x: (1 - np.log(x)) / x ** 2,
      lambda x: (2 * np.log(x) - 3) / x ** 3,
      lambda x: (11 - 6 * np.log(x)) / x ** 4,
      lambda x: (24 * np.log(x) - 50) / x ** 5]),
]


@pytest.mark.parametrize("row", range(len(SCALAR)))
def test_nested_grad_depth_1_to_4(row):
    f, ders = SCALAR[row]
    x = sc(1.3)
    g = f
    for n, d in enumerate(ders, start=1):
        g = ta.grad(g)
        np.testing.assert_allclose(g(x), d(1.3), rtol=1e-11, err_msg=f"depth {n}")
    # forward over nested reverse: derivatives of grad(grad(f)) give f⁽²⁺ᵏ⁾
    ds = ta.derivatives(ta.grad(ta.grad(f)), x, sc(1.0), 2)
    np.testing.assert_allclose([ds[0], ds[1], ds[2]], [ders[1](1.3), ders[2](1.3), ders[3](1.3)],
                               rtol=1e-11)
    # Taylor directly, for comparison with the nested gradients
    ds = ta.derivatives(f, x, sc(1.0), 4)
    np.testing.assert_allclose(ds[1:], [d(1.3) for d in ders], rtol=1e-11)


def test_third_derivative_tensor_by_nesting():
    """grad_x <w, H(x) v> for f = Σ sin(x_i) x_{i+1}: compare with closed form."""
    rng = np.random.default_rng(4)
    x, v, w = rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal(5)

    def f(x):
        return tnp.sum(tnp.sin(x[:-1]) * x[1:])

    got = ta.grad(lambda x: tnp.sum(ta.hvp(f, x, v) * w))(x)
    got2 = ta.grad(lambda x: tnp.sum(ta.grad(lambda y: tnp.sum(ta.grad(f)(y) * v))(x) * w))(x)
    # f = Σ s(x_i) x_{i+1}; third derivatives: ∂³/∂x_i³ = −cos(x_i) x_{i+1}, ∂³/∂x_i²∂x_{i+1} =
    # −sin(x_i); so (∇<w, Hv>)_j = Σ_{k,l} T_jkl v_k w_l
    T = np.zeros((5, 5, 5))
    for i in range(4):
        T[i, i, i] = -np.cos(x[i]) * x[i + 1]
        for a, b, c in ((i, i, i + 1), (i, i + 1, i), (i + 1, i, i)):
            T[a, b, c] = -np.sin(x[i])
    want = np.einsum("jkl,k,l->j", T, v, w)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(got2, want, rtol=1e-12, atol=1e-13)


# ---------------------------------------------------------------------------------------------
# forward over reverse: derivatives of a gradient


def test_derivatives_over_grad_closed_form():
    rng = np.random.default_rng(5)
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    f = lambda x: tnp.sum(tnp.sin(x) + 0.5 * x * x)  # noqa: E731 - ∇f = cos(x) + x
    ds = ta.derivatives(ta.grad(f), x, v, 6)
    np.testing.assert_allclose(ds[0], np.cos(x) + x, rtol=1e-14)
    np.testing.assert_allclose(ds[1], -np.sin(x) * v + v, rtol=1e-13)
    for k in range(2, 7):
        np.testing.assert_allclose(ds[k], np.cos(x + k * np.pi / 2) * v ** k, rtol=1e-12,
                                   atol=1e-14)


# ---------------------------------------------------------------------------------------------
# reverse over Taylor: a loss containing a second derivative, differentiated w.r.t. a parameter


def test_grad_over_derivatives_closed_form():
    x = np.array([0.3, -0.7, 1.1])
    v = np.array([1.0, 0.5, -2.0])

    def loss(th):  # Σ d²/dt² sin(θ (x + t v)) = Σ −θ² v² sin(θ x)
        return tnp.sum(ta.derivatives(lambda y: tnp.sin(th * y), x, v, 2)[2])

    th = sc(0.8)
    np.testing.assert_allclose(loss(th), np.sum(-th ** 2 * v ** 2 * np.sin(th * x)), rtol=1e-13)
    want = np.sum(-2 * th * v ** 2 * np.sin(th * x) - th ** 2 * v ** 2 * x * np.cos(th * x))
    np.testing.assert_allclose(ta.grad(loss)(th), want, rtol=1e-12)
    # the same through jvp-of-jvp would need nesting; through hvp (forward over reverse) too:
    loss_h = lambda th: tnp.sum(ta.hvp(lambda y: tnp.sum(tnp.sin(th * y)), x, v) * v)  # noqa
    np.testing.assert_allclose(ta.grad(loss_h)(th), want, rtol=1e-12)


def test_pinn_style_loss_second_derivative_of_network(data):
    """loss(θ) = mean((u_xx + sin x)²) with u = MLP(x; θ); check against differences of loss."""
    theta = data[0]
    xs = np.linspace(-1, 1, 5)

    def u(th, x):  # the network on a 1-D input: X = [x, x², 1]
        X = tnp.stack([x, x * x, tnp.ones_like(x) + 0.0 * x], axis=1)
        return mlp(th, X)

    def loss(th):
        uxx = ta.derivatives(lambda x: u(th, x), xs, np.ones_like(xs), 2)[2]
        return tnp.mean((uxx + tnp.sin(xs)) ** 2)

    check_grads(loss, (theta,), rtol=1e-5)


# ---------------------------------------------------------------------------------------------
# derivatives over derivatives


def test_derivatives_over_derivatives():
    x, v, w = 0.4, 1.3, -0.7

    def inner(s):  # d²/dt² sin(x + s w + t v) = −sin(x + s w) v²
        return ta.derivatives(lambda y: tnp.sin(y), x + s * w, sc(v), 2)[2]

    ds = ta.derivatives(inner, sc(0.0), sc(1.0), 5)
    for j in range(6):  # dʲ/dsʲ: sin⁽²⁺ʲ⁾(x) v² wʲ
        np.testing.assert_allclose(ds[j], np.sin(x + (2 + j) * np.pi / 2) * v ** 2 * w ** j,
                                   rtol=1e-12, atol=1e-14)
    # mixed partial of exp(a·b) in a and b by nesting jvp inside derivatives
    a, b = 0.5, 1.5
    dd = ta.derivatives(lambda s: ta.jvp(lambda t: tnp.exp((a + s) * t), (sc(b),),
                                         (sc(1.0),))[1], sc(0.0), sc(1.0), 1)[1]
    # ∂²/∂a∂b exp(ab) = exp(ab)(1 + ab)
    np.testing.assert_allclose(dd, np.exp(a * b) * (1 + a * b), rtol=1e-13)


def test_grad_of_jvp_and_jvp_of_grad_agree():
    rng = np.random.default_rng(6)
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    f = lambda x: tnp.sum(tnp.exp(tnp.sin(x)) * x[::-1])  # noqa: E731
    a = ta.grad(lambda x: ta.jvp(f, (x,), (v,))[1])(x)  # reverse over forward
    b = ta.jvp(ta.grad(f), (x,), (v,))[1]  # forward over reverse
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


# ---------------------------------------------------------------------------------------------
# closures: force matching


def _energy(x, th):
    return tnp.sum(th[0] * tnp.tanh(th[1] * x) + th[2] * x * x)


def test_force_matching_closed_form():
    x = np.array([0.3, -0.5, 1.2, 0.05])
    th = np.array([1.1, 0.7, -0.4])

    def loss(th):  # F = ∂E/∂x = θ0 θ1 sech²(θ1 x) + 2 θ2 x; closure over θ
        F = ta.grad(lambda x: _energy(x, th))(x)
        return tnp.sum(F ** 2)

    s2 = 1 / np.cosh(th[1] * x) ** 2
    F = th[0] * th[1] * s2 + 2 * th[2] * x
    np.testing.assert_allclose(loss(th), np.sum(F ** 2), rtol=1e-13)
    dF0 = th[1] * s2
    dF1 = th[0] * s2 + th[0] * th[1] * (-2 * s2 * np.tanh(th[1] * x) * x)
    dF2 = 2 * x
    want = np.array([np.sum(2 * F * d) for d in (dF0, dF1, dF2)])
    np.testing.assert_allclose(ta.grad(loss)(th), want, rtol=1e-12)
    # θ as an explicit second argument instead of a closure: the same answer
    loss2 = lambda th: tnp.sum(ta.grad(_energy)(x, th) ** 2)  # noqa: E731
    np.testing.assert_allclose(ta.grad(loss2)(th), want, rtol=1e-12)
    # and the Hessian of the loss along a direction (depth 3: grad ∘ grad inside hvp)
    d = np.array([0.3, -1.0, 0.5])
    fd = (ta.grad(loss)(th + 1e-5 * d) - ta.grad(loss)(th - 1e-5 * d)) / 2e-5
    np.testing.assert_allclose(ta.hvp(loss, th, d), fd, rtol=1e-6, atol=1e-8)


def test_force_matching_mlp_potential(data):
    """E(x; θ) = Σ MLP; loss(θ) = mean((−∇ₓE − F_ref)²): grad vs central differences."""
    theta = data[0]
    X = np.random.default_rng(7).standard_normal((4, 3))
    F_ref = np.random.default_rng(8).standard_normal((4, 3))

    def loss(th):
        F = -ta.grad(lambda X: tnp.sum(mlp(th, X)))(X)
        return tnp.mean((F - F_ref) ** 2)

    check_grads(loss, (theta,), rtol=1e-5)


def test_value_and_grad_inside_loss_with_aux():
    x = np.array([0.2, 0.9])

    def loss(th):
        (val, aux), g = ta.value_and_grad(lambda y: (tnp.sum(tnp.exp(th * y)), y * 2.0),
                                          has_aux=True)(x)
        return val + tnp.sum(g * g) + 0.0 * tnp.sum(aux)

    # val = Σ e^{θx}, g = θ e^{θx}; d/dθ = Σ x e^{θx} + Σ 2 θ e^{2θx} (1 + θ x)
    th = sc(0.6)
    want = np.sum(x * np.exp(th * x) + 2 * th * np.exp(2 * th * x) * (1 + th * x))
    np.testing.assert_allclose(ta.grad(loss)(th), want, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# nested grad = reverse-over-reverse, and it really goes forward over reverse


def _vjp_grad(f):
    """∇f by a pullback: called under an outer vjp this is differentiated reverse over reverse."""
    def g(x):
        y, pb = ta.vjp(f, x)
        return pb(np.ones_like(np.asarray(ta.core.trace.getval(y))))[0]
    return g


def _spy(monkeypatch):
    calls = []
    real = nested._Recording.tangents  # the forward (Taylor) sweep that is a nested node's VJP

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(nested._Recording, "tangents", spy)
    return calls


def test_nested_grad_equals_reverse_over_reverse(monkeypatch, data):
    theta, X, y = data
    f = lambda th: mlp_loss(th, X, y)  # noqa: E731
    w = np.random.default_rng(9).standard_normal(theta.shape)
    calls = _spy(monkeypatch)
    # reverse over reverse: the outer vjp tapes the inner pullback's backward pass
    _, pb = ta.vjp(_vjp_grad(f), theta)
    rr = pb(w)[0]
    assert not calls, "reverse over reverse must not take the forward-over-reverse shortcut"
    # nested grad: one gradient node whose VJP is a forward-over-reverse pass
    fr = ta.grad(lambda th: tnp.sum(ta.grad(f)(th) * w))(theta)
    assert len(calls) == 1
    np.testing.assert_allclose(fr, rr, rtol=1e-11, atol=1e-12)
    # and both are H·w (H symmetric), as hvp gives
    np.testing.assert_allclose(ta.hvp(f, theta, w), rr, rtol=1e-11, atol=1e-12)


def test_nested_grad_scalar_goes_forward_over_reverse(monkeypatch):
    calls = _spy(monkeypatch)
    f = lambda x: tnp.sin(x) * x ** 3  # noqa: E731
    x = sc(0.9)
    gg = ta.grad(ta.grad(f))(x)
    assert len(calls) == 1
    _, pb = ta.vjp(_vjp_grad(f), x)
    assert len(calls) == 1
    np.testing.assert_allclose(gg, pb(sc(1.0))[0], rtol=1e-13)
    np.testing.assert_allclose(gg, -np.sin(0.9) * 0.9 ** 3 + 6 * 0.81 * np.cos(0.9)
                               + 6 * 0.9 * np.sin(0.9), rtol=1e-13)
    ta.grad(ta.grad(ta.grad(f)))(x)  # depth 3: the shortcut is taken at each level
    assert len(calls) >= 3


def test_closure_force_matching_goes_forward_over_reverse(monkeypatch):
    calls = _spy(monkeypatch)
    x = np.array([0.3, -0.5])
    ta.grad(lambda th: tnp.sum(ta.grad(lambda x: _energy(x, th))(x) ** 2))(
        np.array([1.0, 0.5, 0.2]))
    assert len(calls) == 1


# ---------------------------------------------------------------------------------------------
# derivatives to order 20 against closed forms


def test_derivatives_order_20_sin_exp():
    x, v = np.array([0.3, -1.2, 2.5]), np.array([1.0, 0.7, -1.3])
    ds = ta.derivatives(tnp.sin, x, v, 20)
    es = ta.derivatives(tnp.exp, x, v, 20)
    assert len(ds) == len(es) == 21
    for k in range(21):
        scale = np.abs(v) ** k
        np.testing.assert_allclose(ds[k], np.sin(x + k * np.pi / 2) * v ** k,
                                   rtol=0, atol=1e-13 * scale.max() + 1e-300)
        np.testing.assert_allclose(es[k], np.exp(x) * v ** k, rtol=1e-12)


def test_derivatives_order_20_rational():
    """f = 1/(1+x²) = Im 1/(x − i): f⁽ᵏ⁾(x) = (−1)ᵏ k! Im (x − i)^−(k+1)."""
    x = np.array([0.0, 0.4, -1.5, 3.0])
    ds = ta.derivatives(lambda x: 1.0 / (1.0 + x * x), x, np.ones_like(x), 20)
    for k in range(21):
        z = (x - 1j) ** -(k + 1)
        want = (-1) ** k * math.factorial(k) * z.imag
        scale = math.factorial(k) * np.abs(z)  # the size of the terms that cancel
        assert np.all(np.abs(ds[k] - want) <= 1e-11 * scale), (k, ds[k], want)


# ---------------------------------------------------------------------------------------------
# mixed nesting, depth 3-4


def _E(x, th):
    return tnp.sum(th[0] * tnp.sin(th[1] * x) * x[::-1])


def test_reverse_over_taylor_over_reverse():
    """loss(θ) = Σ (d²/dt² ∇ₓE(x + t v, θ))²: grad vs central differences of loss."""
    x, v = np.array([0.3, -0.5, 1.2]), np.array([1.0, 0.5, -0.3])

    def loss(th):
        return tnp.sum(ta.derivatives(lambda y: ta.grad(_E)(y, th), x, v, 2)[2] ** 2)

    check_grads(loss, (np.array([0.7, 1.3]),))


def test_depth_four_hvp_of_a_loss_containing_an_hvp():
    x, v = np.array([0.3, -0.5, 1.2]), np.array([1.0, 0.5, -0.3])
    loss = lambda th: tnp.sum(ta.hvp(lambda y: _E(y, th), x, v) ** 2)  # noqa: E731
    d = np.array([1.0, -1.0])
    check_grads(lambda th: ta.hvp(loss, th, d), (np.array([0.7, 1.3]),))


def test_jet_over_grad():
    x, v = np.array([0.3, -0.5, 1.2]), np.array([1.0, 0.5, -0.3])
    y0, (y1, y2) = ta.jet(ta.grad(lambda x: tnp.sum(tnp.sin(x))), (x,), ((v, 0 * v),))
    np.testing.assert_allclose(y0, np.cos(x))
    np.testing.assert_allclose(y1, -np.sin(x) * v, rtol=1e-14)
    np.testing.assert_allclose(y2, -np.cos(x) * v * v, rtol=1e-14)
