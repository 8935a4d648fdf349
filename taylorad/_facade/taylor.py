"""``ops.jet`` and ``ops.derivative`` with MindSpore's conventions (MINDSPORE.md §6).

``series[k]`` is the (k+1)-th *derivative* of the input path (not a normalized coefficient);
row k of the output series is the (k+1)-th derivative of ``fn`` along it. Both map onto
``taylorad.jet`` (one Taylor pass of order K).
"""
import numpy as np

from .. import api
from ..core.trace import getval
from .grad import _to_data
from .tensor import Tensor, wrap

__all__ = ["jet", "derivative"]


def _float_data(t, fname, what):
    if not isinstance(t, Tensor):
        raise TypeError(f"{fname}: {what} must be a Tensor (or a tuple of Tensors), got "
                        f"{type(t).__name__}")
    v = t._data
    if np.dtype(getval(v).dtype).kind not in "fc":  # int primals are cast to float (doc)
        from .. import numpy as tnp  # noqa: PLC0415

        v = tnp.astype(v, np.float32)
    return v


def _run(fn, xs, series, fname):
    def f(*arrays):
        return _to_data(fn(*(Tensor._wrap(a) for a in arrays)), fname)

    return api.jet(f, tuple(xs), tuple(tuple(s) for s in series))


def jet(fn, primals, series):
    """``(out_primal, out_series)``: the first K derivatives of ``fn`` along the input path whose
    derivatives are ``series`` (shape ``(K, *primal.shape)``; tuples for several inputs).

    Parameters
    ----------
    fn : callable
        The function of Tensors.
    primals : Tensor or tuple of Tensors
        The path's value at t = 0.
    series : Tensor or tuple of Tensors
        The path's derivatives 1..K at t = 0, stacked along a leading axis.

    Returns
    -------
    out_primal, out_series : Tensor
        ``fn(primals)`` and the output path's derivatives 1..K (leading axis K), from one Taylor
        pass.

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.ops as ops
    >>> from taylorad import Tensor
    >>> x = Tensor(np.array([0.0], np.float32))
    >>> series = Tensor(np.array([[1.0], [0.0], [0.0]], np.float32))   # the path x + t
    >>> out, derivs = ops.jet(ops.sin, x, series)
    >>> derivs.asnumpy().ravel()                                      # sin′, sin″, sin‴ at 0
    array([ 1.,  0., -1.], dtype=float32)
    """
    fname = "jet"
    multi = isinstance(primals, (tuple, list))
    ps = tuple(primals) if multi else (primals,)
    ss = tuple(series) if multi else (series,)
    if multi != isinstance(series, (tuple, list)) or len(ps) != len(ss):
        raise ValueError(f"{fname}: give one series per primal (both Tensors, or tuples of the "
                         f"same length)")
    xs = [_float_data(p, fname, "primals") for p in ps]
    rows = []
    for k, (x, s) in enumerate(zip(xs, ss)):
        sv = _float_data(s, fname, "series")
        xshape, sshape = tuple(getval(x).shape), tuple(getval(sv).shape)
        if sshape[1:] != xshape:
            raise ValueError(f"{fname}: series[{k}] must have shape (order, *primal.shape) = "
                             f"(K, {', '.join(map(str, xshape))}), got {sshape}")
        sv = sv.astype(getval(x).dtype) if hasattr(sv, "astype") else sv
        rows.append([sv[i] for i in range(sshape[0])])
    out, terms = _run(fn, xs, rows, fname)
    out_leaves = out if isinstance(out, tuple) else (out,)
    stacked = []
    for j in range(len(out_leaves)):
        col = [t[j] if isinstance(out, tuple) else t for t in terms]
        stacked.append(np.stack([getval(c) for c in col]) if all(
            not hasattr(c, "_trace") for c in col) else __import__(
                "taylorad.numpy", fromlist=["stack"]).stack(col))
    res = tuple(stacked) if isinstance(out, tuple) else stacked[0]
    return wrap(out), wrap(res)


def derivative(fn, primals, order):
    """``(out, d^order/dt^order fn(x + t))``: jet with series (1, 0, …, 0); for a multi-output
    ``fn`` both results are lists of Tensors.

    Parameters
    ----------
    fn : callable
        The function of Tensors.
    primals : Tensor or tuple of Tensors
        The point x.
    order : int
        The derivative order (any order ≥ 1, one Taylor pass).

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.ops as ops
    >>> from taylorad import Tensor
    >>> out, d3 = ops.derivative(ops.sin, Tensor(np.array([0.0], np.float32)), 3)
    >>> d3.asnumpy()
    array([-1.], dtype=float32)
    """
    fname = "derivative"
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"{fname}: order must be a positive int, got {order!r}")
    multi = isinstance(primals, (tuple, list))
    ps = tuple(primals) if multi else (primals,)
    xs = [_float_data(p, fname, "primals") for p in ps]
    rows = []
    for x in xs:
        v = getval(x)
        one = np.ones_like(v) if type(v).__module__.startswith("numpy") else v * 0 + 1
        rows.append([one] + [one * 0 for _ in range(order - 1)])
    out, terms = _run(fn, xs, rows, fname)
    if isinstance(out, tuple):
        return [Tensor._wrap(o) for o in out], [Tensor._wrap(t) for t in terms[-1]]
    return Tensor._wrap(out), Tensor._wrap(terms[-1])
