"""taylorad against its peers: one table of medians, every result checked.

Usage::

    python asv_bench/compare.py                      # every row, every installed framework
    python asv_bench/compare.py --quick              # tiny sizes, seconds (the CI smoke)
    python asv_bench/compare.py -f taylorad,jax.jit -r mlp,hessian   # subsets (regex on keys)
    python asv_bench/compare.py --threads all        # every core, each library's own defaults

Each (row, framework) cell runs in a fresh Python process pinned to one CPU core
(``sched_setaffinity``: XLA's CPU client otherwise runs its GEMMs on every core whatever its
flags say), with the one-thread variables set as well (OMP/OpenBLAS/MKL, XLA's flags,
``torch.set_num_threads(1)``); a cell whose CPU time exceeds its wall time is flagged. The first call is a warm-up
(tracing, jit compilation) and is not timed; then ``--repeats`` timings of ``number`` calls each
(``number`` chosen so one timing lasts ``--min-time``), and the median per call is reported. The
child saves its result; the parent checks it against a float64 reference computed independently
of every framework (closed forms, hand-written NumPy derivatives, complex step, mpmath) and marks
a cell WRONG when the relative error exceeds the row's tolerance.

A peer that runs past ``--timeout`` or out of ``--mem-limit`` (nested AD at order 8 on 10⁶
elements) shows "timeout" / "out of mem" and does not fail the run.

``--threads all`` runs each cell with the libraries' default thread pools and no pinning: the
way most users run them. The issue's table is one thread; this mode catches what only threads
show (two BLAS libraries' spinning thread pools in each other's way, for one).

``--interleave N`` times the frameworks of a row *alternately* instead of one after another:
each framework's cell is one process kept alive (warmed up once), and N rounds each time one
burst of calls per framework in turn, with a pause between bursts (spinning BLAS and XLA threads
settle; each burst starts with one untimed call). The host's speed drifts by tens of per cent
over minutes on shared machines; every round sees the same drift for every framework, so the
ratio column is then the median over the rounds of each round's ratio (taylorad's best / the
fastest peer's), and the times the medians of the rounds.

Exit status: 0 when every cell that ran was correct, 1 on a WRONG or error cell (or a\ntaylorad timeout).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from benchmarks import workloads as W  # noqa: E402

ONE_THREAD = {
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    "JAX_PLATFORMS": "cpu", "JAX_ENABLE_X64": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
}


# ---------------------------------------------------------------------------------------------
# child: time one cell


def _warm(key, fw, quick, min_time, one_thread):
    """(fn, block, first result, first call's seconds, one call's seconds, calls per timing), or
    a status dict."""
    row = W.find_row(key, quick)
    try:
        fn, block = W.make(row, fw, one_thread)
    except W.Missing as e:
        return {"status": "n/a", "reason": f"missing: {e}"}
    t0 = time.perf_counter()
    res = block(fn())  # warm-up: tracing, compilation, caches
    first = time.perf_counter() - t0
    block(fn())  # the first replay may still compile (ta.jit's fused kernels load here)
    t0 = time.perf_counter()
    block(fn())
    one = time.perf_counter() - t0
    return fn, block, res, first, one, max(1, int(min_time / max(one, 1e-9)))


def _time_cell(key, fw, quick, repeats, min_time, budget, out_path, one_thread=True):
    import numpy as np  # noqa: PLC0415

    warm = _warm(key, fw, quick, min_time, one_thread)
    if type(warm) is dict:
        return warm
    fn, block, res, first, one, number = warm
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    repeats = max(1, min(repeats, int(budget / max(one * number, 1e-9))))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            res = block(fn())
        times.append((time.perf_counter() - t0) / number)
    cpu_ratio = (time.process_time() - cpu0) / max(time.perf_counter() - wall0, 1e-9)
    np.save(out_path, W.to_numpy(res))
    return {"status": "ok", "median": statistics.median(times), "min": min(times),
            "repeats": repeats, "number": number, "first": first, "cpu_ratio": cpu_ratio}


def _serve_cell(key, fw, quick, min_time, out_path, one_thread):
    """--interleave: warm up, then time one burst per "run" line on stdin until stdin closes."""
    import numpy as np  # noqa: PLC0415

    warm = _warm(key, fw, quick, min_time, one_thread)
    if type(warm) is dict:
        return warm
    fn, block, res, first, _, number = warm
    print("@@READY", flush=True)
    times = []
    for line in sys.stdin:  # until the parent closes stdin
        if line.strip() != "run":
            break
        block(fn())  # untimed: caches and thread pools warm again after the other bursts
        t0 = time.perf_counter()
        for _ in range(number):
            res = block(fn())
        times.append((time.perf_counter() - t0) / number)
        print(f"@@TIME {times[-1]!r}", flush=True)
    np.save(out_path, W.to_numpy(res))
    return {"status": "ok", "median": statistics.median(times), "min": min(times),
            "repeats": len(times), "number": number, "first": first, "times": times}


_OOM_TEXT = ("can't allocate memory", "Unable to allocate", "out of memory", "RESOURCE_EXHAUSTED",
             "std::bad_alloc")


def child_main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("key")
    p.add_argument("framework")
    p.add_argument("out")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--min-time", type=float, default=0.05)
    p.add_argument("--budget", type=float, default=20.0)
    p.add_argument("--mem-limit", type=float, default=0.0)
    p.add_argument("--threads", default="1")
    p.add_argument("--serve", action="store_true")
    a = p.parse_args(argv)
    # One core, enforced: the thread-count variables are hints some runtimes ignore (XLA's CPU
    # client runs its GEMMs on a pool of all cores whatever XLA_FLAGS says); CPU affinity is not.
    if a.threads == "1" and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if a.mem_limit > 0:  # a peer whose memory explodes (nested AD) fails alone, not the machine
        import resource  # noqa: PLC0415
        lim = int(a.mem_limit * 2 ** 30)
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    try:
        if a.serve:
            info = _serve_cell(a.key, a.framework, a.quick, a.min_time, a.out, a.threads == "1")
        else:
            info = _time_cell(a.key, a.framework, a.quick, a.repeats, a.min_time, a.budget,
                              a.out, a.threads == "1")
    except Exception as e:  # noqa: BLE001 - reported in the table, never hidden
        msg = f"{type(e).__name__}: {e}"
        oom = isinstance(e, MemoryError) or any(s in msg for s in _OOM_TEXT)
        info = {"status": "oom" if oom else "error",
                "reason": f"out of memory (over {a.mem_limit:g} GiB)" if oom else msg[:300]}
    print("@@RESULT " + json.dumps(info), flush=True)


# ---------------------------------------------------------------------------------------------
# parent: run the cells, check, print the table


def installed(fw):
    try:
        W.framework(fw)
        return True
    except W.Missing:
        return False


def _cell_command(key, fw, args, tmp):
    out = os.path.join(tmp, f"{key}--{fw}.npy")
    cmd = [sys.executable, os.path.abspath(__file__), "--child", key, fw, out,
           "--repeats", str(args.repeats), "--min-time", str(args.min_time),
           "--budget", str(args.budget), "--mem-limit", str(args.mem_limit),
           "--threads", args.threads]
    cmd += ["--quick"] if args.quick else []
    env = {**os.environ, **ONE_THREAD} if args.threads == "1" else {
        **os.environ, "JAX_PLATFORMS": "cpu", "JAX_ENABLE_X64": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return cmd, env, out


def _result(line, returncode, stderr, out):
    """(info, result array or None) from a child's last @@RESULT line."""
    if not line and returncode in (-9, 137):  # the kernel's OOM killer
        return {"status": "oom", "reason": "killed (out of memory)"}, None
    if not line:
        tail = stderr.strip().splitlines()[-1:] or [f"exit code {returncode}"]
        return {"status": "error", "reason": f"crashed (rc {returncode}): {tail[0][:200]}"}, None
    info = json.loads(line[len("@@RESULT "):])
    if info["status"] != "ok":
        return info, None
    import numpy as np  # noqa: PLC0415
    return info, np.load(out)


def run_interleaved(key, fws, args, tmp, pause=0.2):
    """{fw: (info, result)} for one row, the frameworks timed alternately (--interleave)."""
    cells = {}  # fw -> (process, result path, stderr file, its @@RESULT line if it ended)
    for fw in fws:  # one after another: each warms up and calibrates on an otherwise idle host
        cmd, env, out = _cell_command(key, fw, args, tmp)
        # stderr to a file: a child's warnings must not fill a pipe nobody reads until the end
        err = open(os.path.join(tmp, f"{key}--{fw}.err"), "w+")  # noqa: SIM115 - closed below
        p = subprocess.Popen(cmd + ["--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=err, text=True, env=env)
        line = next((ln for ln in p.stdout if ln.startswith(("@@READY", "@@RESULT"))), "")
        cells[fw] = (p, out, err, None if line.startswith("@@READY") else line)
    ready = [fw for fw, cell in cells.items() if cell[3] is None]
    for r in range(args.interleave):
        if not ready:
            break
        for fw in ready[r % len(ready):] + ready[:r % len(ready)]:  # who starts rotates
            time.sleep(pause)
            p = cells[fw][0]
            try:
                p.stdin.write("run\n")
                p.stdin.flush()
                timed = p.stdout.readline().startswith("@@TIME")
            except OSError:  # the child died: its @@RESULT (or crash) is read below
                timed = False
            if not timed:
                ready.remove(fw)
    results = {}
    for fw, (p, out, err, line) in cells.items():
        try:
            p.stdin.close()  # end of input ends the child's loop: it saves and reports
        except OSError:
            pass
        if line is None:
            line = next((ln for ln in p.stdout if ln.startswith("@@RESULT ")), "")
        p.wait(timeout=args.timeout)
        err.seek(0)
        results[fw] = _result(line.strip(), p.returncode, err.read(), out)
        err.close()
    return results


def run_cell(key, fw, args, tmp):
    cmd, env, out = _cell_command(key, fw, args, tmp)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "reason": f"over {args.timeout:.0f} s"}, None
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("@@RESULT ")]
    return _result(line[-1] if line else "", p.returncode, p.stderr or p.stdout, out)


def _ratio(row, ours, peers, results, bt, bp):
    """taylorad's best over the peers' best: of the medians, or with --interleave the median
    over the rounds of each round's ratio."""
    if not (bt and bp):
        return "-"
    groups = [[results[(row.key, f)].get("times") for f in g] for g in (ours, peers)]
    groups = [[t for t in g if t] for g in groups]  # the cells that were timed
    n = {len(t) for g in groups for t in g}
    if all(groups) and len(n) == 1:
        r = [min(t[i] for t in groups[0]) / min(t[i] for t in groups[1]) for i in range(n.pop())]
        return f"{statistics.median(r):.2f}x"
    return f"{bt[0] / bp[0]:.2f}x"


def fmt_time(t):
    if t >= 1.0:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.3g} ms"
    return f"{t * 1e6:.3g} us"


def fmt_cell(info):
    s = info["status"]
    if s == "ok":
        return fmt_time(info["median"])
    if s == "wrong":
        return f"WRONG {info['err']:.0e}"
    return {"n/a": "n/a", "timeout": "timeout", "oom": "out of mem", "error": "error"}[s]


def table(headers, body):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *body)]
    line = lambda r: "| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in body])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="tiny sizes, 3 repeats (seconds)")
    p.add_argument("-f", "--frameworks", default=",".join(W.FRAMEWORKS),
                   help="comma-separated subset of " + ", ".join(W.FRAMEWORKS))
    p.add_argument("-r", "--rows", default="", help="regex on row keys (see --list)")
    p.add_argument("--list", action="store_true", help="list the rows and exit")
    p.add_argument("--repeats", type=int, default=None, help="timings per cell (default 7; 3 quick)")
    p.add_argument("--min-time", type=float, default=None, help="seconds per timing (0.05)")
    p.add_argument("--budget", type=float, default=20.0, help="seconds of timing per cell")
    p.add_argument("--timeout", type=float, default=150.0, help="seconds per cell process")
    p.add_argument("--mem-limit", type=float, default=8.0,
                   help="GiB of address space per cell process (0: no limit)")
    p.add_argument("--json", default=None, help="also write all results to this JSON file")
    p.add_argument("--threads", choices=["1", "all"], default="1",
                   help="1: one pinned core (the issue's table); all: libraries' defaults")
    p.add_argument("--interleave", type=int, default=0, metavar="N",
                   help="time the frameworks of each row alternately, N rounds (see above)")
    args = p.parse_args(argv)
    args.repeats = args.repeats or (3 if args.quick else 7)
    args.min_time = args.min_time if args.min_time is not None else (0.01 if args.quick else 0.05)
    rows = [r for r in W.rows(args.quick) if re.search(args.rows, r.key)]
    if args.list:
        for r in rows:
            print(f"{r.key:20s} {r.label}")
        return 0
    fws = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    for f in fws:
        if f not in W.FRAMEWORKS:
            p.error(f"unknown framework {f!r}; known: {', '.join(W.FRAMEWORKS)}")
    absent = [f for f in fws if not installed(f)]
    fws = [f for f in fws if f not in absent]
    print(f"compare.py: {len(rows)} rows x {len(fws)} frameworks ({', '.join(fws)}), float64, "
          f"{'1 thread' if args.threads == '1' else 'default threads'}, "
          + (f"{args.interleave} interleaved rounds" if args.interleave else
             f"median of {args.repeats}") + " after warm-up"
          + (f"; not installed: {', '.join(absent)}" if absent else ""), flush=True)
    host = {k: v for k, v in os.environ.items() if k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    if host:  # ASV.md §6.7: they change NumPy's BLAS kernels; timings differ across such hosts
        print("host BLAS settings (NumPy only; left as found): "
              + ", ".join(f"{k}={v}" for k, v in sorted(host.items())), flush=True)
    results, notes, all_ok = {}, {}, True
    with tempfile.TemporaryDirectory() as tmp:
        for row in rows:
            ref, idx = W.reference(row)
            together = run_interleaved(row.key, fws, args, tmp) if args.interleave else None
            for fw in fws:
                info, res = together[fw] if together else run_cell(row.key, fw, args, tmp)
                if info["status"] == "ok":
                    err, why = W.check(row, res, ref, idx)
                    info["err"] = err
                    if why or not err <= row.rtol:
                        info["status"] = "wrong"
                        info["reason"] = why or f"relative error {err:.1e} > {row.rtol:.0e}"
                        all_ok = False
                if info["status"] == "error" or (info["status"] in ("timeout", "oom")
                                                 and fw in W.OURS):
                    all_ok = False  # a peer's timeout/OOM is its own limit, not a failure
                if info.get("reason"):
                    notes.setdefault(f"{fw}: {info['reason']}", []).append(row.key)
                if args.threads == "1" and info.get("cpu_ratio", 1.0) > 1.25:  # pinned: never
                    notes.setdefault(f"{fw}: used more than one core (CPU time / wall time "
                                     f"> 1.25)", []).append(row.key)
                results[(row.key, fw)] = info
                print(f"  {row.key:18s} {fw:15s} {fmt_cell(info):>12s}"
                      + (f"  err {info['err']:.1e}" if "err" in info else ""), flush=True)
    headers = ["workload"] + fws
    ours = [f for f in fws if f in W.OURS]
    peers = [f for f in fws if f not in W.OURS]
    eager = [f for f in peers if f not in W.JIT]
    if ours and peers:
        headers += ["fastest eager peer", "taylorad / eager", "taylorad / fastest"]
    body = []
    for row in rows:
        cells = [results[(row.key, f)] for f in fws]
        line = [row.label] + [fmt_cell(x) for x in cells]

        def best(group):
            ok = [(results[(row.key, f)]["median"], f) for f in group
                  if results[(row.key, f)]["status"] == "ok"]
            return min(ok) if ok else None
        if ours and peers:  # taylorad's best variant (eager or ta.jit) against the peers
            bt, be, ba = best(ours), best(eager), best(peers)
            line.append(f"{be[1]} {fmt_time(be[0])}" if be else "-")
            line.append(_ratio(row, ours, eager, results, bt, be))
            line.append(_ratio(row, ours, peers, results, bt, ba))
        body.append(line)
    print()
    print(table(headers, body))
    if notes:
        print("\nnotes:")
        for note, keys in notes.items():
            print(f"  {note}  [{', '.join(keys)}]")
    print("\ncorrectness: " + ("all results match the float64 references" if all_ok else
                                "FAILED (see WRONG/error cells)"))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({f"{k}|{f}": v for (k, f), v in results.items()}, fh, indent=1)
    return 0 if all_ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
    else:
        sys.exit(main())
