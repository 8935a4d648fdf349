"""Nested gradients (DESIGN.md §1, issue 2): ∇⟨∇f(x), v⟩ forward over reverse (taylorad's
``grad(grad(f))``: the inner gradient is one node whose VJP is an HVP pass) against reverse over
reverse (the outer gradient tapes the inner backward pass, written with ``ta.vjp``), and the
MindSpore facade's nested ``GradOperation`` at depth 2-4 (issue 6)."""
import numpy as np

from . import common as c
from .common import Benchmark


class NestedGrad(Benchmark):
    """f(x) = Σ tanh(A x)² + x·x/2; both methods give H(x)·v."""

    params = [c.pick([30, 300], full=[30, 300, 1000], smoke=[4]),
              ["fwd_over_rev", "rev_over_rev", "hvp"]]
    param_names = ["n", "method"]

    def setup(self, n, method):
        ta, tnp = c.taylorad()
        A, self.x = c.hessian_data(n)
        v = np.ones(n)

        def f(x):
            return c.hess_fun(tnp, A, x)

        def inner_fwd(x):  # ta.grad inside ta.grad: one forward-over-reverse node
            return tnp.sum(ta.grad(f)(x) * v)

        def inner_rev(x):  # ta.vjp inside ta.grad: the inner backward pass is taped
            _, pullback = ta.vjp(f, x)
            return tnp.sum(pullback(np.float64(1.0))[0] * v)

        if method == "hvp":
            self.run = lambda x: ta.hvp(f, x, v)
        else:
            self.run = ta.grad(inner_fwd if method == "fwd_over_rev" else inner_rev)
        c.warm(self.run, self.x)

    def time_nested_grad(self, n, method):
        self.run(self.x)

    def peakmem_nested_grad(self, n, method):
        self.run(self.x)


def _facade():
    """The MindSpore-compatible facade (``taylorad.ops`` …) or skip: not at this commit."""
    ta = c.require("taylorad")
    ops = c.require("taylorad.ops")
    if not hasattr(ta, "Tensor") or not hasattr(ops, "GradOperation"):
        c.skip("taylorad.Tensor / taylorad.ops.GradOperation do not exist at this commit")
    return ta, ops


class GradOperationDepth(Benchmark):
    """GradOperation()(GradOperation()(…net)) on net(x) = Σ sin(x)·x, depth 2-4, n elements."""

    params = [[2, 3, 4], c.pick([1_000], full=[1_000, 100_000], smoke=[5])]
    param_names = ["depth", "n"]

    def setup(self, depth, n):
        ms, ops = _facade()

        def net(x):
            return ops.sum(ops.sin(x) * x)

        g = net
        for _ in range(depth):
            g = ops.GradOperation()(g)
        self.g = g
        self.x = ms.Tensor(np.linspace(0.1, 1.0, n))
        c.warm(self.g, self.x)

    def time_grad_operation(self, depth, n):
        self.g(self.x)
