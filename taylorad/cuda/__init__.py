"""The CuPy backend's fused CUDA Taylor kernels.

The Taylor recurrences of the hot elementwise primitives (exp, log, sin, cos, tan, sinh, cosh,
tanh, sigmoid, arctanh, sqrt, power with a scalar exponent, multiply, divide) exist as CUDA
templates in ``kernels/*.cu`` (shipped in the wheel as ``taylorad/kernels``). For concrete cupy
inputs at order K >= 2 the Taylor rule runs one fused kernel — one thread per element, all K
coefficients in registers — instead of O(K²) separate array operations; the primitive-composed
rule stays the reference and the fallback (``kernels/README.md`` states the contract).

Importing this package never imports cupy: cupy is imported only when a rule already holds a
cupy array. ``use_fused(False)`` switches the kernels off (to compare with the composed rule).
"""
from .fused import launches, use_fused
from .loader import KERNELS, MAX_K, clear_cache, get_kernel, kernel_dir, kernel_source

__all__ = ["KERNELS", "MAX_K", "clear_cache", "get_kernel", "kernel_dir", "kernel_source",
           "launches", "use_fused"]
