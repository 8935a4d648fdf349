"""Polynomials (numpy's poly1d-free functions) and ranges: polyval, polyadd, polysub, polymul,
polyder, polyint, polydiv, poly, vander; linspace, logspace, geomspace, arange, full, full_like.

Compositions of primitives: coefficients and evaluation points may both be traced. The ranges are
differentiable with respect to their end points (linspace = start + (stop − start)·t).
"""
import numpy as np

from ..core.trace import Box, getval
from ._util import array_namespace, shape_of
from ._util import as_array as _arr
from .calculus import convolve
from .shape import astype, broadcast_to, concatenate, getitem_p, reshape, stack
from .tensor import pad
from .transcendental import exp, log

__all__ = ["polyval", "polyadd", "polysub", "polymul", "polyder", "polyint", "polydiv", "poly",
           "vander", "linspace", "logspace", "geomspace", "arange", "full", "full_like"]


def _vec(p, fname):
    p = _arr(p)
    if len(shape_of(p)) != 1:
        raise ValueError(f"taylorad.numpy.{fname}: coefficients must be a 1-D sequence")
    if getval(p).dtype.kind not in "fc":
        p = astype(p, np.float64)
    return p


def polyval(p, x):
    """numpy.polyval: Horner's scheme (coefficients highest power first).

    Parameters
    ----------
    p : 1-D array_like (traced or not)
        Coefficients.
    x : array_like (traced or not)
        Points.

    Returns
    -------
    array
        p(x).

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> float(tnp.polyval([1.0, 0.0, -1.0], 3.0))
    8.0
    """
    p = _vec(p, "polyval")
    x = _arr(x)
    y = x * 0.0
    for i in range(shape_of(p)[0]):
        y = y * x + getitem_p(p, idx=(i,))
    return y


def _aligned(a1, a2, fname):
    a1, a2 = _vec(a1, fname), _vec(a2, fname)
    n1, n2 = shape_of(a1)[0], shape_of(a2)[0]
    if n1 < n2:
        a1 = pad(a1, (n2 - n1, 0))
    elif n2 < n1:
        a2 = pad(a2, (n1 - n2, 0))
    return a1, a2


def polyadd(a1, a2):
    """numpy.polyadd.

    Parameters
    ----------
    a1, a2 : 1-D array_like (traced or not)
        Coefficients.

    Returns
    -------
    array
        The sum's coefficients.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.polyadd([1.0, 2.0], [1.0]).tolist()
    [1.0, 3.0]
    """
    a1, a2 = _aligned(a1, a2, "polyadd")
    return a1 + a2


def polysub(a1, a2):
    """numpy.polysub.

    Parameters
    ----------
    a1, a2 : 1-D array_like (traced or not)
        Coefficients.

    Returns
    -------
    array
        The difference's coefficients.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.polysub([1.0, 2.0], [1.0]).tolist()
    [1.0, 1.0]
    """
    a1, a2 = _aligned(a1, a2, "polysub")
    return a1 - a2


def polymul(a1, a2):
    """numpy.polymul: the convolution of the coefficients.

    Parameters
    ----------
    a1, a2 : 1-D array_like (traced or not)
        Coefficients.

    Returns
    -------
    array
        The product's coefficients.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.polymul([1.0, 1.0], [1.0, -1.0]).tolist()
    [1.0, 0.0, -1.0]
    """
    return convolve(_lead_trimmed(_vec(a1, "polymul")), _lead_trimmed(_vec(a2, "polymul")))


def _lead_trimmed(p):
    """numpy.poly1d's normalization: leading zero coefficients (of the values) dropped."""
    nz = np.flatnonzero(np.asarray(getval(p)) != 0)
    if nz.size == 0:
        return getitem_p(p, idx=(slice(0, 1),)) * 0.0
    return getitem_p(p, idx=(slice(int(nz[0]), None),)) if nz[0] else p


def polyder(p, m=1):
    """numpy.polyder: the m-th derivative's coefficients.

    Parameters
    ----------
    p : 1-D array_like (traced or not)
        Coefficients.
    m : int, optional
        Order.

    Returns
    -------
    array
        Coefficients of the derivative.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.polyder([1.0, 1.0, 1.0]).tolist()
    [2.0, 1.0]
    """
    p = _vec(p, "polyder")
    for _ in range(int(m)):
        n = shape_of(p)[0] - 1
        if n <= 0:
            return np.zeros(1, dtype=getval(p).dtype)
        p = getitem_p(p, idx=(slice(0, n),)) * np.arange(n, 0, -1).astype(getval(p).dtype)
    return p


def polyint(p, m=1, k=None):
    """numpy.polyint: the m-th antiderivative (integration constants ``k``, default 0).

    Parameters
    ----------
    p : 1-D array_like (traced or not)
        Coefficients.
    m : int, optional
        Order.
    k : scalar or list, optional
        Integration constants (constants or traced).

    Returns
    -------
    array
        Coefficients of the antiderivative.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.polyint([3.0, 0.0]).tolist()
    [1.5, 0.0, 0.0]
    """
    p = _vec(p, "polyint")
    m = int(m)
    ks = [0.0] * m if k is None else (list(k) if isinstance(k, (list, tuple)) or
                                       np.ndim(getval(k)) else [k] * m)
    if len(ks) != m:
        raise ValueError("taylorad.numpy.polyint: k must be a scalar or a sequence of length m")
    for i in range(m):
        n = shape_of(p)[0]
        q = p * (1.0 / np.arange(n, 0, -1)).astype(getval(p).dtype)
        kk = reshape(astype(_arr(ks[i]), getval(p).dtype), (1,))
        p = concatenate([q, kk], axis=0)
    return p


def polydiv(u, v):
    """numpy.polydiv: quotient and remainder by long division (v's leading coefficient ≠ 0).

    Parameters
    ----------
    u, v : 1-D array_like (traced or not)
        Dividend and divisor coefficients.

    Returns
    -------
    (array, array)
        Quotient and remainder coefficients.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> [c.tolist() for c in tnp.polydiv([1.0, 0.0, -1.0], [1.0, -1.0])]
    [[1.0, 1.0], [0.0]]
    """
    u, v = _vec(u, "polydiv"), _vec(v, "polydiv")
    m, n = shape_of(u)[0] - 1, shape_of(v)[0] - 1
    scale = 1.0 / getitem_p(v, idx=(0,))
    r = [getitem_p(u, idx=(i,)) for i in range(m + 1)]
    q = []
    for k in range(max(m - n + 1, 0)):
        d = scale * r[k]
        q.append(d)
        for j in range(n + 1):
            r[k + j] = r[k + j] - d * getitem_p(v, idx=(j,))
    if not q:
        q = [u[0] * 0.0]
    rem = r[max(m - n + 1, 0):]
    # numpy trims leading (numerically) zero remainder coefficients
    rv = np.asarray([float(getval(t)) for t in rem]) if rem else np.zeros(0)
    lead = 0
    while lead < len(rv) - 1 and np.allclose(rv[lead], 0, rtol=1e-14, atol=0):
        lead += 1
    rem = rem[lead:] if rem else [u[0] * 0.0]
    return stack(q), stack(rem)


def poly(seq_of_zeros):
    """numpy.poly of a 1-D sequence of real roots: the coefficients of Π (x − rᵢ).

    Parameters
    ----------
    seq_of_zeros : 1-D array_like (traced or not)
        Real roots (a square matrix's characteristic polynomial is not supported).

    Returns
    -------
    array
        Coefficients, leading 1.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.poly([1.0, 2.0]).tolist()
    [1.0, -3.0, 2.0]
    """
    r = _arr(seq_of_zeros)
    if len(shape_of(r)) != 1:
        raise ValueError("taylorad.numpy.poly: only a 1-D sequence of roots is supported (the "
                         "characteristic polynomial of a matrix needs eigenvalues)")
    r = _vec(r, "poly")
    c = one = np.ones(1, dtype=getval(r).dtype)
    for i in range(shape_of(r)[0]):
        c = convolve(c, concatenate([one, -reshape(getitem_p(r, idx=(i,)), (1,))], axis=0))
    return c


def vander(x, N=None, increasing=False):
    """numpy.vander: columns are powers of x (repeated products).

    Parameters
    ----------
    x : 1-D array_like (traced or not)
        Points.
    N : int, optional
        Number of columns (default len(x)).
    increasing : bool, optional
        Powers increase left to right.

    Returns
    -------
    array
        The Vandermonde matrix.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.vander([2.0, 3.0]).tolist()
    [[2.0, 1.0], [3.0, 1.0]]
    """
    x = _arr(x)
    if len(shape_of(x)) != 1:
        raise ValueError("taylorad.numpy.vander: x must be a one-dimensional array or sequence")
    n = shape_of(x)[0]
    N = n if N is None else int(N)
    v = getval(x)
    cols = []
    cur = array_namespace(v).ones((n,), dtype=np.result_type(v.dtype, np.int8))
    for _ in range(N):
        cols.append(cur)
        cur = cur * x
    if not increasing:
        cols = cols[::-1]
    if not cols:
        return np.zeros((n, 0), dtype=v.dtype)
    cols = [c if isinstance(c, Box) else broadcast_to(c, (n,)) for c in cols]
    return stack([astype(c, getval(cols[-1]).dtype) if isinstance(c, Box) else c for c in cols],
                 axis=1)


# ranges ------------------------------------------------------------------------------------------
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    """numpy.linspace: start + (stop − start)·t (differentiable in start and stop).

    Parameters
    ----------
    start, stop : array_like (traced or not)
        End points.
    num : int, optional
        Number of samples.
    endpoint : bool, optional
        Include ``stop``.
    retstep : bool, optional
        Also return the step.
    dtype : dtype, optional
        Output type.
    axis : int, optional
        Where the samples go when start/stop are arrays.

    Returns
    -------
    array (and step)
        The samples.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.linspace(0.0, 1.0, 3).tolist()
    [0.0, 0.5, 1.0]
    """
    if not isinstance(start, Box) and not isinstance(stop, Box):
        return np.linspace(start, stop, num, endpoint, retstep, dtype, axis)
    num = int(num)
    if num < 0:
        raise ValueError(f"taylorad.numpy.linspace: number of samples, {num}, must be "
                         f"non-negative")
    start, stop = _arr(start), _arr(stop)
    div = (num - 1) if endpoint else num
    t = np.arange(num, dtype=np.float64) / (div if div > 0 else 1)
    shape = np.broadcast_shapes(shape_of(start), shape_of(stop))
    dt = np.result_type(getval(start).dtype, getval(stop).dtype, np.float16)
    t = t.astype(dt).reshape((num,) + (1,) * len(shape))
    step = (stop - start) * (1.0 / div) if div > 0 else (stop - start) * np.nan
    y = reshape(start, (1,) + shape) + reshape(stop - start, (1,) + shape) * t
    if endpoint and num > 1:
        y = concatenate([getitem_p(y, idx=(slice(0, num - 1),)),
                         reshape(broadcast_to(stop, shape), (1,) + shape)], axis=0)
    if axis != 0 and shape:
        from .shape import moveaxis  # noqa: PLC0415

        y = moveaxis(y, 0, axis)
    if dtype is not None:
        y = astype(y, dtype)
    return (y, step) if retstep else y


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """numpy.logspace: base ** linspace(start, stop).

    Parameters
    ----------
    start, stop : array_like (traced or not)
        Exponents of the end points.
    num : int, optional
        Number of samples.
    endpoint : bool, optional
        Include ``base**stop``.
    base : float, optional
        The base.
    dtype : dtype, optional
        Output type.
    axis : int, optional
        Sample axis.

    Returns
    -------
    array
        The samples.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.logspace(0.0, 2.0, 3).tolist()
    [1.0, 10.0, 100.0]
    """
    if not isinstance(start, Box) and not isinstance(stop, Box):
        return np.logspace(start, stop, num, endpoint, base, dtype, axis)
    y = exp(linspace(start, stop, num, endpoint, axis=axis) * float(np.log(base)))
    return y if dtype is None else astype(y, dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """numpy.geomspace for real end points of one sign: exp(linspace(log|start|, log|stop|)).

    Parameters
    ----------
    start, stop : array_like (traced or not)
        End points (same sign, nonzero).
    num : int, optional
        Number of samples.
    endpoint : bool, optional
        Include ``stop``.
    dtype : dtype, optional
        Output type.
    axis : int, optional
        Sample axis.

    Returns
    -------
    array
        The samples.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.geomspace(1.0, 100.0, 3).tolist()
    [1.0, 10.0, 100.0]
    """
    if not isinstance(start, Box) and not isinstance(stop, Box):
        return np.geomspace(start, stop, num, endpoint, dtype, axis)
    s0, s1 = np.asarray(getval(start)), np.asarray(getval(stop))
    if np.any(s0 == 0) or np.any(s1 == 0):
        raise ValueError("taylorad.numpy.geomspace: geometric sequence cannot include zero")
    if np.any(np.sign(s0) != np.sign(s1)):
        raise ValueError("taylorad.numpy.geomspace: start and stop must have the same sign "
                         "(complex results are not supported)")
    sign = np.sign(s0)
    y = exp(linspace(log(_arr(start) * sign), log(_arr(stop) * sign), num, endpoint, axis=axis))
    y = y * np.expand_dims(sign, axis)  # the sample axis sits at ``axis``
    return y if dtype is None else astype(y, dtype)


def arange(start, stop=None, step=None, dtype=None, *, device=None, like=None):
    """numpy.arange: start + step·i (differentiable in start and step).

    Parameters
    ----------
    start, stop, step : scalars (traced or not)
        As numpy.arange; the number of samples is computed from the values.
    dtype : dtype, optional
        Output type.

    Returns
    -------
    array
        The range.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.arange(3).tolist()
    [0, 1, 2]
    """
    if not any(isinstance(v, Box) for v in (start, stop, step)):
        kw = {} if like is None else {"like": like}
        if stop is None:
            return np.arange(start, step=step, dtype=dtype, **kw) if step is not None else \
                np.arange(start, dtype=dtype, **kw)
        return np.arange(start, stop, step, dtype=dtype, **kw)
    if stop is None:
        start, stop = 0.0, start
    step = 1.0 if step is None else step
    n = len(np.arange(float(getval(start)), float(getval(stop)), float(getval(step))))
    i = np.arange(n, dtype=np.float64)
    y = _arr(start) + _arr(step) * i
    return y if dtype is None else astype(y, dtype)


def full(shape, fill_value, dtype=None, order="C", **kwargs):
    """numpy.full: ``fill_value`` (traced or not) broadcast to ``shape``.

    Parameters
    ----------
    shape : int or tuple of int
        The shape.
    fill_value : scalar or array (traced or not)
        The value.
    dtype : dtype, optional
        Output type.

    Returns
    -------
    array
        The filled array.

    Examples
    --------
    >>> import taylorad.numpy as tnp
    >>> tnp.full(2, 1.5).tolist()
    [1.5, 1.5]
    """
    if not isinstance(fill_value, Box):
        return np.full(shape, fill_value, dtype=dtype, order=order)
    shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(s) for s in shape)
    y = broadcast_to(fill_value, shape)
    return y if dtype is None else astype(y, dtype)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kwargs):
    """numpy.full_like: ``fill_value`` (traced or not) shaped like ``a`` (a constant shape).

    Parameters
    ----------
    a : array_like (traced or not)
        Gives the shape and dtype; its values are not used.
    fill_value : scalar or array (traced or not)
        The value.
    dtype : dtype, optional
        Output type (default a's).
    shape : tuple of int, optional
        Overrides a's shape.

    Returns
    -------
    array
        The filled array.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> tnp.full_like(np.zeros(2), 3.0).tolist()
    [3.0, 3.0]
    """
    v = getval(a)
    dt = getattr(v, "dtype", np.float64) if dtype is None else dtype
    shp = shape_of(v) if shape is None else shape
    if not isinstance(fill_value, Box):
        return np.full(shp, getval(fill_value), dtype=dt)
    return astype(full(shp, fill_value), dt)
