"""``taylorad.jit`` on CuPy arrays: runs of elementwise arithmetic fused into generated kernels.

The GPU twin of ``taylorad/cpu/fuse.py``: the same pass finds the runs (add, subtract, multiply,
divide, negative, square, sqrt, absolute on float64 arrays of one shape, row and column operands,
scalars, rank-1 matmuls), and each run becomes one CUDA kernel — generated source compiled with
``cupy.RawKernel`` (NVRTC) on first use and cached per source — that reads each input once and
writes only the values the rest of the program uses, instead of one CuPy launch and one
temporary per operation.

Results are bit for bit CuPy's: every operation is written with the round-to-nearest intrinsics
(``__dadd_rn``, ``__dmul_rn``, …), which the compiler never contracts into fused multiply-adds,
so each value is rounded exactly as CuPy's one-operation kernels round it. The per-element body
is a ``__host__ __device__`` function: on the host the macros are the plain C operators, which
lets the tests run the generated code without a GPU (built by nvcc for the host, and compiled to
PTX for sm_80/sm_90 to check the device side).
"""
import math
import sys

import numpy as np

__all__ = ["backend", "source"]

BINARY = {"add": "TAD_ADD({0}, {1})", "subtract": "TAD_SUB({0}, {1})",
          "multiply": "TAD_MUL({0}, {1})", "divide": "TAD_DIV({0}, {1})"}
UNARY = {"negative": "(-{0})", "square": "TAD_MUL({0}, {0})", "sqrt": "TAD_SQRT({0})",
         "absolute": "fabs({0})"}

HEADER = """\
#if defined(__CUDA_ARCH__)
#define TAD_ADD(a, b) __dadd_rn((a), (b))
#define TAD_SUB(a, b) __dsub_rn((a), (b))
#define TAD_MUL(a, b) __dmul_rn((a), (b))
#define TAD_DIV(a, b) __ddiv_rn((a), (b))
#define TAD_SQRT(a) __dsqrt_rn(a)
#else
#include <math.h>
#define TAD_ADD(a, b) ((a) + (b))
#define TAD_SUB(a, b) ((a) - (b))
#define TAD_MUL(a, b) ((a) * (b))
#define TAD_DIV(a, b) ((a) / (b))
#define TAD_SQRT(a) sqrt(a)
#endif
"""
NAME = "tad_fused"
BLOCK = 256


def source(group, outs):
    """CUDA source of the kernel for one fused group: ``tad_fused_element`` (host and device)
    computes element i of every output; the ``__global__`` ``tad_fused(a0, …, o0, …, n, M)`` runs
    it over i < n on a grid-stride loop. Inputs: "full" (P·M values), "suffix" (M: a row),
    "column" (P); outputs P·M values, all C-contiguous."""
    n_in = len(group.inputs)
    params = [f"const double* __restrict__ a{j}_" for j in range(n_in)]
    params += [f"double* __restrict__ o{j}" for j in range(len(outs))]
    lines = [HEADER, "__host__ __device__ inline void tad_fused_element(" + ", ".join(
        params + ["long long i", "long long M"]) + ") {"]
    kinds = [kind for _, _, kind in group.inputs]
    if "column" in kinds:
        lines.append("  const long long p = i / M;")
    if "suffix" in kinds:
        lines.append("  const long long q = i % M;")
    for j, kind in enumerate(kinds):
        lines.append(f"  const double a{j} = a{j}_[{ {'full': 'i', 'suffix': 'q', 'column': 'p'}[kind]}];")
    for _, op, e in group.ops:
        lines.append(f"  const double t{op[3]} = {e};")
    for j, k in enumerate(outs):
        lines.append(f"  o{j}[i] = t{k};")
    lines.append("}")
    args = ", ".join([f"a{j}_" for j in range(n_in)] + [f"o{j}" for j in range(len(outs))])
    lines += [f'extern "C" __global__ void {NAME}(' + ", ".join(
        params + ["long long n", "long long M"]) + ") {",
        "  const long long stride = (long long)blockDim.x * gridDim.x;",
        "  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; "
        "i += stride)",
        f"    tad_fused_element({args}, i, M);", "}"]
    return "\n".join(lines) + "\n"


_KERNELS = {}  # source -> compiled cupy.RawKernel


def _kernel(cupy, src):
    k = _KERNELS.get(src)
    if k is None:
        k = _KERNELS[src] = cupy.RawKernel(src, NAME, options=("--std=c++14",))
    return k


class FusedPrimitive:
    """Stands in for a primitive in a program: ``impl`` launches the generated kernel."""

    def __init__(self, impl, n_ops, src):
        self.impl = impl
        self.name = f"cuda_fused[{n_ops}]"
        self.source = src


def _make(group, outs, out_shapes):
    import cupy  # noqa: PLC0415 - reached only for programs recorded on cupy arrays

    src = source(group, outs)
    P = 1 if group.cut is None else math.prod(group.shape[:group.cut])
    M = group.size // P
    shapes = [{"full": (P * M,), "suffix": (M,), "column": (P,)}[kind]
              for _, _, kind in group.inputs]
    n_out, n = len(outs), P * M
    grid = (max(1, min(-(-n // BLOCK), 1 << 16)),)

    def impl(*arrays):
        kern = _kernel(cupy, src)
        args = [cupy.ascontiguousarray(a).reshape(s) for a, s in zip(arrays, shapes)]
        res = [cupy.empty(out_shapes[j], dtype=np.float64) for j in range(n_out)]
        if n:
            kern(grid, (BLOCK,), (*args, *res, np.int64(n), np.int64(M)))
        return res[0] if n_out == 1 else tuple(res)

    specs = tuple((key[1], None) if key[0] == "slot" else (None, const)
                  for key, const, _ in group.inputs)
    return (FusedPrimitive(impl, len(group.ops), src), specs, {},
            tuple(outs) if n_out > 1 else outs[0])


def backend():
    """The fusion backend for CuPy arrays (``taylorad.cpu.fuse.Backend``), or None when cupy is
    not imported or the fused kernels are switched off (``taylorad.cuda.use_fused(False)``)."""
    cupy = sys.modules.get("cupy")
    if cupy is None:
        return None
    from ..cpu.fuse import Backend  # noqa: PLC0415
    from ..core.switch import enabled  # noqa: PLC0415
    from .fused import _state  # noqa: PLC0415

    if not enabled(_state):
        return None
    return Backend(cupy.ndarray, {k: v for k, v in BINARY.items()},
                   {k: v for k, v in UNARY.items()}, _make)
