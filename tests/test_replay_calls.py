"""ta.jit's replay spells small NumPy calls without the primitives' wrappers (jit._Program._direct,
cpu/fuse._kernel_call): array methods, the ufunc itself, ``ndarray.dot`` for products of
matrices. The values must stay the eager call's, bit for bit — these tests compare with eager
taylorad and plain NumPy, and check that the wrappers are really gone from the program."""
import importlib
import itertools

import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp

shape = importlib.import_module("taylorad.numpy.shape")  # the module, not tnp.shape

RNG = np.random.default_rng(21)


def _program(jitted):
    (prog,) = jitted.cache.values()
    return prog


def _replay(jitted, *args, n=3):
    out = None
    for _ in range(n):
        out = jitted(*args)
    return out


def _mlp(widths):
    shapes = list(zip(widths[:-1], widths[1:]))
    n = sum(i * o + o for i, o in shapes)

    def loss(theta, X, y):
        h, at = X, 0
        for j, (i, o) in enumerate(shapes):
            W = tnp.reshape(theta[at:at + i * o], (i, o))
            b = theta[at + i * o:at + i * o + o]
            at += i * o + o
            h = h @ W + b
            if j < len(shapes) - 1:
                h = tnp.tanh(h)
        return tnp.mean((h[:, 0] - y) ** 2)

    return loss, n


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dot_is_matmul_bit_for_bit(dtype):
    """The premise of replaying matrix products as ndarray.dot: NumPy's dot and matmul make the
    same BLAS call for 2-D operands — C and Fortran order, transposed views, A·Aᵀ from one
    buffer (BLAS's syrk), unit dimensions — and a stack of one matrix is that matrix."""
    sizes = [1, 2, 7, 16, 33]
    for m, k, n in itertools.product(sizes, repeat=3):
        a = RNG.standard_normal((m, k)).astype(dtype)
        b = RNG.standard_normal((k, n)).astype(dtype)
        cases = [(a, b), (np.asfortranarray(a), b), (a, np.asfortranarray(b)),
                 (RNG.standard_normal((k, m)).astype(dtype).T, b),
                 (a, RNG.standard_normal((n, k)).astype(dtype).T), (a, a.T), (a.T, a)]
        for x, y in cases:
            want = np.matmul(x, y)
            got = x.dot(y)
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)
            np.testing.assert_array_equal(x[None].reshape(x.shape).dot(y)[None],
                                          np.matmul(x[None], y))


@pytest.mark.parametrize("widths,batch", [((8, 16, 16, 16, 1), 8), ((3, 5, 1), 4),
                                          ((2, 40, 40, 1), 64)])
def test_small_mlp_replays_equal_eager_without_wrappers(widths, batch):
    loss, n = _mlp(widths)
    theta, v = RNG.standard_normal(n) / 4, RNG.standard_normal(n)
    X, y = RNG.standard_normal((batch, widths[0])), RNG.standard_normal(batch)
    f = lambda th: loss(th, X, y)  # noqa: E731
    g = ta.jit(ta.grad(f))
    h = ta.jit(lambda t, u: ta.hvp(f, t, u))
    np.testing.assert_array_equal(_replay(g, theta), ta.grad(f)(theta))
    np.testing.assert_array_equal(_replay(h, theta, v), ta.hvp(f, theta, v))
    # and the HVP is the Hessian's product (finite differences of the gradient, independent)
    eps = 1e-6
    fd = (ta.grad(f)(theta + eps * v) - ta.grad(f)(theta - eps * v)) / (2 * eps)
    np.testing.assert_allclose(h(theta, v), fd, rtol=1e-6, atol=1e-7)
    for jitted in (g, h):
        called = {id(f) for f in _program(jitted).run.__globals__.values() if callable(f)}
        wrappers = {id(p.impl) for p in (tnp.matmul, tnp.tanh, tnp.add, tnp.multiply,
                                         shape.reshape_p, shape.transpose_p, shape.sum_p)}
        assert not called & wrappers, "a small NumPy call replays through its wrapper"


def test_float32_and_mixed_programs_replay_like_eager():
    A = RNG.standard_normal((6, 5)).astype(np.float32)

    def f(x):
        y = tnp.tanh(A @ x.reshape(5, 1)).T
        return tnp.sum(y * y) + tnp.sum(x.astype(np.float64) ** 3)

    x, v = RNG.standard_normal(5).astype(np.float32), RNG.standard_normal(5).astype(np.float32)
    for jitted, eager, args in [(ta.jit(ta.grad(f)), ta.grad(f), (x,)),
                                (ta.jit(lambda a, b: ta.hvp(f, a, b)),
                                 lambda a, b: ta.hvp(f, a, b), (x, v))]:
        got, want = _replay(jitted, *args), eager(*args)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_gradient_pieces_into_part_of_a_vector():
    """index_add_many with disjoint pieces that do not cover the output: the rest stays zero."""
    def f(x):
        return tnp.sum(tnp.sin(x[3:20]) ** 2) + 2.0 * tnp.sum(x[40:90:2]) + x[95] ** 3

    x = RNG.standard_normal(100)
    want = np.zeros(100)
    want[3:20] = np.sin(2 * x[3:20])
    want[40:90:2] = 2.0
    want[95] = 3 * x[95] ** 2
    g = ta.jit(ta.grad(f))
    got = _replay(g, x)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
    assert np.count_nonzero(got == 0) == 100 - 17 - 25 - 1
    np.testing.assert_array_equal(got, ta.grad(f)(x))


def test_shape_calls_on_floats_still_work():
    """A value that is a Python float at replay (a 0-d result) keeps the wrapper's fallback."""
    def f(x):
        s = tnp.sum(x * x)
        return tnp.sum(tnp.reshape(s, (1, 1)) * x) + tnp.sum(tnp.transpose(s) * x)

    x = RNG.standard_normal(7)
    g = ta.jit(ta.grad(f))
    np.testing.assert_array_equal(_replay(g, x), ta.grad(f)(x))
    np.testing.assert_allclose(g(x), 2 * np.sum(x) * 2 * x + 2 * np.sum(x * x), rtol=1e-13)
