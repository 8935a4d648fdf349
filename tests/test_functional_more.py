"""autograd's remaining functional API (issue 13, item 5): elementwise_grad, linearize_hvp,
checkpoint, and check_grads with modes/order. References: closed forms, central differences,
and the un-checkpointed computation."""
import warnings

import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.core.reverse import Node, ReverseTrace, VJPBox
from taylorad.core.rules import defvjp
from taylorad.core.trace import Primitive
from taylorad.testing import check_grads

RNG = np.random.default_rng(5)
X = np.array([-1.3, -0.2, 0.4, 1.7])


# ---------------------------------------------------------------------------------------------
# elementwise_grad: derivative at every point (closed forms)

ELEMENTWISE = [
    ("tanh", tnp.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    ("x sin x", lambda x: x * tnp.sin(x), lambda x: np.sin(x) + x * np.cos(x)),
    ("exp(x)/2", lambda x: tnp.exp(x) / 2.0, lambda x: np.exp(x) / 2.0),
    ("x % 0.9", lambda x: x % 0.9, lambda x: np.ones_like(x)),
    ("matrix", lambda x: tnp.reshape(x, (2, 2)) ** 3, lambda x: 3.0 * x ** 2),
]


@pytest.mark.parametrize("name, f, df", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_grad_closed_forms(name, f, df):
    np.testing.assert_allclose(ta.elementwise_grad(f)(X), df(X), rtol=1e-14, atol=1e-15)


def test_elementwise_grad_second_derivative_and_argnums():
    d2 = ta.elementwise_grad(ta.elementwise_grad(tnp.sin))(X)
    np.testing.assert_allclose(d2, -np.sin(X), rtol=1e-14)
    y = np.array([0.5, 2.0, 1.0, 3.0])
    gy = ta.elementwise_grad(lambda x, y: x * tnp.log(y), 1)(X, y)
    np.testing.assert_allclose(gy, X / y, rtol=1e-14)
    gx, gy = ta.elementwise_grad(lambda x, y: (x * y, x ** 2), (0, 1))(X, y)
    np.testing.assert_allclose(gx, y + 2.0 * X)  # a pytree output: all its elements summed
    np.testing.assert_allclose(gy, X)


def test_elementwise_grad_bad_input_is_named():
    with pytest.raises(TypeError, match="elementwise_grad: argument 0 has dtype int64"):
        ta.elementwise_grad(tnp.sin)(np.array([1, 2]))
    with pytest.raises(TypeError, match="elementwise_grad: the function returned dtype"):
        ta.elementwise_grad(lambda x: x > 0)(X)


# ---------------------------------------------------------------------------------------------
# linearize_hvp: one recording, many v

def _fd_hvp(f, x, v, eps=1e-5):
    g = ta.grad(f)
    return (g(x + eps * v) - g(x - eps * v)) / (2 * eps)


HVP_CASES = [
    ("cubic", lambda x: tnp.sum(x ** 3)),
    ("coupled", lambda x: tnp.sum(tnp.sin(x[:-1] * x[1:])) + tnp.log(tnp.sum(x * x))),
    ("softplus chain", lambda x: tnp.sum(tnp.log1p(tnp.exp(tnp.tanh(x) * x)))),
    ("with %", lambda x: tnp.sum((x * x) % 1.1 * tnp.cos(x))),
]


@pytest.mark.parametrize("name, f", HVP_CASES, ids=[c[0] for c in HVP_CASES])
def test_linearize_hvp_against_differences_of_the_gradient(name, f):
    hvp_at = ta.linearize_hvp(f, X)
    for _ in range(3):  # the same recording, several v
        v = RNG.standard_normal(X.shape)
        np.testing.assert_allclose(hvp_at(v), _fd_hvp(f, X, v), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(hvp_at.grad, ta.grad(f)(X), rtol=1e-15)


def test_linearize_hvp_closed_form_pytree_and_linear():
    A = RNG.standard_normal((3, 3))
    A = A + A.T
    f = lambda p: 0.5 * p["x"] @ A @ p["x"] + tnp.sum(p["y"] * p["x"][0])  # noqa: E731
    p = {"x": np.array([1.0, -2.0, 0.5]), "y": np.array([2.0, 3.0])}
    v = {"x": np.array([0.0, 1.0, 2.0]), "y": np.array([1.0, -1.0])}
    hv = ta.linearize_hvp(f, p)(v)
    np.testing.assert_allclose(hv["x"], A @ v["x"] + np.array([np.sum(v["y"]), 0, 0]))
    np.testing.assert_allclose(hv["y"], v["x"][0] * np.ones(2))
    lin = ta.linearize_hvp(lambda x: tnp.sum(3.0 * x), X)
    np.testing.assert_array_equal(lin(np.ones(4)), np.zeros(4))  # the gradient is constant


def test_linearize_hvp_float32_and_bad_v():
    x = X.astype(np.float32)
    h = ta.linearize_hvp(lambda x: tnp.sum(x ** 4), x)
    out = h(np.ones(4, np.float32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, 12.0 * x ** 2, rtol=1e-6)
    with pytest.raises(ValueError, match="linearize_hvp: v has shape"):
        h(np.ones(3, np.float32))
    with pytest.raises(TypeError, match="linearize_hvp: the function must return a scalar"):
        ta.linearize_hvp(lambda x: x, X)


# ---------------------------------------------------------------------------------------------
# checkpoint: same numbers, fewer stored intermediates

def _block(x, w):
    for _ in range(4):
        x = tnp.tanh(x * w) + tnp.sin(x)
    return x


def _loss(block):
    def f(x):
        h = block(x, 1.5)
        return tnp.sum(h * h) + tnp.sum(block(h, 0.5))
    return f


PLAIN, CKPT = _loss(_block), _loss(ta.checkpoint(_block))
V = np.array([0.3, -1.0, 0.5, 2.0])
COMPOSITIONS = [
    ("value", lambda f: f(X)),
    ("grad", lambda f: ta.grad(f)(X)),
    ("hvp", lambda f: ta.hvp(f, X, V)),
    ("hessian", lambda f: ta.hessian(f)(X)),
    ("grad of grad", lambda f: ta.grad(lambda x: tnp.sum(ta.grad(f)(x) ** 2))(X)),
    ("derivatives of grad", lambda f: ta.derivatives(ta.grad(f), X, V, 3)[3]),
    ("derivatives", lambda f: ta.derivatives(f, X, V, 4)[4]),
    ("jit(grad)", lambda f: ta.jit(ta.grad(f))(X)),
    ("jit(hvp)", lambda f: ta.jit(lambda x, v: ta.hvp(f, x, v))(X, V)),
    ("linearize_hvp", lambda f: ta.linearize_hvp(f, X)(V)),
    ("elementwise_grad", lambda f: ta.elementwise_grad(f)(X)),
    ("jacrev(grad)", lambda f: ta.jacrev(ta.grad(f))(X)),
    ("hessian_diag", lambda f: ta.hessian_diag(f)(X)),
]


@pytest.mark.parametrize("name, use", COMPOSITIONS, ids=[c[0] for c in COMPOSITIONS])
def test_checkpoint_gives_the_same_numbers(name, use):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback hides here
        got = use(CKPT)
    np.testing.assert_allclose(got, use(PLAIN), rtol=1e-12, atol=1e-13)


def test_checkpoint_gradient_against_differences():
    check_grads(CKPT, (X,), order=2, modes=("rev",))


def _tape_length(f, x):
    tr = ReverseTrace()
    with tr:
        f(VJPBox(x, tr, Node()))
    return len(tr.tape)


def test_checkpoint_tape_holds_fewer_intermediates():
    plain, ckpt = _tape_length(PLAIN, X), _tape_length(CKPT, X)
    # each block call is one node instead of 4 × (mul, tanh, sin, add) = 16
    assert ckpt == plain - 2 * (16 - 1), (plain, ckpt)


def test_checkpoint_passes_other_arguments_and_outputs():
    seen = []

    @ta.checkpoint
    def block(x, name, scale=1.0, opts=None):
        seen.append((name, opts))
        return tnp.sin(x) * scale, name, np.arange(2)

    opts = {"k": 1}
    g = ta.grad(lambda x: tnp.sum(block(x, "s", scale=2.0, opts=opts)[0]))(X)
    np.testing.assert_allclose(g, 2.0 * np.cos(X))
    assert all(n == "s" and o is opts for n, o in seen) and len(seen) == 2  # forward, backward
    assert block(X, "t")[1] == "t"  # outside a reverse pass: just the function
    assert block.__name__ == "block"


def test_checkpoint_with_closed_over_traced_value_warns_and_stays_correct():
    def f(x):
        blk = ta.checkpoint(lambda y: tnp.sin(y * x))  # x is closed over
        return tnp.sum(blk(x))
    with pytest.warns(RuntimeWarning, match="checkpoint.*pass those values as arguments"):
        g = ta.grad(f)(X)
    np.testing.assert_allclose(g, 2.0 * X * np.cos(X * X))


# ---------------------------------------------------------------------------------------------
# check_grads: autograd's modes and order


def _wrong_second_order():
    """cube with a correct first derivative whose VJP rule hides the second (stop_gradient)."""
    p = Primitive("cube_test", lambda x: x ** 3)
    defvjp(p, lambda g, ans, x: g * 3.0 * tnp.stop_gradient(x) ** 2)
    return p


def test_check_grads_order_two_catches_a_wrong_second_derivative():
    cube = _wrong_second_order()
    check_grads(cube, (X,), modes=("rev",))  # order 1 passes: the first derivative is right
    with pytest.raises(AssertionError):
        check_grads(cube, (X,), modes=("rev",), order=2)
    check_grads(lambda x: x ** 3, (X,), order=2)  # the real one passes


def test_check_grads_autograd_spelling_and_errors():
    check_grads(lambda x, y: tnp.sum(tnp.sin(x) * y), modes=["fwd", "rev"], order=2)(X, X)
    check_grads(tnp.exp, order=3)(X[:2])
    with pytest.raises(ValueError, match="check_grads: modes"):
        check_grads(tnp.sin, (X,), modes=("bwd",))
    with pytest.raises(ValueError, match="check_grads: order"):
        check_grads(tnp.sin, (X,), order=0)
