"""The functional API: grad, value_and_grad, vjp, jvp, derivatives, jet, hvp.

Reverse mode gives first derivatives; every level above comes from Taylor propagation
(DESIGN.md §1). Coefficients are normalized inside (x_k = x⁽ᵏ⁾/k!); the functions here that
return *derivatives* multiply by k! on the way out, and ``jet`` follows jax.experimental.jet's
convention (series terms are derivatives, not normalized coefficients).
"""
import math

from . import numpy as tnp
from ._args import as_arrays as _arrays, as_input as _as_input, check_backends as _check_backends
from ._args import check_order as _check_order, check_pairs as _check_pairs
from ._args import as_cotangent as _as_cotangent, check_tangent as _check_tangent
from ._args import facade as _facade
from ._args import facade_tensors as _facade_tensors, flat_inputs as _flat_inputs
from ._args import norm_argnums as _norm_argnums, prepare_args as _prepare_args
from ._args import scalar_check as _scalar_check, strip_closed as _strip_closed
from .core.reverse import ReverseTrace, VJPBox, _pull, _reverse_run, grad_core
from .core.taylor import TaylorBox, TaylorTrace
from .core.trace import Box
from .core.tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "derivatives", "jet", "hvp"]


# ---------------------------------------------------------------------------------------------
# reverse mode


def _third_positional(ms_args, has_aux, ms_kwargs):
    """The third positional argument is JAX's has_aux or MindSpore's weights; ``has_aux`` may
    still come by keyword with positional weights (``value_and_grad(fn, None, params,
    has_aux=True)``, MindSpore's quick-start). Returns (third, further positionals, keywords)."""
    if not ms_args:
        return has_aux, (), ms_kwargs
    if has_aux is not False:
        ms_kwargs = dict(ms_kwargs, has_aux=has_aux)
    return ms_args[0], tuple(ms_args[1:]), ms_kwargs


def value_and_grad(fun, argnums=0, *ms_args, has_aux=False, **ms_kwargs):
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
    has_aux, ms_args, ms_kwargs = _third_positional(ms_args, has_aux, ms_kwargs)
    if ms_args or ms_kwargs or not isinstance(has_aux, bool):  # MindSpore 2.x spelling
        return _facade("mindspore_style", "value_and_grad")(fun, argnums, has_aux, ms_args,
                                                           ms_kwargs, True)
    return _value_and_grad(fun, argnums, has_aux, "value_and_grad")


def _value_and_grad(fun, argnums, has_aux, fname):
    """JAX-spelling value_and_grad; ``fname`` names the public function in error messages."""

    def vg(*args):
        if _facade_tensors(args):  # facade Tensors: MindSpore semantics (sum of all outputs)
            ms_vg = _facade("value_and_grad", fname)
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


def grad(fun, argnums=0, *ms_args, has_aux=False, **ms_kwargs):
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
    has_aux, ms_args, ms_kwargs = _third_positional(ms_args, has_aux, ms_kwargs)
    if ms_args or ms_kwargs or not isinstance(has_aux, bool):  # MindSpore 2.x spelling
        return _facade("mindspore_style", "grad")(fun, argnums, has_aux, ms_args, ms_kwargs,
                                                 False)
    vg = _value_and_grad(fun, argnums, has_aux, "grad")

    def g(*args):
        if _facade_tensors(args):
            return _facade("grad", "grad")(fun, grad_position=argnums, has_aux=has_aux)(*args)
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
        return _facade("vjp", fname)(fun, *primals, has_aux=has_aux)
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
        ct_leaves = [_as_cotangent(c, o, fname) for c, o in zip(ct_leaves, out_leaves)]
        _, leaves = _pull(trace, tree_unflatten(out_td, out_leaves),
                          tree_unflatten(out_td, ct_leaves))
        from .core.reverse import _leaf_ct  # noqa: PLC0415
        res = tuple(tree_unflatten(td, [_leaf_ct(leaves, n, v) for v, n in zip(vals, nodes)])
                    for td, vals, nodes in slots)
        return res

    return (out_vals, pullback, aux) if has_aux else (out_vals, pullback)


# ---------------------------------------------------------------------------------------------
# Taylor mode


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
        return _facade("jvp", fname)(fun, primals, tangents, has_aux=has_aux)
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
