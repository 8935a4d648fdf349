"""Hessian-vector products, forward over reverse (issue 2): hvp / grad lands near 2-3x when the
tangent rides along the gradient computation well. Baseline in the same classes: a central
difference of two gradients (``time_hvp_fd``), which costs exactly 2 gradients."""
from . import common as c
from .common import Benchmark


def _fd(ta, f, x, v, eps=1e-6):
    g = ta.grad(f)
    return (g(x + eps * v) - g(x - eps * v)) / (2 * eps)


class Tiny(Benchmark):
    """Per-call overhead of hvp on x₀x₁ + x₀² sin x₂ + exp(x₁x₂) (7 primitives)."""

    def setup(self):
        ta, tnp = c.taylorad()
        self.ta = ta
        self.f = lambda x: c.tiny(tnp, x)
        self.x, self.v = c.TINY_X.copy(), c.TINY_V.copy()
        c.warm(ta.hvp, self.f, self.x, self.v)

    def time_hvp(self):
        self.ta.hvp(self.f, self.x, self.v)

    def time_hvp_fd(self):
        _fd(self.ta, self.f, self.x, self.v)


class Chain(Benchmark):
    params = [c.pick([10, 1_000, 100_000], full=[10, 1_000, 100_000, 1_000_000], smoke=[10])]
    param_names = ["n"]

    def setup(self, n):
        ta, tnp = c.taylorad()
        self.ta = ta
        self.f = lambda x: tnp.sum(c.chain_nolog1p(tnp, x))
        self.x, self.v = (a.copy() for a in c.chain_data(n))
        c.warm(ta.hvp, self.f, self.x, self.v)

    def time_hvp(self, n):
        self.ta.hvp(self.f, self.x, self.v)

    def time_hvp_fd(self, n):
        _fd(self.ta, self.f, self.x, self.v)


class MLP(Benchmark):
    """HVP of the MLP loss w.r.t. all 148,481 weights (batch 512); compare with
    bench_grad.MLP.time_grad for the hvp / grad ratio."""

    def setup(self):
        ta, tnp = c.taylorad()
        self.ta = ta
        widths, batch = c.pick((64, 256, 256, 256, 1), smoke=(4, 8, 8, 8, 1)), c.pick(512, smoke=4)
        self.theta, X, y, self.v = c.mlp_data(widths, batch)
        self.loss = lambda th: c.mlp_loss(tnp, th, X, y, widths)
        self.g = ta.grad(self.loss)
        c.warm(ta.hvp, self.loss, self.theta, self.v)

    def time_grad(self):
        self.g(self.theta)

    def time_hvp(self):
        self.ta.hvp(self.loss, self.theta, self.v)

    def time_hvp_fd(self):
        _fd(self.ta, self.loss, self.theta, self.v)

    def peakmem_hvp(self):
        self.ta.hvp(self.loss, self.theta, self.v)
