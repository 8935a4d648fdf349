"""Rule builders: most primitives need one line.

* ``deflinear(prim, batched, vjps)``: linear maps. ``batched(pdim, *stacks, **params)`` applies the
  map to stacked coefficients (``pdim`` leading axes) in ONE backend call.
* ``defunary(prim, deriv, recurrence)``: elementwise f. VJP ``g·f′``; order 1 is ``f′(x₀)·x₁`` on
  the whole stack; order K uses ``recurrence`` — a hand-written O(K²) recurrence, or ``raised(fp)``,
  which raises the rule from f′: y′ = f′(x)·x′, i.e. k·y_k = Σⱼ j·x_j·d_{k-j} with d = f′(x(t))
  evaluated in Taylor mode one order lower.
* ``defcompose(prim, fn)``: the Taylor rule of a composition (fn evaluated in Taylor mode).
* ``cauchy(a, b, k)``: coefficient k of a product, skipping known zeros.
* ``defnondiff(prim)``: zero derivative; outputs are constants, never boxed.
* ``primitive_family(make)``: n -> ``make(n)``, built on first use, for families whose
  derivatives are further members (polygamma ψ⁽ⁿ⁾, Bessel I_n).

CuPy fast path: for concrete cupy arrays at K >= 2, ``defunary`` rules (and multiply, divide,
power in ``taylorad/numpy/arith.py``) first try a fused CUDA kernel (``taylorad.cuda``); it
returns None where none applies and the composed rule runs unchanged. The check costs one
``type(x).__module__`` test for numpy inputs and never imports cupy.

NumPy fast path: when numba is installed, the same rules on concrete NumPy arrays first try a
compiled kernel (``taylorad.cpu``, via ``kernel_rule``); under ``taylorad.jit`` the kernel call
is recorded as one call.
"""
import functools
import threading

import numpy as np

from .coeffs import blockwise_p, captured, chunkable, chunked_unary, conv, primal
from .taylor import pad_series, taylor_eval

__all__ = ["deflinear", "defunary", "raised", "defcompose", "cauchy", "defnondiff", "defvjp",
           "deftaylor", "defvjp_variadic", "always_linear", "linear_in_one", "zeros_ok",
           "primitive_family"]


def defvjp(prim, *rules, argnums=None):
    """Attach VJP rules ``rule(g, ans, *args, **params)``, one per argument position."""
    for i, rule in zip(range(len(rules)) if argnums is None else argnums, rules):
        if rule is not None:
            prim.vjps[i] = rule


class _EveryPosition(dict):
    """VJP rules of a variadic primitive, made on first use for each argument position."""

    def __init__(self, make_rule):
        super().__init__()
        self.make_rule = make_rule

    def __missing__(self, i):
        self[i] = rule = self.make_rule(i)
        return rule

    def __contains__(self, i):
        return True


def defvjp_variadic(prim, make_rule):
    """VJP rules for every argument position of a variadic primitive: ``make_rule(i) -> rule``."""
    prim.vjps = _EveryPosition(make_rule)


def deftaylor(prim, rule):
    """Attach a Taylor rule ``rule(tr, ans, primals, series, **params) -> stacked series``."""
    prim.taylor = rule


def deflinear(prim, batched, *vjps):
    def rule(tr, ans, primals, series, **params):
        return batched(tr.pdim, *series, **params)

    prim.taylor = rule
    prim._linear_when = always_linear
    defvjp(prim, *vjps)


def always_linear(traced):
    """For linear primitives: linear whatever is traced."""
    return True


def linear_in_one(traced):
    """For bilinear primitives: linear while at most one operand is traced."""
    return sum(t is not None for t in traced) <= 1


def defnondiff(prim):
    prim.nondiff = True


def cauchy(a, b, k, lo=0):
    """Σ_{j=lo}^{k-lo} a_j·b_{k-j}, skipping terms where either coefficient is zero (None)."""
    return conv(a, b, lo, k - lo, k)


def zeros_ok(recurrence):
    """Mark a recurrence that accepts None (known zero) for input coefficients past x₁."""
    recurrence.zeros_ok = True
    return recurrence


def raised(fprime):
    """A recurrence for y = f(x) raised from f′ (TaylorDiff.jl's approach), O(K²) work."""

    def recurrence(tr, x, y0):
        K = tr.K
        if K == 1:
            d = [fprime(x[0])]
        else:
            # the direction axes are those the coefficients have beyond x₀'s: none when a
            # blockwise caller (coeffs.chunked_unary) has flattened directions and elements
            xk = next(c for c in x[1:K] if c is not None)
            batch = tr.batch if np.ndim(xk) > np.ndim(x[0]) else ()
            d0, D = taylor_eval(fprime, x[0], _restack(x[1:K]), batch)
            d = [d0] + ([None] * (K - 1) if D is None else [D[k] for k in range(K - 1)])
        ys = []
        for k in range(1, K + 1):
            acc = None
            for j in range(1, k + 1):
                if x[j] is None or d[k - j] is None:
                    continue
                term = x[j] * d[k - j] if j == k else (x[j] * d[k - j]) * (j / k)
                acc = term if acc is None else acc + term
            ys.append(acc)
        return ys

    return zeros_ok(recurrence)


def _restack(xs):
    from . import ops  # noqa: PLC0415

    like = next(x for x in xs if x is not None)
    return ops.stack([ops.zeros_like(like) if x is None else x for x in xs])


def on_cupy(a):
    """True for a concrete cupy array (not a Box, not numpy); never imports cupy."""
    return type(a).__module__.startswith("cupy")


def integer_exponent(p):
    """The exponent as an int when x**p's Taylor rule takes its integer path (binary powering,
    exact at x = 0): p a whole number in 1..64; else 0. One definition for the composed rule and
    the CPU and CUDA kernels, so that all three take the same path."""
    p = float(p)
    return int(p) if p.is_integer() and 0 < p <= 64 else 0


def fused(kind, *args):
    """The series from a fused CUDA kernel (``taylorad.cuda.fused.<kind>``), or None."""
    from ..cuda import fused as _fused  # noqa: PLC0415 - reached only with cupy arrays

    return getattr(_fused, kind)(*args)


def kernel_rule(prim, tr, ans, primals, series, run):
    """The series from a numba kernel (``taylorad.cpu``), or None where none applies.

    ``run(cpu, ans, primals, series, dry)`` calls the ``taylorad.cpu.dispatch`` entry for this
    rule and returns its series (None: no kernel; ``dry=True``: only say whether one would run).
    Concrete NumPy operands run the kernel now; under ``taylorad.jit``'s capture (level-0 boxes)
    the kernel is recorded as one call, which falls back to the composed rule if the kernel is
    ever unavailable at replay.
    """
    from ..cpu import dispatch as cpu  # noqa: PLC0415 - imports numba only on first kernel use

    if type(ans) is np.ndarray:
        return run(cpu, ans, primals, series, False)
    if not captured(ans):
        return None
    concrete = [primal(v) for v in primals], [None if s is None else primal(s) for s in series]
    if not run(cpu, primal(ans), *concrete, True):
        return None
    fn = functools.partial(_kernel_replay, prim, tr, run, len(primals))
    return blockwise_p(ans, *primals, *series, fn=fn)


def _kernel_replay(prim, tr, run, n_primals, ans, *rest):
    from ..cpu import dispatch as cpu  # noqa: PLC0415

    primals, series = list(rest[:n_primals]), list(rest[n_primals:])
    out = run(cpu, ans, primals, series, False)
    if out is None:  # kernels switched off or broken since the capture: the composed rule
        with cpu.use_kernels(False):
            out = prim.taylor(tr, ans, primals, series)
    return out


def _unary_kernel(prim, K, cpu, ans, primals, series, dry):
    return cpu.unary(prim, K, ans, primals[0], series[0], dry)


def defunary(prim, deriv, recurrence):
    """Elementwise unary primitive: ``deriv(ans, x)`` = f′(x); ``recurrence(tr, xs, y0) -> ys``."""
    prim.vjps[0] = lambda g, ans, x: g * deriv(ans, x)

    def rule(tr, ans, primals, series):
        x0, S = primals[0], series[0]
        if tr.K == 1:
            return deriv(ans, x0) * S
        out = kernel_rule(prim, tr, ans, primals, series, functools.partial(_unary_kernel, prim, tr.K))
        if out is not None:
            return out
        d = S.shape[0]
        if d < tr.K:  # the top coefficients of the input are known zeros
            if getattr(recurrence, "zeros_ok", False) and not on_cupy(S) and \
                    not chunkable(primal(x0), primal(S)):
                xs = [x0] + [S[k] for k in range(d)] + [None] * (tr.K - d)
                return tr.stack(recurrence(tr, xs, ans))
            S = pad_series(S, tr.K)
        if on_cupy(S):
            out = fused("unary", prim, tr, ans, x0, S)
            if out is not None:
                return out
        elif chunkable(x0, S):
            return chunked_unary(recurrence, tr, x0, S, ans)
        elif captured(x0, S, ans) and chunkable(primal(x0), primal(S)):  # under taylorad.jit
            return blockwise_p(x0, S, ans, fn=functools.partial(chunked_unary, recurrence, tr))
        return tr.stack(recurrence(tr, tr.coeffs(x0, S), ans))

    prim.taylor = rule
    prim._unary_elementwise = True
    prim._short_series_ok = True  # the rule pads (or skips) the known-zero coefficients itself


def defcompose(prim, fn):
    """Taylor rule of ``prim`` = the series of ``fn`` (same arguments) evaluated in Taylor mode."""

    def rule(tr, ans, primals, series, **params):
        return tr.compose(lambda *xs: fn(*xs, **params), primals, series)

    prim.taylor = rule


def primitive_family(make):
    """A family of primitives indexed by an integer, built on first use: ``family(n)`` returns
    ``make(n)``, the same object on every call.

    ``make(n)`` builds one primitive with its rules (its derivative rule may call ``family`` for
    other members, lazily). A member is published only once ``make`` has returned, under a lock:
    a concurrent caller never sees a primitive without its rules, two threads never build the
    same member twice, and a ``make`` that raises leaves nothing behind.
    """
    members, lock = {}, threading.RLock()

    def family(n):
        prim = members.get(n)
        if prim is None:
            with lock:
                prim = members.get(n)
                if prim is None:
                    prim = members[n] = make(n)
        return prim

    family.members = members
    return family
