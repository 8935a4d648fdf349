"""ta.jit on CuPy arrays fuses runs of elementwise arithmetic into generated CUDA kernels
(taylorad/cuda/fuse.py), checked without a GPU:

* the generated source compiles to PTX for sm_80 and sm_90 with nvcc (-Werror);
* with a stand-in "cupy" whose arrays are NumPy arrays and whose ``RawKernel`` builds the same
  source for the host with nvcc (``__host__ __device__`` element function, plain IEEE operators:
  -ffp-contract=off), replays of recorded HVPs run the fused kernels and give NumPy's results bit
  for bit and the closed-form HVP.

Skipped when nvcc is missing. What runs only on a GPU (tests/gpu): NVRTC compiling the source
through real cupy, and the launch on a device.
"""
import ctypes
import os
import re
import shutil
import subprocess
import sys
import types

import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp

NVCC = shutil.which("nvcc") or next(
    (p for p in ("/usr/local/cuda/bin/nvcc",) if os.path.exists(p)), None)
pytestmark = pytest.mark.skipif(NVCC is None, reason="nvcc (CUDA toolkit) not found on PATH or "
                                "in /usr/local/cuda/bin: the fused-kernel checks need it")


def _nvcc(args, cwd):
    return subprocess.run([NVCC, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


class _HostKernel:
    """cupy.RawKernel stand-in: the generated source built for the host, launched over i < n."""

    built = []

    def __init__(self, tmp, src, name, options=()):
        assert name == "tad_fused" and "--std=c++14" in options
        sig = re.search(r'extern "C" __global__ void tad_fused\(([^)]*)\)', src).group(1)
        params = [p.strip() for p in sig.split(",")]
        names = [p.split()[-1] for p in params]
        assert names[-2:] == ["n", "M"]
        wrapper = (f'extern "C" void tad_fused_host({sig}) {{\n'
                   f"  for (long long i = 0; i < n; ++i) "
                   f"tad_fused_element({', '.join(names[:-2])}, i, M);\n}}\n")
        d = tmp / f"k{len(self.built)}"
        d.mkdir()
        (d / "k.cu").write_text(src + wrapper)
        res = _nvcc(["-O2", "-shared", "-Xcompiler", "-fPIC,-ffp-contract=off", "k.cu", "-o",
                     "k.so"], d)
        assert res.returncode == 0, res.stderr
        self.fn = ctypes.CDLL(str(d / "k.so")).tad_fused_host
        self.fn.restype = None
        self.n_arrays = len(params) - 2
        self.built.append(src)

    def __call__(self, grid, block, args):
        *arrays, n, M = args
        assert len(arrays) == self.n_arrays and grid[0] >= 1 and block[0] >= 32
        assert all(a.flags.c_contiguous and a.dtype == np.float64 for a in arrays)
        self.fn(*(a.ctypes.data_as(ctypes.c_void_p) for a in arrays),
                ctypes.c_longlong(int(n)), ctypes.c_longlong(int(M)))


class ndarray(np.ndarray):  # noqa: N801 - cupy's name
    """The stand-in's array (defined once: a class made per test would be freed later, inside
    another test that checks for garbage cycles)."""

    __module__ = "cupy"

    @property
    def device(self):
        return types.SimpleNamespace(id=0)

    def get(self):
        return np.asarray(self).view(np.ndarray)


@pytest.fixture
def fake_cupy(tmp_path, monkeypatch):
    mod = types.ModuleType("cupy")

    def wrap(r):
        return r.view(ndarray) if isinstance(r, np.ndarray) and type(r) is not ndarray else r

    def module_getattr(name):
        f = getattr(np, name)
        if not callable(f) or isinstance(f, type):
            return f
        return lambda *a, **k: wrap(f(*a, **k))

    mod.ndarray = ndarray
    mod.RawKernel = lambda src, name, options=(): _HostKernel(tmp_path, src, name, options)
    mod.asarray = lambda a, dtype=None: np.asarray(a, dtype=dtype).view(ndarray)
    mod.asnumpy = lambda a: np.asarray(a).view(np.ndarray)
    mod.__getattr__ = module_getattr
    monkeypatch.setitem(sys.modules, "cupy", mod)
    from taylorad.cuda import fuse  # noqa: PLC0415

    fuse._KERNELS.clear()
    _HostKernel.built = []
    yield mod
    fuse._KERNELS.clear()


def _f(x, c):
    """Σ c·x² / (1 + x²) + √(1 + x²)·|c|: its HVP is elementwise (closed form below)."""
    u = x * x
    return tnp.sum(c * u / (u + 1.0) + tnp.sqrt(u + 1.0) * tnp.abs(c))


def _hvp_closed(x, c, v):
    # d²/dx² [c x²/(1+x²)] = c (2 − 6x²)/(1+x²)³; d²/dx² √(1+x²) = (1+x²)^(-3/2)
    s = 1.0 + x * x
    return (c * (2.0 - 6.0 * x * x) / s ** 3 + np.abs(c) * s ** -1.5) * v


CASES = {"vector": ((4000,), (4000,)), "rows": ((40, 100), (100,)), "columns": ((40, 100), (40, 1))}


@pytest.mark.parametrize("case", [pytest.param(k, marks=pytest.mark.slow) if k == "rows" else k
                                  for k in CASES])  # each host build takes a few seconds
def test_jit_replay_on_cupy_runs_fused_kernels_bit_for_bit(fake_cupy, case):
    cp = fake_cupy
    shape, cshape = CASES[case]
    rng = np.random.default_rng(1)
    x, v, c = rng.uniform(-2, 2, shape), rng.standard_normal(shape), rng.uniform(-1, 1, cshape)
    ref = ta.hvp(lambda y: _f(y, c), x, v)  # NumPy, eager
    h = ta.jit(lambda x, v, c: ta.hvp(lambda y: _f(y, c), x, v))
    X, V, C = cp.asarray(x), cp.asarray(v), cp.asarray(c)
    outs = [h(X, V, C) for _ in range(3)]  # record, verify against eager, replay
    prog = next(iter(h.cache.values()))
    fused = [op[0] for op in prog.array_ops if op[0].name.startswith("cuda_fused")]
    assert fused and _HostKernel.built, "no fused CUDA kernel in the replay"
    assert sum(int(p.name.split("[")[1][:-1]) for p in fused) >= 4
    for got in outs:
        assert type(got) is cp.ndarray
        assert np.array_equal(np.asarray(got), ref)
    np.testing.assert_allclose(ref, np.broadcast_to(_hvp_closed(x, c, v), shape), rtol=1e-12,
                               atol=1e-12)


def test_use_fused_false_leaves_cupy_programs_unfused(fake_cupy):
    from taylorad.cuda import use_fused  # noqa: PLC0415

    cp = fake_cupy
    x = np.linspace(-1, 1, 500)
    with use_fused(False):
        h = ta.jit(lambda x, v: ta.hvp(lambda y: _f(y, 0.5), x, v))
        got = h(cp.asarray(x), cp.asarray(x))
    prog = next(iter(h.cache.values()))
    assert not any(op[0].name.startswith("cuda_fused") for op in prog.array_ops)
    np.testing.assert_allclose(np.asarray(got), _hvp_closed(x, 0.5, x), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("arch", ["80", pytest.param("90", marks=pytest.mark.slow)])
def test_generated_sources_compile_to_ptx(fake_cupy, tmp_path, arch):
    cp = fake_cupy
    rng = np.random.default_rng(2)
    sources = []
    for shape, cshape in CASES.values():
        x, c = rng.uniform(-2, 2, shape), rng.uniform(-1, 1, cshape)
        h = ta.jit(lambda x, v, c: ta.hvp(lambda y: _f(y, c), x, v))
        h(cp.asarray(x), cp.asarray(x), cp.asarray(c))  # records (kernels build at replay)
        prog = next(iter(h.cache.values()))
        sources += [op[0].source for op in prog.array_ops if op[0].name.startswith("cuda_fused")]
    assert len(sources) >= 3
    for j, src in enumerate(sources):
        (tmp_path / f"f{j}.cu").write_text(src)
        res = _nvcc(["-ptx", f"-arch=compute_{arch}", "-Werror", "all-warnings", f"f{j}.cu",
                     "-o", f"f{j}.ptx"], tmp_path)
        assert res.returncode == 0, f"nvcc failed (sm_{arch}):\n{res.stderr}\n{src}"
        ptx = (tmp_path / f"f{j}.ptx").read_text()
        assert re.search(r"\.entry\s+tad_fused", ptx) and f".target sm_{arch}" in ptx
        # the round-to-nearest intrinsics: no contraction into fma
        assert "fma.rn.f64" not in ptx and "mul.rn.f64" in ptx
