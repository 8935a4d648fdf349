"""The objective as the solvers see it: a flat vector, counted and cached evaluations.

The solvers work on one flat vector ``z`` in the array namespace ``xp`` of ``x0`` (numpy or
cupy); ``_Objective`` maps it to the user's pytree and back. Derivatives come from the user's
callables when given (scipy semantics: user callables win), otherwise from taylorad:

* ``fg(z)``       f and g from one reverse pass;
* ``hvp(z, v)``   H·v from one forward-over-reverse pass (an order-1 Taylor level carried through
                  the gradient computation), which yields f and g at the same time;
* ``fgh(z)``      f, g and the dense H from ONE batched forward-over-reverse pass: the n unit
                  directions ride along as a batch axis of the Taylor coefficients, so the primal
                  forward and backward passes are computed once for all Hessian columns.

Counters follow scipy: ``nfev`` calls of ``fun`` (traced or not), ``njev`` gradients, ``nhev``
Hessian-vector products or dense Hessian builds.

Dask data among ``args``: the parameters stay NumPy on the client and every evaluation above
builds ONE lazy graph for all its results (f, g and Hv or H are Dask arrays that share the
pass over the data chunks), computed by ONE ``dask.compute`` (``_done``): one pass over the
data per evaluation, never one per primitive, and nothing data-sized comes back to the client.
``npass`` counts those passes and ``pass_time`` their wall time.
"""
import math
import numbers
import time

import numpy as np

from .. import api as _api
from .._lazy import compute as _compute
from ..core import backend
from ..core.taylor import TaylorBox, TaylorTrace
from ..core.trace import getval
from ..core.tree import tree_flatten, tree_unflatten
from ..numpy._util import array_namespace

__all__ = ["_Objective", "fused_value_grad_hessian", "fused_value_grad_hvp", "namespace_of"]


def namespace_of(leaves):
    return array_namespace(*leaves)


def _check_x0(x0, fname):
    leaves, td = tree_flatten(x0)
    if not leaves:
        raise TypeError(f"{fname}: x0 has no arrays — pass a float array (or a tuple/list/dict "
                        f"of float arrays) as the starting point")
    out = []
    for leaf in leaves:
        if isinstance(leaf, (str, bytes)) or leaf is None:
            raise TypeError(f"{fname}: x0 contains a {type(leaf).__name__}; pass a float array "
                            f"(or a tuple/list/dict of float arrays)")
        if isinstance(leaf, bool) or (isinstance(leaf, numbers.Number)
                                      and not isinstance(leaf, (float, np.floating))):
            raise TypeError(f"{fname}: x0 contains the {type(leaf).__name__} {leaf!r}; the "
                            f"starting point must be floating point — write e.g. 1.0, or use "
                            f"x0.astype(np.float64)")
        if not hasattr(leaf, "dtype"):
            try:
                leaf = np.asarray(leaf)
            except Exception:  # noqa: BLE001
                raise TypeError(f"{fname}: x0 is a {type(leaf).__name__}, not an array; pass a "
                                f"numpy or cupy float array") from None
        if backend.is_dask(leaf):
            raise TypeError(f"{fname}: x0 is a Dask array — the parameters stay NumPy on the "
                            f"client (the solver's steps are small dense linear algebra): pass "
                            f"x0.compute(), and the Dask data through args=(X, y, ...)")
        kind = np.dtype(leaf.dtype).kind
        if kind == "c":
            raise TypeError(f"{fname}: x0 is complex; minimize works on real floating-point "
                            f"arrays — split real and imaginary parts into two arrays")
        if kind != "f":
            raise TypeError(f"{fname}: x0 has dtype {leaf.dtype}; the starting point must be "
                            f"floating point — use x0.astype(np.float64)")
        out.append(leaf)
    mods = {type(a).__module__.split(".")[0] for a in out} & {"numpy", "cupy"}
    if len(mods) > 1:
        raise TypeError(f"{fname}: x0 mixes numpy and cupy arrays — move them to one device")
    return out, td


def _scalar_of(out, fname):
    """Check that ``fun`` returned a real scalar (traced or not); return it unchanged."""
    v = getval(out)
    shape = tuple(getattr(v, "shape", ()))
    if shape != () and math.prod(shape) != 1 or isinstance(out, (tuple, list, dict)):
        what = type(out).__name__ if isinstance(out, (tuple, list, dict)) else f"shape {shape}"
        raise TypeError(f"{fname}: fun must return a scalar, got {what} — reduce it (e.g. "
                        f"tnp.sum(...)); with jac=True fun returns the pair (f, g)")
    if shape != ():
        from .. import numpy as tnp

        out = tnp.reshape(out, ())
    return out


def fused_value_grad_hvp(fun, leaves, td, vleaves, batch=()):
    """(f, g leaves, Hv leaves) of scalar ``fun(tree)`` from one forward-over-reverse pass.

    ``vleaves`` have shape ``(*batch, *leaf.shape)``; the Hv leaves have the same shape.
    """
    tr = TaylorTrace(1, batch)
    boxed = [TaylorBox(x, v.reshape((1,) + tuple(v.shape)), tr) for x, v in zip(leaves, vleaves)]
    nums = tuple(range(len(leaves)))

    def flat_fun(*a):
        return fun(tree_unflatten(td, list(a)))

    with tr:
        f, g = _api.value_and_grad(flat_fun, argnums=nums)(*boxed)
    f0 = f._primal if isinstance(f, TaylorBox) and f._trace is tr else f
    g0, hv = [], []
    for gi, x, v in zip(g, leaves, vleaves):
        if isinstance(gi, TaylorBox) and gi._trace is tr:
            g0.append(gi._primal)
            s = gi._series[0]
            hv.append(s if tuple(s.shape) == tuple(v.shape) else
                      array_namespace(x).broadcast_to(s, tuple(v.shape)))
        else:  # the gradient does not depend on x: H = 0
            g0.append(gi)
            hv.append(array_namespace(x).zeros_like(v))
    return f0, g0, hv


def fused_value_grad_hessian(fun, leaves, td, chunk_size=None):
    """(f, g leaves, dense H of shape (n, n)) from batched forward-over-reverse passes.

    The unit directions e_j travel as a batch axis; ``chunk_size`` bounds how many at once.
    """
    xp = array_namespace(*leaves)
    sizes = [int(math.prod(x.shape)) for x in leaves]
    n = sum(sizes)
    dtype = leaves[0].dtype
    m = n if chunk_size is None else max(1, min(int(chunk_size), n))
    rows = []
    f = g = None
    for start in range(0, n, m):
        stop = min(n, start + m)
        eye = xp.zeros((stop - start, n), dtype=dtype)
        eye[xp.arange(stop - start), xp.arange(start, stop)] = 1
        vleaves, off = [], 0
        for x, s in zip(leaves, sizes):
            vleaves.append(eye[:, off:off + s].reshape((stop - start,) + tuple(x.shape)))
            off += s
        f, g, hv = fused_value_grad_hvp(fun, leaves, td, vleaves, batch=(stop - start,))
        rows.append(xp.concatenate([h.reshape(stop - start, -1) for h in hv], axis=1))
    H = rows[0] if len(rows) == 1 else xp.concatenate(rows, axis=0)
    return f, g, H


class _Objective:
    """Counted, cached evaluations of the user's objective on a flat vector."""

    def __init__(self, fun, x0, args=(), jac=None, hess=None, hessp=None, fname="minimize",
                 chunk_size=None):
        if not callable(fun):
            raise TypeError(f"{fname}: fun must be callable, got {type(fun).__name__}")
        if not isinstance(args, tuple):
            args = (args,)
        leaves, self.td = _check_x0(x0, fname)
        self.xp = xp = namespace_of(leaves)
        self.dtype = np.result_type(*[x.dtype for x in leaves])
        self.shapes = [tuple(x.shape) for x in leaves]
        self.sizes = [int(math.prod(s)) for s in self.shapes]
        self.n = sum(self.sizes)
        self.single = len(leaves) == 1 and self.td == "*"
        self.x0 = self.flat([xp.asarray(x) for x in leaves])
        self.fun, self.args, self.fname, self.chunk_size = fun, args, fname, chunk_size
        for name, c in (("jac", jac), ("hess", hess), ("hessp", hessp)):
            if c is not None and not callable(c) and not (name == "jac" and c is True):
                raise TypeError(f"{fname}: {name} must be a callable or None"
                                f"{' (or True)' if name == 'jac' else ''}, got {c!r}")
        if jac is False:
            jac = None
        self.jac, self.hess, self.hessp = jac, hess, hessp
        if hess is not None and not self.single:
            raise TypeError(f"{fname}: a dense hess callable needs x0 to be a single array; "
                            f"for a pytree x0 pass hessp or let taylorad differentiate")
        self.nfev = self.njev = self.nhev = 0
        self._cache = None  # (z, f, g)
        self.dask = backend.any_dask([getval(a) for a in tree_flatten(args)[0]])
        self.npass, self.pass_time = 0, 0.0

    def _done(self, *xs):
        """The results of one evaluation — arrays, or pytrees of arrays (the user's jac, hess or
        hessp results) — computed together: with Dask data, one pass (``ta.compute``)."""
        if not backend.any_dask([getval(x) for t in xs for x in tree_flatten(t)[0]]):
            return xs
        t0 = time.perf_counter()
        xs = _compute(*xs)
        self.pass_time += time.perf_counter() - t0
        self.npass += 1
        return xs

    # --- pytree <-> flat vector ------------------------------------------------------------
    def flat(self, leaves):
        xp = self.xp
        if len(leaves) == 1:
            return xp.reshape(xp.asarray(leaves[0], dtype=self.dtype), (-1,))
        return xp.concatenate([xp.reshape(xp.asarray(a, dtype=self.dtype), (-1,))
                               for a in leaves])

    def split(self, z):
        out, off = [], 0
        for s, shp in zip(self.sizes, self.shapes):
            out.append(z[off:off + s].reshape(shp))
            off += s
        return out

    def tree(self, z):
        return tree_unflatten(self.td, self.split(z))

    def flat_tree(self, t, what):
        leaves, td = tree_flatten(t)
        if td != self.td and not (self.single and len(leaves) == 1):
            raise ValueError(f"{self.fname}: {what} returned a structure that differs from x0 "
                             f"— return one array per array of x0, in the same structure")
        return self.flat([self.xp.asarray(a) for a in leaves])

    # --- evaluations ------------------------------------------------------------------------
    def _wrapped(self, tree):
        return _scalar_of(self.fun(tree, *self.args), self.fname)

    def _hit(self, z):
        c = self._cache
        return c is not None and (c[0] is z or bool(self.xp.array_equal(c[0], z)))

    def f(self, z):
        """f(z) as a Python float (cheapest pass available; cached with g)."""
        if self._hit(z):
            return self._cache[1]
        self.nfev += 1
        out = self.fun(self.tree(z), *self.args)
        if self.jac is True:
            out = self._pair(out)[0]
        return float(self._done(getval(_scalar_of(out, self.fname)))[0])

    def _pair(self, out):
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"{self.fname}: with jac=True fun must return the pair (f, g), got "
                            f"{type(out).__name__}")
        return out

    def fg(self, z):
        """(f, g) at z; g is a flat vector. One reverse pass (or the user's callables)."""
        if self._hit(z) and self._cache[2] is not None:
            return self._cache[1], self._cache[2]
        self.nfev += 1
        self.njev += 1
        if self.jac is True:
            f, g = self._pair(self.fun(self.tree(z), *self.args))
            f, g = self._done(_scalar_of(f, self.fname), g)
            f, g = float(f), self.flat_tree(g, "fun (gradient part)")
        elif callable(self.jac):
            t = self.tree(z)
            f, g = self._done(_scalar_of(self.fun(t, *self.args), self.fname),
                              self.jac(t, *self.args))
            f, g = float(f), self.flat_tree(g, "jac")
        else:
            leaves = self.split(z)
            nums = tuple(range(len(leaves)))
            f, g = _api.value_and_grad(
                lambda *a: self._wrapped(tree_unflatten(self.td, list(a))), argnums=nums)(*leaves)
            f, *g = self._done(f, *g)
            f, g = float(f), self.flat(list(g))
        self._cache = (z, f, g)
        return f, g

    def hvp(self, z, v):
        """H(z)·v as a flat vector (one HVP)."""
        self.nhev += 1
        if self.hessp is not None:
            hv = self._done(self.hessp(self.tree(z), self.tree(v), *self.args))[0]
            return self.flat_tree(hv, "hessp")
        if self.hess is not None:
            return self._user_hess(z) @ v
        # the pass yields f and g at z too: cached, not counted (nhev counts this pass)
        f, g, hv = fused_value_grad_hvp(self._wrapped, self.split(z), self.td, self.split(v))
        k = len(g)
        f, *rest = self._done(f, *g, *hv)
        g, hv = rest[:k], rest[k:]
        if self.jac is None and not self._hit(z):
            self._cache = (z, float(f), self.flat(list(g)))
        return self.flat(hv)

    def _user_hess(self, z):
        H = self._done(self.hess(self.tree(z), *self.args))[0]
        H = self.xp.asarray(H, dtype=self.dtype)
        if tuple(H.shape) != (self.n, self.n):
            raise ValueError(f"{self.fname}: hess returned shape {tuple(H.shape)}, expected "
                             f"({self.n}, {self.n}) — return the dense Hessian as a 2-D array")
        return H

    def fgh(self, z):
        """(f, g, dense H) at z; with taylorad derivatives one fused batched pass."""
        if self.hess is not None:
            f, g = self.fg(z)
            self.nhev += 1
            return f, g, self._user_hess(z)
        if self.hessp is not None or self.jac is not None:
            f, g = self.fg(z)
            cols = [self.hvp(z, e) for e in self.xp.eye(self.n, dtype=self.dtype)]
            return f, g, self.xp.stack(cols, axis=1)
        self.nfev += 1
        self.njev += 1
        self.nhev += 1
        f, g, H = fused_value_grad_hessian(self._wrapped, self.split(z), self.td,
                                           self.chunk_size)
        f, H, *g = self._done(f, H, *g)
        f, g = float(f), self.flat(list(g))
        self._cache = (z, f, g)
        return f, g, 0.5 * (H + H.T)
