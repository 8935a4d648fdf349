"""MindSpore dtype objects (``from taylorad import dtype as mstype``).

A dtype prints as MindSpore does (``str`` -> ``Float32``, ``repr`` -> ``mindspore.float32``) and
knows its NumPy dtype; ``t.dtype == mstype.float32`` compares these objects.
"""
import numpy as np

__all__ = ["DType", "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
           "uint64", "float16", "float32", "float64", "half", "single", "double", "float_",
           "int_", "complex64", "complex128", "dtype_to_nptype", "to_dtype"]


class DType:
    """One MindSpore dtype: its MindSpore name and the NumPy dtype that stores it.

    Parameters
    ----------
    name : str
        MindSpore's name (``'Float32'``).
    npdtype : numpy dtype
        The storage type.

    Examples
    --------
    >>> from taylorad import dtype as mstype
    >>> mstype.float32, mstype.float32 == mstype.to_dtype("float32")
    (mindspore.float32, True)
    """

    __slots__ = ("name", "np")

    def __init__(self, name, npdtype):
        self.name = name
        self.np = np.dtype(npdtype)

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"mindspore.{self.name.lower() if self.name != 'Bool' else 'bool_'}"

    def __eq__(self, other):
        return isinstance(other, DType) and other.np == self.np

    def __hash__(self):
        return hash(self.np)


bool_ = DType("Bool", np.bool_)
int8 = DType("Int8", np.int8)
int16 = DType("Int16", np.int16)
int32 = DType("Int32", np.int32)
int64 = DType("Int64", np.int64)
uint8 = DType("UInt8", np.uint8)
uint16 = DType("UInt16", np.uint16)
uint32 = DType("UInt32", np.uint32)
uint64 = DType("UInt64", np.uint64)
float16 = DType("Float16", np.float16)
float32 = DType("Float32", np.float32)
float64 = DType("Float64", np.float64)
complex64 = DType("Complex64", np.complex64)
complex128 = DType("Complex128", np.complex128)
half, single, double, float_, int_ = float16, float32, float64, float32, int64

_BY_NP = {d.np: d for d in (bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
                            float16, float32, float64, complex64, complex128)}


def to_dtype(dt, fname="Tensor"):
    """The DType for a DType, a NumPy dtype/type or a dtype name (``'float32'``).

    Parameters
    ----------
    dt : DType, numpy dtype, type or str
        What to convert.
    fname : str
        The public function named in the error message for an unknown dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad import dtype as mstype
    >>> mstype.to_dtype(np.float64), mstype.to_dtype("float32")
    (mindspore.float64, mindspore.float32)
    """
    if isinstance(dt, DType):
        return dt
    try:
        npd = np.dtype(dt)
    except TypeError:
        npd = None
    if npd is None or npd not in _BY_NP:
        raise TypeError(f"{fname}: unsupported dtype {dt!r} — use one of mstype.float16, "
                        f"float32, float64, int32, int64, bool_")
    return _BY_NP[npd]


def dtype_to_nptype(dt):
    """The NumPy type of a MindSpore dtype (as ``mindspore.dtype_to_nptype``).

    Parameters
    ----------
    dt : DType
        A MindSpore dtype object.

    Examples
    --------
    >>> from taylorad import dtype as mstype
    >>> mstype.dtype_to_nptype(mstype.float32)
    <class 'numpy.float32'>
    """
    return to_dtype(dt).np.type
