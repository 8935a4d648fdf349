"""Backend selection and shape helpers shared by the primitive families."""
import numpy as np

from ..core.backend import namespace
from ..core.trace import Box, getval


def array_namespace(*xs):
    """numpy, cupy or dask.array, from the (unboxed) arguments; numpy for Python scalars (see
    ``taylorad.core.backend.namespace``)."""
    return namespace(*xs)


def as_array(x):
    """A traced value as it is; anything else as an array of its namespace (numpy for Python
    numbers and lists)."""
    return x if isinstance(x, Box) else namespace(x).asarray(x)


def normalize_axis(axis, ndim, fname):
    """A tuple of non-negative axes (or None for all axes)."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"taylorad.numpy.{fname}: axis {a} is out of bounds for an array "
                             f"of dimension {ndim}")
        out.append(a % ndim if ndim else 0)
    return tuple(out)


def shape_of(x):
    """The shape of an array, traced value or Python scalar (())."""
    try:
        return tuple(x.shape)
    except AttributeError:
        return ()
