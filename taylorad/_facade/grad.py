"""GradOperation and MindSpore 2.x's functional transforms, mapped onto taylorad's core.

No derivative logic lives here: every gradient is ONE call of
``taylorad.core.reverse.grad_core(fun, leaves, argnums, sens)``. This module only

* picks the differentiable leaves (float Tensor inputs, Parameters),
* lets ``fn`` see them as Tensors: inputs are re-wrapped, each Parameter's ``_data`` is
  temporarily the traced value (restored in ``finally``),
* checks the sensitivity and shapes the result as MindSpore does (MINDSPORE.md §1, §6).

Because ``grad_core`` records a gradient computed inside an enclosing reverse trace as one
forward-over-reverse node, a GradOperation applied to a network that itself calls a
GradOperation — to any depth, with any flags, with sens — is forward over reverse by itself.
"""
import inspect

import numpy as np

from .. import numpy as tnp
from .._args import register_facade, strip_closed as _strip_closed
from ..core.reverse import grad_core
from ..core.trace import Box, getval
from . import context
from .tensor import Parameter, ParameterTuple, Tensor, traced_values, wrap

__all__ = ["GradOperation", "grad", "value_and_grad", "jacfwd", "jacrev", "vjp", "jvp"]

# Parameters that read as traced values in this thread, {id: (Parameter, value)}
# (tensor.traced_values): an inner gradient snapshots it so that its re-evaluations (forward
# over reverse) see the same values. Nesting happens within one thread; no Parameter is
# overwritten, so other threads - their own networks or this one - never see these values.
_active = traced_values


def _to_data(out, fname):
    if isinstance(out, Tensor):
        return out._data
    if isinstance(out, (tuple, list)):
        return tuple(_to_data(o, fname) for o in out)
    if out is None or isinstance(out, Box) or hasattr(out, "dtype"):
        return out
    if isinstance(out, (bool, int, float)):
        return np.asarray(out, np.float32 if isinstance(out, float) else None)
    raise TypeError(f"{fname}: the network returned a {type(out).__name__}; it must return a "
                    f"Tensor or a tuple of Tensors")


def _sens_data(sens, fname):
    if isinstance(sens, Tensor):
        return sens._data
    if isinstance(sens, (tuple, list)):
        return type(sens)(_sens_data(s, fname) for s in sens)
    return sens  # checked against the output in _check_sens


def _check_sens(out, sens, fname, path="sens"):
    graph = context.graph()
    if isinstance(out, (tuple, list)):
        if not isinstance(sens, (tuple, list)):
            cls = TypeError if graph else RuntimeError
            raise cls(f"{fname}: the network returns a tuple of {len(out)} outputs but {path} is "
                      f"a {type(sens).__name__}; The given sens gradient's size should be same "
                      f"as out of network! Pass a tuple with one Tensor per output.")
        if isinstance(sens, list) and graph:
            raise TypeError(f"{fname}: {path} is a list; GRAPH_MODE needs a tuple sens for a "
                            f"tuple output — pass tuple({path})")
        if len(sens) != len(out):
            cls = IndexError if graph and len(sens) < len(out) else RuntimeError
            raise cls(f"{fname}: The given sens gradient's size should be same as out of "
                      f"network! The output has {len(out)} elements, {path} has {len(sens)}.")
        for k, (o, s) in enumerate(zip(out, sens)):
            _check_sens(o, s, fname, f"{path}[{k}]")
        return
    if isinstance(sens, (tuple, list)):
        raise TypeError(f"{fname}: the network returns one Tensor but {path} is a "
                        f"{type(sens).__name__} — pass a single Tensor shaped like the output")
    if not (isinstance(sens, Box) or hasattr(sens, "dtype")) or isinstance(sens, np.generic):
        cls = TypeError if graph else RuntimeError
        raise cls(f"{fname}: {path} is a {type(sens).__name__}; the sensitivity must be a Tensor "
                  f"with the output's shape and dtype, e.g. ops.ones_like(out) * s")
    if out is None:
        return
    os_, ss = tuple(getval(out).shape), tuple(getval(sens).shape)
    if ss == () and os_ != ():  # a 0-d sens for a non-scalar output
        if graph:
            return  # GRAPH_MODE broadcasts it (the seed is broadcast to the output's shape)
        raise RuntimeError(f"{fname}: the 0-d {path} cannot be used for an output of shape "
                           f"{list(os_)}: the grad tensor should be broadcast to expected shape; "
                           f"pass a Tensor of the output's shape (ops.ones_like(out) * s)")
    if os_ != ss:
        raise ValueError(f"{fname}: The shape should be {list(os_)}, but got {list(ss)} — the "
                         f"sensitivity {path} must have the shape of the network's output")
    od, sd = np.dtype(getval(out).dtype), np.dtype(getval(sens).dtype)
    if od != sd:
        from .dtype import to_dtype  # noqa: PLC0415

        raise TypeError(f"{fname}: The dtype should be {to_dtype(od)}, but got {to_dtype(sd)} — "
                        f"cast the sensitivity {path} (sens.astype(out.dtype))")


def _zeros_tensor(t):
    v = getval(t._data)
    return Tensor._wrap(tnp.zeros_like(v))


def _as_float_leaf(t):
    """An integer input/Parameter as a float32 leaf (MindSpore computes its gradient in float and
    casts it back to the integer dtype, MINDSPORE.md §1)."""
    return tnp.astype(t._data, np.float32)


def _dtypes(tree):
    if isinstance(tree, (tuple, list)):
        return tuple(_dtypes(t) for t in tree)
    return None if tree is None else np.dtype(getval(tree).dtype)


def _cast_tree(tree, dts):
    if isinstance(tree, (tuple, list)):
        return tuple(_cast_tree(t, d) for t, d in zip(tree, dts))
    return tree if tree is None or dts is None else tnp.astype(tree, dts)


def _split_aux(out, fname):
    """``(output, aux)`` of a has_aux function's result ``(output, *aux)``."""
    if not isinstance(out, (tuple, list)) or len(out) < 2:
        raise TypeError(f"{fname}: has_aux=True needs fn to return a tuple (out, aux, ...), got "
                        f"{type(out).__name__}")
    return out[0], out[1:]


def run(fn, args, positions, weights, sens=None, fname="GradOperation", has_aux=False,
        kwargs=None):
    """Differentiate ``fn(*args)`` w.r.t. ``args[positions]`` and the Parameters ``weights``.

    Returns ``(out, input_grads, weight_grads, aux)``: ``out`` a Tensor tree, the grads lists of
    Tensors (zeros for boolean inputs and for leaves the output does not depend on).

    Integer inputs and Parameters are differentiated as MindSpore does: as float32 leaves, the
    gradient cast back to their dtype. Their float leaves would change the dtypes the network
    computes in (Int32 * Int32 would be Float32), so the network is first run once as it is and
    every traced output is cast to the dtype of that run: the value, the sensitivity check and
    the seed are exactly MindSpore's.
    """
    kwargs = kwargs or {}
    leaves, int_dt = [], {}

    def slot(t):
        """t's position among the leaves; None for a Tensor that is not differentiated (bool)."""
        dt = np.dtype(getval(t._data).dtype)
        if dt.kind in "iu":
            int_dt[len(leaves)] = dt
            leaves.append(_as_float_leaf(t))
        elif dt.kind in "fc":
            leaves.append(t._data)
        else:
            return None
        return len(leaves) - 1

    in_slot = [slot(args[i]) for i in positions]
    w_slot = [slot(p) for p in weights]
    active = _active()
    snapshot = dict(active)
    aux = []
    out_dtypes = []
    if int_dt:  # the network's own output dtypes, from one run on the integer values
        ref = fn(*args, **kwargs)
        if has_aux and isinstance(ref, (tuple, list)) and len(ref) >= 2:
            ref = ref[0]
        out_dtypes.append(_dtypes(_to_data(ref, fname)))

    def fun(*lv):
        new_args = list(args)
        for i, s in zip(positions, in_slot):
            if s is not None:
                new_args[i] = Tensor._wrap(lv[s])
        subst = dict(snapshot)
        for p, s in zip(weights, w_slot):
            if s is not None:
                subst[id(p)] = (p, lv[s])
        active = _active()  # this thread's: the Parameters read as these values here only
        saved_active = dict(active)
        try:
            active.update(subst)
            out = fn(*new_args, **kwargs)
        finally:
            active.clear()
            active.update(saved_active)
        if has_aux:
            out, rest = _split_aux(out, fname)
            aux.append(rest)
        out = _to_data(out, fname)
        return _cast_tree(out, out_dtypes[0]) if out_dtypes else out

    sens_d = None if sens is None else _sens_data(sens, fname)

    def check(out):
        if sens is not None:
            _check_sens(out, sens_d, fname)

    out, grads = grad_core(fun, tuple(leaves), tuple(range(len(leaves))), sens_d, check)

    def grad_of(s):
        g = grads[s]
        return Tensor._wrap(tnp.astype(g, int_dt[s]) if s in int_dt else g)

    in_grads = [_zeros_tensor(args[i]) if s is None else grad_of(s)
                for i, s in zip(positions, in_slot)]
    w_grads = [_zeros_tensor(p) if s is None else grad_of(s)
               for p, s in zip(weights, w_slot)]
    aux_out = None
    if has_aux:
        aux_out = wrap(_strip_closed(_to_data(tuple(aux[-1]), fname)))
    return wrap(out), in_grads, w_grads, aux_out


def _check_arity(fn, args, kwargs, sens_param):
    target = fn.construct if hasattr(fn, "construct") and hasattr(fn, "_params") else fn
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return
    try:
        sig.bind(*args, **kwargs)
    except TypeError:
        n = sum(1 for p in sig.parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
        hint = (" With sens_param=True the sensitivity is an extra LAST argument: call "
                "grad_fn(*inputs, sens)." if sens_param else
                " Call the gradient function with the network's own arguments.")
        raise TypeError(f"The parameters number of the function is {n}, but the number of "
                        f"provided arguments is {len(args)}.{hint}") from None


def _weight_list(weights, fname):
    """(list of Parameters, single?) from a Parameter, ParameterTuple, tuple or list."""
    if isinstance(weights, Parameter):
        return [weights], True
    if isinstance(weights, (ParameterTuple, tuple, list)):
        for k, p in enumerate(weights):
            if not isinstance(p, Parameter):
                raise RuntimeError(f"{fname}: weights[{k}] is a {type(p).__name__}, not a "
                                   f"Parameter — pass Parameters (e.g. "
                                   f"ParameterTuple(net.trainable_params()))")
        return list(weights), False
    raise RuntimeError(f"{fname}: weights must be a Parameter, a ParameterTuple or a tuple/list "
                       f"of Parameters, got {type(weights).__name__}")


class GradOperation:
    """``ops.GradOperation(get_all=False, get_by_list=False, sens_param=False)``.

    ``GradOperation(...)(fn, weights)`` returns a function computing, from ``fn``'s arguments
    (plus a final sensitivity with ``sens_param``), the gradients described in MINDSPORE.md §1.
    Nested use (a network that calls a GradOperation, differentiated again) is forward over
    reverse.

    Parameters
    ----------
    get_all : bool
        Gradients w.r.t. every input (a tuple) instead of the first only.
    get_by_list : bool
        Gradients w.r.t. the ``weights`` (a ParameterTuple) given with the function; with
        ``get_all`` too, ``(input grads, weight grads)``.
    sens_param : bool
        The returned function takes a last argument, the sensitivity (the output's cotangent);
        without it the output is seeded with ones.

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.nn as nn, taylorad.ops as ops
    >>> from taylorad import Tensor, Parameter
    >>> class Net(nn.Cell):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = Parameter(Tensor(np.array([2.0], np.float32)), name="w")
    ...     def construct(self, x):
    ...         return x * x * self.w
    >>> net, x = Net(), Tensor(np.array([3.0], np.float32))
    >>> ops.GradOperation()(net)(x).asnumpy()                       # d(w x²)/dx = 2 w x
    array([12.], dtype=float32)
    >>> ops.GradOperation(get_by_list=True)(net, net.trainable_params())(x)[0].asnumpy()
    array([9.], dtype=float32)
    >>> ops.GradOperation(sens_param=True)(net)(x, Tensor(np.array([0.5], np.float32))).asnumpy()
    array([6.], dtype=float32)

    Second order: a Cell that returns a gradient, differentiated again (2 w):

    >>> class GradNet(nn.Cell):
    ...     def __init__(self, net):
    ...         super().__init__()
    ...         self.net, self.grad = net, ops.GradOperation()
    ...     def construct(self, x):
    ...         return self.grad(self.net)(x)
    >>> ops.GradOperation()(GradNet(net))(x).asnumpy()
    array([4.], dtype=float32)
    """

    def __init__(self, get_all=False, get_by_list=False, sens_param=False):
        for name, v in (("get_all", get_all), ("get_by_list", get_by_list),
                        ("sens_param", sens_param)):
            if not isinstance(v, bool):
                raise TypeError(f"For 'GradOperation', the '{name}' should be bool, but got "
                                f"{type(v).__name__}")
        self.get_all = get_all
        self.get_by_list = get_by_list
        self.sens_param = sens_param

    def __call__(self, fn, weights=None):
        if not callable(fn):
            raise TypeError(f"GradOperation: the function to differentiate must be a Cell or a "
                            f"callable, got {type(fn).__name__}")
        if self.get_by_list and weights is not None:
            ws, single_w = _weight_list(weights, "GradOperation")
        else:
            ws, single_w = [], False
        get_all, get_by_list, sens_param = self.get_all, self.get_by_list, self.sens_param

        def after_grad(*args, **kwargs):
            sens = None
            if sens_param:
                if "sens" in kwargs:
                    sens = kwargs.pop("sens")
                elif args:
                    sens, args = args[-1], args[:-1]
                else:
                    raise TypeError("GradOperation: sens_param=True but no sensitivity was "
                                    "given — pass it as the last positional argument")
            _check_arity(fn, args, kwargs, sens_param)
            if get_all:
                positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
            else:
                positions = (0,) if args and isinstance(args[0], Tensor) else ()
            if not positions and not (get_by_list and ws):
                if get_by_list and get_all:
                    return ((), ())
                return ()
            _, gin, gw, _ = run(fn, args, positions, ws, sens, "GradOperation", kwargs=kwargs)
            wpart = (gw[0] if single_w else tuple(gw))
            if get_all and get_by_list:
                return (tuple(gin), wpart)
            if get_by_list:
                return wpart
            if get_all:
                return tuple(gin)
            return gin[0]

        after_grad.__name__ = f"grad({getattr(fn, '__name__', type(fn).__name__)})"
        return after_grad


# ---------------------------------------------------------------------------------------------
# MindSpore 2.x functional forms


def _positions(grad_position, weights, fname):
    if grad_position is None:
        if weights is None:
            raise ValueError(f"{fname}: grad_position and weights cannot both be None — give "
                             f"an input position (e.g. grad_position=0) or weights")
        return None, False
    if isinstance(grad_position, bool) or not isinstance(grad_position, (int, tuple, list)):
        raise TypeError(f"{fname}: grad_position must be an int or a tuple of ints, got "
                        f"{grad_position!r}")
    if isinstance(grad_position, int):
        return (grad_position,), True
    if not grad_position:
        raise RuntimeError(f"{fname}: grad_position is an empty tuple — give at least one "
                           f"position, or grad_position=None with weights")
    for p in grad_position:
        if isinstance(p, bool) or not isinstance(p, int):
            raise TypeError(f"{fname}: grad_position must contain ints, got {p!r}")
    return tuple(grad_position), False


def _functional(fn, grad_position, weights, has_aux, return_ids, sens_param, fname, with_value):
    if not callable(fn):
        raise TypeError(f"{fname}: fn must be a Cell or a callable, got {type(fn).__name__}")
    pos, single_pos = _positions(grad_position, weights, fname)
    ws, single_w = ([], False) if weights is None else _weight_list(weights, fname)

    def g(*args, **kwargs):
        sens = None
        if sens_param:
            if not args:
                raise TypeError(f"{fname}: sens_param=True but no sensitivity was given — pass "
                                f"it as the last positional argument")
            sens, args = args[-1], args[:-1]
        positions = ()
        if pos is not None:
            for p in pos:
                if not -len(args) <= p < len(args):
                    raise IndexError(f"{fname}: grad_position {p} is out of range for {len(args)} "
                                     f"inputs — use 0..{len(args) - 1}")
            positions = tuple(p % len(args) for p in pos)
            tensor_pos = tuple(p for p in positions if isinstance(args[p], Tensor))
            if not tensor_pos and not ws:
                return ()
            positions = tensor_pos
        out, gin, gw, aux = run(fn, args, positions, ws, sens, fname, has_aux, kwargs)
        if return_ids:
            gin = [(p, t) for p, t in zip(positions, gin)]
            gw = [(p.name, t) for p, t in zip(ws, gw)]
        ipart = (gin[0] if single_pos and gin else tuple(gin))
        wpart = gw[0] if single_w else tuple(gw)
        if pos is None:
            res = wpart
        elif weights is None:
            res = ipart
        else:
            res = (ipart, wpart)
        if with_value:
            value = (out,) + tuple(aux) if has_aux else out
            return value, res
        return (res, aux) if has_aux else res

    return g


def grad(fn, grad_position=0, weights=None, has_aux=False, return_ids=False, sens_param=False):
    """MindSpore 2.x ``grad``: gradients for the inputs at ``grad_position`` and/or ``weights``.

    The output is seeded with ones (the gradient of the sum of all outputs); ``has_aux=True``
    differentiates only the first output and returns ``(grads, aux)``.

    Parameters
    ----------
    fn : callable or Cell
        The function of Tensors.
    grad_position : int, tuple of int or None
        Inputs to differentiate (None: only the weights).
    weights : Parameter, ParameterTuple or None
        Parameters to differentiate.
    has_aux : bool
        ``fn`` returns ``(output, *aux)``; only the output is differentiated.
    return_ids : bool
        Pair each gradient with its position or parameter name.
    sens_param : bool
        The last argument is the output's sensitivity instead of ones.

    Returns
    -------
    callable
        The gradient function (one Tensor for one position, else a tuple).

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.ops as ops
    >>> from taylorad import Tensor
    >>> ops.grad(lambda x: x * x * x)(Tensor(np.array([2.0], np.float32))).asnumpy()
    array([12.], dtype=float32)
    """
    return _functional(fn, grad_position, weights, has_aux, return_ids, sens_param, "grad",
                       False)


def value_and_grad(fn, grad_position=0, weights=None, has_aux=False, return_ids=False,
                   sens_param=False):
    """As :func:`grad`, returning ``(value, grads)`` (value = the full output with has_aux).

    Parameters
    ----------
    fn, grad_position, weights, has_aux, return_ids, sens_param
        As for :func:`grad`.

    Returns
    -------
    callable
        Returns ``(value, grads)``.

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.ops as ops
    >>> from taylorad import Tensor
    >>> value, g = ops.value_and_grad(lambda x: x * x * x)(Tensor(np.array([2.0], np.float32)))
    >>> value.asnumpy(), g.asnumpy()
    (array([8.], dtype=float32), array([12.], dtype=float32))
    """
    return _functional(fn, grad_position, weights, has_aux, return_ids, sens_param,
                       "value_and_grad", True)


def _raw_fn(fn, fname="fn", aux=None):
    """``fn`` over Tensors as a function over arrays (for the array-level transforms); with a
    list ``aux``, ``fn`` returns ``(output, *aux)`` and each call appends its aux to the list."""
    def f(*arrays):
        out = fn(*(Tensor._wrap(a) for a in arrays))
        if aux is not None:
            aux.append(out[1:])
            out = out[0]
        return _to_data(out, fname)
    return f


def _jac(kind, fn, grad_position, has_aux):
    from .. import toolbox  # noqa: PLC0415

    fname = kind
    pos, single = _positions(grad_position, None, fname)
    transform = toolbox.jacfwd if kind == "jacfwd" else toolbox.jacrev

    def first(*a):
        out = fn(*a)
        return _split_aux(out, fname)[0] if has_aux else out

    def j(*args):
        arrays = [a._data if isinstance(a, Tensor) else a for a in args]
        f = _raw_fn(first)
        res = [Tensor._wrap(transform(f, argnums=p)(*arrays)) for p in pos]
        res = res[0] if single else tuple(res)
        if not has_aux:
            return res
        aux = fn(*args)[1:]  # returned as they are, not differentiated
        return res, aux[0] if len(aux) == 1 else tuple(aux)

    return j


_JAC_DOC = """Jacobian by {mode} mode, shape out.shape + input.shape (tuple for tuple positions).

    Parameters
    ----------
    fn : callable
        The function of Tensors.
    grad_position : int or tuple of int
        Inputs to differentiate.
    has_aux : bool
        ``fn`` returns ``(output, *aux)``; aux is returned unchanged.

    Returns
    -------
    callable
        Maps ``fn``'s inputs to the Jacobian (with ``has_aux``: ``(jacobian, aux)``).

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.ops as ops
    >>> from taylorad import Tensor
    >>> ops.{name}(lambda x: x * x * x)(Tensor(np.array([1.0, 2.0], np.float32))).asnumpy()
    array([[ 3.,  0.],
           [ 0., 12.]], dtype=float32)
    """


def _jac_function(name, mode):
    """``ops.jacfwd`` / ``ops.jacrev``: the same transform but for the mode."""
    def f(fn, grad_position=0, has_aux=False):
        return _jac(name, fn, grad_position, has_aux)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = _JAC_DOC.format(mode=mode, name=name)
    return f


jacfwd = _jac_function("jacfwd", "forward")
jacrev = _jac_function("jacrev", "reverse")


def vjp(fn, *inputs, weights=None, has_aux=False):
    """``(outputs, vjp_fn)``: ``vjp_fn(v)`` gives the cotangents of the inputs (a Tensor for one
    input, else a tuple); with ``has_aux`` also the aux outputs, ``(outputs, vjp_fn, aux)``.

    Parameters
    ----------
    fn : callable
        The function of Tensors.
    *inputs : Tensor
        The point.
    weights : ParameterTuple, optional
        Also give the cotangents of these parameters.
    has_aux : bool
        ``fn`` returns ``(output, *aux)``.

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.ops as ops
    >>> from taylorad import Tensor
    >>> out, vjp_fn = ops.vjp(lambda x: x * x * x, Tensor(np.array([2.0], np.float32)))
    >>> out.asnumpy(), vjp_fn(Tensor(np.array([1.0], np.float32))).asnumpy()
    (array([8.], dtype=float32), array([12.], dtype=float32))
    """
    fname = "vjp"
    if not inputs:
        raise TypeError(f"{fname}: give the inputs after the function: vjp(fn, x, ...)")
    positions = tuple(range(len(inputs)))
    ws = [] if weights is None else _weight_list(weights, fname)[0]
    out, _, _, aux = run(fn, inputs, (), [], None, fname, has_aux)

    def vjp_fn(*v):
        sens = v[0] if len(v) == 1 else tuple(v)
        _, gin, gw, _ = run(fn, inputs, positions, ws, sens, fname, has_aux)
        res = gin[0] if len(gin) == 1 else tuple(gin)
        return (res, tuple(gw)) if ws else res

    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def jvp(fn, inputs, v, has_aux=False):
    """``(outputs, J·v)`` by forward (Taylor) mode; ``inputs``/``v`` a Tensor or tuples.

    Parameters
    ----------
    fn : callable
        The function of Tensors.
    inputs : Tensor or tuple of Tensors
        The point.
    v : Tensor or tuple of Tensors
        The direction(s), shaped like ``inputs``.
    has_aux : bool
        ``fn`` returns ``(output, *aux)``.

    Examples
    --------
    >>> import numpy as np
    >>> import taylorad.ops as ops
    >>> from taylorad import Tensor
    >>> out, tangent = ops.jvp(lambda x: x * x * x, Tensor(np.array([2.0], np.float32)),
    ...                        Tensor(np.array([1.0], np.float32)))
    >>> out.asnumpy(), tangent.asnumpy()
    (array([8.], dtype=float32), array([12.], dtype=float32))
    """
    from .. import api  # noqa: PLC0415

    single = isinstance(inputs, Tensor)
    xs = (inputs,) if single else tuple(inputs)
    vs = (v,) if isinstance(v, Tensor) else tuple(v)
    aux = []
    f = _raw_fn(fn, "jvp", aux if has_aux else None)
    out, t = api.jvp(f, tuple(x._data for x in xs), tuple(t._data for t in vs))
    res = (wrap(out), wrap(t))
    return res + (wrap(_strip_closed(_to_data(tuple(aux[-1]), "jvp"))),) if has_aux else res


# ---------------------------------------------------------------------------------------------
# one taylorad.grad for both spellings (called from taylorad.api)

_MS_KEYS = ("grad_position", "weights", "has_aux", "return_ids", "sens_param")


def mindspore_style(fun, argnums, has_aux, extra, kwargs, with_value):
    """``taylorad.grad`` / ``value_and_grad`` called MindSpore's way.

    MindSpore's positional order is (fn, grad_position, weights, has_aux, return_ids,
    sens_param): JAX's ``argnums`` slot holds grad_position, its ``has_aux`` slot the weights
    when that is not a bool, and further positional arguments continue MindSpore's order.
    """
    fname = "value_and_grad" if with_value else "grad"
    ms = dict(zip(_MS_KEYS[2:], extra))
    if len(extra) > 3:
        raise TypeError(f"{fname}: too many positional arguments — MindSpore's order is (fn, "
                        f"grad_position, weights, has_aux, return_ids, sens_param)")
    if extra and isinstance(has_aux, bool):
        raise TypeError(f"{fname}: the third positional argument is weights in MindSpore's "
                        f"spelling (a Parameter, a ParameterTuple or None); pass has_aux by "
                        f"keyword")
    if not isinstance(has_aux, bool):
        ms["weights"] = has_aux
    elif has_aux:
        ms["has_aux"] = True
    for k, v in kwargs.items():
        if k not in _MS_KEYS:
            raise TypeError(f"{fname}: unexpected keyword argument {k!r}; JAX spelling: "
                            f"grad(f, argnums=0, has_aux=False); MindSpore spelling: grad(fn, "
                            f"grad_position=0, weights=None, has_aux=False, return_ids=False, "
                            f"sens_param=False)")
        if k in ms and k != "has_aux":
            raise TypeError(f"{fname}: got multiple values for argument {k!r}")
        ms[k] = v
    if "grad_position" in ms and argnums != 0:
        raise TypeError(f"{fname}: give either argnums (JAX spelling) or grad_position "
                        f"(MindSpore spelling), not both")
    ms.setdefault("grad_position", argnums)
    return (value_and_grad if with_value else grad)(fun, **ms)


def has_tensor(args):
    """Whether a call's arguments include facade Tensors (then MindSpore semantics apply)."""
    return any(isinstance(a, Tensor) for a in args)


# taylorad.grad / value_and_grad / vjp / jvp / jacfwd / jacrev hand facade Tensors and
# MindSpore's spelling over to these (taylorad._args), without importing this module
register_facade(Tensor=Tensor, has_tensor=has_tensor, grad=grad, value_and_grad=value_and_grad,
                vjp=vjp, jvp=jvp, jacfwd=jacfwd, jacrev=jacrev, mindspore_style=mindspore_style)
