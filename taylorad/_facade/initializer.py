"""``mindspore.common.initializer``: Initializer objects, ``initializer(...)``, ``set_seed``.

Semantics (docs/specs/mindspore-training.md §4): an Initializer fills an array of a given shape;
``fan_in``/``fan_out`` of a shape ``(out, in, *k)`` are ``in·Πk`` and ``out·Πk`` (a 1-D shape has
fan_in = fan_out = its length). Random initializers draw from a NumPy generator that
``set_seed`` re-seeds, so a seeded program builds the same network every run. The numbers are not
MindSpore's (its generator is another one): to reproduce a MindSpore run exactly, pass the initial
weights as Tensors.

Threads: the main thread's generator is shared by every thread that never calls ``set_seed``
(each initializer call draws one contiguous block of it, under a lock: no number is drawn
twice); a thread that calls ``set_seed`` gets a generator of its own, so threads that each seed
and build their own network get the numbers they would get alone.
"""
import math
import numbers
import threading

import numpy as np

from . import dtype as mstype

__all__ = ["Initializer", "Normal", "TruncatedNormal", "Uniform", "XavierUniform", "XavierNormal",
           "HeUniform", "HeNormal", "Zero", "One", "Constant", "initializer", "set_seed",
           "get_seed"]



class _Stream:
    """A seed, its generator and the lock under which one initializer call draws from it."""

    def __init__(self, seed):
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.lock = threading.RLock()


_MAIN = {"stream": _Stream(None)}  # the main thread's; shared by threads that never seed
_LOCAL = threading.local()  # .stream: the generator of a thread that called set_seed


def _stream():
    own = getattr(_LOCAL, "stream", None)
    return own if own is not None else _MAIN["stream"]


def set_seed(seed):
    """Seed the generator that random initializers draw from (``mindspore.set_seed``).

    Called in the main thread it seeds the generator shared by all threads that never call
    ``set_seed``; called in another thread it gives that thread a generator of its own (so
    threads that each seed and build a network do not change each other's numbers).

    Parameters
    ----------
    seed : int
        A non-negative integer.

    Returns
    -------
    None

    Examples
    --------
    >>> import taylorad as ms
    >>> from taylorad.common.initializer import initializer, Normal
    >>> ms.set_seed(1); a = initializer(Normal(), (2,)).asnumpy()
    >>> ms.set_seed(1); b = initializer(Normal(), (2,)).asnumpy()
    >>> bool((a == b).all())
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"set_seed: seed must be a non-negative int, got {seed!r}")
    stream = _Stream(int(seed))
    if threading.current_thread() is threading.main_thread():
        _MAIN["stream"] = stream  # one assignment: a reader sees the old or the new stream
        _LOCAL.stream = None
    else:
        _LOCAL.stream = stream


def get_seed():
    """The seed given to :func:`set_seed` (None if never set) for this thread's generator.

    Returns
    -------
    int or None

    Examples
    --------
    >>> import taylorad as ms
    >>> ms.set_seed(3); ms.get_seed()
    3
    """
    return _stream().seed


def _rng():
    drawing = getattr(_LOCAL, "drawing", None)  # the stream locked by Initializer.__call__
    return (drawing or _stream()).rng


def _real(v, name, fname, minimum=None):
    """``v`` as a float, or an error naming the initializer and the argument."""
    if isinstance(v, bool) or not isinstance(v, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{fname}: {name} must be a number, got {v!r}")
    if minimum is not None and v < minimum:
        raise ValueError(f"{fname}: {name} must be >= {minimum}, got {v!r}")
    return float(v)


def _fans(shape):
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _gain(nonlinearity, param=None):
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"HeUniform/HeNormal: unknown nonlinearity {nonlinearity!r} — use 'relu', "
                     f"'leaky_relu', 'tanh', 'sigmoid' or 'linear'")


class Initializer:
    """Base class: ``init(shape)`` returns a float64 NumPy array of that shape.

    Examples
    --------
    >>> from taylorad.common.initializer import One
    >>> One()((2,))
    array([1., 1.])
    """

    def __init__(self, **kwargs):
        self._kwargs = kwargs

    def _fill(self, shape):
        raise NotImplementedError

    def __call__(self, shape):
        shape = tuple(int(s) for s in shape)
        stream = _stream()
        with stream.lock:  # one call draws one contiguous block of the generator's stream
            outer, _LOCAL.drawing = getattr(_LOCAL, "drawing", None), stream
            try:
                out = self._fill(shape)
            finally:
                _LOCAL.drawing = outer
        return np.asarray(out, dtype=np.float64)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._kwargs.items())
        return f"{type(self).__name__}({args})"


class Normal(Initializer):
    """N(mean, sigma²) samples: ``Normal(sigma=0.01, mean=0.0)``.

    Examples
    --------
    >>> from taylorad.common.initializer import Normal
    >>> Normal(sigma=0.0, mean=2.0)((2,))
    array([2., 2.])
    """

    def __init__(self, sigma=0.01, mean=0.0):
        super().__init__(sigma=sigma, mean=mean)
        self.sigma = _real(sigma, "sigma", "Normal", 0)
        self.mean = _real(mean, "mean", "Normal")

    def _fill(self, shape):
        return _rng().normal(self.mean, self.sigma, shape)


class TruncatedNormal(Initializer):
    """N(mean, sigma²) restricted to [a, b] (resampled): ``TruncatedNormal(sigma=0.01, mean=0.0,
    a=-2.0, b=2.0)``.

    Examples
    --------
    >>> from taylorad.common.initializer import TruncatedNormal
    >>> bool((abs(TruncatedNormal(sigma=1.0)((100,))) <= 2).all())
    True
    """

    def __init__(self, sigma=0.01, mean=0.0, a=-2.0, b=2.0):
        super().__init__(sigma=sigma, mean=mean, a=a, b=b)
        fname = "TruncatedNormal"
        self.sigma, self.mean = _real(sigma, "sigma", fname, 0), _real(mean, "mean", fname)
        self.a, self.b = _real(a, "a", fname), _real(b, "b", fname)
        if not self.a < self.b:
            raise ValueError(f"{fname}: need a < b, got a={a!r}, b={b!r}")
        if self.sigma == 0 and not self.a <= self.mean <= self.b:
            raise ValueError(f"{fname}: with sigma=0 every draw is mean={mean!r}, outside "
                             f"[a, b] = [{a!r}, {b!r}]")

    def _fill(self, shape):
        out = _rng().normal(self.mean, self.sigma, shape)
        bad = (out < self.a) | (out > self.b)
        for _ in range(1000):  # each round keeps P(in [a, b]) of the rest
            if not bad.any():
                return out
            out[bad] = _rng().normal(self.mean, self.sigma, int(bad.sum()))
            bad = (out < self.a) | (out > self.b)
        raise ValueError(f"TruncatedNormal: [a, b] = [{self.a}, {self.b}] is too far in the tail "
                         f"of N({self.mean}, {self.sigma}²) to sample by rejection — move mean "
                         f"into [a, b] or widen it")


class Uniform(Initializer):
    """U(−scale, scale) samples: ``Uniform(scale=0.07)``.

    Examples
    --------
    >>> from taylorad.common.initializer import Uniform
    >>> bool((abs(Uniform(0.5)((50,))) <= 0.5).all())
    True
    """

    def __init__(self, scale=0.07):
        super().__init__(scale=scale)
        self.scale = _real(scale, "scale", "Uniform")

    def _fill(self, shape):
        return _rng().uniform(-self.scale, self.scale, shape)


class XavierUniform(Initializer):
    """U(−b, b) with b = gain·sqrt(6 / (fan_in + fan_out)): ``XavierUniform(gain=1)``.

    Examples
    --------
    >>> from taylorad.common.initializer import XavierUniform
    >>> bool((abs(XavierUniform()((3, 5))) <= (6 / 8) ** 0.5).all())
    True
    """

    def __init__(self, gain=1):
        super().__init__(gain=gain)
        self.gain = _real(gain, "gain", type(self).__name__)

    def _fill(self, shape):
        fan_in, fan_out = _fans(shape)
        bound = self.gain * math.sqrt(6.0 / (fan_in + fan_out))
        return _rng().uniform(-bound, bound, shape)


class XavierNormal(Initializer):
    """N(0, s²) with s = gain·sqrt(2 / (fan_in + fan_out)): ``XavierNormal(gain=1)``.

    Examples
    --------
    >>> from taylorad.common.initializer import XavierNormal
    >>> XavierNormal()((2, 2)).shape
    (2, 2)
    """

    def __init__(self, gain=1):
        super().__init__(gain=gain)
        self.gain = _real(gain, "gain", type(self).__name__)

    def _fill(self, shape):
        fan_in, fan_out = _fans(shape)
        return _rng().normal(0.0, self.gain * math.sqrt(2.0 / (fan_in + fan_out)), shape)


class HeUniform(Initializer):
    """U(−b, b) with b = gain·sqrt(3 / fan): ``HeUniform(negative_slope=0, mode='fan_in',
    nonlinearity='leaky_relu')``, gain = sqrt(2 / (1 + negative_slope²)).

    Examples
    --------
    >>> import math
    >>> from taylorad.common.initializer import HeUniform
    >>> bool((abs(HeUniform(math.sqrt(5))((4, 9))) <= 1 / 3).all())   # Dense's default
    True
    """

    def __init__(self, negative_slope=0, mode="fan_in", nonlinearity="leaky_relu"):
        super().__init__(negative_slope=negative_slope, mode=mode, nonlinearity=nonlinearity)
        if mode not in ("fan_in", "fan_out"):
            raise ValueError(f"{type(self).__name__}: mode must be 'fan_in' or 'fan_out', got "
                             f"{mode!r}")
        _real(negative_slope, "negative_slope", type(self).__name__)
        self.negative_slope, self.mode, self.nonlinearity = negative_slope, mode, nonlinearity
        _gain(nonlinearity, negative_slope)  # an unknown nonlinearity fails here, not at use

    def _std(self, shape):
        fan_in, fan_out = _fans(shape)
        fan = fan_in if self.mode == "fan_in" else fan_out
        return _gain(self.nonlinearity, self.negative_slope) / math.sqrt(fan)

    def _fill(self, shape):
        bound = math.sqrt(3.0) * self._std(shape)
        return _rng().uniform(-bound, bound, shape)


class HeNormal(HeUniform):
    """N(0, s²) with s = gain / sqrt(fan): ``HeNormal(negative_slope=0, mode='fan_in',
    nonlinearity='leaky_relu')``.

    Examples
    --------
    >>> from taylorad.common.initializer import HeNormal
    >>> HeNormal()((3, 2)).shape
    (3, 2)
    """

    def _fill(self, shape):
        return _rng().normal(0.0, self._std(shape), shape)


class Constant(Initializer):
    """Every element ``value``: ``Constant(value)``.

    Examples
    --------
    >>> from taylorad.common.initializer import Constant
    >>> Constant(0.5)((2,))
    array([0.5, 0.5])
    """

    def __init__(self, value):
        super().__init__(value=value)
        self.value = value

    def _fill(self, shape):
        return np.full(shape, self.value, dtype=np.float64)


class Zero(Constant):
    """Zeros (``'zeros'``).

    Examples
    --------
    >>> from taylorad.common.initializer import Zero
    >>> Zero()((2,))
    array([0., 0.])
    """

    def __init__(self):
        super().__init__(0.0)
        self._kwargs = {}


class One(Constant):
    """Ones (``'ones'``).

    Examples
    --------
    >>> from taylorad.common.initializer import One
    >>> One()((1,))
    array([1.])
    """

    def __init__(self):
        super().__init__(1.0)
        self._kwargs = {}


_ALIASES = {"normal": Normal, "truncatednormal": TruncatedNormal, "uniform": Uniform,
            "xavier_uniform": XavierUniform, "xavieruniform": XavierUniform,
            "xavier_normal": XavierNormal, "xaviernormal": XavierNormal,
            "he_uniform": HeUniform, "heuniform": HeUniform, "he_normal": HeNormal,
            "henormal": HeNormal, "zeros": Zero, "zero": Zero, "ones": One, "one": One}


def initializer(init, shape=None, dtype=mstype.float32):
    """A Tensor of ``shape`` and ``dtype`` filled by ``init`` (``mindspore.common.initializer``).

    Parameters
    ----------
    init : str, Initializer, number or Tensor
        ``'normal'``, ``'zeros'``, ``'ones'``, ``'xavier_uniform'``, ``'he_uniform'``,
        ``'uniform'``, ... (the class names in lower case); an Initializer; a constant; or a
        Tensor whose shape must equal ``shape``.
    shape : tuple of int, list or int
    dtype : mindspore dtype
        Default ``float32``.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> from taylorad.common.initializer import initializer, One
    >>> initializer('ones', (2,)).asnumpy()
    array([1., 1.], dtype=float32)
    >>> initializer(3, [1]).asnumpy()
    array([3.], dtype=float32)
    """
    from .tensor import Tensor  # noqa: PLC0415

    dt = mstype.to_dtype(dtype if dtype is not None else mstype.float32, "initializer")
    if isinstance(shape, numbers.Integral):
        shape = (int(shape),)
    if isinstance(init, Tensor):
        if shape is not None and tuple(init.shape) != tuple(shape):
            raise ValueError(f"initializer: the Tensor init has shape {init.shape} but shape is "
                             f"{tuple(shape)} — they must agree")
        return Tensor(init.asnumpy().astype(dt.np))
    if shape is None:
        raise ValueError("initializer: give shape (a tuple of ints) for a non-Tensor init")
    if isinstance(init, str):
        cls = _ALIASES.get(init.lower())
        if cls is None:
            raise ValueError(f"initializer: unknown init {init!r} — use one of "
                             f"{sorted(_ALIASES)}, an Initializer, a number or a Tensor")
        init = cls()
    elif isinstance(init, (numbers.Number, np.number)) and not isinstance(init, bool):
        init = Constant(init)
    if not isinstance(init, Initializer):
        raise TypeError(f"initializer: init must be a str, an Initializer, a number or a "
                        f"Tensor, got {type(init).__name__}")
    return Tensor(init(tuple(shape)).astype(dt.np))
