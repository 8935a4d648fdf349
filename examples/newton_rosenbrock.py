"""Extended Rosenbrock (MGH #21), n = 10 000, by trust-krylov on taylorad's HVPs — beside scipy.
===============================================================================================

taylorad differentiates the objective (reverse-mode gradient, forward-over-reverse Hessian-vector
products); scipy runs the same method with hand-written derivatives. Then scipy runs once more
with taylorad's derivatives handed over by ``scipy_callables``.

Run::

    python examples/newton_rosenbrock.py            # n = 10 000
    TAYLORAD_EXAMPLES_FAST=1 python examples/newton_rosenbrock.py   # n = 100 (smoke test)
"""
import os
import sys
import time

import numpy as np
import scipy.optimize as so

import taylorad.numpy as tnp
from taylorad.optimize import minimize, scipy_callables

FAST = os.environ.get("TAYLORAD_EXAMPLES_FAST") == "1" or "--fast" in sys.argv
n = 100 if FAST else 10_000


def ext_rosenbrock(x):
    a, b = x[0::2], x[1::2]
    return tnp.sum(100.0 * (b - a ** 2) ** 2 + (1.0 - a) ** 2)


# hand-written derivatives, for scipy
def f_np(x):
    a, b = x[0::2], x[1::2]
    return float(np.sum(100 * (b - a ** 2) ** 2 + (1 - a) ** 2))


def g_np(x):
    a, b = x[0::2], x[1::2]
    g = np.empty_like(x)
    g[0::2] = -400 * a * (b - a ** 2) - 2 * (1 - a)
    g[1::2] = 200 * (b - a ** 2)
    return g


def hessp_np(x, p):
    a, b, pa, pb = x[0::2], x[1::2], p[0::2], p[1::2]
    out = np.empty_like(x)
    out[0::2] = (1200 * a ** 2 - 400 * b + 2) * pa - 400 * a * pb
    out[1::2] = -400 * a * pa + 200 * pb
    return out


x0 = np.tile([-1.2, 1.0], n // 2)
rows = []
t = time.perf_counter()
res = minimize(ext_rosenbrock, x0, "trust-krylov")
rows.append(("taylorad trust-krylov (AD)", res, time.perf_counter() - t))
t = time.perf_counter()
ref = so.minimize(f_np, x0, jac=g_np, hessp=hessp_np, method="trust-krylov")
rows.append(("scipy trust-krylov (analytic)", ref, time.perf_counter() - t))
t = time.perf_counter()
mix = so.minimize(x0=x0, method="trust-krylov", **scipy_callables(ext_rosenbrock, "trust-krylov"))
rows.append(("scipy trust-krylov (taylorad hessp)", mix, time.perf_counter() - t))

print(f"extended Rosenbrock, n = {n}")
print(f"{'solver':38s} {'nit':>5s} {'nhev':>6s} {'f':>10s} {'|g|inf':>9s} {'time':>11s}")
for name, r, dt in rows:
    print(f"{name:38s} {r.nit:5d} {r.get('nhev', 0):6d} {r.fun:10.2e} "
          f"{np.max(np.abs(r.jac)):9.1e} {dt * 1e3:8.1f} ms")
assert res.success and np.allclose(res.x, 1.0, atol=1e-4), res.message


# Convergence, iteration by iteration: f(x_k) − f* (f* = 0 at x = 1) for taylorad's methods on
# their own derivatives and for SciPy's on the hand-written ones. Figure: newton_rosenbrock.png.
def history(run):
    fs = [f_np(x0)]
    run(lambda xk, *_: fs.append(f_np(np.asarray(xk))))
    return np.maximum(fs, 1e-300)


curves = {f"taylorad {m}": history(lambda cb, m=m: minimize(ext_rosenbrock, x0, m, callback=cb))
          for m in ("trust-krylov", "trust-ncg", "newton-cg")}
curves["scipy trust-krylov (analytic)"] = history(lambda cb: so.minimize(
    f_np, x0, jac=g_np, hessp=hessp_np, method="trust-krylov", callback=cb))
curves["scipy L-BFGS-B (analytic gradient)"] = history(lambda cb: so.minimize(
    f_np, x0, jac=g_np, method="L-BFGS-B", callback=cb, options=dict(maxiter=2000)))
for name, fs in curves.items():
    print(f"{name:38s} {len(fs) - 1:5d} iterations, final f − f* = {fs[-1]:.1e}")
try:
    import matplotlib  # noqa: E402

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: E402
except ImportError:
    print("matplotlib is not installed: no figure written (pip install matplotlib for one)")
else:
    fig, ax = plt.subplots(figsize=(7, 4))
    for (name, fs), style in zip(curves.items(), ("o-", "s-", "^-", "k--", "k:")):
        ax.semilogy(np.arange(len(fs)), fs, style, ms=3, label=name)
    ax.set_xlabel("iteration")
    ax.set_ylabel("f(x_k) − f*")
    ax.set_title(f"extended Rosenbrock, n = {n}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig("newton_rosenbrock.png", dpi=110)
    plt.close(fig)
    print("wrote newton_rosenbrock.png")
