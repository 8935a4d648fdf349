"""A small neural network fitted by a Hessian-free (truncated Newton) loop.
==========================================================================

Martens-style Hessian-free optimization: each outer step solves (G + λI) p = -g approximately
by conjugate gradients, where G·v is the Gauss–Newton product ``taylorad.optimize.ggnvp`` (one
forward-mode pass, one reverse pass) — never a matrix. λ follows the Levenberg–Marquardt rule.
The parameters are a dict pytree; the loss is written once with taylorad.numpy.

Run::

    python examples/newton_hessian_free_mlp.py                             # 300 outer steps
    TAYLORAD_EXAMPLES_FAST=1 python examples/newton_hessian_free_mlp.py    # 8 outer steps
"""
import os
import sys
import time

import numpy as np

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.optimize import ggnvp

FAST = os.environ.get("TAYLORAD_EXAMPLES_FAST") == "1" or "--fast" in sys.argv
steps = 8 if FAST else 300

rng = np.random.default_rng(0)
xs = np.linspace(-3, 3, 200)[:, None]
ys = np.sin(2 * xs) + 0.3 * xs  # the target curve
H = 16
params = {"W1": rng.standard_normal((1, H)), "b1": np.zeros(H),
          "W2": rng.standard_normal((H, 1)) / np.sqrt(H), "b2": np.zeros(1)}


def model(p):
    h = tnp.tanh(tnp.matmul(xs, p["W1"]) + p["b1"])
    return tnp.matmul(h, p["W2"]) + p["b2"]


def mse(out):
    return 0.5 * tnp.mean((out - ys) ** 2)


def loss(p):
    return mse(model(p))


def tree_add(a, b, s=1.0):
    return {k: a[k] + s * b[k] for k in a}


def tree_dot(a, b):
    return float(sum(np.sum(a[k] * b[k]) for k in a))


def cg(matvec, g, iters, tol=1e-10):
    """Solve A p = -g by CG (A = G + λI, symmetric positive definite)."""
    p = {k: np.zeros_like(v) for k, v in g.items()}
    r = {k: -v for k, v in g.items()}
    d = dict(r)
    rs = tree_dot(r, r)
    for _ in range(iters):
        Ad = matvec(d)
        a = rs / tree_dot(d, Ad)
        p, r = tree_add(p, d, a), tree_add(r, Ad, -a)
        rs_new = tree_dot(r, r)
        if rs_new < tol:
            break
        d = tree_add(r, d, rs_new / rs)
        rs = rs_new
    return p


vg = ta.value_and_grad(loss)
lam = 1e-2
t0 = time.perf_counter()
f, g = vg(params)
print(f"{'step':>4s} {'loss':>12s} {'|g|':>10s} {'lambda':>9s}")
for step in range(1, steps + 1):
    def matvec(v, params=params, lam=lam):
        Gv = ggnvp(model, params, v, loss=mse)
        return tree_add(Gv, v, lam)

    p = cg(matvec, g, iters=50)
    pred = tree_dot(g, p) + 0.5 * tree_dot(p, tree_add(ggnvp(model, params, p, loss=mse), p, 0))
    trial = tree_add(params, p)
    f_new, g_new = vg(trial)
    rho = (f - float(f_new)) / -pred if pred < 0 else -1.0
    lam = lam * 1.5 if rho < 0.25 else (lam / 1.5 if rho > 0.75 else lam)
    if rho > 0:
        params, f, g = trial, float(f_new), g_new
    print(f"{step:4d} {float(f):12.4e} {np.sqrt(tree_dot(g, g)):10.2e} {lam:9.2e}")
print(f"Hessian-free: loss {float(f):.3e} after {steps} outer steps, "
      f"{time.perf_counter() - t0:.1f}s")
assert float(f) < (0.05 if FAST else 5e-3)
