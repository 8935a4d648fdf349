"""Statistics: median, percentile, quantile (linear interpolation), average (weights), ptp, cov,
corrcoef, and the NaN-ignoring reductions nansum, nanmean, nanprod, nanmax, nanmin, nanvar,
nanstd, nancumsum, nancumprod, nanmedian, nanpercentile, nanquantile.

All are compositions of primitives (VJP and Taylor rules of every order are theirs).

* Order statistics take the derivative of the active piece: the sorted values (``argsort`` of the
  values, stable) interpolated linearly between the two neighbours of ``q·(n − 1)``, so the
  result is a fixed linear combination of two entries near the point of differentiation.
* The NaN positions are constants: NaN entries are replaced by the neutral value (0 for sums, 1
  for products, ∓inf for max/min) through ``where``, so no derivative flows to or from them.
"""
import numpy as np

from ..core.trace import Box, getval
from ._util import array_namespace, normalize_axis, shape_of
from ._util import as_array as _arr
from .arith import sqrt
from .reductions import amax, amin, cumsum, prod
from .shape import (astype, broadcast_to, concatenate, getitem_p, index_add_p, moveaxis,
                    reshape, stack, sum)
from .shape import where as _where
from .tensor import take_along_axis

__all__ = ["median", "percentile", "quantile", "average", "ptp", "cov", "corrcoef", "nansum",
           "nanmean", "nanprod", "nanmax", "nanmin", "nanvar", "nanstd", "nancumsum",
           "nancumprod", "nanmedian", "nanpercentile", "nanquantile", "cumprod",
           "cumulative_sum", "cumulative_prod", "histogram_bin_edges", "histogram",
           "histogramdd", "histogram2d"]


def _float(a):
    a = _arr(a)
    if getval(a).dtype.kind not in "fc":
        a = astype(a, np.float64)
    return a


# quantiles ---------------------------------------------------------------------------------------
def _quantile(a, q, axis, keepdims, fname, skip_nan):
    """Linear-interpolation quantiles q ∈ [0, 1] along ``axis`` (numpy's method='linear')."""
    a = _float(a)
    qv = np.asarray(getval(q), dtype=np.float64)
    if np.any((qv < 0) | (qv > 1)) or np.any(np.isnan(qv)):
        raise ValueError(f"taylorad.numpy.{fname}: quantiles must be in the range [0, 1] "
                         f"(percentiles in [0, 100])")
    _constant_q(q, fname)
    shape = shape_of(a)
    nd = len(shape)
    axes = normalize_axis(axis, nd, fname)
    axes = tuple(range(nd)) if axes is None else axes
    rest = [i for i in range(nd) if i not in axes]
    x = moveaxis(a, axes, tuple(range(nd - len(axes), nd))) if axes else a
    x = reshape(x, tuple(shape[i] for i in rest) + (-1,))
    n = shape_of(x)[-1]
    if n == 0:
        raise ValueError(f"taylorad.numpy.{fname}: empty slice has no quantile")
    v = np.asarray(getval(x))
    order = np.argsort(v, axis=-1, kind="stable")  # NaN sort last
    s = take_along_axis(x, order, -1)
    nan_slice = None  # all-NaN slices (their positions below are all 0), where there are any
    if skip_nan:
        count = np.sum(~np.isnan(v), axis=-1, keepdims=True)  # per slice
        empty = count == 0
        _warn_if(empty, "All-NaN slice encountered")
        nan_slice = empty if empty.any() else None
    else:
        count = np.full(v.shape[:-1] + (1,), n)
    last = np.maximum(count, 1) - 1
    oshape = tuple(1 if i in axes else shape[i] for i in range(nd)) if keepdims else \
        tuple(shape[i] for i in rest)
    out = []
    for qq in qv.ravel():
        pos = qq * last
        lo = np.floor(pos).astype(np.intp)
        hi = np.minimum(lo + 1, last)
        frac = (pos - lo).astype(v.dtype)
        lower = take_along_axis(s, lo, -1)
        upper = take_along_axis(s, hi, -1)
        val = lower + (upper - lower) * frac
        if nan_slice is not None:
            val = _where(nan_slice, np.nan, val)
        out.append(reshape(val, oshape))
    if qv.ndim == 0:
        return out[0]
    return reshape(stack(out, axis=0), qv.shape + oshape)


def _constant_q(q, fname):
    if isinstance(q, Box):
        raise TypeError(f"taylorad.numpy.{fname}: q cannot be traced — the derivative with "
                        f"respect to the quantile level is not supported; pass q as a constant")


def _levels(percentiles, fname):
    """Percentiles as quantile levels in [0, 1] (constants: a traced q is an error)."""
    _constant_q(percentiles, fname)
    return np.asarray(getval(percentiles), dtype=np.float64) / 100.0


def _check_method(method, interpolation, fname, out=None, weights=None):
    if interpolation is not None:
        method = interpolation
    if method != "linear":
        raise ValueError(f"taylorad.numpy.{fname}: method={method!r} is not supported — only "
                         f"method='linear' (numpy's default)")
    if out is not None or weights is not None:
        raise TypeError(f"taylorad.numpy.{fname}: out= and weights= are not supported")


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None, interpolation=None):
    """numpy.quantile with linear interpolation; derivative of the active piece.

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    q : float or array of float in [0, 1]
        Quantile levels (constants).
    axis : int or tuple of int, optional
        Axes to reduce (None: all).
    method : {'linear'}
        Only numpy's default is supported.
    keepdims : bool, optional
        Keep reduced axes with length one.

    Returns
    -------
    array
        The quantiles; q's axes first, as numpy.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.grad(lambda x: tnp.quantile(x, 0.25))(np.array([4.0, 1.0, 3.0, 2.0])).tolist()
    [0.0, 0.25, 0.0, 0.75]
    """
    _check_method(method, interpolation, "quantile", out, weights)
    return _quantile(a, q, axis, keepdims, "quantile", False)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None, interpolation=None):
    """numpy.percentile (q in [0, 100]) with linear interpolation.

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    q : float or array of float in [0, 100]
        Percentiles (constants).
    axis : int or tuple of int, optional
        Axes to reduce.
    method : {'linear'}
        Only numpy's default is supported.
    keepdims : bool, optional
        Keep reduced axes.

    Returns
    -------
    array
        The percentiles.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.percentile(np.array([1.0, 2.0, 3.0]), 50))
    2.0
    """
    _check_method(method, interpolation, "percentile", out, weights)
    return _quantile(a, _levels(q, "percentile"), axis, keepdims, "percentile", False)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """numpy.median: the mean of the two middle values for an even count.

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    axis : int or tuple of int, optional
        Axes to reduce.
    keepdims : bool, optional
        Keep reduced axes.

    Returns
    -------
    array
        The median.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.grad(tnp.median)(np.array([3.0, 1.0, 2.0, 5.0])).tolist()
    [0.5, 0.0, 0.5, 0.0]
    """
    if out is not None:
        raise TypeError("taylorad.numpy.median: out= is not supported")
    return _quantile(a, 0.5, axis, keepdims, "median", False)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None, interpolation=None):
    """numpy.nanquantile: quantiles of the non-NaN entries (all-NaN slices give NaN).

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    q : float or array of float in [0, 1]
        Quantile levels.
    axis : int or tuple of int, optional
        Axes to reduce.
    method : {'linear'}
        Only numpy's default.
    keepdims : bool, optional
        Keep reduced axes.

    Returns
    -------
    array
        The quantiles.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.nanquantile(np.array([1.0, np.nan, 3.0]), 0.5))
    2.0
    """
    _check_method(method, interpolation, "nanquantile", out, weights)
    return _quantile(a, q, axis, keepdims, "nanquantile", True)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, weights=None, interpolation=None):
    """numpy.nanpercentile.

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    q : float or array of float in [0, 100]
        Percentiles.
    axis : int or tuple of int, optional
        Axes to reduce.
    method : {'linear'}
        Only numpy's default.
    keepdims : bool, optional
        Keep reduced axes.

    Returns
    -------
    array
        The percentiles of the non-NaN entries.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.nanpercentile(np.array([1.0, np.nan, 3.0]), 100))
    3.0
    """
    _check_method(method, interpolation, "nanpercentile", out, weights)
    return _quantile(a, _levels(q, "nanpercentile"), axis, keepdims, "nanpercentile", True)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """numpy.nanmedian.

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    axis : int or tuple of int, optional
        Axes to reduce.
    keepdims : bool, optional
        Keep reduced axes.

    Returns
    -------
    array
        The median of the non-NaN entries.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.nanmedian(np.array([1.0, np.nan, 2.0])))
    1.5
    """
    return _quantile(a, 0.5, axis, keepdims, "nanmedian", True)


# average, ptp ----------------------------------------------------------------------------------
def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """numpy.average: Σ w·a / Σ w (weights traced or not).

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    axis : int or tuple of int, optional
        Axes to average over.
    weights : array_like, optional
        Same shape as ``a``, or 1-D along a single ``axis``.
    returned : bool, optional
        Also return the sum of the weights.
    keepdims : bool, optional
        Keep reduced axes.

    Returns
    -------
    array or (array, array)
        The average (and the sum of weights).

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.average(np.array([1.0, 3.0]), weights=np.array([3.0, 1.0])))
    1.5
    """
    a = _float(a)
    shape = shape_of(a)
    axes = normalize_axis(axis, len(shape), "average")
    if weights is None:
        n = int(np.prod(shape if axes is None else [shape[i] for i in axes]))
        avg = sum(a, axis=axes, keepdims=keepdims) * (1.0 / n)
        if returned:
            return avg, np.full(shape_of(avg), float(n), dtype=getval(a).dtype)
        return avg
    w = _arr(weights)
    ws = shape_of(w)
    if ws != shape:
        if axes is None or len(axes) != 1 or len(ws) != 1 or ws[0] != shape[axes[0]]:
            raise ValueError("taylorad.numpy.average: weights must have the shape of a, or be "
                             "1-D along a single axis")
        w = reshape(w, tuple(ws[0] if i == axes[0] else 1 for i in range(len(shape))))
        w = broadcast_to(w, shape)
    scl = sum(w, axis=axes, keepdims=keepdims)
    if np.any(np.asarray(getval(scl)) == 0):
        raise ZeroDivisionError("taylorad.numpy.average: weights sum to zero, can't be "
                                "normalized")
    avg = sum(a * w, axis=axes, keepdims=keepdims) / scl
    return (avg, scl) if returned else avg


def ptp(a, axis=None, out=None, keepdims=False):
    """numpy.ptp: max − min (ties share the derivative, as max and min).

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    axis : int or tuple of int, optional
        Axes to reduce.
    keepdims : bool, optional
        Keep reduced axes.

    Returns
    -------
    array
        The range of values.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.ptp(np.array([1.0, 4.0, 2.0])))
    3.0
    """
    a = _arr(a)
    return amax(a, axis, keepdims) - amin(a, axis, keepdims)


# cov, corrcoef -----------------------------------------------------------------------------------
def _variables(X, rowvar):
    """cov's (variables, observations) matrix: a 1-D X as one row, transposed unless rowvar."""
    X = reshape(X, (1, -1)) if len(shape_of(X)) < 2 else X
    return X.T if not rowvar and shape_of(X)[0] != 1 else X


def _matrix(a, what):
    a = _float(a)
    if len(shape_of(a)) > 2:
        raise ValueError(f"taylorad.numpy.cov: {what} has more than 2 dimensions")
    return a


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """numpy.cov (weights are constants).

    Parameters
    ----------
    m : array_like (traced or not)
        1-D or 2-D; rows are variables when ``rowvar``.
    y : array_like, optional
        More variables.
    rowvar, bias, ddof, fweights, aweights
        As numpy.cov.

    Returns
    -------
    array
        The covariance matrix (a scalar array for one variable).

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.cov(np.array([1.0, 2.0, 3.0])))
    1.0
    """
    from .products import matmul  # noqa: PLC0415

    X = _variables(_matrix(m, "m"), rowvar)
    if y is not None:
        X = concatenate([X, _variables(_matrix(y, "y"), rowvar)], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    n = shape_of(X)[1]
    w = None
    if fweights is not None:
        w = np.asarray(getval(fweights), dtype=np.float64)
    if aweights is not None:
        aw = np.asarray(getval(aweights), dtype=np.float64)
        w = aw if w is None else w * aw
    if w is None:
        avg = sum(X, axis=1, keepdims=True) * (1.0 / n)
        fact = n - ddof
        Xc = X - avg
        c = matmul(Xc, Xc.T) * (1.0 / fact)
    else:
        w = w.astype(getval(X).dtype)
        w_sum = w.sum()
        avg = sum(X * w, axis=1, keepdims=True) * (1.0 / w_sum)
        if aweights is None:
            fact = w_sum - ddof
        else:
            fact = w_sum - ddof * np.sum(w * aw) / w_sum
        Xc = X - avg
        c = matmul(Xc * w, Xc.T) * (1.0 / fact)
    out = reshape(c, ()) if shape_of(c) == (1, 1) else c
    return out if dtype is None else astype(out, dtype)


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """numpy.corrcoef: cov / √(diag ⊗ diag).

    Parameters
    ----------
    x : array_like (traced or not)
        Variables and observations.
    y : array_like, optional
        More variables.
    rowvar : bool, optional
        Rows are variables.

    Returns
    -------
    array
        The correlation matrix.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> float(tnp.corrcoef(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 7.0]]))[0, 0])
    1.0
    """
    from .tensor import diagonal  # noqa: PLC0415

    c = cov(x, y, rowvar, dtype=dtype)
    if len(shape_of(c)) == 0:
        return c / c
    d = sqrt(diagonal(c))
    return c / reshape(d, (-1, 1)) / reshape(d, (1, -1))


# NaN-ignoring reductions -----------------------------------------------------------------------
def _nanfill(a, value):
    a = _float(a)
    mask = np.isnan(np.asarray(getval(a)))
    if not mask.any():
        return a, mask
    return _where(mask, value, a), mask


def _doc_nan(name, base):
    return (f"numpy.{name}: {base} of the non-NaN entries.\n\n"
            f"Parameters\n----------\na : array_like (traced or not)\n    Input.\n"
            f"axis : int or tuple of int, optional\n    Axes to reduce.\n"
            f"keepdims : bool, optional\n    Keep reduced axes.\n\n"
            f"Returns\n-------\narray\n    The reduction.\n\n"
            f"Examples\n--------\n>>> import numpy as np, taylorad.numpy as tnp\n"
            f">>> tnp.{name}(np.array([1.0, np.nan, 2.0])).shape\n()\n")


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=0, where=None):
    x, _ = _nanfill(a, 0.0)
    s = sum(x, axis=axis, keepdims=keepdims)
    return s + initial if initial else s


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=1, where=None):
    x, _ = _nanfill(a, 1.0)
    p = prod(x, axis=axis, keepdims=keepdims)
    return p * initial if initial != 1 else p


def _count(mask, axis, keepdims):
    return np.sum(~mask, axis=axis, keepdims=keepdims)


def _warn_if(cond, msg):
    """NumPy's RuntimeWarning for an empty or all-NaN slice (never a silent NaN)."""
    if np.any(cond):
        import warnings  # noqa: PLC0415

        warnings.warn(msg, RuntimeWarning, stacklevel=3)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    x, mask = _nanfill(a, 0.0)
    axes = normalize_axis(axis, len(shape_of(x)), "nanmean")
    cnt = _count(mask, axes, keepdims).astype(getval(x).dtype)
    _warn_if(cnt == 0, "Mean of empty slice")
    with np.errstate(invalid="ignore", divide="ignore"):
        return sum(x, axis=axes, keepdims=keepdims) * (1.0 / cnt)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
           mean=None, correction=None):
    if correction is not None:
        ddof = correction
    x, mask = _nanfill(a, 0.0)
    axes = normalize_axis(axis, len(shape_of(x)), "nanvar")
    cnt = _count(mask, axes, True).astype(getval(x).dtype)
    _warn_if(cnt - ddof <= 0, "Degrees of freedom <= 0 for slice.")
    with np.errstate(invalid="ignore", divide="ignore"):
        m = sum(x, axis=axes, keepdims=True) * (1.0 / cnt)
        d = _where(mask, 0.0, x - m) if mask.any() else x - m
        dof = np.maximum(cnt - ddof, 0)
        v = sum(d * d, axis=axes, keepdims=True) * (1.0 / dof)
    return v if keepdims else reshape(v, shape_of(sum(x, axis=axes)))


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
           mean=None, correction=None):
    return sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, correction=correction))


def _nanext(a, axis, keepdims, fill, op, fname):
    x, mask = _nanfill(a, fill)
    axes = normalize_axis(axis, len(shape_of(x)), fname)
    out = op(x, axes, keepdims)
    if mask.any():
        allnan = np.all(mask, axis=axes, keepdims=keepdims)
        _warn_if(allnan, "All-NaN slice encountered")
        if allnan.any():
            out = _where(allnan, np.nan, out)
    return out


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _nanext(a, axis, keepdims, -np.inf, amax, "nanmax")


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _nanext(a, axis, keepdims, np.inf, amin, "nanmin")


def nancumsum(a, axis=None, dtype=None, out=None):
    x, _ = _nanfill(a, 0.0)
    return cumsum(x, axis)


def nancumprod(a, axis=None, dtype=None, out=None):
    x, _ = _nanfill(a, 1.0)
    return cumprod(x, axis)


for _f, _base in [(nansum, "sum"), (nanprod, "product"), (nanmean, "mean"),
                  (nanvar, "variance"), (nanstd, "standard deviation"), (nanmax, "maximum"),
                  (nanmin, "minimum")]:
    _f.__doc__ = _doc_nan(_f.__name__, _base)
nancumsum.__doc__ = _doc_nan("nancumsum", "cumulative sum (NaN counts as 0)").replace(
    ").shape\n()", ").shape\n(3,)")
nancumprod.__doc__ = _doc_nan("nancumprod", "cumulative product (NaN counts as 1)").replace(
    ").shape\n()", ").shape\n(3,)")


# cumprod: a log-depth scan of multiplies (Hillis–Steele), exact with zeros -----------------------
def cumprod(a, axis=None, dtype=None, out=None):
    """numpy.cumprod (exact at zeros: a scan of products, never a division).

    Parameters
    ----------
    a : array_like (traced or not)
        Input.
    axis : int, optional
        The axis (None: flattened).

    Returns
    -------
    array
        Cumulative products.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.cumprod(np.array([1.0, 2.0, 3.0])).tolist()
    [1.0, 2.0, 6.0]
    """
    a = _arr(a)
    if axis is None:
        a, axis = reshape(a, (-1,)), 0
    if len(shape_of(a)) == 0:
        a = reshape(a, (1,))
    ax = normalize_axis(axis, len(shape_of(a)), "cumprod")[0]
    shape = shape_of(a)
    n = shape[ax]
    lead = (slice(None),) * ax
    y = a
    s = 1
    v = getval(a)
    while s < n:
        ones = array_namespace(v).ones(shape[:ax] + (s,) + shape[ax + 1:], dtype=v.dtype)
        shifted = concatenate([ones, getitem_p(y, idx=lead + (slice(0, n - s),))], axis=ax)
        y = y * shifted
        s *= 2
    return y if dtype is None else astype(y, dtype)


def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """numpy.cumulative_sum (array-API; ``include_initial`` prepends a zero).

    Parameters
    ----------
    x : array (traced or not)
        Input (1-D unless ``axis`` is given).
    axis : int, optional
        The axis.
    include_initial : bool, optional
        Prepend the sum of nothing (0).

    Returns
    -------
    array
        Cumulative sums.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.cumulative_sum(np.array([1.0, 2.0]), include_initial=True).tolist()
    [0.0, 1.0, 3.0]
    """
    return _cumulative(x, axis, include_initial, cumsum, 0.0, "cumulative_sum", dtype)


def cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """numpy.cumulative_prod (array-API; ``include_initial`` prepends a one).

    Parameters
    ----------
    x : array (traced or not)
        Input (1-D unless ``axis`` is given).
    axis : int, optional
        The axis.
    include_initial : bool, optional
        Prepend the product of nothing (1).

    Returns
    -------
    array
        Cumulative products.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.cumulative_prod(np.array([2.0, 3.0])).tolist()
    [2.0, 6.0]
    """
    return _cumulative(x, axis, include_initial, cumprod, 1.0, "cumulative_prod", dtype)


def _cumulative(x, axis, include_initial, fn, init, fname, dtype):
    x = _arr(x)
    nd = len(shape_of(x))
    if axis is None:
        if nd > 1:
            raise ValueError(f"taylorad.numpy.{fname}: axis must be given for arrays with more "
                             f"than one dimension")
        axis = 0
    if nd == 0:
        raise ValueError(f"taylorad.numpy.{fname}: the input must be at least 1-D")
    ax = normalize_axis(axis, nd, fname)[0]
    y = fn(x, ax)
    if include_initial:
        v = getval(y)
        s = shape_of(y)
        first = array_namespace(v).full(s[:ax] + (1,) + s[ax + 1:], init, dtype=v.dtype)
        y = concatenate([first, y], axis=ax)
    return y if dtype is None else astype(y, dtype)


def histogram_bin_edges(a, bins=10, range=None, weights=None):  # noqa: A002 - numpy's name
    """numpy.histogram_bin_edges for a number of bins: linspace(min a, max a, bins + 1).

    Parameters
    ----------
    a : array_like (traced or not)
        Data (flattened).
    bins : int or 1-D array
        Number of equal-width bins (edges move with min and max of ``a``), or the edges
        themselves (constants). Estimator names ('auto', …) are not supported.
    range : (float, float), optional
        Constant lower and upper edges.
    weights : array_like, optional
        Unused, as in NumPy.

    Returns
    -------
    array
        The bin edges.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.histogram_bin_edges(np.array([0.0, 1.0, 4.0]), 2).tolist()
    [0.0, 2.0, 4.0]
    """
    if isinstance(bins, str):
        raise TypeError("taylorad.numpy.histogram_bin_edges: bin estimators by name are not "
                        "supported — pass the number of bins or the edges")
    v = np.asarray(getval(a))
    if not isinstance(a, Box) or np.ndim(bins) == 1 or range is not None:
        return np.histogram_bin_edges(v, bins, range)
    from .polynomial import linspace  # noqa: PLC0415

    x = ravel_(a)
    lo, hi = amin(x), amax(x)
    if v.size == 0:
        lo, hi = 0.0, 1.0
    elif v.min() == v.max():  # numpy widens a degenerate range by 1/2 on each side
        lo, hi = lo - 0.5, hi + 0.5
    edges = linspace(lo, hi, int(bins) + 1)
    dt = v.dtype if v.dtype.kind == "f" else np.float64
    return astype(edges, dt)


def ravel_(a):
    return reshape(_arr(a), (-1,))


def _bin_index(v, ev):
    """The bin of each value of v for the edges ev (the last bin closed, as numpy's), and
    whether the value lies within the edges."""
    idx = np.searchsorted(ev, v, side="right") - 1
    idx = np.where(v == ev[-1], ev.size - 2, idx)
    return idx, (v >= ev[0]) & (v <= ev[-1])


def histogram(a, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """numpy.histogram: counts are piecewise constant in ``a`` (zero derivative); weighted sums
    are linear in ``weights``; the edges move with min and max of ``a``.

    Parameters
    ----------
    a : array_like (traced or not)
        Data (flattened).
    bins : int or 1-D array
        Number of equal-width bins, or the edges (constants).
    range : (float, float), optional
        Constant outer edges.
    density : bool, optional
        Normalize to a probability density (differentiable through the edges too).
    weights : array_like, optional
        One weight per entry of ``a`` (traced or not).

    Returns
    -------
    (array, array)
        The histogram and the bin edges.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.histogram(np.array([0.0, 1.0, 1.5, 4.0]), 2)[0].tolist()
    [3, 1]
    """
    from .calculus import diff  # noqa: PLC0415

    edges = histogram_bin_edges(a, bins, range)
    av = np.asarray(getval(a)).ravel()
    ev = np.asarray(getval(edges))
    traced = isinstance(edges, Box) or isinstance(weights, Box)
    if not traced:
        return np.histogram(av, ev, None, density,
                            None if weights is None else np.asarray(weights))
    nb = ev.size - 1
    idx, keep = _bin_index(av, ev)
    if weights is None:
        hist = np.bincount(idx[keep], minlength=nb).astype(np.intp)
    else:
        w = reshape(_arr(weights), (-1,))
        if shape_of(w) != av.shape:
            raise ValueError("taylorad.numpy.histogram: weights should have the same shape as a")
        w = getitem_p(w, idx=(keep,)) if not keep.all() else w
        if not isinstance(w, Box):
            hist = np.bincount(idx[keep], weights=np.asarray(w), minlength=nb)
        else:
            hist = index_add_p(w, idx=(idx[keep],), shape=(nb,))
    if density:
        db = diff(edges)
        total = sum(hist) if isinstance(hist, Box) else float(np.sum(hist))
        hist = hist / db / total
    return hist, edges


def histogramdd(sample, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """numpy.histogramdd: as ``histogram`` per dimension (counts: zero derivative; weighted sums
    linear in ``weights``; edges through each coordinate's min and max).

    Parameters
    ----------
    sample : (N, D) array or sequence of D arrays (traced or not)
        The points.
    bins : int, sequence of int, or sequence of edge arrays
        Per dimension.
    range : sequence of (float, float), optional
        Constant outer edges per dimension.
    density : bool, optional
        Normalize to a probability density.
    weights : (N,) array_like, optional
        Weights (traced or not).

    Returns
    -------
    (array, list of arrays)
        The histogram and the edges of each dimension.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.histogramdd(np.array([[0.0, 0.0], [1.0, 1.0]]), 2)[0].tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    if isinstance(sample, (list, tuple)):
        cols = [reshape(_arr(c), (-1,)) for c in sample]
    else:
        sample = _arr(sample)
        if len(shape_of(sample)) == 1:
            sample = reshape(sample, (-1, 1))
        cols = [getitem_p(sample, idx=(slice(None), d)) for d in np.arange(shape_of(sample)[1])]
    D = len(cols)
    if isinstance(bins, (int, np.integer)):
        bins = [int(bins)] * D
    if len(bins) != D:
        raise ValueError("taylorad.numpy.histogramdd: the dimension of bins must be equal to "
                         "the dimension of the sample x")
    ranges = [None] * D if range is None else list(range)
    edges = [histogram_bin_edges(c, b, r) for c, b, r in zip(cols, bins, ranges)]
    vals = [np.asarray(getval(c)) for c in cols]
    evs = [np.asarray(getval(e)) for e in edges]
    if not any(isinstance(e, Box) for e in edges) and not isinstance(weights, Box):
        h, _ = np.histogramdd(np.stack(vals, axis=-1) if vals else np.zeros((0, 0)), evs, None,
                              density, None if weights is None else np.asarray(weights))
        return h, list(edges)
    keep = np.ones(vals[0].shape, dtype=bool)
    idxs = []
    for v, ev in zip(vals, evs):
        idx, inside = _bin_index(v, ev)
        idxs.append(idx)
        keep &= inside
    shape = tuple(ev.size - 1 for ev in evs)
    where_ = tuple(i[keep] for i in idxs)
    dt = np.result_type(*[ev.dtype for ev in evs], np.float64 if weights is None else
                        getval(weights).dtype)
    if isinstance(weights, Box):
        w = reshape(weights, (-1,))
        w = getitem_p(w, idx=(keep,)) if not keep.all() else w
        hist = index_add_p(w, idx=where_, shape=shape)
    else:
        hist = np.zeros(shape, dtype=dt)
        np.add.at(hist, where_, 1.0 if weights is None else np.asarray(weights).ravel()[keep])
    if density:
        from .calculus import diff  # noqa: PLC0415

        vol = None
        for d, e in enumerate(edges):
            de = reshape(diff(e), tuple(-1 if i == d else 1 for i in np.arange(D)))
            vol = de if vol is None else vol * de
        total = sum(hist) if isinstance(hist, Box) else float(np.sum(hist))
        hist = hist / vol / total
    return hist, list(edges)


def histogram2d(x, y, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """numpy.histogram2d: ``histogramdd`` of the points (x, y).

    Parameters
    ----------
    x, y : array_like (traced or not)
        Coordinates.
    bins : int, [int, int], array or [array, array]
        As numpy.histogram2d.
    range : [[xmin, xmax], [ymin, ymax]], optional
        Constant outer edges.
    density : bool, optional
        Normalize to a probability density.
    weights : array_like, optional
        Weights (traced or not).

    Returns
    -------
    (array, array, array)
        The histogram and the x and y edges.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.histogram2d(np.array([0.0, 1.0]), np.array([0.0, 1.0]), 2)[0].tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    try:
        n = len(bins)
    except TypeError:
        n = 1
    if n != 1 and n != 2:
        bins = [bins, bins]  # one array of edges for both
    elif n == 1 and not isinstance(bins, (int, np.integer)):
        bins = [bins[0], bins[0]]
    h, edges = histogramdd([x, y], bins, range, density, weights)
    return h, edges[0], edges[1]
