"""The CuPy backend.

Everywhere: ``import taylorad`` never imports cupy, numpy and cupy mixed in one call raise at
entry, the kernel loader finds its sources (checkout and wheel layouts) and rejects bad requests.
With a GPU (``gpu`` marker, skipped otherwise): every fused kernel against the composed rule at
K = 1..8 in float32 and float64, and grad / derivatives / hvp on numpy and cupy.
"""
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import mpmath
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp
from taylorad.core.taylor import TaylorBox, TaylorTrace
from taylorad.cuda import KERNELS, MAX_K, kernel_dir, kernel_source
from taylorad.cuda.loader import name_expression

from kernel_cases import UNARY, composed

ROOT = Path(__file__).resolve().parent.parent


def _gpu_skip_reason():
    try:
        import cupy  # noqa: PLC0415
    except Exception as err:  # noqa: BLE001 - any failure means: no usable cupy
        return f"cupy is not importable ({type(err).__name__}: {err}); pip install 'taylorad[cuda]'"
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # noqa: BLE001
        return f"cupy is installed but no CUDA device is usable ({type(err).__name__}: {err})"
    return None if n > 0 else "cupy is installed but there is no CUDA device"


@pytest.fixture(scope="module")
def cp():
    reason = _gpu_skip_reason()
    if reason:
        pytest.skip(reason)
    import cupy  # noqa: PLC0415

    return cupy


@pytest.fixture(params=["numpy", pytest.param("cupy", marks=pytest.mark.gpu)])
def xp(request):
    if request.param == "numpy":
        return np
    return request.getfixturevalue("cp")


def _host(a):
    return a.get() if hasattr(a, "get") else np.asarray(a)


# ---------------------------------------------------------------------------------------------
# without a GPU


def test_import_taylorad_never_imports_cupy():
    """Import every taylorad module and run Taylor/grad/hvp on numpy: no attempt to import cupy."""
    code = textwrap.dedent("""
        import importlib, pkgutil, sys
        attempts = []
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "cupy" or name.startswith("cupy.") or name.startswith("cupy_"):
                    attempts.append(name)
                    raise ImportError("blocked by the test: " + name)
        sys.meta_path.insert(0, Block())
        import numpy as np
        import taylorad, taylorad.numpy as tnp
        broken = []
        for m in pkgutil.walk_packages(taylorad.__path__, "taylorad."):
            try:
                importlib.import_module(m.name)
            except Exception as err:
                broken.append((m.name, repr(err)))
        x = np.linspace(0.1, 0.9, 5)
        f = lambda x: tnp.sum(tnp.exp(x) * tnp.tanh(x) / tnp.sqrt(x) + tnp.power(x, 2.5))
        taylorad.derivatives(f, x, np.ones(5), 8)
        taylorad.grad(f)(x)
        taylorad.hvp(f, x, np.ones(5))
        print("ATTEMPTS", attempts)
        print("CUPY_LOADED", any(k == "cupy" or k.startswith("cupy.") for k in sys.modules))
        print("BROKEN", broken)
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr
    assert "ATTEMPTS []" in res.stdout, res.stdout
    assert "CUPY_LOADED False" in res.stdout, res.stdout
    assert "taylorad.cuda" not in res.stdout.split("BROKEN")[1], res.stdout


class _FakeCupyArray:
    """Looks like a cupy array to the backend check (its type's module is 'cupy')."""

    __module__ = "cupy._core.core"

    def __init__(self, a):
        self._a = np.asarray(a)
        self.dtype, self.shape, self.ndim = self._a.dtype, self._a.shape, self._a.ndim


@pytest.mark.parametrize("call", ["grad", "derivatives", "hvp", "jvp", "jet"])
def test_numpy_and_cupy_mixed_raise_at_entry(call):
    x = np.linspace(0.1, 0.9, 4)
    fake = _FakeCupyArray(x)

    def f(a, b=None):
        return tnp.sum(a * a)

    calls = {
        "grad": lambda: ta.grad(lambda a, b: tnp.sum(a * b), argnums=(0, 1))(x, fake),
        "derivatives": lambda: ta.derivatives(f, x, fake, 3),
        "hvp": lambda: ta.hvp(f, x, fake),
        "jvp": lambda: ta.jvp(f, (x,), (fake,)),
        "jet": lambda: ta.jet(lambda a, b: a * b, (x, fake), ((x,), (x,))),
    }
    with pytest.raises(TypeError, match="numpy and cupy arrays are mixed"):
        calls[call]()


def test_kernel_table_covers_the_issue_primitives():
    wanted = {"exp", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "sigmoid", "arctanh",
              "sqrt", "power", "multiply", "divide"}
    assert wanted <= set(KERNELS)
    for name in KERNELS:  # each entry names a taylorad primitive the fast path can reach
        assert getattr(tnp, name).name == name


def test_kernel_sources_found_in_checkout_with_line_directive():
    d = kernel_dir()
    assert d == ROOT / "kernels"
    for spec in KERNELS.values():
        src = kernel_source(spec.file)
        first, rest = src.split("\n", 1)
        assert first == f'#line 1 "{(d / spec.file).as_posix()}"'
        # the header is expanded in place (the compile cache keys on this string) ...
        assert '#include "taylor_common.cuh"' not in rest
        assert (d / "taylor_common.cuh").read_text() in rest
        assert f'#line 1 "{(d / "taylor_common.cuh").as_posix()}"' in rest
        # ... and everything else is the file itself, line for line
        body = rest.split('#line ', 2)[-1].split("\n", 1)[1]
        assert (d / spec.file).read_text().endswith(body)


def test_kernel_sources_found_in_wheel_layout(tmp_path):
    """An installed wheel has taylorad/kernels (pyproject force-include); the loader uses it."""
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = conf["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include.get("kernels") == "taylorad/kernels"
    site = tmp_path / "site"
    shutil.copytree(ROOT / "taylorad", site / "taylorad",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "kernels", site / "taylorad" / "kernels")
    code = "import taylorad.cuda as c; print(c.kernel_dir())"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)}, timeout=120)
    assert res.returncode == 0, res.stderr
    assert Path(res.stdout.strip()) == site / "taylorad" / "kernels"


def test_name_expression_and_bad_requests():
    assert name_expression("exp", np.float32, 8) == "taylorad::taylor_unary<taylorad::Exp, float, 8>"
    assert name_expression("divide", np.float64, 3) == "taylorad::taylor_divide<double, 3>"
    with pytest.raises(TypeError, match="float32 and float64"):
        name_expression("exp", np.float16, 4)
    with pytest.raises(ValueError, match=f"1..{MAX_K}"):
        name_expression("exp", np.float32, MAX_K + 1)
    with pytest.raises(ValueError, match="no fused kernel for 'square'"):
        name_expression("square", np.float32, 4)


def test_use_fused_rejects_non_bool():
    from taylorad.cuda import use_fused  # noqa: PLC0415

    with pytest.raises(TypeError, match="use_fused"):
        use_fused("no")


# ---------------------------------------------------------------------------------------------
# on a GPU: fused kernels against the composed rule

CASES = UNARY + ["power:3", "power:2.5", "power:-1.5", "multiply", "divide"]


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("batch", [(), (3,)], ids=["nobatch", "batch3"])
@pytest.mark.parametrize("case", CASES)
def test_fused_kernel_equals_composed_rule(cp, case, dtype, batch):
    from taylorad.cuda import launches, use_fused  # noqa: PLC0415

    name = case.split(":")[0]
    rng = np.random.default_rng(1)
    for K in (1, 2, 3, 5, 8):  # each (kernel, dtype, K) is one NVRTC compile
        m = 1000
        x0 = cp.asarray(rng.uniform(0.2, 0.8, m).astype(dtype))
        S = cp.asarray(rng.uniform(-0.5, 0.5, (K, *batch, m)).astype(dtype))
        b0 = cp.asarray(rng.uniform(0.5, 1.5, m).astype(dtype))
        Sb = cp.asarray(rng.uniform(-0.3, 0.3, (K, *batch, m)).astype(dtype))
        before = launches[name]
        y0, got = composed(case, K, batch, x0, S, b0, Sb)
        assert launches[name] == before + (K >= 2), "the fused kernel was not used"
        with use_fused(False):
            y0_ref, ref = composed(case, K, batch, x0, S, b0, Sb)
        assert launches[name] == before + (K >= 2)
        assert isinstance(got, cp.ndarray) and got.dtype == dtype and got.shape == ref.shape
        got, ref = cp.asnumpy(got).astype(np.float64), cp.asnumpy(ref).astype(np.float64)
        scale = np.max(np.abs(ref), axis=tuple(range(1, ref.ndim)), keepdims=True)
        err = np.abs(got - ref) / scale
        assert err.max() <= (1e-12 if dtype == np.float64 else 5e-5), (K, err.max())


@pytest.mark.gpu
def test_fused_falls_back_beyond_max_k_and_for_broadcasting(cp):
    from taylorad.cuda import launches  # noqa: PLC0415

    x0 = cp.linspace(0.1, 0.9, 7)
    before = dict(launches)
    K = MAX_K + 2
    # exp(x0 + t): coefficients exp(x0)/k!
    _, S = composed("exp", K, (), x0, cp.stack([cp.ones(7)] + [cp.zeros(7)] * (K - 1)))
    fact = np.cumprod(np.arange(1.0, K + 1))
    np.testing.assert_allclose(cp.asnumpy(S), np.exp(cp.asnumpy(x0))[None] / fact[:, None],
                               rtol=1e-13)
    assert launches["exp"] == before.get("exp", 0)
    tr = TaylorTrace(4)
    with tr:  # (7,) * (1,) broadcasts: composed rule, correct values
        out = TaylorBox(x0, cp.ones((4, 7)), tr) * TaylorBox(x0[:1], cp.ones((4, 1)), tr)
    assert launches["multiply"] == before.get("multiply", 0)
    # coefficient 2 of (x0[3] + t + t² + …)(x0[0] + t + t² + …) = x0[0] + 1 + x0[3]
    assert float(out._series[1, 3]) == pytest.approx(0.1 + 1.0 + 0.5)


# ---------------------------------------------------------------------------------------------
# the main transforms on numpy and cupy


def _f(x):
    return tnp.sum(tnp.log(1.0 + x * x) * tnp.sigmoid(x))


def _mp_f(u):
    return mpmath.log(1 + u * u) / (1 + mpmath.exp(-u))


def test_grad_on_backend(xp):
    x = xp.asarray(np.linspace(-1.0, 1.5, 6))
    g = ta.grad(_f)(x)
    assert type(g) is type(x)
    for i, xi in enumerate(_host(x)):
        with mpmath.workdps(40):
            ref = float(mpmath.diff(_mp_f, xi))
        assert float(_host(g)[i]) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("order", [2, 8])
def test_derivatives_on_backend(xp, order):
    x0 = np.linspace(-1.0, 1.5, 5)
    x, v = xp.asarray(x0), xp.asarray(np.ones(5))
    ds = ta.derivatives(lambda a: tnp.log(1.0 + a * a) * tnp.sigmoid(a), x, v, order)
    assert all(type(d) is type(x) for d in ds)
    for i, xi in enumerate(x0):
        with mpmath.workdps(50):
            ref = mpmath.diffs(_mp_f, xi, order)
            ref = [float(r) for r in ref]
        for k in range(order + 1):
            assert float(_host(ds[k])[i]) == pytest.approx(ref[k], rel=1e-9, abs=1e-11)


def _mlp_loss(params, x):
    W1, W2, W3 = params
    h = tnp.tanh(tnp.matmul(x, W1))
    h = tnp.tanh(tnp.matmul(h, W2))
    return tnp.sum(tnp.square(tnp.matmul(h, W3)))


def test_hvp_on_backend(xp):
    rng = np.random.default_rng(3)
    shapes = [(4, 6), (6, 5), (5, 2)]
    P = [rng.standard_normal(s) * 0.5 for s in shapes]
    V = [rng.standard_normal(s) for s in shapes]
    X = rng.standard_normal((3, 4))
    Hv = ta.hvp(lambda p: _mlp_loss(p, xp.asarray(X)), tuple(xp.asarray(a) for a in P),
                tuple(xp.asarray(a) for a in V))
    assert all(type(h) is type(xp.asarray(P[0])) for h in Hv)
    # reference: central differences of the numpy gradient
    g = ta.grad(lambda p: _mlp_loss(p, X))
    h = 1e-5
    gp = g(tuple(a + h * v for a, v in zip(P, V)))
    gm = g(tuple(a - h * v for a, v in zip(P, V)))
    for got, a, b in zip(Hv, gp, gm):
        np.testing.assert_allclose(_host(got), (a - b) / (2 * h), rtol=1e-6, atol=1e-8)


def test_numpy_constant_meeting_cupy_is_named():
    """What a primitive says when its implementation fails on a NumPy array meeting a CuPy one."""
    from taylorad.core.trace import check_one_backend  # noqa: PLC0415

    with pytest.raises(TypeError, match=r"taylorad\.numpy\.multiply: a numpy\.ndarray of shape "
                                        r"\(2,\) meets a cupy array.*cupy\.asarray"):
        check_one_backend(tnp.multiply, (_FakeCupyArray([1.0, 2.0]), np.ones(2)))
    check_one_backend(tnp.multiply, (np.ones(2), np.float64(2.0)))  # not the reason: quiet
    check_one_backend(tnp.multiply, (_FakeCupyArray([1.0]), 2.0))
