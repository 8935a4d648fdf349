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
        The function (arrays or a pytree out).
    args, tangents : tuple of arrays
        The point and the direction, one entry per argument.
    eps : float
        The step ε.

    Returns
    -------
    array or pytree
        The difference quotient, structured like ``f``'s output.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> from taylorad.testing import numerical_jvp
    >>> numerical_jvp(tnp.sin, (np.array([0.0]),), (np.array([1.0]),))
    array([1.])
    """
    plus = f(*[a + eps * t for a, t in zip(args, tangents)])
    minus = f(*[a - eps * t for a, t in zip(args, tangents)])
    return tree_unflatten(tree_flatten(plus)[1], [
        (np.asarray(p) - np.asarray(m)) / (2 * eps)
        for p, m in zip(tree_flatten(plus)[0], tree_flatten(minus)[0])])


def _inner(a, b):
    la, lb = tree_flatten(a)[0], tree_flatten(b)[0]
    return sum(float(np.sum(np.asarray(x) * np.asarray(y))) for x, y in zip(la, lb))


def check_grads(f, args, eps=1e-6, rtol=1e-5, atol=1e-7, seed=0):
    """Assert that reverse and forward mode agree with central differences along random directions.

    ``args`` is a tuple of float64 arrays; ``f`` returns an array or a pytree of arrays.

    Parameters
    ----------
    f : callable
        The function to check.
    args : tuple of arrays
        The point.
    eps : float
        Step of the central differences.
    rtol, atol : float
        Tolerances of the comparisons.
    seed : int
        Seed of the random directions and cotangents.

    Raises
    ------
    AssertionError
        When the VJP fails the dot-product test ⟨u, J·v⟩ = ⟨Jᵀu, v⟩ or the JVP differs
        from the difference quotient.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> from taylorad.testing import check_grads
    >>> check_grads(lambda x: tnp.sin(x) * x, (np.array([0.3, 1.2]),))   # passes silently
    """
    rng = np.random.default_rng(seed)
    args = tuple(np.asarray(a, dtype=np.float64) for a in args)
    tangents = tuple(_rand_like(rng, a) for a in args)
    out, pullback = vjp(f, *args)
    u = tree_unflatten(tree_flatten(out)[1], [_rand_like(rng, o) for o in tree_flatten(out)[0]])
    fd = numerical_jvp(f, args, tangents, eps)
    lhs = _inner(u, fd)
    rhs = _inner(pullback(u), tangents)
    scale = max(1.0, abs(lhs))
    assert abs(lhs - rhs) <= rtol * scale + atol, \
        f"VJP dot-product test failed: <u, J v> by differences {lhs!r} vs <J^T u, v> {rhs!r}"
    _, t = jvp(f, args, tangents)
    for a, b in zip(tree_flatten(t)[0], tree_flatten(fd)[0]):
        np.testing.assert_allclose(np.asarray(a), b, rtol=rtol * 10, atol=atol * 10 + 1e-6,
                                   err_msg="JVP differs from central differences")


def check_taylor(f, f_mp, x0, order=8, rtol=1e-10, dps=50):
    """Assert that ``derivatives(f, x0, 1, order)`` matches mpmath's Taylor series of ``f_mp``.

    ``f`` is a taylorad function of one float64 array; ``f_mp`` the same function on mpmath
    numbers. Compared elementwise, as normalized coefficients d_k / k!.

    Parameters
    ----------
    f : callable
        Elementwise taylorad function.
    f_mp : callable
        The same function on mpmath numbers (``mpmath.exp`` …).
    x0 : array
        The points.
    order : int
        Highest order compared.
    rtol : float
        Relative tolerance per coefficient.
    dps : int
        mpmath's working precision in decimal digits.

    Raises
    ------
    AssertionError
        At the first coefficient that differs.

    Examples
    --------
    >>> import mpmath, numpy as np, taylorad.numpy as tnp
    >>> from taylorad.testing import check_taylor
    >>> check_taylor(tnp.exp, mpmath.exp, np.array([0.5]), order=6)   # passes silently
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
        Scalar function.
    x : array
        The point.
    v : array, optional
        The direction; None draws a random one.
    eps, rtol, atol : float
        Step and tolerances.
    seed : int
        Seed of the random direction.

    Raises
    ------
    AssertionError
        When the product differs from the difference quotient of the gradient.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> from taylorad.testing import check_hvp
    >>> check_hvp(lambda x: tnp.sum(tnp.exp(x)), np.array([0.1, 0.2]))   # passes silently
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=np.float64)
    v = _rand_like(rng, x) if v is None else np.asarray(v, dtype=np.float64)
    g = grad(f)
    fd = (np.asarray(g(x + eps * v)) - np.asarray(g(x - eps * v))) / (2 * eps)
    np.testing.assert_allclose(np.asarray(hvp(f, x, v)), fd, rtol=rtol, atol=atol,
                               err_msg="HVP differs from differences of the gradient")
