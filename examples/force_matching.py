"""Force matching: a neural pair potential fitted to energies and forces of a Morse cluster.
===========================================================================================

Reference: four atoms interacting through the Morse potential
V(r) = D·[(1 − e^{−a(r − rₑ)})² − 1] (D = 1, a = 2, rₑ = 1), whose global minimum is the regular
tetrahedron of edge rₑ. Configurations are the tetrahedron with Gaussian displacements (σ = 0.08);
energies and forces come from the closed forms in NumPy float64.

Model (written in the MindSpore API — only the imports would change): E_θ(x) = Σ_{i<j} φ_θ(r_ij),
φ_θ a tanh MLP 1 → 32 → 32 → 1 (nn.Dense cells), float32 as MindSpore's default.

* forces F_θ = −∂E_θ/∂x through ``ops.GradOperation()`` inside the loss Cell;
* loss = ``mean (E_θ − E)² + mean |F_θ − F|²``;
* its gradient w.r.t. the weights by ``ops.GradOperation(get_by_list=True)`` over that loss Cell:
  the second-order cross derivatives ∂²E_θ/∂x∂θ, which taylorad computes forward over reverse
  (the inner gradient's VJP is one Hessian-vector-product pass, never a taped backward pass);
* SciPy's L-BFGS-B on the flattened weights (``Tensor.asnumpy`` / ``Parameter.set_data``).

Afterwards (taylorad-specific): the fitted potential is relaxed to its minimum (SciPy L-BFGS-B on
the GradOperation forces, float64) and ``taylorad.hessian`` gives its Hessian there. Its six
vibrational eigenvalues are compared with the closed-form Morse Hessian at the tetrahedron,
k·{1, 1, 2, 2, 2, 4} with k = V″(rₑ) = 2Da² = 8; the six rigid-body eigenvalues must be ≈ 0.

Targets (full mode; exit status 1 if missed): on 128 held-out configurations, relative force error
‖F_θ − F‖/‖F‖ < 1 % and energy RMSE < 1e-3 D; vibrational eigenvalues within 2 % of the Morse
ones. Typical result: 0.06 % force error, energy RMSE 5e-5, eigenvalues within 0.01 %.

Run::

    python examples/force_matching.py                          # full: 4-10 s on 2 cores
    TAYLORAD_EXAMPLES_FAST=1 python examples/force_matching.py  # fast mode: ~1 s

In MindSpore: replace the four ``taylorad`` imports marked below by their ``mindspore``
counterparts; everything up to "Vibrational analysis" runs unchanged.
"""
import os
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # small matrices: BLAS threads only add overhead

import numpy as np  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

import taylorad.context as context  # noqa: E402  # MindSpore: from mindspore import context
import taylorad.nn as nn  # noqa: E402  # MindSpore: from mindspore import nn
import taylorad.ops as ops  # noqa: E402  # MindSpore: from mindspore import ops
from taylorad import ParameterTuple, Tensor  # noqa: E402  # MindSpore: from mindspore import ...

FAST = os.environ.get("TAYLORAD_EXAMPLES_FAST") == "1"
D, A, R_E = 1.0, 2.0, 1.0  # Morse parameters
N_ATOMS = 4
SIGMA = 0.08  # displacement scale of the sampled configurations
PAIRS_I, PAIRS_J = np.triu_indices(N_ATOMS, 1)
TARGET_FORCE_REL, TARGET_ENERGY_RMSE, TARGET_EIG_REL = 0.01, 1e-3, 0.02


# ------------------------------------------------------------------------------------------------
# the analytic reference (NumPy float64, closed forms)


def tetrahedron():
    v = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=np.float64)
    return v * R_E / (2 * np.sqrt(2))  # edge length R_E


def morse_energy_forces(x):
    """Energies (B,) and forces (B, N, 3) of configurations x (B, N, 3)."""
    d = x[:, PAIRS_I] - x[:, PAIRS_J]  # (B, P, 3)
    r = np.linalg.norm(d, axis=-1)
    e = np.exp(-A * (r - R_E))
    energy = (D * ((1 - e) ** 2 - 1)).sum(axis=1)
    dv = 2 * D * A * e * (1 - e)  # V'(r)
    fij = -(dv / r)[..., None] * d  # force on atom i from pair (i, j)
    forces = np.zeros_like(x)
    np.add.at(forces, (slice(None), PAIRS_I), fij)
    np.add.at(forces, (slice(None), PAIRS_J), -fij)
    return energy, forces


def morse_hessian(x):
    """Closed-form Hessian (3N, 3N) of the Morse cluster energy at one configuration x (N, 3)."""
    H = np.zeros((N_ATOMS, 3, N_ATOMS, 3))
    for i, j in zip(PAIRS_I, PAIRS_J):
        d = x[i] - x[j]
        r = np.linalg.norm(d)
        u = d / r
        e = np.exp(-A * (r - R_E))
        dv = 2 * D * A * e * (1 - e)
        d2v = 2 * D * A ** 2 * e * (2 * e - 1)
        block = d2v * np.outer(u, u) + dv / r * (np.eye(3) - np.outer(u, u))
        H[i, :, i, :] += block
        H[j, :, j, :] += block
        H[i, :, j, :] -= block
        H[j, :, i, :] -= block
    return H.reshape(3 * N_ATOMS, 3 * N_ATOMS)


def sample(n, rng):
    x = tetrahedron()[None] + SIGMA * rng.standard_normal((n, N_ATOMS, 3))
    e, f = morse_energy_forces(x)
    return x, e, f


# ------------------------------------------------------------------------------------------------
# the model, the loss and the training step: MindSpore API only


def _init(shape, fan_in, rng):
    return Tensor((rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32))


class PairPotential(nn.Cell):
    """E(x) = Σ_{i<j} φ(r_ij) for configurations x of shape (B, N, 3); returns (B,)."""

    def __init__(self, width=32, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.dense1 = nn.Dense(1, width, weight_init=_init((width, 1), 0.25, rng),
                               activation="tanh")
        self.dense2 = nn.Dense(width, width, weight_init=_init((width, width), width, rng),
                               activation="tanh")
        self.dense3 = nn.Dense(width, 1, weight_init=_init((1, width), width, rng))
        self.idx_i = Tensor(PAIRS_I.astype(np.int32))
        self.idx_j = Tensor(PAIRS_J.astype(np.int32))

    def construct(self, x):
        d = ops.gather(x, self.idx_i, 1) - ops.gather(x, self.idx_j, 1)  # (B, P, 3)
        r = ops.sqrt((d * d).sum(-1))  # (B, P)
        phi = self.dense3(self.dense2(self.dense1(ops.expand_dims(r - R_E, -1))))  # (B, P, 1)
        return phi.sum((1, 2))


class ForceMatchingLoss(nn.Cell):
    """mean (E_θ − E)² + mean |F_θ − F|², with F_θ = −∂E_θ/∂x by GradOperation."""

    def __init__(self, potential):
        super().__init__()
        self.potential = potential
        self.grad_x = ops.GradOperation()  # gradient w.r.t. the first input (positions)

    def construct(self, x, energy, forces):
        de = self.potential(x) - energy
        df = -self.grad_x(self.potential)(x) - forces
        return (de * de).mean() + (df * df).mean()


def errors(potential, x, energy, forces):
    xt = Tensor(x.astype(np.float32))
    e_fit = potential(xt).asnumpy().astype(np.float64)
    f_fit = -ops.GradOperation()(potential)(xt).asnumpy().astype(np.float64)
    e_rmse = float(np.sqrt(np.mean((e_fit - energy) ** 2)))
    f_rmse = float(np.sqrt(np.mean((f_fit - forces) ** 2)))
    f_rel = float(np.linalg.norm(f_fit - forces) / np.linalg.norm(forces))
    return e_rmse, f_rmse, f_rel


def train(potential, x, energy, forces, max_iter):
    """Fit the weights by SciPy's L-BFGS-B; loss and gradient from the facade (float32).

    Only Tensor/Parameter methods that MindSpore has are used (asnumpy, set_data), so the loop
    runs unchanged there. For this small full-batch problem L-BFGS-B reaches a 100x lower force
    error than Adam in the same time.
    """
    loss_net = ForceMatchingLoss(potential)
    weights = ParameterTuple(potential.trainable_params())
    grad_w = ops.GradOperation(get_by_list=True)(loss_net, weights)  # forward over reverse
    xt, et, ft = (Tensor(a.astype(np.float32)) for a in (x, energy, forces))
    shapes = [p.shape for p in weights]
    sizes = [int(np.prod(s)) for s in shapes]

    def set_weights(theta):
        i = 0
        for p, shape, n in zip(weights, shapes, sizes):
            p.set_data(Tensor(theta[i:i + n].reshape(shape).astype(np.float32)))
            i += n

    def loss_and_grad(theta):
        set_weights(theta)
        loss = float(loss_net(xt, et, ft).asnumpy())
        grads = grad_w(xt, et, ft)
        return loss, np.concatenate([g.asnumpy().ravel() for g in grads]).astype(np.float64)

    it = [0]
    report = max(1, max_iter // 5)

    def progress(theta):
        it[0] += 1
        if it[0] % report == 0:
            print(f"  iter {it[0]:5d}   loss {loss_and_grad(theta)[0]:.3e}", flush=True)

    theta0 = np.concatenate([p.asnumpy().ravel() for p in weights]).astype(np.float64)
    print(f"  iter     0   loss {loss_and_grad(theta0)[0]:.3e}")
    res = minimize(loss_and_grad, theta0, jac=True, method="L-BFGS-B", callback=progress,
                   options=dict(maxiter=max_iter, maxfun=2 * max_iter, maxcor=30, ftol=0.0,
                                gtol=0.0))
    set_weights(res.x)
    return res


# ------------------------------------------------------------------------------------------------
# vibrational analysis (taylorad-specific: taylorad.hessian; MindSpore would use
# ops.jacfwd(ops.grad(...)), which the facade also offers and which is cross-checked below)


def vibrational_analysis(potential):
    import taylorad as ta  # noqa: PLC0415

    for p in potential.trainable_params():  # analyse the fitted potential in float64
        p.set_data(Tensor(p.asnumpy().astype(np.float64)))

    def energy(x_flat):
        return potential(Tensor(x_flat.reshape(1, N_ATOMS, 3))).sum()

    force_op = ops.GradOperation()(potential)

    def energy_and_grad(x_flat):
        xt = Tensor(x_flat.reshape(1, N_ATOMS, 3))
        return float(potential(xt).asnumpy()[0]), force_op(xt).asnumpy().ravel()

    x0 = tetrahedron() + 0.02 * np.random.default_rng(7).standard_normal((N_ATOMS, 3))
    res = minimize(energy_and_grad, x0.ravel(), jac=True, method="L-BFGS-B",
                   options=dict(gtol=1e-10, ftol=0.0, maxiter=500))
    x_min = res.x.reshape(N_ATOMS, 3)
    edges = np.linalg.norm(x_min[PAIRS_I] - x_min[PAIRS_J], axis=-1)
    print(f"fitted potential relaxed from a perturbed tetrahedron: |grad| = "
          f"{np.abs(res.jac).max():.1e}, edges {edges.min():.4f}..{edges.max():.4f} "
          f"(Morse minimum: regular tetrahedron, edge {R_E:g})")

    H_fit = np.asarray(ta.hessian(energy)(res.x))
    H_ms = ops.jacfwd(ops.grad(lambda x: potential(x.reshape((1, N_ATOMS, 3))).sum()))(
        Tensor(res.x)).asnumpy()  # the MindSpore 2.x spelling of the same Hessian
    H_ref = morse_hessian(tetrahedron())
    ev_fit = np.linalg.eigvalsh(0.5 * (H_fit + H_fit.T))
    ev_ref = np.linalg.eigvalsh(H_ref)
    print(f"Hessian: taylorad.hessian vs ops.jacfwd(ops.grad(E)) max diff "
          f"{np.abs(H_fit - H_ms).max():.1e}; asymmetry {np.abs(H_fit - H_fit.T).max():.1e}")
    print(f"rigid-body eigenvalues (6, should be 0): fitted max |λ| = "
          f"{np.abs(ev_fit[:6]).max():.1e}, Morse max |λ| = {np.abs(ev_ref[:6]).max():.1e}")
    print("vibrational eigenvalues (lowest first):")
    print("    Morse (closed form):  " + "  ".join(f"{v:7.4f}" for v in ev_ref[6:]))
    print("    fitted network:       " + "  ".join(f"{v:7.4f}" for v in ev_fit[6:]))
    rel = float(np.max(np.abs(ev_fit[6:] - ev_ref[6:]) / ev_ref[6:]))
    print(f"    max relative difference {rel:.3%}")
    return rel


def main():
    context.set_context(mode=context.PYNATIVE_MODE)
    rng = np.random.default_rng(0)
    n_train, n_test, max_iter = (64, 32, 30) if FAST else (256, 128, 1000)
    x_tr, e_tr, f_tr = sample(n_train, rng)
    x_te, e_te, f_te = sample(n_test, rng)
    print(f"Morse cluster, {N_ATOMS} atoms (D={D:g}, a={A:g}, r_e={R_E:g}), displacements "
          f"sigma={SIGMA:g}: {n_train} training / {n_test} held-out configurations"
          + ("  [fast mode]" if FAST else ""))
    print(f"reference spread: energy std {e_te.std():.3f}, "
          f"force rms {np.sqrt(np.mean(f_te ** 2)):.3f}")

    potential = PairPotential()
    print(f"neural pair potential: MLP 1 -> 32 -> 32 -> 1, "
          f"{sum(p.size for p in potential.trainable_params())} weights, float32; "
          f"L-BFGS-B, at most {max_iter} iterations")
    t0 = time.perf_counter()
    res = train(potential, x_tr, e_tr, f_tr, max_iter)
    wall = time.perf_counter() - t0
    print(f"trained: {res.nit} iterations, {res.nfev} loss+gradient evaluations in {wall:.1f} s "
          f"({1e3 * wall / res.nfev:.1f} ms each: energies, forces = -dE/dx and the "
          f"loss gradient w.r.t. the weights)")
    e_rmse, f_rmse, f_rel = errors(potential, x_te, e_te, f_te)
    print(f"held-out errors: energy RMSE {e_rmse:.2e}   force RMSE {f_rmse:.2e}   "
          f"relative force error {f_rel:.2%}")
    eig_rel = vibrational_analysis(potential)

    if FAST:
        print("fast mode: targets not checked")
        return 0
    failed = [msg for bad, msg in (
        (f_rel >= TARGET_FORCE_REL, f"relative force error {f_rel:.2%} >= {TARGET_FORCE_REL:.0%}"),
        (e_rmse >= TARGET_ENERGY_RMSE, f"energy RMSE {e_rmse:.2e} >= {TARGET_ENERGY_RMSE:g}"),
        (eig_rel >= TARGET_EIG_REL, f"vibrational eigenvalues off by {eig_rel:.2%} >= "
                                    f"{TARGET_EIG_REL:.0%}")) if bad]
    if failed:
        print("FAILED: " + "; ".join(failed))
        return 1
    print(f"OK: force error < {TARGET_FORCE_REL:.0%}, energy RMSE < {TARGET_ENERGY_RMSE:g}, "
          f"vibrational eigenvalues within {TARGET_EIG_REL:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
