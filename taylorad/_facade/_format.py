"""``repr`` of a Tensor exactly as MindSpore 2.x writes it (MINDSPORE.md §4).

``Tensor(shape=[2], dtype=Float32, value= [ 1.00000000e+00,  2.00000000e+00])``: floats as
``% .8e`` (Float16: ``% .4e``), integers and booleans right-aligned to a common width, 0-d values
as C++ streams print them (``%g``, 6 significant digits), more than 1000 elements summarised.
"""
import numpy as np

__all__ = ["tensor_repr"]

_SUMMARY = 1000
_EDGE = 3
_LINE = 204  # characters of elements per line: 12 Float32 numbers


def _elements(flat, kind, fmt):
    if kind == "b":
        strs = ["True" if v else "False" for v in flat]
    elif kind in "iu":
        strs = [str(int(v)) for v in flat]
    else:
        strs = [fmt % float(v) for v in flat]
    return strs


def _scalar(v, kind):
    if kind == "b":
        return "True" if v else "False"
    if kind in "iu":
        return str(int(v))
    return "%g" % float(v)


def tensor_repr(a, dtype_name):
    a = np.asarray(a)
    kind = a.dtype.kind
    shape = "[" + ", ".join(str(s) for s in a.shape) + "]"
    head = f"Tensor(shape={shape}, dtype={dtype_name}, value="
    if a.ndim == 0:
        return f"{head} {_scalar(a[()], kind)})"
    if a.size == 0:
        return f"{head} )"
    fmt = "% .4e" if a.dtype == np.float16 else "% .8e"
    summarise = a.size > _SUMMARY
    shown = _shown(a) if summarise else a
    width = max(len(s) for s in _elements(shown.ravel(), kind, fmt))
    per_line = max(1, _LINE // (width + 2))

    def item(v):
        return _elements([v], kind, fmt)[0].rjust(width)

    def rec(x, depth):
        n = x.shape[0]
        cut = summarise and n > 2 * _EDGE
        idx = list(range(_EDGE)) + [None] + list(range(n - _EDGE, n)) if cut else range(n)
        if x.ndim == 1:
            parts, line = [], []
            for i in idx:
                if i is None:
                    parts.append(", ".join(line) + " ..." if line else "...")
                    line = []
                    continue
                line.append(item(x[i]))
                if len(line) == per_line and not cut:
                    parts.append(", ".join(line))
                    line = []
            if line:
                parts.append(", ".join(line))
            text = ""
            for k, p in enumerate(parts):
                if k == 0:
                    text = p
                elif parts[k - 1].endswith("..."):
                    text += " " + p
                else:
                    text += ", \n" + " " * (depth + 2) + p
            return "[" + text + "]"
        sep = ",\n" + " " * (depth + 1)
        rows = ["..." if i is None else rec(x[i], depth + 1) for i in idx]
        return "[" + sep.join(rows) + "]"

    body = rec(a, 0)
    if a.ndim == 1:
        return f"{head} {body})"
    return f"{head}\n{body})"


def _shown(a):
    """The elements that a summarised print shows (first and last _EDGE along each axis)."""
    for ax in range(a.ndim):
        n = a.shape[ax]
        if n > 2 * _EDGE:
            keep = list(range(_EDGE)) + list(range(n - _EDGE, n))
            a = np.take(a, keep, axis=ax)
    return a
