"""The comparison workloads of issue 6, timed in every framework that is installed: taylorad,
JAX (eager and jit), PyTorch (torch.func and torch.autograd) and HIPS autograd. A framework that
is not installed is skipped (``NotImplementedError``), so ``asv run`` shows whoever is there side
by side, commit after commit. Correctness is checked by ``asv_bench/compare.py``, which also
runs each cell in a fresh one-thread process; here the peers share asv's process.

The largest rows (Hessian n = 500, derivatives on 10⁶ elements) run with TAYLORAD_BENCH_FULL=1.
"""
from . import common as c
from . import workloads as W
from .common import Benchmark

_HEAVY = ("hessian_500", "derivs_K2_n1000000", "derivs_K4_n1000000", "derivs_K8_n1000000")
ROWS = [r.key for r in W.rows(quick=c.SMOKE) if c.FULL or c.SMOKE or r.key not in _HEAVY]


class Peers(Benchmark):
    params = [ROWS, list(W.FRAMEWORKS)]
    param_names = ["workload", "framework"]
    timeout = 300

    def setup(self, workload, framework):
        row = W.find_row(workload, quick=c.SMOKE)
        try:
            self.fn, self.block = W.make(row, framework)
        except W.Missing as e:
            c.skip(str(e))
        self.block(self.fn())  # warm-up: tracing, jit compilation

    def time_workload(self, workload, framework):
        self.block(self.fn())
