"""taylorad.scipy.stats: ``norm`` (pdf, logpdf, cdf, logcdf, sf, logsf, ppf with loc and scale)
and ``multivariate_normal.logpdf``.

Compositions of primitives, so x, loc, scale, mean and cov may all be traced and differentiated
to any order. ``multivariate_normal.logpdf`` uses taylorad.numpy.linalg's ``slogdet`` and
``solve`` (no ``allow_singular``: the covariance must be positive definite).
"""
import math

import numpy as np

from ..core.trace import Box, getval
from ..numpy import linalg as _la
from ..numpy._util import shape_of
from ..numpy.products import matmul
from ..numpy.shape import broadcast_to, reshape, sum
from ..numpy.transcendental import exp, log
from . import special

__all__ = ["norm", "multivariate_normal"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _z(x, loc, scale):
    if not isinstance(scale, Box) and np.any(np.asarray(scale) <= 0):
        raise ValueError("taylorad.scipy.stats.norm: scale must be positive")
    x = x if isinstance(x, Box) else np.asarray(x, dtype=np.result_type(np.asarray(x), 0.0))
    return (x - loc) / scale


class _Norm:
    """The normal distribution (``taylorad.scipy.stats.norm``), as scipy.stats.norm's
    functions with ``loc`` and ``scale``; every argument may be traced.

    Examples
    --------
    >>> from taylorad.scipy.stats import norm
    >>> round(float(norm.cdf(0.0)), 6)
    0.5
    """

    def logpdf(self, x, loc=0.0, scale=1.0):
        """log φ((x − loc)/scale) − log scale.

        Parameters
        ----------
        x, loc, scale : array_like (traced or not)
            Points, mean and standard deviation (> 0).

        Returns
        -------
        array
            The log density.

        Examples
        --------
        >>> from taylorad.scipy.stats import norm
        >>> round(float(norm.logpdf(0.0)), 6)
        -0.918939
        """
        z = _z(x, loc, scale)
        if isinstance(scale, Box):
            log_scale = log(scale)
        elif np.ndim(scale) == 0:
            log_scale = math.log(float(scale))  # a Python float keeps float32 inputs float32
        else:
            log_scale = np.log(np.asarray(scale, dtype=np.result_type(getval(z).dtype, 0.0)))
        return z * z * -0.5 - _LOG_SQRT_2PI - log_scale

    def pdf(self, x, loc=0.0, scale=1.0):
        """The density exp(logpdf).

        Parameters
        ----------
        x, loc, scale : array_like (traced or not)
            Points, mean and standard deviation.

        Returns
        -------
        array
            The density.

        Examples
        --------
        >>> from taylorad.scipy.stats import norm
        >>> round(float(norm.pdf(0.0)), 6)
        0.398942
        """
        return exp(self.logpdf(x, loc, scale))

    def cdf(self, x, loc=0.0, scale=1.0):
        """Φ((x − loc)/scale).

        Parameters
        ----------
        x, loc, scale : array_like (traced or not)
            Points, mean and standard deviation.

        Returns
        -------
        array
            The distribution function.

        Examples
        --------
        >>> from taylorad.scipy.stats import norm
        >>> round(float(norm.cdf(1.0)), 6)
        0.841345
        """
        return special.ndtr(_z(x, loc, scale))

    def logcdf(self, x, loc=0.0, scale=1.0):
        """log Φ((x − loc)/scale), stable in both tails.

        Parameters
        ----------
        x, loc, scale : array_like (traced or not)
            Points, mean and standard deviation.

        Returns
        -------
        array
            The log distribution function.

        Examples
        --------
        >>> from taylorad.scipy.stats import norm
        >>> round(float(norm.logcdf(0.0)), 6)
        -0.693147
        """
        return special.log_ndtr(_z(x, loc, scale))

    def sf(self, x, loc=0.0, scale=1.0):
        """1 − Φ((x − loc)/scale), without cancellation.

        Parameters
        ----------
        x, loc, scale : array_like (traced or not)
            Points, mean and standard deviation.

        Returns
        -------
        array
            The survival function.

        Examples
        --------
        >>> from taylorad.scipy.stats import norm
        >>> round(float(norm.sf(0.0)), 6)
        0.5
        """
        return special.ndtr(-_z(x, loc, scale))

    def logsf(self, x, loc=0.0, scale=1.0):
        """log(1 − Φ((x − loc)/scale)).

        Parameters
        ----------
        x, loc, scale : array_like (traced or not)
            Points, mean and standard deviation.

        Returns
        -------
        array
            The log survival function.

        Examples
        --------
        >>> from taylorad.scipy.stats import norm
        >>> round(float(norm.logsf(0.0)), 6)
        -0.693147
        """
        return special.log_ndtr(-_z(x, loc, scale))

    def ppf(self, q, loc=0.0, scale=1.0):
        """The quantile function loc + scale·√2·erfinv(2q − 1).

        Parameters
        ----------
        q : array_like (traced or not)
            Probabilities in (0, 1).
        loc, scale : array_like (traced or not)
            Mean and standard deviation.

        Returns
        -------
        array
            The quantiles.

        Examples
        --------
        >>> from taylorad.scipy.stats import norm
        >>> round(float(norm.ppf(0.5)), 6)
        0.0
        """
        return special.erfinv(q * 2.0 - 1.0) * math.sqrt(2.0) * scale + loc


class _MultivariateNormal:
    """``taylorad.scipy.stats.multivariate_normal``: ``logpdf`` and ``pdf``.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.scipy.stats import multivariate_normal
    >>> round(float(multivariate_normal.logpdf(np.zeros(2))), 6)
    -1.837877
    """

    def logpdf(self, x, mean=None, cov=1, allow_singular=False):
        """The log density −½(d·log 2π + log det Σ + (x − μ)ᵀ Σ⁻¹ (x − μ)).

        Parameters
        ----------
        x : array_like (traced or not)
            Points, shape (d,) or (n, d).
        mean : array_like, optional
            Mean (default zeros); traced or not.
        cov : array_like or scalar, optional
            Covariance (d, d), a vector of variances or a scalar; positive definite.
        allow_singular : bool
            Must be False (singular covariances are not supported).

        Returns
        -------
        array
            The log density, shape () or (n,).

        Examples
        --------
        >>> import numpy as np
        >>> from taylorad.scipy.stats import multivariate_normal
        >>> round(float(multivariate_normal.logpdf(np.zeros(1), cov=1.0)), 6)
        -0.918939
        """
        if allow_singular:
            raise ValueError("taylorad.scipy.stats.multivariate_normal.logpdf: "
                             "allow_singular=True is not supported — the covariance must be "
                             "positive definite")
        x = x if isinstance(x, Box) else np.asarray(x, dtype=float)
        xs = shape_of(x)
        if len(xs) == 0:
            x, xs = reshape(x, (1,)), (1,)
        d = xs[-1]
        cshape = shape_of(cov)
        if len(cshape) == 0:
            cov = broadcast_to(cov, (d,)) if isinstance(cov, Box) else np.full(d, float(cov))
            cshape = (d,)
        if len(cshape) == 1:
            from ..numpy.tensor import diag  # noqa: PLC0415

            cov = diag(cov) if isinstance(cov, Box) else np.diag(np.asarray(cov, dtype=float))
        if shape_of(cov) != (d, d):
            raise ValueError(f"taylorad.scipy.stats.multivariate_normal.logpdf: cov must be "
                             f"({d}, {d}) for points of dimension {d}; got {shape_of(cov)}")
        if not isinstance(cov, Box):
            ev = np.linalg.eigvalsh(np.asarray(cov))
            if ev.min() <= 0:
                raise ValueError("taylorad.scipy.stats.multivariate_normal.logpdf: the "
                                 "covariance is not positive definite")
        dev = x if mean is None else x - mean
        rows = reshape(dev, (-1, d))
        sol = _la.solve(cov, rows.T)  # (d, n)
        maha = sum(rows.T * sol, axis=0)
        _, logdet = _la.slogdet(cov)
        out = (maha + logdet + d * math.log(2.0 * math.pi)) * -0.5
        return reshape(out, xs[:-1])

    def pdf(self, x, mean=None, cov=1, allow_singular=False):
        """exp(logpdf).

        Parameters
        ----------
        x, mean, cov, allow_singular
            As ``logpdf``.

        Returns
        -------
        array
            The density.

        Examples
        --------
        >>> import numpy as np
        >>> from taylorad.scipy.stats import multivariate_normal
        >>> round(float(multivariate_normal.pdf(np.zeros(1))), 6)
        0.398942
        """
        return exp(self.logpdf(x, mean, cov, allow_singular))


norm = _Norm()
multivariate_normal = _MultivariateNormal()
