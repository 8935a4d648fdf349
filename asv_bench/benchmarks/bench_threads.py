"""taylorad on one thread and on every core (issue 17), side by side in the same run: the
comparison rows of ``compare.py`` (taylorad.jit, and jax.jit where installed) with taylorad's
CPU passes limited to one thread (``taylorad.cpu.threads.limit(1)``) or on its default pool
(``TAYLORAD_NUM_THREADS``, else the usable cores). Their ratio is the parallel speed-up on the
benchmarking machine. XLA's pool is the process default in both (asv shares one process).

The 10⁶-element rows run with TAYLORAD_BENCH_FULL=1. Skipped on commits without the pool.
"""
import contextlib

from . import common as c
from . import workloads as W
from .common import Benchmark

_ROWS = c.pick(["derivs_K8_n10000", "mlp_hvp", "hessian_100"],
               full=["derivs_K2_n1000000", "derivs_K4_n1000000", "derivs_K8_n1000000",
                     "derivs_K8_n10000", "mlp_grad", "mlp_hvp", "hessian_100", "hessian_500",
                     "laplacian"],
               smoke=["derivs_K4_n50", "hessian_6"])


class Threads(Benchmark):
    """One compare.py row, taylorad.jit / jax.jit, on one thread (1) or every core ("all")."""

    params = [_ROWS, c.pick(["taylorad.jit", "jax.jit"], smoke=["taylorad.jit"]), ["1", "all"]]
    param_names = ["workload", "framework", "threads"]
    timeout = 300

    def setup(self, workload, framework, threads):
        if framework == "taylorad.jit":
            pool = c.require("taylorad.cpu.threads")
            self.ctx = (lambda: pool.limit(1)) if threads == "1" else contextlib.nullcontext
        else:
            if threads == "1":
                c.skip("XLA's thread pool is fixed when jax starts: run compare.py --threads 1")
            self.ctx = contextlib.nullcontext
        row = W.find_row(workload, quick=c.SMOKE)
        try:
            self.fn, self.block = W.make(row, framework, one_thread=False)
        except W.Missing as e:
            c.skip(str(e))
        with self.ctx():
            self.block(self.fn())  # warm-up: recording, compilation

    def time_workload(self, workload, framework, threads):
        with self.ctx():
            self.block(self.fn())
