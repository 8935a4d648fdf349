"""``taylorad.jit`` replays of the comparison table's rows that issue 8 measured against jax.jit:
the MLP gradient and HVP (GEMM-bound; rank-1 products as multiplications), the same on a small
MLP (8-16-16-16-1, batch 8: ~100 small NumPy calls, so the replay's cost per call), the 3-input
HVP (per-call overhead: Python-float programs, small gradient assembly), and the top derivative
of the elementwise chain (the index sunk through the series additions). Skipped on commits
without ``taylorad.jit``."""
from . import common as c
from .common import Benchmark


class Replay(Benchmark):
    params = [["mlp_grad", "mlp_hvp", "small_mlp_grad", "small_mlp_hvp", "tiny_hvp",
               "chain_top_K8"]]
    param_names = ["case"]

    def setup(self, case):
        ta, tnp = c.taylorad()
        jit = c.require_attr("taylorad", "jit")
        if "mlp" in case:
            small = case.startswith("small")
            widths = (8, 16, 16, 16, 1) if small else c.pick((64, 256, 256, 256, 1),
                                                              smoke=(4, 8, 8, 8, 1))
            theta, X, y, v = c.mlp_data(widths, 8 if small else c.pick(512, smoke=4))
            loss = lambda th: c.mlp_loss(tnp, th, X, y, widths)  # noqa: E731
            if case.endswith("mlp_grad"):
                fn, self.args = ta.grad(loss), (theta,)
            else:
                fn, self.args = (lambda t, u: ta.hvp(loss, t, u)), (theta, v)
        elif case == "tiny_hvp":
            fn = lambda x, u: ta.hvp(lambda z: c.tiny(tnp, z), x, u)  # noqa: E731
            self.args = (c.TINY_X.copy(), c.TINY_V.copy())
        else:
            x, v = c.chain_data(c.pick(100_000, smoke=300))
            fn = lambda z, u: ta.derivatives(lambda y: c.chain(tnp, y), z, u, 8)[8]  # noqa: E731
            self.args = (x.copy(), v.copy())
        self.fn = jit(fn)
        for _ in range(3):  # record, verify, compile
            self.fn(*self.args)

    def time_replay(self, case):
        self.fn(*self.args)
