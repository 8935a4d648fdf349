"""Tensor, Parameter and ParameterTuple: MindSpore's array objects over NumPy/CuPy arrays.

A Tensor holds ``_data``: a NumPy array (CuPy with device_target="GPU") or, while a
GradOperation differentiates, a taylorad traced value (a Box) — every op maps onto a
``taylorad.numpy`` function, so the same code runs plain or traced. MindSpore's type promotion
(MINDSPORE.md §4) is applied before the op by explicit casts.
"""
import itertools
import threading

import numpy as np

from .. import numpy as tnp
from ..core.trace import Box, getval
from . import context
from . import dtype as mstype
from ._format import tensor_repr

__all__ = ["Tensor", "Parameter", "ParameterTuple", "wrap", "data_of", "result_dtype"]

# While a gradient evaluates its function, the Parameters it differentiates read as traced
# values IN THAT THREAD ONLY: {id(Parameter): (Parameter, value)}, kept per thread by
# taylorad._facade.grad. The Parameter itself is never overwritten, so another thread using the
# same network at the same time (inference, or its own gradient) sees the stored value.
_TRACED = threading.local()


def traced_values():
    """This thread's table of Parameters read as traced values (see ``_TRACED``)."""
    table = getattr(_TRACED, "table", None)
    if table is None:
        table = _TRACED.table = {}
    return table


def _default_array(x):
    """MindSpore's defaults: Python floats -> Float32, ints -> Int64, bools -> Bool."""
    a = np.asarray(x)
    if a.dtype == object:
        raise TypeError(f"Tensor: cannot make a Tensor from {type(x).__name__} {x!r:.60} — "
                        f"pass a number, a (nested) list of numbers or a numpy array")
    if a.dtype.kind == "f":
        return a.astype(np.float32)
    if a.dtype.kind in "iu":
        return a.astype(np.int64)
    if a.dtype.kind in "US":
        raise TypeError("Tensor: strings cannot be Tensor data — pass numbers")
    return a


class Tensor:
    """``Tensor(input_data, dtype=None)`` as in MindSpore; ``.asnumpy()`` gives the array back.

    A thin wrapper of a NumPy (or CuPy) array with MindSpore's operators, methods and dtype
    objects; derivatives of every order flow through it (it holds a traced value while a
    GradOperation differentiates).

    Parameters
    ----------
    input_data : array_like, Tensor, number or list
        The data; Python floats default to float32, as in MindSpore.
    dtype : taylorad.dtype.DType, optional
        ``mstype.float32`` etc.; None keeps the data's dtype (float64 NumPy arrays stay float64).
    shape, init, const_arg
        Accepted for MindSpore compatibility.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad import Tensor, dtype as mstype
    >>> t = Tensor(np.array([1.0, 2.0]), mstype.float32)
    >>> t.dtype, t.shape
    (mindspore.float32, (2,))
    >>> (t * t).asnumpy()
    array([1., 4.], dtype=float32)
    """

    __array_priority__ = 2000.0
    __array_ufunc__ = None  # numpy scalars and arrays defer to the Tensor's reflected operators

    def __init__(self, input_data=None, dtype=None, shape=None, init=None, const_arg=False):
        if input_data is None:
            if shape is None:
                raise TypeError("Tensor: give input_data (or shape and dtype for zeros)")
            dt = mstype.to_dtype(dtype or mstype.float32)
            self._data = context.xp().zeros(tuple(shape), dt.np)
            return
        if isinstance(input_data, Tensor):
            data = input_data._data
        elif isinstance(input_data, Box):
            data = input_data
        elif type(input_data).__module__.split(".")[0] in ("numpy", "cupy") and \
                hasattr(input_data, "dtype"):
            data = input_data
        else:
            data = _default_array(input_data)
        if dtype is not None:
            data = tnp.astype(data, mstype.to_dtype(dtype).np)
        if not isinstance(data, Box):
            xp = context.xp()
            if xp is not np or type(data).__module__.split(".")[0] != "cupy":
                data = xp.asarray(data)
            if data is getattr(input_data, "_data", input_data) and not isinstance(input_data, Box):
                data = data.copy()
        self._data = data

    # --- construction from a raw/traced value, without MindSpore's conversions
    @classmethod
    def _wrap(cls, data):
        t = Tensor.__new__(Tensor)
        t._data = data
        return t

    # --- properties
    @property
    def shape(self):
        return tuple(int(s) for s in getval(self._data).shape)

    @property
    def dtype(self):
        return mstype.to_dtype(getval(self._data).dtype)

    @property
    def ndim(self):
        return getval(self._data).ndim

    @property
    def size(self):
        return int(getval(self._data).size)

    def asnumpy(self):
        """The value as a NumPy array (a copy of a CuPy array is brought to the host)."""
        v = getval(self._data)
        if type(v).__module__.split(".")[0] == "cupy":
            return v.get()
        return np.array(v)

    def item(self):
        return self.asnumpy().item()

    def __float__(self):
        return float(self.asnumpy())

    def __int__(self):
        return int(self.asnumpy())

    def __bool__(self):
        return bool(self.asnumpy())

    def __index__(self):
        if self.dtype.np.kind not in "iu":
            raise TypeError("Tensor: only integer Tensors can be used as an index")
        return int(self.asnumpy())

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __array__(self, dtype=None, copy=None):
        a = self.asnumpy()
        return a if dtype is None else a.astype(dtype)

    def __hash__(self):
        return id(self)

    def __str__(self):
        return str(self.asnumpy())

    def __repr__(self):
        return tensor_repr(self.asnumpy(), str(self.dtype))

    # --- conversions and reductions
    def astype(self, dtype):
        return Tensor._wrap(tnp.astype(self._data, mstype.to_dtype(dtype).np))

    def sum(self, axis=None, dtype=None, keepdims=False, initial=None):
        """MindSpore's ``Tensor.sum(axis=None, dtype=None, keepdims=False, initial=None)``."""
        if isinstance(axis, list):
            axis = tuple(axis)
        out = Tensor._wrap(tnp.sum(self._data, axis, keepdims))
        if initial is not None:
            out = out + initial
        return out if dtype is None else out.astype(dtype)

    def mean(self, axis=None, keep_dims=False):
        return Tensor._wrap(tnp.mean(self._data, axis, keep_dims))

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        return Tensor._wrap(tnp.reshape(self._data, tuple(shape)))

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else (axes or None)
        return Tensor._wrap(tnp.transpose(self._data, axes))

    # --- further methods of MindSpore's Tensor used by training scripts (through ops)
    def argmax(self, axis=None, keepdims=False):
        """Int64 indices of the maxima (``Tensor.argmax(axis=None, keepdims=False)``)."""
        from .ops import argmax  # noqa: PLC0415

        return argmax(self, axis, keepdims)

    def argmin(self, axis=None, keepdims=False):
        """Int64 indices of the minima."""
        from .ops import argmin  # noqa: PLC0415

        return argmin(self, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        """The maxima over ``axis`` (``Tensor.max(axis=None, keepdims=False)``)."""
        from .ops import amax  # noqa: PLC0415

        return amax(self, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        """The minima over ``axis``."""
        from .ops import amin  # noqa: PLC0415

        return amin(self, axis, keepdims)

    def exp(self):
        """exp, elementwise."""
        from .ops import exp  # noqa: PLC0415

        return exp(self)

    def log(self):
        """log, elementwise."""
        from .ops import log  # noqa: PLC0415

        return log(self)

    def sqrt(self):
        """sqrt, elementwise."""
        from .ops import sqrt  # noqa: PLC0415

        return sqrt(self)

    def square(self):
        """x², elementwise."""
        return self * self

    def pow(self, exponent):
        """x ** exponent."""
        return self ** exponent

    def clip(self, xmin, xmax):
        """Elementwise clip to [xmin, xmax]."""
        from .ops import clamp  # noqa: PLC0415

        return clamp(self, xmin, xmax)

    def var(self, axis=None, ddof=0, keepdims=False):
        """Variance over ``axis``."""
        from .ops import var  # noqa: PLC0415

        return var(self, axis, ddof, keepdims)

    def std(self, axis=None, ddof=0, keepdims=False):
        """Standard deviation over ``axis``."""
        from .ops import std  # noqa: PLC0415

        return std(self, axis, ddof, keepdims)

    def prod(self, axis=None, keep_dims=False):
        """Product over ``axis``."""
        from .ops import prod  # noqa: PLC0415

        return prod(self, axis, keep_dims)

    def flatten(self, order="C", *, start_dim=0, end_dim=-1):
        """All axes start_dim..end_dim merged (``Tensor.flatten`` flattens fully by default)."""
        from .ops import flatten  # noqa: PLC0415

        return flatten(self, order, start_dim=start_dim, end_dim=end_dim)

    def view(self, *shape):
        """As :meth:`reshape`."""
        return self.reshape(*shape)

    @property
    def T(self):
        return self.transpose()

    def squeeze(self, axis=None):
        return Tensor._wrap(tnp.squeeze(self._data, axis))

    def expand_dims(self, axis):
        return Tensor._wrap(tnp.expand_dims(self._data, axis))

    def abs(self):
        return Tensor._wrap(tnp.absolute(self._data))

    def copy(self):
        return Tensor(self)

    def __getitem__(self, idx):
        return Tensor._wrap(tnp.getitem(self._data, _index(idx)))

    # --- operators (MindSpore promotion, then the taylorad.numpy function)
    def __add__(self, o): return binary(tnp.add, self, o)
    def __radd__(self, o): return binary(tnp.add, o, self)
    def __sub__(self, o): return binary(tnp.subtract, self, o)
    def __rsub__(self, o): return binary(tnp.subtract, o, self)
    def __mul__(self, o): return binary(tnp.multiply, self, o)
    def __rmul__(self, o): return binary(tnp.multiply, o, self)
    def __truediv__(self, o): return binary(tnp.divide, self, o, true_div=True)
    def __rtruediv__(self, o): return binary(tnp.divide, o, self, true_div=True)
    def __floordiv__(self, o): return binary(_floordiv, self, o)
    def __rfloordiv__(self, o): return binary(_floordiv, o, self)
    def __pow__(self, o): return binary(tnp.power, self, o)
    def __rpow__(self, o): return binary(tnp.power, o, self)
    def __matmul__(self, o): return binary(tnp.matmul, self, o)
    def __rmatmul__(self, o): return binary(tnp.matmul, o, self)
    def __neg__(self): return Tensor._wrap(tnp.negative(self._data))
    def __pos__(self): return self
    def __abs__(self): return self.abs()
    def __lt__(self, o): return binary(tnp.less, self, o)
    def __le__(self, o): return binary(tnp.less_equal, self, o)
    def __gt__(self, o): return binary(tnp.greater, self, o)
    def __ge__(self, o): return binary(tnp.greater_equal, self, o)
    def __eq__(self, o): return binary(tnp.equal, self, o)
    def __ne__(self, o): return binary(tnp.not_equal, self, o)


def _index(idx):
    if isinstance(idx, Tensor):
        return np.asarray(idx.asnumpy())
    if isinstance(idx, tuple):
        return tuple(_index(i) for i in idx)
    return idx


def _floordiv(a, b):
    kind = np.dtype(getval(a).dtype).kind
    if kind in "iub":
        return getval(a) // getval(b)  # integers are never traced
    return tnp.floor(tnp.divide(a, b))


def data_of(x):
    """The array (or traced value) under a Tensor; other values unchanged."""
    return x._data if isinstance(x, Tensor) else x


def wrap(tree):
    """Arrays (and traced values) -> Tensors, through tuples and lists."""
    if isinstance(tree, (tuple, list)):
        return type(tree)(wrap(t) for t in tree)
    if tree is None or isinstance(tree, Tensor):
        return tree
    return Tensor._wrap(tree)


def _category(kind):
    return {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}[kind]


def result_dtype(a, b, true_div=False):
    """MindSpore's result dtype of a binary op (MINDSPORE.md §4), as a NumPy dtype."""
    def info(x):
        if isinstance(x, Tensor):
            d = np.dtype(getval(x._data).dtype)
            return d, False, x.ndim == 0
        if isinstance(x, (bool, np.bool_)):
            return np.dtype(np.bool_), True, True
        if isinstance(x, (int, np.integer)):
            return np.dtype(np.int64), True, True
        if isinstance(x, (float, np.floating)):
            return np.dtype(np.float32), True, True
        d = np.dtype(getval(x).dtype)
        return d, False, getval(x).ndim == 0

    (da, sa, za), (db, sb, zb) = info(a), info(b)
    ca, cb = _category(da.kind), _category(db.kind)
    if sa and not sb:
        out = db if cb >= ca else (np.dtype(np.float32) if ca >= 2 else
                                   (np.dtype(np.int64) if cb == 0 else db))
    elif sb and not sa:
        out = da if ca >= cb else (np.dtype(np.float32) if cb >= 2 else
                                   (np.dtype(np.int64) if ca == 0 else da))
    elif ca != cb:
        out = da if ca > cb else db
    elif za != zb and context.graph():
        out = db if za else da  # a 0-d tensor does not up-cast a same-category operand
    else:
        out = np.result_type(da, db)
    if true_div and out.kind in "biu":
        out = np.dtype(np.float32)
    return out


def _as_operand(x, dt, like):
    if isinstance(x, Tensor):
        return tnp.astype(x._data, dt)
    if isinstance(x, (bool, int, float, np.number, np.bool_)):
        v = getval(like._data if isinstance(like, Tensor) else like)
        xp = np if type(v).__module__.split(".")[0] != "cupy" else __import__("cupy")
        return xp.asarray(x, dtype=dt)
    if isinstance(x, Box) or hasattr(x, "dtype"):
        return tnp.astype(x, dt)
    raise TypeError(f"Tensor operation: unsupported operand {type(x).__name__} — use a Tensor "
                    f"or a Python number")


def binary(fn, a, b, true_div=False, dtype=None):
    """Apply ``fn`` to two operands after MindSpore's promotion; returns a Tensor."""
    dt = dtype if dtype is not None else result_dtype(a, b, true_div)
    like = a if isinstance(a, Tensor) else b
    return Tensor._wrap(fn(_as_operand(a, dt, like), _as_operand(b, dt, like)))


# ---------------------------------------------------------------------------------------------
_unnamed = itertools.count(1)


class Parameter(Tensor):
    """A trainable Tensor with a name: ``Parameter(default_input, name=None, requires_grad=True)``.

    While a GradOperation differentiates w.r.t. it, its ``_data`` is temporarily the traced value.

    Parameters
    ----------
    default_input : Tensor or array_like
        The initial value.
    name : str, optional
        The name ``Cell.trainable_params()`` and ``ParameterTuple`` report.
    requires_grad : bool
        False: the parameter is left out of ``trainable_params()``.
    layerwise_parallel : bool
        Accepted for MindSpore compatibility.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad import Tensor, Parameter
    >>> w = Parameter(Tensor(np.array([1.0], np.float32)), name="w")
    >>> w.name, w.requires_grad
    ('w', True)
    >>> _ = w.set_data(Tensor(np.array([3.0], np.float32)))
    >>> w.asnumpy()
    array([3.], dtype=float32)
    """

    def __init__(self, default_input, name=None, requires_grad=True, layerwise_parallel=False):
        if isinstance(default_input, (bool, int, float)) and not isinstance(default_input, bool):
            default_input = np.asarray(default_input, np.float32)
        super().__init__(default_input)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Parameter: name must be a str, got {type(name).__name__}")
        self._named = name is not None
        self.name = name if name is not None else f"Parameter#{next(_unnamed)}"
        self._local = self.name
        if not isinstance(requires_grad, bool):
            raise TypeError(f"Parameter: requires_grad must be a bool, got "
                            f"{type(requires_grad).__name__}")
        self.requires_grad = requires_grad

    @property
    def _data(self):
        table = getattr(_TRACED, "table", None)
        if table:
            entry = table.get(id(self))
            if entry is not None:
                return entry[1]
        return self.__dict__["_stored"]

    @_data.setter
    def _data(self, value):
        self.__dict__["_stored"] = value

    def set_data(self, data, slice_shape=False):
        """Replace the value (a Tensor, array or number); the dtype follows the new data."""
        self._data = Tensor(data)._data if not isinstance(data, Tensor) else Tensor(data)._data
        return self

    def clone(self, init="same"):
        return Parameter(Tensor(self), name=self.name, requires_grad=self.requires_grad)

    def __repr__(self):
        return (f"Parameter (name={self.name}, shape={self.shape}, dtype={self.dtype}, "
                f"requires_grad={self.requires_grad})")

    __str__ = __repr__


class ParameterTuple(tuple):
    """A tuple of Parameters with unique names (MindSpore checks both at construction).

    Parameters
    ----------
    iterable : iterable of Parameter
        The parameters, e.g. ``net.trainable_params()``; the weights argument of
        ``GradOperation(get_by_list=True)(net, weights)``.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad import Tensor, Parameter, ParameterTuple
    >>> a = Parameter(Tensor(np.zeros(2, np.float32)), name="a")
    >>> b = Parameter(Tensor(np.ones(1, np.float32)), name="b")
    >>> [p.name for p in ParameterTuple([a, b])]
    ['a', 'b']
    """

    def __new__(cls, iterable=()):
        if not isinstance(iterable, (tuple, list)) and hasattr(iterable, "__iter__"):
            iterable = list(iterable)
        items = list(iterable) if isinstance(iterable, (tuple, list)) else None
        if items is None or not all(isinstance(p, Parameter) for p in items):
            raise TypeError(f"For ParameterTuple initialization, ParameterTuple input should be "
                            f"'Parameter' collection, but got a {type(iterable)}. Wrap each "
                            f"Tensor in mindspore.Parameter (taylorad.Parameter) first.")
        seen = set()
        for p in items:
            if p.name in seen:
                raise ValueError(f"ParameterTuple: its name '{p.name}' already exists. Please "
                                 f"set a unique name for the parameter.")
            seen.add(p.name)
        return super().__new__(cls, items)
