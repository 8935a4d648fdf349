"""Array behaviour of traced values: operators, properties and NumPy's dispatch protocols.

``np.sin(x)`` on a traced ``x`` dispatches to ``taylorad.numpy.sin`` through ``__array_ufunc__``
and ``np.sum(x)`` through ``__array_function__``; a NumPy function without a taylorad primitive
raises a TypeError that names it, instead of silently dropping the derivative.
"""
import numpy as np

from ..core.trace import Box, getval


def attach(tnp):
    def binary(fn):
        return lambda self, other: fn(self, other)

    def rbinary(fn):
        return lambda self, other: fn(other, self)

    for name, fn in [("add", tnp.add), ("sub", tnp.subtract), ("mul", tnp.multiply),
                     ("truediv", tnp.divide), ("pow", tnp.power), ("matmul", tnp.matmul),
                     ("mod", tnp.remainder), ("floordiv", tnp.floor_divide),
                     ("divmod", tnp.divmod)]:
        setattr(Box, f"__{name}__", binary(fn))
        setattr(Box, f"__r{name}__", rbinary(fn))
    for name, fn in [("lt", tnp.less), ("le", tnp.less_equal), ("gt", tnp.greater),
                     ("ge", tnp.greater_equal), ("eq", tnp.equal), ("ne", tnp.not_equal)]:
        setattr(Box, f"__{name}__", binary(fn))
    Box.__neg__ = lambda self: tnp.negative(self)
    Box.__pos__ = lambda self: self
    Box.__abs__ = lambda self: tnp.absolute(self)
    Box.__getitem__ = lambda self, idx: tnp.getitem(self, idx)
    Box.T = property(lambda self: tnp.transpose(self))
    Box.reshape = lambda self, *shape: tnp.reshape(self, *shape)
    Box.sum = lambda self, axis=None, keepdims=False: tnp.sum(self, axis, keepdims)
    Box.mean = lambda self, axis=None, keepdims=False: tnp.mean(self, axis, keepdims)
    Box.transpose = lambda self, *axes: tnp.transpose(
        self, axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else (axes or None))
    Box.dot = lambda self, other: tnp.dot(self, other)
    Box.astype = lambda self, dtype: tnp.astype(self, dtype)
    Box.squeeze = lambda self, axis=None: tnp.squeeze(self, axis)
    Box.ravel = lambda self: tnp.ravel(self)
    Box.flatten = lambda self: tnp.ravel(self)
    # ndarray methods that reductions code calls as x.max(), x.var(ddof=1), …
    Box.max = lambda self, axis=None, keepdims=False: tnp.max(self, axis, keepdims)
    Box.min = lambda self, axis=None, keepdims=False: tnp.min(self, axis, keepdims)
    Box.prod = lambda self, axis=None, keepdims=False: tnp.prod(self, axis, keepdims)
    Box.cumsum = lambda self, axis=None: tnp.cumsum(self, axis)
    Box.var = lambda self, axis=None, ddof=0, keepdims=False: tnp.var(self, axis, ddof, keepdims)
    Box.std = lambda self, axis=None, ddof=0, keepdims=False: tnp.std(self, axis, ddof, keepdims)
    Box.clip = lambda self, min=None, max=None: tnp.clip(self, min, max)
    Box.argmax = lambda self, axis=None: tnp.argmax(self, axis)
    Box.argmin = lambda self, axis=None: tnp.argmin(self, axis)

    def resolve_ufunc(ufunc):
        fn = tnp.__dict__.get(_UFUNC_NAMES.get(ufunc.__name__, ufunc.__name__))
        if fn is None or ufunc.__name__ not in tnp.__all__:
            fn = _scipy_ufunc(ufunc) or fn  # scipy.special.gammaln(x), … on traced values
        return fn if callable(fn) else None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        fn = _UFUNC_FN.get(ufunc)
        if fn is None:
            fn = resolve_ufunc(ufunc)
            if fn is not None:
                _UFUNC_FN[ufunc] = fn
        if method != "__call__" or kwargs or fn is None:
            what = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
            raise TypeError(_unsupported(f"numpy.{what}", kwargs))
        return fn(*inputs)

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ in _INSPECT:  # np.shape(x), np.ndim(x), np.size(x): no value needed
            return getattr(args[0], func.__name__)
        fn = _FUNC_FN.get(func)
        if fn is None:
            mod = getattr(func, "__module__", "") or ""
            ns = tnp.linalg if mod.startswith("numpy.linalg") else tnp
            fn = ns.__dict__.get(func.__name__)
            if fn is None or func.__name__ not in ns.__all__ or \
                    not (mod == "numpy" or mod.startswith(("numpy.linalg", "numpy._core"))):
                raise TypeError(_unsupported(f"{_qualname(func)}", {}))
            _FUNC_FN[func] = fn
        return fn(*args, **kwargs)

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "taylorad: a traced array cannot be converted to a NumPy array inside a function "
            "being differentiated (np.asarray / np.array / float()) — that would drop its "
            "derivative; use taylorad.numpy functions, or taylorad.numpy.stop_gradient(x) if "
            "a constant is intended. To build an array from traced values write "
            "tnp.array([...]) / tnp.asarray([...]), np.stack([...]), or np.array([...], "
            "like=x) with a traced x (NumPy dispatches np.array/np.asarray to taylorad only "
            "with like=)")

    Box.__array_ufunc__ = __array_ufunc__
    Box.__array_function__ = __array_function__
    Box.__array__ = __array__


# NumPy functions that only inspect metadata: answered from the traced value's properties
_INSPECT = frozenset({"shape", "ndim", "size"})
# ufunc names that differ from taylorad.numpy's (expit: scipy.special.expit on a traced value)
_UFUNC_NAMES = {"true_divide": "divide", "abs": "absolute", "expit": "sigmoid"}


# NumPy ufunc / function -> its taylorad counterpart, filled on first dispatch: the lookup by
# name (and the membership test in a __all__ of some hundreds of names) runs once per NumPy
# callable, not on every call. Only complete results are stored (a refused callable is looked
# up again, to raise again); two threads racing store the same function.
_UFUNC_FN = {}
_FUNC_FN = {}


def _qualname(func):
    mod = getattr(func, "__module__", "numpy") or "numpy"
    return f"{mod}.{func.__name__}".replace("numpy.core.", "numpy.").replace("numpy._core.", "numpy.")


def _unsupported(what, kwargs):
    extra = f" with keyword arguments {sorted(kwargs)}" if kwargs else ""
    from ._coverage import reason  # noqa: PLC0415

    why = reason(what)
    if why:  # listed in the not-supported table: say why
        return (f"taylorad: {what}{extra} is not a taylorad primitive and cannot be applied to a "
                f"traced array — {why} (the table of what taylorad.numpy supports is "
                f"taylorad.numpy._coverage)")
    return (f"taylorad: {what}{extra} is not a taylorad primitive and cannot be applied to a "
            f"traced array — use the taylorad.numpy function of the same name (import "
            f"taylorad.numpy as tnp) or write it from tnp primitives; see "
            f"taylorad.numpy.__all__ for what is supported")


def _scipy_ufunc(ufunc):
    """taylorad.scipy.special's counterpart of a scipy.special ufunc (None for others)."""
    import sys  # noqa: PLC0415

    sp = sys.modules.get("scipy.special")  # scipy is imported already if its ufunc is called
    if sp is None or getattr(sp, ufunc.__name__, None) is not ufunc:
        return None
    from ..scipy import special  # noqa: PLC0415

    name = ufunc.__name__
    return getattr(special, name, None) if name in special.__all__ else None


__all__ = ["attach", "getval", "np"]
