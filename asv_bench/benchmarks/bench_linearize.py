"""autograd's remaining API (issue 13): ``linearize_hvp`` (one recording of the gradient, then an
order-1 Taylor sweep per v) against ``hvp`` per v, and ``checkpoint`` (time and peak memory of a
gradient through checkpointed blocks against the plain one). Baselines in the same classes."""
from . import common as c
from .common import Benchmark


class LinearizeChain(Benchmark):
    """Per-v cost of H·v on the elementwise chain: ``time_hvp`` vs ``time_linearized_per_v``;
    ``time_record`` is the one-time recording."""

    params = [c.pick([10, 1_000, 100_000], full=[10, 1_000, 100_000, 1_000_000], smoke=[10])]
    param_names = ["n"]

    def setup(self, n):
        ta, tnp = c.taylorad()
        self.ta = ta
        self.linearize = c.require_attr("taylorad", "linearize_hvp")
        self.f = lambda x: tnp.sum(c.chain_nolog1p(tnp, x))
        self.x, self.v = (a.copy() for a in c.chain_data(n))
        self.hvp_at = c.warm(self.linearize, self.f, self.x)
        c.warm(ta.hvp, self.f, self.x, self.v)

    def time_hvp(self, n):
        self.ta.hvp(self.f, self.x, self.v)

    def time_linearized_per_v(self, n):
        self.hvp_at(self.v)

    def time_record(self, n):
        self.linearize(self.f, self.x)


class LinearizeMLP(Benchmark):
    """The same on the MLP loss (148,481 weights, batch 512)."""

    def setup(self):
        ta, tnp = c.taylorad()
        self.ta = ta
        linearize = c.require_attr("taylorad", "linearize_hvp")
        widths, batch = c.pick((64, 256, 256, 256, 1), smoke=(4, 8, 8, 8, 1)), c.pick(512, smoke=4)
        self.theta, X, y, self.v = c.mlp_data(widths, batch)
        self.loss = lambda th: c.mlp_loss(tnp, th, X, y, widths)
        self.hvp_at = c.warm(linearize, self.loss, self.theta)

    def time_hvp(self):
        self.ta.hvp(self.loss, self.theta, self.v)

    def time_linearized_per_v(self):
        self.hvp_at(self.v)


class Checkpoint(Benchmark):
    """Gradient through 8 blocks of the elementwise chain, each block plain or checkpointed."""

    params = [c.pick([1_000, 1_000_000], smoke=[10]), [False, True]]
    param_names = ["n", "checkpointed"]

    def setup(self, n, checkpointed):
        ta, tnp = c.taylorad()
        wrap = c.require_attr("taylorad", "checkpoint") if checkpointed else (lambda f: f)
        block = wrap(lambda x: c.chain_nolog1p(tnp, x) * 0.5)

        def f(x):
            for _ in range(8):
                x = block(x)
            return tnp.sum(x)

        self.g = ta.grad(f)
        self.x = c.chain_data(n)[0].copy()
        c.warm(self.g, self.x)

    def time_grad(self, n, checkpointed):
        self.g(self.x)

    def peakmem_grad(self, n, checkpointed):
        self.g(self.x)
