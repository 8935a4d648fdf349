"""Short GPU benchmark for the CuPy backend; prints a table at the end.

1. Each fused Taylor kernel at K = 8 on 10⁷ float32 elements: time, achieved memory bandwidth
   (bytes = inputs read once + outputs written once) against the card's peak, and the composed
   rule's time on the same data.
2. Order-8 Taylor of an elementwise chain (ta.derivatives) on 10⁷ float32 elements: fused vs
   composed.
3. hvp of a 3-layer tanh MLP: cupy vs numpy.

Run from the source tree: ``PYTHONPATH=. python tests/gpu/bench.py`` (tests/gpu/run.sh does).
"""
import argparse
import statistics
import sys
import time

import numpy as np

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.core.taylor import TaylorTrace
from taylorad.cuda import fused, launches, use_fused

# spec-sheet peaks (GB/s) used only when the device does not report its memory clock
PEAK_BY_NAME = {"H100 PCIe": 2000.0, "H100 NVL": 3900.0, "H100": 3350.0, "H200": 4800.0,
                "A100-SXM4-80GB": 2039.0, "A100-PCIE-40GB": 1555.0, "A100": 1935.0}


def peak_bandwidth(cp):
    dev = cp.cuda.Device()
    name = cp.cuda.runtime.getDeviceProperties(dev.id)["name"].decode()
    try:
        clock_khz = cp.cuda.runtime.deviceGetAttribute(36, dev.id)  # cudaDevAttrMemoryClockRate
        bus_bits = cp.cuda.runtime.deviceGetAttribute(37, dev.id)  # GlobalMemoryBusWidth
        if clock_khz > 0 and bus_bits > 0:
            return name, 2.0 * clock_khz * 1e3 * bus_bits / 8 / 1e9, "device attributes"
    except Exception:  # noqa: BLE001
        pass
    for key, gbs in PEAK_BY_NAME.items():
        if key in name:
            return name, gbs, "spec sheet"
    return name, float("nan"), "unknown"


def timeit(fn, sync, repeat=10, warmup=2):
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


KERNEL_CASES = [("exp", 1), ("log", 1), ("sin", 1), ("tan", 1), ("tanh", 1), ("sigmoid", 1),
                ("arctanh", 1), ("sqrt", 1), ("power", 1), ("multiply", 2), ("divide", 2)]


def bench_kernels(cp, n, K, rows, peak):
    sync = cp.cuda.Stream.null.synchronize
    rng = cp.random.default_rng(0)
    tr = TaylorTrace(K)
    x0 = rng.uniform(0.2, 0.8, n, dtype=cp.float32)
    b0 = rng.uniform(0.5, 1.5, n, dtype=cp.float32)
    S = rng.uniform(-0.5, 0.5, (K, n), dtype=cp.float32)
    Sb = rng.uniform(-0.5, 0.5, (K, n), dtype=cp.float32)
    for name, arity in KERNEL_CASES:
        prim = getattr(tnp, name)
        if name == "power":
            ans = x0 ** 2.5
            run_fused = lambda: fused.power(tr, ans, x0, 2.5, S)  # noqa: E731
            run_comp = lambda: prim.taylor(tr, ans, [x0, 2.5], [S, None])  # noqa: E731
        elif arity == 1:
            ans = prim(x0)
            run_fused = lambda: fused.unary(prim, tr, ans, x0, S)  # noqa: E731
            run_comp = lambda: prim.taylor(tr, ans, [x0], [S])  # noqa: E731
        else:
            ans = prim(x0, b0)
            run_fused = lambda: getattr(fused, name)(tr, ans, x0, b0, S, Sb)  # noqa: E731
            run_comp = lambda: prim.taylor(tr, ans, [x0, b0], [S, Sb])  # noqa: E731
        before = launches[name]
        out = run_fused()
        if out is None or launches[name] != before + 1:
            rows.append((f"kernel {name} K={K}", "not launched", "", "", "", ""))
            continue
        with use_fused(False):
            ref = run_comp()
        err = float(cp.max(cp.abs(out - ref)) / cp.max(cp.abs(ref)))
        t_f = timeit(run_fused, sync)
        with use_fused(False):
            t_c = timeit(run_comp, sync, repeat=3, warmup=1)
        # reads: primal(s) (+ y0 for unary/divide/power) + K series per operand; writes: K
        reads = {"multiply": 2 + 2 * K, "divide": 2 + 2 * K}.get(name, 2 + K)
        gbs = (reads + K) * n * 4 / t_f / 1e9
        rows.append((f"kernel {name} K={K}", f"{t_f * 1e3:.2f}", f"{t_c * 1e3:.2f}",
                     f"{t_c / t_f:.1f}x", f"{gbs:.0f} ({100 * gbs / peak:.0f}%)", f"{err:.1e}"))


def chain(x):
    return tnp.tanh(tnp.exp(tnp.sin(x)) * x) / tnp.sqrt(1.0 + x * x)


def bench_chain(cp, n, K, rows):
    sync = cp.cuda.Stream.null.synchronize
    x = cp.linspace(-1, 1, n, dtype=cp.float32)
    v = cp.ones(n, dtype=cp.float32)
    run = lambda: ta.derivatives(chain, x, v, K)  # noqa: E731
    got = run()
    t_f = timeit(run, sync, repeat=5)
    with use_fused(False):
        ref = run()
        t_c = timeit(run, sync, repeat=3, warmup=1)
    err = max(float(cp.max(cp.abs(g - r)) / cp.max(cp.abs(r))) for g, r in zip(got, ref))
    rows.append((f"derivatives(chain) K={K} n={n:.0e}", f"{t_f * 1e3:.2f}", f"{t_c * 1e3:.2f}",
                 f"{t_c / t_f:.1f}x", "", f"{err:.1e}"))


def mlp_loss(params, X):
    W1, W2, W3 = params
    h = tnp.tanh(tnp.matmul(X, W1))
    h = tnp.tanh(tnp.matmul(h, W2))
    return tnp.sum(tnp.square(tnp.matmul(h, W3)))


def bench_hvp(cp, rows, batch=4096, width=512, dim=256):
    rng = np.random.default_rng(0)
    shapes = [(dim, width), (width, width), (width, 1)]
    P = tuple((rng.standard_normal(s) / np.sqrt(s[0])).astype(np.float32) for s in shapes)
    V = tuple(rng.standard_normal(s).astype(np.float32) for s in shapes)
    X = rng.standard_normal((batch, dim)).astype(np.float32)
    Pg, Vg, Xg = (tuple(cp.asarray(a) for a in P), tuple(cp.asarray(a) for a in V),
                  cp.asarray(X))
    run_cpu = lambda: ta.hvp(lambda p: mlp_loss(p, X), P, V)  # noqa: E731
    run_gpu = lambda: ta.hvp(lambda p: mlp_loss(p, Xg), Pg, Vg)  # noqa: E731
    ref, got = run_cpu(), run_gpu()
    err = max(float(np.max(np.abs(cp.asnumpy(g) - r)) / np.max(np.abs(r)))
              for g, r in zip(got, ref))
    t_cpu = timeit(run_cpu, lambda: None, repeat=3, warmup=1)
    t_gpu = timeit(run_gpu, cp.cuda.Stream.null.synchronize, repeat=10)
    rows.append((f"hvp 3-layer MLP {batch}x{dim}->{width}->{width}->1 (cupy vs numpy)",
                 f"{t_gpu * 1e3:.2f}", f"{t_cpu * 1e3:.2f}", f"{t_cpu / t_gpu:.1f}x", "",
                 f"{err:.1e}"))


FP64_TFLOPS = {"H100": 67.0, "H200": 67.0, "A100": 19.5}  # spec-sheet tensor-core FP64 peaks


def bench_jit(cp, n, K, rows, peak, name):
    """ta.jit replays (fused elementwise CUDA kernels, taylorad/cuda/fuse.py) against eager, in
    float64, and against the bounds: the order-K chain must at least read x, v and write K + 1
    coefficient arrays ((K + 3)·n·8 bytes at peak bandwidth); the MLP HVP must at least do its
    GEMMs — forward, backward and their tangents, about 5× the 2·batch·Σ fan_in·fan_out flops
    of one forward pass — at the FP64 peak."""
    sync = cp.cuda.Stream.null.synchronize
    x = cp.linspace(-1, 1, n, dtype=cp.float64)
    v = cp.ones(n, dtype=cp.float64)
    eager = lambda: ta.derivatives(chain, x, v, K)  # noqa: E731
    jitted = ta.jit(lambda x, v: ta.derivatives(chain, x, v, K))
    ref = eager()
    for _ in range(3):
        got = jitted(x, v)
    err = max(float(cp.max(cp.abs(g - r)) / cp.max(cp.abs(r))) for g, r in zip(got, ref))
    t_j = timeit(lambda: jitted(x, v), sync, repeat=5)
    t_e = timeit(eager, sync, repeat=5)
    bound = (K + 3) * n * 8 / (peak * 1e9)
    rows.append((f"ta.jit derivatives(chain) f64 K={K} n={n:.0e}", f"{t_j * 1e3:.2f}",
                 f"{t_e * 1e3:.2f} (eager)", f"{t_e / t_j:.1f}x",
                 f"bound {bound * 1e3:.2f} ms ({100 * bound / t_j:.0f}%)", f"{err:.1e}"))
    rng = np.random.default_rng(0)
    batch, dim, width = 4096, 256, 512
    shapes = [(dim, width), (width, width), (width, 1)]
    P = tuple(cp.asarray(rng.standard_normal(s) / np.sqrt(s[0])) for s in shapes)
    V = tuple(cp.asarray(rng.standard_normal(s)) for s in shapes)
    X = cp.asarray(rng.standard_normal((batch, dim)))
    eager = lambda: ta.hvp(lambda p: mlp_loss(p, X), P, V)  # noqa: E731
    jitted = ta.jit(lambda P, V: ta.hvp(lambda p: mlp_loss(p, X), P, V))
    ref = eager()
    for _ in range(3):
        got = jitted(P, V)
    err = max(float(cp.max(cp.abs(g - r)) / cp.max(cp.abs(r))) for g, r in zip(got, ref))
    t_j = timeit(lambda: jitted(P, V), sync, repeat=10)
    t_e = timeit(eager, sync, repeat=10)
    flops = 5 * 2 * batch * sum(a * b for a, b in shapes)
    tf = next((v for k, v in FP64_TFLOPS.items() if k in name), None)
    bound = f"bound {flops / (tf * 1e12) * 1e3:.3f} ms ({100 * flops / (tf * 1e12) / t_j:.0f}%)" \
        if tf else f"{flops / t_j / 1e12:.1f} TFLOP/s"
    rows.append((f"ta.jit hvp MLP f64 {batch}x{dim}->{width}->{width}->1", f"{t_j * 1e3:.2f}",
                 f"{t_e * 1e3:.2f} (eager)", f"{t_e / t_j:.1f}x", bound, f"{err:.1e}"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=float, default=1e7, help="elements (default 1e7)")
    ap.add_argument("--order", type=int, default=8, help="Taylor order K (default 8)")
    args = ap.parse_args()
    try:
        import cupy as cp  # noqa: PLC0415

        cp.cuda.runtime.getDeviceCount()
    except Exception as err:  # noqa: BLE001
        print(f"bench: no usable cupy/GPU ({type(err).__name__}: {err}) — nothing to measure")
        return 2
    n, K = int(args.n), args.order
    name, peak, src = peak_bandwidth(cp)
    rows = []
    stages = [("kernels", lambda: bench_kernels(cp, n, K, rows, peak)),
              ("chain", lambda: bench_chain(cp, n, K, rows)),
              ("hvp", lambda: bench_hvp(cp, rows)),
              ("jit", lambda: bench_jit(cp, n, K, rows, peak, name))]
    failed = False
    for label, stage in stages:
        try:
            stage()
        except Exception as err:  # noqa: BLE001 - report and go on to the next stage
            failed = True
            rows.append((f"{label}: FAILED", f"{type(err).__name__}: {err}"[:80], "", "", "", ""))
    head = ("case", "fused/gpu ms", "composed/cpu ms", "speedup", "GB/s (% peak)", "rel err")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    print(f"\n{name}: peak memory bandwidth {peak:.0f} GB/s ({src}); float32, K={K}, n={n:.0e}")
    for r in [head] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    print("target: fused kernels >= 50% of peak bandwidth (within 2x of the bound) for K <= 8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
