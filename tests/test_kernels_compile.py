"""The CUDA kernels without a GPU: they compile with nvcc (PTX for sm_80 and sm_90, float and
double, several K), and — compiled for the host from the same sources — their recurrences equal
the composed numpy Taylor rules at K = 1..8 and 50-digit mpmath. Skipped when nvcc is missing."""
import ctypes
import os
import re
import shutil
import subprocess
import sys

import mpmath
import numpy as np
import pytest

import taylorad.numpy as tnp
from taylorad.cuda import KERNELS, kernel_dir, kernel_source

from kernel_cases import UNARY, composed

NVCC = shutil.which("nvcc") or next(
    (p for p in ("/usr/local/cuda/bin/nvcc",) if os.path.exists(p)), None)
needs_nvcc = pytest.mark.skipif(NVCC is None, reason="nvcc (CUDA toolkit) not found on PATH or "
                                "in /usr/local/cuda/bin: the kernel compile checks need it")

PTX_KS = (1, 2, 3, 8, 16)
HOST_KS = tuple(range(1, 9))
CTYPE = {np.float32: "float", np.float64: "double"}
FILES = sorted({spec.file for spec in KERNELS.values()})


def _nvcc(args, cwd):
    res = subprocess.run([NVCC, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    return res


def _instances(file):
    return [spec.template.format(T=t, K=k) for spec in KERNELS.values() if spec.file == file
            for t in ("float", "double") for k in PTX_KS]


# ---------------------------------------------------------------------------------------------
# device compile: every kernel template, both dtypes, several K, for sm_80 and sm_90


@needs_nvcc
@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize("arch", ["80", "90"])
def test_ptx_compiles(file, arch, tmp_path):
    exprs = _instances(file)
    # taking each instance's address instantiates it, exactly as NVRTC's name_expressions do
    tu = (f'#include "{file}"\nvoid* tad_instances[] = {{\n' +
          "".join(f"  (void*)&{e},\n" for e in exprs) + "};\n")
    (tmp_path / "tu.cu").write_text(tu)
    res = _nvcc(["-ptx", f"-arch=compute_{arch}", "-I", str(kernel_dir()), "-Werror",
                 "all-warnings", "tu.cu", "-o", "tu.ptx"], tmp_path)
    assert res.returncode == 0, f"nvcc failed for {file} (sm_{arch}):\n{res.stderr}"
    ptx = (tmp_path / "tu.ptx").read_text()
    entries = re.findall(r"\.entry\s+(\w+)", ptx)
    assert len(set(entries)) == len(exprs), (len(entries), len(exprs))
    assert f".target sm_{arch}" in ptx


@needs_nvcc
def test_line_directive_points_into_the_kernel_file(tmp_path):
    """Compiler errors in a loaded source name the real .cu file and line (``#line 1``)."""
    src = kernel_source("taylor_arith.cu")
    lines = (kernel_dir() / "taylor_arith.cu").read_text().count("\n")
    (tmp_path / "probe.cu").write_text(src + "this_is_not_cuda;\n")  # the line after the file
    res = _nvcc(["-ptx", "-arch=compute_80", "-I", str(kernel_dir()), "probe.cu"], tmp_path)
    assert res.returncode != 0
    path = (kernel_dir() / "taylor_arith.cu").as_posix()
    assert f'{path}({lines + 1})' in res.stderr, res.stderr
    # and an error inside the expanded header points into the header
    header = kernel_dir() / "taylor_common.cuh"
    bad = src.replace("namespace taylorad {", "namespace taylorad { this_is_not_cuda;", 1)
    (tmp_path / "probe2.cu").write_text(bad)
    res = _nvcc(["-ptx", "-arch=compute_80", "probe2.cu"], tmp_path)  # no -I: header inlined
    line = header.read_text()[:header.read_text().index("namespace taylorad {")].count("\n") + 1
    assert f'{header.as_posix()}({line})' in res.stderr, res.stderr


# ---------------------------------------------------------------------------------------------
# host build of the same element drivers, called through ctypes

DRIVER = {"unary": "unary_element", "power": "power_element", "multiply": "multiply_element",
          "divide": "divide_element"}
SIG = {"unary": ("x0", "y0", "xs"), "power": ("x0", "y0", "xs"), "multiply": ("a0", "b0", "as_", "bs"),
       "divide": ("b0", "y0", "as_", "bs")}


def _host_fn(name, t, k):
    return f"tad_{name}_{t}_{k}"


@pytest.fixture(scope="module")
def host_lib(tmp_path_factory):
    if NVCC is None:
        pytest.skip("nvcc not found: the host build of the kernels needs it")
    d = tmp_path_factory.mktemp("hostlib")
    parts = ['#include "taylor_transcendental.cu"', '#include "taylor_arith.cu"', 'extern "C" {']
    for name, spec in KERNELS.items():
        inner = spec.template.split("<", 1)[1]  # "taylorad::Exp, {T}, {K}>" or "{T}, {K}>"
        driver = f"taylorad::{DRIVER[spec.kind]}<{inner}"
        ins = SIG[spec.kind]
        for t in ("float", "double"):
            for k in HOST_KS:
                params = ", ".join(f"const {t}* {a}" for a in ins) + f", {t}* ys, long long n, long long m"
                call = ", ".join(ins) + ", ys, n, m"
                if spec.kind == "power":
                    params += ", double p, int ip"
                    call += ", p, ip"
                parts.append(f"void {_host_fn(name, t, k)}({params}) {{\n"
                             f"  for (long long i = 0; i < n; ++i) "
                             f"{driver.format(T=t, K=k)}({call}, i);\n}}")
    parts.append("}")
    (d / "host.cu").write_text("\n".join(parts) + "\n")
    res = _nvcc(["-O1", "-shared", "-Xcompiler", "-fPIC", "-I", str(kernel_dir()), "host.cu",
                 "-o", "libtadhost.so"], d)
    if res.returncode != 0:
        pytest.fail(f"host build of the kernels failed:\n{res.stderr}")
    return ctypes.CDLL(str(d / "libtadhost.so"))


def _call(lib, name, dtype, K, arrays, out, m, extra=()):
    fn = getattr(lib, _host_fn(name, CTYPE[dtype], K))
    ptr = [np.ascontiguousarray(a).ctypes.data_as(ctypes.c_void_p) for a in arrays]
    fn.restype = None
    args = ptr + [out.ctypes.data_as(ctypes.c_void_p), ctypes.c_longlong(out.size // K),
                  ctypes.c_longlong(m)]
    if name == "power":
        p = float(extra[0])
        ip = int(p) if p.is_integer() and 0 < p <= 64 else 0
        args += [ctypes.c_double(p), ctypes.c_int(ip)]
    fn(*args)
    return out


CASES = UNARY + ["power:3", "power:2.5", "power:-1.5", "power:64", "multiply", "divide"]


def _inputs(rng, dtype, K, batch, m=37):
    x0 = rng.uniform(0.2, 0.8, m).astype(dtype)
    S = (rng.uniform(-0.5, 0.5, (K, *batch, m))).astype(dtype)
    b0 = rng.uniform(0.5, 1.5, m).astype(dtype)
    Sb = (rng.uniform(-0.3, 0.3, (K, *batch, m))).astype(dtype)
    return x0, S, b0, Sb


def _kernel(lib, case, dtype, K, x0, S, b0, Sb, y0):
    out = np.empty_like(S)
    name = case.split(":")[0]
    m = x0.size
    if name in UNARY:
        return _call(lib, name, dtype, K, (x0, y0, S), out, m)
    if name == "power":
        return _call(lib, name, dtype, K, (x0, y0, S), out, m, (case.split(":")[1],))
    if name == "multiply":
        return _call(lib, name, dtype, K, (x0, b0, S, Sb), out, m)
    return _call(lib, name, dtype, K, (b0, y0, S, Sb), out, m)


def _assert_close(got, ref, rtol):
    # relative to each coefficient's scale (coefficients may cancel to ~0 at single elements)
    scale = np.max(np.abs(ref), axis=tuple(range(1, ref.ndim)), keepdims=True)
    err = np.abs(got.astype(np.float64) - ref) / np.maximum(scale, 1e-300)
    assert np.all(np.isfinite(got))
    assert err.max() <= rtol, f"max relative error {err.max():.3g} > {rtol}"


@needs_nvcc
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("batch", [(), (3,)], ids=["nobatch", "batch3"])
@pytest.mark.parametrize("case", CASES)
def test_host_kernel_equals_composed_rule(host_lib, case, dtype, batch):
    rng = np.random.default_rng(abs(hash((case, batch))) % 2**32)
    for K in HOST_KS:
        x0, S, b0, Sb = _inputs(rng, dtype, K, batch)
        y0, ref = composed(case, K, batch, x0, S, b0, Sb)
        assert ref.dtype == dtype
        got = _kernel(host_lib, case, dtype, K, x0, S, b0, Sb, y0)
        _assert_close(got, ref.astype(np.float64), 1e-12 if dtype == np.float64 else 2e-5)


MP = {"exp": mpmath.exp, "log": mpmath.log, "sin": mpmath.sin, "cos": mpmath.cos,
      "tan": mpmath.tan, "sinh": mpmath.sinh, "cosh": mpmath.cosh, "tanh": mpmath.tanh,
      "sigmoid": lambda u: 1 / (1 + mpmath.exp(-u)), "arctanh": mpmath.atanh,
      "sqrt": mpmath.sqrt}


@needs_nvcc
@pytest.mark.parametrize("case", CASES)
def test_host_kernel_matches_mpmath_order_8(host_lib, case):
    """Independent reference: coefficients of f(x₀ + Σ x_k t^k) from 50-digit mpmath."""
    K, rng = 8, np.random.default_rng(7)
    x0, S, b0, Sb = _inputs(rng, np.float64, K, (), m=3)
    name = case.split(":")[0]
    y0 = {"power": lambda: x0 ** float(case.split(":")[1]), "multiply": lambda: x0 * b0,
          "divide": lambda: x0 / b0}.get(name, lambda: getattr(np, name if name != "sigmoid"
                                                               else "exp")(x0))()
    if name == "sigmoid":
        y0 = 1 / (1 + np.exp(-x0))
    got = _kernel(host_lib, case, np.float64, K, x0, S, b0, Sb, y0)
    with mpmath.workdps(50):
        for i in range(x0.size):
            def poly(t, c0, c):
                return mpmath.mpf(float(c0)) + sum(mpmath.mpf(float(c[k - 1, i])) * t ** k
                                                   for k in range(1, K + 1))

            if name in MP:
                f = lambda t: MP[name](poly(t, x0[i], S))  # noqa: E731
            elif name == "power":
                p = mpmath.mpf(case.split(":")[1])
                f = lambda t: poly(t, x0[i], S) ** p  # noqa: E731
            elif name == "multiply":
                f = lambda t: poly(t, x0[i], S) * poly(t, b0[i], Sb)  # noqa: E731
            else:
                f = lambda t: poly(t, x0[i], S) / poly(t, b0[i], Sb)  # noqa: E731
            ref = [float(c) for c in mpmath.taylor(f, 0, K)][1:]
            scale = max(abs(r) for r in ref)
            for k in range(K):
                assert abs(got[k, i] - ref[k]) <= 1e-12 * scale + 1e-14 * abs(ref[k]), \
                    (case, i, k + 1, got[k, i], ref[k])


# ---------------------------------------------------------------------------------------------
# the Python dispatch path (rule hook -> taylorad.cuda.fused -> loader -> launch) end to end,
# with a stand-in "cupy" whose arrays are numpy arrays and whose RawModule runs the host build


class _Device:
    def __init__(self, dev=None):
        self.id = 0 if dev is None else int(getattr(dev, "id", dev))
        self.attributes = {"MultiProcessorCount": 4}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _fake_cupy(lib, compiled):
    import types  # noqa: PLC0415

    mod = types.ModuleType("cupy")

    class ndarray(np.ndarray):  # noqa: N801 - cupy's name
        __module__ = "cupy"

        @property
        def device(self):
            return _Device(0)

        def get(self):
            return np.asarray(self).view(np.ndarray)

    def wrap(r):
        return r.view(ndarray) if isinstance(r, np.ndarray) and type(r) is not ndarray else r

    def module_getattr(name):
        f = getattr(np, name)
        if not callable(f) or isinstance(f, type):
            return f
        return lambda *a, **k: wrap(f(*a, **k))

    class RawModule:
        def __init__(self, code, options, name_expressions):
            assert code.startswith('#line 1 "') and "-I" + str(kernel_dir()) in options
            (self.expr,) = name_expressions
            compiled.append(self.expr)

        def get_function(self, expr):
            assert expr == self.expr
            name = next(n for n, s in KERNELS.items() if s.template.split("<")[0]
                        == expr.split("<")[0] and (s.kind != "unary" or
                                                   s.template.split(",")[0] == expr.split(",")[0]))
            t, k = re.search(r"(float|double), (\d+)>$", expr).groups()
            fn = getattr(lib, _host_fn(name, t, int(k)))
            fn.restype = None

            def launch(grid, block, args):
                *arrays, out, n, m = args[:-2] if name == "power" else args
                extra = args[-2:] if name == "power" else ()
                assert all(a.flags.c_contiguous for a in arrays) and out.flags.c_contiguous
                assert all(a.dtype == out.dtype for a in arrays) and n * int(k) == out.size
                ptr = [a.ctypes.data_as(ctypes.c_void_p) for a in (*arrays, out)]
                conv = [ctypes.c_double(float(extra[0])), ctypes.c_int(int(extra[1]))] \
                    if extra else []
                fn(*ptr, ctypes.c_longlong(int(n)), ctypes.c_longlong(int(m)), *conv)

            return launch

    mod.ndarray = ndarray
    mod.RawModule = RawModule
    mod.cuda = types.SimpleNamespace(Device=_Device)
    mod.asarray = lambda a, dtype=None: np.asarray(a, dtype=dtype).view(ndarray)
    mod.asnumpy = lambda a: np.asarray(a).view(np.ndarray)
    mod.__getattr__ = module_getattr
    return mod, ndarray


@pytest.fixture
def fake_cupy(host_lib, monkeypatch):
    from taylorad.cuda import fused, loader  # noqa: PLC0415

    compiled = []
    mod, arr = _fake_cupy(host_lib, compiled)
    monkeypatch.setitem(sys.modules, "cupy", mod)
    loader.clear_cache()
    fused._BLOCKS.clear()
    yield mod, compiled
    loader.clear_cache()
    fused._BLOCKS.clear()



@needs_nvcc
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("case", CASES)
def test_dispatch_runs_the_kernel_for_cupy_inputs(fake_cupy, case, dtype):
    from taylorad.cuda import launches  # noqa: PLC0415

    cp, compiled = fake_cupy
    name = case.split(":")[0]
    rng = np.random.default_rng(11)
    for K, batch in ((1, ()), (2, ()), (5, (3,)), (8, ())):
        x0, S, b0, Sb = _inputs(rng, dtype, K, batch)
        _, ref = composed(case, K, batch, x0, S, b0, Sb)
        before = launches[name]
        y0, got = composed(case, K, batch, *(cp.asarray(a) for a in (x0, S, b0, Sb)))
        assert launches[name] == before + (K >= 2), "fused kernel not launched"
        assert type(got) is cp.ndarray and got.dtype == dtype and got.shape == ref.shape
        _assert_close(np.asarray(got), ref.astype(np.float64),
                      1e-12 if dtype == np.float64 else 2e-5)
    # one compilation per (kernel, dtype, K) — K = 2, 5, 8 here; cached afterwards
    ctype = CTYPE[dtype]
    mine = [e for e in compiled if ctype in e]
    assert len(mine) == len(set(mine))


@needs_nvcc
def test_dispatch_end_to_end_derivatives(fake_cupy):
    """ta.derivatives on "cupy" inputs: kernels run for exp, tanh, multiply, divide, power and
    the result equals the numpy result (order 8) and stays a cupy array."""
    import taylorad as ta  # noqa: PLC0415
    from taylorad.cuda import launches, use_fused  # noqa: PLC0415

    cp, _ = fake_cupy

    def f(x):
        return tnp.exp(tnp.tanh(x)) * x / tnp.power(1.0 + x * x, 1.5)

    x = np.linspace(-1.0, 2.0, 50)
    v = np.ones(50)
    ref = ta.derivatives(f, x, v, 8)
    before = dict(launches)
    got = ta.derivatives(f, cp.asarray(x), cp.asarray(v), 8)
    for name in ("exp", "tanh", "multiply", "divide", "power"):
        assert launches[name] > before.get(name, 0), name
    for g, r in zip(got, ref):
        assert type(g) is cp.ndarray
        np.testing.assert_allclose(np.asarray(g), r, rtol=1e-11, atol=1e-11 * np.abs(r).max())
    with use_fused(False):
        mid = dict(launches)
        ta.derivatives(f, cp.asarray(x), cp.asarray(v), 8)
        assert dict(launches) == mid
