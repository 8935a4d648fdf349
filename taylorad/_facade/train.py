"""Training wrapper Cells of ``mindspore.nn``: WithLossCell, WithGradCell, TrainOneStepCell.

As in MindSpore they are created with ``auto_prefix=False``: wrapping a network does not rename
its Parameters. The gradient is one ``GradOperation(get_by_list=True, sens_param=True)`` call.
"""
import numpy as np

from ..core.trace import getval
from .cell import Cell
from .grad import GradOperation
from .tensor import ParameterTuple, Tensor

__all__ = ["WithLossCell", "WithGradCell", "TrainOneStepCell"]


def _check_cell(obj, name, fname):
    if not isinstance(obj, Cell):
        raise TypeError(f"{fname}: {name} must be a Cell (an nn.Cell subclass), got "
                        f"{type(obj).__name__}")


class WithLossCell(Cell):
    """``nn.WithLossCell(backbone, loss_fn)``: ``construct(data, label)`` returns
    ``loss_fn(backbone(data), label)``.

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> net = nn.Dense(1, 1, weight_init='ones', bias_init='zeros')
    >>> print(nn.WithLossCell(net, nn.MSELoss())(Tensor([[2.0]]), Tensor([[1.0]])))
    1.0
    """

    def __init__(self, backbone, loss_fn):
        super().__init__(auto_prefix=False)
        _check_cell(backbone, "backbone", "WithLossCell")
        if not callable(loss_fn):
            raise TypeError(f"WithLossCell: loss_fn must be a loss Cell (nn.MSELoss(), ...), got "
                            f"{type(loss_fn).__name__}")
        self._backbone = backbone
        self._loss_fn = loss_fn

    def construct(self, data, label):
        return self._loss_fn(self._backbone(data), label)

    @property
    def backbone_network(self):
        """The wrapped network."""
        return self._backbone


def _fill_like(out, sens):
    v = getval(out._data)
    return Tensor._wrap(np.full(v.shape, sens, dtype=v.dtype))


class WithGradCell(Cell):
    """``nn.WithGradCell(network, loss_fn=None, sens=None)``: ``construct(*inputs)`` returns the
    gradients of the (loss of the) network w.r.t. its trainable Parameters, a tuple; ``sens``
    scales the output's seed (default 1).

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> net = nn.Dense(1, 1, weight_init='ones', bias_init='zeros')
    >>> gw, gb = nn.WithGradCell(net, nn.MSELoss())(Tensor([[2.0]]), Tensor([[1.0]]))
    >>> print(gw, gb)   # d/dw (2w - 1)^2 = 4(2w - 1), d/db = 2(2w - 1)
    [[4.]] [2.]
    """

    def __init__(self, network, loss_fn=None, sens=None):
        super().__init__(auto_prefix=False)
        _check_cell(network, "network", "WithGradCell")
        self.network = network if loss_fn is None else WithLossCell(network, loss_fn)
        self.weights = ParameterTuple(network.trainable_params())
        self.sens = sens
        self.grad = GradOperation(get_by_list=True, sens_param=True)

    def construct(self, *inputs):
        out = self.network(*inputs)
        sens = _fill_like(out, 1.0 if self.sens is None else self.sens)
        return self.grad(self.network, self.weights)(*inputs, sens)


class TrainOneStepCell(Cell):
    """``nn.TrainOneStepCell(network, optimizer, sens=None, return_grad=False)``: one training
    step — the loss of ``network(*inputs)``, its gradients w.r.t. ``optimizer.parameters``
    (seeded with ``sens``, default 1.0), ``optimizer(grads)``; returns the loss (with
    ``return_grad=True``: ``(loss, {parameter name: gradient})``).

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> net = nn.Dense(1, 1, weight_init='ones', bias_init='zeros')
    >>> opt = nn.SGD(net.trainable_params(), 0.1)
    >>> step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), opt)
    >>> print(step(Tensor([[2.0]]), Tensor([[1.0]])))
    1.0
    >>> print(net.weight.asnumpy(), net.bias.asnumpy())   # w - 0.1·4, b - 0.1·2
    [[0.6]] [-0.2]
    """

    def __init__(self, network, optimizer, sens=None, return_grad=False):
        super().__init__(auto_prefix=False)
        _check_cell(network, "network", "TrainOneStepCell")
        if not callable(optimizer) or not hasattr(optimizer, "parameters"):
            raise TypeError("TrainOneStepCell: optimizer must be an nn optimizer (nn.Adam, ...)")
        self.network = network
        self.optimizer = optimizer
        object.__setattr__(self, "weights", optimizer.parameters)
        self.sens = 1.0 if sens is None else sens
        self.return_grad = bool(return_grad)
        self.grad = GradOperation(get_by_list=True, sens_param=True)

    def construct(self, *inputs):
        loss = self.network(*inputs)
        if not isinstance(loss, Tensor):
            raise TypeError(f"TrainOneStepCell: the network must return the loss as a Tensor, "
                            f"got {type(loss).__name__}")
        sens = _fill_like(loss, self.sens)
        grads = self.grad(self.network, self.weights)(*inputs, sens)
        self.optimizer(grads)
        if self.return_grad:
            return loss, {p.name: g for p, g in zip(self.weights, grads)}
        return loss
