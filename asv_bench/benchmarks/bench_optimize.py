"""asv: taylorad.optimize on the MGH problems (OPTIMIZE.md §7), as scipy's BenchSmoothUnbounded.

``track_nit`` and ``track_nhev`` are exact counts (noise-free regression signals);
``time_minimize`` times one solve. Cases that cannot run (an old commit without
taylorad.optimize, a dense method on a large problem) raise NotImplementedError in setup, which
asv records as skipped. Self-contained: it needs only taylorad and numpy.

Run as a script for the comparison table beside scipy (same derivatives, via scipy_callables):
    python asv_bench/benchmarks/bench_optimize.py
"""
import os
import time

try:
    from taylorad.optimize import minimize
    from taylorad.optimize.problems import get_problem
except ImportError:  # a commit before taylorad.optimize existed
    minimize = get_problem = None

FULL = os.environ.get("TAYLORAD_BENCH_FULL") == "1"

# (problem, n): small enough that every case stays under about a second on 2 cores
PROBLEMS = ["ext_rosenbrock-2", "ext_rosenbrock-1000", "rosen_tutorial-5", "ext_powell-100",
            "wood-4", "beale-2", "brown_badly_scaled-2", "helical_valley-3", "himmelblau-2",
            "spd_quadratic-200", "logistic-50"]
if FULL:
    PROBLEMS += ["ext_rosenbrock-100000", "chained_rosenbrock-100"]
METHODS = ["newton-cg", "trust-ncg", "trust-krylov", "trust-exact", "newton-exact"]
DENSE_MAX_N = 200


def _case(problem, method):
    if minimize is None:
        raise NotImplementedError("taylorad.optimize is not available in this commit")
    name, n = problem.rsplit("-", 1)
    P = get_problem(name, int(n))
    if method in ("trust-exact", "newton-exact") and P.n > DENSE_MAX_N:
        raise NotImplementedError("dense method on a large problem")
    return P


class MinimizeMGH:
    params = [PROBLEMS, METHODS]
    param_names = ["problem", "method"]
    timeout = 120

    def setup(self, problem, method):
        self.P = _case(problem, method)
        self.x0 = self.P.x0
        self.res = minimize(self.P.fun, self.x0, method)  # warm-up and the counts

    def time_minimize(self, problem, method):
        minimize(self.P.fun, self.x0, method)

    def track_nit(self, problem, method):
        return self.res.nit

    def track_nhev(self, problem, method):
        return self.res.nhev

    def track_success(self, problem, method):
        return int(self.res.success)

    track_nit.unit = "iterations"
    track_nhev.unit = "HVPs or Hessians"
    track_success.unit = "bool"


def _table():  # pragma: no cover - a report, not a benchmark
    import numpy as np
    import scipy.optimize as so

    from taylorad.optimize import scipy_callables

    scipy_name = {"newton-cg": "Newton-CG", "newton-exact": "trust-exact"}
    print("| problem | method | taylorad nit / nhev / ms / ok | scipy (taylorad derivs) "
          "nit / nhev / ms / ok |")
    print("|---|---|---|---|")
    for problem in PROBLEMS:
        for method in METHODS:
            try:
                P = _case(problem, method)
            except NotImplementedError:
                continue
            minimize(P.fun, P.x0, method)  # warm
            t = time.perf_counter()
            r = minimize(P.fun, P.x0, method)
            t = (time.perf_counter() - t) * 1e3
            sm = scipy_name.get(method, method)
            cb = scipy_callables(P.fun, sm)
            t2 = time.perf_counter()
            s = so.minimize(x0=P.x0, method=sm, **cb)
            t2 = (time.perf_counter() - t2) * 1e3
            s_ok = bool(s.success and np.max(np.abs(s.jac)) <= 1e-5)
            print(f"| {problem} | {method} | {r.nit} / {r.nhev} / {t:.1f} / "
                  f"{'✓' if r.success else '✗'} | {s.nit} / {s.get('nhev', 0)} / {t2:.1f} / "
                  f"{'✓' if s_ok else '✗ ' + ('(‖g‖∞=%.1e)' % np.max(np.abs(s.jac)))} |")


if __name__ == "__main__":
    _table()
