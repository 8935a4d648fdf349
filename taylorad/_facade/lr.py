"""Learning rates of ``mindspore.nn``: the list-making functions (``exponential_decay_lr`` ...)
and the ``LearningRateSchedule`` Cells (``ExponentialDecayLR`` ...), as documented by MindSpore
(docs/specs/mindspore-training.md §2). A list gives step i the i-th value; a schedule Cell is
called with the optimizer's ``global_step`` (an Int32 Tensor) and returns a 0-d Float32 Tensor.
"""
import math
import numbers

import numpy as np

from .cell import Cell
from .tensor import Tensor

__all__ = ["LearningRateSchedule", "ExponentialDecayLR", "NaturalExpDecayLR", "InverseDecayLR",
           "CosineDecayLR", "PolynomialDecayLR", "WarmUpLR", "exponential_decay_lr",
           "natural_exp_decay_lr", "inverse_decay_lr", "cosine_decay_lr", "polynomial_decay_lr",
           "warmup_lr", "piecewise_constant_lr"]


def _int(v, name, fname, minimum=1):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < minimum:
        raise TypeError(f"{fname}: {name} must be an int >= {minimum}, got {v!r}")
    return int(v)


def _float(v, name, fname, positive=True):
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{fname}: {name} must be a float, got {v!r}")
    if positive and v <= 0:
        raise ValueError(f"{fname}: {name} must be > 0, got {v!r}")
    return float(v)


# --- lists ------------------------------------------------------------------------------------
def piecewise_constant_lr(milestone, learning_rates):
    """Step i gets ``learning_rates[j]`` for milestone[j−1] ≤ i < milestone[j]; the list has
    ``milestone[-1]`` values.

    Parameters
    ----------
    milestone : list of int
        Increasing step counts.
    learning_rates : list of float
        One value per milestone.

    Returns
    -------
    list of float

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> nn.piecewise_constant_lr([2, 5], [0.1, 0.05])
    [0.1, 0.1, 0.05, 0.05, 0.05]
    """
    fname = "piecewise_constant_lr"
    if not isinstance(milestone, (list, tuple)) or not isinstance(learning_rates, (list, tuple)):
        raise TypeError(f"{fname}: milestone and learning_rates must be lists")
    if len(milestone) != len(learning_rates):
        raise ValueError(f"{fname}: milestone ({len(milestone)}) and learning_rates "
                         f"({len(learning_rates)}) must have the same length")
    out, last = [], 0
    for m, lr in zip(milestone, learning_rates):
        m = _int(m, "milestone", fname)
        if m <= last:
            raise ValueError(f"{fname}: milestone must be strictly increasing, got {milestone}")
        out += [float(lr)] * (m - last)
        last = m
    return out


def _epochs(total_step, step_per_epoch, fname):
    _int(total_step, "total_step", fname)
    _int(step_per_epoch, "step_per_epoch", fname)
    return [math.floor(i / step_per_epoch) for i in range(total_step)]


_DECAY_DOC = """lr[i] = {formula}.

    e = floor(i/step_per_epoch); the ratio e/decay_epoch is floored with ``is_stair``.

    Parameters
    ----------
    learning_rate, decay_rate : float
    total_step, step_per_epoch, decay_epoch : int
    is_stair : bool

    Returns
    -------
    list of float

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> {example}
    {result}
    """


# the rules shared by the decay lists and the decay schedule Cells: rule(lr, rate, p)
def _exponential(lr, rate, p):
    return lr * rate ** p


def _natural_exp(lr, rate, p):
    return lr * math.exp(-rate * p)


def _inverse(lr, rate, p):
    return lr / (1 + rate * p)


# the other rules shared by the lists (s = epoch e) and the Cells (s = step)
def _cosine_bounds(min_lr, max_lr, fname):
    lo = _float(min_lr, "min_lr", fname, positive=False)
    hi = _float(max_lr, "max_lr", fname)
    if lo < 0 or lo >= hi:
        raise ValueError(f"{fname}: need 0 <= min_lr < max_lr, got {min_lr}, {max_lr}")
    return lo, hi


def _cosine(lo, hi, s, d):
    return lo + 0.5 * (hi - lo) * (1 + math.cos(math.pi * min(s, d) / d))


def _polynomial(lr, end, power, s, d, update):
    if update:
        d = d * max(1, math.ceil(s / d))
    else:
        s = min(s, d)
    return (lr - end) * (1 - s / d) ** power + end


def _warmup(lr, s, w):
    return lr * min(s, w) / w


def _decay_list(fname, learning_rate, decay_rate, total_step, step_per_epoch, decay_epoch,
                is_stair, rule):
    """[rule(lr, rate, p) for each step], p = e/decay_epoch (floored with is_stair)."""
    lr, rate = (_float(learning_rate, "learning_rate", fname),
                _float(decay_rate, "decay_rate", fname))
    d = _int(decay_epoch, "decay_epoch", fname)
    return [rule(lr, rate, math.floor(e / d) if is_stair else e / d)
            for e in _epochs(total_step, step_per_epoch, fname)]


def _decay_list_function(name, rule, formula, example, result):
    """One of the three decay-list functions of ``mindspore.nn`` (they differ in the rule)."""
    def f(learning_rate, decay_rate, total_step, step_per_epoch, decay_epoch, is_stair=False):
        return _decay_list(name, learning_rate, decay_rate, total_step, step_per_epoch,
                           decay_epoch, is_stair, rule)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = _DECAY_DOC.format(formula=formula, example=example, result=result)
    return f


exponential_decay_lr = _decay_list_function(
    "exponential_decay_lr", _exponential, "learning_rate · decay_rate^(e/decay_epoch)",
    "[round(v, 6) for v in nn.exponential_decay_lr(0.1, 0.9, 6, 2, 1)]",
    "[0.1, 0.1, 0.09, 0.09, 0.081, 0.081]")
natural_exp_decay_lr = _decay_list_function(
    "natural_exp_decay_lr", _natural_exp, "learning_rate · exp(−decay_rate · e/decay_epoch)",
    "nn.natural_exp_decay_lr(0.1, 0.5, 2, 2, 1)", "[0.1, 0.1]")
inverse_decay_lr = _decay_list_function(
    "inverse_decay_lr", _inverse, "learning_rate / (1 + decay_rate · e/decay_epoch)",
    "nn.inverse_decay_lr(0.1, 1.0, 4, 2, 1)", "[0.1, 0.1, 0.05, 0.05]")


def cosine_decay_lr(min_lr, max_lr, total_step, step_per_epoch, decay_epoch):
    """lr[i] = min_lr + 0.5·(max_lr − min_lr)·(1 + cos(π·min(e, decay_epoch)/decay_epoch)).

    Parameters
    ----------
    min_lr, max_lr : float
    total_step, step_per_epoch, decay_epoch : int

    Returns
    -------
    list of float

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> [round(v, 6) for v in nn.cosine_decay_lr(0.01, 0.1, 6, 2, 2)]
    [0.1, 0.1, 0.055, 0.055, 0.01, 0.01]
    """
    fname = "cosine_decay_lr"
    lo, hi = _cosine_bounds(min_lr, max_lr, fname)
    d = _int(decay_epoch, "decay_epoch", fname)
    return [_cosine(lo, hi, e, d) for e in _epochs(total_step, step_per_epoch, fname)]


def polynomial_decay_lr(learning_rate, end_learning_rate, total_step, step_per_epoch,
                        decay_epoch, power, update_decay_epoch=False):
    """lr[i] = (lr − end)·(1 − min(e, D)/D)^power + end, D = decay_epoch (with
    ``update_decay_epoch`` D grows to decay_epoch·ceil(e/decay_epoch)).

    Parameters
    ----------
    learning_rate, end_learning_rate, power : float
    total_step, step_per_epoch, decay_epoch : int
    update_decay_epoch : bool

    Returns
    -------
    list of float

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> [round(v, 6) for v in nn.polynomial_decay_lr(0.1, 0.01, 6, 2, 2, 0.5)]
    [0.1, 0.1, 0.07364, 0.07364, 0.01, 0.01]
    """
    fname = "polynomial_decay_lr"
    lr = _float(learning_rate, "learning_rate", fname)
    end = _float(end_learning_rate, "end_learning_rate", fname, positive=False)
    p = _float(power, "power", fname)
    d = _int(decay_epoch, "decay_epoch", fname)
    return [_polynomial(lr, end, p, e, d, update_decay_epoch)
            for e in _epochs(total_step, step_per_epoch, fname)]


def warmup_lr(learning_rate, total_step, step_per_epoch, warmup_epoch):
    """lr[i] = learning_rate · min(e, warmup_epoch)/warmup_epoch.

    Parameters
    ----------
    learning_rate : float
    total_step, step_per_epoch, warmup_epoch : int

    Returns
    -------
    list of float

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> nn.warmup_lr(0.1, 6, 2, 2)
    [0.0, 0.0, 0.05, 0.05, 0.1, 0.1]
    """
    fname = "warmup_lr"
    lr = _float(learning_rate, "learning_rate", fname)
    w = _int(warmup_epoch, "warmup_epoch", fname)
    return [_warmup(lr, e, w) for e in _epochs(total_step, step_per_epoch, fname)]


# --- schedule Cells ---------------------------------------------------------------------------
def _step(global_step):
    if isinstance(global_step, Tensor):
        return float(np.asarray(global_step.asnumpy()).reshape(-1)[0])
    return float(global_step)


def _lr_tensor(v):
    return Tensor(np.float32(v))


class LearningRateSchedule(Cell):
    """Base of the learning-rate schedules: ``construct(global_step)`` returns the learning rate
    of that step as a 0-d Float32 Tensor. An optimizer calls it with its ``global_step``.

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> class Half(nn.LearningRateSchedule):
    ...     def construct(self, global_step):
    ...         return Tensor(0.5)
    >>> print(Half()(Tensor(3)))
    0.5
    """

    def construct(self, global_step):
        raise NotImplementedError(f"{type(self).__name__}: define construct(global_step)")


class _DecayLR(LearningRateSchedule):
    def __init__(self, learning_rate, decay_rate, decay_steps, is_stair=False):
        super().__init__()
        fname = type(self).__name__
        self.learning_rate = _float(learning_rate, "learning_rate", fname)
        self.decay_rate = _float(decay_rate, "decay_rate", fname)
        self.decay_steps = _int(decay_steps, "decay_steps", fname)
        if not isinstance(is_stair, bool):
            raise TypeError(f"{fname}: is_stair must be a bool, got {is_stair!r}")
        self.is_stair = is_stair

    def construct(self, global_step):
        p = _step(global_step) / self.decay_steps
        p = math.floor(p) if self.is_stair else p
        return _lr_tensor(type(self)._rule(self.learning_rate, self.decay_rate, p))


class ExponentialDecayLR(_DecayLR):
    """``ExponentialDecayLR(learning_rate, decay_rate, decay_steps, is_stair=False)``:
    learning_rate · decay_rate^p, p = step/decay_steps (floored with is_stair).

    Examples
    --------
    >>> from taylorad import Tensor, nn
    >>> print(nn.ExponentialDecayLR(0.1, 0.9, 4)(Tensor(2)))
    0.09486833
    """

    _rule = _exponential


class NaturalExpDecayLR(_DecayLR):
    """``NaturalExpDecayLR(learning_rate, decay_rate, decay_steps, is_stair=False)``:
    learning_rate · exp(−decay_rate·p).

    Examples
    --------
    >>> from taylorad import Tensor, nn
    >>> print(nn.NaturalExpDecayLR(0.1, 0.9, 4, True)(Tensor(2)))
    0.1
    """

    _rule = _natural_exp


class InverseDecayLR(_DecayLR):
    """``InverseDecayLR(learning_rate, decay_rate, decay_steps, is_stair=False)``:
    learning_rate / (1 + decay_rate·p).

    Examples
    --------
    >>> from taylorad import Tensor, nn
    >>> print(nn.InverseDecayLR(0.1, 1.0, 2)(Tensor(2)))
    0.05
    """

    _rule = _inverse


class CosineDecayLR(LearningRateSchedule):
    """``CosineDecayLR(min_lr, max_lr, decay_steps)``: min_lr + 0.5·(max_lr − min_lr)·
    (1 + cos(π·min(step, decay_steps)/decay_steps)).

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.CosineDecayLR(0.01, 0.1, 4)(Tensor(2)))
    0.055
    """

    def __init__(self, min_lr, max_lr, decay_steps):
        super().__init__()
        fname = "CosineDecayLR"
        self.min_lr, self.max_lr = _cosine_bounds(min_lr, max_lr, fname)
        self.decay_steps = _int(decay_steps, "decay_steps", fname)

    def construct(self, global_step):
        return _lr_tensor(_cosine(self.min_lr, self.max_lr, _step(global_step), self.decay_steps))


class PolynomialDecayLR(LearningRateSchedule):
    """``PolynomialDecayLR(learning_rate, end_learning_rate, decay_steps, power,
    update_decay_steps=False)``: (lr − end)·(1 − min(step, D)/D)^power + end.

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.PolynomialDecayLR(0.1, 0.01, 4, 0.5)(Tensor(2)))
    0.07363961
    """

    def __init__(self, learning_rate, end_learning_rate, decay_steps, power,
                 update_decay_steps=False):
        super().__init__()
        fname = "PolynomialDecayLR"
        self.learning_rate = _float(learning_rate, "learning_rate", fname)
        self.end_learning_rate = _float(end_learning_rate, "end_learning_rate", fname,
                                        positive=False)
        self.decay_steps = _int(decay_steps, "decay_steps", fname)
        self.power = _float(power, "power", fname)
        self.update_decay_steps = bool(update_decay_steps)

    def construct(self, global_step):
        return _lr_tensor(_polynomial(self.learning_rate, self.end_learning_rate, self.power,
                                      _step(global_step), self.decay_steps,
                                      self.update_decay_steps))


class WarmUpLR(LearningRateSchedule):
    """``WarmUpLR(learning_rate, warmup_steps)``: learning_rate · min(step, warmup_steps) /
    warmup_steps.

    Examples
    --------
    >>> import taylorad.nn as nn
    >>> from taylorad import Tensor
    >>> print(nn.WarmUpLR(0.1, 4)(Tensor(2)))
    0.05
    """

    def __init__(self, learning_rate, warmup_steps):
        super().__init__()
        self.learning_rate = _float(learning_rate, "learning_rate", "WarmUpLR")
        self.warmup_steps = _int(warmup_steps, "warmup_steps", "WarmUpLR")

    def construct(self, global_step):
        return _lr_tensor(_warmup(self.learning_rate, _step(global_step), self.warmup_steps))
