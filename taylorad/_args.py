"""Argument handling shared by every transform: checks at the entry, argnums, backends.

This module sits below ``api``, ``toolbox``, ``testing`` and the MindSpore facade, and imports
nothing above ``core`` (DESIGN.md §2): the transforms import it, never each other's private
helpers. Bad input is rejected here, at the entry of the public function, with a message that
names the function, the argument and the fix.

The facade (``taylorad._facade.grad``) is above the transforms. When it is imported it registers
its entry points here (:func:`register_facade`), so that ``taylorad.grad`` called with facade
Tensors or with MindSpore's spelling can hand over to it without importing it: the import graph
has no cycle through ``api``, ``toolbox`` and ``_facade.grad``.
"""
import numbers

import numpy as np

from .core.backend import check_dask_inputs
from .core.trace import STATE, Box, getval
from .core.tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["as_arrays", "as_input", "check_backends", "norm_argnums", "prepare_args",
           "scalar_check", "strip_closed", "check_order", "check_tangent", "flat_inputs",
           "check_pairs", "as_cotangent", "facade", "facade_tensors", "register_facade", "int_msg"]


# ---------------------------------------------------------------------------------------------
# the facade's entry points (registered by taylorad._facade.grad when it is imported)

_FACADE = {}


def register_facade(**entries):
    """Called once by ``taylorad._facade.grad``: its Tensor type and transforms, by name."""
    _FACADE.update(entries)


def facade(name, fname):
    """The facade's transform ``name`` (for MindSpore's spelling of ``fname``)."""
    fn = _FACADE.get(name)
    if fn is None:
        raise RuntimeError(f"{fname}: MindSpore's spelling needs taylorad's facade — import "
                           f"taylorad (which loads taylorad._facade) before calling it")
    return fn


def facade_tensors(args):
    """Whether MindSpore-facade Tensors are among the arguments (then MindSpore semantics)."""
    has = _FACADE.get("has_tensor")
    return has is not None and has(args)


def as_arrays(tree):
    """Facade Tensors in a function's output (or input) stand for their arrays here."""
    tensor = _FACADE.get("Tensor")
    if tensor is None:
        return tree
    if isinstance(tree, tensor):
        return tree._data
    leaves, td = tree_flatten(tree)
    if not any(isinstance(x, tensor) for x in leaves):
        return tree
    return tree_unflatten(td, [x._data if isinstance(x, tensor) else x for x in leaves])


# ---------------------------------------------------------------------------------------------
# one differentiated input


def int_msg(fname, what, dtype):
    return (f"{fname}: {what} has dtype {dtype}; only floating-point inputs can be "
            f"differentiated — convert it (e.g. x.astype(np.float64)) or leave it out of argnums")


def as_input(x, fname, what):
    """A float array (boxes pass through); Python floats become float64 arrays."""
    x = as_arrays(x)
    if isinstance(x, Box):
        v = getval(x)
    else:
        if isinstance(x, bool) or (isinstance(x, numbers.Number) and
                                   not isinstance(x, (float, complex, np.floating))):
            raise TypeError(int_msg(fname, what, type(x).__name__))
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
        raise TypeError(int_msg(fname, what, str(v.dtype)))
    if not hasattr(x, "shape"):
        x = np.asarray(x)
    return x


def as_cotangent(ct, out, fname, what="cotangent"):
    """A cotangent of output ``out`` as people write it: an array shaped like ``out``, or — for
    a scalar output — a Python number, NumPy scalar or 0-d array. Numbers take ``out``'s dtype
    (a float32 output keeps float32 cotangents) and its array namespace."""
    ct = as_arrays(ct)
    ov = getval(out)
    os_ = tuple(np.shape(ov)) if not hasattr(ov, "shape") else tuple(ov.shape)
    if not isinstance(ct, Box) and not hasattr(ct, "dtype"):
        if isinstance(ct, bool) or not isinstance(ct, numbers.Real):
            try:
                arr = np.asarray(ct)
            except Exception:  # noqa: BLE001
                arr = None
            if arr is None or arr.dtype.kind not in "fiu":
                raise TypeError(f"{fname}: the {what} is a {type(ct).__name__}; pass a float "
                                f"array shaped like the output {os_} (or a number for a scalar "
                                f"output)")
            ct = arr
        else:
            dtype = getattr(ov, "dtype", None)
            if dtype is None or np.dtype(dtype).kind not in "fc":
                dtype = np.float64
            from .numpy._util import array_namespace  # noqa: PLC0415 - numpy or cupy, lazily

            ct = array_namespace(ov).asarray(ct, dtype=dtype)
    cs = tuple(getval(ct).shape) if hasattr(getval(ct), "shape") else tuple(np.shape(ct))
    if cs != os_:
        raise ValueError(f"{fname}: {what} shape {cs} differs from the output shape {os_} — "
                         f"pass a {what} shaped like the output")
    return ct


def check_backends(leaves, fname):
    """Reject a call that mixes array namespaces (numpy and cupy arrays) — one place for it."""
    kinds = {type(getval(x)).__module__.split(".")[0] for x in leaves}
    kinds &= {"numpy", "cupy"}
    if len(kinds) > 1:
        raise TypeError(f"{fname}: numpy and cupy arrays are mixed in one call — move them to "
                        f"one device first (cupy.asarray(x) or x.get())")
    check_dask_inputs([getval(x) for x in leaves], fname)  # dask with cupy: an error


def norm_argnums(argnums, nargs, fname):
    """``(single, positions)``: argnums as a tuple of non-negative positions, checked."""
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


def prepare_args(args, argnums, fname):
    """The positional arguments with the differentiated ones checked (the others untouched)."""
    args = list(args)
    for i in argnums:
        leaves, td = tree_flatten(args[i])
        if not leaves:
            raise ValueError(f"{fname}: argument {i} has no arrays to differentiate")
        args[i] = tree_unflatten(td, [as_input(x, fname, f"argument {i}") for x in leaves])
    check_backends([x for i in argnums for x in tree_flatten(args[i])[0]], fname)
    return args


def scalar_check(fname):
    """A check of ``fun``'s output: one floating-point scalar."""
    def check(out):
        leaves, _ = tree_flatten(out)
        if len(leaves) != 1 or tuple(np.shape(getval(leaves[0]))) != ():
            shapes = [tuple(np.shape(getval(o))) for o in leaves]
            raise TypeError(
                f"{fname}: the function must return a scalar (shape ()), got "
                f"{shapes[0] if len(shapes) == 1 else shapes} — reduce it (e.g. tnp.sum) or "
                f"use taylorad.vjp for the gradient of a non-scalar output")
        float_check(fname)(out)
    return check


def float_check(fname):
    """A check of ``fun``'s output: floating-point arrays (any shape)."""
    def check(out):
        for o in tree_flatten(out)[0]:
            v = getval(o)  # a Python number has no .dtype: ask NumPy for its kind
            dtype = v.dtype if hasattr(v, "dtype") else np.asarray(v).dtype
            if np.dtype(dtype).kind not in "fc":
                raise TypeError(f"{fname}: the function returned dtype {dtype}; the output "
                                f"must be floating point (e.g. return x.astype(np.float64) or "
                                f"a float)")
    return check


def strip_closed(tree):
    """Unbox values of traces that have closed (e.g. ``has_aux`` outputs)."""
    def strip(v):
        while isinstance(v, Box) and v._trace not in STATE.active and \
                not v._trace.suspended:
            v = v._primal
        return v
    return tree_map(strip, tree)


# ---------------------------------------------------------------------------------------------
# Taylor-mode arguments


def check_order(order, fname):
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)):
        raise TypeError(f"{fname}: order must be a positive integer, got {order!r}")
    if order < 1:
        raise ValueError(f"{fname}: order must be a positive integer, got {order} — use "
                         f"order >= 1 (order 0 is the function value itself)")
    return int(order)


def check_tangent(x, v, fname, what):
    """A tangent (or series term) ``v`` of primal ``x``: same shape and dtype."""
    v = as_input(v, fname, what)
    xs, vs = tuple(getval(x).shape), tuple(getval(v).shape)
    if xs != vs:
        raise ValueError(f"{fname}: {what} has shape {vs} but its primal has shape {xs} — "
                         f"tangents and series terms must match their primal's shape")
    if getval(x).dtype != getval(v).dtype:
        raise TypeError(f"{fname}: {what} has dtype {getval(v).dtype} but its primal has "
                        f"dtype {getval(x).dtype} — cast it (v.astype(x.dtype))")
    return v


def flat_inputs(x, v, fname, xname="x", vname="v"):
    """The leaves of a primal pytree and of its tangent pytree, checked, and the treedef."""
    x_leaves, x_td = tree_flatten(x)
    v_leaves, v_td = tree_flatten(v)
    if x_td != v_td:
        raise ValueError(f"{fname}: {vname} must have the same structure as {xname}")
    x_leaves = [as_input(a, fname, xname) for a in x_leaves]
    v_leaves = [check_tangent(a, b, fname, vname) for a, b in zip(x_leaves, v_leaves)]
    check_backends(x_leaves + v_leaves, fname)
    return x_leaves, v_leaves, x_td


def check_pairs(fname, primals, other, name, one, example):
    """``primals`` and ``other`` are tuples of equal length (jvp's tangents, jet's series)."""
    if not isinstance(primals, (tuple, list)) or not isinstance(other, (tuple, list)):
        raise TypeError(f"{fname}: primals and {name} must be tuples, e.g. {example}")
    if len(primals) != len(other):
        raise ValueError(f"{fname}: {len(primals)} primals but {len(other)} {name} — give one "
                         f"{one} per primal")
