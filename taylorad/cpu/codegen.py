"""Source of the CPU Taylor kernels: one straight-line recurrence per (rule, K, stored orders).

The CPU twin of the C++ templates in ``kernels/*.cu``: for a given order K the recurrence is
unrolled at generation time into scalar statements (``y3 = (jx1 * z2 + jx2 * z1 + ...) * c``),
so each element's K + 1 coefficients of every operand live in registers, each input is read once
and each output written once, and the loop over elements is free for LLVM to vectorize. Terms
with a known-zero input coefficient (an input series that stores d < K coefficients: the seed
of ``derivatives`` has d = 1) are left out when the source is generated, not tested at run time.

Every recurrence follows the order of operations of the composed rule in ``taylorad/numpy`` so
the two agree to rounding. This module is plain Python (no numba): tests read its output.
"""
__all__ = ["UNARY", "chain_source", "source"]

UNARY = ("exp", "expm1", "log", "log1p", "sin", "cos", "sinh", "cosh", "tan", "tanh", "sigmoid",
         "sqrt", "square", "reciprocal")

_MATH = ("sin", "cos", "sinh", "cosh")  # coupled recurrences of a function and its companion


class _Body:
    """Straight-line statements; coefficient lists hold variable names, None for known zeros."""

    def __init__(self):
        self.lines = []
        self.n = 0

    def let(self, expr, hint="t"):
        name = f"{hint}{self.n}"
        self.n += 1
        self.lines.append(f"{name} = {expr}")
        return name

    def dot(self, pairs, hint="t"):
        """Σ a·b over the pairs whose factors are not known zeros (None when all are)."""
        terms = [f"{a} * {b}" for a, b in pairs if a is not None and b is not None]
        return self.let(" + ".join(terms), hint) if terms else None


def _scaled(body, x, K):
    """jx_j = j·x_j (None where x_j is a known zero)."""
    return [None] + [None if x[j] is None else body.let(f"{x[j]} * {float(j)!r}", "jx")
                     for j in range(1, K + 1)]


def _lin(body, jx, d, k):
    """(1/k)·Σ_{j=1..k} jx_j·d_{k−j}."""
    acc = body.dot([(jx[j], d[k - j]) for j in range(1, k + 1)])
    return None if acc is None else body.let(f"{acc} * {1.0 / k!r}", "y")


def _neg(body, v):
    return None if v is None else body.let(f"-{v}")


def _sq(body, y, k):
    return body.dot([(y[j], y[k - j]) for j in range(k + 1)])


def _unary(body, name, x, y0, K):
    """Coefficients y₁..y_K of name(x) (x[0] primal, y0 the primal output's name)."""
    if name in ("exp", "expm1"):
        jx = _scaled(body, x, K)
        y = [y0 if name == "exp" else body.let(f"{y0} + 1.0", "e")]
        for k in range(1, K + 1):
            y.append(_lin(body, jx, y, k))
        return y[1:]
    if name in ("log", "log1p"):
        head = x[0] if name == "log" else body.let(f"1.0 + {x[0]}", "h")
        inv = body.let(f"1.0 / {head}", "inv")
        y, jy = [y0], [None]
        for k in range(1, K + 1):
            acc = body.dot([(jy[j], x[k - j]) for j in range(1, k)]) if k > 1 else None
            if acc is not None:
                acc = body.let(f"{acc} * {1.0 / k!r}")
            num = (x[k] if acc is None else body.let(f"-{acc}") if x[k] is None
                   else body.let(f"{x[k]} - {acc}"))
            y.append(None if num is None else body.let(f"{num} * {inv}", "y"))
            jy.append(None if y[k] is None else body.let(f"{y[k]} * {float(k)!r}", "jy"))
        return y[1:]
    if name in _MATH:
        hyper = name in ("sinh", "cosh")
        if name == "sin":  # the x0 argument holds cos x₀ (kernels.companion)
            s, c = [y0], [x[0]]
        elif name == "cos":  # the x0 argument holds sin x₀
            s, c = [x[0]], [y0]
        elif name == "sinh":  # cosh = √(1 + sinh²): well conditioned everywhere
            s, c = [y0], [body.let(f"math.sqrt(1.0 + {y0} * {y0})", "c")]
        else:  # cosh: sinh x₀ from libm
            s, c = [body.let(f"math.sinh({x[0]})", "s")], [y0]
        jx = _scaled(body, x, K)
        for k in range(1, K + 1):
            s.append(_lin(body, jx, c, k))
            ck = _lin(body, jx, s, k)
            c.append(ck if hyper else _neg(body, ck))
        return (s if name in ("sin", "sinh") else c)[1:]
    if name in ("tan", "tanh", "sigmoid"):
        jx = _scaled(body, x, K)
        y = [y0]
        z = [body.let({"tan": f"1.0 + {y0} * {y0}", "tanh": f"1.0 - {y0} * {y0}",
                       "sigmoid": f"{y0} - {y0} * {y0}"}[name], "z")]
        for k in range(1, K + 1):
            y.append(_lin(body, jx, z, k))
            if k < K:
                sq = _sq(body, y, k)
                if name == "tan":
                    z.append(sq)
                elif name == "tanh":
                    z.append(_neg(body, sq))
                else:
                    z.append(y[k] if sq is None else body.let(
                        f"-{sq}" if y[k] is None else f"{y[k]} - {sq}", "z"))
        return y[1:]
    if name == "sqrt":
        inv = body.let(f"0.5 / {y0}", "inv")
        y = [y0]
        for k in range(1, K + 1):
            acc = body.dot([(y[j], y[k - j]) for j in range(1, k)])
            num = (x[k] if acc is None else body.let(f"-{acc}") if x[k] is None
                   else body.let(f"{x[k]} - {acc}"))
            y.append(None if num is None else body.let(f"{num} * {inv}", "y"))
        return y[1:]
    if name == "square":
        return [_sq(body, x, k) for k in range(1, K + 1)]
    if name == "reciprocal":
        y = [y0]
        for k in range(1, K + 1):
            acc = body.dot([(x[j], y[k - j]) for j in range(1, k + 1)])
            y.append(None if acc is None else body.let(f"-{acc} * {y0}", "y"))
        return y[1:]
    raise ValueError(f"taylorad.cpu: no kernel for {name!r}")


def _cauchy(body, a, b, K):
    return [body.dot([(a[j], b[k - j]) for j in range(k + 1)], "p") for k in range(K + 1)]


def _int_power(body, x, n, K):
    result, base = None, x
    while n:
        if n & 1:
            result = base if result is None else _cauchy(body, result, base, K)
        n >>= 1
        if n:
            base = _cauchy(body, base, base, K)
    return result[1:]


def _divide(body, a, b, y0, K):
    """Coefficients y₁..y_K of a / b (a[0] unused: y0 names the quotient)."""
    inv = body.let(f"1.0 / {b[0]}", "inv")
    y = [y0]
    for k in range(1, K + 1):
        acc = body.dot([(b[j], y[k - j]) for j in range(1, k + 1)])
        num = (a[k] if acc is None else body.let(f"-{acc}") if a[k] is None
               else body.let(f"{a[k]} - {acc}"))
        y.append(None if num is None else body.let(f"{num} * {inv}", "y"))
    return y[1:]


def _power(body, x, y0, p, ip, K):
    """Coefficients y₁..y_K of x ** p (``p`` names the exponent; ip > 0: the integer one)."""
    if ip > 0:
        return _int_power(body, x, ip, K)
    inv = body.let(f"1.0 / {x[0]}", "inv")
    y = [y0]
    for k in range(1, K + 1):
        terms = [f"{x[j]} * {y[k - j]} * ((({p} + 1.0) * {float(j)!r} - {float(k)!r}) / "
                 f"{float(k)!r})" for j in range(1, k + 1)
                 if x[j] is not None and y[k - j] is not None]
        y.append(body.let(f"({' + '.join(terms)}) * {inv}", "y") if terms else None)
    return y[1:]


def source(kind, name, K, ds, ip=0):
    """Python source of a kernel function ``kernel``.

    kind "unary" (``name`` in UNARY): ``kernel(x0, y0, xs, out, nb, m)`` (for sin and cos,
    ``x0`` holds the companion cos x₀ or sin x₀ instead: see ``kernels.companion``); "multiply":
    ``kernel(a0, b0, As, Bs, out, nb, m)``; "divide": ``kernel(b0, y0, As, Bs, out, nb, m)``
    (As may have no rows); "power": ``kernel(p, x0, y0, xs, out, nb, m)`` (``ip`` > 0: the
    integer exponent, by binary powering). ``ds`` = stored coefficients of each series operand.
    Layout: primals (m,), series (d, nb, m), out (K, nb, m): nb directions of m elements.
    Every kernel takes two more arguments, ``lo, hi``: it computes elements ``lo ≤ i < hi`` of
    each direction (``threads.parallel_for`` runs disjoint ranges on several threads); pass them
    as ``numpy.uint64``: with signed bounds numba keeps its negative-index wraparound in the loop
    and LLVM does not vectorize it.
    """
    body = _Body()
    if kind == "unary":
        (d,) = ds
        x = ["x0_"] + [None if k > d else f"x{k}_" for k in range(1, K + 1)]
        loads = [("x0_", "x0[i]"), ("yy0", "y0[i]")] + [(f"x{k}_", f"xs[{k - 1}, bi, i]")
                                                        for k in range(1, d + 1)]
        ys = _unary(body, name, x, "yy0", K)
        args = "x0, y0, xs, out, nb, m"
    elif kind == "multiply":
        da, db = ds
        a = ["a0_"] + [None if k > da else f"a{k}_" for k in range(1, K + 1)]
        b = ["b0_"] + [None if k > db else f"b{k}_" for k in range(1, K + 1)]
        loads = ([("a0_", "a0[i]"), ("b0_", "b0[i]")]
                 + [(f"a{k}_", f"As[{k - 1}, bi, i]") for k in range(1, da + 1)]
                 + [(f"b{k}_", f"Bs[{k - 1}, bi, i]") for k in range(1, db + 1)])
        ys = _cauchy(body, a, b, K)[1:]
        args = "a0, b0, As, Bs, out, nb, m"
    elif kind == "divide":
        da, db = ds
        a = [None] + [None if k > da else f"a{k}_" for k in range(1, K + 1)]
        bb = ["b0_"] + [None if k > db else f"b{k}_" for k in range(1, K + 1)]
        loads = ([("b0_", "b0[i]"), ("yy0", "y0[i]")]
                 + [(f"a{k}_", f"As[{k - 1}, bi, i]") for k in range(1, da + 1)]
                 + [(f"b{k}_", f"Bs[{k - 1}, bi, i]") for k in range(1, db + 1)])
        ys = _divide(body, a, bb, "yy0", K)
        args = "b0, y0, As, Bs, out, nb, m"
    elif kind == "power":
        (d,) = ds
        x = ["x0_"] + [None if k > d else f"x{k}_" for k in range(1, K + 1)]
        loads = [("x0_", "x0[i]"), ("yy0", "y0[i]")] + [(f"x{k}_", f"xs[{k - 1}, bi, i]")
                                                        for k in range(1, d + 1)]
        ys = _power(body, x, "yy0", "p", ip, K)
        args = "p, x0, y0, xs, out, nb, m"
    else:
        raise ValueError(f"taylorad.cpu: unknown kernel kind {kind!r}")
    stores = [f"out[{k}, bi, i] = {'0.0' if v is None else v}" for k, v in enumerate(ys)]
    inner = [f"{v} = {e}" for v, e in loads] + body.lines + stores
    lines = [f"def kernel({args}, lo, hi):",
             "    for bi in range(nb):",
             "        for i in range(lo, hi):"]
    lines += ["            " + s for s in inner]
    return "\n".join(lines) + "\n"


def chain_source(args, steps, stores, K):
    """Source of one kernel running several Taylor rules in a row (``taylorad.cpu.chain``): the
    series that one step hands to the next stay in registers instead of a (K, nb, m) array.

    ``args``: the kernel's array and scalar arguments, in order (the kernel takes them, then
    ``nb, m, lo, hi``). Each step is ``(kind, name, ip, primals, series)`` with ``kind`` and
    ``name`` as in ``source``; ``primals``: argument names — unary: (x0, y0) (x0 the companion
    for sin and cos), multiply: (a0, b0), divide: (b0, y0), power: (p, x0, y0); ``series``: per
    operand None (no coefficients), ``("arg", name, d)`` (a (d, nb, m) argument) or
    ``("step", j)`` (step j's result). ``stores``: ``(j, out, k)`` writes step j's coefficient
    k + 1 to ``out[bi, i]``, or all K of them to ``out[k, bi, i]`` when k is None.

    A coefficient the single-rule kernel would store as 0.0 (a known zero) reaches the next step
    as the number 0.0, not as a left-out term, so each value is the one the single-rule kernels
    compute through memory, bit for bit (float64: a float32 kernel rounds what it stores).
    """
    body = _Body()
    loaded, results = {}, []

    def load(a, idx="i", hint="v"):
        key = (a, idx)
        if key not in loaded:
            loaded[key] = body.let(f"{a}[{idx}]", hint)
        return loaded[key]

    def series(ref):
        if ref is None:
            return [None] * K
        if ref[0] == "step":
            return [body.let("0.0", "z") if c is None else c for c in results[ref[1]]]
        _, a, d = ref
        return [load(a, f"{k - 1}, bi, i", "s") if k <= d else None for k in range(1, K + 1)]

    for kind, name, ip, primals, operands in steps:
        if kind == "unary":
            x0, y0 = primals
            ys = _unary(body, name, [load(x0)] + series(operands[0]), load(y0), K)
        elif kind == "multiply":
            a0, b0 = primals
            ys = _cauchy(body, [load(a0)] + series(operands[0]),
                         [load(b0)] + series(operands[1]), K)[1:]
        elif kind == "divide":
            b0, y0 = primals
            ys = _divide(body, [None] + series(operands[0]), [load(b0)] + series(operands[1]),
                         load(y0), K)
        elif kind == "power":
            p, x0, y0 = primals
            ys = _power(body, [load(x0)] + series(operands[0]), load(y0), p, ip, K)
        else:
            raise ValueError(f"taylorad.cpu: unknown kernel kind {kind!r}")
        results.append(ys)
    lines = [f"def kernel({', '.join(args)}, nb, m, lo, hi):",
             "    for bi in range(nb):",
             "        for i in range(lo, hi):"]
    for j, out, k in stores:
        ys = results[j]
        if k is None:
            body.lines += [f"{out}[{q}, bi, i] = {'0.0' if v is None else v}"
                           for q, v in enumerate(ys)]
        else:
            body.lines.append(f"{out}[bi, i] = {'0.0' if ys[k] is None else ys[k]}")
    lines += ["            " + s for s in body.lines]
    return "\n".join(lines) + "\n"
