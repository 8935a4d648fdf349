"""Laplacians of a network: collapsed, stacked and nested — cost against the dimension.
=====================================================================================

``ta.laplacian(u, method)`` computes Δu = Σᵢ ∂²u/∂xᵢ² of a pointwise function u: ℝᵈ → ℝ (a tanh
MLP here, applied to a batch of points) three ways:

* ``"collapsed"`` — collapsed Taylor mode (Dangel et al. 2024): one forward pass carrying the
  primal, the d first-order directions and ONE second-order coefficient summed over the
  directions as it propagates;
* ``"stacked"`` — order-2 Taylor mode with every direction's second-order coefficient;
* ``"nested"`` — the diagonal of d batched Hessian-vector products (nested first-order AD, the
  usual baseline).

All three agree to rounding (checked). Their time is measured for d = 2 … 64 (… 32 in fast mode).
Then the randomized estimator ``ta.laplacian_estimate`` (Hutchinson, Rademacher directions) is
compared with the exact value: its standard error falls as 1/√n_samples, and the mean actual error
stays within twice the mean standard error.

Run::

    python examples/laplacian_cost.py                           # batch 256, d up to 64
    TAYLORAD_EXAMPLES_FAST=1 python examples/laplacian_cost.py  # batch 64, d up to 32
"""
# examples-test: expect ^check: collapsed vs nested max relative difference \S+ < 1e-10 for every d
# examples-test: expect ^Hutchinson: mean error <= 2 x mean standard error for every n_samples$
import math
import os
import sys
import time

import numpy as np

import taylorad as ta
import taylorad.numpy as tnp

FAST = os.environ.get("TAYLORAD_EXAMPLES_FAST") == "1" or "--fast" in sys.argv
N = 64 if FAST else 256
DIMS = [2, 4, 8, 16, 32] if FAST else [2, 4, 8, 16, 32, 64]
WIDTH = 64
REPEATS = 3 if FAST else 7
rng = np.random.default_rng(0)


def make_mlp(d):
    shapes = [(d, WIDTH), (WIDTH, WIDTH), (WIDTH, 1)]
    W = [rng.standard_normal(s) / np.sqrt(s[0]) for s in shapes]
    b = [0.1 * rng.standard_normal(s[1]) for s in shapes]

    def u(X):
        h = tnp.tanh(X @ W[0] + b[0])
        h = tnp.tanh(h @ W[1] + b[1])
        return tnp.reshape(h @ W[2] + b[2], X.shape[:-1])

    return u


def best_time(fn):
    best = math.inf
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


METHODS = ("collapsed", "stacked", "nested")
times = {m: [] for m in METHODS}
worst = 0.0
print(f"Δu of a tanh MLP d → {WIDTH} → {WIDTH} → 1 on {N} points (best of {REPEATS})")
print(f"{'d':>4s} " + " ".join(f"{m + ' [ms]':>15s}" for m in METHODS))
for d in DIMS:
    u = make_mlp(d)
    X = rng.standard_normal((N, d))
    lap = {m: np.asarray(ta.laplacian(u, method=m)(X)) for m in METHODS}
    worst = max(worst, float(np.max(np.abs(lap["collapsed"] - lap["nested"]))
                             / np.max(np.abs(lap["nested"]))))
    for m in METHODS:
        times[m].append(best_time(lambda m=m: ta.laplacian(u, method=m)(X)))
    print(f"{d:4d} " + " ".join(f"{1e3 * times[m][-1]:15.2f}" for m in METHODS))
print(f"check: collapsed vs nested max relative difference {worst:.1e} < 1e-10 for every d"
      if worst < 1e-10 else f"FAILED: collapsed and nested differ by {worst:.1e}")

# the Hutchinson estimator at d = 16: estimate ± standard error against the exact Laplacian
d = 16
u = make_mlp(d)
X = rng.standard_normal((8, d))
exact = np.asarray(ta.laplacian(u)(X))
SAMPLES = [4, 16, 64, 256] if FAST else [4, 16, 64, 256, 1024]
est_rows = []
for n_samples in SAMPLES:
    est, se = ta.laplacian_estimate(u, X, n_samples=n_samples, seed=1)
    est_rows.append((n_samples, np.asarray(est), np.asarray(se)))
    print(f"n_samples {n_samples:5d}: mean |estimate − exact| {np.mean(np.abs(est - exact)):.3f}"
          f"   mean standard error {np.mean(se):.3f}")
# the mean absolute error of an unbiased estimate is about 0.8 standard errors
inside = all(np.mean(np.abs(est - exact)) <= 2 * np.mean(se) for _, est, se in est_rows)
print("Hutchinson: mean error <= 2 x mean standard error for every n_samples" if inside
      else "FAILED: the Hutchinson errors exceed twice their standard errors")

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib is not installed: no figure written (pip install matplotlib for one)")
else:
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    for m, style in zip(METHODS, ("o-", "s-", "^--")):
        ax1.loglog(DIMS, 1e3 * np.array(times[m]), style, label=m)
    ax1.set_xlabel("input dimension d")
    ax1.set_ylabel("time per Laplacian [ms]")
    ax1.set_title(f"ta.laplacian, tanh MLP, {N} points")
    ax1.set_xscale("log", base=2)
    ax1.set_xticks(DIMS, [str(v) for v in DIMS])
    ax1.minorticks_off()
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend()
    point = 0
    ax2.errorbar([n for n, _, _ in est_rows], [est[point] for _, est, _ in est_rows],
                 yerr=[se[point] for _, _, se in est_rows], fmt="o", capsize=4,
                 label="laplacian_estimate ± standard error")
    ax2.axhline(exact[point], color="k", ls="--", lw=1, label="exact (collapsed)")
    ax2.set_xscale("log")
    ax2.set_xlabel("n_samples (Rademacher directions)")
    ax2.set_ylabel("Δu at one point")
    ax2.set_title(f"Hutchinson estimator, d = {d}")
    ax2.legend(fontsize=8)
    ax2.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig("laplacian_cost.png", dpi=110)
    plt.close(fig)
    print("wrote laplacian_cost.png")

if worst >= 1e-10 or not inside:
    sys.exit(1)
