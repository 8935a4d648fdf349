"""How taylorad's CPU passes scale with cores, measured on one core and projected (issue 17).

For each row of ``compare.py`` (taylorad.jit) this runs the replay on one thread and times
every pass that ``taylorad.cpu.threads`` can split (Taylor kernels, the sine's companion, jit's
fused loops and large ufunc calls), noting into how many chunks it would split at n threads
(at most its work / ``threads.MIN_WORK``). It prints:

* the replay time on one core and the share of it inside splittable passes (Amdahl's p);
* the projected time at n = 2, 16, 64 cores: the rest unchanged, each pass divided by the
  chunks it would get, plus the measured cost of handing out chunks (an empty two-chunk
  ``parallel_for``, per split pass) — a compute-only bound: memory-bound passes (the Taylor
  kernels stream K coefficients per element in and out) stop scaling earlier, once the cores
  together saturate the socket's memory bandwidth.

Usage: ``OPENBLAS_NUM_THREADS=1 python asv_bench/scaling.py [-r REGEX]`` (nothing runs in
parallel; GEMMs are BLAS's and scale with BLAS's own threads: they count as the serial rest).
"""
import argparse
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from benchmarks import workloads as W  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-r", "--rows", default="derivs|mlp|hessian|laplacian")
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args(argv)
    from taylorad.cpu import threads  # noqa: PLC0415

    calls = []  # (seconds, most chunks) of each splittable pass in one replay
    orig_pf, orig_uf = threads.parallel_for, threads.parallel_ufunc

    def pf(fn, total, work_per_item=1, align=8):
        t0 = time.perf_counter()
        fn(0, total)
        calls.append((time.perf_counter() - t0, (total * work_per_item) // threads.MIN_WORK))
        return 1

    threads.parallel_for = pf
    # the jit program holds parallel_ufunc itself: it calls threads.parallel_for by name, so the
    # ufunc passes are timed too (their threshold test runs first; num_threads() is 64 below)
    threads.set_num_threads(64)
    threads.parallel_for = orig_pf
    orig_pf(lambda lo, hi: None, 1 << 30)  # warm the pool
    over = []
    for _ in range(200):
        t0 = time.perf_counter()
        orig_pf(lambda lo, hi: None, 2 * threads.MIN_WORK)
        over.append(time.perf_counter() - t0)
    overhead = statistics.median(over)
    threads.parallel_for = pf
    print(f"handing out chunks (empty 2-chunk parallel_for): {overhead * 1e6:.0f} us")
    head = ("row", "1 core", "p (splittable)", "2 cores", "16 cores", "64 cores")
    out = []
    for row in W.rows():
        if not re.search(a.rows, row.key):
            continue
        fn, block = W.make(row, "taylorad.jit", one_thread=False)
        for _ in range(3):
            block(fn())
        tot, par = [], []
        for _ in range(a.repeats):
            calls.clear()
            t0 = time.perf_counter()
            block(fn())
            tot.append(time.perf_counter() - t0)
            par.append(list(calls))
        i = tot.index(statistics.median(tot))
        T, cs = tot[i], par[i]
        split = [(t, m) for t, m in cs if m >= 2]
        rest = T - sum(t for t, _ in split)

        def proj(n, rest=rest, split=split):
            return rest + sum(t / min(n, m) + overhead for t, m in split)

        out.append((row.key, f"{T * 1e3:.2f} ms", f"{100 * (T - rest) / T:.0f} %",
                    *(f"{proj(n) * 1e3:.2f} ms ({T / proj(n):.1f}x)" for n in (2, 16, 64))))
    threads.parallel_for = orig_pf
    assert threads.parallel_ufunc is orig_uf
    w = [max(len(str(r[j])) for r in out + [head]) for j in range(len(head))]
    for r in [head] + out:
        print("  ".join(str(c).ljust(x) for c, x in zip(r, w)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
