"""``nn.Cell``: a callable module that registers its Parameters and sub-cells in order.

Order and names follow MindSpore (MINDSPORE.md §3): a cell's own Parameters first, in definition
order, then each sub-cell recursively; names carry the attribute path (``l1.w``), re-prefixed by
the last cell that registers the sub-cell.
"""
from .tensor import Parameter, ParameterTuple

__all__ = ["Cell"]


class Cell:
    """Base class of networks: define ``construct``; call the cell to run it.

    As ``mindspore.nn.Cell``: attributes that are Parameters or Cells are registered, so
    ``trainable_params()`` finds every weight of a network of cells.

    Parameters
    ----------
    auto_prefix : bool
        True (default): a sub-cell's Parameters are named ``<attribute>.<name>``; False (as
        MindSpore's WithLossCell, TrainOneStepCell and optimizers): names are kept.
    flags : dict, optional
        Accepted for compatibility.

    Examples
    --------
    A Cell's own Parameters come first in ``trainable_params()``, then its sub-cells', named by
    attribute path:

    >>> import numpy as np
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor, Parameter
    >>> class Scaled(nn.Cell):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.dense = nn.Dense(1, 1, weight_init='ones', bias_init='zeros')
    ...         self.s = Parameter(Tensor(np.array([2.0], np.float32)), name='s')
    ...     def construct(self, x):
    ...         return self.dense(x) * self.s
    >>> net = Scaled()
    >>> print(net(Tensor(np.array([[3.0]], np.float32))))
    [[6.]]
    >>> [p.name for p in net.trainable_params()]
    ['s', 'dense.weight', 'dense.bias']
    """

    def __init__(self, auto_prefix=True, flags=None):
        object.__setattr__(self, "_params", {})
        object.__setattr__(self, "_cells", {})
        object.__setattr__(self, "training", False)
        # auto_prefix=False (MindSpore's WithLossCell, TrainOneStepCell, optimizers): the
        # attribute names of this cell's sub-cells do not enter its Parameters' names
        object.__setattr__(self, "_auto_prefix", bool(auto_prefix))

    def _registry(self, what):
        if "_params" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: assign {what} only after calling "
                f"super().__init__() (or super({type(self).__name__}, self).__init__()) in "
                f"{type(self).__name__}.__init__")
        return self.__dict__

    def __setattr__(self, name, value):
        if isinstance(value, Parameter):
            d = self._registry("Parameters")
            if not value._named and value.name.startswith("Parameter#"):
                value.name = name
            value._local = value.name
            d["_cells"].pop(name, None)
            d["_params"][name] = value
        elif isinstance(value, Cell):
            d = self._registry("sub-cells")
            d["_params"].pop(name, None)
            d["_cells"][name] = value
            if self.__dict__.get("_auto_prefix", True):
                for path, p in value.parameters_and_names(name_prefix=name):
                    p.name = path
        elif isinstance(value, ParameterTuple):
            d = self._registry("ParameterTuples")
        elif "_params" in self.__dict__:
            self._params.pop(name, None)
            self._cells.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for k in [k for k in self._params if k.startswith(name + "#")]:
            del self._params[k]
        self._params.pop(name, None)
        self._cells.pop(name, None)
        object.__delattr__(self, name)

    def construct(self, *inputs, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}: define construct(self, ...) — it is "
                                  f"what calling the cell runs")

    def __call__(self, *inputs, **kwargs):
        return self.construct(*inputs, **kwargs)

    # --- parameters
    def parameters_and_names(self, name_prefix="", expand=True):
        """(name, Parameter) pairs: own Parameters, then sub-cells recursively; each once."""
        seen = set()
        prefix = name_prefix + "." if name_prefix else ""

        def rec(cell, prefix):
            for p in cell.__dict__.get("_params", {}).values():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield prefix + p._local, p
            if expand:
                auto = cell.__dict__.get("_auto_prefix", True)
                for attr, sub in cell.__dict__.get("_cells", {}).items():
                    yield from rec(sub, prefix + attr + "." if auto else prefix)

        yield from rec(self, prefix)

    def get_parameters(self, expand=True):
        """A generator over all Parameters (trainable or not)."""
        for _, p in self.parameters_and_names(expand=expand):
            yield p

    def trainable_params(self, recurse=True):
        """The Parameters with ``requires_grad=True``, as a list."""
        return [p for p in self.get_parameters(expand=recurse) if p.requires_grad]

    def untrainable_params(self, recurse=True):
        """The Parameters with ``requires_grad=False`` (an optimizer's state, ...), as a list."""
        return [p for p in self.get_parameters(expand=recurse) if not p.requires_grad]

    def cells_and_names(self, cell_name=""):
        """(name, Cell) pairs: this cell (named ``cell_name``), then its sub-cells recursively,
        named by attribute path."""
        yield cell_name, self
        for attr, sub in self._cells.items():
            yield from sub.cells_and_names(f"{cell_name}.{attr}" if cell_name else attr)

    def cells(self):
        """The direct sub-cells, in definition order."""
        return list(self._cells.values())

    def name_cells(self):
        """The direct sub-cells as a dict attribute name -> Cell."""
        return dict(self._cells)

    def set_train(self, mode=True):
        """Set ``training`` on this cell and every sub-cell (MindSpore's train/eval switch).

        Parameters
        ----------
        mode : bool
            True: training; False: evaluation.

        Returns
        -------
        Cell
            This cell.

        Examples
        --------
        >>> import taylorad.nn as nn
        >>> net = nn.SequentialCell([nn.Dense(2, 2), nn.ReLU()])
        >>> net.set_train().training, net.cells()[0].training
        (True, True)
        >>> net.set_train(False).cells()[0].training
        False
        """
        object.__setattr__(self, "training", bool(mode))
        for sub in self._cells.values():
            sub.set_train(mode)
        return self

    def set_grad(self, requires_grad=True):
        """Accepted for compatibility (every gradient is computed on demand); returns the cell."""
        return self

    def __repr__(self):
        return f"{type(self).__name__}<>"
