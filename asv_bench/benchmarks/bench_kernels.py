"""The CPU fast paths of issue 8, each measured on and off in the same run: numba Taylor kernels
(``taylorad.cpu``) for ``derivatives`` of the elementwise chain, and the elementwise fusion of
``taylorad.jit`` recordings for a dense Hessian and the Rosenbrock HVP. ``kernels`` = False is
the pure-NumPy path (the default when numba is missing). Skipped on commits without them."""
from . import common as c
from .common import Benchmark


def _cpu():
    cpu = c.require("taylorad.cpu")
    if not cpu.available():
        c.skip("numba is not installed")
    return cpu


class TaylorKernels(Benchmark):
    """derivatives(sin(exp(tanh x)·x) + log1p(x²)) to order K, kernels on / off."""

    params = [c.pick([10_000, 1_000_000], smoke=[300]), c.pick([2, 8], smoke=[3]),
              [True, False]]
    param_names = ["n", "K", "kernels"]
    timeout = 300

    def setup(self, n, K, kernels):
        ta, tnp = c.taylorad()
        self.cpu = _cpu()
        self.ta, self.K = ta, K
        self.f = lambda x: c.chain(tnp, x)
        self.x, self.v = (a.copy() for a in c.chain_data(n))
        with self.cpu.use_kernels(kernels):
            c.warm(ta.derivatives, self.f, self.x, self.v, K)  # compiles (or loads) the kernels

    def time_derivatives(self, n, K, kernels):
        with self.cpu.use_kernels(kernels):
            self.ta.derivatives(self.f, self.x, self.v, self.K)

    def peakmem_derivatives(self, n, K, kernels):
        with self.cpu.use_kernels(kernels):
            self.ta.derivatives(self.f, self.x, self.v, self.K)


class FusedReplay(Benchmark):
    """ta.jit replays with elementwise arithmetic fused (kernels on) or as NumPy calls (off)."""

    params = [["hessian_500", "rosen_hvp"], [True, False]]
    param_names = ["case", "kernels"]

    def setup(self, case, kernels):
        ta, tnp = c.taylorad()
        cpu = _cpu()
        n = 20 if c.SMOKE else None
        if case == "hessian_500":
            A, self.x = c.hessian_data(n or 500)
            fn = ta.hessian(lambda z: c.hess_fun(tnp, A, z))
            self.args = (self.x,)
        else:
            x = c.rosen_x0(n or 10_000)
            fn = lambda z, p: ta.hvp(lambda y: c.rosen_ext(tnp, y), z, p)  # noqa: E731
            self.args = (x, x * 0.0 + 1.0)
        with cpu.use_kernels(kernels):  # fusion is decided when the recording is made
            self.fn = ta.jit(fn)
            for _ in range(3):  # record, verify, compile
                self.fn(*self.args)

    def time_replay(self, case, kernels):
        self.fn(*self.args)
