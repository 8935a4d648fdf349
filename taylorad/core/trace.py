"""Tracing: boxes, trace levels and primitives.

The tracer knows nothing about derivatives. A *trace* is one running transformation (a reverse
pass or a Taylor pass); each gets a level higher than every trace before it, so nested
transformations never confuse their perturbations. A *box* wraps a value for one trace; its
``_primal`` may itself be a box of a lower trace. A *primitive* unboxes its arguments one level at
a time, highest level first, and hands them to that trace's ``process``.

One hook makes forward-over-reverse nesting possible (see ``taylorad.core.nested``): a reverse
trace can be *suspended*; while it is, each of its boxes is replaced on sight by
``trace.free.capture(box)`` — an input of the inner gradient computation.
"""
import itertools
import threading

__all__ = ["Box", "Trace", "Primitive", "getval", "is_traced", "TraceStack", "check_one_backend"]


def check_one_backend(prim, vals):
    """Called when ``prim``'s implementation raised TypeError: if the reason is a NumPy array
    meeting a CuPy array (a NumPy constant in a function called on the GPU), say so plainly.
    Returns quietly otherwise, and the caller re-raises the original error."""
    kinds = {}
    for v in vals:
        mod = type(v).__module__
        if mod.startswith("cupy") and hasattr(v, "shape"):
            kinds.setdefault("cupy", type(v).__name__)
        elif mod == "numpy" and type(v).__name__ == "ndarray":
            kinds.setdefault("numpy", f"numpy.ndarray of shape {v.shape}")
    if len(kinds) == 2:
        raise TypeError(
            f"taylorad.numpy.{prim.name}: a {kinds['numpy']} meets a cupy array — NumPy and CuPy "
            f"arrays cannot be mixed in one computation. A NumPy constant inside a function "
            f"called with CuPy arrays must be created on the device: use cupy.asarray(...) (or "
            f"taylorad.numpy functions of the inputs, e.g. tnp.ones_like(x)) for it") from None

_levels = itertools.count(1)  # next() on it is one C call: atomic under the GIL, so levels
# stay unique across threads


class _State(threading.local):
    """Tracing state, one per thread: each thread has its own stack of open traces, so that
    transformations running in several threads at once never nest into each other (a gradient
    in one thread is never recorded as a node of another thread's reverse pass, and a trace
    closing in one thread never closes another's). ``threading.local`` costs one attribute
    lookup (tens of ns) per read."""

    def __init__(self):
        self.active = []  # open traces of this thread, innermost last


STATE = _State()


class Trace:
    __slots__ = ("level", "suspended", "free")

    def __init__(self):
        self.level = next(_levels)
        self.suspended = False
        self.free = None  # while suspended: the capture of core.nested

    def process(self, prim, args, params):  # pragma: no cover - abstract
        raise NotImplementedError

    def __enter__(self):
        STATE.active.append(self)
        return self

    def __exit__(self, *exc):
        active = STATE.active
        if active and active[-1] is self:
            active.pop()
        elif self in active:  # closed out of order (an interrupt between two traces' exits)
            active.remove(self)
        return False


class TraceStack:
    @staticmethod
    def top():
        return STATE.active[-1] if STATE.active else None


class Box:
    """A traced value. Operators and ``__array_ufunc__`` are attached by ``taylorad.numpy``."""

    __slots__ = ("_primal", "_trace")
    __array_priority__ = 1000.0

    @property
    def shape(self):
        return self._primal.shape

    @property
    def ndim(self):
        return self._primal.ndim

    @property
    def dtype(self):
        return self._primal.dtype

    @property
    def size(self):
        return self._primal.size

    def __len__(self):
        return len(self._primal)

    def __bool__(self):
        raise TypeError(
            "the truth value of a traced array is not defined while differentiating; "
            "use taylorad.numpy.where(cond, a, b) for data-dependent choices")

    def __float__(self):
        raise TypeError(
            "float() of a traced array would cut it off from differentiation; "
            "keep it an array (use taylorad.numpy functions)")

    __int__ = __index__ = __float__

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f"{type(self).__name__}({getval(self)!r})"


def getval(x):
    """The value under every transformation's box: a plain array, or (while ``taylorad.jit``
    records) the level-0 capture box that stands for one."""
    while isinstance(x, Box) and x._trace.level:
        x = x._primal
    return x


def is_traced(x):
    return isinstance(x, Box)


def _resolve(a):
    """Replace boxes of suspended traces (rare: only inside nested gradients)."""
    while isinstance(a, Box):
        t = a._trace
        if not t.suspended:
            break
        a = t.free.capture(a)  # core.nested: the box becomes an input of the inner gradient
    return a


class Primitive:
    """A differentiable operation: implementation, VJP rules and Taylor rule side by side.

    ``impl(*arrays, **params)`` computes on plain arrays (numpy or cupy). ``vjps[i](g, ans,
    *args, **params)`` gives the cotangent of argument ``i``; ``taylor(tr, ans, primals, series,
    **params)`` gives the stacked Taylor coefficients of the output (see ``core.taylor``). Both
    rules are written with taylorad primitives, so they can be differentiated again.
    """

    __slots__ = ("name", "impl", "vjps", "taylor", "nondiff", "nondiff_args", "doc",
                 "_linear_when", "_unary_elementwise", "_short_series_ok", "_pooled", "ufunc")

    def __init__(self, name, impl, nondiff=False, doc=None):
        self.name = name
        self.impl = impl
        self.vjps = {}
        self.taylor = None
        self.nondiff = nondiff  # output carries no derivative at all (sign, floor, comparisons)
        self.nondiff_args = frozenset()  # argument positions that are never differentiated
        self.doc = doc
        # structure the collapsed (Laplacian) mode exploits; see core/collapsed.py
        self._linear_when = None  # callable(traced-argument mask) -> bool, or None: nonlinear
        self._unary_elementwise = False
        self._short_series_ok = False  # Taylor rule accepts stacks of unequal degree
        # the NumPy function that ``impl`` is on NumPy operands (set in taylorad/numpy), and the
        # same call writing large float results into recycled memory (core.buffers)
        self.ufunc = None
        self._pooled = None

    def __repr__(self):
        return f"<taylorad primitive {self.name}>"

    def __call__(self, *args, **params):
        top = None
        slow = False
        for a in args:
            if isinstance(a, Box):
                t = a._trace
                if t.suspended:
                    slow = True
                    break
                if top is None or t.level > top.level:
                    top = t
        if slow:
            args = tuple(_resolve(a) for a in args)
            top = None
            for a in args:
                if isinstance(a, Box) and (top is None or a._trace.level > top.level):
                    top = a._trace
        if top is None:
            if self._pooled is not None:
                out = self._pooled(args, params)
                if out is not None:
                    return out
            try:
                return self.impl(*args, **params)
            except TypeError:
                check_one_backend(self, args)
                raise
        if self.nondiff and top.level:  # level 0 (jit capture) records nondiff calls too
            return self(*(getval(a) for a in args), **params)
        return top.process(self, args, params)
