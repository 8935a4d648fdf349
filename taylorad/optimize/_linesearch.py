"""Strong-Wolfe line search (Nocedal & Wright, Algorithms 3.5 and 3.6) on Python scalars.

Only scalars cross this module: ``phi(a)`` returns (f(x + a·p), f'(x + a·p)·p, payload), so the
search is independent of the array namespace. A non-finite trial value counts as "too long"
and shrinks the step, so a step into a region where f is nan or inf is never accepted.
"""
import math

__all__ = ["wolfe_search"]


def _cubicmin(a, fa, fpa, b, fb, c, fc):
    """Minimizer of the cubic through (a, fa, fpa), (b, fb), (c, fc); None if it fails."""
    try:
        C = fpa
        db, dc = b - a, c - a
        denom = (db * dc) ** 2 * (db - dc)
        if denom == 0:
            return None
        d1 = [[dc ** 2, -db ** 2], [-dc ** 3, db ** 3]]
        r1, r2 = fb - fa - C * db, fc - fa - C * dc
        A = (d1[0][0] * r1 + d1[0][1] * r2) / denom
        B = (d1[1][0] * r1 + d1[1][1] * r2) / denom
        radical = B * B - 3 * A * C
        xmin = a + (-B + math.sqrt(radical)) / (3 * A)
    except (ArithmeticError, ValueError):
        return None
    return xmin if math.isfinite(xmin) else None


def _quadmin(a, fa, fpa, b, fb):
    db = b - a
    denom = (fb - fa - fpa * db) / (db * db) if db else 0.0
    if denom <= 0 or not math.isfinite(denom):
        return None
    return a - fpa / (2 * denom)


def _zoom(phi, lo, hi, f0, d0, c1, c2, maxiter):
    a_lo, f_lo, d_lo, p_lo = lo
    a_hi, f_hi = hi[0], hi[1]
    a_rec, f_rec = 0.0, f0
    for i in range(maxiter):
        span = a_hi - a_lo
        lo_b, hi_b = min(a_lo, a_hi), max(a_lo, a_hi)
        a_j = None
        if math.isfinite(f_hi):
            if i > 0:
                a_j = _cubicmin(a_lo, f_lo, d_lo, a_hi, f_hi, a_rec, f_rec)
            if a_j is None or not lo_b + 0.2 * abs(span) < a_j < hi_b - 0.2 * abs(span):
                a_j = _quadmin(a_lo, f_lo, d_lo, a_hi, f_hi)
                if a_j is not None and not lo_b + 0.1 * abs(span) < a_j < hi_b - 0.1 * abs(span):
                    a_j = None
        if a_j is None:
            a_j = a_lo + 0.5 * span
        f_j, d_j, p_j = phi(a_j)
        if not math.isfinite(f_j) or f_j > f0 + c1 * a_j * d0 or f_j >= f_lo:
            a_rec, f_rec = a_hi, f_hi
            a_hi, f_hi = a_j, f_j
        else:
            if abs(d_j) <= -c2 * d0:
                return a_j, f_j, p_j
            if d_j * (a_hi - a_lo) >= 0:
                a_rec, f_rec = a_hi, f_hi
                a_hi, f_hi = a_lo, f_lo
            else:
                a_rec, f_rec = a_lo, f_lo
            a_lo, f_lo, d_lo, p_lo = a_j, f_j, d_j, p_j
    # no strong-Wolfe point found; accept a sufficient-decrease point if we have one
    if a_lo > 0 and f_lo <= f0 + c1 * a_lo * d0 and f_lo < f0:
        return a_lo, f_lo, p_lo
    return None


def wolfe_search(phi, f0, d0, a1=1.0, c1=1e-4, c2=0.9, amax=1e10, maxiter=30):
    """Return (alpha, f(alpha), payload) satisfying the strong Wolfe conditions, or None.

    ``phi(a) -> (f, dphi, payload)``; ``f0, d0`` are phi(0) and phi'(0) < 0.
    """
    a_prev, f_prev, d_prev, p_prev = 0.0, f0, d0, None
    a = a1
    for i in range(maxiter):
        f_a, d_a, p_a = phi(a)
        if not math.isfinite(f_a) or f_a > f0 + c1 * a * d0 or (i > 0 and f_a >= f_prev):
            return _zoom(phi, (a_prev, f_prev, d_prev, p_prev), (a, f_a), f0, d0, c1, c2,
                         maxiter)
        if abs(d_a) <= -c2 * d0:
            return a, f_a, p_a
        if d_a >= 0:
            return _zoom(phi, (a, f_a, d_a, p_a), (a_prev, f_prev), f0, d0, c1, c2, maxiter)
        a_prev, f_prev, d_prev, p_prev = a, f_a, d_a, p_a
        a = min(2.0 * a, amax)
        if a_prev >= amax:
            break
    if f_prev < f0 + c1 * a_prev * d0 and p_prev is not None:
        return a_prev, f_prev, p_prev
    return None
