"""A 1-D physics-informed network in the MindSpore API: u_xx by nested ms.grad, trained by nn.Adam
===============================================================================================

The boundary-value problem −u″(x) = π²·sin(πx) on [0, 1], u(0) = u(1) = 0, whose solution is
u(x) = sin(πx). The network u_θ is a tanh MLP 1 → 16 → 16 → 1 (``nn.Dense`` cells); the loss is

    mean over collocation points (u_θ″ + π² sin πx)²  +  u_θ(0)² + u_θ(1)²

where u_θ″ is ``ms.grad(ms.grad(net))(x)`` — the gradient of the gradient, written inside the
loss. Training is MindSpore 2.x's functional loop with ``nn.Adam``; the gradient of that loss
w.r.t. the weights is a third derivative (two in x, one in θ), which taylorad computes forward
over reverse. Each network output depends only on its own input row, so the gradient of the sum
of the outputs is the pointwise derivative.

To run it in MindSpore replace the two ``taylorad`` imports marked below by ``import mindspore as
ms`` / ``from mindspore import nn, ops``.

Target (full mode; exit status 1 if missed): relative L2 error of u_θ against sin(πx) on 201
points < 1e-3. Fast mode (``TAYLORAD_EXAMPLES_FAST=1``) runs 150 steps and checks nothing.
"""
# examples-test: expect ^step +0 +loss \d\.\d{6}e[+-]\d\d$
# examples-test: expect ^relative L2 error vs sin\(pi x\): \d\.\d\de[+-]\d\d$
import math
import os
import sys

import numpy as np

import taylorad as ms  # MindSpore: import mindspore as ms
from taylorad import nn, ops  # MindSpore: from mindspore import nn, ops

FAST = os.environ.get("TAYLORAD_EXAMPLES_FAST") == "1"
TARGET = 1e-3


def initial_weights(seed=0, width=16):
    rng = np.random.default_rng(seed)
    shapes = [(width, 1), (width, width), (1, width)]
    return [(rng.standard_normal(s) * np.sqrt(2.0 / sum(s))).astype(np.float32)
            for s in shapes]


class MLP(nn.Cell):
    def __init__(self, weights):
        super().__init__()
        w1, w2, w3 = weights
        self.net = nn.SequentialCell(
            nn.Dense(1, w1.shape[0], weight_init=ms.Tensor(w1), bias_init="zeros",
                     activation="tanh"),
            nn.Dense(w2.shape[1], w2.shape[0], weight_init=ms.Tensor(w2), bias_init="zeros",
                     activation="tanh"),
            nn.Dense(w3.shape[1], 1, weight_init=ms.Tensor(w3), bias_init="zeros"))

    def construct(self, x):
        return self.net(x)


class PoissonLoss(nn.Cell):
    """mean (u″ + π² sin πx)² at the collocation points + u(0)² + u(1)²."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.u_xx = ms.grad(ms.grad(net))  # nested: the second derivative in x

    def construct(self, x, x_bc):
        f = (math.pi ** 2) * ops.sin(math.pi * x)
        residual = self.u_xx(x) + f
        u_bc = self.net(x_bc)
        return ops.mean(ops.square(residual)) + ops.sum(ops.square(u_bc))


def train(steps, learning_rate=1e-2, n_points=64, seed=0, report=None):
    net = MLP(initial_weights(seed))
    loss_net = PoissonLoss(net)
    optimizer = nn.Adam(net.trainable_params(), learning_rate=learning_rate)
    grad_fn = ms.value_and_grad(loss_net, None, optimizer.parameters)
    x = ms.Tensor(np.linspace(0.0, 1.0, n_points, dtype=np.float32).reshape(-1, 1))
    x_bc = ms.Tensor(np.array([[0.0], [1.0]], np.float32))
    report = report or max(1, steps // 10)
    losses = []
    for step in range(steps):
        loss, grads = grad_fn(x, x_bc)
        optimizer(grads)
        losses.append(float(loss.asnumpy()))
        if step % report == 0 or step == steps - 1:
            print(f"step {step:5d}   loss {float(loss.asnumpy()):.6e}")
    return net, losses


def relative_error(net, n=201):
    xs = np.linspace(0.0, 1.0, n, dtype=np.float32).reshape(-1, 1)
    u = net(ms.Tensor(xs)).asnumpy().astype(np.float64).ravel()
    exact = np.sin(np.pi * xs.astype(np.float64)).ravel()
    return float(np.linalg.norm(u - exact) / np.linalg.norm(exact))


def main():
    ms.set_context(mode=ms.PYNATIVE_MODE)
    ms.set_seed(0)
    steps = 150 if FAST else 3000
    print(f"1-D Poisson PINN: -u'' = pi^2 sin(pi x), u(0) = u(1) = 0; MLP 1-16-16-1 (tanh), "
          f"nn.Adam, {steps} steps" + ("  [fast mode]" if FAST else ""))
    net, _ = train(steps)
    err = relative_error(net)
    print(f"relative L2 error vs sin(pi x): {err:.2e}")
    if FAST:
        print("fast mode: target not checked")
        return 0
    ok = err < TARGET
    print(f"{'OK' if ok else 'FAILED'}: relative L2 error {err:.2e} "
          f"{'<' if ok else '>='} target {TARGET:g}")
    return 0 if ok else 1


if __name__ == "__main__":
    _status = main()
    if _status:  # 1 when the target is missed; no SystemExit(0): sphinx-gallery runs this file
        sys.exit(_status)
