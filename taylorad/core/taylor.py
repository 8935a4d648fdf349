"""Taylor mode: truncated polynomials propagated forward through the primitives' rules.

Coefficient convention, stated once: a Taylor value is x(t) = x₀ + x₁·t + … + x_K·t^K with
normalized coefficients x_k = x⁽ᵏ⁾(0)/k!. Factorials appear only where ``taylorad.api`` returns
derivatives.

A ``TaylorBox`` holds the primal x₀ and the *stacked* higher coefficients ``series`` of shape
(K, *batch, *x₀.shape): ``series[k-1]`` is x_k. ``batch`` is an optional axis group of
directions (Hessian columns, Laplacian directions); the primal is computed once for all of them.
Linear primitives act on the whole stack in one backend call; nonlinear rules work on the list
of coefficients and restack.
"""
import numpy as np

from . import ops
from .coeffs import wrap
from .trace import Box, Trace

__all__ = ["TaylorBox", "TaylorTrace", "taylor_eval"]


class TaylorBox(Box):
    __slots__ = ("_series",)

    def __init__(self, primal, series, trace):
        self._primal = primal
        self._series = series
        self._trace = trace


def _missing_taylor(prim):
    return TypeError(
        f"no Taylor rule for '{prim.name}' — define one with taylorad.core.rules "
        f"(deflinear, defunary, defcompose) or mark '{prim.name}' non-differentiable")


class TaylorTrace(Trace):
    """A Taylor pass of order K, optionally carrying a batch of directions."""

    __slots__ = ("K", "batch", "pdim")

    def __init__(self, K, batch=()):
        super().__init__()
        self.K = K
        self.batch = tuple(batch)
        self.pdim = 1 + len(self.batch)

    @property
    def prefix(self):
        return (self.K,) + self.batch

    def process(self, prim, args, params):
        primals = []
        series = []
        for a in args:
            if isinstance(a, Box) and a._trace is self:
                primals.append(a._primal)
                series.append(a._series)
            else:
                primals.append(a)
                series.append(None)
        ans = prim(*primals, **params)
        rule = prim.taylor
        if rule is None:
            raise _missing_taylor(prim)
        series = self._match_degrees(prim, series)
        out = rule(self, ans, primals, series, **params)
        if out is None:
            return ans
        full = tuple(out.shape[:1]) + self.batch + tuple(ans.shape)
        if tuple(out.shape) != full:
            out = ops.broadcast_to(out, full, like=ans)
        return TaylorBox(ans, out, self)

    def _match_degrees(self, prim, series):
        """Known-zero top coefficients are not stored: a stack may hold only x₁..x_d, d < K
        (seeds are x₀ + t·v). Linear maps keep d; everything else sees all K coefficients."""
        degs = [S.shape[0] for S in series if S is not None]
        if not degs:
            return series
        top = max(degs)
        if top == self.K and min(degs) == top:
            return series
        linear = prim._linear_when is not None and prim._linear_when(series)
        if not linear and getattr(prim, "_short_series_ok", False):
            return series  # the rule handles unequal degrees itself
        target = top if linear else self.K
        return [S if S is None or S.shape[0] == target else pad_series(S, target)
                for S in series]

    # --- helpers for rules -------------------------------------------------------------------

    def align(self, S, ndim):
        """Reshape a stacked series to ``ndim`` core dimensions (ones after the prefix)."""
        if S is None:
            return None
        core = S.ndim - self.pdim
        if core == ndim:
            return S
        shape = tuple(S.shape)
        return ops.reshape(S, shape[:self.pdim] + (1,) * (ndim - core) + shape[self.pdim:])

    def coeffs(self, x0, S):
        """[x₀, x₁, …, x_K] from a primal and its stack (all None past x₀ for a constant)."""
        if S is None:
            return [x0] + [None] * self.K
        fast = wrap(x0, S)
        return fast if fast is not None else [x0] + [S[k] for k in range(self.K)]

    def stack(self, ys):
        """Stack coefficients y₁..y_K (None = zero) back into a series; None if all are zero."""
        if type(ys) is np.ndarray:  # already stacked (the Coeffs fast path)
            return ys
        like = next((y for y in ys if y is not None), None)
        if like is None:
            return None
        return ops.stack([ops.zeros_like(like) if y is None else y for y in ys])

    def compose(self, fn, primals, series):
        """Series of ``fn(*primals)`` under these series, by evaluating ``fn`` in Taylor mode.

        The rule builder for primitives whose Taylor rule is a composition of others
        (x**y = exp(y·log x), arctanh' = 1/(1-x²), …).
        """
        tr = TaylorTrace(self.K, self.batch)
        boxed = [p if s is None else TaylorBox(p, s, tr) for p, s in zip(primals, series)]
        out = fn(*boxed)
        if isinstance(out, TaylorBox) and out._trace is tr:
            return out._series
        return None


def pad_series(S, K):
    """Append zero coefficients to a stack of d < K coefficients."""
    from .trace import getval  # noqa: PLC0415

    v = getval(S)
    from ..numpy._util import array_namespace  # noqa: PLC0415

    pad = array_namespace(v).zeros((K - S.shape[0],) + tuple(S.shape[1:]), dtype=v.dtype)
    return ops.concatenate([S, pad], axis=0)


def taylor_eval(fn, x0, S, batch=()):
    """Evaluate ``fn`` on x₀ + Σ S[k-1]·t^k. Returns (primal, stacked series or None)."""
    tr = TaylorTrace(S.shape[0], batch)
    with tr:
        out = fn(TaylorBox(x0, S, tr))
    if isinstance(out, TaylorBox) and out._trace is tr:
        return out._primal, out._series
    return out, None
