"""Fused CPU kernels for the elementwise Taylor recurrences (optional: needs numba).

``pip install "taylorad[fast]"`` installs numba; without it (or with ``TAYLORAD_NUMBA=0`` in the
environment, or inside ``with taylorad.cpu.use_kernels(False):``) every rule runs as composed
NumPy, which stays the reference. With it, the Taylor rules of exp, expm1, log, log1p, sin,
cos, sinh, cosh, tan, tanh, sigmoid, sqrt, square, reciprocal, power (scalar exponent),
multiply and divide on concrete float32/float64 NumPy arrays run as one compiled pass over
their inputs (``taylorad/cpu/kernels.py``; the CPU twins of ``kernels/*.cu``). Kernels compile
on first use (about a second each) and are cached on disk by numba.

Large kernel calls, jit's fused loops and jit's large ufunc calls run on several threads
(``taylorad.cpu.threads``: ``TAYLORAD_NUM_THREADS``, ``num_threads``, ``set_num_threads``).
"""
from .dispatch import available, calls, divide, multiply, power, unary, use_kernels
from .threads import num_threads, set_num_threads

__all__ = ["available", "calls", "divide", "multiply", "num_threads", "power", "set_num_threads",
           "unary", "use_kernels"]
