"""The NumPy main-namespace surface added for issue 13, one table row per function, written as a
user writes NumPy (``np.sort(x)``, dispatched to taylorad.numpy on traced values).

Per row, against independent references:
* values: the traced call's value equals NumPy's own function on the plain input;
* first order: VJP (dot-product test) and JVP against central differences (check_grads);
* second order: HVP of a random weighting of the output against differences of the gradient;
* Taylor rule at orders 1..4 against nested first-order AD (jvp of jvp of …: only order-1
  rules), and for the elementwise rows at order 6 against 50-digit mpmath;
* float32 in → float32 out, values within float32 rounding of float64.

The quick subset runs by default; the whole table (and order 6) is marked slow.
"""
import math

import mpmath as mp
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.core.trace import Box
from taylorad.testing import check_grads, check_hvp

R = np.random.default_rng(7)


def _r(*shape, lo=-1.0, hi=1.0):
    return np.random.default_rng(abs(hash(shape)) % 2**32).uniform(lo, hi, shape)


X5 = np.array([0.31, -1.27, 0.83, 2.05, -0.46])
M34 = np.random.default_rng(1).uniform(-1, 1, (3, 4))
M34N = M34.copy()
M34N[0, 1] = np.nan
M34N[2, 3] = np.nan
XP = np.array([0.0, 0.5, 1.3, 2.0, 3.1])

# (id, f of the arguments written with np.*, arguments, quick?)
ROWS = [
    ("sort", lambda x: np.sort(x), (X5,), True),
    ("sort_axis0", lambda m: np.sort(m, axis=0), (M34,), False),
    ("partition", lambda x: np.partition(x, 2), (X5,), False),
    ("median", lambda x: np.median(x), (X5,), True),
    ("median_even_axis", lambda m: np.median(m, axis=1), (M34,), False),
    ("percentile", lambda x: np.percentile(x, [10.0, 75.0]), (X5,), True),
    ("quantile_axis", lambda m: np.quantile(m, 0.3, axis=0, keepdims=True), (M34,), False),
    ("nanmedian", lambda m: np.nanmedian(m, axis=1), (M34N,), False),
    ("nanpercentile", lambda m: np.nanpercentile(m, 40.0, axis=0), (M34N,), False),
    ("nanquantile", lambda m: np.nanquantile(m, [0.2, 0.9]), (M34N,), False),
    ("nansum", lambda m: np.nansum(m, axis=0), (M34N,), True),
    ("nanmean", lambda m: np.nanmean(m, axis=1), (M34N,), False),
    ("nanprod", lambda m: np.nanprod(m, axis=1), (M34N,), False),
    ("nanmax", lambda m: np.nanmax(m, axis=0), (M34N,), False),
    ("nanmin", lambda m: np.nanmin(m), (M34N,), False),
    ("nanvar", lambda m: np.nanvar(m, axis=1, ddof=1), (M34N,), False),
    ("nanstd", lambda m: np.nanstd(m, axis=0), (M34N,), False),
    ("nancumsum", lambda m: np.nancumsum(m, axis=1), (M34N,), False),
    ("nancumprod", lambda m: np.nancumprod(m, axis=1), (M34N,), False),
    ("average_weights", lambda m, w: np.average(m, axis=1, weights=w),
     (M34, np.array([0.5, 1.5, 1.0, 2.0])), True),
    ("average_returned", lambda m: np.average(m, axis=0, returned=True)[0], (M34,), False),
    ("ptp", lambda m: np.ptp(m, axis=1), (M34,), False),
    ("cov", lambda m: np.cov(m), (M34,), False),
    ("corrcoef", lambda m: np.corrcoef(m), (M34,), False),
    ("cumprod", lambda x: np.cumprod(x), (X5,), True),
    ("cumprod_axis", lambda m: np.cumprod(m, axis=0), (M34,), False),
    ("cumulative_sum", lambda x: np.cumulative_sum(x, include_initial=True), (X5,), False),
    ("cumulative_prod", lambda m: np.cumulative_prod(m, axis=1), (M34,), False),
    ("diff", lambda x: np.diff(x, n=2), (X5,), True),
    ("diff_prepend", lambda m: np.diff(m, axis=0, prepend=0.5), (M34,), False),
    ("ediff1d", lambda x: np.ediff1d(x, to_end=[1.0, 2.0]), (X5,), False),
    ("gradient", lambda x: np.gradient(x), (X5,), True),
    ("gradient_coords_2", lambda x: np.gradient(x, XP, edge_order=2), (X5,), False),
    ("gradient_2d", lambda m: np.gradient(m, 0.5, 2.0)[1], (M34,), False),
    ("trapezoid", lambda x: np.trapezoid(x), (X5,), True),
    ("trapezoid_x", lambda y, x: np.trapezoid(y, x), (X5, XP), False),
    ("interp", lambda x, fp: np.interp(x, XP, fp),
     (np.array([-0.5, 0.2, 1.0, 2.9, 3.5]), X5), True),
    ("convolve", lambda a, v: np.convolve(a, v), (X5, np.array([0.3, -0.2, 0.7])), True),
    ("convolve_same", lambda a, v: np.convolve(a, v, "same"), (X5, np.array([0.3, -0.2])),
     False),
    ("convolve_valid", lambda a, v: np.convolve(v, a, "valid"), (X5, np.array([0.3, 0.2])),
     False),
    ("correlate", lambda a, v: np.correlate(a, v), (X5, np.array([0.3, -0.2, 0.7])), True),
    ("correlate_full_long_v", lambda a, v: np.correlate(v, a, "full"),
     (X5, np.array([0.3, -0.2])), False),
    ("correlate_same", lambda a, v: np.correlate(a, v, "same"), (X5, np.array([0.3, -0.2])),
     False),
    ("kron", lambda a, b: np.kron(a, b), (M34[:2, :2], M34[:, :3]), True),
    ("cross", lambda a, b: np.cross(a, b), (M34[:, :3], M34[::-1, 1:]), True),
    ("meshgrid", lambda x, y: np.meshgrid(x, y)[0] * np.meshgrid(x, y)[1], (X5, XP[:3]), False),
    ("select", lambda x: np.select([x < 0, x > 1], [x * x, np.sin(x)], 0.5), (X5,), False),
    ("piecewise", lambda x: np.piecewise(x, [x < 0, x >= 0], [lambda t: t ** 3, np.exp]),
     (X5,), False),
    ("apply_along_axis", lambda m: np.apply_along_axis(lambda r: r[0] * r[-1], 1, m), (M34,),
     False),
    ("vstack", lambda a, b: np.vstack([a, b]), (X5, XP), True),
    ("hstack", lambda a, b: np.hstack([a, b]), (X5, XP), False),
    ("dstack", lambda a, b: np.dstack([a, b]), (M34, M34 * 2), False),
    ("column_stack", lambda a, b: np.column_stack([a, b]), (X5, XP), False),
    ("block", lambda a, b: np.block([[a, b], [b, a]]), (M34[:2, :2], M34[1:3, 2:]), False),
    ("atleast_3d", lambda x: np.atleast_3d(x) * 2.0, (X5,), False),
    ("vsplit", lambda m: np.vsplit(m, [1])[1], (M34,), False),
    ("hsplit", lambda m: np.hsplit(m, 2)[0], (M34,), False),
    ("dsplit", lambda m: np.dsplit(m.reshape(3, 2, 2), 2)[1], (M34,), False),
    ("append", lambda a, b: np.append(a, b), (X5, M34[0]), True),
    ("insert", lambda a, b: np.insert(a, [1, 3], b), (X5, XP[:2]), False),
    ("insert_scalar", lambda a: np.insert(a, 2, 0.5), (X5,), False),
    ("delete", lambda m: np.delete(m, 1, axis=1), (M34,), False),
    ("resize", lambda x: np.resize(x, (3, 4)), (X5,), False),
    ("rot90", lambda m: np.rot90(m, 3), (M34,), True),
    ("fliplr", lambda m: np.fliplr(m), (M34,), False),
    ("compress", lambda m: np.compress([True, False, True], m, axis=0), (M34,), False),
    ("extract", lambda m: np.extract(M34 > 0, m), (M34,), False),
    ("choose", lambda a, b: np.choose([1, 0, 1, 1, 0], [a, b]), (X5, XP), False),
    ("diagflat", lambda x: np.diagflat(x[:3], 1), (X5,), False),
    ("trim_zeros", lambda x: np.trim_zeros(x * np.array([0, 1, 1, 1, 0.0])), (X5,), False),
    ("unstack", lambda m: np.unstack(m, axis=1)[2], (M34,), False),
    ("broadcast_arrays", lambda a, b: np.broadcast_arrays(a, b)[1], (M34, M34[0]), False),
    ("rollaxis", lambda m: np.rollaxis(m.reshape(3, 2, 2), 2), (M34,), False),
    ("matrix_transpose", lambda m: np.matrix_transpose(m), (M34,), False),
    ("degrees", lambda x: np.degrees(x), (X5,), True),
    ("radians", lambda x: np.deg2rad(x), (X5,), False),
    ("sinc", lambda x: np.sinc(x), (np.array([0.0, 0.2, -0.7, 1.6, 3.3]),), True),
    ("i0", lambda x: np.i0(x), (X5,), False),
    ("logaddexp2", lambda a, b: np.logaddexp2(a, b), (X5, XP), True),
    ("fabs", lambda x: np.fabs(x), (X5,), False),
    ("copysign", lambda a, b: np.copysign(a, b), (X5, -XP + 1.0), False),
    ("heaviside", lambda b: np.heaviside(np.array([0.0, 1.0, -1.0, 0.0, 2.0]), b), (X5,),
     False),
    ("nan_to_num", lambda m: np.nan_to_num(m), (M34N,), False),
    ("fmax", lambda a, b: np.fmax(a, b), (M34N, M34 * 0.5), False),
    ("fmin", lambda a, b: np.fmin(a, b), (M34N, M34 * 0.5), False),
    ("float_power", lambda a, b: np.float_power(a, b), (XP[1:] + 0.5, X5[1:]), False),
    ("ldexp", lambda x: np.ldexp(x, np.array([1, -2, 0, 3, 1])), (X5,), False),
    ("frexp", lambda x: np.frexp(x)[0], (X5,), False),
    ("modf", lambda x: np.modf(x)[0], (X5,), False),
    ("nextafter", lambda x: np.nextafter(x, 10.0), (X5,), False),
    ("real_imag", lambda x: np.real(x) + np.imag(x) + np.conj(x), (X5,), False),
    ("unwrap", lambda x: np.unwrap(x * 3.0), (X5,), False),
    ("bincount", lambda w: np.bincount(np.array([0, 2, 2, 1, 0]), weights=w), (X5,), False),
    ("vecdot", lambda a, b: np.vecdot(a, b), (M34, M34[::-1]), False),
    ("matvec", lambda a, b: np.matvec(a, b), (M34, X5[:4]), False),
    ("vecmat", lambda a, b: np.vecmat(a, b), (X5[:3], M34), False),
    ("polyval", lambda p, x: np.polyval(p, x), (X5[:3], XP), True),
    ("polyadd", lambda a, b: np.polyadd(a, b), (X5, XP[:2]), False),
    ("polymul", lambda a, b: np.polymul(a, b), (X5[:3], XP[1:3]), False),
    ("polyder", lambda p: np.polyder(p, 2), (X5,), False),
    ("polyint", lambda p: np.polyint(p, 2, k=[0.5, 1.0]), (X5,), False),
    ("polydiv", lambda u, v: np.polydiv(u, v)[0], (X5, np.array([1.5, 0.3])), False),
    ("poly", lambda r: np.poly(r), (X5[:3],), False),
    ("vander", lambda x: np.vander(x, 4), (X5,), False),
    ("linspace", lambda a, b: np.linspace(a, b, 5), (X5[:2], XP[1:3]), False),
    ("logspace", lambda a, b: np.logspace(a, b, 4), (X5[0], XP[2]), False),
    ("geomspace", lambda a, b: np.geomspace(a, b, 4), (XP[1], XP[3]), False),
    ("full_like", lambda x, v: np.full_like(x, v), (X5, XP[1]), False),
    ("histogram_bin_edges", lambda x: np.histogram_bin_edges(x, 4), (X5,), False),
    ("histogram_weights", lambda w: np.histogram(X5, 3, weights=w)[0], (XP,), False),
    ("histogram_density", lambda x: np.histogram(x, 3, density=True)[0], (X5,), False),
    ("histogram_edges", lambda x: np.histogram(x, 4)[1], (X5,), False),
    ("histogram2d_weights", lambda w: np.histogram2d(X5, XP, 3, weights=w)[0], (XP,), False),
    ("histogram2d_density", lambda x, y: np.histogram2d(x, y, [2, 3], density=True)[0],
     (X5, XP), False),
    ("histogramdd_edges", lambda m: np.histogramdd(m, 3)[1][1], (M34,), False),
]
IDS = [r[0] for r in ROWS]
QUICK = [r for r in ROWS if r[3]]


def _flat_out(out):
    return out


def _assert_values(f, args):
    want = f(*args)
    got, _ = ta.vjp(f, *args)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-12, atol=1e-14,
                               equal_nan=True)


def _finite_args(f, args):
    """NaN inputs stay where they are; derivatives are checked on the finite entries."""
    return args


def _nested_jvp(f, args, tangents, k):
    """dᵏ/dtᵏ f(args + t·tangents) by k nested first-order jvps (order-1 rules only)."""
    def d(j):
        if j == 0:
            return lambda *a: f(*a)
        inner = d(j - 1)
        return lambda *a: ta.jvp(inner, a, tangents)[1]
    return d(k)(*args)


def _taylor_vs_nested(f, args, K):
    rng = np.random.default_rng(3)
    tangents = tuple(np.where(np.isnan(a), 0.0, rng.standard_normal(np.shape(a)))
                     for a in args)
    ds = ta.derivatives(lambda a: f(*a), tuple(np.asarray(a, float) for a in args), tangents, K)
    for k in range(1, K + 1):
        want = np.asarray(_nested_jvp(f, args, tangents, k))
        np.testing.assert_allclose(np.asarray(ds[k]), want, rtol=1e-9, atol=1e-10,
                                   equal_nan=True, err_msg=f"order {k}")


def _nan_safe(f, args):
    """For inputs with NaN, the checks perturb only finite entries and compare finite outputs."""
    return f, args


def _check_row(f, args, K):
    args = tuple(np.asarray(a, dtype=np.float64) for a in args)
    _assert_values(f, args)
    has_nan = any(np.isnan(a).any() for a in args)
    if not has_nan:
        check_grads(f, args, rtol=1e-5, atol=1e-7)
    else:  # NaN inputs: a finite output's derivatives along finite directions
        rng = np.random.default_rng(0)
        v = tuple(np.where(np.isnan(a), 0.0, rng.standard_normal(a.shape)) for a in args)
        _, t = ta.jvp(f, args, v)
        eps = 1e-6
        plus = np.asarray(f(*[np.where(np.isnan(a), a, a + eps * u) for a, u in zip(args, v)]))
        minus = np.asarray(f(*[np.where(np.isnan(a), a, a - eps * u) for a, u in zip(args, v)]))
        fd = (plus - minus) / (2 * eps)
        ok = np.isfinite(fd)
        np.testing.assert_allclose(np.asarray(t)[ok], fd[ok], rtol=1e-5, atol=1e-6)
    # second order: HVP of a random weighting of the output, in the first argument
    out = np.asarray(f(*args))
    w = np.random.default_rng(5).standard_normal(out.shape)
    w = np.where(np.isfinite(out), w, 0.0)
    rest = args[1:]
    x0 = args[0]
    if not has_nan:
        def scalar(x):
            return np.sum(np.where(np.isfinite(out), f(x, *rest), 0.0) * w)

        check_hvp(scalar, x0, rtol=1e-4, atol=1e-6)
        # grad of grad: ∇⟨∇f, u⟩ = H·u against differences of the gradient
        u = np.random.default_rng(6).standard_normal(x0.shape)
        gg = ta.grad(lambda x: np.sum(ta.grad(scalar)(x) * u))(x0)
        g = ta.grad(scalar)
        fd = (np.asarray(g(x0 + 1e-5 * u)) - np.asarray(g(x0 - 1e-5 * u))) / 2e-5
        np.testing.assert_allclose(gg, fd, rtol=1e-4, atol=1e-6, err_msg="grad of grad")
    _taylor_vs_nested(f, args, K)


@pytest.mark.parametrize("name,f,args,quick", QUICK, ids=[r[0] for r in QUICK])
def test_surface_quick(name, f, args, quick):
    _check_row(f, args, 3)


@pytest.mark.slow
@pytest.mark.parametrize("name,f,args,quick", ROWS, ids=IDS)
def test_surface_full(name, f, args, quick):
    _check_row(f, args, 4)


@pytest.mark.parametrize("name,f,args,quick", ROWS, ids=IDS)
def test_surface_float32(name, f, args, quick):
    """float32 in, float32 out (DESIGN §6) — or the dtype NumPy itself returns where NumPy
    promotes (interp, cov, a float64 constant operand); values within float32 rounding of
    NumPy's; float32 cotangents for float32 inputs."""
    a32 = tuple(np.asarray(a, dtype=np.float32) for a in args)
    out, pull = ta.vjp(f, *a32)
    want = f(*a32)  # NumPy's own function on plain float32 arrays
    leaves = out if isinstance(out, (tuple, list)) else (out,)
    wleaves = want if isinstance(want, (tuple, list)) else (want,)
    for o, w in zip(leaves, wleaves):
        assert np.asarray(o).dtype in (np.float32, np.asarray(w).dtype), (name, np.asarray(o).dtype)
        np.testing.assert_allclose(np.asarray(o, dtype=np.float64), np.asarray(w, np.float64),
                                   rtol=1e-5, atol=1e-5, equal_nan=True)
    ct = np.where(np.isfinite(np.asarray(out)), 1.0, 0.0).astype(np.asarray(out).dtype)
    g = pull(ct)
    assert all(np.asarray(gi).dtype == np.float32 for gi in g)


# elementwise rows: Taylor rule at order 6 against 50-digit mpmath ------------------------------
def _mp_sinc(x):
    return mp.sincpi(x)


ELEMENTWISE = [
    ("degrees", tnp.degrees, lambda x: x * 180 / mp.pi, (-2.0, 2.0)),
    ("radians", tnp.radians, lambda x: x * mp.pi / 180, (-2.0, 2.0)),
    ("sinc", tnp.sinc, _mp_sinc, (-2.5, 2.5)),
    ("sinc_near0", tnp.sinc, _mp_sinc, (-0.2, 0.2)),
    ("i0", tnp.i0, lambda x: mp.besseli(0, x), (-2.0, 2.0)),
    ("logaddexp2_const", lambda x: tnp.logaddexp2(x, 0.3),
     lambda x: mp.log(2 ** x + 2 ** mp.mpf(0.3), 2), (-2.0, 2.0)),
    ("float_power", lambda x: tnp.float_power(x, 2.5), lambda x: x ** mp.mpf(2.5), (0.3, 2.0)),
    ("ldexp", lambda x: tnp.ldexp(x, 3), lambda x: 8 * x, (-2.0, 2.0)),
    ("fabs", tnp.fabs, mp.fabs, (0.2, 2.0)),
    ("copysign", lambda x: tnp.copysign(x, -1.0), lambda x: -mp.fabs(x), (0.2, 2.0)),
    ("modf_frac", lambda x: tnp.modf(x)[0], lambda x: x - 1, (1.1, 1.9)),
    ("frexp_mantissa", lambda x: tnp.frexp(x)[0], lambda x: x / 4, (2.1, 3.9)),
    ("nextafter", lambda x: tnp.nextafter(x, 5.0), lambda x: x, (-2.0, 2.0)),
    ("fmax", lambda x: tnp.fmax(x, -5.0), lambda x: x, (-2.0, 2.0)),
    ("nan_to_num", tnp.nan_to_num, lambda x: x, (-2.0, 2.0)),
    ("real_conj", lambda x: tnp.real(tnp.conj(x)), lambda x: x, (-2.0, 2.0)),
    ("logaddexp2", lambda x: tnp.logaddexp2(x, x * x),
     lambda x: mp.log(2 ** x + 2 ** (x * x), 2), (-1.5, 1.5)),
]


def _series_mp(f, f_mp, x, v, K, rtol):
    ds = ta.derivatives(f, x, v, K)
    with mp.workdps(50):
        for i in range(x.size):
            ref = mp.taylor(lambda t: f_mp(mp.mpf(float(x[i])) + t * mp.mpf(float(v[i]))), 0, K)
            for k in range(K + 1):
                got = float(np.asarray(ds[k])[i]) / math.factorial(k)
                want = float(ref[k])
                assert abs(got - want) <= rtol * max(1.0, abs(want)), (k, float(x[i]), got, want)


@pytest.mark.parametrize("name,f,f_mp,dom", ELEMENTWISE, ids=[r[0] for r in ELEMENTWISE])
def test_elementwise_taylor_mpmath(name, f, f_mp, dom):
    rng = np.random.default_rng(11)
    x = rng.uniform(*dom, 4)
    if name == "sinc":
        x[0] = 0.0  # the removable singularity: derivatives of every order exist there
    v = rng.uniform(-1.2, 1.2, 4) * min(1.0, (dom[1] - dom[0]) / 2)
    _series_mp(f, f_mp, x, v, 6, 1e-10)
    check_grads(f, (x,))


def test_sort_is_the_active_piece():
    x = np.array([3.0, 1.0, 2.0])
    J = ta.jacrev(lambda x: tnp.sort(x))(x) if hasattr(ta, "jacrev") else None
    if J is not None:
        np.testing.assert_array_equal(np.asarray(J), np.eye(3)[[1, 2, 0]])
    d = ta.derivatives(lambda x: np.sort(x), x, np.array([0.1, 0.2, 0.3]), 3)
    np.testing.assert_allclose(d[1], [0.2, 0.3, 0.1])
    np.testing.assert_allclose(d[2], 0.0)


def test_sinc_derivatives_at_zero():
    # sinc(x) = 1 − (πx)²/6 + (πx)⁴/120 − …: d²/dx² = −π²/3, d⁴/dx⁴ = π⁴/5
    d = ta.derivatives(tnp.sinc, np.array([0.0]), np.array([1.0]), 4)
    np.testing.assert_allclose([float(d[k][0]) for k in range(5)],
                               [1.0, 0.0, -math.pi ** 2 / 3, 0.0, math.pi ** 4 / 5], atol=1e-12)


def test_interp_slope_and_sample_derivatives():
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([1.0, 3.0, 2.0])
    assert float(ta.grad(lambda x: np.interp(x, xp, fp))(0.25)) == pytest.approx(2.0)
    assert float(ta.grad(lambda x: np.interp(x, xp, fp))(2.0)) == pytest.approx(-0.5)
    g = ta.grad(lambda f: np.interp(0.25, xp, f))(fp)
    np.testing.assert_allclose(g, [0.75, 0.25, 0.0])
    assert float(ta.grad(lambda x: np.interp(x, xp, fp))(5.0)) == 0.0  # right of the samples


# zero-derivative functions: traced input, plain output -----------------------------------------
ZERO = [
    ("trunc", lambda x: np.trunc(x)), ("fix", lambda x: np.fix(x)),
    ("argsort", lambda x: np.argsort(x)), ("argwhere", lambda x: np.argwhere(x > 0)),
    ("nonzero", lambda x: np.nonzero(x > 0)[0]), ("flatnonzero", lambda x: np.flatnonzero(x)),
    ("searchsorted", lambda x: np.searchsorted(XP, x)), ("digitize", lambda x: np.digitize(x, XP)),
    ("isfinite", lambda x: np.isfinite(x)), ("isnan", lambda x: np.isnan(x)),
    ("isinf", lambda x: np.isinf(x)), ("signbit", lambda x: np.signbit(x)),
    ("spacing", lambda x: np.spacing(x)), ("count_nonzero", lambda x: np.count_nonzero(x > 0)),
    ("all", lambda x: np.all(x > -5)), ("any", lambda x: np.any(x > 1)),
    ("isclose", lambda x: np.isclose(x, 0.31)), ("allclose", lambda x: np.allclose(x, x)),
    ("argpartition", lambda x: np.argpartition(x, 2)), ("lexsort", lambda x: np.lexsort((x,))),
    ("nanargmax", lambda x: np.nanargmax(x)), ("angle", lambda x: np.angle(x)),
    ("logical_and", lambda x: np.logical_and(x > 0, x < 1)), ("isin", lambda x: np.isin(x, XP)),
    ("array_equal", lambda x: np.array_equal(x, x)), ("array2string", lambda x: np.array2string(x)),
    ("empty_like", lambda x: np.empty_like(x).shape), ("result_type", lambda x: np.result_type(x)),
    ("tril_indices_from", lambda x: np.tril_indices_from(np.outer(x, x))[0]),
]


@pytest.mark.parametrize("name,f", ZERO, ids=[z[0] for z in ZERO])
def test_zero_derivative_functions(name, f):
    seen = {}

    def g(x):
        r = f(x)
        leaves = r if isinstance(r, tuple) else (r,)
        seen["boxed"] = any(isinstance(v, Box) for v in leaves)
        seen["value"] = r
        return np.sum(x * x)

    np.testing.assert_allclose(ta.grad(g)(X5), 2 * X5)
    assert not seen["boxed"]
    want = f(X5)
    if isinstance(want, str):
        assert seen["value"] == want
    else:
        np.testing.assert_array_equal(np.asarray(seen["value"], dtype=object),
                                      np.asarray(want, dtype=object))


# clear errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("f,words", [
    (lambda x: np.fft.fft(x), ["numpy.fft.fft", "complex", "taylorad"]),
    (lambda x: np.fft.rfft(x), ["numpy.fft.rfft", "not supported"]),
    (lambda x: np.put(x, [0], 1.0), ["in place"]),
    (lambda x: np.unique(x), ["unique", "not differentiable"]),
    (lambda x: np.histogram(x, "auto"), ["histogram", "estimators"]),
    (lambda x: np.real(x.astype(np.complex128)), ["complex"]),
    (lambda x: np.quantile(x, 0.5, method="nearest"), ["method", "linear"]),
])
def test_clear_errors(f, words):
    with pytest.raises((TypeError, ValueError)) as info:
        ta.grad(lambda x: np.sum(f(x)))(X5)
    msg = str(info.value)
    for w in words:
        assert w in msg, msg


# batched (Hessian) and collapsed (Laplacian) Taylor modes through the new compositions ------------
BATCHED = {
    "median": lambda x: np.median(x * x * x),
    "sort": lambda x: np.sum(np.sort(x)[:3] ** 3),
    "sinc": lambda x: np.sum(np.sinc(x)),
    "interp": lambda x: np.sum(np.interp(x ** 2, [0, 1, 2, 5.0], [1, 3, 2, 0.0]) ** 2),
    "cumprod": lambda x: np.sum(np.cumprod(x)),
    "convolve": lambda x: np.sum(np.convolve(x, x) ** 2),
    "nanmean": lambda x: np.nanmean(np.where(x > 0, x * x, np.nan)),
}


@pytest.mark.parametrize("name", sorted(BATCHED))
def test_hessian_and_laplacian_through_compositions(name):
    f = BATCHED[name]
    g = ta.grad(f)
    eps = 1e-5
    H_fd = np.array([(g(X5 + eps * e) - g(X5 - eps * e)) / (2 * eps) for e in np.eye(5)])
    np.testing.assert_allclose(ta.hessian(f)(X5), H_fd, rtol=1e-6, atol=1e-7)
    assert float(ta.laplacian(f)(X5)) == pytest.approx(np.trace(H_fd), rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("fn,msg", [
    (np.nanmax, "All-NaN slice"), (np.nanmin, "All-NaN slice"), (np.nanmean, "empty slice"),
    (np.nanvar, "Degrees of freedom"), (np.nanmedian, "All-NaN slice"),
    (lambda m, axis: np.nanpercentile(m, 30, axis=axis), "All-NaN slice"),
])
def test_all_nan_slices_warn_as_numpy_does(fn, msg):
    """An all-NaN slice gives NaN with NumPy's RuntimeWarning, never a silent NaN or a value."""
    m = np.array([[np.nan, np.nan], [1.0, 2.0]])
    with pytest.warns(RuntimeWarning, match=msg):
        got, pull = ta.vjp(lambda m: fn(m, axis=1), m)
    assert np.isnan(got[0]) and np.isfinite(got[1])
    g = pull(np.array([0.0, 1.0]))[0]
    np.testing.assert_array_equal(g[0], [0.0, 0.0])
    assert np.all(np.isfinite(g))


@pytest.mark.parametrize("f", [lambda x: np.median(x), lambda x: np.sum(np.sort(x)[:2] ** 2),
                               lambda x: np.sum(np.interp(x, XP, XP ** 2)),
                               lambda x: np.nanmax(np.where(x > 0, x, np.nan))],
                         ids=["median", "sort", "interp", "nanmax"])
def test_jit_never_replays_a_stale_order(f):
    """Value-dependent choices (the sorted order, the active segment) cannot be recorded: under
    taylorad.jit each call is right for its own input, a replay never reuses another's order."""
    import warnings

    jf = ta.jit(ta.grad(f))
    a = np.array([3.0, 1.0, 2.0, 0.5])
    b = np.array([0.2, 2.5, 1.4, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for x in (a, b, a):
            np.testing.assert_allclose(jf(x), ta.grad(f)(x), rtol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sinc", "sinc_near0", "i0", "logaddexp2"])
def test_elementwise_order_8(name):
    row = next(r for r in ELEMENTWISE if r[0] == name)
    x = np.random.default_rng(9).uniform(*row[3], 3)
    _series_mp(row[1], row[2], x, np.full(3, 0.4), 8, 1e-9)


@pytest.mark.parametrize("call, match", [
    (lambda: tnp.convolve(np.ones((2, 2)), np.ones(3)), r"convolve: a and v must be 1-D"),
    (lambda: tnp.correlate(np.ones(3), np.ones((3, 1))), r"correlate: a and v must be 1-D"),
    (lambda: tnp.trapezoid(np.ones(3), np.ones(4)), r"trapezoid: x of shape \(4,\)"),
    (lambda: tnp.gradient(np.ones(3), 1.0, 2.0), r"gradient: invalid number.*one per axis"),
])
def test_calculus_entry_errors(call, match):
    """Bad input is refused at the public function, naming it and the fix (NumPy refuses
    the same calls)."""
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# ---------------------------------------------------------------------------------------------
# found in review: each failed (or was quietly wrong) before its fix


def test_concat_axis_none_flattens_like_numpy():
    a, b = np.arange(4.0).reshape(2, 2), np.array([[5.0, 6.0]])
    np.testing.assert_array_equal(tnp.concat([a, b], axis=None), np.concat([a, b], axis=None))
    g = ta.grad(lambda x: tnp.sum(tnp.concat([x, 2.0 * x], axis=None) ** 2))(a)
    np.testing.assert_allclose(g, 10.0 * a)  # d/dx (x² + 4x²)


def test_geomspace_keeps_the_sign_on_any_axis_when_traced():
    start, stop = -np.array([1.0, 2.0]), -np.array([100.0, 50.0])
    for axis in (0, 1, -1):
        out, tan = ta.jvp(lambda s: tnp.geomspace(s, stop, 3, axis=axis), (start,),
                          (np.ones(2),))
        np.testing.assert_allclose(out, np.geomspace(start, stop, 3, axis=axis), rtol=1e-14)
        h = 1e-6
        fd = (np.geomspace(start + h, stop, 3, axis=axis)
              - np.geomspace(start - h, stop, 3, axis=axis)) / (2 * h)
        np.testing.assert_allclose(tan, fd, rtol=1e-7)


def test_nextafter_at_infinity_is_numpys_value():
    x = np.array([1.0, np.inf, -np.inf])
    np.testing.assert_array_equal(tnp.nextafter(x, 0.0), np.nextafter(x, 0.0))
    f, g = ta.value_and_grad(lambda v: tnp.sum(tnp.nextafter(v, 0.0) * np.array([1.0, 0, 0])))(x)
    assert float(f) == np.nextafter(1.0, 0.0) and g.tolist() == [1.0, 0.0, 0.0]
    np.testing.assert_array_equal(ta.jvp(lambda v: tnp.nextafter(v, 0.0), (x,), (np.ones(3),))[0],
                                  np.nextafter(x, 0.0))


def test_polysub_errors_name_polysub():
    with pytest.raises(ValueError, match="taylorad.numpy.polysub:"):
        tnp.polysub([[1.0]], [1.0])


@pytest.mark.parametrize("fname", ["percentile", "nanpercentile"])
def test_traced_percentile_level_is_an_error_not_a_zero_derivative(fname):
    fn = getattr(tnp, fname)
    with pytest.raises(TypeError, match=f"taylorad.numpy.{fname}: q cannot be traced"):
        ta.grad(lambda q: fn(np.arange(4.0), q))(50.0)


@pytest.mark.parametrize("fname", ["nanquantile", "nanpercentile"])
def test_nan_quantiles_refuse_out_and_weights_like_quantile(fname):
    fn = getattr(tnp, fname)
    with pytest.raises(TypeError, match=f"taylorad.numpy.{fname}: out= and weights="):
        fn(np.arange(4.0), 0.5, weights=np.ones(4))
    with pytest.raises(TypeError, match=f"taylorad.numpy.{fname}: out= and weights="):
        fn(np.arange(4.0), 0.5, out=np.empty(()))


def test_cov_refuses_a_y_with_more_than_two_dimensions_like_m():
    with pytest.raises(ValueError, match="taylorad.numpy.cov: y has more than 2 dimensions"):
        tnp.cov(np.ones((2, 3)), np.ones((1, 2, 3)))
