"""taylorad.numpy.polyfit: least-squares polynomial fit, a composition of the Vandermonde matrix
and taylorad.numpy.linalg.lstsq (via QR), differentiable in ``x``, ``y`` and ``w``."""
import numpy as np

from ..core.trace import Box, getval
from ._util import shape_of
from .linalg.leastsq import lstsq
from .arith import sqrt
from .shape import ones_like, reshape, stack, sum

__all__ = ["polyfit"]


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """numpy.polyfit: the coefficients p (highest power first) minimizing Σ wᵢ²(p(xᵢ) − yᵢ)².

    As NumPy: the Vandermonde columns are scaled to unit norm before the least-squares solve.
    The fit must have full rank (``deg + 1`` distinct x values at least); ``cov`` is supported
    on untraced input only.

    Parameters
    ----------
    x : array_like, shape (M,)
    y : array_like, shape (M,) or (M, K)
    deg : int
    rcond : float, optional
    full : bool
        Also return (residuals, rank, singular values, rcond), as NumPy.
    w : array_like, shape (M,), optional
        Weights applied to the unsquared residuals.
    cov : bool
        NumPy's covariance output (untraced input only).

    Returns
    -------
    p : array, shape (deg + 1,) or (deg + 1, K)

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.numpy import polyfit
    >>> np.round(polyfit(np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0]), 1), 12)
    array([2., 1.])
    """
    traced = any(isinstance(v, Box) for v in (x, y, w))
    if not traced:
        return np.polyfit(x, y, deg, rcond=rcond, full=full, w=w, cov=cov)
    if cov:
        raise ValueError("taylorad.numpy.polyfit: cov=True is not supported on traced input — "
                         "compute the covariance from the fit's residuals yourself")
    order = int(deg) + 1
    sx, sy = shape_of(x), shape_of(y)
    if deg < 0 or len(sx) != 1 or sx[0] == 0 or len(sy) not in (1, 2) or sy[0] != sx[0]:
        raise ValueError(f"taylorad.numpy.polyfit: need deg >= 0, x of shape (M,) and y of shape "
                         f"(M,) or (M, K); got deg={deg}, x {sx}, y {sy}")
    if sx[0] < order:
        raise ValueError(f"taylorad.numpy.polyfit: {sx[0]} points cannot determine a degree-{deg} "
                         f"fit (its derivative needs full rank: at least deg + 1 points)")
    if rcond is None:
        rcond = sx[0] * np.finfo(getval(x).dtype if hasattr(getval(x), "dtype")
                                 else np.float64).eps
    cols = [ones_like(x) if k == 0 else (x if k == 1 else x ** k) for k in range(order - 1, -1, -1)]
    lhs = stack(cols, axis=1)
    rhs = y
    if w is not None:
        lhs = lhs * reshape(w, (-1, 1))
        rhs = rhs * (reshape(w, (-1, 1)) if len(sy) == 2 else w)
    scale = sqrt(sum(lhs * lhs, axis=0))
    c, resids, rank, s = lstsq(lhs / scale, rhs)
    c = c / (reshape(scale, (-1, 1)) if len(sy) == 2 else scale)
    if full:
        return c, resids, rank, s, rcond
    return c
