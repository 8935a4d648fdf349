"""Optimizers of ``mindspore.nn`` (docs/specs/mindspore-training.md §1).

An optimizer is a Cell holding ``parameters`` (a ParameterTuple) and its state (Parameters named
``moment1.<name>`` ...). ``optimizer(grads)`` takes the gradients in ``optimizer.parameters``
order — what ``ms.value_and_grad(fn, None, optimizer.parameters)`` returns — and updates every
Parameter in place, in float32 arithmetic as MindSpore's kernels do. Per step, in MindSpore's
order:

1. weight decay adds ``wd·w`` to the gradient (``decay_weight``), for the Parameters whose name
   contains neither 'beta' nor 'gamma' when the parameters are not grouped, for all Parameters
   of a group that sets ``weight_decay``; then the gradient is divided by ``loss_scale``
   (``scale_grad``). SGD divides first and adds ``wd·w`` in its kernel; AdamWeightDecay adds
   ``wd·w`` to the update;
2. the learning rate of the step is read (a float; the ``global_step``-th entry of a list or 1-D
   Tensor; a LearningRateSchedule called with ``global_step``); then ``global_step`` += 1;
3. the update rule of the optimizer.

A step is all or nothing: every gradient is checked and every new value computed before any
Parameter or state changes, so a step that raises leaves the optimizer as it was. Steps of one
optimizer called from several threads run one at a time (a lock per optimizer); optimizers of
different networks share nothing.

The updates are plain NumPy (CuPy) array arithmetic on the values: an optimizer step is not
differentiated.
"""
import numbers
import threading

import numpy as np

from ..core.trace import getval
from .cell import Cell
from .lr import LearningRateSchedule
from .tensor import Parameter, ParameterTuple, Tensor

__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "AdamWeightDecay", "RMSProp"]


def _nonneg(v, name, fname):
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{fname}: {name} must be a float, got {v!r}")
    if v < 0:
        raise ValueError(f"{fname}: {name} must be >= 0, got {v!r}")
    return float(v)


def _open_unit(v, name, fname):
    if isinstance(v, bool) or not isinstance(v, float):
        raise TypeError(f"{fname}: {name} must be a float, got {v!r}")
    if not 0.0 < v < 1.0:
        raise ValueError(f"{fname}: {name} must be in (0.0, 1.0), got {v!r}")
    return v


class _LR:
    """One group's learning rate: fixed, per-step list, or schedule."""

    def __init__(self, lr, fname):
        self.kind, self.value = None, None
        if isinstance(lr, LearningRateSchedule):
            self.kind, self.value = "schedule", lr
            return
        if isinstance(lr, Tensor):
            a = np.asarray(lr.asnumpy(), np.float32)
            if a.ndim > 1:
                raise ValueError(f"{fname}: a Tensor learning_rate must be 0-d or 1-D, got shape "
                                 f"{a.shape}")
            lr = a.item() if a.ndim == 0 else list(a)
        if isinstance(lr, bool):
            raise TypeError(f"{fname}: learning_rate must be a float, int, Tensor, list or "
                            f"LearningRateSchedule, got {lr!r}")
        if isinstance(lr, numbers.Real):
            if lr < 0:
                raise ValueError(f"{fname}: learning_rate must be >= 0, got {lr!r}")
            self.kind, self.value = "fixed", np.float32(lr)
            return
        if isinstance(lr, (list, tuple)) or (hasattr(lr, "__iter__") and not isinstance(lr, str)):
            vals = np.asarray(list(lr), np.float32)
            if vals.ndim != 1 or vals.size == 0:
                raise ValueError(f"{fname}: a learning_rate list must be a non-empty list of "
                                 f"numbers")
            self.kind, self.value = "list", vals
            return
        raise TypeError(f"{fname}: learning_rate must be a float, int, Tensor, list or "
                        f"LearningRateSchedule, got {type(lr).__name__}")

    def at(self, step, fname):
        if self.kind == "fixed":
            return self.value
        if self.kind == "list":
            if step >= self.value.size:
                raise IndexError(f"{fname}: the learning_rate list has {self.value.size} values "
                                 f"but this is step {step + 1} — give one value per training "
                                 f"step (e.g. total_step of nn.exponential_decay_lr)")
            return self.value[step]
        out = self.value(Tensor(np.int32(step)))
        return np.float32(np.asarray(out.asnumpy() if isinstance(out, Tensor) else out)
                          .reshape(-1)[0])

    def tensor(self):
        if self.kind == "fixed":
            return Tensor(self.value)
        if self.kind == "list":
            return Tensor(self.value)
        return self.value


class Optimizer(Cell):
    """Base class: ``Optimizer(learning_rate, parameters, weight_decay=0.0, loss_scale=1.0)``.

    ``parameters`` is a list of Parameters or of groups ``{'params': [...], 'lr': ...,
    'weight_decay': ...}`` (``'order_params'`` fixes the order of ``optimizer.parameters``).
    Subclasses define ``_update(i, w, g, lr)`` for one Parameter.

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Parameter, Tensor
    >>> w = Parameter(Tensor(np.ones(2, np.float32)), name='w')
    >>> opt = nn.SGD([w], learning_rate=0.5)
    >>> _ = opt((Tensor(np.array([1.0, 2.0], np.float32)),))
    >>> print(w.asnumpy())
    [0.5 0. ]
    """

    def __init__(self, learning_rate, parameters, weight_decay=0.0, loss_scale=1.0):
        super().__init__(auto_prefix=False)
        fname = type(self).__name__
        self._fname = fname
        object.__setattr__(self, "_step_lock", threading.RLock())
        object.__setattr__(self, "_staged", None)
        if isinstance(parameters, Parameter):
            parameters = [parameters]
        params = list(parameters) if parameters is not None else []
        if not params:
            raise ValueError(f"{fname}: the optimizer got no parameters — pass "
                             f"net.trainable_params() or a list of groups")
        wd0 = _nonneg(weight_decay, "weight_decay", fname)
        if isinstance(loss_scale, bool) or not isinstance(loss_scale, numbers.Real) or \
                loss_scale <= 0:
            raise ValueError(f"{fname}: loss_scale must be a float > 0, got {loss_scale!r}")
        self.loss_scale = float(loss_scale)
        self.is_group = isinstance(params[0], dict)
        order, plist, lrs, wds, group_of = None, [], [], [], []
        if self.is_group:
            for gi, g in enumerate(params):
                if not isinstance(g, dict):
                    raise TypeError(f"{fname}: parameters mixes dicts and Parameters — pass a "
                                    f"list of Parameters or a list of group dicts")
                if "order_params" in g:
                    order = list(g["order_params"])
                    continue
                unknown = set(g) - {"params", "lr", "weight_decay", "grad_centralization"}
                if unknown or "params" not in g:
                    raise ValueError(f"{fname}: group {gi} must have 'params' and may have 'lr', "
                                     f"'weight_decay', 'grad_centralization', 'order_params'; "
                                     f"got keys {sorted(g)}")
                lr = _LR(g.get("lr", learning_rate), fname)
                wd = _nonneg(g.get("weight_decay", wd0), "weight_decay", fname)
                for p in g["params"]:
                    plist.append(p)
                    lrs.append(lr)
                    wds.append(wd)
                    group_of.append(len({id(x) for x in lrs}))
        else:
            lr = _LR(learning_rate, fname)
            for p in params:
                plist.append(p)
                lrs.append(lr)
                name = getattr(p, "name", "")
                wds.append(wd0 if ("beta" not in name and "gamma" not in name) else 0.0)
        for k, p in enumerate(plist):
            if not isinstance(p, Parameter):
                raise TypeError(f"{fname}: parameters[{k}] is a {type(p).__name__}, not a "
                                f"Parameter — pass net.trainable_params()")
        if len({id(p) for p in plist}) != len(plist):
            raise RuntimeError(f"{fname}: a Parameter appears twice in the parameters (or in two "
                               f"groups)")
        if order is not None:
            pos = {id(p): k for k, p in enumerate(plist)}
            missing = [p.name for p in order if id(p) not in pos]
            if missing:
                raise ValueError(f"{fname}: order_params names Parameters not in any group: "
                                 f"{missing}")
            idx = [pos[id(p)] for p in order]
            plist, lrs, wds = [plist[i] for i in idx], [lrs[i] for i in idx], [wds[i] for i in idx]
        self._lrs, self._wds = lrs, wds
        object.__setattr__(self, "_parameters", ParameterTuple(plist))
        self.is_group_lr = len({id(x) for x in lrs}) > 1
        self.dynamic_lr = any(x.kind != "fixed" for x in lrs)
        self.global_step = Parameter(Tensor(np.zeros(1, np.int32)), name="global_step",
                                     requires_grad=False)
        first = lrs[0]
        self.learning_rate = (tuple(x.tensor() for x in dict.fromkeys(lrs)) if self.is_group_lr
                              else first.tensor())

    @property
    def parameters(self):
        """The Parameters this optimizer updates, in the order ``optimizer(grads)`` expects."""
        return self._parameters

    def _state(self, prefix, fill):
        """One state Parameter per parameter, named ``prefix.<name>``; registered in the Cell so
        that a checkpoint of the optimizer (or of a TrainOneStepCell) holds the state."""
        states = ParameterTuple(
            Parameter(Tensor(_full_like(getval(p._data), fill)), name=f"{prefix}.{p.name}",
                      requires_grad=False)
            for p in self._parameters)
        for k, s in enumerate(states):
            s._local = s.name
            self._params[f"{prefix}#{k}"] = s
        return states

    def get_lr(self):
        """The learning rate(s) of the current step (a tuple per Parameter with groups).

        Returns
        -------
        Tensor or tuple of Tensor
        """
        step = int(np.asarray(self.global_step.asnumpy()).reshape(-1)[0])
        if self.is_group_lr:
            return tuple(Tensor(x.at(step, self._fname)) for x in self._lrs)
        return Tensor(self._lrs[0].at(step, self._fname))

    def get_lr_parameter(self, param):
        """The learning rate (Tensor, list Tensor or schedule) used for ``param``.

        Parameters
        ----------
        param : Parameter or list of Parameter

        Returns
        -------
        Tensor, LearningRateSchedule or list of them
        """
        single = isinstance(param, Parameter)
        out = []
        for p in ([param] if single else param):
            for q, lr in zip(self._parameters, self._lrs):
                if q is p:
                    out.append(lr.tensor())
                    break
            else:
                raise ValueError(f"{self._fname}: Parameter {p.name!r} is not optimized here")
        return out[0] if single else out

    # MindSpore's decay_weight (g + wd·w) runs before scale_grad (g / loss_scale) in Adam,
    # Momentum and RMSProp; SGD's kernel and AdamWeightDecay apply the decay themselves.
    _DECAY_THEN_SCALE = True

    def construct(self, gradients):
        """One step: ``gradients`` (a tuple of Tensors in ``self.parameters`` order) update the
        Parameters in place; returns True. All or nothing: a step that raises changes nothing.
        """
        with self._step_lock:
            object.__setattr__(self, "_staged", [])
            try:
                self._step(gradients)
                for param, value in self._staged:  # nothing has changed before this point
                    param._data = value
            finally:
                object.__setattr__(self, "_staged", None)
        return True

    def _gradients(self, gradients):
        """The gradients as arrays of the Parameters' dtypes, all checked before any update."""
        fname = self._fname
        if isinstance(gradients, Tensor):
            gradients = (gradients,)
        if not isinstance(gradients, (tuple, list)) or len(gradients) != len(self._parameters):
            n = len(gradients) if isinstance(gradients, (tuple, list)) else 1
            raise ValueError(f"{fname}: got {n} gradients for {len(self._parameters)} "
                             f"parameters — pass the gradients in optimizer.parameters order, "
                             f"e.g. from ms.value_and_grad(fn, None, optimizer.parameters)")
        out = []
        for i, (p, g) in enumerate(zip(self._parameters, gradients)):
            w = getval(p._data)
            gv = getval(g._data if isinstance(g, Tensor) else g)
            if tuple(gv.shape) != tuple(w.shape):
                raise ValueError(f"{fname}: gradient {i} has shape {tuple(gv.shape)} but "
                                 f"Parameter {p.name!r} has shape {tuple(w.shape)} — pass the "
                                 f"gradients in optimizer.parameters order")
            if np.dtype(w.dtype).kind not in "fc":
                raise TypeError(f"{fname}: Parameter {p.name!r} has dtype {w.dtype}; optimizers "
                                f"update float Parameters only")
            out.append((w, gv.astype(w.dtype, copy=True)))
        return out

    def _step(self, gradients):
        arrays = self._gradients(gradients)
        step = int(np.asarray(self.global_step.asnumpy()).reshape(-1)[0])
        lr_of = {}
        for lr in self._lrs:
            if id(lr) not in lr_of:
                lr_of[id(lr)] = np.float32(lr.at(step, self._fname))
        self._begin_step()
        for i, (p, (w, gv)) in enumerate(zip(self._parameters, arrays)):
            t, wd = w.dtype.type, w.dtype.type(self._wds[i])
            if self._DECAY_THEN_SCALE and wd > 0:
                gv = gv + w * wd
            if self.loss_scale != 1.0:
                gv = gv / t(self.loss_scale)
            new = self._update(i, w, gv, lr_of[id(self._lrs[i])], wd)
            self._put(p, new.astype(w.dtype, copy=False))
        self._put(self.global_step, getval(self.global_step._data) + np.int32(1))

    def _put(self, param, value):
        """Stage ``param``'s new value; construct assigns all of them once the step succeeded."""
        self._staged.append((param, value))

    def _begin_step(self):
        """Per-step state shared by all Parameters (Adam's beta powers)."""

    def _update(self, i, w, g, lr, wd):
        """The new value of Parameter ``i`` (``g``: its gradient, decayed and scaled as the
        optimizer's kernel expects); state goes through ``self._put``."""
        raise NotImplementedError


def _full_like(v, fill):
    """An array shaped and typed like ``v`` on the same device (NumPy or CuPy)."""
    if type(v).__module__.split(".")[0] == "cupy":
        import cupy  # noqa: PLC0415 - only for CuPy Parameters

        return cupy.full(v.shape, fill, dtype=v.dtype)
    return np.full(v.shape, fill, dtype=v.dtype)


class SGD(Optimizer):
    """``nn.SGD(params, learning_rate=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0,
    nesterov=False, loss_scale=1.0)``.

    g ← g + wd·w; with momentum u > 0: v ← g at the first step, else v ← u·v + (1 − dampening)·g;
    then g ← g + u·v (nesterov) or g ← v; finally w ← w − lr·g.

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Parameter, Tensor
    >>> w = Parameter(Tensor(np.zeros(1, np.float32)), name='w')
    >>> opt = nn.SGD([w], learning_rate=0.1, momentum=0.9)
    >>> for _ in range(2): _ = opt((Tensor(np.ones(1, np.float32)),))
    >>> print(w.asnumpy())   # -0.1, then -0.1 - 0.1 * (0.9 + 1)
    [-0.29]
    """

    def __init__(self, params, learning_rate=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, loss_scale=1.0):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        self.momentum = _nonneg(momentum, "momentum", "SGD")
        self.dampening = _nonneg(dampening, "dampening", "SGD")
        if not isinstance(nesterov, bool):
            raise TypeError(f"SGD: nesterov must be a bool, got {nesterov!r}")
        if nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening == 0.0")
        self.nesterov = nesterov
        self.accum = self._state("accum", 0.0)
        self.stat = self._state("stat", 1.0)

    _DECAY_THEN_SCALE = False  # MindSpore's SGD kernel adds wd·w to the scaled gradient

    def _update(self, i, w, g, lr, wd):
        t = w.dtype.type
        if wd > 0:
            g = g + w * wd
        if self.momentum > 0:
            u = t(self.momentum)
            first = getval(self.stat[i]._data) > 0
            acc = np.where(first, g, getval(self.accum[i]._data) * u
                           + t(1.0 - self.dampening) * g).astype(w.dtype)
            self._put(self.accum[i], acc)  # np.where / zeros_like dispatch to CuPy for its arrays
            self._put(self.stat[i], np.zeros_like(acc))
            g = g + acc * u if self.nesterov else acc
        return w - lr * g


class Momentum(Optimizer):
    """``nn.Momentum(params, learning_rate, momentum, weight_decay=0.0, loss_scale=1.0,
    use_nesterov=False)``.

    g ← g + wd·w; v ← u·v + g; w ← w − lr·v, or w ← w − (lr·g + lr·u·v) with use_nesterov.

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Parameter, Tensor
    >>> w = Parameter(Tensor(np.zeros(1, np.float32)), name='w')
    >>> opt = nn.Momentum([w], learning_rate=0.1, momentum=0.9)
    >>> for _ in range(2): _ = opt((Tensor(np.ones(1, np.float32)),))
    >>> print(w.asnumpy())
    [-0.29]
    """

    def __init__(self, params, learning_rate, momentum, weight_decay=0.0, loss_scale=1.0,
                 use_nesterov=False):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        self.momentum = _nonneg(momentum, "momentum", "Momentum")
        if not isinstance(use_nesterov, bool):
            raise TypeError(f"Momentum: use_nesterov must be a bool, got {use_nesterov!r}")
        self.use_nesterov = use_nesterov
        self.moments = self._state("moments", 0.0)

    def _update(self, i, w, g, lr, wd):
        u = w.dtype.type(self.momentum)
        v = getval(self.moments[i]._data) * u + g
        self._put(self.moments[i], v)
        if self.use_nesterov:
            return w - (g * lr + v * u * lr)
        return w - lr * v


class Adam(Optimizer):
    """``nn.Adam(params, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, use_locking=False,
    use_nesterov=False, weight_decay=0.0, loss_scale=1.0, use_amsgrad=False)``.

    g ← g + wd·w; m ← m + (1 − β1)(g − m); v ← v + (1 − β2)(g² − v);
    l = lr·sqrt(1 − β2^t)/(1 − β1^t); w ← w − l·m/(sqrt(v) + ε); with use_nesterov the numerator
    is β1·m + (1 − β1)·g; with use_amsgrad v̂ ← max(v̂, v) replaces v in the denominator.

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Parameter, Tensor
    >>> w = Parameter(Tensor(np.zeros(1, np.float32)), name='w')
    >>> _ = nn.Adam([w], learning_rate=0.1)((Tensor(np.ones(1, np.float32)),))
    >>> print(w.asnumpy().round(6))   # the first Adam step moves by about lr
    [-0.1]
    """

    def __init__(self, params, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                 use_locking=False, use_nesterov=False, weight_decay=0.0, loss_scale=1.0,
                 use_amsgrad=False, **kwargs):
        unknown = set(kwargs) - {"use_lazy", "use_offload"}
        if unknown:
            raise TypeError(f"Adam: unexpected keyword arguments {sorted(unknown)}")
        # use_lazy / use_offload change only sparse gradients and device placement: no effect
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        self.beta1 = _open_unit(beta1, "beta1", "Adam")
        self.beta2 = _open_unit(beta2, "beta2", "Adam")
        if isinstance(eps, bool) or not isinstance(eps, float) or eps <= 0:
            raise ValueError(f"Adam: eps must be a float > 0, got {eps!r}")
        self.eps = eps
        for n, v in (("use_locking", use_locking), ("use_nesterov", use_nesterov),
                     ("use_amsgrad", use_amsgrad)):
            if not isinstance(v, bool):
                raise TypeError(f"Adam: {n} must be a bool, got {v!r}")
        if use_amsgrad and use_nesterov:
            raise ValueError("Adam: use_amsgrad and use_nesterov cannot both be True")
        self.use_nesterov, self.use_amsgrad = use_nesterov, use_amsgrad
        self.beta1_power = Parameter(Tensor(np.ones(1, np.float32)), name="beta1_power",
                                     requires_grad=False)
        self.beta2_power = Parameter(Tensor(np.ones(1, np.float32)), name="beta2_power",
                                     requires_grad=False)
        self.moment1 = self._state("moment1", 0.0)
        self.moment2 = self._state("moment2", 0.0)
        if use_amsgrad:
            self.vhat = self._state("vhat", 0.0)

    def _begin_step(self):
        self._powers = (getval(self.beta1_power._data) * np.float32(self.beta1),
                        getval(self.beta2_power._data) * np.float32(self.beta2))
        self._put(self.beta1_power, self._powers[0])
        self._put(self.beta2_power, self._powers[1])

    def _update(self, i, w, g, lr, wd):
        t = w.dtype.type
        b1, b2, eps = t(self.beta1), t(self.beta2), t(self.eps)
        b1p = t(float(np.asarray(self._powers[0]).reshape(-1)[0]))
        b2p = t(float(np.asarray(self._powers[1]).reshape(-1)[0]))
        lr_t = t(lr) * np.sqrt(t(1) - b2p) / (t(1) - b1p)
        m = getval(self.moment1[i]._data)
        v = getval(self.moment2[i]._data)
        if self.use_amsgrad:
            m = b1 * m + (t(1) - b1) * g
            v = b2 * v + (t(1) - b2) * g * g
            vh = np.maximum(getval(self.vhat[i]._data), v)
            self._put(self.vhat[i], vh)
            new = w - lr_t * m / (np.sqrt(vh) + eps)
        else:
            m = m + (g - m) * (t(1) - b1)
            v = v + (g * g - v) * (t(1) - b2)
            num = m * b1 + (t(1) - b1) * g if self.use_nesterov else m
            new = w - lr_t * num / (np.sqrt(v) + eps)
        self._put(self.moment1[i], m)
        self._put(self.moment2[i], v)
        return new


class AdamWeightDecay(Optimizer):
    """``nn.AdamWeightDecay(params, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-6,
    weight_decay=0.0)``: decoupled weight decay, no bias correction.

    m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; u = m/(sqrt(v) + ε) + wd·w; w ← w − lr·u.

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Parameter, Tensor
    >>> w = Parameter(Tensor(np.zeros(1, np.float32)), name='w')
    >>> _ = nn.AdamWeightDecay([w], learning_rate=0.1)((Tensor(np.ones(1, np.float32)),))
    >>> print(w.asnumpy().round(4))   # -0.1 * 0.1 / (sqrt(0.001) + 1e-6)
    [-0.3162]
    """

    def __init__(self, params, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-6,
                 weight_decay=0.0):
        super().__init__(learning_rate, params, weight_decay)
        self.beta1 = _open_unit(beta1, "beta1", "AdamWeightDecay")
        self.beta2 = _open_unit(beta2, "beta2", "AdamWeightDecay")
        if isinstance(eps, bool) or not isinstance(eps, float) or eps <= 0:
            raise ValueError(f"AdamWeightDecay: eps must be a float > 0, got {eps!r}")
        self.eps = eps
        self.moments1 = self._state("adam_m", 0.0)
        self.moments2 = self._state("adam_v", 0.0)

    _DECAY_THEN_SCALE = False  # decoupled: wd·w is added to the update, not to the gradient

    def _update(self, i, w, g, lr, wd):
        t = w.dtype.type
        b1, b2 = t(self.beta1), t(self.beta2)
        m = b1 * getval(self.moments1[i]._data) + (t(1) - b1) * g
        v = b2 * getval(self.moments2[i]._data) + (t(1) - b2) * g * g
        self._put(self.moments1[i], m)
        self._put(self.moments2[i], v)
        upd = m / (np.sqrt(v) + t(self.eps))
        if wd > 0:
            upd = upd + wd * w
        return w - lr * upd


class RMSProp(Optimizer):
    """``nn.RMSProp(params, learning_rate=0.1, decay=0.9, momentum=0.0, epsilon=1e-10,
    use_locking=False, centered=False, loss_scale=1.0, weight_decay=0.0)``.

    g ← g + wd·w; s ← ρ·s + (1 − ρ)·g² (s starts at ONES, as MindSpore's ``mean_square``);
    m ← β·m + lr·g/sqrt(s + ε); w ← w − m. Centered: ḡ ← ρ·ḡ + (1 − ρ)·g and the denominator
    is sqrt(s − ḡ² + ε).

    Examples
    --------
    >>> import numpy as np, taylorad.nn as nn
    >>> from taylorad import Parameter, Tensor
    >>> w = Parameter(Tensor(np.zeros(1, np.float32)), name='w')
    >>> _ = nn.RMSProp([w], learning_rate=0.1)((Tensor(np.ones(1, np.float32)),))
    >>> print(w.asnumpy())   # s = 0.9 + 0.1 = 1: step 0.1
    [-0.1]
    """

    def __init__(self, params, learning_rate=0.1, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking=False, centered=False, loss_scale=1.0, weight_decay=0.0):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        fname = "RMSProp"
        self.decay = _nonneg(decay, "decay", fname)
        self.momentum = _nonneg(momentum, "momentum", fname)
        if isinstance(epsilon, bool) or not isinstance(epsilon, float) or epsilon <= 0:
            raise ValueError(f"{fname}: epsilon must be a float > 0, got {epsilon!r}")
        self.epsilon = epsilon
        if not isinstance(centered, bool):
            raise TypeError(f"{fname}: centered must be a bool, got {centered!r}")
        self.centered = centered
        self.ms = self._state("mean_square", 1.0)
        self.moment = self._state("moment", 0.0)
        if centered:
            self.mg = self._state("mean_grad", 0.0)

    def _update(self, i, w, g, lr, wd):
        t = w.dtype.type
        rho = t(self.decay)
        s = rho * getval(self.ms[i]._data) + (t(1) - rho) * g * g
        self._put(self.ms[i], s)
        denom = s
        if self.centered:
            mg = rho * getval(self.mg[i]._data) + (t(1) - rho) * g
            self._put(self.mg[i], mg)
            denom = s - mg * mg
        mom = t(self.momentum) * getval(self.moment[i]._data) + lr * g / np.sqrt(
            denom + t(self.epsilon))
        self._put(self.moment[i], mom)
        return w - mom
