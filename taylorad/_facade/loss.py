"""Loss Cells of ``mindspore.nn`` (docs/specs/mindspore-training.md §3).

Each loss is written with facade Tensor operations, so it is differentiable to any order (a PINN
loss containing ``ms.grad`` is differentiated forward over reverse). ``reduction`` is
``'mean'`` (a 0-d Tensor), ``'sum'`` or ``'none'`` (elementwise / per-sample losses).
"""
import numpy as np

from .. import numpy as tnp
from ..core.trace import getval
from .cell import Cell
from .tensor import Tensor

__all__ = ["LossBase", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss",
           "SoftmaxCrossEntropyWithLogits"]

_REDUCTIONS = ("mean", "sum", "none")


def _t(x, name, where):
    if isinstance(x, Tensor):
        return x
    if hasattr(x, "dtype") and hasattr(x, "shape"):
        return Tensor(x)
    raise TypeError(f"{where}: {name} must be a Tensor, got {type(x).__name__}")


def _below(a, bound, inside, outside):
    """``inside`` where a < bound, else ``outside`` (Tensors; the branch is chosen on the values,
    each branch differentiated as it is)."""
    small = np.asarray(getval(a._data) < bound)
    return Tensor._wrap(tnp.where(small, inside._data, outside._data))


class LossBase(Cell):
    """Base class of the losses: ``LossBase(reduction='mean')``; ``get_loss(x, weights=1.0)``
    applies the weights and the reduction.

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.LossBase('sum').get_loss(Tensor([1.0, 2.0])))
    3.0
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean', 'sum' or 'none', "
                             f"got {reduction!r}")
        self.reduction = reduction

    def get_loss(self, x, weights=1.0):
        """Weighted ``x`` reduced by ``self.reduction``.

        Parameters
        ----------
        x : Tensor
            Elementwise losses.
        weights : float or Tensor
            Broadcast against ``x``.

        Returns
        -------
        Tensor
        """
        if not (isinstance(weights, (int, float)) and weights == 1.0):
            x = x * weights
        if self.reduction == "mean":
            return x.mean()
        if self.reduction == "sum":
            return x.sum()
        return x

    def construct(self, logits, labels):
        raise NotImplementedError(f"{type(self).__name__}: define construct(logits, labels)")

    def _difference(self, logits, labels):
        """logits − labels, both checked to be Tensors (the elementwise losses start here)."""
        where = type(self).__name__
        return _t(logits, "logits", where) - _t(labels, "labels", where)


class MSELoss(LossBase):
    """``nn.MSELoss(reduction='mean')``: (logits − labels)², reduced.

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.MSELoss()(Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 1.0, 1.0])))
    1.6666667
    """

    def construct(self, logits, labels):
        d = self._difference(logits, labels)
        return self.get_loss(d * d)


class L1Loss(LossBase):
    """``nn.L1Loss(reduction='mean')``: ``|logits − labels|``, reduced.

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.L1Loss()(Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 1.0, 1.0])))
    1.0
    """

    def construct(self, logits, labels):
        return self.get_loss(abs(self._difference(logits, labels)))


class SmoothL1Loss(LossBase):
    """``nn.SmoothL1Loss(beta=1.0, reduction='none')``: ``0.5·d²/β`` where ``|d| < β``, else ``|d| − 0.5β``.

    Note MindSpore's default reduction here is ``'none'``.

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.SmoothL1Loss()(Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 2.0, 2.0])))
    [0.  0.  0.5]
    """

    def __init__(self, beta=1.0, reduction="none"):
        super().__init__(reduction)
        if isinstance(beta, bool) or not isinstance(beta, (int, float)) or beta <= 0:
            raise ValueError(f"SmoothL1Loss: beta must be a float > 0, got {beta!r}")
        self.beta = float(beta)

    def construct(self, logits, labels):
        d = self._difference(logits, labels)
        a = abs(d)
        return self.get_loss(_below(a, self.beta, d * d * (0.5 / self.beta), a - 0.5 * self.beta))


class HuberLoss(LossBase):
    """``nn.HuberLoss(reduction='mean', delta=1.0)``: ``0.5·d²`` where ``|d| < δ``, else ``δ·(|d| − 0.5δ)``.

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.HuberLoss(reduction='none')(Tensor([0.5, 3.0]), Tensor([0.0, 0.0])))
    [0.125 2.5  ]
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        if isinstance(delta, bool) or not isinstance(delta, (int, float)) or delta <= 0:
            raise ValueError(f"HuberLoss: delta must be a float > 0, got {delta!r}")
        self.delta = float(delta)

    def construct(self, logits, labels):
        d = self._difference(logits, labels)
        a = abs(d)
        outer = (a - 0.5 * self.delta) * self.delta
        return self.get_loss(_below(a, self.delta, d * d * 0.5, outer))


def _log_softmax(x, axis):
    v = x._data
    m = getval(v).max(axis=axis, keepdims=True)  # a constant shift: exact derivative unchanged
    z = tnp.subtract(v, m)
    return Tensor._wrap(tnp.subtract(z, tnp.log(tnp.sum(tnp.exp(z), axis=axis, keepdims=True))))


def _one_hot(labels, n, dtype, where):
    idx = np.asarray(labels.asnumpy() if isinstance(labels, Tensor) else labels)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{where}: sparse labels must be integer class indices, got "
                        f"{idx.dtype}")
    out = np.zeros(idx.shape + (n,), dtype)
    valid = (idx >= 0) & (idx < n)
    out[valid, idx[valid]] = 1
    return out, idx, valid


class SoftmaxCrossEntropyWithLogits(LossBase):
    """``nn.SoftmaxCrossEntropyWithLogits(sparse=False, reduction='none')``: per sample
    −Σ_c labels[c]·log softmax(logits)[c]; with ``sparse=True`` the labels are class indices.

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True)
    >>> out = loss(Tensor(np.zeros((1, 4), np.float32)), Tensor(np.array([2], np.int32)))
    >>> round(float(out[0]), 6)   # log 4
    1.386294
    """

    def __init__(self, sparse=False, reduction="none"):
        super().__init__(reduction)
        if not isinstance(sparse, bool):
            raise TypeError(f"SoftmaxCrossEntropyWithLogits: sparse must be a bool, got "
                            f"{sparse!r}")
        self.sparse = sparse

    def construct(self, logits, labels):
        where = "SoftmaxCrossEntropyWithLogits"
        logits = _t(logits, "logits", where)
        if logits.ndim != 2:
            raise ValueError(f"{where}: logits must have shape (N, C), got {logits.shape}")
        logp = _log_softmax(logits, -1)
        if self.sparse:
            oh, _, valid = _one_hot(labels, logits.shape[1], getval(logits._data).dtype, where)
            if not valid.all():
                raise ValueError(f"{where}: sparse labels must lie in [0, {logits.shape[1]})")
            target = Tensor(oh)
        else:
            target = _t(labels, "labels", where)
            if target.shape != logits.shape:
                raise ValueError(f"{where}: labels shape {target.shape} must equal logits shape "
                                 f"{logits.shape} when sparse=False")
        return self.get_loss(-(target * logp).sum(-1))


class CrossEntropyLoss(LossBase):
    """``nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction='mean',
    label_smoothing=0.0)``: logits (N, C) or (C,); labels class indices (N,) or probabilities
    (N, C). With indices and ``'mean'`` the sum is divided by Σ weight[label] over the samples
    not ignored; with ``label_smoothing`` ε the loss is (1 − ε)·NLL + ε·mean_c(−w_c·log p_c).

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> out = nn.CrossEntropyLoss()(Tensor(np.zeros((2, 2), np.float32)),
    ...                             Tensor(np.array([0, 1], np.int32)))
    >>> round(float(out), 6)   # log 2
    0.693147
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        fname = "CrossEntropyLoss"
        if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)):
            raise TypeError(f"{fname}: label_smoothing must be a float in [0, 1], got "
                            f"{label_smoothing!r}")
        if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
            raise TypeError(f"{fname}: ignore_index must be an int (default -100), got "
                            f"{ignore_index!r}")
        if not 0.0 <= float(label_smoothing) <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got "
                             f"{label_smoothing!r}")
        self.weight = None if weight is None else np.asarray(
            weight.asnumpy() if isinstance(weight, Tensor) else weight)
        self.ignore_index = int(ignore_index)
        self.label_smoothing = float(label_smoothing)

    def construct(self, logits, labels):
        where = "CrossEntropyLoss"
        logits = _t(logits, "logits", where)
        squeeze = logits.ndim == 1
        if squeeze:
            logits = logits.reshape(1, -1)
        if logits.ndim != 2:
            raise ValueError(f"{where}: logits must have shape (N, C) or (C,), got "
                             f"{logits.shape}")
        n_cls = logits.shape[1]
        dt = getval(logits._data).dtype
        w = np.ones(n_cls, dt) if self.weight is None else self.weight.astype(dt)
        if w.shape != (n_cls,):
            raise ValueError(f"{where}: weight must have shape ({n_cls},), got {w.shape}")
        logp = _log_softmax(logits, -1)
        eps = self.label_smoothing
        lab = labels.asnumpy() if isinstance(labels, Tensor) else np.asarray(labels)
        if lab.dtype.kind in "iu":  # class indices
            lab = lab.reshape(-1) if squeeze else lab
            keep = lab != self.ignore_index
            oh, idx, valid = _one_hot(np.where(keep, lab, 0), n_cls, dt, where)
            if not valid.all():
                raise ValueError(f"{where}: labels must lie in [0, {n_cls}) or equal "
                                 f"ignore_index")
            wy = np.where(keep, w[idx], 0).astype(dt)  # weight of each sample's class
            nll = -(Tensor(oh) * logp).sum(-1) * Tensor(wy)
            if eps:
                smooth = -(logp * Tensor(w)).sum(-1) * Tensor(keep.astype(dt) / n_cls)
                per = nll * (1 - eps) + smooth * eps
            else:
                per = nll
            if self.reduction == "mean":
                return per.sum() / float(wy.sum())
        else:  # class probabilities
            target = Tensor(lab.astype(dt).reshape(logits.shape))
            if eps:
                target = target * (1 - eps) + eps / n_cls
            per = -(target * logp * Tensor(w)).sum(-1)
        if squeeze and self.reduction == "none":
            return per.reshape(())
        return self.get_loss(per)
