"""Fused CPU kernels for the elementwise Taylor recurrences (optional: needs numba).

``pip install "taylorad[fast]"`` installs numba; without it (or with ``TAYLORAD_NUMBA=0`` in the
environment, or inside ``with taylorad.cpu.use_kernels(False):``) every rule runs as composed
NumPy, which stays the reference. With it, the Taylor rules of exp, expm1, log, log1p, sin,
cos, sinh, cosh, tan, tanh, sigmoid, sqrt, square, reciprocal, power (scalar exponent),
multiply and divide on concrete float32/float64 NumPy arrays run as one compiled pass over
their inputs (``taylorad/cpu/kernels.py``; the CPU twins of ``kernels/*.cu``). Kernels compile
on first use (about a second each) and are cached on disk by numba.
"""
from .dispatch import available, calls, divide, multiply, power, unary, use_kernels

__all__ = ["available", "calls", "divide", "multiply", "power", "unary", "use_kernels"]
