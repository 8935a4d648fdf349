"""Curvature helpers for second-order training: Gauss–Newton products, Hessian diagonals."""
from .. import api as _api
from ..core.tree import tree_unflatten
from ..numpy._util import array_namespace
from ._objective import _check_x0, _scalar_of, fused_value_grad_hvp

__all__ = ["ggnvp", "hessian_diag_hutchinson"]


def ggnvp(fun, x, v, loss=None):
    """Generalized Gauss–Newton product G·v = Jᵀ ∇²L(fun(x)) J·v.

    Parameters
    ----------
    fun : callable
        The model (or residual) map ``x -> out``; x and out may be pytrees.
    x, v : array or pytree
        The point and the direction (same structure).
    loss : callable, optional
        Scalar loss of the model output; its Hessian is the middle factor (from AD). None means
        ½‖out‖², i.e. the Gauss–Newton product JᵀJ·v of least squares.

    Returns
    -------
    array or pytree
        G·v with the structure of ``x``. Cost: one forward-mode pass (J·v), one HVP of the loss
        on the output when ``loss`` is given, and one reverse pass (Jᵀ·u).

    Examples
    --------
    Residuals r(x) = x², J = diag(2x), so JᵀJ·v = 4x²·v:

    >>> import numpy as np
    >>> from taylorad.optimize import ggnvp
    >>> ggnvp(lambda x: x ** 2, np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    array([ 4., 16.])
    """
    if not callable(fun):
        raise TypeError(f"ggnvp: fun must be callable, got {type(fun).__name__}")
    out, jv = _api.jvp(fun, (x,), (v,))
    if loss is not None:
        if not callable(loss):
            raise TypeError(f"ggnvp: loss must be callable or None, got {type(loss).__name__}")
        jv = _api.hvp(lambda o: _scalar_of(loss(o), "ggnvp (loss)"), out, jv)
    _, pullback = _api.vjp(fun, x)
    return pullback(jv)[0]


def hessian_diag_hutchinson(fun, x, n_probes=64, seed=0, args=()):
    """Unbiased Hutchinson estimate E[z ⊙ H z] of diag(H) with Rademacher probes z.

    All ``n_probes`` probes ride along as one batch axis of a single forward-over-reverse
    pass. For a single array x (no args) this is ``taylorad.hessian_diag_estimate``'s estimate
    (without its standard error); pytrees and ``args`` use the same estimator here.

    Parameters
    ----------
    fun : callable
        Scalar function ``fun(x, *args)``.
    x : array or pytree
        The point.
    n_probes : int
        Number of probes.
    seed : int
        Seed of the probes.
    args : tuple
        Extra arguments of ``fun`` (not differentiated).

    Returns
    -------
    array or pytree
        The estimate, structured like ``x``.

    Examples
    --------
    A separable function has a diagonal Hessian, which every probe recovers exactly:

    >>> import numpy as np, taylorad.numpy as tnp
    >>> from taylorad.optimize import hessian_diag_hutchinson
    >>> hessian_diag_hutchinson(lambda x: tnp.sum(x ** 4), np.array([1.0, 2.0]), n_probes=4)
    array([12., 48.])
    """
    import taylorad

    tool = getattr(taylorad, "hessian_diag_estimate", None)
    if tool is not None and not args and hasattr(x, "shape"):
        return tool(fun, x, n_probes, seed=seed)[0]  # (estimate, standard error)
    if isinstance(n_probes, bool) or not isinstance(n_probes, int) or n_probes < 1:
        raise ValueError(f"hessian_diag_hutchinson: n_probes must be a positive int, got "
                         f"{n_probes!r}")
    leaves, td = _check_x0(x, "hessian_diag_hutchinson")
    xp = array_namespace(*leaves)
    rs = xp.random.RandomState(seed)
    probes = [(2.0 * rs.randint(0, 2, size=(n_probes,) + tuple(a.shape)) - 1).astype(a.dtype)
              for a in leaves]
    _, _, hz = fused_value_grad_hvp(
        lambda t: _scalar_of(fun(t, *args), "hessian_diag_hutchinson"), leaves, td, probes,
        batch=(n_probes,))
    est = [xp.mean(z * h, axis=0) for z, h in zip(probes, hz)]
    return tree_unflatten(td, est)
