"""``context.set_context(mode=..., device_target=...)`` as in MindSpore.

The mode only selects which of MindSpore's two error conventions the facade follows where they
differ (MINDSPORE.md §1); computations are the same in both. ``device_target="GPU"`` makes new
Tensors CuPy arrays, so everything runs on the GPU.
"""
import threading

__all__ = ["GRAPH_MODE", "PYNATIVE_MODE", "set_context", "get_context"]

GRAPH_MODE = 0
PYNATIVE_MODE = 1

_CTX = {"mode": GRAPH_MODE, "device_target": "CPU", "device_id": 0}
_TARGETS = ("CPU", "GPU")
_LOCK = threading.Lock()  # set_context checks every setting, then applies them together


def set_context(**kwargs):
    """Set ``mode`` (GRAPH_MODE or PYNATIVE_MODE) and/or ``device_target`` ("CPU" or "GPU").

    Parameters
    ----------
    **kwargs
        ``mode`` (0 = GRAPH_MODE, 1 = PYNATIVE_MODE: which of MindSpore's two error conventions
        the facade follows), ``device_target`` ('CPU' or 'GPU': new Tensors on CuPy); ``device_id``,
        ``save_graphs``, ``max_call_depth``, ... are accepted and ignored.

    Returns
    -------
    None

    Notes
    -----
    All or nothing: a bad setting raises before any setting changes. The context is the
    process's (as MindSpore's), shared by all threads.

    Examples
    --------
    >>> import taylorad as ms
    >>> ms.set_context(mode=ms.PYNATIVE_MODE); ms.get_context("mode")
    1
    >>> ms.set_context(mode=ms.GRAPH_MODE)
    """
    new = {}
    for key, value in kwargs.items():
        if key == "mode":
            if isinstance(value, bool) or value not in (GRAPH_MODE, PYNATIVE_MODE):
                raise ValueError(f"set_context: mode must be context.GRAPH_MODE (0) or "
                                 f"context.PYNATIVE_MODE (1), got {value!r}")
        elif key == "device_target":
            if not isinstance(value, str) or value.upper() not in _TARGETS:
                raise ValueError(f"set_context: device_target must be 'CPU' or 'GPU' (taylorad "
                                 f"runs on NumPy or CuPy), got {value!r}")
            value = value.upper()
            if value == "GPU":
                try:
                    import cupy  # noqa: F401, PLC0415 - only when the GPU is asked for
                except ImportError:
                    raise ValueError("set_context: device_target='GPU' needs CuPy — install "
                                     "taylorad[cuda] (pip install cupy-cuda12x) or use "
                                     "device_target='CPU'") from None
        elif key in ("device_id", "save_graphs", "max_call_depth", "pynative_synchronize",
                     "enable_graph_kernel", "jit_config", "max_device_memory"):
            pass  # accepted for compatibility; nothing to configure
        else:
            raise ValueError(f"set_context: unknown setting {key!r} — taylorad supports mode "
                             f"and device_target")
        new[key] = value
    with _LOCK:
        _CTX.update(new)


def get_context(key):
    """The value of one setting of :func:`set_context`.

    Parameters
    ----------
    key : str
        ``'mode'``, ``'device_target'`` or ``'device_id'`` (or any key set before).

    Returns
    -------
    object

    Examples
    --------
    >>> import taylorad as ms
    >>> ms.get_context("device_target")
    'CPU'
    """
    if key not in _CTX:
        raise ValueError(f"get_context: unknown setting {key!r}; known: {sorted(_CTX)}")
    return _CTX[key]


def xp():
    """The array namespace new Tensors are created in."""
    if _CTX["device_target"] == "GPU":
        import cupy  # noqa: PLC0415

        return cupy
    import numpy  # noqa: PLC0415

    return numpy


def graph():
    return _CTX["mode"] == GRAPH_MODE
