"""The toolbox (taylorad.hessian, hvp_batch, laplacian, jacfwd, jacrev; issue 6): dense Hessians
batched (all columns in one forward-over-reverse pass) and chunked, against a loop of HVPs; the
Laplacian of an MLP by collapsed / stacked Taylor mode and by nested first-order AD. Every class
skips at commits before the toolbox."""
import numpy as np

from . import common as c
from .common import Benchmark


class Hessian(Benchmark):
    """Dense Hessian of Σ tanh(A x)² + x·x/2, n × n."""

    params = [c.pick([10, 100, 300], full=[10, 100, 500, 1000], smoke=[4]),
              ["batched", "chunked", "hvp_loop"]]
    param_names = ["n", "method"]
    timeout = 300

    def setup(self, n, method):
        ta, tnp = c.taylorad()
        A, self.x = c.hessian_data(n)

        def f(x):
            return c.hess_fun(tnp, A, x)

        if method == "hvp_loop":
            eye = np.eye(n)
            self.run = lambda x: np.stack([ta.hvp(f, x, eye[i]) for i in range(n)])
        else:
            hessian = c.require_attr("taylorad", "hessian")
            chunk = None if method == "batched" else max(1, n // 8)
            self.run = hessian(f, chunk_size=chunk)
        c.warm(self.run, self.x)

    def time_hessian(self, n, method):
        self.run(self.x)

    def peakmem_hessian(self, n, method):
        self.run(self.x)


class HvpBatch(Benchmark):
    """m Hessian-vector products of the MLP loss: one batched pass against m hvp calls."""

    params = [c.pick([4, 16], smoke=[2]), ["hvp_batch", "hvp_loop"]]
    param_names = ["m", "method"]

    def setup(self, m, method):
        ta, tnp = c.taylorad()
        widths, batch = c.pick((64, 64, 64, 1), smoke=(3, 4, 1)), c.pick(256, smoke=4)
        self.theta, X, y, _ = c.mlp_data(widths, batch)

        def loss(th):
            return c.mlp_loss(tnp, th, X, y, widths)

        V = np.random.default_rng(c.SEED + 5).standard_normal((m, self.theta.size))
        if method == "hvp_loop":
            self.run = lambda th: np.stack([ta.hvp(loss, th, V[i]) for i in range(m)])
        else:
            hvp_batch = c.require_attr("taylorad", "hvp_batch")
            self.run = lambda th: hvp_batch(loss, th, V)
        c.warm(self.run, self.theta)

    def time_hvps(self, m, method):
        self.run(self.theta)


class Laplacian(Benchmark):
    """Δu at each point for a tanh MLP 16-128-128-128-1 (u: R^16 -> R), a batch of points."""

    params = [c.pick([256], full=[256, 1024], smoke=[3]), ["collapsed", "stacked", "nested"]]
    param_names = ["npoints", "method"]

    def setup(self, npoints, method):
        ta, tnp = c.taylorad()
        laplacian = c.require_attr("taylorad", "laplacian")
        widths = c.pick((16, 128, 128, 128, 1), smoke=(3, 4, 1))
        params, self.X = c.laplacian_data(widths, npoints)

        def u(X):
            return c.mlp_forward(tnp, params, X)

        try:
            self.run = laplacian(u, method=method)
        except TypeError:
            c.skip("taylorad.laplacian has no method argument at this commit")
        c.warm(self.run, self.X)

    def time_laplacian(self, npoints, method):
        self.run(self.X)

    def peakmem_laplacian(self, npoints, method):
        self.run(self.X)


class Jacobian(Benchmark):
    """Jacobian of tanh(A x), n × n: forward (jacfwd) and reverse (jacrev) columns."""

    params = [c.pick([10, 100], smoke=[3]), ["jacfwd", "jacrev"]]
    param_names = ["n", "method"]

    def setup(self, n, method):
        ta, tnp = c.taylorad()
        jac = c.require_attr("taylorad", method)
        A, self.x = c.hessian_data(n)
        self.run = jac(lambda x: tnp.tanh(A @ x))
        c.warm(self.run, self.x)

    def time_jacobian(self, n, method):
        self.run(self.x)
