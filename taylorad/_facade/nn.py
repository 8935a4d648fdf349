"""``nn``: Cell, plus the few layers MindSpore programs for high-order derivatives use."""
import numpy as np

from .. import numpy as tnp
from .cell import Cell
from .tensor import Parameter, Tensor

__all__ = ["Cell", "Dense", "Tanh", "Sigmoid", "ReLU", "SequentialCell"]


class _Act(Cell):
    _fn = None

    def construct(self, x):
        return Tensor._wrap(type(self)._fn(x._data))


class Tanh(_Act):
    """The elementwise tanh as a Cell (``mindspore.nn.Tanh``).

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> nn.Tanh()(Tensor(np.array([0.0], np.float32))).asnumpy()
    array([0.], dtype=float32)
    """

    _fn = staticmethod(tnp.tanh)


class Sigmoid(_Act):
    """The elementwise logistic function 1 / (1 + exp(-x)) as a Cell (``mindspore.nn.Sigmoid``).

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> nn.Sigmoid()(Tensor(np.array([0.0], np.float32))).asnumpy()
    array([0.5], dtype=float32)
    """

    _fn = staticmethod(tnp.sigmoid)


class ReLU(Cell):
    """max(x, 0) as a Cell (``mindspore.nn.ReLU``); its derivative at 0 is 0.

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> nn.ReLU()(Tensor(np.array([-1.0, 2.0], np.float32))).asnumpy()
    array([0., 2.], dtype=float32)
    """

    def construct(self, x):
        return Tensor._wrap(tnp.relu(x._data))


class Dense(Cell):
    """``Dense(in_channels, out_channels, weight_init, bias_init, has_bias, activation)``.

    ``weight_init``/``bias_init`` are Tensors or arrays (weight shape (out, in)); 'normal' and
    'zeros' draw from a fixed-seed generator.

    Parameters
    ----------
    in_channels, out_channels : int
        Input and output widths: ``y = x @ weight.T + bias``.
    weight_init, bias_init : Tensor, array or str
        Initial values ('normal', 'zeros' or explicit arrays).
    has_bias : bool
        Whether the layer adds a bias.
    activation : Cell, str or None
        Applied to the output ('tanh', 'sigmoid', 'relu' or a Cell).

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> dense = nn.Dense(2, 1, weight_init=Tensor(np.array([[1.0, 2.0]], np.float32)))
    >>> dense(Tensor(np.array([[1.0, 1.0]], np.float32))).asnumpy()
    array([[3.]], dtype=float32)
    """

    def __init__(self, in_channels, out_channels, weight_init="normal", bias_init="zeros",
                 has_bias=True, activation=None):
        super().__init__()
        self.weight = Parameter(_init(weight_init, (out_channels, in_channels)), name="weight")
        self.has_bias = has_bias
        if has_bias:
            self.bias = Parameter(_init(bias_init, (out_channels,)), name="bias")
        acts = {None: None, "tanh": Tanh, "sigmoid": Sigmoid, "relu": ReLU}
        if isinstance(activation, str) or activation is None:
            if activation not in acts:
                raise ValueError(f"Dense: activation must be one of {sorted(k for k in acts if k)}"
                                 f" or a Cell, got {activation!r}")
            activation = acts[activation]() if acts[activation] else None
        self.activation = activation

    def construct(self, x):
        y = Tensor._wrap(tnp.matmul(x._data, tnp.transpose(self.weight._data)))
        if self.has_bias:
            y = y + self.bias
        return self.activation(y) if self.activation is not None else y


class SequentialCell(Cell):
    """Cells applied one after the other (``mindspore.nn.SequentialCell``).

    Parameters
    ----------
    *cells : Cell, or one list/tuple of Cells
        The layers, in order.

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> w = Tensor(np.array([[1.0, -1.0]], np.float32))
    >>> net = nn.SequentialCell(nn.Dense(2, 1, weight_init=w), nn.ReLU())
    >>> net(Tensor(np.array([[3.0, 1.0]], np.float32))).asnumpy()
    array([[2.]], dtype=float32)
    """

    def __init__(self, *cells):
        super().__init__()
        if len(cells) == 1 and isinstance(cells[0], (list, tuple)):
            cells = cells[0]
        self._order = []
        for i, c in enumerate(cells):
            setattr(self, str(i), c)
            self._order.append(c)

    def construct(self, x):
        for c in self._order:
            x = c(x)
        return x


_rng = np.random.default_rng(0)


def _init(spec, shape):
    if isinstance(spec, str):
        if spec == "normal":
            return Tensor((_rng.standard_normal(shape) * 0.01).astype(np.float32))
        if spec in ("zeros", "zero"):
            return Tensor(np.zeros(shape, np.float32))
        if spec in ("ones", "one"):
            return Tensor(np.ones(shape, np.float32))
        raise ValueError(f"Dense: unknown initializer {spec!r} — use 'normal', 'zeros', 'ones' "
                         f"or a Tensor")
    t = spec if isinstance(spec, Tensor) else Tensor(np.asarray(spec, np.float32))
    if t.shape != tuple(shape):
        raise ValueError(f"Dense: initial value has shape {t.shape}, expected {tuple(shape)}")
    return t
