"""Taylor mode: ``derivatives`` over K = 1..16 on an elementwise chain (issues 2 and 6), ``jet``,
and a scalar 4th derivative. One Taylor pass costs O(K²) per nonlinear primitive."""
import numpy as np

from . import common as c
from .common import Benchmark

ORDERS = [1, 2, 4, 8, 16]


class Derivatives(Benchmark):
    """d^k/dt^k f(x + t v), k = 0..K, f = sin(exp(tanh x)·x) + log(1 + x²) elementwise.

    (log(1 + x²) rather than log1p keeps the history comparable with commits before log1p.)
    """

    params = [c.pick([10_000, 1_000_000], smoke=[10]), c.pick(ORDERS, smoke=[1, 3])]
    param_names = ["n", "K"]
    timeout = 300

    def setup(self, n, K):
        ta, tnp = c.taylorad()
        self.ta = ta
        self.f = lambda x: c.chain_nolog1p(tnp, x)
        self.x, self.v = (a.copy() for a in c.chain_data(n))
        if n >= 1_000_000 and K > 8 and not (c.FULL or c.SMOKE):
            c.skip("n = 1e6 with K > 8 only with TAYLORAD_BENCH_FULL=1")
        c.warm(ta.derivatives, self.f, self.x[:10], self.v[:10], K)

    def time_derivatives(self, n, K):
        self.ta.derivatives(self.f, self.x, self.v, K)

    def peakmem_derivatives(self, n, K):
        self.ta.derivatives(self.f, self.x, self.v, K)


class Jet(Benchmark):
    """jax.experimental.jet's convention: three input terms, order 3."""

    params = [c.pick([10_000], smoke=[10])]
    param_names = ["n"]

    def setup(self, n):
        ta, tnp = c.taylorad()
        self.ta = ta
        self.f = lambda x: c.chain_nolog1p(tnp, x)
        self.x, v = (a.copy() for a in c.chain_data(n))
        self.series = (v, 0.5 * v, np.zeros_like(v))

    def time_jet(self, n):
        self.ta.jet(self.f, (self.x,), (self.series,))


class Scalar(Benchmark):
    """The 4th derivative of sin at 0.7: per-call overhead of a Taylor pass."""

    def setup(self):
        ta, tnp = c.taylorad()
        self.ta, self.sin = ta, tnp.sin
        self.x0, self.v = np.float64(0.7), np.float64(1.0)

    def time_sin_order4(self):
        self.ta.derivatives(self.sin, self.x0, self.v, 4)
