"""Taylor mode at high order: accuracy against 50-digit mpmath, and cost against the order.
==========================================================================================

``ta.derivatives(f, x, v, K)`` propagates the truncated Taylor polynomial x + t·v through f once
and returns dᵏ/dtᵏ f(x + t·v) at t = 0 for k = 0..K. Internally the coefficients are normalized,
x_k = x⁽ᵏ⁾/k!, so they stay O(1/ρᵏ) for a function analytic in a disc of radius ρ instead of
growing like k!, and every nonlinear primitive costs O(K²) (a recurrence or a Cauchy product).

For five functions — exp, sin and tanh (hand-written recurrences), a rational function and a
composition — this compares every normalized coefficient d_k/k! of orders 1..K with mpmath's
``taylor`` at 50 significant digits, and plots the relative error against the order. Then it times
one ``derivatives`` call against K (the O(K²) growth) next to nested first-order AD (grad of
grad of …, whose cost doubles with every order).

Checked (both modes; exit status 1 if missed): relative error below 1e-12 up to order 8 and
below 1e-9 up to order 20 for every function.

Run::

    python examples/taylor_accuracy.py                           # orders up to 40
    TAYLORAD_EXAMPLES_FAST=1 python examples/taylor_accuracy.py  # orders up to 24, fewer repeats
"""
# examples-test: expect ^OK: relative error < 1e-12 up to order 8, < 1e-09 up to order 20
import math
import os
import sys
import time

import mpmath
import numpy as np

import taylorad as ta
import taylorad.numpy as tnp

FAST = os.environ.get("TAYLORAD_EXAMPLES_FAST") == "1" or "--fast" in sys.argv
K = 24 if FAST else 40
X0 = 0.7
mpmath.mp.dps = 50

FUNCTIONS = {  # name: (taylorad function, the same function on mpmath numbers)
    "exp(x)": (tnp.exp, mpmath.exp),
    "sin(x)": (tnp.sin, mpmath.sin),
    "tanh(x)": (tnp.tanh, mpmath.tanh),
    "1 / (1 + x²)": (lambda x: 1.0 / (1.0 + x * x), lambda x: 1 / (1 + x * x)),
    "sin(exp(x)) · log(1 + x)": (lambda x: tnp.sin(tnp.exp(x)) * tnp.log1p(x),
                                 lambda x: mpmath.sin(mpmath.exp(x)) * mpmath.log(1 + x)),
}


def relative_errors(f, f_mp):
    """|d_k/k! − c_k| / |c_k| for k = 1..K, c_k mpmath's normalized Taylor coefficients."""
    d = ta.derivatives(f, np.array(X0), np.array(1.0), K)
    ref = mpmath.taylor(f_mp, mpmath.mpf(X0), K)
    errs = []
    for k in range(1, K + 1):
        got = mpmath.mpf(float(d[k])) / mpmath.factorial(k)
        errs.append(float(abs(got - ref[k]) / abs(ref[k])))
    return np.array(errs)


errors = {name: relative_errors(*fs) for name, fs in FUNCTIONS.items()}
print(f"relative error of d^k/dt^k f(x0 + t) / k! against 50-digit mpmath, x0 = {X0}")
print(f"{'function':28s} " + " ".join(f"{'k=' + str(k):>9s}" for k in (1, 4, 8, 12, 16, 20, K)))
for name, e in errors.items():
    print(f"{name:28s} " + " ".join(f"{e[k - 1]:9.1e}" for k in (1, 4, 8, 12, 16, 20, K)))


# cost against the order: one Taylor pass of order K on an array, vs nested first-order AD
def best_time(fn, repeats):
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


x = np.linspace(0.1, 0.9, 10_000)
v = np.ones_like(x)
g = lambda x: tnp.sin(tnp.exp(x)) * tnp.log1p(x)  # noqa: E731
orders = [1, 2, 4, 8, 16] + ([] if FAST else [24, 32])
repeats = 3 if FAST else 7
t_taylor = [best_time(lambda k=k: ta.derivatives(g, x, v, k), repeats) for k in orders]


def nested(k):
    """dᵏ/dxᵏ of the elementwise g by k nested first-order gradients."""
    h = g
    for _ in range(k):
        h = (lambda h: lambda x: ta.grad(lambda y: tnp.sum(h(y)))(x))(h)
    return h


nested_orders = [1, 2, 3, 4] + ([] if FAST else [5])
t_nested = [best_time(lambda k=k: nested(k)(x), repeats) for k in nested_orders]
ref4 = ta.derivatives(g, x, v, 4)[4]
print(f"check: 4 nested grads vs derivatives(order=4): max relative difference "
      f"{np.max(np.abs(nested(4)(x) - ref4) / np.abs(ref4)):.1e}")
print(f"time of derivatives(g, x, v, K) on {x.size} points: " +
      ", ".join(f"K={k}: {1e3 * t:.2f} ms" for k, t in zip(orders, t_taylor)))
print("time of k nested grads: " +
      ", ".join(f"k={k}: {1e3 * t:.2f} ms" for k, t in zip(nested_orders, t_nested)))

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib is not installed: no figure written (pip install matplotlib for one)")
else:
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ks = np.arange(1, K + 1)
    for name, e in errors.items():
        ax1.semilogy(ks, np.maximum(e, 1e-17), "o-", ms=3, label=name)
    ax1.axhline(np.finfo(np.float64).eps, color="gray", ls=":", lw=1)
    ax1.text(1, np.finfo(np.float64).eps * 1.5, "float64 eps", color="gray", fontsize=8)
    ax1.set_xlabel("order k")
    ax1.set_ylabel("relative error of d_k / k!")
    ax1.set_title(f"accuracy vs 50-digit mpmath (x0 = {X0})")
    ax1.legend(fontsize=8)
    ax1.grid(True, which="both", alpha=0.3)
    ax2.loglog(orders, 1e3 * np.array(t_taylor), "o-", label="ta.derivatives (one Taylor pass)")
    ax2.loglog(nested_orders, 1e3 * np.array(t_nested), "s--", label="k nested ta.grad")
    kk = np.array(orders, dtype=float)
    ax2.loglog(kk, 1e3 * t_taylor[-1] * (kk / kk[-1]) ** 2, "k:", lw=1, label="∝ K²")
    ax2.set_xlabel("order K")
    ax2.set_ylabel("time [ms]")
    ax2.set_title(f"cost vs order, sin(exp(x))·log(1+x) on {x.size} points")
    ax2.legend(fontsize=8)
    ax2.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig("taylor_accuracy.png", dpi=110)
    plt.close(fig)
    print("wrote taylor_accuracy.png")

worst8 = max(e[:8].max() for e in errors.values())
worst20 = max(e[:20].max() for e in errors.values())
if worst8 < 1e-12 and worst20 < 1e-9:
    print(f"OK: relative error < 1e-12 up to order 8, < 1e-09 up to order 20 "
          f"(worst {worst8:.1e} and {worst20:.1e})")
else:
    print(f"FAILED: worst relative error {worst8:.1e} up to order 8 (target 1e-12), "
          f"{worst20:.1e} up to order 20 (target 1e-9)")
    sys.exit(1)
