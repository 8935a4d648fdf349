"""asv: taylorad on Dask arrays, on a dask.distributed LocalCluster of 2 worker processes.

One evaluation of the mean logistic loss's (f, g, H) — what ``minimize(method='newton-exact')``
computes per iteration — as a Dask graph on data persisted on the workers (fused per data chunk
by ``ta.compute``, and unfused by ``dask.compute``), beside dask-glm's
hand-written gradient and Hessian of the same loss (its families.py) when dask-glm is
installed; ``track_passes`` counts the graphs one solve sends (one per evaluation). Skipped
(NotImplementedError in setup) when dask or distributed is absent. ``TAYLORAD_BENCH_FULL=1``
uses 2·10⁶ rows instead of 2·10⁵. The side-by-side script with medians is
``asv_bench/compare_dask.py``.
"""
import os

import numpy as np

FULL = os.environ.get("TAYLORAD_BENCH_FULL") == "1"
# the test suite's smoke run: tiny data on Dask's local scheduler, no cluster in its process
SMOKE = os.environ.get("TAYLORAD_BENCH_SMOKE") == "1"
ROWS = 2_000_000 if FULL else 2_000 if SMOKE else 200_000
COLS, CHUNKS = 50, 8

_STATE = {}


def _cluster():
    """One LocalCluster per benchmark process (asv runs each benchmark in its own process)."""
    try:
        import dask
        from dask.distributed import Client, LocalCluster
        from taylorad.core import backend  # noqa: F401 - a commit with the Dask backend
    except ImportError as e:
        raise NotImplementedError(f"needs dask, distributed and taylorad's Dask backend: {e}")
    if SMOKE:
        import dask.array  # noqa: F401
    if "data" not in _STATE:
        if not SMOKE:
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            _STATE["client"] = Client(cluster)
            _STATE["cluster"] = cluster
        rng = dask.array.random.default_rng(0)
        X = rng.normal(size=(ROWS, COLS), chunks=(ROWS // CHUNKS, COLS))
        w_true = np.random.default_rng(1).normal(size=COLS) / np.sqrt(COLS)
        y = (X @ w_true + rng.logistic(size=ROWS, chunks=ROWS // CHUNKS) > 0).astype("f8")
        _STATE["data"] = (_STATE["client"].persist([X, y]) if not SMOKE else
                          list(dask.persist(X, y, scheduler="sync")))
    return _STATE.get("client"), _STATE["data"]


def _nll(w, X, y):
    import taylorad.numpy as tnp

    z = X @ w
    return tnp.mean(tnp.logaddexp(0.0, z) - y * z)


class LogisticPass:
    """One pass over the data: (f, g, H) of the logistic loss at a fixed point."""

    params = [["taylorad", "taylorad-unfused", "dask-glm"]]
    param_names = ["library"]
    timeout = 300
    number = 1
    repeat = 3

    def setup(self, library):
        import dask

        self.client, (self.X, self.y) = _cluster()
        self.w = np.full(COLS, 0.01)
        if library == "dask-glm":
            try:
                from dask_glm.families import Logistic
            except ImportError as e:
                raise NotImplementedError(f"dask-glm is not installed: {e}")

            def run():
                Xb = self.X.dot(self.w)
                return dask.compute(Logistic.hessian(Xb, self.X),
                                    Logistic.gradient(Xb, self.X, self.y))
        else:
            import taylorad as ta
            from taylorad.optimize._objective import fused_value_grad_hessian

            # "taylorad": ta.compute fuses each data chunk's tasks into one (what minimize
            # does); "taylorad-unfused": the same graph through a plain dask.compute
            compute = ta.compute if library == "taylorad" else dask.compute

            def run():
                f, g, H = fused_value_grad_hessian(lambda w: _nll(w, self.X, self.y),
                                                   [self.w], "*")
                return compute(f, H, *g)
        self.run = run
        run()  # warm-up (imports and first-call costs on the workers)

    def time_pass(self, library):
        self.run()


class NewtonSolve:
    """A whole newton-exact solve: passes over the data (exact count) and its time."""

    timeout = 600
    number = 1
    repeat = 1

    def setup(self):
        import taylorad.optimize as topt

        self.client, (self.X, self.y) = _cluster()
        self.topt = topt

    def _solve(self):
        return self.topt.minimize(_nll, np.zeros(COLS), args=(self.X, self.y),
                                  method="newton-exact", options={"gtol": 1e-10})

    def time_solve(self):
        self._solve()

    def track_passes(self):
        return self._solve().npass

    track_passes.unit = "passes"
