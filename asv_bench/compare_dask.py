"""Side by side on a dask.distributed LocalCluster: taylorad beside dask-glm, and the two ways
taylorad can run on Dask arrays.

1. ``pass``: one evaluation of the mean logistic loss's (f, g, H) on X (rows × 50, 8 chunks,
   persisted on the workers) — what one Newton iteration costs:
   * taylorad, fused graph: each primitive a Dask operation (one lazy graph), computed by
     ``ta.compute``, which fuses each data chunk's tasks into one task (``core/daskfuse.py``) —
     what ``taylorad.optimize.minimize`` does with Dask data among ``args``;
   * taylorad, unfused graph: the same graph computed by a plain ``dask.compute``;
   * taylorad, blockwise: one task per chunk runs taylorad's NumPy AD of that chunk's sum of
     losses (``map_blocks``), then a tree sum of (f, g, H) over the chunks;
   * dask-glm: its hand-written gradient and Hessian (families.py), as in its ``newton``.
2. ``solve``: ``examples/dask_logistic.py`` (taylorad newton-exact beside dask-glm newton and
   lbfgs) on 1 and on 2 workers, and taylorad on the in-memory NumPy arrays in one process.

Medians of ``--repeat`` interleaved runs (the host is shared: read ratios, not absolutes).

    python asv_bench/compare_dask.py --rows 2e6 --repeat 3
"""
import argparse
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "examples"))


def per_pass(rows, cols, chunks, repeat, workers):
    import dask
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    import taylorad as ta
    import taylorad.numpy as tnp
    from dask_logistic import make_data, nll
    from taylorad.optimize._objective import fused_value_grad_hessian

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    try:
        X, y = client.persist(list(make_data(rows, cols, chunks)))
        dask.distributed.wait([X, y])
        w = np.full(cols, 0.01)

        def graph():
            f, g, H = fused_value_grad_hessian(lambda v: nll(v, X, y), [w], "*")
            return ta.compute(f, g[0], H)

        def unfused():
            f, g, H = fused_value_grad_hessian(lambda v: nll(v, X, y), [w], "*")
            return dask.compute(f, g[0], H)

        def chunk_fgh(Xb, yb, w):
            def loss(v):
                z = Xb @ v
                return tnp.sum(tnp.logaddexp(0.0, z) - yb[:, 0] * z)
            f, (g,), H = fused_value_grad_hessian(loss, [w], "*")
            return np.concatenate([[f], g, H.ravel()])[None, :]

        def blockwise():
            m = 1 + cols + cols * cols
            parts = da.map_blocks(chunk_fgh, X, y[:, None], w=w, dtype=X.dtype,
                                  chunks=((1,) * X.numblocks[0], (m,)))
            tot = parts.sum(axis=0).compute() / rows
            return tot[0], tot[1:1 + cols], tot[1 + cols:].reshape(cols, cols)

        runs = {"taylorad, fused graph": graph, "taylorad, unfused graph": unfused,
                "taylorad, blockwise": blockwise}
        try:
            from dask_glm.families import Logistic

            def glm():
                Xb = X.dot(w)
                H, g = dask.compute(Logistic.hessian(Xb, X), Logistic.gradient(Xb, X, y))
                return None, g / rows, H / rows
            runs["dask-glm"] = glm
        except ImportError:
            print("dask-glm is not installed: its column is skipped")
        ref = None
        times = {k: [] for k in runs}
        for k, fn in runs.items():
            fn()  # warm-up
        for _ in range(repeat):
            for k, fn in runs.items():
                t0 = time.perf_counter()
                out = fn()
                times[k].append(time.perf_counter() - t0)
                H = np.asarray(out[2])
                ref = H if ref is None else ref
                assert np.max(np.abs(H - ref)) <= 1e-10 * np.max(np.abs(ref)), k
        base = np.median(times.get("dask-glm", times["taylorad, fused graph"]))
        print(f"\none pass, (f, g, H), {rows} x {cols} in {chunks} chunks, {workers} worker "
              f"process(es); median of {repeat}")
        for k in runs:
            t = float(np.median(times[k]))
            print(f"  {k:24s} {t:7.3f} s   x{t / base:5.2f} of dask-glm")
    finally:
        client.close()
        cluster.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=float, default=2e6)
    ap.add_argument("--cols", type=int, default=50)
    ap.add_argument("--chunks", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--only", choices=["pass", "solve"], default=None)
    a = ap.parse_args()
    rows = int(a.rows)
    workers = [int(w) for w in a.workers.split(",")]
    if a.only in (None, "pass"):
        for nw in workers:
            per_pass(rows, a.cols, a.chunks, a.repeat, nw)
    if a.only in (None, "solve"):
        import dask_logistic

        for i, nw in enumerate(workers):
            print(f"\nsolve, {nw} worker process(es):")
            args = ["--rows", str(rows), "--cols", str(a.cols), "--chunks", str(a.chunks),
                    "--workers", str(nw), "--repeat", str(a.repeat)]
            dask_logistic.main(args + (["--numpy"] if i == 0 else []))


if __name__ == "__main__":
    main()
