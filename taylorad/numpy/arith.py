"""Elementwise arithmetic: add, subtract, multiply, divide, negative, power, square, sqrt, abs,
maximum, minimum, and the non-differentiable comparisons and roundings."""
import functools
import operator

import numpy as np

from ..core import buffers

from ..core.rules import (always_linear, cauchy, deflinear, defnondiff, deftaylor, defunary, defvjp,
                          fused, integer_exponent, kernel_rule, linear_in_one, on_cupy)
from ..core.coeffs import (Coeffs, blockwise_p, captured, chunkable, chunked_binary, conv,
                           primal, start, tail)
from ..core.taylor import pad_series
from ..core.trace import Primitive, getval
from ._util import array_namespace, shape_of
from .shape import unbroadcast


def _nd(x):
    return len(shape_of(x))


def _aligned(tr, ans, series):
    nd = _nd(ans)
    return [tr.align(S, nd) for S in series]


# add / subtract / negative: linear ---------------------------------------------------------------
add = Primitive("add", operator.add)


def _large(S):
    """A concrete NumPy stack big enough that its fresh result would cost page faults: the rules
    then call the primitives (whose large results go into recycled memory, core.buffers)
    rather than NumPy's operators (no per-call overhead for small stacks)."""
    return type(S) is np.ndarray and S.nbytes >= buffers.UFUNC_MIN


def _add_taylor(tr, ans, primals, series):
    Sa, Sb = _aligned(tr, ans, series)
    if Sa is None or Sb is None:
        return Sa if Sb is None else Sb
    return add(Sa, Sb) if _large(Sa) else Sa + Sb


deftaylor(add, _add_taylor)
add._linear_when = always_linear
defvjp(add, lambda g, ans, a, b: unbroadcast(g, shape_of(a)),
       lambda g, ans, a, b: unbroadcast(g, shape_of(b)))

subtract = Primitive("subtract", operator.sub)


def _sub_taylor(tr, ans, primals, series):
    Sa, Sb = _aligned(tr, ans, series)
    if Sa is None or Sb is None:
        return Sa if Sb is None else -Sb
    return subtract(Sa, Sb) if _large(Sa) else Sa - Sb


deftaylor(subtract, _sub_taylor)
subtract._linear_when = always_linear
defvjp(subtract, lambda g, ans, a, b: unbroadcast(g, shape_of(a)),
       lambda g, ans, a, b: unbroadcast(-g, shape_of(b)))

negative = Primitive("negative", operator.neg)
deflinear(negative, lambda p, S: -S, lambda g, ans, x: -g)


def positive(x):
    return x


# multiply: bilinear, Cauchy product ------------------------------------------------------------
multiply = Primitive("multiply", operator.mul)


def _mul_taylor(tr, ans, primals, series):
    (a0, b0), (Sa, Sb) = primals, _aligned(tr, ans, series)
    if Sb is None:
        return Sa * b0
    if Sa is None:
        return a0 * Sb
    K = tr.K
    if K > 1:
        out = kernel_rule(multiply, tr, ans, primals, (Sa, Sb), functools.partial(_mul_kernel, K))
        if out is not None:
            return out
    if K > 1 and Sa.shape[1:] == Sb.shape[1:] == tuple(ans.shape):
        rule = functools.partial(chunked_binary, functools.partial(_cauchy_rows, K), K,
                                 dtype=ans.dtype)
        if chunkable(a0, Sa) and chunkable(b0, Sb):  # concrete NumPy, blockwise
            return rule(a0, b0, Sa, Sb)
        if captured(a0, b0, Sa, Sb) and chunkable(primal(a0), primal(Sa)):  # under taylorad.jit
            return blockwise_p(a0, b0, Sa, Sb, fn=rule)
    if Sa.shape[0] != K or Sb.shape[0] != K:
        Sa, Sb = (S if S.shape[0] == K else pad_series(S, K) for S in (Sa, Sb))
    if tr.K > 1 and on_cupy(Sa) and on_cupy(Sb):
        out = fused("multiply", tr, ans, a0, b0, Sa, Sb)
        if out is not None:
            return out
    # the j = 0 and j = k terms of every coefficient, stacked
    big = _large(Sa)
    out = add(multiply(Sa, b0), multiply(a0, Sb)) if big else Sa * b0 + a0 * Sb
    if tr.K == 1:
        return out
    a, b = tr.coeffs(a0, Sa), tr.coeffs(b0, Sb)
    mid = tr.stack([None] + [cauchy(a, b, k, lo=1) for k in range(2, tr.K + 1)])
    return add(out, mid) if big else out + mid


def _mul_kernel(K, cpu, ans, primals, series, dry):
    return cpu.multiply(K, ans, *primals, *series, dry)


def _div_kernel(K, cpu, ans, primals, series, dry):
    return cpu.divide(K, ans, *primals, *series, dry)


def _pow_kernel(K, cpu, ans, primals, series, dry):
    return cpu.power(K, ans, primals[0], primals[1], series[0], dry)


def _cauchy_rows(K, a, b):
    return [cauchy(a, b, k) for k in range(1, K + 1)]


deftaylor(multiply, _mul_taylor)
multiply._linear_when = linear_in_one
multiply._short_series_ok = True
defvjp(multiply, lambda g, ans, a, b: unbroadcast(g * b, shape_of(a)),
       lambda g, ans, a, b: unbroadcast(a * g, shape_of(b)))


# divide: y_k = (a_k − Σ_{j=1..k} b_j·y_{k−j}) / b₀ ---------------------------------------------
divide = Primitive("divide", operator.truediv)


def _div_taylor(tr, ans, primals, series):
    (a0, b0), (Sa, Sb) = primals, _aligned(tr, ans, series)
    if Sb is None:
        return Sa / b0
    if tr.K == 1:
        return (-ans * Sb if Sa is None else Sa - ans * Sb) / b0
    out = kernel_rule(divide, tr, ans, primals, (Sa, Sb), functools.partial(_div_kernel, tr.K))
    if out is not None:
        return out
    if on_cupy(Sa) and on_cupy(Sb):
        out = fused("divide", tr, ans, a0, b0, Sa, Sb)
        if out is not None:
            return out
    a, b = tr.coeffs(a0, Sa), tr.coeffs(b0, Sb)
    inv = 1.0 / b0
    y = start(b, ans, tr.K)
    for k in range(1, tr.K + 1):
        acc = _conv_from1(b, y, k)
        num = -acc if a[k] is None else a[k] - acc
        y.append(num * inv)
    return tr.stack(y[1:])


def _conv_from1(b, y, k):
    """Σ_{j=1..k} b_j·y_{k−j}."""
    return conv(b, y, 1, k, k)


deftaylor(divide, _div_taylor)
divide._linear_when = lambda traced: traced[1] is None
defvjp(divide, lambda g, ans, a, b: unbroadcast(g / b, shape_of(a)),
       lambda g, ans, a, b: unbroadcast(-g * ans / b, shape_of(b)))


def true_divide(a, b):
    return divide(a, b)


# power ---------------------------------------------------------------------------------------
power = Primitive("power", operator.pow)


def _cauchy_list(a, b, K):
    return [cauchy(a, b, k) for k in range(K + 1)]


def _int_power(x, n, K):
    """Coefficients of x(t)**n for an integer n ≥ 1 by binary powering of Cauchy products."""
    result, base = None, x
    while n:
        if n & 1:
            result = base if result is None else _cauchy_list(result, base, K)
        n >>= 1
        if n:
            base = _cauchy_list(base, base, K)
    return result


def _pow_taylor(tr, ans, primals, series):
    (a0, b0), (Sa, Sb) = primals, _aligned(tr, ans, series)
    if Sb is not None:  # differentiable exponent: a**b = exp(b·log a)
        from .transcendental import exp, log  # noqa: PLC0415

        if Sa is None and _is_pyscalar(a0):  # keep a Python-scalar base weak (NumPy 2 rules)
            log_a = _safe_log(a0)
            return tr.compose(lambda b: exp(b * log_a), (b0,), (series[1],))
        return tr.compose(lambda a, b: exp(b * log(a)), primals, series)
    scalar = isinstance(b0, (int, float, np.number)) and not isinstance(b0, bool)
    if scalar and float(b0) == 0.0:
        return None
    if tr.K == 1:
        return Sa * _dpow(a0, b0)
    if scalar:
        out = kernel_rule(power, tr, ans, primals, (Sa, None), functools.partial(_pow_kernel, tr.K))
        if out is not None:
            return out
    if scalar and on_cupy(Sa):
        out = fused("power", tr, ans, a0, b0, Sa)
        if out is not None:
            return out
    K = tr.K
    x = tr.coeffs(a0, Sa)
    ip = integer_exponent(b0) if scalar else 0
    if ip:
        return tr.stack(_int_power(x, ip, K)[1:])
    # x·y′ = p·y·x′  ⇒  y_k = Σ_{j=1..k} ((p+1)·j − k)·x_j·y_{k−j} / (k·x₀)
    inv = 1.0 / a0
    y = [ans]
    for k in range(1, K + 1):
        acc = None
        for j in range(1, k + 1):
            term = x[j] * y[k - j] * ((b0 + 1) * j - k)
            acc = term if acc is None else acc + term
        y.append(acc * inv * (1.0 / k))
    return tr.stack(y[1:])


def _safe_log(a):
    """log a, with log 0 taken as 0 (the exponent's derivative of 0**b is 0 there)."""
    from .shape import where  # noqa: PLC0415
    from .transcendental import log  # noqa: PLC0415

    if _is_pyscalar(a):  # a Python float, so that it does not upcast float32 (NumPy 2 rules)
        return float(np.log(a)) if a != 0 else 0.0
    return log(where(getval(a) == 0, 1.0, a))


def _is_pyscalar(a):
    return isinstance(a, (int, float)) and not isinstance(a, bool)


deftaylor(power, _pow_taylor)
def _dpow(a, b):
    """∂(a**b)/∂a = b·a**(b−1), without a power call for the common exponents 1 and 2."""
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        if b == 1:
            return 1.0 if isinstance(b, float) else 1
        if b == 2:
            return a * 2 if isinstance(b, int) else a * 2.0
    return b * power(a, b - 1)


defvjp(power, lambda g, ans, a, b: unbroadcast(g * _dpow(a, b), shape_of(a)),
       lambda g, ans, a, b: unbroadcast(g * ans * _safe_log(a), shape_of(b)))


# square, sqrt ----------------------------------------------------------------------------------
def _sq(y, k):
    """(y²)_k = 2·Σ_{j<k−j} y_j·y_{k−j} + [k even]·y_{k/2}²."""
    if type(y) is Coeffs and y.off == 0:
        return conv(y, y, 0, k, k)  # one pass over the full (symmetric) sum
    acc = None
    for j in range(0, (k + 1) // 2):
        term = y[j] * y[k - j]
        acc = term if acc is None else acc + term
    acc = None if acc is None else acc * 2.0
    if k % 2 == 0:
        mid = y[k // 2] * y[k // 2]
        acc = mid if acc is None else acc + mid
    return acc


square = Primitive("square", lambda x: array_namespace(x).square(x))
defunary(square, lambda ans, x: x * 2.0,
         lambda tr, x, y0: [_sq(x, k) for k in range(1, tr.K + 1)])


def _sqrt_rec(tr, x, y0):
    # y² = x  ⇒  y_k = (x_k − Σ_{j=1..k−1} y_j·y_{k−j}) / (2·y₀)
    inv = 0.5 / y0
    y = start(x, y0, tr.K)
    for k in range(1, tr.K + 1):
        acc = conv(y, y, 1, k - 1, k)
        y.append((x[k] if acc is None else x[k] - acc) * inv)
    return tail(y)


sqrt = Primitive("sqrt", lambda x: array_namespace(x).sqrt(x))
defunary(sqrt, lambda ans, x: 0.5 / ans, _sqrt_rec)


# abs, maximum, minimum: piecewise linear -------------------------------------------------------
sign = Primitive("sign", lambda x: array_namespace(x).sign(x))
floor = Primitive("floor", lambda x: array_namespace(x).floor(x))
ceil = Primitive("ceil", lambda x: array_namespace(x).ceil(x))
rint = Primitive("rint", lambda x: array_namespace(x).rint(x))
for _p in (sign, floor, ceil, rint):
    defnondiff(_p)


def round(x, decimals=0):  # noqa: A001 - numpy's name
    if decimals:
        return rint(x * 10.0 ** decimals) * 10.0 ** -decimals
    return rint(x)


absolute = Primitive("absolute", lambda x: array_namespace(x).abs(x))
deftaylor(absolute, lambda tr, ans, primals, series: series[0] * sign(getval(primals[0])))
defvjp(absolute, lambda g, ans, x: g * sign(getval(x)))
absolute._linear_when = always_linear  # piecewise linear
abs = absolute  # noqa: A001


def _weights(a, b, greater):
    """1 where a wins, 0 where b wins, 1/2 at ties (both sides share the derivative)."""
    av, bv = getval(a), getval(b)
    xp = array_namespace(av, bv)
    dtype = np.result_type(av, bv)
    wins = (av > bv) if greater else (av < bv)
    return xp.where(wins, 1.0, xp.where(av == bv, 0.5, 0.0)).astype(dtype)


def _extremum(name, impl, greater):
    prim = Primitive(name, impl)

    def taylor(tr, ans, primals, series):
        w = _weights(*primals, greater)
        Sa, Sb = _aligned(tr, ans, series)
        out = None if Sa is None else Sa * w
        if Sb is not None:
            out = Sb * (1.0 - w) if out is None else out + Sb * (1.0 - w)
        return out

    deftaylor(prim, taylor)
    prim._linear_when = always_linear  # piecewise linear
    defvjp(prim, lambda g, ans, a, b: unbroadcast(g * _weights(a, b, greater), shape_of(a)),
           lambda g, ans, a, b: unbroadcast(g * (1.0 - _weights(a, b, greater)), shape_of(b)))
    return prim


maximum = _extremum("maximum", lambda a, b: array_namespace(a, b).maximum(a, b), True)
minimum = _extremum("minimum", lambda a, b: array_namespace(a, b).minimum(a, b), False)


# comparisons: never differentiated -------------------------------------------------------------
def _compare(name, op):
    prim = Primitive(name, op)
    defnondiff(prim)
    return prim


greater = _compare("greater", operator.gt)
greater_equal = _compare("greater_equal", operator.ge)
less = _compare("less", operator.lt)
less_equal = _compare("less_equal", operator.le)
equal = _compare("equal", operator.eq)
not_equal = _compare("not_equal", operator.ne)
