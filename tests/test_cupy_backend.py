"""The whole library on the CuPy backend (``gpu`` marker: skipped without cupy and a device).

Every transform — grad, nested grad, hvp, derivatives, jet, hessian, jacfwd/jacrev, the three
Laplacians, jit, the optimizers and the MindSpore facade — runs on cupy arrays and must return
cupy arrays equal to the NumPy backend's results, which the rest of the suite checks against
finite differences, closed forms and mpmath. A few rows are also checked against an independent
reference directly (finite differences of the cupy gradient, closed forms).
"""
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
import taylorad.optimize

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def cp():
    cupy = pytest.importorskip("cupy")
    try:
        if cupy.cuda.runtime.getDeviceCount() == 0:
            pytest.skip("cupy is installed but there is no CUDA device")
    except Exception as err:  # noqa: BLE001 - any failure means: no usable device
        pytest.skip(f"cupy is installed but no CUDA device is usable ({err})")
    return cupy


def _host(tree):
    if isinstance(tree, (tuple, list)):
        return type(tree)(_host(t) for t in tree)
    if isinstance(tree, dict):
        return {k: _host(v) for k, v in tree.items()}
    return tree.get() if hasattr(tree, "get") else np.asarray(tree)


def _dev(cp, tree):
    if isinstance(tree, (tuple, list)):
        return type(tree)(_dev(cp, t) for t in tree)
    if isinstance(tree, dict):
        return {k: _dev(cp, v) for k, v in tree.items()}
    return cp.asarray(tree)


def _leaves(tree):
    if isinstance(tree, (tuple, list)):
        return [x for t in tree for x in _leaves(t)]
    if isinstance(tree, dict):
        return [x for k in sorted(tree) for x in _leaves(tree[k])]
    return [tree]


def _same(cp, got, ref, rtol=1e-10, atol=1e-12):
    """got (cupy pytree) equals ref (numpy pytree); every leaf lives on the device."""
    g, r = _leaves(got), _leaves(ref)
    assert len(g) == len(r)
    for a, b in zip(g, r):
        if isinstance(b, np.ndarray) and b.ndim > 0:
            assert isinstance(a, cp.ndarray), f"expected a cupy array, got {type(a).__name__}"
        np.testing.assert_allclose(_host(a), b, rtol=rtol, atol=atol)


def _both(cp, transform, *args):
    """transform(*args) on numpy and on cupy copies of args."""
    ref = transform(*args)
    got = transform(*_dev(cp, args))
    return got, ref


# --- a function that touches every primitive family -------------------------------------------

def _kitchen(x):
    a = tnp.reshape(x, (3, 4))
    b = tnp.matmul(a, tnp.transpose(a))
    eye = tnp.diag(tnp.ones_like(x[:3]))  # on x's device
    e = tnp.einsum("ij,jk->ik", a[:, :3], a[:, 1:].T)
    idx = np.array([0, 2, 2, 1])
    s = tnp.sum(a[idx] ** 2) + tnp.sum(tnp.take(x, np.array([1, 5, 5])))
    c = tnp.concatenate([tnp.ravel(a[0]), tnp.ravel(a[:, 1])])
    st = tnp.stack([tnp.sin(c), tnp.cos(c)])
    w = tnp.where(x > 0.1, tnp.exp(x), tnp.log1p(x * x))
    r = (tnp.sum(tnp.tanh(e)) + tnp.mean(st * st) + tnp.max(tnp.cumsum(w)) + s
         + tnp.logsumexp(a, axis=1).sum() + tnp.sum(tnp.softmax(a, axis=0) * a)
         + tnp.sum(tnp.sqrt(1.0 + a * a)) + tnp.sum(tnp.sigmoid(a) * tnp.arctan(a))
         + tnp.sum(tnp.erf(a)) + tnp.prod(1.0 + 0.1 * c) + tnp.var(x) + tnp.sum(tnp.maximum(a, 0.2)))
    r = r + tnp.linalg.slogdet(b + 5.0 * eye)[1] + tnp.sum(tnp.linalg.solve(b + 4.0 * eye, e))
    r = r + tnp.sum(tnp.linalg.inv(b + 6.0 * eye)) + tnp.sum(tnp.linalg.cholesky(b + eye))
    return r + tnp.linalg.norm(a) + tnp.sum(tnp.power(1.0 + a * a, 1.5)) + tnp.sum(a[..., ::2, 1:3])


X12 = np.linspace(-0.9, 1.3, 12) + 0.05 * np.sin(np.arange(12.0))
V12 = np.cos(np.arange(12.0))


def test_kitchen_value_grad_and_fd(cp):
    got, ref = _both(cp, ta.value_and_grad(_kitchen), X12)
    _same(cp, got, ref)
    # independent: central differences of the value computed on the device
    g = _host(got[1])
    h = 1e-6
    for i in (0, 5, 11):
        e = np.zeros(12)
        e[i] = h
        fd = (float(_kitchen(cp.asarray(X12 + e))) - float(_kitchen(cp.asarray(X12 - e)))) / (2 * h)
        assert g[i] == pytest.approx(fd, rel=1e-6, abs=1e-7)


def test_kitchen_hvp_hessian_derivatives_jet(cp):
    _same(cp, *_both(cp, lambda x, v: ta.hvp(_kitchen, x, v), X12, V12), rtol=1e-9)
    _same(cp, *_both(cp, ta.hessian(_kitchen), X12), rtol=1e-9, atol=1e-10)
    _same(cp, *_both(cp, lambda x, v: ta.derivatives(_kitchen, x, v, 4), X12, V12), rtol=1e-8, atol=1e-9)
    _same(cp, *_both(cp, lambda x, v: ta.jet(_kitchen, (x,), ((v, 0 * v, v),)), X12, V12),
          rtol=1e-8, atol=1e-9)
    _same(cp, *_both(cp, lambda x, v: ta.jvp(_kitchen, (x,), (v,)), X12, V12))
    _same(cp, *_both(cp, lambda x, v: ta.vjp(tnp.sin, x)[1](v), X12, V12))


def test_nested_grad_depth_three(cp):
    f = lambda x: tnp.sin(x) * tnp.exp(0.5 * x)  # noqa: E731
    d3 = ta.grad(ta.grad(ta.grad(f)))
    x = 0.7
    got = d3(cp.asarray(x))
    # closed form: Im((i + 1/2)^3 e^{(i+1/2)x})
    ref = ((1j + 0.5) ** 3 * np.exp((1j + 0.5) * x)).imag
    assert type(got).__module__.split(".")[0] == cp.__name__
    assert float(got) == pytest.approx(ref, rel=1e-12)
    # a vector function: grad of a grad-norm (force-matching shape)
    E = lambda r: tnp.sum(tnp.exp(-r ** 2) * tnp.cos(r))  # noqa: E731
    loss = lambda r: tnp.sum(ta.grad(E)(r) ** 2)  # noqa: E731
    _same(cp, *_both(cp, ta.grad(loss), X12), rtol=1e-10)


def _mlp(params, x):
    W1, b1, W2, b2, w3 = params
    h = tnp.tanh(x @ W1 + b1)
    h = tnp.tanh(h @ W2 + b2)
    return h @ w3


def _mlp_params(d=4, m=8):
    rng = np.random.default_rng(7)
    return (rng.standard_normal((d, m)) / 2, rng.standard_normal(m) / 4,
            rng.standard_normal((m, m)) / 3, rng.standard_normal(m) / 4, rng.standard_normal(m) / 3)


@pytest.mark.parametrize("method", ["collapsed", "stacked", "nested"])
def test_laplacian_methods(cp, method):
    P = _mlp_params()
    pts = np.random.default_rng(1).standard_normal((5, 4))
    got, ref = _both(cp, lambda p, x: ta.laplacian(lambda y: _mlp(p, y), method=method)(x), P, pts)
    _same(cp, got, ref, rtol=1e-9, atol=1e-11)


def test_jacobians_and_hessian_diag(cp):
    f = lambda x: tnp.tanh(tnp.outer(x, x)).sum(axis=0) * tnp.exp(-x)  # noqa: E731
    _same(cp, *_both(cp, ta.jacfwd(f), X12))
    _same(cp, *_both(cp, ta.jacrev(f), X12))
    g = lambda x: tnp.sum(tnp.sin(x) * tnp.roll(x, 1))  # noqa: E731
    _same(cp, *_both(cp, ta.hessian_diag(g), X12))
    _same(cp, *_both(cp, lambda x, v: ta.hvp_batch(g, x, v), X12, np.eye(12)[:3]))


def test_pinn_second_derivative_in_a_loss(cp):
    """u_xx in a loss, differentiated w.r.t. the weights: reverse over Taylor on the device."""
    P = _mlp_params(d=1, m=6)
    xs = np.linspace(-1, 1, 7).reshape(7, 1)

    def loss(p, x):
        u = lambda y: tnp.sum(_mlp(p, y))  # noqa: E731 - points independent: sum gives u' per point
        uxx = ta.derivatives(lambda y: _mlp(p, y), x, tnp.ones_like(x), 2)[2]
        return tnp.mean((uxx + tnp.sin(x[:, 0])) ** 2) + 0.0 * u(x)

    _same(cp, *_both(cp, ta.grad(loss), P, xs), rtol=1e-9, atol=1e-12)


def test_jit_grad_and_hvp(cp):
    f = lambda x: tnp.sum(tnp.log1p(x * x) * tnp.sigmoid(x)) + tnp.sum(x[:3] * x[-3:])  # noqa: E731
    g = ta.jit(ta.grad(f))
    hv = ta.jit(lambda x, v: ta.hvp(f, x, v))
    for _ in range(3):  # capture, then replays
        _same(cp, *_both(cp, g, X12))
        _same(cp, *_both(cp, hv, X12, V12))


@pytest.mark.parametrize("method", ["newton-cg", "trust-ncg", "trust-krylov", "trust-exact", "newton-exact"])
def test_optimizers_on_device(cp, method):
    def rosen(x):
        return tnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    x0 = cp.asarray(np.full(6, -1.2) + 0.1 * np.arange(6))
    res = ta.optimize.minimize(rosen, x0, method=method, options={"gtol": 1e-8})
    assert res.success, res.message
    assert isinstance(res.x, cp.ndarray)
    np.testing.assert_allclose(_host(res.x), np.ones(6), atol=1e-6)


def test_float32_stays_float32(cp):
    x = cp.asarray(X12, dtype=cp.float32)
    f = lambda y: tnp.sum(tnp.tanh(y) ** 2)  # noqa: E731
    g = ta.grad(f)(x)
    assert g.dtype == cp.float32
    np.testing.assert_allclose(_host(g), 2 * np.tanh(X12) / np.cosh(X12) ** 2, rtol=1e-5)
    d = ta.derivatives(lambda y: tnp.tanh(y), x, cp.ones_like(x), 8)
    assert all(di.dtype == cp.float32 for di in d)


def test_facade_on_gpu(cp):
    """The MindSpore facade with device_target='GPU': Tensors are cupy, nested GradOperation."""
    from taylorad import Tensor, context, nn, ops  # noqa: PLC0415

    class Net(nn.Cell):
        def construct(self, x, y):
            return ops.sin(x) * ops.exp(y) + x * x * y

    class Grad(nn.Cell):
        def __init__(self, net, **kw):
            super().__init__()
            self.net, self.op = net, ops.GradOperation(**kw)

        def construct(self, x, y):
            return self.op(self.net)(x, y)

    old = context.get_context("device_target")
    try:
        context.set_context(device_target="GPU")
        x = Tensor(np.array([0.3, 1.1]), ta.float64)
        y = Tensor(np.array([0.5, -0.2]), ta.float64)
        assert isinstance(x.asnumpy(), np.ndarray)
        d1 = Grad(Net())(x, y)
        d2 = Grad(Grad(Net()))(x, y)
        xv, yv = np.array([0.3, 1.1]), np.array([0.5, -0.2])
        np.testing.assert_allclose(d1.asnumpy(), np.cos(xv) * np.exp(yv) + 2 * xv * yv, rtol=1e-12)
        np.testing.assert_allclose(d2.asnumpy(), -np.sin(xv) * np.exp(yv) + 2 * yv, rtol=1e-12)
    finally:
        context.set_context(device_target=old)


@pytest.mark.filterwarnings("ignore:taylorad.jit:RuntimeWarning")  # jit: not captured, runs eagerly
def test_mixed_devices_raise_clearly(cp):
    with pytest.raises(TypeError, match="numpy and cupy arrays are mixed"):
        ta.hvp(lambda x: tnp.sum(x * x), cp.asarray(X12), V12)
    # a NumPy constant inside a function called with CuPy arrays: named, with the fix
    const = np.eye(3)
    f = lambda x: tnp.sum(tnp.reshape(x[:9], (3, 3)) + const)  # noqa: E731
    for call in (lambda: ta.grad(f)(cp.asarray(X12)),
                 lambda: ta.hvp(f, cp.asarray(X12), cp.asarray(V12)),
                 lambda: ta.derivatives(f, cp.asarray(X12), cp.asarray(V12), 3),
                 lambda: ta.jit(ta.grad(f))(cp.asarray(X12))):
        with pytest.raises(TypeError, match=r"taylorad\.numpy\.add: a numpy\.ndarray of shape "
                                            r"\(3, 3\) meets a cupy array.*cupy\.asarray"):
            call()
