"""Reverse mode: grad, value_and_grad, vjp and jvp on a tiny function, an elementwise chain and an
MLP (issue 2). The tiny function measures per-call overhead (7 primitives)."""
import numpy as np

from . import common as c
from .common import Benchmark


class Tiny(Benchmark):
    """x₀x₁ + x₀² sin x₂ + exp(x₁x₂): overhead per primitive = time / 7."""

    def setup(self):
        ta, tnp = c.taylorad()
        self.ta = ta
        self.f = lambda x: c.tiny(tnp, x)
        self.x, self.v = c.TINY_X.copy(), c.TINY_V.copy()
        self.g = ta.grad(self.f)
        self.vg = ta.value_and_grad(self.f)
        c.warm(self.g, self.x)

    def time_grad(self):
        self.g(self.x)

    def time_value_and_grad(self):
        self.vg(self.x)

    def time_vjp(self):
        _, pullback = self.ta.vjp(self.f, self.x)
        pullback(np.float64(1.0))

    def time_jvp(self):
        self.ta.jvp(self.f, (self.x,), (self.v,))

    def time_forward_only(self):
        """The function itself on plain arrays: the floor under every transform."""
        self.f(self.x)


class Chain(Benchmark):
    """Σ sin(exp(tanh x)·x) + log(1 + x²) on n elements."""

    params = [c.pick([10, 1_000, 100_000], full=[10, 1_000, 100_000, 1_000_000], smoke=[10])]
    param_names = ["n"]

    def setup(self, n):
        ta, tnp = c.taylorad()
        self.ta = ta
        self.f = lambda x: tnp.sum(c.chain_nolog1p(tnp, x))
        self.fv = lambda x: c.chain_nolog1p(tnp, x)
        self.x, self.v = (a.copy() for a in c.chain_data(n))
        self.g = ta.grad(self.f)
        c.warm(self.g, self.x)

    def time_grad(self, n):
        self.g(self.x)

    def time_vjp(self, n):
        _, pullback = self.ta.vjp(self.fv, self.x)
        pullback(self.v)

    def time_jvp(self, n):
        self.ta.jvp(self.fv, (self.x,), (self.v,))

    def peakmem_grad(self, n):
        self.g(self.x)


class MLP(Benchmark):
    """MSE loss of a tanh MLP 64-256-256-256-1 (148,481 weights, batch 512) w.r.t. its flat
    weight vector (issues 2 and 6)."""

    def setup(self):
        ta, tnp = c.taylorad()
        widths, batch = c.pick((64, 256, 256, 256, 1), smoke=(4, 8, 8, 8, 1)), c.pick(512, smoke=4)
        self.theta, X, y, _ = c.mlp_data(widths, batch)
        self.loss = lambda th: c.mlp_loss(tnp, th, X, y, widths)
        self.g = ta.grad(self.loss)
        self.vg = ta.value_and_grad(self.loss)
        c.warm(self.g, self.theta)

    def time_loss_only(self):
        """The forward pass on plain arrays."""
        self.loss(self.theta)

    def time_grad(self):
        self.g(self.theta)

    def time_value_and_grad(self):
        self.vg(self.theta)

    def peakmem_grad(self):
        self.g(self.theta)
