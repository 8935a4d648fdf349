"""The on/off context managers of the optional fast paths (``taylorad.cpu.use_kernels``,
``taylorad.cuda.use_fused``): each switches its fast path for its block, nestably.

``state["enabled"]`` (the module's dict) is the process-wide default; a ``with`` block overrides
it for the thread that runs the block only, so that threads switching a fast path at the same
time never undo each other's settings (readers call ``enabled(state)``)."""
import threading

__all__ = ["Switch", "enabled"]

_TLS = threading.local()  # .over: {id(state dict): [values of the open blocks, innermost last]}


def enabled(state):
    """Whether the fast path of ``state`` is on in this thread.

    Parameters
    ----------
    state : dict
        A fast path's module dict (``{"enabled": bool, ...}``, the process-wide default).

    Returns
    -------
    bool
        The value of the innermost open ``with`` block of that switch in this thread, else
        ``state["enabled"]``.

    Examples
    --------
    >>> class demo(Switch):
    ...     _state = {"enabled": True}
    >>> with demo(False):
    ...     enabled(demo._state)
    False
    >>> enabled(demo._state)
    True
    """
    over = getattr(_TLS, "over", None)
    if over:
        stack = over.get(id(state))
        if stack:
            return stack[-1]
    return state["enabled"]


class Switch:
    """Subclasses set ``_name`` (for error messages) and ``_state`` (their module's dict)."""

    _name = "taylorad switch"
    _state = {"enabled": True}

    def __init__(self, enabled=True):
        if not isinstance(enabled, bool):
            raise TypeError(f"{self._name}: enabled must be True or False, got {enabled!r}")
        self.enabled = enabled

    def _stack(self):
        over = getattr(_TLS, "over", None)
        if over is None:
            over = _TLS.over = {}
        return over.setdefault(id(self._state), [])

    def __enter__(self):
        self._stack().append(self.enabled)
        return self

    def __exit__(self, *exc):
        stack = self._stack()
        if stack:
            stack.pop()
        return False
