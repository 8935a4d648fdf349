"""The MindSpore-compatible facade's training steps (issue 6): a first-order step (the loss
gradient w.r.t. the Parameters by ``GradOperation(get_by_list=True)``) and a second-order,
force-matching step (the loss contains −dE/dx by an inner ``GradOperation``; its gradient
w.r.t. the weights is forward over reverse). Each step also updates the Parameters."""
import numpy as np

from . import common as c
from .common import Benchmark


def _facade():
    ta = c.require("taylorad")
    nn, ops = c.require("taylorad.nn"), c.require("taylorad.ops")
    for mod, name in ((ta, "Tensor"), (ta, "Parameter"), (ops, "GradOperation"), (nn, "Cell")):
        if not hasattr(mod, name):
            c.skip(f"the facade's {name} does not exist at this commit")
    return ta, nn, ops


class TrainStep(Benchmark):
    params = [c.pick([64, 512], smoke=[4]), ["first_order", "force_matching"]]
    param_names = ["batch", "step"]

    def setup(self, batch, step):
        ta, nn, ops = _facade()
        rng = np.random.default_rng(c.SEED + 40)
        width = 4 if c.SMOKE else 64

        class Energy(nn.Cell):  # E(x) = Σ w₂ᵀ tanh(W₁ x + b₁) over the batch
            def __init__(self):
                super().__init__()
                self.w1 = ta.Parameter(ta.Tensor(rng.standard_normal((3, width)) / 2), name="w1")
                self.b1 = ta.Parameter(ta.Tensor(np.zeros(width)), name="b1")
                self.w2 = ta.Parameter(ta.Tensor(rng.standard_normal((width, 1)) / 8), name="w2")

            def construct(self, x):
                return ops.matmul(ops.tanh(ops.matmul(x, self.w1) + self.b1), self.w2).sum()

        energy = Energy()
        x = ta.Tensor(rng.standard_normal((batch, 3)))
        target = ta.Tensor(rng.standard_normal((batch, 3)))

        if step == "first_order":
            class Loss(nn.Cell):
                def __init__(self, e):
                    super().__init__()
                    self.e = e

                def construct(self, x, t):
                    return ((self.e(x) - t.sum()) ** 2).sum()
        else:
            class Loss(nn.Cell):
                def __init__(self, e):
                    super().__init__()
                    self.e = e
                    self.force = ops.GradOperation()

                def construct(self, x, t):
                    f = -self.force(self.e)(x)
                    return ((f - t) ** 2).sum()

        loss = Loss(energy)
        params = energy.trainable_params()
        grad = ops.GradOperation(get_by_list=True)(loss, ta.ParameterTuple(params))

        def train_step():
            for p, g in zip(params, grad(x, target)):
                p.set_data(p - 1e-3 * g)

        self.train_step = train_step
        c.warm(train_step)

    def time_train_step(self, batch, step):
        self.train_step()

    def peakmem_train_step(self, batch, step):
        self.train_step()
