"""taylorad.scipy.special's gamma family, erfinv, erfcx, ndtr/log_ndtr, xlog1py, betaln and
taylorad.scipy.stats (norm, multivariate_normal), one table row each, against independent
references: values against SciPy itself, Taylor coefficients at orders 1..6 against 50-digit
mpmath, VJP/JVP against central differences, HVP against differences of the gradient, and
SciPy's own ufuncs called on traced values."""
import math

import mpmath as mp
import numpy as np
import pytest
import scipy.special as ss
import scipy.stats as st

import taylorad as ta
import taylorad.scipy.special as tss
from taylorad.scipy.stats import multivariate_normal, norm
from taylorad.testing import check_grads, check_hvp

UNARY = [  # (id, taylorad, scipy, mpmath, domain)
    ("gammaln", tss.gammaln, ss.gammaln, lambda x: mp.log(abs(mp.gamma(x))), (0.3, 6.0)),
    ("gammaln_negative", tss.gammaln, ss.gammaln, lambda x: mp.log(abs(mp.gamma(x))),
     (-2.8, -2.2)),
    ("digamma", tss.digamma, ss.digamma, mp.digamma, (0.3, 6.0)),
    ("psi", tss.psi, ss.psi, mp.digamma, (-0.8, -0.2)),
    ("polygamma1", lambda x: tss.polygamma(1, x), lambda x: ss.polygamma(1, x),
     lambda x: mp.polygamma(1, x), (0.3, 6.0)),
    ("polygamma3", lambda x: tss.polygamma(3, x), lambda x: ss.polygamma(3, x),
     lambda x: mp.polygamma(3, x), (0.5, 4.0)),
    ("gamma", tss.gamma, ss.gamma, mp.gamma, (0.3, 4.0)),
    ("erfinv", tss.erfinv, ss.erfinv, mp.erfinv, (-0.9, 0.9)),
    ("erfcx", tss.erfcx, ss.erfcx, lambda x: mp.exp(x * x) * mp.erfc(x), (-1.5, 4.0)),
    ("ndtr", tss.ndtr, ss.ndtr, mp.ncdf, (-3.0, 3.0)),
    ("log_ndtr", tss.log_ndtr, ss.log_ndtr, lambda x: mp.log(mp.ncdf(x)), (-4.0, 4.0)),
    ("log_ndtr_left_tail", tss.log_ndtr, ss.log_ndtr, lambda x: mp.log(mp.ncdf(x)),
     (-30.0, -20.0)),
    ("logit", tss.logit, ss.logit, lambda x: mp.log(x / (1 - x)), (0.1, 0.9)),
    ("xlog1py_const", lambda y: tss.xlog1py(1.7, y), lambda y: ss.xlog1py(1.7, y),
     lambda y: mp.mpf(1.7) * mp.log1p(y), (-0.5, 2.0)),
    ("norm.logcdf", norm.logcdf, st.norm.logcdf, lambda x: mp.log(mp.ncdf(x)), (-6.0, 6.0)),
    ("norm.pdf_loc_scale", lambda x: norm.pdf(x, 0.3, 1.7), lambda x: st.norm.pdf(x, 0.3, 1.7),
     lambda x: mp.npdf(x, mp.mpf(0.3), mp.mpf(1.7)), (-3.0, 3.0)),
    ("norm.cdf_loc_scale", lambda x: norm.cdf(x, 0.3, 1.7), lambda x: st.norm.cdf(x, 0.3, 1.7),
     lambda x: mp.ncdf(x, mp.mpf(0.3), mp.mpf(1.7)), (-3.0, 3.0)),
    ("norm.logpdf", norm.logpdf, st.norm.logpdf, lambda x: mp.log(mp.npdf(x)), (-3.0, 3.0)),
    ("norm.sf", norm.sf, st.norm.sf, lambda x: 1 - mp.ncdf(x), (-3.0, 3.0)),
    ("norm.ppf", norm.ppf, st.norm.ppf, lambda q: mp.sqrt(2) * mp.erfinv(2 * q - 1), (0.1, 0.9)),
]
QUICK = {"gammaln", "digamma", "polygamma1", "erfinv", "log_ndtr_left_tail", "norm.logcdf"}


def _mp_series(f, f_mp, x, v, K, rtol):
    ds = ta.derivatives(f, x, v, K)
    with mp.workdps(50):
        for i in range(x.size):
            ref = mp.taylor(lambda t: f_mp(mp.mpf(float(x[i])) + t * mp.mpf(float(v[i]))), 0, K)
            for k in range(K + 1):
                got = float(np.asarray(ds[k])[i]) / math.factorial(k)
                want = float(ref[k])
                assert abs(got - want) <= rtol * max(1.0, abs(want)), (k, float(x[i]), got, want)


def _check_unary(name, f, f_sp, f_mp, dom, K):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    x = rng.uniform(*dom, 3)
    np.testing.assert_allclose(f(x), f_sp(x), rtol=1e-13, atol=1e-300)
    _mp_series(f, f_mp, x, rng.uniform(-0.2, 0.2, 3) * (dom[1] - dom[0]) / 2, K, 1e-9)
    check_grads(lambda x: f(x), (x,), rtol=1e-5)
    check_hvp(lambda x: np.sum(f(x)), x, rtol=1e-4)


@pytest.mark.parametrize("name,f,f_sp,f_mp,dom", [r for r in UNARY if r[0] in QUICK],
                         ids=[r[0] for r in UNARY if r[0] in QUICK])
def test_special_quick(name, f, f_sp, f_mp, dom):
    _check_unary(name, f, f_sp, f_mp, dom, 4)


@pytest.mark.slow
@pytest.mark.parametrize("name,f,f_sp,f_mp,dom", UNARY, ids=[r[0] for r in UNARY])
def test_special_full(name, f, f_sp, f_mp, dom):
    _check_unary(name, f, f_sp, f_mp, dom, 6)


@pytest.mark.parametrize("name,f,f_sp,f_mp,dom", UNARY, ids=[r[0] for r in UNARY])
def test_special_float32(name, f, f_sp, f_mp, dom):
    x = np.random.default_rng(1).uniform(*dom, 3).astype(np.float32)
    y, pull = ta.vjp(f, x)
    assert np.asarray(y).dtype == np.float32
    np.testing.assert_allclose(y, f_sp(x.astype(np.float64)), rtol=2e-5, atol=1e-30)
    assert np.asarray(pull(np.ones(3, np.float32))[0]).dtype == np.float32


BINARY = [
    ("betaln", tss.betaln, ss.betaln, lambda a, b: mp.log(mp.beta(a, b)), (0.4, 5.0)),
    ("xlog1py", tss.xlog1py, ss.xlog1py, lambda x, y: x * mp.log1p(y), (0.1, 2.0)),
    ("xlogy", tss.xlogy, ss.xlogy, lambda x, y: x * mp.log(y), (0.1, 2.0)),
]


@pytest.mark.parametrize("name,f,f_sp,f_mp,dom", BINARY, ids=[r[0] for r in BINARY])
def test_special_binary(name, f, f_sp, f_mp, dom):
    rng = np.random.default_rng(4)
    a, b = rng.uniform(*dom, 3), rng.uniform(*dom, 3)
    np.testing.assert_allclose(f(a, b), f_sp(a, b), rtol=1e-13)
    va, vb = rng.uniform(-0.3, 0.3, 3), rng.uniform(-0.3, 0.3, 3)
    K = 5
    ds = ta.derivatives(lambda ab: f(*ab), (a, b), (va, vb), K)
    with mp.workdps(50):
        for i in range(3):
            ref = mp.taylor(lambda t: f_mp(mp.mpf(a[i]) + t * mp.mpf(va[i]),
                                           mp.mpf(b[i]) + t * mp.mpf(vb[i])), 0, K)
            for k in range(K + 1):
                got = float(np.asarray(ds[k])[i]) / math.factorial(k)
                assert abs(got - float(ref[k])) <= 1e-9 * max(1.0, abs(float(ref[k]))), (k, i)
    check_grads(f, (a, b))


def test_scipy_ufuncs_dispatch_on_traced_values():
    """scipy.special's own ufuncs called on traced values reach taylorad.scipy.special."""
    x = np.array([0.7, 1.9, 3.2])
    cases = [(ss.gammaln, ss.digamma), (ss.digamma, lambda x: ss.polygamma(1, x)),
             (ss.psi, lambda x: ss.polygamma(1, x)),
             (ss.gamma, lambda x: ss.gamma(x) * ss.digamma(x)),
             (ss.erfinv, lambda x: None), (ss.ndtr, lambda x: np.exp(-x * x / 2) /
                                            np.sqrt(2 * np.pi)),
             (ss.log_ndtr, lambda x: np.exp(-x * x / 2) / np.sqrt(2 * np.pi) / ss.ndtr(x)),
             (ss.erfcx, lambda x: 2 * x * ss.erfcx(x) - 2 / np.sqrt(np.pi))]
    for fn, d in cases:
        xx = x / 4 if fn is ss.erfinv else x
        g = ta.grad(lambda x: np.sum(fn(x)))(xx)
        want = d(xx) if fn is not ss.erfinv else np.sqrt(np.pi) / 2 * np.exp(ss.erfinv(xx) ** 2)
        np.testing.assert_allclose(g, want, rtol=1e-12, err_msg=fn.__name__)
    g = ta.grad(lambda a: np.sum(ss.betaln(a, 2.5) + ss.xlog1py(a, 0.5) + ss.xlogy(a, 2.0)))(x)
    np.testing.assert_allclose(g, ss.digamma(x) - ss.digamma(x + 2.5) + np.log1p(0.5) +
                               np.log(2.0), rtol=1e-12)


def test_norm_with_traced_loc_and_scale():
    x, loc, scale = np.array([-0.4, 1.3]), 0.2, 1.6
    for fn, ref in [(norm.logpdf, st.norm.logpdf), (norm.cdf, st.norm.cdf),
                    (norm.logcdf, st.norm.logcdf), (norm.pdf, st.norm.pdf)]:
        np.testing.assert_allclose(fn(x, loc, scale), ref(x, loc, scale), rtol=1e-13)
        check_grads(lambda x, m, s: fn(x, m, s), (x, np.float64(loc), np.float64(scale)))
    # d/dscale of logpdf = −1/s + z²/s
    z = (x - loc) / scale
    g = ta.grad(lambda s: np.sum(norm.logpdf(x, loc, s)))(scale)
    assert float(g) == pytest.approx(float(np.sum(-1 / scale + z * z / scale)), rel=1e-12)


def test_multivariate_normal_logpdf():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((3, 3))
    cov = A @ A.T + 3 * np.eye(3)
    mean = rng.standard_normal(3)
    X = rng.standard_normal((4, 3))
    want = st.multivariate_normal.logpdf(X, mean, cov)
    np.testing.assert_allclose(multivariate_normal.logpdf(X, mean, cov), want, rtol=1e-12)
    np.testing.assert_allclose(multivariate_normal.logpdf(X[0], mean, cov), want[0], rtol=1e-12)
    np.testing.assert_allclose(multivariate_normal.logpdf(X, mean, np.diag(cov)),
                               st.multivariate_normal.logpdf(X, mean, np.diag(cov)), rtol=1e-12)
    # gradient in x: −Σ⁻¹(x − μ); in μ: +Σ⁻¹(x − μ); in Σ (symmetric perturbations):
    # ½(Σ⁻¹(x−μ)(x−μ)ᵀΣ⁻¹ − Σ⁻¹)
    S = np.linalg.inv(cov)
    d = X[0] - mean
    np.testing.assert_allclose(ta.grad(lambda x: multivariate_normal.logpdf(x, mean, cov))(X[0]),
                               -S @ d, rtol=1e-12)
    np.testing.assert_allclose(ta.grad(lambda m: multivariate_normal.logpdf(X[0], m, cov))(mean),
                               S @ d, rtol=1e-12)
    G = ta.grad(lambda c: multivariate_normal.logpdf(X[0], mean, c))(cov)
    np.testing.assert_allclose(G, 0.5 * (S @ np.outer(d, d) @ S - S), rtol=1e-10, atol=1e-12)
    check_grads(lambda x, m, c: multivariate_normal.logpdf(x, m, c), (X, mean, cov))
    check_hvp(lambda c: multivariate_normal.logpdf(X[1], mean, c), cov, rtol=1e-4)
    with pytest.raises(ValueError, match="allow_singular"):
        multivariate_normal.logpdf(X, mean, cov, allow_singular=True)
    with pytest.raises(ValueError, match="positive definite"):
        multivariate_normal.logpdf(X, mean, -cov)


def test_polygamma_rejects_bad_order():
    with pytest.raises(ValueError, match="non-negative integer"):
        tss.polygamma(1.5, np.array([1.0]))
    with pytest.raises(TypeError, match="complex"):
        ta.grad(lambda x: np.sum(tss.gammaln(x)))(np.array([1.0 + 1j]))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gammaln", "digamma", "gamma", "erfinv", "log_ndtr",
                                  "log_ndtr_left_tail", "polygamma3"])
def test_special_order_8(name):
    """Order 8 against 50-digit mpmath (the recursions of the raised rules, deep)."""
    row = next(r for r in UNARY if r[0] == name)
    rng = np.random.default_rng(8)
    x = rng.uniform(*row[4], 2)
    _mp_series(row[1], row[3], x, np.full(2, 0.3), 8, 1e-8)


def test_primitive_family_concurrent_first_use():
    """Members of the polygamma and Bessel-I families are built on first use: threads asking
    for the same new members at once all get one complete primitive each (its rules in place),
    and the derivatives agree with mpmath."""
    from concurrent.futures import ThreadPoolExecutor

    from taylorad.core.rules import primitive_family
    from taylorad.numpy import realfuncs
    from taylorad.scipy import special

    x = 0.7
    want_psi = [float(mp.polygamma(n, x)) for n in range(2, 10)]
    want_i0 = [float(mp.diff(lambda t: mp.besseli(0, t), x, k)) for k in range(9)]

    def work(i):
        n = 2 + i % 4  # d/dx ψ⁽ⁿ⁾ = ψ⁽ⁿ⁺¹⁾, up to order 4 more: ψ⁽ⁿ⁺⁴⁾ is a new member
        d = ta.derivatives(lambda t: tss.polygamma(n, t), np.float64(x), np.float64(1.0), 4)
        b = ta.derivatives(realfuncs.i0, np.float64(x), np.float64(1.0), 8)
        return n, [float(v) for v in d], [float(v) for v in b]

    with ThreadPoolExecutor(12) as pool:  # an exception in a thread re-raises here
        got = list(pool.map(work, range(12)))
    for n, d, b in got:
        np.testing.assert_allclose(d, want_psi[n - 2:n + 3], rtol=1e-9)
        np.testing.assert_allclose(b, want_i0, rtol=1e-9)
    assert all(p.name == f"polygamma{k}" for k, p in special._polygamma.members.items() if k)

    calls = []

    def make(n):
        calls.append(n)
        if n < 0:
            raise ValueError("bad member")
        return object()

    fam = primitive_family(make)
    with pytest.raises(ValueError):
        fam(-1)
    assert -1 not in fam.members  # a failed build leaves nothing behind
    assert fam(2) is fam(2) and calls == [-1, 2]
