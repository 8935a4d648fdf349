"""The Laplacian of a network over millions of points, chunked across Dask workers
===============================================================================

A PINN's residual needs Δu at every collocation point. The points form a Dask array chunked
along the points (each point's coordinates whole in one chunk); ``ta.laplacian(u)(points)``
returns a lazy Dask array chunked the same way. The Laplacian is pointwise (each point's value
depends on its own coordinates only), so taylorad computes it *blockwise*: one task per chunk
runs the collapsed-Taylor Laplacian on that chunk's NumPy array, with the NumPy fast paths —
rather than one Dask task per primitive and chunk (``--graph`` runs that way, for comparison).
The result is checked on a subset of the points against the in-memory NumPy computation.

    python examples/dask_pinn_laplacian.py                  # 10^7 points, 2 workers
    python examples/dask_pinn_laplacian.py --points 1e6 --graph
    python examples/dask_pinn_laplacian.py --scheduler tcp://host:8786
"""
import argparse
import math
import os
import time

import numpy as np

import taylorad as ta
import taylorad.numpy as tnp


def network(width=32, d=2, seed=0):
    """u(x): an MLP R^d -> R (tanh), applied to points of shape (..., d)."""
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(d, width)) / math.sqrt(d), rng.normal(size=(width, width)) /
          math.sqrt(width), rng.normal(size=(width, 1)) / math.sqrt(width)]
    bs = [rng.normal(size=width) * 0.1, rng.normal(size=width) * 0.1, np.zeros(1)]

    def u(x):
        h = tnp.tanh(x @ Ws[0] + bs[0])
        h = tnp.tanh(h @ Ws[1] + bs[1])
        return (h @ Ws[2] + bs[2])[..., 0]

    return u


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=float, default=1e7)
    ap.add_argument("--chunk", type=float, default=250_000, help="points per chunk")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scheduler", default=None)
    ap.add_argument("--graph", action="store_true",
                    help="also time the primitive-per-task graph (blockwise=False)")
    ap.add_argument("--check", type=int, default=20_000, help="points checked against NumPy")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each variant")
    a = ap.parse_args(argv)
    fast = os.environ.get("TAYLORAD_EXAMPLES_FAST") == "1"
    if fast:
        a.points, a.chunk, a.check = 40_000, 10_000, 5_000

    import dask  # noqa: PLC0415
    import dask.array as da  # noqa: PLC0415
    from dask.distributed import Client, LocalCluster  # noqa: PLC0415

    if a.scheduler:
        client, cluster = Client(a.scheduler), None
    else:
        # fast mode (the test suite): threads in this process, quick to start
        cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=not fast,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        n, step = int(a.points), int(a.chunk)
        pts = da.random.default_rng(0).uniform(-1.0, 1.0, size=(n, 2), chunks=(step, 2))
        u = network()
        print(f"{n} points in {pts.npartitions} chunks of {step}; "
              f"{len(client.scheduler_info()['workers'])} workers")
        variants = [("blockwise", True)] + ([("graph", False)] if a.graph else [])
        variants = variants * a.repeat  # interleaved repeats (the first includes warm-up)
        lap = None
        for name, blockwise in variants:
            t0 = time.perf_counter()
            lap_d = ta.laplacian(u, blockwise=blockwise)(pts)  # lazy, chunked like pts
            total, head = ta.compute(lap_d.sum(), lap_d[:a.check])  # one pass, fused per chunk
            dt = time.perf_counter() - t0
            print(f"{name:9s}: sum of the Laplacian {total:.10e} in {dt:.2f} s "
                  f"({n / dt / 1e6:.2f} M points/s)")
            lap = head if lap is None else lap
        ref = ta.laplacian(u)(pts[:a.check].compute())  # NumPy, in this process
        err = float(np.max(np.abs(lap - ref)) / np.max(np.abs(ref)))
        print(f"{'OK' if err < 1e-12 else 'MISMATCH'}: the first {a.check} points agree with "
              f"NumPy to {err:.1e} (relative)")
        return err
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    raise SystemExit(0 if main() < 1e-12 else 1)

# examples-test: expect ^OK: the first \d+ points agree with NumPy to
