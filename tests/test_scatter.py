"""Cotangents of many slices of one array accumulate lazily into one buffer (core.reverse.Scatter):
check the result against differences, for plain, overlapping, advanced and batched indexing."""
import numpy as np

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.testing import check_grads, check_hvp


def flat_loss(w):
    W1 = tnp.reshape(w[0:6], (2, 3))
    b1 = w[6:9]
    W2 = w[9:12]
    overlap = w[4:10]  # overlaps W1, b1 and W2
    picked = w[np.array([0, 0, 11, 3])]  # advanced index with a repeat
    h = tnp.tanh(np.array([[0.3, -0.2], [1.1, 0.4]]) @ W1 + b1)
    return tnp.sum(h @ W2) + tnp.sum(tnp.sin(overlap) * overlap) + tnp.sum(picked ** 3)


W = np.random.default_rng(0).standard_normal(12)


def test_scatter_gradient_and_hvp():
    check_grads(flat_loss, (W,))
    check_hvp(flat_loss, W)
    H = ta.hessian(flat_loss)(W)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-12)
    eps = 1e-5
    fd = np.stack([(ta.grad(flat_loss)(W + eps * e) - ta.grad(flat_loss)(W - eps * e)) / (2 * eps)
                   for e in np.eye(12)])
    np.testing.assert_allclose(H, fd, rtol=1e-6, atol=1e-6)


def test_scatter_under_jit_and_nesting():
    g = ta.jit(ta.grad(flat_loss))
    for w in (W, W + 0.1):
        np.testing.assert_allclose(g(w), ta.grad(flat_loss)(w), rtol=1e-14)
    # gradient of a gradient norm: the Scatter sits inside a forward-over-reverse node
    outer = ta.grad(lambda w: tnp.sum(ta.grad(flat_loss)(w) ** 2))(W)
    np.testing.assert_allclose(outer, 2 * ta.hessian(flat_loss)(W) @ ta.grad(flat_loss)(W),
                               rtol=1e-11)
