"""L2-regularized logistic regression by Newton-CG on taylorad's Hessian-vector products.
========================================================================================

The loss is written once with taylorad.numpy; gradient and HVPs come from taylorad. The result
is checked against the optimality condition and compared with scipy's L-BFGS-B.

Run::

    python examples/newton_logistic.py                              # d = 200, m = 20 000
    TAYLORAD_EXAMPLES_FAST=1 python examples/newton_logistic.py     # d = 20,  m = 500
"""
import os
import sys
import time

import numpy as np
import scipy.optimize as so

import taylorad.numpy as tnp
from taylorad.optimize import minimize, scipy_callables

FAST = os.environ.get("TAYLORAD_EXAMPLES_FAST") == "1" or "--fast" in sys.argv
d, m = (20, 500) if FAST else (200, 20_000)

rng = np.random.default_rng(0)
X = rng.standard_normal((m, d)) / np.sqrt(d)
w_true = rng.standard_normal(d) * 3
y = np.where(rng.random(m) < 1 / (1 + np.exp(-(X @ w_true))), 1.0, -1.0)
lam = 1e-3


def loss(w):
    return tnp.mean(tnp.softplus(-y * tnp.matmul(X, w))) + 0.5 * lam * tnp.sum(w * w)


t = time.perf_counter()
res = minimize(loss, np.zeros(d), "newton-cg", options={"gtol": 1e-8, "disp": True})
t_newton = time.perf_counter() - t
t = time.perf_counter()
ref = so.minimize(x0=np.zeros(d), method="L-BFGS-B", options={"gtol": 1e-8},
                  **scipy_callables(loss, "L-BFGS-B"))
t_lbfgs = time.perf_counter() - t

accuracy = np.mean(np.sign(X @ res.x) == y)
print(f"\nlogistic regression d={d}, m={m}: newton-cg {res.nit} iterations, {res.nhev} HVPs, "
      f"{t_newton:.2f}s; L-BFGS-B (taylorad gradients) {ref.nit} iterations, {t_lbfgs:.2f}s")
print(f"loss {res.fun:.10f} (L-BFGS-B {ref.fun:.10f}), training accuracy {accuracy:.3f}")
assert res.success and res.fun <= ref.fun + 1e-9
