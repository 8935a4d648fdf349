"""NumPy functions with a zero derivative: piecewise constant in the values (floor, trunc,
argsort, searchsorted, isnan, …), integer or boolean results (bitwise, logical, counts, index
arrays), constants that depend only on shapes (zeros, eye, windows) and printing of values.

Each is a non-differentiable primitive (``defnondiff``): it takes traced arguments and returns
a plain array (or value) — the derivative of a piecewise-constant function is zero wherever it
exists, so passing the values through is the exact derivative, not an approximation. At the
jumps (floor at an integer, …) the derivative does not exist; like NumPy's own finite answer,
taylorad returns the one-sided value 0 there.
"""
import numpy as np

from ..core.rules import defnondiff
from ..core.trace import Box, Primitive, getval
from ._util import array_namespace

# name -> what the zero derivative rests on (rendered in the docs' coverage table)
ZERO_DERIVATIVE = {}
_PRIMS = {}


def _strip(v):
    """Traced values (also inside lists and tuples) -> their values: a nondiff call sees none."""
    if isinstance(v, Box):
        return getval(v)
    if isinstance(v, (list, tuple)) and any(isinstance(u, (Box, list, tuple)) for u in v):
        return type(v)(_strip(u) for u in v)
    return v


def _make(name, why):
    np_fn = getattr(np, name)

    def impl(*args, **kwargs):
        xp = array_namespace(*args)
        fn = np_fn if xp is np else getattr(xp, name)
        return fn(*args, **kwargs)

    prim = Primitive(name, impl, nondiff=True, doc=f"numpy.{name}: zero derivative ({why})")
    defnondiff(prim)

    def fn(*args, **kwargs):
        return prim(*(_strip(a) for a in args), **{k: _strip(v) for k, v in kwargs.items()})

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"numpy.{name} on traced values: a constant (zero derivative).\n\n"
                  f"{why[0].upper() + why[1:]}: the derivative is zero wherever it exists, so the "
                  f"result is returned as a plain\narray, never traced.\n\n"
                  f"Parameters\n----------\n*args, **kwargs\n    As for ``numpy.{name}``; traced "
                  f"arguments are used by value.\n\n"
                  f"Returns\n-------\nout\n    ``numpy.{name}`` of the values (not traced).\n")
    fn.primitive = _PRIMS[name] = prim
    ZERO_DERIVATIVE[name] = why
    return fn


_GROUPS = {
    "piecewise constant in its argument": [
        "trunc", "fix", "spacing", "signbit",
    ],
    "integer or boolean result": [
        "argsort", "argpartition", "argwhere", "nonzero", "flatnonzero", "searchsorted",
        "digitize", "isfinite", "isnan", "isinf", "isneginf", "isposinf", "count_nonzero",
        "all", "any", "allclose", "isclose", "array_equal", "array_equiv", "isin",
        "logical_and", "logical_not", "logical_or", "logical_xor", "lexsort", "nanargmax",
        "nanargmin", "iscomplex", "isreal", "iscomplexobj", "isrealobj", "isscalar",
        "iterable", "isfortran", "may_share_memory", "shares_memory",
        "bitwise_and", "bitwise_count", "bitwise_invert", "bitwise_left_shift", "bitwise_not",
        "bitwise_or", "bitwise_right_shift", "bitwise_xor", "invert", "left_shift",
        "right_shift", "gcd", "lcm", "packbits", "unpackbits",
    ],
    "index arrays from shapes or arrays": [
        "indices", "diag_indices", "diag_indices_from", "tril_indices", "tril_indices_from",
        "triu_indices", "triu_indices_from", "mask_indices", "ravel_multi_index",
        "unravel_index", "ix_",
    ],
    "dtype and shape introspection": [
        "result_type", "can_cast", "promote_types", "issubdtype", "isdtype", "common_type",
        "min_scalar_type", "mintypecode", "broadcast_shapes", "einsum_path", "ndim", "shape",
        "size",
    ],
    "a constant that depends only on shapes or integers": [
        "zeros", "ones", "empty", "empty_like", "eye", "identity", "tri", "bartlett",
        "blackman", "hamming", "hanning", "kaiser", "fromfunction",
    ],
    "text from values": [
        "array2string", "array_repr", "array_str", "format_float_positional",
        "format_float_scientific", "base_repr", "binary_repr", "typename",
    ],
}

__all__ = []
for _why, _names in _GROUPS.items():
    for _name in _names:
        if not hasattr(np, _name):
            continue
        globals()[_name] = _make(_name, _why)
        __all__.append(_name)
del _why, _names, _name
