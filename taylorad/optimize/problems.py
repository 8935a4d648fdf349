"""Unconstrained test problems with known minima (Moré, Garbow & Hillstrom 1981, and others).

Written in ``taylorad.numpy`` so that taylorad differentiates them; the same functions run on
plain arrays. Used by the tests, the asv benchmarks and the examples (OPTIMIZE.md §7).

Each :class:`Problem` has ``fun``, ``x0`` (a fresh float64 array per call), the minimum value
``fstar`` (None when it must be computed), the minimizer ``xstar`` (None when not unique or not
needed) and ``ftol``, the tolerance of |f - f*| the tests accept.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import numpy as tnp

__all__ = ["PROBLEMS", "Problem", "get_problem", "logistic_data", "spd_quadratic_matrix"]


@dataclass
class Problem:
    name: str
    fun: Callable
    x0_fn: Callable
    fstar: float | None
    xstar: np.ndarray | None = None
    ftol: float = 1e-8

    @property
    def x0(self):
        return self.x0_fn()

    @property
    def n(self):
        return int(self.x0_fn().size)


def ext_rosenbrock(x):
    """MGH #21, separable: Σ 100(x₂ᵢ - x₂ᵢ₋₁²)² + (1 - x₂ᵢ₋₁)²."""
    odd, even = x[0::2], x[1::2]
    return tnp.sum(100.0 * (even - odd ** 2) ** 2 + (1.0 - odd) ** 2)


def chained_rosenbrock(x):
    """scipy.optimize.rosen: Σ 100(xᵢ₊₁ - xᵢ²)² + (1 - xᵢ)²."""
    return tnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def ext_powell(x):
    """MGH #22, extended Powell singular (n = 4k); H is singular at x* = 0."""
    b = tnp.reshape(x, (-1, 4))
    x1, x2, x3, x4 = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    return tnp.sum((x1 + 10.0 * x2) ** 2 + 5.0 * (x3 - x4) ** 2 + (x2 - 2.0 * x3) ** 4
                   + 10.0 * (x1 - x4) ** 4)


def wood(x):
    """MGH #14."""
    x1, x2, x3, x4 = x[0], x[1], x[2], x[3]
    return (100.0 * (x2 - x1 ** 2) ** 2 + (1.0 - x1) ** 2 + 90.0 * (x4 - x3 ** 2) ** 2
            + (1.0 - x3) ** 2 + 10.1 * ((x2 - 1.0) ** 2 + (x4 - 1.0) ** 2)
            + 19.8 * (x2 - 1.0) * (x4 - 1.0))


def beale(x):
    """MGH #5."""
    x1, x2 = x[0], x[1]
    return ((1.5 - x1 * (1.0 - x2)) ** 2 + (2.25 - x1 * (1.0 - x2 ** 2)) ** 2
            + (2.625 - x1 * (1.0 - x2 ** 3)) ** 2)


def brown_badly_scaled(x):
    """MGH #4: minimum 0 at (1e6, 2e-6)."""
    x1, x2 = x[0], x[1]
    return (x1 - 1e6) ** 2 + (x2 - 2e-6) ** 2 + (x1 * x2 - 2.0) ** 2


def helical_valley(x):
    """MGH #7: θ = atan2(x₂, x₁)/2π on (-1/4, 3/4]; minimum 0 at (1, 0, 0)."""
    x1, x2, x3 = x[0], x[1], x[2]
    theta = tnp.arctan(x2 / x1) / (2 * math.pi) + tnp.where(x1 < 0, 0.5, 0.0)
    return 100.0 * ((x3 - 10.0 * theta) ** 2 + (tnp.sqrt(x1 ** 2 + x2 ** 2) - 1.0) ** 2) \
        + x3 ** 2


def himmelblau(x):
    """Four minima with value 0, e.g. (3, 2); the Hessian at (0, 0) is negative definite."""
    x1, x2 = x[0], x[1]
    return (x1 ** 2 + x2 - 11.0) ** 2 + (x1 + x2 ** 2 - 7.0) ** 2


def spd_quadratic_matrix(n=200):
    """A = tridiag(-1, 4, -1) (n×n), b = 1."""
    A = 4.0 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)
    return A, np.ones(n)


def make_spd_quadratic(n=200):
    A, b = spd_quadratic_matrix(n)

    def spd_quadratic(x):
        return 0.5 * tnp.dot(x, tnp.matmul(A, x)) - tnp.dot(b, x)

    return spd_quadratic


def logistic_data(d=50, m=2000, seed=1234):
    """Seeded binary classification data (X: m×d, y ∈ {-1, 1}) and L2 weight λ = 1/m."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d))
    w_true = rng.standard_normal(d)
    p = 1.0 / (1.0 + np.exp(-(X @ w_true)))
    y = np.where(rng.random(m) < p, 1.0, -1.0)
    return X, y, 1.0 / m


def make_logistic(d=50, m=2000, seed=1234):
    X, y, lam = logistic_data(d, m, seed)

    def logistic(w):
        """Mean logistic loss plus (λ/2)‖w‖²."""
        return tnp.mean(tnp.softplus(-y * tnp.matmul(X, w))) + 0.5 * lam * tnp.sum(w * w)

    return logistic


def _rosen_x0(n):
    return lambda: np.tile([-1.2, 1.0], n // 2).astype(np.float64)


def _const(*v):
    return lambda: np.array(v, dtype=np.float64)


def get_problem(name, n=None):
    """The problem ``name`` (a key of PROBLEMS); ``n`` for the scalable ones."""
    if name not in PROBLEMS:
        raise ValueError(f"get_problem: unknown problem {name!r} — use one of "
                         f"{', '.join(PROBLEMS)}")
    return PROBLEMS[name](n)


PROBLEMS = {
    "ext_rosenbrock": lambda n=None: Problem(
        "ext_rosenbrock", ext_rosenbrock, _rosen_x0(n or 2), 0.0, np.ones(n or 2)),
    "rosen_tutorial": lambda n=None: Problem(
        "rosen_tutorial", chained_rosenbrock, _const(1.3, 0.7, 0.8, 1.9, 1.2), 0.0, np.ones(5)),
    "chained_rosenbrock": lambda n=None: Problem(
        "chained_rosenbrock", chained_rosenbrock, _rosen_x0(n or 100), 0.0, np.ones(n or 100)),
    "ext_powell": lambda n=None: Problem(
        "ext_powell", ext_powell, lambda n=n or 4: np.tile([3.0, -1.0, 0.0, 1.0], n // 4),
        0.0, None, ftol=1e-6),
    "wood": lambda n=None: Problem("wood", wood, _const(-3, -1, -3, -1), 0.0, np.ones(4)),
    "beale": lambda n=None: Problem("beale", beale, _const(1, 1), 0.0, np.array([3.0, 0.5])),
    "brown_badly_scaled": lambda n=None: Problem(
        "brown_badly_scaled", brown_badly_scaled, _const(1, 1), 0.0, np.array([1e6, 2e-6])),
    "helical_valley": lambda n=None: Problem(
        "helical_valley", helical_valley, _const(-1, 0, 0), 0.0, np.array([1.0, 0.0, 0.0])),
    "himmelblau": lambda n=None: Problem("himmelblau", himmelblau, _const(0, 0), 0.0, None),
    "spd_quadratic": lambda n=None: Problem(
        "spd_quadratic", make_spd_quadratic(n or 200), lambda n=n or 200: np.zeros(n),
        -49.81698729810777 if (n or 200) == 200 else None, None),
    "logistic": lambda n=None: Problem(
        "logistic", make_logistic(n or 50), lambda n=n or 50: np.zeros(n), None, None),
}
