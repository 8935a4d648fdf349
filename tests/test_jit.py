"""taylorad.jit: replayed results equal eager results on new inputs; capture failures fall back."""
import warnings

import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp


def f3(x):
    return x[0] * x[1] + x[0] ** 2 * tnp.sin(x[2]) + tnp.exp(x[1] * x[2])


def grad_f3(x):  # closed form
    a, b, c = x
    return np.array([b + 2 * a * np.sin(c), a + c * np.exp(b * c),
                     a ** 2 * np.cos(c) + b * np.exp(b * c)])


@pytest.mark.parametrize("seed", range(3))
def test_jit_grad_and_hvp_replay_on_new_inputs(seed):
    rng = np.random.default_rng(seed)
    g = ta.jit(ta.grad(f3))
    h = ta.jit(lambda x, v: ta.hvp(f3, x, v))
    for _ in range(4):
        x, v = rng.standard_normal(3), rng.standard_normal(3)
        np.testing.assert_allclose(g(x), grad_f3(x), rtol=1e-14)
        np.testing.assert_allclose(h(x, v), ta.hvp(f3, x, v), rtol=1e-13)
    prog = next(iter(g.cache.values()))
    assert prog.verified and not prog.eager and len(prog.ops) > 0


def test_jit_higher_order_and_toolbox():
    d4 = ta.jit(lambda x: ta.derivatives(tnp.sin, x, np.float64(1.0), 4))
    for x0 in (0.7, 1.1, -2.0):
        ds = d4(np.float64(x0))
        np.testing.assert_allclose([float(d) for d in ds],
                                   [np.sin(x0), np.cos(x0), -np.sin(x0), -np.cos(x0), np.sin(x0)],
                                   rtol=1e-14)
    A = np.random.default_rng(0).standard_normal((4, 3))
    hess = ta.jit(ta.hessian(lambda x: tnp.sum(tnp.tanh(A @ x) ** 2)))
    for x in np.random.default_rng(1).standard_normal((3, 3)):
        np.testing.assert_allclose(hess(x), ta.hessian(lambda x: tnp.sum(tnp.tanh(A @ x) ** 2))(x),
                                   rtol=1e-13)
    lap = ta.jit(ta.laplacian(lambda p: tnp.sum(tnp.sin(p) * p, axis=-1)))
    P = np.random.default_rng(2).standard_normal((5, 2))
    for P_ in (P, P + 1.0):
        np.testing.assert_allclose(lap(P_), np.sum(2 * np.cos(P_) - P_ * np.sin(P_), axis=-1),
                                   rtol=1e-13)


def test_jit_pytrees_static_args_and_signatures():
    def loss(params, x, scale):
        w, b = params["w"], params["b"]
        return tnp.sum(tnp.tanh(x @ w + b) ** 2) * scale

    g = ta.jit(ta.grad(loss))
    rng = np.random.default_rng(3)
    p = {"w": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    for scale in (1.0, 2.0):
        for n in (4, 5):  # a new shape or static value is a new signature
            x = rng.standard_normal((n, 3))
            got, want = g(p, x, scale), ta.grad(loss)(p, x, scale)
            for k in ("w", "b"):
                np.testing.assert_allclose(got[k], want[k], rtol=1e-14)
    assert len(g.cache) == 2  # Python floats are inputs (values may change), shapes are keys


def test_jit_falls_back_on_value_dependent_python():
    def f(x):
        if x[0] > 0:  # Python control flow on a value cannot be captured
            return tnp.sin(x)
        return tnp.cos(x)

    g = ta.jit(f)
    x = np.array([0.5, 2.0])
    with pytest.warns(RuntimeWarning, match="cannot be captured"):
        np.testing.assert_allclose(g(x), np.sin(x))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(g(-x), np.cos(-x))


def test_jit_inside_a_transformation_runs_eagerly():
    inner = ta.jit(lambda x: tnp.sum(tnp.sin(x)))
    np.testing.assert_allclose(ta.grad(inner)(np.array([0.3, 0.4])), np.cos([0.3, 0.4]))
    np.testing.assert_allclose(ta.grad(lambda x: tnp.sum(ta.jit(ta.grad(inner))(x)))(
        np.array([0.3])), -np.sin([0.3]))


def test_scalar_programs_agree_with_numpy_and_fall_back_at_inf_and_nan():
    """Recordings of scalar code replay on Python floats; where NumPy gives inf/nan (log 0, 1/0,
    a negative base to a fractional power) the array program answers, as eager NumPy does."""
    def f(x):
        return tnp.log(x[0]) + 1.0 / x[1] + x[2] ** 2.5 + tnp.sin(x[0] * x[2])

    g = ta.jit(f)
    x = np.array([0.5, 2.0, 1.5])
    np.testing.assert_allclose(g(x), f(x), rtol=1e-14)  # libm may differ from NumPy by an ulp
    assert next(iter(g.cache.values())).run_scalar is not None
    with np.errstate(all="ignore"):
        for bad in ([0.0, 2.0, 1.5], [0.5, 0.0, 1.5], [0.5, 2.0, -1.5]):
            bad = np.array(bad)
            np.testing.assert_allclose(g(bad), f(bad), rtol=1e-14)
    for x in np.random.default_rng(4).uniform(0.1, 2.0, (5, 3)):
        np.testing.assert_allclose(g(x), f(x), rtol=1e-14)


def test_stack_then_index_pairs_are_not_replayed():
    """Taylor rules stack their coefficients and the next rule indexes them again; the recording
    keeps neither, and known-zero coefficients (the seed x + t·v) contribute no terms."""
    v = np.float64(1.0)
    d4 = ta.jit(lambda x0: ta.derivatives(tnp.sin, x0, v, 4)[4])
    for x0 in (0.7, -1.3, 2.9):
        assert float(d4(np.float64(x0))) == pytest.approx(np.sin(x0), rel=1e-14)
    prog = next(iter(d4.cache.values()))
    names = [op[0].name for op in prog.ops]
    assert "concatenate" not in names and "getitem" not in names and len(names) <= 10


def test_order_one_tangents_as_floats_match_eager_including_overflow():
    h = ta.jit(lambda x, v: ta.hvp(f3, x, v))
    v = np.array([1.0, -0.5, 2.0])
    for x in (np.array([0.5, 1.2, -0.3]), np.array([-1.0, 0.3, 0.8]), np.array([0.1, 30.0, 30.0])):
        with np.errstate(all="ignore"):
            np.testing.assert_allclose(h(x, v), ta.hvp(f3, x, v), rtol=1e-13)  # last: exp overflows
