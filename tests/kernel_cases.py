"""The primitives with fused kernels (CUDA and CPU twins) and their composed Taylor rule, shared
by tests/test_kernels_compile.py and tests/test_cupy.py."""
import taylorad.numpy as tnp
from taylorad.core.taylor import TaylorBox, TaylorTrace

UNARY = ["exp", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "sigmoid", "arctanh",
         "sqrt"]


def composed(case, K, batch, x0, S, b0=None, Sb=None):
    """Primal and stacked series of ``case`` ("exp", …, "power:2.5", "multiply", "divide") by
    the rules in taylorad/numpy (fused kernels run there too where they apply)."""
    tr = TaylorTrace(K, batch)
    with tr:
        a = TaylorBox(x0, S, tr)
        if case in UNARY:
            out = getattr(tnp, case)(a)
        elif case.startswith("power"):
            out = tnp.power(a, float(case.split(":")[1]))
        else:
            out = getattr(tnp, case)(a, TaylorBox(b0, Sb, tr))
    return out._primal, out._series
