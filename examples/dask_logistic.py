"""Logistic regression on a Dask cluster: taylorad's Newton beside dask-glm's
==========================================================================

The data — X (rows × cols, float64) and labels y — is a Dask array chunked along the rows,
generated lazily on the workers from a seed. The loss is written once, in NumPy::

    def nll(w, X, y):
        z = X @ w
        return tnp.mean(tnp.logaddexp(0.0, z) - y * z)

and taylorad's ``minimize(nll, w0, args=(X, y), method="newton-exact")`` gets its gradient and
dense Hessian by automatic differentiation: one lazy graph and ONE ``dask.compute`` per
iteration (a pass over the data), the parameters NumPy on the client. dask-glm's ``newton`` and
``lbfgs`` (used by dask-ml) solve the same problem with the logistic gradient and Hessian written
by hand (its families.py). Printed side by side: the coefficients' largest difference,
iterations, passes over the data (graphs the scheduler received), wall time and the peak memory
of the worker processes::

    python examples/dask_logistic.py                      # 2e6 x 50, 8 chunks, 2 workers
    python examples/dask_logistic.py --workers 1          # scaling
    # out of core: X is regenerated from its seed on every pass, never stored. 26.6 GiB of
    # data on a 23.5 GiB machine: taylorad 249 s, dask-glm 258 s, 680 MiB per worker
    python examples/dask_logistic.py --rows 7e7 --chunks 280 --solvers "taylorad newton,dask-glm newton"
    # 4 GB of data through workers of 1 GiB each
    python examples/dask_logistic.py --rows 1e7 --chunks 80 --memory-limit 1GiB --solvers "taylorad newton"
    python examples/dask_logistic.py --scheduler tcp://host:8786   # an existing cluster
    python examples/dask_logistic.py --fast               # the test suite's quick run

Without ``--persist`` (the default when the data exceeds a quarter of the memory) nothing of X
is kept between passes: every pass regenerates each chunk, uses it and drops it, so a worker
holds a few chunks' working set at a time whatever the number of rows.
"""
import argparse
import math
import os
import resource
import time
import warnings
from importlib.util import find_spec

import numpy as np

import taylorad.numpy as tnp
import taylorad.optimize as topt


def nll(w, X, y):
    """Mean logistic loss (dask-glm's Logistic family, divided by the number of rows)."""
    z = X @ w
    return tnp.mean(tnp.logaddexp(0.0, z) - y * z)


def make_data(rows, cols, chunks, seed=0):
    """Lazy X, y: Gaussian features, labels from a logistic model (nothing computed here)."""
    import dask.array as da  # noqa: PLC0415

    rng = da.random.default_rng(seed)
    step = math.ceil(rows / chunks)
    X = rng.normal(size=(rows, cols), chunks=(step, cols))
    w_true = np.random.default_rng(seed + 1).normal(size=cols) / math.sqrt(cols)
    noise = rng.logistic(size=rows, chunks=step)
    y = (X @ w_true + noise > 0).astype(np.float64)
    return X, y


def _counter_plugin():
    from distributed.diagnostics.plugin import SchedulerPlugin  # noqa: PLC0415

    class GraphCounter(SchedulerPlugin):
        """Counts the graphs the scheduler receives: one per compute/persist (a pass)."""

        name = "taylorad-graph-counter"

        def __init__(self):
            self.n = 0

        def update_graph(self, scheduler, **kwargs):
            self.n += 1

    return GraphCounter()


def _graphs(client):
    return client.run_on_scheduler(
        lambda dask_scheduler: dask_scheduler.plugins["taylorad-graph-counter"].n)


def _import_solvers():
    import taylorad.numpy  # noqa: F401, PLC0415

    if find_spec("dask_glm") is not None:
        import dask_glm.algorithms  # noqa: F401, PLC0415


def _reset_peak_rss(client):
    """Start the workers' peak-memory count afresh. Linux keeps a process's peak RSS across
    fork and exec, so a worker started by a client that held large arrays would report the
    client's peak; writing 5 to /proc/self/clear_refs resets it to the current RSS."""
    def reset():
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            return True
        except OSError:
            return False

    return all(client.run(reset).values())


def _peak_rss(client):
    """Peak resident memory (MiB) of each worker process since ``_reset_peak_rss`` (or since
    it started, where /proc is not available)."""
    def peak():
        try:
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    return sorted(client.run(peak).values())


def solve(name, X, y, client, tol):
    """Run one solver; returns (coefficients, iterations, passes, seconds)."""
    g0 = _graphs(client)
    t0 = time.perf_counter()
    if name == "taylorad newton":
        r = topt.minimize(nll, np.zeros(X.shape[1]), args=(X, y), method="newton-exact",
                          options={"gtol": tol})
        beta, nit = r.x, r.nit
    elif name == "taylorad trust-ncg":
        r = topt.minimize(nll, np.zeros(X.shape[1]), args=(X, y), method="trust-ncg",
                          options={"gtol": tol})
        beta, nit = r.x, r.nit
    elif name == "dask-glm newton":
        from dask_glm.algorithms import newton  # noqa: PLC0415

        beta = newton(X, y, normalize=False, tol=1e-8, max_iter=100)
        nit = None
    elif name == "dask-glm lbfgs":
        from dask_glm.algorithms import lbfgs  # noqa: PLC0415

        beta = lbfgs(X, y, normalize=False, tol=tol * X.shape[0], max_iter=500)
        nit = None
    else:
        raise ValueError(f"dask_logistic: unknown solver {name!r}")
    dt = time.perf_counter() - t0
    passes = _graphs(client) - g0
    if nit is None:  # dask-glm does not report iterations: one compute per iteration/eval
        nit = passes
    return np.asarray(beta), nit, passes, dt


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=float, default=2e6)
    ap.add_argument("--cols", type=int, default=50)
    ap.add_argument("--chunks", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scheduler", default=None, help="address of an existing scheduler")
    ap.add_argument("--memory-limit", default="auto",
                    help="per worker of the LocalCluster, e.g. 1GiB (default: a share of RAM)")
    ap.add_argument("--solvers", default="taylorad newton,dask-glm newton,dask-glm lbfgs")
    ap.add_argument("--persist", action=argparse.BooleanOptionalAction, default=None,
                    help="keep X, y in the workers' memory (default: when it fits easily)")
    ap.add_argument("--numpy", action="store_true",
                    help="also run taylorad on the in-memory NumPy arrays in this process")
    ap.add_argument("--repeat", type=int, default=1, help="runs per solver (median printed)")
    ap.add_argument("--fast", action="store_true", help="a small quick run (tests)")
    a = ap.parse_args(argv)
    a.fast = a.fast or os.environ.get("TAYLORAD_EXAMPLES_FAST") == "1"
    if a.fast:
        a.rows, a.cols, a.chunks = 20_000, 5, 4
        a.solvers = "taylorad newton,dask-glm newton"
    rows = int(a.rows)

    import dask  # noqa: PLC0415
    from dask.distributed import Client, LocalCluster  # noqa: PLC0415

    warnings.filterwarnings("error", message=".*Sending large graph.*")  # no client-side data
    if a.scheduler:
        client, cluster = Client(a.scheduler), None
    else:
        # fast mode (the test suite): threads in this process, which start in a fraction of the
        # time; tests/test_dask.py runs worker processes
        cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=not a.fast,
                               dashboard_address=None, memory_limit=a.memory_limit)
        client = Client(cluster)
    client.register_plugin(_counter_plugin())
    try:
        X, y = make_data(rows, a.cols, a.chunks)
        nbytes = rows * (a.cols + 1) * 8
        mem = sum(w["memory_limit"] for w in client.scheduler_info()["workers"].values())
        persist = a.persist if a.persist is not None else nbytes < mem / 4
        if persist:
            X, y = client.persist([X, y])
            dask.distributed.wait([X, y])
        print(f"X: {rows} x {a.cols} float64 ({nbytes / 2**30:.2f} GiB with y) in "
              f"{len(X.chunks[0])} chunks of {X.chunks[0][0]} rows; "
              f"{len(client.scheduler_info()['workers'])} workers; "
              f"{'persisted' if persist else 'lazy (regenerated on every pass)'}")
        client.run(_import_solvers)  # library imports on the workers are not a solver's time
        reset = _reset_peak_rss(client)
        tol = 1e-10
        names = [s.strip() for s in a.solvers.split(",") if s.strip()]
        if find_spec("dask_glm") is None:
            print("dask-glm is not installed: its solvers are skipped (pip install dask-glm)")
            names = [n for n in names if not n.startswith("dask-glm")]
        runs = {n: [] for n in names}
        for _ in range(a.repeat):  # interleaved, so that a noisy machine hits all alike
            for name in names:
                runs[name].append(solve(name, X, y, client, tol))
        rows_out = []
        for name in names:
            beta, nit, passes, _ = runs[name][-1]
            rows_out.append((name, beta, nit, passes,
                             float(np.median([r[3] for r in runs[name]]))))
        if a.numpy:
            Xn, yn = dask.compute(X, y)
            times = []
            for _ in range(a.repeat):
                t0 = time.perf_counter()
                r = topt.minimize(nll, np.zeros(a.cols), args=(Xn, yn), method="newton-exact",
                                  options={"gtol": tol})
                times.append(time.perf_counter() - t0)
            rows_out.append(("taylorad newton, NumPy in-process", r.x, r.nit, r.nfev,
                             float(np.median(times))))
            del Xn, yn
        ref = rows_out[0][1]
        peak = _peak_rss(client)
        print(f"{'solver':34s} {'max|b - b0|':>11s} {'iters':>5s} {'passes':>6s} "
              f"{'wall s':>7s} {'s/pass':>7s}")
        for name, beta, nit, passes, dt in rows_out:
            print(f"{name:34s} {np.max(np.abs(beta - ref)):11.2e} {nit:5d} {passes:6d} "
                  f"{dt:7.2f} {dt / max(passes, 1):7.3f}")
        print(f"peak RSS per worker process (MiB, since {'the data was ready' if reset else 'start'}"
              f"): {[round(p) for p in peak]}; "
              f"one chunk of X is {X.chunks[0][0] * a.cols * 8 / 2**20:.0f} MiB")
        worst = max(np.max(np.abs(r[1] - ref)) for r in rows_out)
        if worst <= 1e-6:
            print(f"OK: all solvers agree on the coefficients to {worst:.1e} (<= 1e-6)")
        else:
            print(f"MISMATCH: the coefficients differ by {worst:.1e} > 1e-6")
        del X, y
        return rows_out
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    out = main()
    worst = max(np.max(np.abs(r[1] - out[0][1])) for r in out)
    raise SystemExit(0 if worst <= 1e-6 else 1)

# examples-test: expect ^OK: all solvers agree on the coefficients to
# examples-test: expect ^taylorad newton\s
