"""The on/off context managers of the optional fast paths (``taylorad.cpu.use_kernels``,
``taylorad.cuda.use_fused``): each sets ``state["enabled"]`` for its block, nestably."""

__all__ = ["Switch"]


class Switch:
    """Subclasses set ``_name`` (for error messages) and ``_state`` (their module's dict)."""

    _name = "taylorad switch"
    _state = {"enabled": True}

    def __init__(self, enabled=True):
        if not isinstance(enabled, bool):
            raise TypeError(f"{self._name}: enabled must be True or False, got {enabled!r}")
        self.enabled = enabled
        self._saved = []

    def __enter__(self):
        self._saved.append(self._state["enabled"])
        self._state["enabled"] = self.enabled
        return self

    def __exit__(self, *exc):
        self._state["enabled"] = self._saved.pop()
        return False
