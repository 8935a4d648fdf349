"""Public checkers: compare taylorad's derivatives with independent references.

* :func:`check_grads` — VJP against central differences (dot-product test ⟨u, J·v⟩ = ⟨Jᵀu, v⟩)
  and JVP against the same difference quotient.
* :func:`check_taylor` — normalized Taylor coefficients of an elementwise function against
  50-digit mpmath.
* :func:`check_hvp` — Hessian-vector product against central differences of the gradient.
"""
import math

import numpy as np

from .api import derivatives, grad, hvp, jvp, vjp
from .core.tree import tree_flatten, tree_unflatten

__all__ = ["check_grads", "check_taylor", "check_hvp", "numerical_jvp"]


def _rand_like(rng, x):
    return rng.standard_normal(np.shape(x)).astype(np.asarray(x).dtype)


def numerical_jvp(f, args, tangents, eps=1e-6):
    """Central difference (f(x + εv) − f(x − εv)) / 2ε for a tuple of arguments.

    Parameters
    ----------
    f : callable
        Function of the arrays in ``args``; returns an array or a pytree of arrays.
    args, tangents : sequence of arrays
        The point x and the direction v, one array per argument.
    eps : float
        The step ε.

    Returns
    -------
    array or pytree of arrays
        The difference quotient, shaped like ``f``'s output.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.testing import numerical_jvp
    >>> float(np.round(numerical_jvp(lambda x: x ** 2, (np.float64(3.0),), (np.float64(1.0),)), 6))
    6.0
    """
    plus = f(*[a + eps * t for a, t in zip(args, tangents)])
    minus = f(*[a - eps * t for a, t in zip(args, tangents)])
    return tree_unflatten(tree_flatten(plus)[1], [
        (np.asarray(p) - np.asarray(m)) / (2 * eps)
        for p, m in zip(tree_flatten(plus)[0], tree_flatten(minus)[0])])


def _inner(a, b):
    la, lb = tree_flatten(a)[0], tree_flatten(b)[0]
    return sum(float(np.sum(np.asarray(x) * np.asarray(y))) for x, y in zip(la, lb))


def check_grads(f, args=None, eps=1e-6, rtol=1e-5, atol=1e-7, seed=0, *, modes=("fwd", "rev"),
                order=1):
    """Assert that forward and reverse mode agree with central differences along random
    directions, up to ``order`` (derivatives of the derivatives, as autograd's ``check_grads``).

    Parameters
    ----------
    f : callable
        Function of the arrays in ``args``; returns an array or a pytree of arrays.
    args : tuple of arrays, optional
        The point (cast to float64). Left out, ``check_grads(f, modes=..., order=...)`` returns
        a checker to call with the arguments, as autograd's ``check_grads(f)(*args)``.
    eps, rtol, atol : float
        Step of the central differences and tolerances.
    seed : int
        Seed of the random directions.
    modes : tuple of {"fwd", "rev"}
        "rev": the VJP passes the dot-product test ⟨u, J·v⟩ = ⟨Jᵀu, v⟩ against differences;
        "fwd": the JVP equals the differences.
    order : int
        1 checks first derivatives. ``order=k`` also checks, at order k−1, the functions
        (x, u) ↦ Jᵀ(x)·u ("rev") and (x, v) ↦ J(x)·v ("fwd") in all their arguments —
        autograd's default is ``order=2``.

    Returns
    -------
    None or callable
        None (an AssertionError where a derivative differs from the differences), or, with
        ``args`` left out, the checker ``check(*args)``.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> from taylorad.testing import check_grads
    >>> check_grads(tnp.sin, (np.array([0.5, 1.0]),), modes=("fwd", "rev"), order=2)
    >>> check_grads(lambda x, y: x * tnp.exp(y), order=2)(np.ones(2), np.zeros(2))
    """
    fname = "check_grads"
    bad = [m for m in modes if m not in ("fwd", "rev")] if not isinstance(modes, str) else [modes]
    if bad or not modes:
        raise ValueError(f"{fname}: modes must be a tuple of 'fwd' and/or 'rev', got {modes!r}")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"{fname}: order must be a positive integer, got {order!r}")
    if args is None:
        def checker(*a):
            return check_grads(f, a, eps, rtol, atol, seed, modes=modes, order=order)

        return checker
    if not isinstance(args, (tuple, list)):
        raise TypeError(f"{fname}: args must be a tuple of arrays, e.g. check_grads(f, (x,)) — "
                        f"got {type(args).__name__}")
    rng = np.random.default_rng(seed)
    args = tuple(np.asarray(a, dtype=np.float64) for a in args)
    tangents = tuple(_rand_like(rng, a) for a in args)
    fd = numerical_jvp(f, args, tangents, eps)
    if "rev" in modes:
        out, pullback = vjp(f, *args)
        u = tree_unflatten(tree_flatten(out)[1],
                           [_rand_like(rng, o) for o in tree_flatten(out)[0]])
        lhs = _inner(u, fd)
        rhs = _inner(pullback(u), tangents)
        scale = max(1.0, abs(lhs))
        assert abs(lhs - rhs) <= rtol * scale + atol, \
            f"VJP dot-product test failed: <u, J v> by differences {lhs!r} vs <J^T u, v> {rhs!r}"
    if "fwd" in modes:
        _, t = jvp(f, args, tangents)
        for a, b in zip(tree_flatten(t)[0], tree_flatten(fd)[0]):
            np.testing.assert_allclose(np.asarray(a), b, rtol=rtol * 10, atol=atol * 10 + 1e-6,
                                       err_msg="JVP differs from central differences")
    if order == 1:
        return
    n = len(args)
    # derivatives of the derivative maps are checked with a looser tolerance: their central
    # differences are differences of derivatives (one more order of cancellation)
    loose = dict(eps=eps * 10, rtol=rtol * 10, atol=atol * 10, seed=seed + 1, modes=modes,
                 order=order - 1)
    if "rev" in modes:
        out_leaves, out_td = tree_flatten(f(*args))
        us = tuple(_rand_like(rng, o) for o in out_leaves)

        def vjp_map(*a):  # (x, u) -> J(x)ᵀ u
            return vjp(f, *a[:n])[1](tree_unflatten(out_td, list(a[n:])))

        check_grads(vjp_map, args + us, **loose)
    if "fwd" in modes:
        def jvp_map(*a):  # (x, v) -> J(x) v
            return jvp(f, a[:n], a[n:])[1]

        check_grads(jvp_map, args + tangents, **loose)


def check_taylor(f, f_mp, x0, order=8, rtol=1e-10, dps=50):
    """Assert that ``derivatives(f, x0, 1, order)`` matches mpmath's Taylor series of ``f_mp``.

    ``f`` is a taylorad function of one float64 array; ``f_mp`` the same function on mpmath
    numbers. Compared elementwise, as normalized coefficients d_k / k!.

    Parameters
    ----------
    f : callable
        Elementwise taylorad function.
    f_mp : callable
        The same function of one mpmath number.
    x0 : float or array_like
        The points.
    order : int
        Highest order checked.
    rtol : float
        Tolerance, relative to ``max(1, |coefficient|)``.
    dps : int
        mpmath's working precision (decimal digits).

    Returns
    -------
    None
        Raises AssertionError naming the order and point where they differ.

    Examples
    --------
    >>> import mpmath, taylorad.numpy as tnp
    >>> from taylorad.testing import check_taylor
    >>> check_taylor(tnp.sin, mpmath.sin, [0.3, 1.2], order=6)
    """
    import mpmath  # noqa: PLC0415 - a test dependency

    x0 = np.atleast_1d(np.asarray(x0, dtype=np.float64))
    ds = derivatives(f, x0, np.ones_like(x0), order)
    with mpmath.workdps(dps):
        for i, xi in enumerate(x0):
            ref = mpmath.taylor(f_mp, mpmath.mpf(float(xi)), order)
            for k in range(order + 1):
                got = float(np.asarray(ds[k])[i]) / math.factorial(k)
                want = float(ref[k])
                tol = rtol * max(1.0, abs(want))
                assert abs(got - want) <= tol, (
                    f"Taylor coefficient {k} at x = {xi!r}: taylorad {got!r}, mpmath {want!r}")


def check_hvp(f, x, v=None, eps=1e-5, rtol=1e-5, atol=1e-7, seed=0):
    """Assert H(x)·v (forward over reverse) ≈ (∇f(x + εv) − ∇f(x − εv)) / 2ε.

    Parameters
    ----------
    f : callable
        Scalar function of one array.
    x : array_like
        The point (cast to float64).
    v : array_like, optional
        The direction (default: random, from ``seed``).
    eps, rtol, atol : float
        Step of the differences and tolerances.
    seed : int
        Seed of the random direction.

    Returns
    -------
    None
        Raises AssertionError where the two differ.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> from taylorad.testing import check_hvp
    >>> check_hvp(lambda x: tnp.sum(tnp.sin(x) * x), np.array([0.5, 1.0]))
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=np.float64)
    v = _rand_like(rng, x) if v is None else np.asarray(v, dtype=np.float64)
    g = grad(f)
    fd = (np.asarray(g(x + eps * v)) - np.asarray(g(x - eps * v))) / (2 * eps)
    np.testing.assert_allclose(np.asarray(hvp(f, x, v)), fd, rtol=rtol, atol=atol,
                               err_msg="HVP differs from differences of the gradient")
