"""Collapsed Taylor mode for sums of second directional derivatives (Laplacians).

Dangel et al., "Collapsing Taylor Mode Automatic Differentiation" (2024): to get
Σ_b ∂²f/∂t² f(x + t·v_b), propagate the first-order coefficients of every direction b but only
the SUM over directions of the second-order coefficients. Every primitive's order-2 coefficient
splits into a part linear in x₂ and a part quadratic in x₁,

    y₂ = L(x₂) + Q(x₁),  so  Σ_b y₂,b = L(Σ_b x₂,b) + Σ_b Q(x₁,b),

and L is the primitive's order-1 rule. The quadratic part is zero for linear primitives (and for
bilinear ones with one constant operand); for elementwise unary f it is ½·f″(x₀)·Σ_b x₁,b², with
½·f″(x₀) read off the unbatched order-2 rule along the unit direction — no batched order-2 work.
Only the generic case evaluates the batched order-2 rule (with x₂ = 0) and sums over b.
"""
from . import ops
from .taylor import TaylorTrace, _missing_taylor
from .trace import Box, Trace

__all__ = ["CollapsedBox", "CollapsedTrace"]


class CollapsedBox(Box):
    __slots__ = ("_x1", "_s2")

    def __init__(self, primal, x1, s2, trace):
        self._primal = primal
        self._x1 = x1  # (batch, *shape): first-order coefficient of every direction
        self._s2 = s2  # (*shape) or None: Σ over directions of the second-order coefficients
        self._trace = trace


def _head(S):
    return None if S is None else S[0]


def _lift(X):
    return None if X is None else ops.reshape(X, (1,) + tuple(X.shape))


class CollapsedTrace(Trace):
    __slots__ = ("batch", "_t1", "_t1u", "_t2", "_t2u")

    def __init__(self, batch):
        super().__init__()
        self.batch = (batch,)
        self._t1 = TaylorTrace(1, self.batch)  # rule contexts, never entered
        self._t1u = TaylorTrace(1)
        self._t2 = TaylorTrace(2, self.batch)
        self._t2u = TaylorTrace(2)

    def process(self, prim, args, params):
        primals, X1, S2 = [], [], []
        for a in args:
            if isinstance(a, Box) and a._trace is self:
                primals.append(a._primal)
                X1.append(a._x1)
                S2.append(a._s2)
            else:
                primals.append(a)
                X1.append(None)
                S2.append(None)
        ans = prim(*primals, **params)
        rule = prim.taylor
        if rule is None:
            raise _missing_taylor(prim)
        shape = tuple(ans.shape)
        y1 = _head(rule(self._t1, ans, primals, [_lift(X) for X in X1], **params))
        if getattr(prim, "_unary_elementwise", False):
            X = X1[0]
            one = ops.ones_like(primals[0])
            half_f2 = rule(self._t2u, ans, primals, [ops.stack([one, one * 0.0])])[1]  # ½f″(x₀)
            y2 = half_f2 * ops.sum(X * X, axis=0)
            if S2[0] is not None:
                y2 = y2 + rule(self._t1u, ans, primals, [_lift(S2[0])])[0]
        else:
            y2 = None
            if any(s is not None for s in S2):
                y2 = _head(rule(self._t1u, ans, primals, [_lift(s) for s in S2], **params))
            if not _linear_here(prim, X1):
                series = [None if X is None else ops.stack([X, ops.zeros_like(X)]) for X in X1]
                Q = rule(self._t2, ans, primals, series, **params)
                if Q is not None:
                    Q = ops.sum(Q[1], axis=0)
                    y2 = Q if y2 is None else y2 + Q
        if y1 is None and y2 is None:
            return ans
        if y1 is None:
            y1 = ops.zeros_like(ops.broadcast_to(ans, self.batch + shape))
        elif tuple(y1.shape) != self.batch + shape:
            y1 = ops.broadcast_to(y1, self.batch + shape, like=ans)
        if y2 is not None and tuple(y2.shape) != shape:
            y2 = ops.broadcast_to(y2, shape, like=ans)
        return CollapsedBox(ans, y1, y2, self)


def _linear_here(prim, X1):
    """Is the primitive linear in its traced arguments (so its quadratic part vanishes)?"""
    test = getattr(prim, "_linear_when", None)
    return test is not None and test(X1)
