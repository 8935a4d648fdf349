"""``nn``: Cell, layers, activations, losses, training cells, optimizers and learning rates.

MindSpore 2.x semantics (docs/specs/mindspore-training.md): ``Dense(in, out)`` draws its weight
from ``HeUniform(math.sqrt(5))`` and its bias from ``Uniform(1/sqrt(in))`` (the 2.x defaults);
``'normal'`` is ``Normal(sigma=0.01)``. Losses, training cells and optimizers live in
``loss.py``, ``train.py`` and ``optim.py`` and are re-exported here.
"""
import math
from collections import OrderedDict

import numpy as np

from .. import numpy as tnp
from ..core.trace import getval
from . import dtype as mstype
from .cell import Cell
from .initializer import HeUniform, Initializer, Uniform, initializer
from .loss import (CrossEntropyLoss, HuberLoss, L1Loss, LossBase, MSELoss, SmoothL1Loss,
                   SoftmaxCrossEntropyWithLogits)
from .lr import (CosineDecayLR, ExponentialDecayLR, InverseDecayLR, LearningRateSchedule,
                 NaturalExpDecayLR, PolynomialDecayLR, WarmUpLR, cosine_decay_lr,
                 exponential_decay_lr, inverse_decay_lr, natural_exp_decay_lr,
                 piecewise_constant_lr, polynomial_decay_lr, warmup_lr)
from .ops import _gelu_erf, _gelu_tanh
from .optim import SGD, Adam, AdamWeightDecay, Momentum, Optimizer, RMSProp
from .tensor import Parameter, Tensor
from .train import TrainOneStepCell, WithGradCell, WithLossCell

__all__ = ["Cell", "Dense", "Tanh", "Sigmoid", "ReLU", "Softplus", "GELU", "SiLU", "Identity",
           "Flatten", "SequentialCell", "CellList",
           "LossBase", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss",
           "SoftmaxCrossEntropyWithLogits", "WithLossCell", "WithGradCell", "TrainOneStepCell",
           "Optimizer", "SGD", "Momentum", "Adam", "AdamWeightDecay", "RMSProp",
           "LearningRateSchedule", "ExponentialDecayLR", "NaturalExpDecayLR", "InverseDecayLR",
           "CosineDecayLR", "PolynomialDecayLR", "WarmUpLR", "exponential_decay_lr",
           "natural_exp_decay_lr", "inverse_decay_lr", "cosine_decay_lr",
           "polynomial_decay_lr", "warmup_lr", "piecewise_constant_lr"]


# --- activations ------------------------------------------------------------------------------
class _Act(Cell):
    """An elementwise activation Cell; integer inputs compute in Float32."""

    _fn = None

    def construct(self, x):
        v = x._data if isinstance(x, Tensor) else Tensor(x)._data
        if np.dtype(getval(v).dtype).kind in "biu":
            v = tnp.astype(v, np.float32)
        return Tensor._wrap(type(self)._fn(v))

    def __repr__(self):
        return f"{type(self).__name__}<>"


class Tanh(_Act):
    """``nn.Tanh()``: tanh(x).

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.Tanh()(Tensor([0.0])))
    [0.]
    """

    _fn = staticmethod(tnp.tanh)


class Sigmoid(_Act):
    """``nn.Sigmoid()``: 1 / (1 + exp(−x)).

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.Sigmoid()(Tensor([0.0])))
    [0.5]
    """

    _fn = staticmethod(tnp.sigmoid)


class ReLU(_Act):
    """``nn.ReLU()``: max(x, 0).

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.ReLU()(Tensor([-1.0, 2.0])))
    [0. 2.]
    """

    _fn = staticmethod(tnp.relu)


class Softplus(_Act):
    """``nn.Softplus()``: log(1 + exp(x)).

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> round(float(nn.Softplus()(Tensor(0.0))), 6)
    0.693147
    """

    _fn = staticmethod(tnp.softplus)


def _silu(v):
    return tnp.multiply(v, tnp.sigmoid(v))


class SiLU(_Act):
    """``nn.SiLU()``: x·sigmoid(x).

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.SiLU()(Tensor([0.0])))
    [0.]
    """

    _fn = staticmethod(_silu)


class GELU(Cell):
    """``nn.GELU(approximate=True)``: the tanh approximation by default (MindSpore's default);
    ``approximate=False`` is x·Φ(x) with the error function.

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.GELU()(Tensor([0.0])))
    [0.]
    """

    def __init__(self, approximate=True):
        super().__init__()
        if not isinstance(approximate, bool):
            raise TypeError(f"GELU: approximate must be a bool, got {approximate!r}")
        self.approximate = approximate

    def construct(self, x):
        v = x._data
        if np.dtype(getval(v).dtype).kind in "biu":
            v = tnp.astype(v, np.float32)
        return Tensor._wrap((_gelu_tanh if self.approximate else _gelu_erf)(v))


class Identity(Cell):
    """``nn.Identity()``: returns its input.

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.Identity()(Tensor([1.0])))
    [1.]
    """

    def construct(self, x):
        return x


class Flatten(Cell):
    """``nn.Flatten(start_dim=1, end_dim=-1)``: merges the axes start_dim..end_dim (the batch
    axis is kept by default).

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> nn.Flatten()(Tensor(np.zeros((2, 3, 4), np.float32))).shape
    (2, 12)
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def construct(self, x):
        from .ops import flatten  # noqa: PLC0415

        return flatten(x, start_dim=self.start_dim, end_dim=self.end_dim)


_ACTIVATIONS = {"tanh": Tanh, "sigmoid": Sigmoid, "relu": ReLU, "softplus": Softplus,
                "gelu": GELU, "silu": SiLU, "swish": SiLU}


def _activation(act, where):
    if act is None or isinstance(act, Cell) or (callable(act) and not isinstance(act, str)):
        return act
    if isinstance(act, str):
        cls = _ACTIVATIONS.get(act.lower())
        if cls is None:
            raise ValueError(f"{where}: activation must be one of {sorted(_ACTIVATIONS)}, a Cell "
                             f"or None, got {act!r}")
        return cls()
    raise TypeError(f"{where}: activation must be a str, a Cell or None, got "
                    f"{type(act).__name__}")


# --- Dense ------------------------------------------------------------------------------------
def _param_value(init, shape, dtype, what):
    """A Tensor for Dense's weight/bias from a str, Initializer, number, Tensor or array."""
    if isinstance(init, Tensor):
        t = init
    elif isinstance(init, np.ndarray):
        t = Tensor(init)
    elif isinstance(init, (str, Initializer)) or (
            isinstance(init, (int, float, np.number)) and not isinstance(init, bool)):
        return initializer(init, shape, dtype)
    else:
        raise TypeError(f"Dense: {what} must be a str, an Initializer, a number or a Tensor, got "
                        f"{type(init).__name__}")
    if tuple(t.shape) != tuple(shape):
        raise ValueError(f"Dense: {what} has shape {tuple(t.shape)}, expected {tuple(shape)} "
                         f"(weight: (out_channels, in_channels); bias: (out_channels,))")
    return Tensor(t)


class Dense(Cell):
    """``nn.Dense(in_channels, out_channels, weight_init=None, bias_init=None, has_bias=True,
    activation=None, dtype=mstype.float32)``: ``activation(x @ weight.T + bias)``.

    ``weight_init`` / ``bias_init`` may be a str (``'normal'``, ``'zeros'``, ``'ones'``,
    ``'xavier_uniform'``, ``'he_uniform'``, ...), an Initializer, a number or a Tensor (weight
    shape ``(out_channels, in_channels)``). None gives MindSpore 2.x's defaults: weight
    ``HeUniform(math.sqrt(5))``, bias ``Uniform(1/sqrt(in_channels))``. ``activation`` is a name
    (``'relu'``, ``'tanh'``, ``'sigmoid'``, ``'gelu'``, ``'silu'``, ``'softplus'``) or a Cell.

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> d = nn.Dense(2, 1, weight_init=Tensor(np.array([[1.0, 2.0]], np.float32)), bias_init='ones')
    >>> print(d(Tensor([[1.0, 1.0]])))
    [[4.]]
    """

    def __init__(self, in_channels, out_channels, weight_init=None, bias_init=None,
                 has_bias=True, activation=None, dtype=mstype.float32):
        super().__init__()
        for n, v in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
                raise TypeError(f"Dense: {n} must be a positive int, got {v!r}")
        if not isinstance(has_bias, bool):
            raise TypeError(f"Dense: has_bias must be a bool, got {has_bias!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        if weight_init is None:
            weight_init = HeUniform(math.sqrt(5))
        self.weight = Parameter(_param_value(weight_init, (out_channels, in_channels), dtype,
                                             "weight_init"), name="weight")
        self.has_bias = has_bias
        if has_bias:
            if bias_init is None:
                bias_init = Uniform(1 / math.sqrt(in_channels))
            self.bias = Parameter(_param_value(bias_init, (out_channels,), dtype, "bias_init"),
                                  name="bias")
        self.activation = _activation(activation, "Dense")

    def construct(self, x):
        y = x @ self.weight.T
        if self.has_bias:
            y = y + self.bias
        return self.activation(y) if self.activation is not None else y

    def __repr__(self):
        return (f"Dense<input_channels={self.in_channels}, output_channels={self.out_channels}, "
                f"has_bias={self.has_bias}>")


# --- containers -------------------------------------------------------------------------------
class SequentialCell(Cell):
    """``nn.SequentialCell(*cells)`` or ``SequentialCell([cells])`` or
    ``SequentialCell(OrderedDict(name=cell))``: calls the cells in order. Parameters are named
    ``<index>.<name>`` (or ``<key>.<name>`` for an OrderedDict).

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> seq = nn.SequentialCell([nn.ReLU(), nn.Tanh()])
    >>> print(seq(Tensor([-1.0, 0.0])))
    [0. 0.]
    >>> len(seq)
    2
    """

    def __init__(self, *args):
        super().__init__()
        object.__setattr__(self, "_order", [])
        if len(args) == 1 and isinstance(args[0], (OrderedDict, dict)):
            items = list(args[0].items())
        else:
            cells = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
            items = [(str(i), c) for i, c in enumerate(cells)]
        for name, c in items:
            self.append(c, name)

    def append(self, cell, name=None):
        """Add ``cell`` at the end.

        Parameters
        ----------
        cell : Cell
        name : str, optional
            Its attribute name (default: its index).

        Returns
        -------
        SequentialCell
        """
        if not isinstance(cell, Cell):
            raise TypeError(f"{type(self).__name__}: every element must be a Cell, got "
                            f"{type(cell).__name__}")
        setattr(self, str(len(self._order)) if name is None else str(name), cell)
        self._order.append(cell)
        return self

    def __getitem__(self, i):
        if isinstance(i, slice):
            return type(self)(self._order[i])
        return self._order[i]

    def __len__(self):
        return len(self._order)

    def __iter__(self):
        return iter(self._order)

    def construct(self, x):
        for c in self._order:
            x = c(x)
        return x


class CellList(SequentialCell):
    """``nn.CellList([cells])``: a list of Cells whose Parameters are registered; index or
    iterate it in ``construct`` (calling the list itself is an error, as in MindSpore).

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> cl = nn.CellList([nn.Dense(2, 2), nn.Dense(2, 1)])
    >>> [p.name for p in cl.trainable_params()]
    ['0.weight', '0.bias', '1.weight', '1.bias']
    """

    def __init__(self, args=None):
        super().__init__(list(args) if args is not None else [])

    def insert(self, index, cell):
        """Insert ``cell`` before ``index`` (the Cells are renamed by position).

        Parameters
        ----------
        index : int
        cell : Cell

        Returns
        -------
        None
        """
        cells = list(self._order)
        cells.insert(index, cell)
        for k in list(self._cells):
            delattr(self, k)
        self._order.clear()
        for c in cells:
            self.append(c)

    def extend(self, cells):
        """Append every Cell of ``cells``.

        Parameters
        ----------
        cells : iterable of Cell

        Returns
        -------
        CellList
        """
        for c in cells:
            self.append(c)
        return self

    def construct(self, *inputs):
        raise NotImplementedError("CellList: a CellList is not callable — index it (cells[i](x)) "
                                  "or iterate over it inside your construct")
