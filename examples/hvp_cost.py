"""Forward over reverse: what a Hessian-vector product costs next to a gradient.
=============================================================================

The loss of a tanh MLP, as a function of its weights θ (a dict pytree), is differentiated five
ways at one point, each checked against the others:

* ``ta.value_and_grad`` — one forward pass and one reverse pass;
* ``ta.hvp(f, θ, v)`` — forward over reverse: the same two passes on order-1 Taylor values (the
  tangent v rides along the gradient computation);
* ``ta.grad(lambda θ: vdot(grad(f)(θ), v))`` — the same product written as a nested gradient,
  which taylorad also computes forward over reverse (the inner gradient's VJP is one HVP pass);
* central differences of two gradients — the cheap approximation it replaces, with its error;
* ``ta.hvp_batch`` with 16 directions in one pass, per direction.

Times are the best of several calls; the ratio hvp / grad is, as the theory says, a small
constant independent of the number of weights (every primitive on the tape does its work on a
primal and a tangent instead of a primal alone).

Run::

    python examples/hvp_cost.py                           # width 256, batch 512
    TAYLORAD_EXAMPLES_FAST=1 python examples/hvp_cost.py  # width 64, batch 128
"""
# examples-test: expect ^check: hvp vs nested grad max difference \S+, vs central differences \S+$
# examples-test: expect ^hvp / grad = [0-9.]+$
import math
import os
import sys
import time

import numpy as np

import taylorad as ta
import taylorad.numpy as tnp

FAST = os.environ.get("TAYLORAD_EXAMPLES_FAST") == "1" or "--fast" in sys.argv
WIDTH, BATCH = (64, 128) if FAST else (256, 512)
REPEATS = 5 if FAST else 15
rng = np.random.default_rng(0)
shapes = {"W1": (8, WIDTH), "W2": (WIDTH, WIDTH), "W3": (WIDTH, 1)}
theta = {k: rng.standard_normal(s) / np.sqrt(s[0]) for k, s in shapes.items()}
v = {k: rng.standard_normal(s) for k, s in shapes.items()}
X = rng.standard_normal((BATCH, 8))
y = np.sin(X.sum(axis=1, keepdims=True))
n_weights = sum(a.size for a in theta.values())


def loss(p):
    h = tnp.tanh(X @ p["W1"])
    h = tnp.tanh(h @ p["W2"])
    r = h @ p["W3"] - y
    return tnp.mean(r * r)


def vdot_tree(a, b):
    return sum(tnp.sum(a[k] * b[k]) for k in a)


grad = ta.grad(loss)
nested = ta.grad(lambda p: vdot_tree(grad(p), v))


def central_difference(eps=1e-5):
    gp = grad({k: theta[k] + eps * v[k] for k in theta})
    gm = grad({k: theta[k] - eps * v[k] for k in theta})
    return {k: (gp[k] - gm[k]) / (2 * eps) for k in theta}


V16 = {k: rng.standard_normal((16,) + s) for k, s in shapes.items()}


def batched16():
    # hvp_batch takes one array: the 16 directions of the flattened weights
    flat = np.concatenate([theta[k].ravel() for k in shapes])
    sizes = np.cumsum([0] + [int(np.prod(s)) for s in shapes.values()])

    def f_flat(z):
        return loss({k: tnp.reshape(z[sizes[i]:sizes[i + 1]], s)
                     for i, (k, s) in enumerate(shapes.items())})

    Vf = np.concatenate([V16[k].reshape(16, -1) for k in shapes], axis=1)
    return ta.hvp_batch(f_flat, flat, Vf)


def best_time(fn):
    fn()
    best = math.inf
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


h = ta.hvp(loss, theta, v)
h_nested = nested(theta)
h_fd = central_difference()
scale = max(float(np.max(np.abs(h[k]))) for k in h)
diff_nested = max(float(np.max(np.abs(h[k] - h_nested[k]))) for k in h) / scale
diff_fd = max(float(np.max(np.abs(h[k] - h_fd[k]))) for k in h) / scale
print(f"tanh MLP 8 → {WIDTH} → {WIDTH} → 1, {n_weights} weights, batch {BATCH}")
print(f"check: hvp vs nested grad max difference {diff_nested:.1e}, "
      f"vs central differences {diff_fd:.1e}")

rows = {
    "loss f(θ)": best_time(lambda: loss(theta)),
    "value_and_grad": best_time(lambda: ta.value_and_grad(loss)(theta)),
    "hvp (forward over reverse)": best_time(lambda: ta.hvp(loss, theta, v)),
    "nested grad of grad·v": best_time(lambda: nested(theta)),
    "central differences (2 grads)": best_time(central_difference),
    "hvp_batch, per direction (16)": best_time(batched16) / 16,
}
t_grad = rows["value_and_grad"]
print(f"{'':32s} {'time [ms]':>10s} {'÷ grad':>8s}")
for name, t in rows.items():
    print(f"{name:32s} {1e3 * t:10.3f} {t / t_grad:8.2f}")
print(f"hvp / grad = {rows['hvp (forward over reverse)'] / t_grad:.2f}")

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib is not installed: no figure written (pip install matplotlib for one)")
else:
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    names = list(rows)[::-1]
    ax.barh(names, [rows[n] / t_grad for n in names],
            color=["C2", "C1", "C1", "C0", "C0", "C7"][::-1][:len(names)])
    ax.axvline(1.0, color="k", lw=1, ls=":")
    ax.set_xlabel("time ÷ time of value_and_grad")
    ax.set_title(f"tanh MLP, {n_weights} weights, batch {BATCH} (one thread)")
    for i, n in enumerate(names):
        ax.text(rows[n] / t_grad, i, f" {1e3 * rows[n]:.2f} ms", va="center", fontsize=8)
    ax.set_xlim(0, 1.25 * max(rows[n] / t_grad for n in names))
    fig.tight_layout()
    fig.savefig("hvp_cost.png", dpi=110)
    plt.close(fig)
    print("wrote hvp_cost.png")

if diff_nested > 1e-10 or diff_fd > 1e-4:
    print("FAILED: the Hessian-vector products disagree")
    sys.exit(1)
