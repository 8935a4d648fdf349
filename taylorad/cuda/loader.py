"""Find, compile and cache the fused Taylor kernels (CuPy ``RawModule``, NVRTC).

Sources are read from ``taylorad/kernels`` (installed wheel: pyproject force-includes
``kernels/`` there) or ``<checkout>/kernels`` (source tree). ``#line 1 "<file>"`` is prepended so
that compiler errors point into the real ``.cu`` file; local includes (``taylor_common.cuh``) are
expanded in place between ``#line`` directives, so CuPy's compile cache (keyed on the code string)
sees every edit. Templates are instantiated through ``name_expressions``; one
compiled kernel is cached per (kernel, dtype, K, device). cupy is imported only inside
``get_kernel``.
"""
import re
import threading
from pathlib import Path

import numpy as np

__all__ = ["KERNELS", "MAX_K", "KernelSpec", "clear_cache", "get_kernel", "kernel_dir",
           "kernel_source", "name_expression"]

MAX_K = 16  # beyond this the K + 1 coefficients no longer fit comfortably in registers

CTYPES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}


class KernelSpec:
    """One fused kernel: its source file, its kind (argument list) and its template name."""

    __slots__ = ("file", "kind", "template")

    def __init__(self, file, kind, template):
        self.file, self.kind, self.template = file, kind, template

    def __repr__(self):
        return f"KernelSpec({self.file!r}, {self.kind!r}, {self.template!r})"


def _unary(rule, file="taylor_transcendental.cu"):
    return KernelSpec(file, "unary", f"taylorad::taylor_unary<taylorad::{rule}, {{T}}, {{K}}>")


# primitive name -> kernel. kind: "unary" (x0, y0, xs, ys, n, m), "power" (… , p, ip),
# "multiply" (a0, b0, as, bs, ys, n, m), "divide" (b0, y0, as, bs, ys, n, m)
KERNELS = {
    "exp": _unary("Exp"), "log": _unary("Log"),
    "sin": _unary("Sin"), "cos": _unary("Cos"), "sinh": _unary("Sinh"), "cosh": _unary("Cosh"),
    "tan": _unary("Tan"), "tanh": _unary("Tanh"), "sigmoid": _unary("Sigmoid"),
    "arctanh": _unary("Arctanh"),
    "sqrt": _unary("Sqrt", "taylor_arith.cu"),
    "power": KernelSpec("taylor_arith.cu", "power", "taylorad::taylor_power<{T}, {K}>"),
    "multiply": KernelSpec("taylor_arith.cu", "multiply", "taylorad::taylor_multiply<{T}, {K}>"),
    "divide": KernelSpec("taylor_arith.cu", "divide", "taylorad::taylor_divide<{T}, {K}>"),
}

_HEADER = "taylor_common.cuh"


def kernel_dir():
    """The directory holding the ``.cu``/``.cuh`` sources: the wheel's, else the checkout's."""
    pkg = Path(__file__).resolve().parent.parent
    candidates = (pkg / "kernels", pkg.parent / "kernels")
    for d in candidates:
        if (d / _HEADER).is_file():
            return d
    raise FileNotFoundError(
        "taylorad.cuda: the CUDA kernel sources are missing (looked for "
        f"{_HEADER} in {', '.join(str(c) for c in candidates)}) — reinstall taylorad from a wheel "
        "or run from a source checkout that has kernels/")


_INCLUDE = re.compile(r'^#include "([^"]+)"[ \t]*$', re.M)


def kernel_source(file):
    """The source of ``file`` for NVRTC, with ``#line`` directives so errors point into the files.

    Local ``#include "x.cuh"`` lines are expanded in place (each framed by ``#line``), so the code
    string — CuPy's compile-cache key — changes whenever any of the files does.
    """
    d = kernel_dir()
    path = d / file
    if not path.is_file():
        raise FileNotFoundError(f"taylorad.cuda: kernel source {path} does not exist")
    text = path.read_text()

    def expand(m):
        inc = d / m.group(1)
        if not inc.is_file():
            return m.group(0)  # a system header: left to the compiler
        line = text.count("\n", 0, m.start()) + 1
        return (f'#line 1 "{inc.as_posix()}"\n{inc.read_text()}\n'
                f'#line {line + 1} "{path.as_posix()}"')

    return f'#line 1 "{path.as_posix()}"\n' + _INCLUDE.sub(expand, text)


def _ctype(dtype):
    try:
        return CTYPES[np.dtype(dtype)]
    except (KeyError, TypeError):
        raise TypeError(f"taylorad.cuda: fused kernels exist for float32 and float64, not "
                        f"{dtype!r} — cast the input (x.astype(cupy.float32))") from None


def name_expression(name, dtype, K):
    """The C++ template instance for primitive ``name``, e.g. ``taylor_unary<Exp, float, 8>``."""
    if name not in KERNELS:
        raise ValueError(f"taylorad.cuda: no fused kernel for {name!r}; available: "
                         f"{', '.join(sorted(KERNELS))}")
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)) or not 1 <= K <= MAX_K:
        raise ValueError(f"taylorad.cuda: order K must be an int in 1..{MAX_K}, got {K!r}")
    return KERNELS[name].template.format(T=_ctype(dtype), K=int(K))


_CACHE = {}
_COMPILING = threading.Lock()  # threads missing one kernel together compile it once


def clear_cache():
    _CACHE.clear()


def get_kernel(name, dtype, K, device=None):
    """The compiled ``cupy.RawKernel`` for (name, dtype, K) on ``device`` (default: current)."""
    import cupy  # noqa: PLC0415 - only called with cupy inputs

    expr = name_expression(name, dtype, K)
    dev = cupy.cuda.Device(device).id if device is not None else cupy.cuda.Device().id
    key = (name, np.dtype(dtype).name, int(K), dev)
    kern = _CACHE.get(key)
    if kern is not None:
        return kern
    with _COMPILING:
        kern = _CACHE.get(key)
        if kern is not None:
            return kern
        spec = KERNELS[name]
        with cupy.cuda.Device(dev):
            module = cupy.RawModule(code=kernel_source(spec.file),
                                    options=("-I" + str(kernel_dir()),),
                                    name_expressions=[expr])
            kern = module.get_function(expr)
        _CACHE[key] = kern
    return kern
