"""Adapters that hand taylorad's derivatives to ``scipy.optimize``.

scipy silently ignores ``hessp`` when ``hess`` is also given, and accepts a LinearOperator
``hess`` only in Newton-CG and trust-constr (OPTIMIZE.md §3), so ``scipy_callables`` returns
exactly one of them: ``hessp`` for the HVP methods, a dense ``hess`` for trust-exact and dogleg.
"""
import numpy as np

from .. import api as _api
from ..core.backend import compute as _compute
from ._minimize import METHODS, minimize
from ._objective import (
    _check_x0,
    _scalar_of,
    fused_value_grad_hessian,
    fused_value_grad_hvp,
)

__all__ = ["hessian_operator", "scipy_callables", "scipy_method"]

_HESSP = ("newton-cg", "trust-ncg", "trust-krylov", "trust-constr")
_HESS = ("trust-exact", "dogleg")
_FIRST = ("bfgs", "l-bfgs-b", "cg", "tnc", "slsqp", "cobyla", "cobyqa", "nelder-mead", "powell")


class _Cache:
    """f and g of the last x, so scipy's separate fun/jac calls cost one reverse pass."""

    def __init__(self, fun, args):
        self.fun, self.args = fun, args
        self.last = None  # (x, f, g), replaced whole: threads sharing the callables never mix
        self.passes = 0  # taylorad passes actually run (for tests and curiosity)

    def _scalar_fun(self, args):
        return lambda x: _scalar_of(self.fun(x, *args), "scipy_callables")

    def _store(self, x, f, g):
        self.last = (np.array(x, copy=True), float(f), g)

    def fg(self, x, args):
        last = self.last
        if last is not None and last[0].shape == x.shape and np.array_equal(last[0], x):
            return last[1], last[2]
        self.passes += 1
        f, g = _compute(*_api.value_and_grad(self._scalar_fun(args))(x))  # Dask: one pass
        self._store(x, f, g)
        return float(f), g

    def hessp(self, x, p, args):
        self.passes += 1
        f, (g,), (hv,) = fused_value_grad_hvp(self._scalar_fun(args), [x], "*",
                                              [np.asarray(p, dtype=x.dtype)])
        f, g, hv = _compute(f, g, hv)
        self._store(x, f, g)
        return hv

    def hess(self, x, args):
        self.passes += 1
        f, (g,), H = fused_value_grad_hessian(self._scalar_fun(args), [x], "*")
        f, g, H = _compute(f, g, H)
        self._store(x, f, g)
        return 0.5 * (H + H.T)


def scipy_callables(fun, method="trust-krylov", args=()):
    """``fun``, ``jac`` and one of ``hessp``/``hess`` for ``scipy.optimize.minimize``.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> scalar``, written with ``taylorad.numpy``.
    method : str
        The scipy method the callables are for (case-insensitive): a ``hessp`` (one
        forward-over-reverse pass per product) for Newton-CG, trust-ncg, trust-krylov and
        trust-constr; a dense ``hess`` (one batched pass) for trust-exact and dogleg; only
        ``fun`` and ``jac`` for first-order methods.
    args : tuple
        Bound extra arguments; scipy's own ``args=`` are passed through as well.

    Returns
    -------
    dict
        Keys ``fun``, ``jac`` and possibly ``hessp`` or ``hess``. f and g are cached per x, and
        every Hessian pass refreshes them, so scipy's separate fun/jac calls at one point cost
        one pass.

    Examples
    --------
    >>> import numpy as np, scipy.optimize, taylorad.numpy as tnp
    >>> from taylorad.optimize import scipy_callables
    >>> f = lambda x: tnp.sum((x - 1.0) ** 2) + tnp.sum(x[1:] * x[:-1])
    >>> res = scipy.optimize.minimize(**scipy_callables(f, "trust-krylov"), x0=np.zeros(3),
    ...                               method="trust-krylov")
    >>> res.success, np.allclose(res.x, [1.0, 0.0, 1.0], atol=1e-6)
    (True, True)
    """
    if not callable(fun):
        raise TypeError(f"scipy_callables: fun must be callable, got {type(fun).__name__}")
    if not isinstance(method, str):
        raise TypeError(f"scipy_callables: method must be a scipy method name, got {method!r}")
    m = method.lower()
    if m not in _HESSP + _HESS + _FIRST:
        raise ValueError(f"scipy_callables: unknown scipy method {method!r} — use one of "
                         f"{', '.join(_HESSP + _HESS + _FIRST)}")
    bound = args if isinstance(args, tuple) else (args,)
    cache = _Cache(fun, bound)

    def f(x, *a):
        return cache.fg(x, bound + a)[0]

    def jac(x, *a):
        return cache.fg(x, bound + a)[1]

    out = {"fun": f, "jac": jac}
    if m in _HESSP:
        out["hessp"] = lambda x, p, *a: cache.hessp(x, p, bound + a)
    elif m in _HESS:
        out["hess"] = lambda x, *a: cache.hess(x, bound + a)
    f._taylorad_cache = cache
    return out


def hessian_operator(fun, x, args=()):
    """The Hessian of scalar ``fun`` at ``x`` as a ``scipy.sparse.linalg.LinearOperator``.

    Each ``matvec`` is one forward-over-reverse pass; the operator is symmetric, so ``rmatvec``
    is the same product. Use it with Newton-CG or trust-constr (``hess=``) or with
    ``scipy.sparse.linalg.cg``/``minres``/``eigsh``.

    Parameters
    ----------
    fun : callable
        Scalar function ``fun(x, *args)`` of a 1-D array.
    x : array
        The point.
    args : tuple
        Extra arguments of ``fun``.

    Returns
    -------
    scipy.sparse.linalg.LinearOperator
        Shape ``(n, n)``.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> from taylorad.optimize import hessian_operator
    >>> f = lambda x: tnp.sum((x - 1.0) ** 2) + tnp.sum(x[1:] * x[:-1])
    >>> H = hessian_operator(f, np.zeros(3))
    >>> H.shape, H @ np.array([1.0, 0.0, 0.0])
    ((3, 3), array([2., 1., 0.]))
    """
    from scipy.sparse.linalg import LinearOperator

    leaves, _ = _check_x0(x, "hessian_operator")
    if len(leaves) != 1:
        raise TypeError("hessian_operator: x must be a single array (scipy's operators act on "
                        "flat vectors); flatten a pytree first")
    x = leaves[0]
    shape, n = tuple(x.shape), int(x.size)
    args = args if isinstance(args, tuple) else (args,)

    def fx(y):
        return _scalar_of(fun(y, *args), "hessian_operator")

    def mv(v):
        v = np.asarray(v, dtype=x.dtype).reshape(shape)
        _, _, (hv,) = fused_value_grad_hvp(fx, [x], "*", [v])
        return np.asarray(hv).reshape(-1)

    return LinearOperator((n, n), matvec=mv, rmatvec=mv, dtype=x.dtype)


def scipy_method(name="trust-krylov", **defaults):
    """A callable for ``scipy.optimize.minimize(..., method=scipy_method('trust-krylov'))``.

    scipy calls it with ``(fun, x0, args, jac, hess, hessp, bounds, constraints, callback,
    **options)``; taylorad's ``minimize`` runs with the given derivatives (or its own when they
    are None). Bounds and constraints are not supported and raise ValueError.

    Parameters
    ----------
    name : str
        One of ``taylorad.optimize.METHODS``.
    **defaults
        Options of :func:`taylorad.optimize.minimize` (``gtol``, ``maxiter`` …).

    Returns
    -------
    callable
        A custom ``method=`` for ``scipy.optimize.minimize``.

    Examples
    --------
    >>> import numpy as np, scipy.optimize, taylorad.numpy as tnp
    >>> from taylorad.optimize import scipy_method
    >>> f = lambda x: tnp.sum((x - 1.0) ** 2) + tnp.sum(x[1:] * x[:-1])
    >>> res = scipy.optimize.minimize(f, np.zeros(3), method=scipy_method("newton-cg"))
    >>> res.success, np.allclose(res.x, [1.0, 0.0, 1.0], atol=1e-6)
    (True, True)
    """
    if not isinstance(name, str) or name.lower() not in METHODS:
        raise ValueError(f"scipy_method: unknown method {name!r} — use one of "
                         f"{', '.join(map(repr, METHODS))}")

    def method(fun, x0, args=(), jac=None, hess=None, hessp=None, bounds=None,
               constraints=(), callback=None, **options):
        if bounds is not None or constraints:
            raise ValueError(f"taylorad {name}: bounds and constraints are not supported — use "
                             f"scipy's trust-constr with scipy_callables(f, 'trust-constr')")
        jac = None if jac is False or (isinstance(jac, str)) else jac
        return minimize(fun, x0, name, args=args, jac=jac, hess=hess, hessp=hessp,
                        callback=callback, options={**defaults, **options})

    method.__name__ = f"taylorad_{name.replace('-', '_')}"
    return method
