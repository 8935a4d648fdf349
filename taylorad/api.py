"""The functional API: grad, value_and_grad, vjp, jvp, derivatives, jet, hvp.

Reverse mode gives first derivatives; every level above comes from Taylor propagation
(DESIGN.md §1). Coefficients are normalized inside (x_k = x⁽ᵏ⁾/k!); the functions here that
return *derivatives* multiply by k! on the way out, and ``jet`` follows jax.experimental.jet's
convention (series terms are derivatives, not normalized coefficients).
"""
import math
import numbers
import sys

import numpy as np

from . import numpy as tnp
from .core.reverse import ReverseTrace, VJPBox, _pull, _reverse_run, grad_core
from .core.taylor import TaylorBox, TaylorTrace
from .core.trace import STATE, Box, getval
from .core.tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "derivatives", "jet", "hvp"]


# ---------------------------------------------------------------------------------------------
# input checks: reject bad input at the entry, naming the function, the argument and the fix


def _arrays(tree):
    """Facade Tensors in a function's output (or input) stand for their arrays here."""
    mod = sys.modules.get("taylorad._facade.tensor")
    if mod is None:
        return tree
    leaves, td = tree_flatten(tree)
    if not any(isinstance(x, mod.Tensor) for x in leaves):
        return tree
    return tree_unflatten(td, [x._data if isinstance(x, mod.Tensor) else x for x in leaves])


def _as_input(x, fname, what):
    """A float array (boxes pass through); Python floats become float64 arrays."""
    x = _arrays(x)
    if isinstance(x, Box):
        v = getval(x)
    else:
        if isinstance(x, bool) or (isinstance(x, numbers.Number) and
                                   not isinstance(x, (float, complex, np.floating))):
            raise TypeError(_int_msg(fname, what, type(x).__name__))
        if not hasattr(x, "dtype"):
            try:
                x = np.asarray(x)
            except Exception:  # noqa: BLE001
                raise TypeError(f"{fname}: {what} is a {type(x).__name__}, not an array; pass "
                                f"a numpy or cupy array (or a tuple/list/dict of them)") from None
            if x.dtype == object:
                raise TypeError(f"{fname}: {what} is not a numeric array")
        v = x
    kind = np.dtype(v.dtype).kind
    if kind not in "fc":
        raise TypeError(_int_msg(fname, what, str(v.dtype)))
    if not hasattr(x, "shape"):
        x = np.asarray(x)
    return x


def _int_msg(fname, what, dtype):
    return (f"{fname}: {what} has dtype {dtype}; only floating-point inputs can be "
            f"differentiated — convert it (e.g. x.astype(np.float64)) or leave it out of argnums")


def _check_backends(leaves, fname):
    kinds = {type(getval(x)).__module__.split(".")[0] for x in leaves}
    kinds &= {"numpy", "cupy"}
    if len(kinds) > 1:
        raise TypeError(f"{fname}: numpy and cupy arrays are mixed in one call — move them to "
                        f"one device first (cupy.asarray(x) or x.get())")


def _norm_argnums(argnums, nargs, fname):
    single = isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool)
    if not single and not isinstance(argnums, (tuple, list)):
        raise TypeError(f"{fname}: argnums must be an int or a tuple of ints, got {argnums!r}")
    nums = (argnums,) if single else tuple(argnums)
    if not nums:
        raise ValueError(f"{fname}: argnums is empty — give at least one argument position")
    out = []
    for a in nums:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{fname}: argnums must be an int or a tuple of ints, got {a!r}")
        if not -nargs <= a < nargs:
            fix = (f"use 0..{nargs - 1}" if nargs else
                   "pass the arrays to differentiate as positional arguments")
            raise ValueError(f"{fname}: argnums {a} is out of range for a function called with "
                             f"{nargs} positional argument{'s' if nargs != 1 else ''} — {fix}")
        out.append(int(a) % nargs)
    return single, tuple(out)


def _prepare_args(args, argnums, fname):
    args = list(args)
    for i in argnums:
        leaves, td = tree_flatten(args[i])
        if not leaves:
            raise ValueError(f"{fname}: argument {i} has no arrays to differentiate")
        args[i] = tree_unflatten(td, [_as_input(x, fname, f"argument {i}") for x in leaves])
    _check_backends([x for i in argnums for x in tree_flatten(args[i])[0]], fname)
    return args


def _scalar_check(fname):
    def check(out):
        leaves, _ = tree_flatten(out)
        if len(leaves) != 1 or tuple(np.shape(getval(leaves[0]))) != ():
            shapes = [tuple(np.shape(getval(o))) for o in leaves]
            raise TypeError(
                f"{fname}: the function must return a scalar (shape ()), got "
                f"{shapes[0] if len(shapes) == 1 else shapes} — reduce it (e.g. tnp.sum) or "
                f"use taylorad.vjp for the gradient of a non-scalar output")
        v = getval(leaves[0])  # a Python number has no .dtype: ask NumPy for its kind
        dtype = v.dtype if hasattr(v, "dtype") else np.asarray(v).dtype
        if np.dtype(dtype).kind not in "fc":
            raise TypeError(f"{fname}: the function returned dtype {dtype}; the output must be "
                            f"floating point (e.g. return x.astype(np.float64) or a float)")
    return check


def _strip_closed(tree):
    """Unbox values of traces that have closed (e.g. ``has_aux`` outputs)."""
    def strip(v):
        while isinstance(v, Box) and v._trace not in STATE.active and \
                not v._trace.suspended:
            v = v._primal
        return v
    return tree_map(strip, tree)


# ---------------------------------------------------------------------------------------------
# reverse mode


def _facade_tensors(args):
    """Whether MindSpore-facade Tensors are among the arguments (never imports the facade)."""
    mod = sys.modules.get("taylorad._facade.grad")
    return mod is not None and mod.has_tensor(args)


def value_and_grad(fun, argnums=0, has_aux=False, *ms_args, **ms_kwargs):
    """Return a function computing ``fun``'s value and its gradient (``argnums``).

    Parameters
    ----------
    fun : callable
        Returns a scalar (or ``(scalar, aux)`` with ``has_aux=True``).
    argnums : int or tuple of int
        Positions of the arguments to differentiate; pytrees (tuple/list/dict) allowed.
    has_aux : bool
        ``fun`` returns ``(value, aux)``; aux is returned, not differentiated.

    Returns
    -------
    callable returning ``(value, grad)`` (``((value, aux), grad)`` with has_aux); ``grad`` is a
    tuple when ``argnums`` is a tuple.

    Notes
    -----
    Called inside another gradient computation, the gradient is differentiated forward over
    reverse (its VJP is one Hessian-vector-product pass), never by taping the backward pass.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.value_and_grad(lambda x: tnp.sum(x ** 2))(np.array([1.0, 2.0]))
    (np.float64(5.0), array([2., 4.]))
    """
    if ms_args or ms_kwargs or not isinstance(has_aux, bool):  # MindSpore 2.x spelling
        from ._facade.grad import mindspore_style  # noqa: PLC0415

        return mindspore_style(fun, argnums, has_aux, ms_args, ms_kwargs, True)
    return _value_and_grad(fun, argnums, has_aux, "value_and_grad")


def _value_and_grad(fun, argnums, has_aux, fname):
    """JAX-spelling value_and_grad; ``fname`` names the public function in error messages."""

    def vg(*args):
        if _facade_tensors(args):  # facade Tensors: MindSpore semantics (sum of all outputs)
            from ._facade.grad import value_and_grad as ms_vg  # noqa: PLC0415

            return ms_vg(fun, grad_position=argnums, has_aux=has_aux)(*args)
        single, nums = _norm_argnums(argnums, len(args), fname)
        args = _prepare_args(args, nums, fname)
        aux = []
        if has_aux:
            def f(*a):
                out = fun(*a)
                if not (isinstance(out, (tuple, list)) and len(out) == 2):
                    raise TypeError(f"{fname}: has_aux=True needs fun to return a pair "
                                    f"(value, aux), got {type(out).__name__}")
                aux.append(out[1])
                return _arrays(out[0])
        else:
            def f(*a):
                return _arrays(fun(*a))
        out, grads = grad_core(f, args, nums, None, _scalar_check(fname))
        grads = grads[0] if single else grads
        if has_aux:
            return (out, _strip_closed(aux[-1])), grads
        return out, grads

    vg.__name__ = f"value_and_grad({getattr(fun, '__name__', 'fun')})"
    return vg


def grad(fun, argnums=0, has_aux=False, *ms_args, **ms_kwargs):
    """Return a function computing the gradient of scalar ``fun`` with respect to ``argnums``.

    Also accepts MindSpore 2.x's spelling ``grad(fn, grad_position=0, weights=None,
    has_aux=False)`` and facade Tensors (then MindSpore's semantics: ``taylorad._facade.grad``).
    See :func:`value_and_grad` for the parameters. ``grad(grad(f))`` and gradients inside a
    differentiated loss are computed forward over reverse.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.grad(lambda x: tnp.sum(tnp.sin(x)))(np.array([0.0]))
    array([1.])
    """
    if ms_args or ms_kwargs or not isinstance(has_aux, bool):  # MindSpore 2.x spelling
        from ._facade.grad import mindspore_style  # noqa: PLC0415

        return mindspore_style(fun, argnums, has_aux, ms_args, ms_kwargs, False)
    vg = _value_and_grad(fun, argnums, has_aux, "grad")

    def g(*args):
        if _facade_tensors(args):
            from ._facade.grad import grad as ms_grad  # noqa: PLC0415

            return ms_grad(fun, grad_position=argnums, has_aux=has_aux)(*args)
        (out, grads) = vg(*args)
        return (grads, out[1]) if has_aux else grads

    g.__name__ = f"grad({getattr(fun, '__name__', 'fun')})"
    return g


def vjp(fun, *primals, has_aux=False):
    """``(fun(*primals), pullback)`` with ``pullback(ct)`` -> one cotangent per primal (as jax.vjp).

    The pullback may be called many times; it checks that ``ct`` matches the output.

    Parameters
    ----------
    fun : callable
        The function to differentiate; its inputs and output may be arrays or pytrees.
    *primals : array or pytree
        The point at which ``fun`` is linearized.
    has_aux : bool
        ``fun`` returns ``(output, aux)``; aux is returned as a third result, not differentiated.

    Returns
    -------
    out : array or pytree
        ``fun(*primals)``.
    pullback : callable
        ``pullback(ct)`` gives the tuple of cotangents ``ct·J`` w.r.t. each primal (one reverse
        pass per call).

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> y, pullback = ta.vjp(tnp.sin, np.array([0.0, np.pi]))
    >>> pullback(np.ones(2))
    (array([ 1., -1.]),)
    """
    fname = "vjp"
    if not primals:
        raise TypeError(f"{fname}: give the primal inputs after the function: vjp(f, x, ...)")
    if _facade_tensors(primals):  # MindSpore 2.x: mindspore.vjp(fn, *inputs, has_aux)
        from ._facade.grad import vjp as ms_vjp  # noqa: PLC0415

        return ms_vjp(fun, *primals, has_aux=has_aux)
    nums = tuple(range(len(primals)))
    args = _prepare_args(primals, nums, fname)
    trace = ReverseTrace()
    out, slots = _reverse_run(fun, args, nums, trace, lambda v, n, i, k: VJPBox(v, trace, n))
    aux = None
    if has_aux:
        out, aux = out
        aux = _strip_closed(aux)
    out_leaves, out_td = tree_flatten(out)
    out_vals = tree_unflatten(out_td, [o._primal if isinstance(o, Box) and o._trace is trace
                                       else o for o in out_leaves])

    def pullback(ct):
        ct_leaves, ct_td = tree_flatten(ct)
        if len(ct_leaves) != len(out_leaves):
            raise ValueError(f"{fname}: the cotangent has {len(ct_leaves)} arrays but the output "
                             f"has {len(out_leaves)} — pass one cotangent per output array")
        for c, o in zip(ct_leaves, out_leaves):
            cs, os_ = tuple(np.shape(getval(c))), tuple(getval(o).shape)
            if cs != os_:
                raise ValueError(f"{fname}: cotangent shape {cs} differs from the output shape "
                                 f"{os_} — pass a cotangent shaped like the output")
        _, leaves = _pull(trace, tree_unflatten(out_td, out_leaves),
                          tree_unflatten(out_td, ct_leaves))
        from .core.reverse import _leaf_ct  # noqa: PLC0415
        res = tuple(tree_unflatten(td, [_leaf_ct(leaves, n, v) for v, n in zip(vals, nodes)])
                    for td, vals, nodes in slots)
        return res

    return (out_vals, pullback, aux) if has_aux else (out_vals, pullback)


# ---------------------------------------------------------------------------------------------
# Taylor mode


def _check_order(order, fname):
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)):
        raise TypeError(f"{fname}: order must be a positive integer, got {order!r}")
    if order < 1:
        raise ValueError(f"{fname}: order must be a positive integer, got {order} — use "
                         f"order >= 1 (order 0 is the function value itself)")
    return int(order)


def _check_tangent(x, v, fname, what):
    v = _as_input(v, fname, what)
    xs, vs = tuple(getval(x).shape), tuple(getval(v).shape)
    if xs != vs:
        raise ValueError(f"{fname}: {what} has shape {vs} but its primal has shape {xs} — "
                         f"tangents and series terms must match their primal's shape")
    if getval(x).dtype != getval(v).dtype:
        raise TypeError(f"{fname}: {what} has dtype {getval(v).dtype} but its primal has "
                        f"dtype {getval(x).dtype} — cast it (v.astype(x.dtype))")
    return v


def _taylor_run(fun, primals, coeff_series, K, fname):
    """Run ``fun`` on x_i(t) = primal_i + Σ_k coeff_series[i][k-1]·t^k (normalized)."""
    tr = TaylorTrace(K)
    boxed = []
    for x, terms in zip(primals, coeff_series):
        if all(t is None for t in terms):
            boxed.append(x)
            continue
        terms = list(terms)
        while terms[-1] is None:  # known-zero top coefficients are not materialized
            terms.pop()
        like = next(t for t in terms if t is not None)
        S = tnp.stack([tnp.zeros_like(like) if t is None else t for t in terms])
        boxed.append(TaylorBox(x, S, tr))
    with tr:
        out = _arrays(fun(*boxed))
    out_leaves, out_td = tree_flatten(out)
    prim, coeffs = [], [[] for _ in range(K)]
    for o in out_leaves:
        if isinstance(o, TaylorBox) and o._trace is tr:
            prim.append(o._primal)
            d = o._series.shape[0]
            for k in range(K):
                coeffs[k].append(o._series[k] if k < d else tnp.zeros_like(o._primal))
        else:
            prim.append(o)
            for k in range(K):
                coeffs[k].append(tnp.zeros_like(o))
    return (tree_unflatten(out_td, prim), [tree_unflatten(out_td, c) for c in coeffs])


def _flat_inputs(x, v, fname, xname="x", vname="v"):
    x_leaves, x_td = tree_flatten(x)
    v_leaves, v_td = tree_flatten(v)
    if x_td != v_td:
        raise ValueError(f"{fname}: {vname} must have the same structure as {xname}")
    x_leaves = [_as_input(a, fname, xname) for a in x_leaves]
    v_leaves = [_check_tangent(a, b, fname, vname) for a, b in zip(x_leaves, v_leaves)]
    _check_backends(x_leaves + v_leaves, fname)
    return x_leaves, v_leaves, x_td


def _check_pairs(fname, primals, other, name, one, example):
    """``primals`` and ``other`` are tuples of equal length (jvp's tangents, jet's series)."""
    if not isinstance(primals, (tuple, list)) or not isinstance(other, (tuple, list)):
        raise TypeError(f"{fname}: primals and {name} must be tuples, e.g. {example}")
    if len(primals) != len(other):
        raise ValueError(f"{fname}: {len(primals)} primals but {len(other)} {name} — give one "
                         f"{one} per primal")


def jvp(fun, primals, tangents, has_aux=False):
    """Forward mode: ``(fun(*primals), J·tangents)`` (as jax.jvp).

    With facade Tensors (or ``has_aux``), MindSpore 2.x's ``jvp(fn, inputs, v, has_aux)``.

    Parameters
    ----------
    fun : callable
        The function to differentiate (arrays or pytrees in and out).
    primals : tuple
        The point, one entry per argument of ``fun``.
    tangents : tuple
        One direction per primal, of the same structure, shape and dtype.
    has_aux : bool
        MindSpore 2.x's spelling: ``fun`` returns ``(output, aux)``.

    Returns
    -------
    out, tangent_out : array or pytree
        ``fun(*primals)`` and the directional derivative J·tangents, from one order-1 Taylor pass.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.jvp(tnp.sin, (np.array([0.0, 1.0]),), (np.array([1.0, 1.0]),))
    (array([0.        , 0.84147098]), array([1.        , 0.54030231]))
    """
    fname = "jvp"
    facade = _facade_tensors(primals if isinstance(primals, (tuple, list)) else (primals,))
    if facade or has_aux:  # MindSpore 2.x: mindspore.jvp(fn, inputs, v, has_aux)
        from ._facade.grad import jvp as ms_jvp  # noqa: PLC0415

        return ms_jvp(fun, primals, tangents, has_aux=has_aux)
    _check_pairs(fname, primals, tangents, "tangents", "tangent", "jvp(f, (x,), (v,))")
    x, v, td = _flat_inputs(tuple(primals), tuple(tangents), fname, "primals", "tangents")

    def flat_fun(*leaves):
        return fun(*tree_unflatten(td, list(leaves)))

    out, (t,) = _taylor_run(flat_fun, x, [[vi] for vi in v], 1, fname)
    return out, t


def derivatives(fun, x, v, order):
    """[dᵏ/dtᵏ fun(x + t·v) at t = 0 for k = 0..order], from ONE Taylor pass of O(order²).

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> [float(d) for d in ta.derivatives(tnp.exp, np.float64(0.0), np.float64(1.0), 3)]
    [1.0, 1.0, 1.0, 1.0]
    """
    fname = "derivatives"
    K = _check_order(order, fname)
    xs, vs, td = _flat_inputs(x, v, fname)

    def flat_fun(*leaves):
        return fun(tree_unflatten(td, list(leaves)))

    terms = [[vi] + [None] * (K - 1) for vi in vs]
    out, coeffs = _taylor_run(flat_fun, xs, terms, K, fname)
    # tnp.multiply: large results go into recycled memory (core.buffers), traced ones stay traced
    return [out] + [tree_map(lambda c, f=float(math.factorial(k)): tnp.multiply(c, f),
                             coeffs[k - 1])
                    for k in range(1, K + 1)]


def jet(fun, primals, series):
    """Taylor-mode propagation with jax.experimental.jet's signature and scaling.

    ``series[i]`` holds the derivatives (x⁽¹⁾, …, x⁽ᴷ⁾) of input curve i; the result
    ``(primal_out, [y⁽¹⁾, …, y⁽ᴷ⁾])`` holds those of the output curve.

    Parameters
    ----------
    fun : callable
        The function to propagate through.
    primals : tuple of arrays
        The curves' values at t = 0, one per argument of ``fun``.
    series : tuple of sequences of arrays
        ``series[i][k - 1]`` is the k-th derivative of input curve i at t = 0 (not the
        normalized coefficient: jet's scaling); every input has the same number K of terms.

    Returns
    -------
    primal_out : array
        ``fun(*primals)``.
    series_out : list of arrays
        The derivatives y⁽¹⁾ … y⁽ᴷ⁾ of t ↦ fun(x(t)) at t = 0, from ONE Taylor pass of
        order K.

    See Also
    --------
    derivatives : the same for the straight line x + t·v, returning d⁰ … dᴷ.

    Examples
    --------
    The curve x(t) = t through sin: sin⁽ᵏ⁾(0) = 1, 0, -1.

    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> one, zero = np.array(1.0), np.array(0.0)
    >>> ta.jet(tnp.sin, (zero,), ((one, zero, zero),))
    (np.float64(0.0), [np.float64(1.0), np.float64(0.0), np.float64(-1.0)])
    """
    fname = "jet"
    _check_pairs(fname, primals, series, "series", "series", "jet(f, (x,), ((v, w),))")
    lengths = {len(s) for s in series}
    if len(lengths) != 1:
        raise ValueError(f"{fname}: the series have unequal lengths {sorted(lengths)} — give "
                         f"every input the same number of terms (pad with zeros)")
    K = _check_order(lengths.pop(), fname + " (series length)")
    leaves_x, terms = [], []
    for i, (x, s) in enumerate(zip(primals, series)):
        x = _as_input(x, fname, f"primals[{i}]")
        leaves_x.append(x)
        terms.append([_check_tangent(x, t, fname, f"series[{i}][{k}]") * (1.0 / math.factorial(k + 1))
                      for k, t in enumerate(s)])
    _check_backends(leaves_x, fname)
    out, coeffs = _taylor_run(fun, leaves_x, terms, K, fname)
    return out, [tree_map(lambda c, f=float(math.factorial(k + 1)): c * f, coeffs[k])
                 for k in range(K)]


def hvp(fun, x, v):
    """Hessian-vector product H(x)·v of scalar ``fun``, forward over reverse.

    One forward and one backward pass, each on order-1 Taylor values (the tangent v rides along
    the gradient computation): about 2-4× the cost of a gradient (``examples/hvp_cost.py``).

    Parameters
    ----------
    fun : callable
        Scalar function of one argument (an array or a pytree of arrays).
    x : array or pytree
        The point.
    v : array or pytree
        The direction, with the structure, shapes and dtypes of ``x``.

    Returns
    -------
    array or pytree
        ∇²f(x)·v, structured like ``x``.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> f = lambda x: tnp.sum(x ** 3)          # Hessian diag(6 x)
    >>> ta.hvp(f, np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    array([6., 0.])
    """
    fname = "hvp"
    xs, vs, td = _flat_inputs(x, v, fname)

    def gradfun(*leaves):
        return _value_and_grad(lambda *a: fun(tree_unflatten(td, list(a))),
                               tuple(range(len(leaves))), False, fname)(*leaves)[1]

    _, (t,) = _taylor_run(gradfun, xs, [[vi] for vi in vs], 1, fname)
    return tree_unflatten(td, list(t))
