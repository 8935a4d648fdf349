"""ops.GradOperation: flags, return structures, sensitivities, misuse (MINDSPORE.md §1) and
nested use to depth 4, forward over reverse (§2)."""
import numpy as np
import pytest

import taylorad.context as context
import taylorad.core.nested as nested
import taylorad.nn as nn
import taylorad.ops as ops
from taylorad import Parameter, ParameterTuple, Tensor
from taylorad import dtype as mstype

rng = np.random.default_rng(3)


class Lin(nn.Cell):
    """out = (x * w + b) * y: inputs x, y; Parameters w, b (b broadcast from shape [1])."""

    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([2.0, 3.0], np.float32)), name="w")
        self.b = Parameter(Tensor(np.array([0.5], np.float32)), name="b")

    def construct(self, x, y):
        return (x * self.w + self.b) * y


X = Tensor(np.array([1.0, -1.0], np.float32))
Y = Tensor(np.array([4.0, 5.0], np.float32))


def test_flags_must_be_bool():
    for kw in ("get_all", "get_by_list", "sens_param"):
        with pytest.raises(TypeError, match=f"the '{kw}' should be bool, but got int"):
            ops.GradOperation(**{kw: 1})


def test_return_structures():
    net = Lin()
    P = ParameterTuple(net.trainable_params())
    dx = ops.GradOperation()(net)(X, Y)
    assert isinstance(dx, Tensor)
    np.testing.assert_allclose(dx.asnumpy(), [8.0, 15.0])  # w * y
    alls = ops.GradOperation(get_all=True)(net)(X, Y)
    assert isinstance(alls, tuple) and len(alls) == 2
    np.testing.assert_allclose(alls[1].asnumpy(), [2.5, -2.5])  # x*w + b
    one = ops.GradOperation(get_all=True)(lambda x: x * x)(X)
    assert isinstance(one, tuple) and len(one) == 1
    ws = ops.GradOperation(get_by_list=True)(net, P)(X, Y)
    assert isinstance(ws, tuple) and len(ws) == 2
    np.testing.assert_allclose(ws[0].asnumpy(), [4.0, -5.0])  # x*y
    np.testing.assert_allclose(ws[1].asnumpy(), [9.0])  # sum(y): broadcast undone
    assert ws[1].shape == (1,)
    single = ops.GradOperation(get_by_list=True)(net, net.w)(X, Y)
    assert isinstance(single, Tensor) and single.shape == (2,)
    both = ops.GradOperation(get_all=True, get_by_list=True)(net, P)(X, Y)
    assert len(both) == 2 and len(both[0]) == 2 and len(both[1]) == 2
    both1 = ops.GradOperation(get_all=True, get_by_list=True)(net, net.b)(X, Y)
    assert isinstance(both1[1], Tensor)
    assert ops.GradOperation(get_by_list=True)(net, ParameterTuple([]))(X, Y) == ()
    assert ops.GradOperation(get_all=True, get_by_list=True)(lambda: Tensor(1.0))() == ((), ())
    assert ops.GradOperation(get_all=True)(lambda a, b: a * b)(2.0, 3.0) == ()
    assert ops.GradOperation()(lambda a, t: t * a)(2.0, X) == ()  # first arg not a Tensor


def test_tuple_output_is_sum_of_outputs_and_scalars_are_constants():
    f = lambda x, y, c: (x * y, x + y * y * c)  # noqa: E731
    dx, dy = ops.GradOperation(get_all=True)(f)(X, Y, 2.0)  # the float is skipped
    np.testing.assert_allclose(dx.asnumpy(), Y.asnumpy() + 1)
    np.testing.assert_allclose(dy.asnumpy(), X.asnumpy() + 4 * Y.asnumpy())


def test_sens_single_tuple_and_0d():
    net = Lin()
    s = Tensor(np.array([1.0, 0.0], np.float32))
    dx = ops.GradOperation(sens_param=True)(net)(X, Y, s)
    np.testing.assert_allclose(dx.asnumpy(), [8.0, 0.0])
    f = lambda x: (x * x, (x * x * x).sum())  # noqa: E731
    g = ops.GradOperation(sens_param=True)(f)(X, (Tensor(np.array([1.0, 2.0], np.float32)),
                                                  Tensor(np.float32(3.0))))
    np.testing.assert_allclose(g.asnumpy(), 2 * X.asnumpy() * [1, 2] + 9 * X.asnumpy() ** 2)
    g0 = ops.GradOperation(sens_param=True)(lambda x: (x * x).sum())(X, sens=Tensor(
        np.float32(0.5)))
    np.testing.assert_allclose(g0.asnumpy(), X.asnumpy())


def test_dtypes_integers_unused_and_frozen():
    f = lambda x, i, h, d, u: x * 2.5 + h * 2 + d * d  # noqa: E731
    x = Tensor(np.float32(1.0))
    i = Tensor(np.array([1, 2], np.int32))
    h = Tensor(np.array([1.0], np.float16))
    d = Tensor(np.array([3.0], np.float64))
    u = Tensor(np.ones((2, 2), np.float32))
    gx, gi, gh, gd, gu = ops.GradOperation(get_all=True)(f)(x, i, h, d, u)
    assert (gx.dtype, gi.dtype, gh.dtype, gd.dtype, gu.dtype) == (
        mstype.float32, mstype.int32, mstype.float16, mstype.float64, mstype.float32)
    np.testing.assert_array_equal(gi.asnumpy(), [0, 0])
    np.testing.assert_allclose(gx.asnumpy(), 2.5)  # x broadcast against [1]: sum
    np.testing.assert_allclose(gd.asnumpy(), [6.0])
    np.testing.assert_array_equal(gu.asnumpy(), np.zeros((2, 2)))
    const = ops.GradOperation(get_all=True)(lambda a: Tensor(np.ones(2)))(X)
    np.testing.assert_array_equal(const[0].asnumpy(), [0, 0])

    class Frozen(nn.Cell):
        def __init__(self):
            super().__init__()
            self.a = Parameter(Tensor(2.0), name="a")
            self.f = Parameter(Tensor(3.0), name="f", requires_grad=False)

        def construct(self, x):
            return x * self.a * self.f

    net = Frozen()
    assert [p.name for p in net.trainable_params()] == ["a"]
    assert [p.name for p in net.get_parameters()] == ["a", "f"]
    (ga,) = ops.GradOperation(get_by_list=True)(net, ParameterTuple(net.trainable_params()))(X)
    np.testing.assert_allclose(ga.asnumpy(), 3.0 * X.asnumpy().sum())


@pytest.mark.parametrize("mode", [context.GRAPH_MODE, context.PYNATIVE_MODE])
def test_misuse_raises_mindspores_exception_classes(mode):
    context.set_context(mode=mode)
    try:
        net = Lin()
        gs = ops.GradOperation(sens_param=True)(net)
        with pytest.raises(TypeError, match="parameters number of the function is 2.*sens"):
            gs(X, Y)  # sens missing
        with pytest.raises(TypeError, match="parameters number"):
            ops.GradOperation()(net)(X)
        with pytest.raises(ValueError, match="shape should be"):
            gs(X, Y, Tensor(np.ones(3, np.float32)))
        with pytest.raises(TypeError, match="dtype should be Float32, but got Float64"):
            gs(X, Y, Tensor(np.ones(2)))
        tup = ops.GradOperation(sens_param=True)(lambda x: (x, x * x))
        with pytest.raises(TypeError if mode == context.GRAPH_MODE else RuntimeError):
            tup(X, Tensor(np.ones(2, np.float32)))
        with pytest.raises(IndexError if mode == context.GRAPH_MODE else RuntimeError):
            tup(X, (Tensor(np.ones(2, np.float32)),))
        with pytest.raises(TypeError if mode == context.GRAPH_MODE else RuntimeError):
            gs(X, Y, 1.0)
        with pytest.raises(RuntimeError, match="Parameter"):
            ops.GradOperation(get_by_list=True)(net, (X,))
    finally:
        context.set_context(mode=context.GRAPH_MODE)
    with pytest.raises(TypeError, match="'Parameter' collection"):
        ParameterTuple([X])
    with pytest.raises(ValueError, match="name 'a' already exists"):
        ParameterTuple([Parameter(Tensor(1.0), name="a"), Parameter(Tensor(2.0), name="a")])


# ---------------------------------------------------------------------------------------------
# nested GradOperation: forward over reverse


class Grad(nn.Cell):
    def __init__(self, network, **kw):
        super().__init__()
        self.network = network
        self.grad = ops.GradOperation(**kw)

    def construct(self, *x):
        return self.grad(self.network)(*x)


class Sin(nn.Cell):
    def construct(self, x):
        return ops.sin(x)


@pytest.fixture
def spy(monkeypatch):
    calls = []
    orig = nested._Recording.tangents  # the forward (Taylor) sweep that is a nested node's VJP

    def wrapped(*a, **k):
        calls.append(1)
        return orig(*a, **k)

    monkeypatch.setattr(nested._Recording, "tangents", wrapped)
    return calls


def test_depth4_sin_is_sin_forward_over_reverse(spy):
    x = Tensor(np.array([0.3, 1.0, 2.0]))
    net = Grad(Grad(Grad(Grad(Sin()))))
    np.testing.assert_allclose(net(x).asnumpy(), np.sin(x.asnumpy()), rtol=1e-14)
    assert len(spy) >= 3  # every level above the first is a forward-over-reverse VJP


class MLP(nn.Cell):
    def __init__(self, sizes=(1, 8, 8, 1), seed=0):
        super().__init__()
        r = np.random.default_rng(seed)
        self.w1 = Parameter(Tensor(r.standard_normal(sizes[:2]) * 0.7), name="w1")
        self.w2 = Parameter(Tensor(r.standard_normal(sizes[1:3]) * 0.7), name="w2")
        self.w3 = Parameter(Tensor(r.standard_normal(sizes[2:4]) * 0.7), name="w3")

    def construct(self, x):
        h = ops.tanh(ops.matmul(x, self.w1))
        h = ops.tanh(ops.matmul(h, self.w2))
        return ops.matmul(h, self.w3)


def _fd_n(f, x, n, h):
    """n-th derivative by the central finite-difference stencil of order n."""
    from math import comb
    return sum((-1) ** k * comb(n, k) * f(x + (n / 2 - k) * h) for k in range(n + 1)) / h ** n


def test_depth4_mlp_vs_finite_differences(spy):
    net = MLP()
    x0 = np.array([[0.3]])
    f = lambda v: float(net(Tensor(np.array([[v]]))).asnumpy().sum())  # noqa: E731
    got = Grad(Grad(Grad(Grad(net))))(Tensor(x0)).asnumpy()
    want = _fd_n(f, 0.3, 4, 2e-2)
    np.testing.assert_allclose(got.ravel(), [want], rtol=2e-3)
    got2 = Grad(Grad(net))(Tensor(x0)).asnumpy()
    np.testing.assert_allclose(got2.ravel(), [_fd_n(f, 0.3, 2, 1e-4)], rtol=1e-5)
    assert spy


def test_mixed_partials_via_sens_and_mixed_stacks():
    f = lambda x, y: ops.sin(x) * y * y  # noqa: E731
    first = Grad(f, get_all=True)

    class Second(nn.Cell):
        def __init__(self):
            super().__init__()
            self.g = ops.GradOperation(get_all=True, sens_param=True)
            self.one, self.zero = Tensor(np.ones(1)), Tensor(np.zeros(1))

        def construct(self, x, y):
            return (self.g(first)(x, y, (self.one, self.zero)),
                    self.g(first)(x, y, (self.zero, self.one)))

    x, y = Tensor(np.array([0.7])), Tensor(np.array([1.3]))
    (fxx, fxy), (fyx, fyy) = Second()(x, y)
    xv, yv = 0.7, 1.3
    np.testing.assert_allclose([fxx.asnumpy()[0], fxy.asnumpy()[0], fyx.asnumpy()[0],
                                fyy.asnumpy()[0]],
                               [-np.sin(xv) * yv ** 2, 2 * yv * np.cos(xv),
                                2 * yv * np.cos(xv), 2 * np.sin(xv)], rtol=1e-13)
    # get_by_list inside, get_all outside: d/dx sum(dL/dw) for L = sum(tanh(x w))
    net = MLP((1, 3, 3, 1), seed=1)
    P = ParameterTuple(net.trainable_params())

    class WGrad(nn.Cell):
        def __init__(self):
            super().__init__()
            self.g = ops.GradOperation(get_by_list=True)

        def construct(self, x):
            gw = self.g(net, P)(x)
            return gw[0].sum() + gw[1].sum() + gw[2].sum()

    gx = ops.GradOperation(get_all=True)(WGrad())(Tensor(np.array([[0.4]])))[0]
    h = 1e-5
    s = lambda v: float(WGrad()(Tensor(np.array([[v]]))).asnumpy())  # noqa: E731
    np.testing.assert_allclose(gx.asnumpy().ravel(), [(s(0.4 + h) - s(0.4 - h)) / (2 * h)],
                               rtol=1e-6)


def _fd_params(loss, params, h=1e-6):
    out = []
    for p in params:
        a = p.asnumpy().copy()
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            vals = []
            for s in (h, -h):
                b = a.copy()
                b[i] += s
                p.set_data(Tensor(b))
                vals.append(float(loss().asnumpy()))
            g[i] = (vals[0] - vals[1]) / (2 * h)
        p.set_data(Tensor(a))
        out.append(g)
    return out


def test_force_matching_and_pinn_losses_wrt_weights(spy):
    energy = MLP((3, 5, 4, 1), seed=2)
    e_sum = lambda x: energy(x).sum()  # noqa: E731
    x = Tensor(rng.standard_normal((4, 3)))
    target = Tensor(rng.standard_normal((4, 3)))

    def force_loss():
        f = -ops.GradOperation()(e_sum)(x)
        return ((f - target) ** 2).sum()

    P = ParameterTuple(energy.trainable_params())
    g = ops.GradOperation(get_by_list=True)(force_loss, P)()
    for a, b in zip(g, _fd_params(force_loss, P)):
        np.testing.assert_allclose(a.asnumpy(), b, rtol=1e-5, atol=1e-8)
    n_force = len(spy)
    assert n_force >= 1

    u = MLP((1, 6, 6, 1), seed=3)
    xs = Tensor(np.linspace(-1, 1, 5).reshape(5, 1))
    u_x = Grad(lambda t: u(t).sum())
    u_xx = Grad(lambda t: u_x(t).sum())

    def pinn_loss():  # u'' + sin(x) = 0 residual
        r = u_xx(xs) + ops.sin(xs)
        return (r * r).mean()

    Pu = ParameterTuple(u.trainable_params())
    g = ops.GradOperation(get_by_list=True)(pinn_loss, Pu)()
    for a, b in zip(g, _fd_params(pinn_loss, Pu)):
        np.testing.assert_allclose(a.asnumpy(), b, rtol=1e-5, atol=1e-7)
    assert len(spy) > n_force


def test_parameters_restored_after_differentiation():
    net = Lin()
    before = net.w._data
    ops.GradOperation(get_by_list=True)(net, net.w)(X, Y)
    assert net.w._data is before

    def boom(x):
        raise ZeroDivisionError("inside")

    with pytest.raises(ZeroDivisionError):
        ops.GradOperation(get_by_list=True)(lambda x, y: boom(net(x, y)), net.w)(X, Y)
    assert net.w._data is before


@pytest.mark.parametrize("mode", [context.GRAPH_MODE, context.PYNATIVE_MODE])
def test_0d_sens_for_a_vector_output(mode):
    """MINDSPORE.md §1: GRAPH broadcasts a 0-d sens over a vector output, PYNATIVE refuses it."""
    context.set_context(mode=mode)
    try:
        f = lambda x: x * x * x  # noqa: E731
        g = ops.GradOperation(sens_param=True)(f)
        x = Tensor(np.array([1.0, 2.0, -1.5], np.float32))
        if mode == context.GRAPH_MODE:
            np.testing.assert_allclose(g(x, Tensor(np.float32(0.5))).asnumpy(),
                                       0.5 * 3 * x.asnumpy() ** 2, rtol=1e-6)
        else:
            with pytest.raises(RuntimeError, match="broadcast to expected shape"):
                g(x, Tensor(np.float32(0.5)))
    finally:
        context.set_context(mode=context.GRAPH_MODE)
