"""The rest of autograd's functional API: elementwise_grad, linearize_hvp, checkpoint.

* :func:`elementwise_grad` — autograd's: the gradient of the *sum* of the outputs, i.e. the
  derivative of an elementwise function at every point, in one reverse pass.
* :func:`linearize_hvp` — autograd's ``make_hvp``: the gradient computation at x is recorded
  once; each H·v after that is one sweep of the order-1 Taylor rules over the recording with the
  primal values already known (no forward or backward primal work), cheaper than ``hvp`` per v.
* :func:`checkpoint` — recompute a block in the backward pass instead of storing its
  intermediates (``taylorad.core.checkpoint``).
"""
import functools

from . import numpy as tnp
from ._args import (as_arrays, as_input, check_backends, check_tangent, float_check,
                    norm_argnums, prepare_args, scalar_check)
from .api import hvp
from .core.checkpoint import checkpointed
from .core.nested import _Recording, _RecBox
from .core.reverse import grad_core
from .core.trace import STATE, Box, getval
from .core.tree import tree_flatten, tree_unflatten

__all__ = ["elementwise_grad", "linearize_hvp", "checkpoint"]


def elementwise_grad(fun, argnums=0):
    """Return a function computing the gradient of ``sum(fun(*args))`` w.r.t. ``argnums``.

    As autograd's ``elementwise_grad``: for an elementwise ``fun`` (each output element depends
    only on the input element at the same place) this is the derivative at every point, from one
    reverse pass. The output may have any shape (and be a pytree); all its elements are summed.

    Parameters
    ----------
    fun : callable
        Returns a float array (or a pytree of them).
    argnums : int or tuple of int
        Positions of the arguments to differentiate.

    Returns
    -------
    callable
        Same arguments as ``fun``; returns a gradient shaped like ``args[argnums]`` (a tuple for
        a tuple ``argnums``).

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.elementwise_grad(tnp.tanh)(np.array([0.0, 1.0]))
    array([1.        , 0.41997434])
    """
    fname = "elementwise_grad"
    if not callable(fun):
        raise TypeError(f"{fname}: fun must be callable, got {type(fun).__name__}")

    def eg(*args):
        single, nums = norm_argnums(argnums, len(args), fname)
        args = prepare_args(args, nums, fname)
        _, grads = grad_core(lambda *a: as_arrays(fun(*a)), args, nums, None, float_check(fname))
        return grads[0] if single else grads

    eg.__name__ = f"elementwise_grad({getattr(fun, '__name__', 'fun')})"
    return eg


def linearize_hvp(fun, x):
    """Record the gradient of scalar ``fun`` at ``x`` once; return ``v -> H(x)·v``.

    autograd's ``make_hvp``: the returned function reuses the recorded forward and backward
    pass, so each product costs one sweep of the order-1 Taylor rules over that recording (the
    primal values are not recomputed). Use it for many v at one x (Lanczos, CG, Newton-Krylov);
    for one v, :func:`taylorad.hvp` is as cheap and holds less memory.

    Parameters
    ----------
    fun : callable
        Scalar function of one argument (an array or a pytree of arrays).
    x : array or pytree of arrays
        The point; floating point.

    Returns
    -------
    callable
        ``hvp_at(v)`` with ``v`` shaped like ``x``, returning H(x)·v shaped like ``x``. Its
        attribute ``grad`` holds ∇fun(x), computed on the way.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> hvp_at = ta.linearize_hvp(lambda x: tnp.sum(x ** 3), np.array([1.0, 2.0]))
    >>> hvp_at(np.array([1.0, 0.0])), hvp_at(np.array([0.0, 1.0]))
    (array([6., 0.]), array([ 0., 12.]))
    >>> hvp_at.grad
    array([ 3., 12.])
    """
    fname = "linearize_hvp"
    if not callable(fun):
        raise TypeError(f"{fname}: fun must be callable, got {type(fun).__name__}")
    leaves, td = tree_flatten(x)
    if not leaves:
        raise ValueError(f"{fname}: x has no arrays to differentiate")
    leaves = [as_input(a, fname, "x") for a in leaves]
    check_backends(leaves, fname)
    if STATE.active or any(isinstance(a, Box) for a in leaves):
        # inside another transformation: no recording to reuse, but the same numbers
        def hvp_traced(v):
            return hvp(fun, tree_unflatten(td, leaves), v)

        hvp_traced.grad = None
        return hvp_traced

    rec = _Recording()
    boxes = [rec.box(a) for a in leaves]

    def flat(*a):
        return as_arrays(fun(tree_unflatten(td, list(a))))

    _, grads = grad_core(flat, boxes, tuple(range(len(boxes))), None, scalar_check(fname))
    grads = list(grads)  # one per leaf of x (each argnum is one leaf)
    keep = {g._slot for g in grads if isinstance(g, _RecBox) and g._trace is rec}

    def hvp_at(v):
        v_leaves, v_td = tree_flatten(v)
        if v_td != td:
            raise ValueError(f"{fname}: v must have the same structure as x")
        v_leaves = [check_tangent(a, b, fname, "v") for a, b in zip(leaves, v_leaves)]
        check_backends(leaves + v_leaves, fname)
        tan = rec.tangents({b._slot: getval(t) for b, t in zip(boxes, v_leaves)}, keep)
        out = []
        for g, a in zip(grads, leaves):
            t = tan.get(g._slot) if isinstance(g, _RecBox) and g._trace is rec else None
            if t is None:  # the gradient does not depend on x: H·v = 0
                t = tnp.zeros_like(a)
            elif t.dtype != a.dtype:
                t = tnp.astype(t, a.dtype)
            out.append(t)
        return tree_unflatten(td, out)

    hvp_at.grad = tree_unflatten(td, [rec.value(g) for g in grads])
    return hvp_at


def checkpoint(fun):
    """Return ``fun`` as a checkpointed block: its intermediates are not stored for the backward
    pass but recomputed there (autograd's ``checkpoint``, ``jax.checkpoint``).

    Memory for trading time: a reverse pass keeps only the block's inputs and outputs, and runs
    the block a second time when the backward pass reaches it. Results are the same as without
    checkpointing; it composes with ``grad``, ``hvp``, ``derivatives``, nested gradients and
    ``ta.jit``. Outside a reverse pass ``checkpoint(fun)`` is just ``fun``.

    Parameters
    ----------
    fun : callable
        The block. Traced values it uses must come in as arguments (values it closes over make
        it run un-checkpointed, with a warning); other arguments are passed as they are.

    Returns
    -------
    callable
        Same signature and results as ``fun``.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> block = ta.checkpoint(lambda x: tnp.sin(tnp.exp(x)))
    >>> float(ta.grad(lambda x: tnp.sum(block(x)))(np.float64(0.0)))  # cos(1)·e⁰
    0.5403023058681398
    """
    if not callable(fun):
        raise TypeError(f"checkpoint: fun must be callable, got {type(fun).__name__}")

    @functools.wraps(fun)
    def block(*args, **kwargs):
        return checkpointed(fun, args, kwargs)

    return block
