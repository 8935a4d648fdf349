"""The higher-order toolbox: batched directions and the operators built on them.

Higher coefficients carry a direction axis (vector mode, like ADOL-C's ``hov_forward``): the
primal is computed once and all directions ride along it. ``hessian`` = one batched
forward-over-reverse pass (``chunk_size`` bounds memory); ``jacfwd`` = batched JVPs; ``jacrev``
= batched VJPs (the cotangent seed carries the batch); ``laplacian`` = collapsed Taylor mode.
"""
import functools
import math

import numpy as np

from . import numpy as tnp
from ._args import as_arrays as _arrays, as_input as _as_input, check_backends as _check_backends
from ._args import check_order as _check_order, facade as _facade, facade_tensors as _facade_tensors
from ._args import norm_argnums as _norm_argnums, scalar_check as _scalar_check
from .api import grad
from .core import backend
from .core.collapsed import CollapsedBox, CollapsedTrace
from .core.reverse import ReverseTrace, VJPBox, _pull, _reverse_run
from .core.taylor import TaylorBox, TaylorTrace
from .core.trace import STATE, getval

__all__ = ["hvp_batch", "hessian", "jacfwd", "jacrev", "laplacian", "laplacian_estimate",
           "hessian_diag", "hessian_diag_estimate", "derivative_tensor"]


def _xp(x):
    from .numpy._util import array_namespace  # noqa: PLC0415

    return array_namespace(getval(x))


def _series_of(out, tr, shape):
    """Coefficient 1 of a batched Taylor output (zeros when the output is constant)."""
    if isinstance(out, TaylorBox) and out._trace is tr:
        return out._series[0]
    v = getval(out)
    return _xp(v).zeros(tr.batch + tuple(shape), dtype=v.dtype)


def _check_batch(x, V, fname, what="V"):
    V = _as_input(V, fname, what)
    xv, vv = getval(x), getval(V)
    xs, vs = tuple(xv.shape), tuple(vv.shape)
    if vs[1:] != xs:
        raise ValueError(f"{fname}: {what} must have shape (m, *x.shape) = (m, {', '.join(map(str, xs))}) "
                         f"— a leading axis of directions — got {vs}")
    if vv.dtype != xv.dtype:
        raise TypeError(f"{fname}: {what} has dtype {vv.dtype} but x has dtype "
                        f"{xv.dtype} — cast it (V.astype(x.dtype))")
    _check_backends([x, V], fname)
    return V


def hvp_batch(fun, x, V):
    """H(x)·V[i] for a batch of vectors V of shape ``(m, *x.shape)``, in ONE batched pass.

    Parameters
    ----------
    fun : callable
        Scalar function of one array.
    x : array
        The point.
    V : array
        The directions, stacked along a new leading axis: shape ``(m, *x.shape)``.

    Returns
    -------
    array
        Shape ``(m, *x.shape)``; row i is ∇²f(x)·V[i]. The primal and gradient computations
        are shared by all m directions.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.hvp_batch(lambda x: tnp.sum(x ** 3), np.array([1.0, 2.0]), np.eye(2))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    fname = "hvp_batch"
    x = _as_input(x, fname, "x")
    V = _check_batch(x, V, fname)
    tr = TaylorTrace(1, (V.shape[0],))
    with tr:
        g = grad(fun)(TaylorBox(x, tnp.reshape(V, (1,) + tuple(V.shape)), tr))
    return _series_of(g, tr, x.shape)


def _taylor_pass(fun, x, V, d):
    """``(out, y)``: ``fun`` on x + t·V[i] for every direction V[i] — ONE order-d Taylor pass
    with a direction batch — and the d-th coefficients y (None when the output is constant)."""
    xp = _xp(x)
    tr = TaylorTrace(d, (V.shape[0],))
    with tr:
        out = _arrays(fun(TaylorBox(x, xp.stack([V] + [xp.zeros_like(V)] * (d - 1)), tr)))
    return out, (out._series[d - 1] if isinstance(out, TaylorBox) and out._trace is tr else None)


def _chunks(n, chunk_size, fname):
    if chunk_size is None:
        return [(0, n)]
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or \
            chunk_size < 1:
        raise ValueError(f"{fname}: chunk_size must be a positive integer or None, got "
                         f"{chunk_size!r}")
    return [(i, min(n, i + int(chunk_size))) for i in range(0, n, int(chunk_size))]


def _no_dask_dense(x, fname, what, result):
    """A dense derivative with one row per element of a Dask array would be data-squared."""
    if backend.is_dask(getval(x)):
        raise ValueError(
            f"{fname}: {what} is a Dask array of shape {tuple(x.shape)} — {result} would have a "
            f"row per element of the data. Differentiate with respect to the small parameters "
            f"and pass the data as another argument, or use grad / hvp / laplacian, which stay "
            f"lazy and chunked like the data")


def _whole_last_axis(x, fname):
    """Pointwise transforms need each point's coordinates (the last axis) in one chunk."""
    v = getval(x)
    if backend.is_dask(v) and len(v.chunks[-1]) > 1:
        raise ValueError(
            f"{fname}: x is a Dask array chunked along its last axis (the coordinates of each "
            f"point; chunks {v.chunks[-1]}) — each point must sit whole in one chunk: rechunk "
            f"with x.rechunk({{{v.ndim - 1}: -1}}) (chunks along the points are fine)")


def _basis(x, lo, hi):
    xp = _xp(x)
    n = int(np.prod(x.shape))
    if backend.is_dask(getval(x)):  # small (checked by the callers): built here, one chunk
        E = np.zeros((hi - lo, n), dtype=x.dtype)
        E[np.arange(hi - lo), np.arange(lo, hi)] = 1
        return xp.from_array(E.reshape((hi - lo,) + tuple(x.shape)), chunks=-1)
    E = xp.zeros((hi - lo, n), dtype=x.dtype)
    E[xp.arange(hi - lo), xp.arange(lo, hi)] = 1
    return E.reshape((hi - lo,) + tuple(x.shape))


def _one_arg(fun, args, argnums, fname):
    """fun as a function of args[argnums] alone (argnums an int)."""
    single, nums = _norm_argnums(argnums, len(args), fname)
    if not single:
        raise TypeError(f"{fname}: argnums must be a single int here (got {argnums!r}); "
                        f"differentiate one array argument at a time")
    i = nums[0]
    x = _as_input(args[i], fname, f"argument {i}")
    _no_dask_dense(x, fname, f"argument {i}",
                   "its Hessian" if fname == "hessian" else "the Jacobian")

    def f(xi):
        a = list(args)
        a[i] = xi
        return _arrays(fun(*a))

    return f, x


def hessian(fun, argnums=0, chunk_size=None):
    """Return a function giving the dense Hessian of scalar ``fun`` in ``args[argnums]``.

    All n Hessian-vector products run as ONE batched forward-over-reverse pass (or one per
    chunk of ``chunk_size`` columns, to bound memory). Result shape: x.shape + x.shape.

    Parameters
    ----------
    fun : callable
        Scalar function.
    argnums : int
        Position of the argument to differentiate.
    chunk_size : int, optional
        Number of Hessian columns per pass (memory grows linearly with it); None: all n at once.

    Returns
    -------
    callable
        ``hessian(fun)(*args)`` is an array of shape ``x.shape + x.shape``.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.hessian(lambda x: tnp.sum(x ** 3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    >>> ta.hessian(lambda x: tnp.sum(x ** 3), chunk_size=1)(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    fname = "hessian"

    def h(*args):
        f, x = _one_arg(fun, args, argnums, fname)
        n = int(np.prod(x.shape))
        cols = [hvp_batch(f, x, _basis(x, lo, hi)) for lo, hi in _chunks(n, chunk_size, fname)]
        H = cols[0] if len(cols) == 1 else _xp(x).concatenate(cols, axis=0)
        return H.reshape(tuple(x.shape) + tuple(x.shape))

    return h


def _mindspore_jac(kind, fun, argnums, grad_position, has_aux):
    """MindSpore 2.x's ``jacfwd/jacrev(fn, grad_position=0, has_aux=False)`` spelling."""
    if grad_position is not None and argnums != 0:
        raise TypeError(f"{kind}: give either argnums (JAX spelling) or grad_position "
                        f"(MindSpore spelling), not both")
    transform = _facade(kind, kind)
    return transform(fun, argnums if grad_position is None else grad_position, has_aux)


def _both_spellings(kind, fun, argnums, grad_position, has_aux, jax_jac):
    """``jax_jac`` for the JAX spelling and plain arrays; MindSpore's spelling (grad_position,
    has_aux) or facade Tensors go to ``taylorad._facade.grad``."""
    if grad_position is not None or has_aux:
        return _mindspore_jac(kind, fun, argnums, grad_position, has_aux)

    def jac(*args):
        if _facade_tensors(args):
            return _mindspore_jac(kind, fun, argnums, None, False)(*args)
        return jax_jac(*args)

    return jac


def jacfwd(fun, argnums=0, chunk_size=None, *, grad_position=None, has_aux=False):
    """Jacobian by batched forward mode (one Taylor pass carrying n directions).

    Result shape: out.shape + x.shape. MindSpore's spelling ``jacfwd(fn, grad_position=0,
    has_aux=False)`` and facade Tensors are accepted too (``taylorad._facade.grad.jacfwd``).

    Parameters
    ----------
    fun : callable
        The function (array in, array out).
    argnums : int
        Position of the argument to differentiate.
    chunk_size : int, optional
        Number of input directions per pass; None: all at once.
    grad_position, has_aux
        MindSpore 2.x's spelling (see :func:`taylorad.ops.jacfwd`).

    Returns
    -------
    callable
        ``jacfwd(fun)(*args)`` is an array of shape ``out.shape + x.shape``. Cheaper than
        :func:`jacrev` when x has fewer elements than the output.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> g = lambda x: tnp.stack([x[0] * x[1], tnp.sin(x[0])])
    >>> ta.jacfwd(g)(np.array([0.0, 2.0]))
    array([[2., 0.],
           [1., 0.]])
    """
    fname = "jacfwd"

    def jac(*args):
        f, x = _one_arg(fun, args, argnums, fname)
        n = int(np.prod(x.shape))
        parts = []
        out_shape = None
        for lo, hi in _chunks(n, chunk_size, fname):
            E = _basis(x, lo, hi)
            tr = TaylorTrace(1, (hi - lo,))
            with tr:
                out = f(TaylorBox(x, E.reshape((1,) + E.shape), tr))
            out_shape = tuple(getval(out).shape)
            parts.append(_series_of(out, tr, out_shape))
        J = parts[0] if len(parts) == 1 else _xp(x).concatenate(parts, axis=0)
        J = J.reshape((n, int(np.prod(out_shape))))
        return J.T.reshape(out_shape + tuple(x.shape))

    return _both_spellings(fname, fun, argnums, grad_position, has_aux, jac)


def jacrev(fun, argnums=0, chunk_size=None, *, grad_position=None, has_aux=False):
    """Jacobian by batched reverse mode: ONE backward pass whose cotangent seed carries all m
    output directions (the seed is the Taylor value 0 + t·Eᵢ; VJP rules are linear in it).

    Result shape: out.shape + x.shape. MindSpore's spelling is accepted as for :func:`jacfwd`.

    Parameters
    ----------
    fun : callable
        The function (array in, array out).
    argnums : int
        Position of the argument to differentiate.
    chunk_size : int, optional
        Number of output directions per pass; None: all at once.
    grad_position, has_aux
        MindSpore 2.x's spelling (see :func:`taylorad.ops.jacrev`).

    Returns
    -------
    callable
        ``jacrev(fun)(*args)`` is an array of shape ``out.shape + x.shape``. Cheaper than
        :func:`jacfwd` when the output has fewer elements than x.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> g = lambda x: tnp.stack([x[0] * x[1], tnp.sin(x[0])])
    >>> ta.jacrev(g)(np.array([0.0, 2.0]))
    array([[2., 0.],
           [1., 0.]])
    """
    fname = "jacrev"

    def jac(*args):
        f, x = _one_arg(fun, args, argnums, fname)
        trace = ReverseTrace()
        out, slots = _reverse_run(f, (x,), (0,), trace, lambda v, n, i, k: VJPBox(v, trace, n))
        o = getval(out)
        m = int(np.prod(o.shape))
        if backend.is_dask(o) and o.npartitions > 1:
            raise ValueError(
                f"{fname}: the output is a Dask array of shape {tuple(o.shape)} in "
                f"{o.npartitions} chunks (data-sized) — reverse mode would seed one cotangent "
                f"per output element, a data-squared seed; use jacfwd (one tangent per input "
                f"element), or reduce the output over the data first")
        node = slots[0][2][0]
        parts = []
        for lo, hi in _chunks(m, chunk_size, fname):
            tr = TaylorTrace(1, (hi - lo,))
            E = _basis(o, lo, hi)
            seed = TaylorBox(_xp(o).zeros_like(o), E.reshape((1,) + E.shape), tr)
            _, leaves = _pull(trace, out, seed)
            ct = leaves.get(node)
            parts.append(_series_of(None if ct is None else ct[0], tr, x.shape))
        J = parts[0] if len(parts) == 1 else _xp(x).concatenate(parts, axis=0)
        return J.reshape(tuple(o.shape) + tuple(x.shape))

    return _both_spellings(fname, fun, argnums, grad_position, has_aux, jac)


# ---------------------------------------------------------------------------------------------
# Laplacians and Hessian diagonals


def _point_basis(x):
    """The d coordinate directions of the last axis, for every point of the leading axes."""
    xp = _xp(x)
    d = x.shape[-1]
    shape = (d,) + tuple(x.shape)
    if backend.is_dask(getval(x)):  # lazy, chunked like the points
        E = np.eye(d, dtype=x.dtype).reshape((d,) + (1,) * (x.ndim - 1) + (d,))
        return backend.broadcast_like(E, shape, getval(x).chunks)
    return xp.broadcast_to(xp.eye(d, dtype=x.dtype).reshape((d,) + (1,) * (x.ndim - 1) + (d,)),
                           shape)


def _laplacian_block(fun, method, block):
    """One chunk of a blockwise Laplacian (a NumPy array of points, on a Dask worker)."""
    return laplacian(fun, method)(block)


def laplacian(fun, method="collapsed", blockwise=None):
    """Return a function giving Δf(x) = Σᵢ ∂²f/∂xᵢ² over the LAST axis of x.

    ``fun`` maps x of shape (..., d) to values of shape (...) pointwise (each output depends on
    its own row only), e.g. a network applied to a batch of points; the result has shape (...).

    Parameters
    ----------
    fun : callable
        Pointwise function from shape ``(..., d)`` to ``(...)``.
    method : {'collapsed', 'stacked', 'nested'}
        'collapsed' (default; collapsed Taylor mode, Dangel et al. 2024: the second-order
        coefficients are summed over directions as they propagate), 'stacked' (order-2 Taylor
        with every direction's coefficients), or 'nested' (diagonal of batched Hessian-vector
        products, i.e. nested first-order AD — the baseline).
    blockwise : None or bool
        For a Dask array x (chunked along the points, each point whole in one chunk): True runs
        the Laplacian chunk by chunk, one task per chunk on the chunk's NumPy array (pointwise,
        so exact; the NumPy fast paths apply inside the task); False builds one Dask task per
        primitive and chunk. None (default): blockwise unless an outer transformation is running
        (the Laplacian inside a loss being differentiated needs the graph). ``fun`` must then not
        close over Dask arrays.

    Returns
    -------
    callable
        ``laplacian(fun)(x)`` is an array of shape ``x.shape[:-1]``.

    Examples
    --------
    Δ‖x‖² = 2d at every point:

    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> u = lambda X: tnp.sum(X ** 2, axis=-1)
    >>> ta.laplacian(u)(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    array([6., 6.])
    >>> ta.laplacian(u, method="nested")(np.array([[1.0, 2.0, 3.0]]))
    array([6.])
    """
    fname = "laplacian"
    if method not in ("collapsed", "stacked", "nested"):
        raise ValueError(f"{fname}: method must be 'collapsed', 'stacked' or 'nested', got "
                         f"{method!r}")

    def lap(x):
        x = _as_input(x, fname, "x")
        if x.ndim == 0:
            raise ValueError(f"{fname}: x must have at least one axis (the coordinates)")
        _whole_last_axis(x, fname)
        v = getval(x)
        if backend.is_dask(v) and v is x and blockwise is not False and \
                (blockwise or not STATE.active):
            # a module-level function and a partial, not a closure: the task is pickled to the
            # workers, and a closure would take this module's globals (the per-thread trace
            # state among them) with it
            return v.map_blocks(functools.partial(_laplacian_block, fun, method),
                                drop_axis=v.ndim - 1, dtype=v.dtype,
                                meta=np.empty((0,) * (v.ndim - 1), v.dtype))
        E = _point_basis(x)
        if method == "collapsed":
            tr = CollapsedTrace(E.shape[0])
            with tr:
                out = _arrays(fun(CollapsedBox(x, E, None, tr)))
            if isinstance(out, CollapsedBox) and out._trace is tr and out._s2 is not None:
                return out._s2 * 2.0
            return _xp(x).zeros_like(getval(out))
        if method == "stacked":
            out, y = _taylor_pass(fun, x, E, 2)
            return _xp(x).zeros_like(getval(out)) if y is None else y.sum(axis=0) * 2.0
        HE = hvp_batch(lambda y: tnp.sum(fun(y)), x, E)  # rows: H·e_i for every point at once
        return (HE * E).sum(axis=(0, x.ndim))

    return lap


def hessian_diag(fun, chunk_size=None):
    """Return a function giving the exact diagonal of the Hessian of scalar ``fun`` (shape of x),
    from batched Hessian-vector products with the coordinate vectors.

    Parameters
    ----------
    fun : callable
        Scalar function of one array.
    chunk_size : int, optional
        Coordinate vectors per pass; None: all at once.

    Returns
    -------
    callable
        ``hessian_diag(fun)(x)`` is an array shaped like ``x``.

    See Also
    --------
    hessian_diag_estimate : the randomized estimate, for when n passes' worth is too much.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> ta.hessian_diag(lambda x: tnp.sum(tnp.exp(x)))(np.array([0.0, 1.0]))
    array([1.        , 2.71828183])
    """
    fname = "hessian_diag"

    def diag(x):
        x = _as_input(x, fname, "x")
        _no_dask_dense(x, fname, "x", "the Hessian-vector products with its unit vectors")
        n = int(np.prod(x.shape))
        parts = []
        for lo, hi in _chunks(n, chunk_size, fname):
            E = _basis(x, lo, hi)
            HE = hvp_batch(fun, x, E).reshape((hi - lo, n))
            pick = (np.arange(hi - lo), np.arange(lo, hi))
            # Dask data inside fun: HE is lazy, picked by vindex (x itself is never Dask here)
            parts.append(HE.vindex[pick] if backend.is_dask(HE) else
                         HE[_xp(x).arange(hi - lo), _xp(x).arange(lo, hi)])
        d = parts[0] if len(parts) == 1 else backend.namespace(*parts).concatenate(parts)
        return d.reshape(x.shape)

    return diag


def _probes(x, n, seed, distribution, fname):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{fname}: the number of samples must be a positive integer, got {n!r}")
    if distribution not in ("rademacher", "normal"):
        raise ValueError(f"{fname}: distribution must be 'rademacher' or 'normal', got "
                         f"{distribution!r}")
    shape = (int(n),) + tuple(x.shape)
    if backend.is_dask(getval(x)):  # drawn lazily on the workers, chunked like x
        rng = backend.namespace(getval(x)).random.default_rng(seed)
        chunks = ((int(n),),) + getval(x).chunks
        V = rng.standard_normal(shape, chunks=chunks) if distribution == "normal" else \
            rng.integers(0, 2, size=shape, chunks=chunks) * 2 - 1
        return V.astype(x.dtype)
    rng = np.random.default_rng(seed)
    V = rng.standard_normal(shape) if distribution == "normal" else \
        rng.choice(np.array([-1.0, 1.0]), size=shape)
    V = V.astype(x.dtype)
    xp = _xp(x)
    return V if xp is np else xp.asarray(V)


def _mean_and_stderr(samples):
    xp = _xp(samples)
    n = samples.shape[0]
    mean = samples.mean(axis=0)
    if n < 2:
        return mean, xp.full_like(mean, xp.nan)
    return mean, samples.std(axis=0, ddof=1) / math.sqrt(n)


def laplacian_estimate(fun, x, n_samples, seed=0, distribution="rademacher"):
    """Randomized Laplacian (Hutchinson): Δf ≈ mean over v of vᵀ·∇²f·v, with E[vvᵀ] = I.

    ``fun`` maps (..., d) to (...) pointwise, as for :func:`laplacian`. The second directional
    derivatives along all sampled v come from ONE order-2 Taylor pass with a direction batch.
    Returns ``(estimate, standard_error)``, each of shape (...).

    Parameters
    ----------
    fun : callable
        Pointwise function from shape ``(..., d)`` to ``(...)``.
    x : array
        The points, shape ``(..., d)``.
    n_samples : int
        Number of random directions (the standard error falls as 1/√n_samples).
    seed : int
        Seed of the random directions (NumPy's default generator).
    distribution : {'rademacher', 'gaussian'}
        Law of the directions' entries.

    Returns
    -------
    estimate, standard_error : arrays of shape ``x.shape[:-1]``

    Examples
    --------
    For ‖x‖² every Rademacher direction gives vᵀ(2I)v = 2d exactly, so the error is 0:

    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> u = lambda X: tnp.sum(X ** 2, axis=-1)
    >>> ta.laplacian_estimate(u, np.array([[1.0, 2.0, 3.0]]), n_samples=16, seed=0)
    (array([6.]), array([0.]))
    """
    fname = "laplacian_estimate"
    x = _as_input(x, fname, "x")
    _whole_last_axis(x, fname)
    V = _probes(x, n_samples, seed, distribution, fname)
    out, y = _taylor_pass(fun, x, V, 2)
    if y is None:
        z = _xp(x).zeros_like(getval(out))
        return z, z
    return _mean_and_stderr(y * 2.0)


def hessian_diag_estimate(fun, x, n_probes, seed=0, distribution="rademacher"):
    """Hutchinson's estimator of diag(∇²f): mean over v of v ⊙ (∇²f·v), one batched HVP pass.

    Returns ``(estimate, standard_error)``, each shaped like x.

    Parameters
    ----------
    fun : callable
        Scalar function of one array.
    x : array
        The point.
    n_probes : int
        Number of random probes v.
    seed : int
        Seed of the probes.
    distribution : {'rademacher', 'gaussian'}
        Law of the probes' entries.

    Returns
    -------
    estimate, standard_error : arrays shaped like ``x``

    Examples
    --------
    f = x₀² + x₁² + x₀x₁ has diag(∇²f) = (2, 2); the off-diagonal 1 makes the noise:

    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> f = lambda x: tnp.sum(x ** 2) + x[0] * x[1]
    >>> est, err = ta.hessian_diag_estimate(f, np.array([1.0, 2.0]), n_probes=8, seed=0)
    >>> est, err.round(3)
    (array([2.5, 2.5]), array([0.327, 0.327]))
    """
    fname = "hessian_diag_estimate"
    x = _as_input(x, fname, "x")
    V = _probes(x, n_probes, seed, distribution, fname)
    return _mean_and_stderr(V * hvp_batch(fun, x, V))


# ---------------------------------------------------------------------------------------------
# mixed partial derivatives from univariate Taylor series (Griewank, Utke & Walther 2000)


def _exponents(n, d, support=None):
    """All j ∈ ℕⁿ with |j| = d (restricted to the variables in ``support``)."""
    import itertools  # noqa: PLC0415

    vars_ = range(n) if support is None else sorted(support)
    out = []
    for combo in itertools.combinations_with_replacement(vars_, d):
        j = [0] * n
        for v in combo:
            j[v] += 1
        out.append(tuple(j))
    return out


def _gbinom(a, k):
    r = 1.0
    for m in range(k):
        r *= (a - m) / (m + 1)
    return r


def _guw_weight(i, j, d):
    """c_ij of GUW eq. (17): ∂^i f = Σ_{|j|=d} c_ij · y_d(j), y_d(j) the normalized d-th
    coefficient of t ↦ f(x + t·j). Zero unless supp(j) ⊆ supp(i)."""
    import itertools  # noqa: PLC0415

    total = 0.0
    for k in itertools.product(*[range(v + 1) for v in i]):
        s = sum(k)
        if s == 0:
            continue
        term = float((-1) ** (d - s)) * (s / d) ** d
        for im, km, jm in zip(i, k, j):
            term *= math.comb(im, km) * _gbinom(d * km / s, jm)
        total += term
    return total


def derivative_tensor(fun, x, order, indices=None):
    """Mixed partial derivatives of order ``order`` of scalar ``fun`` at ``x``.

    The d-th derivatives along the C(n+d−1, d) directions j (``|j| = d``) come from ONE batched
    Taylor pass of order d; the partials follow by the exact interpolation of Griewank, Utke and
    Walther (as ADOL-C's ``tensor_eval``).

    Parameters
    ----------
    fun : callable
        Scalar function of one array.
    x : array
        The point (n elements).
    order : int
        The order d ≥ 1 of the partial derivatives.
    indices : None or sequence of tuples of variable indices
        None: return the full symmetric tensor of shape ``x.shape * order``. Otherwise e.g.
        ``[(0, 0, 1), (1, 2, 2)]`` for ∂³f/∂x₀²∂x₁ and ∂³f/∂x₁∂x₂²; variables index the
        flattened x. Only directions inside the requested variables' span are propagated.

    Returns
    -------
    array
        The full tensor, or one value per requested index tuple.

    Examples
    --------
    f = x₀²x₁ has ∂³f/∂x₀²∂x₁ = 2 and every other third partial 0:

    >>> import numpy as np, taylorad as ta
    >>> f = lambda x: x[0] ** 2 * x[1]
    >>> ta.derivative_tensor(f, np.array([1.0, 2.0]), 3, indices=[(0, 0, 1)])
    array([2.])
    >>> ta.derivative_tensor(f, np.array([1.0, 2.0]), 3).round(12)
    array([[[0., 2.],
            [2., 0.]],
    <BLANKLINE>
           [[2., 0.],
            [0., 0.]]])
    """
    fname = "derivative_tensor"

    d = _check_order(order, fname)
    x = _as_input(x, fname, "x")
    _no_dask_dense(x, fname, "x", "the derivative tensor")
    n = int(np.prod(x.shape))
    if indices is None:
        wanted = _exponents(n, d)
    else:
        wanted = []
        for idx in indices:
            idx = tuple(int(v) for v in idx)
            if len(idx) != d or any(not 0 <= v < n for v in idx):
                raise ValueError(f"{fname}: each index must be a tuple of {d} variable numbers "
                                 f"in 0..{n - 1} (order {d}), got {idx!r}")
            e = [0] * n
            for v in idx:
                e[v] += 1
            wanted.append(tuple(e))
    supports = {frozenset(v for v in range(n) if i[v]) for i in wanted}
    dirs = sorted({j for s in supports for j in _exponents(n, d, s)})
    pos = {j: k for k, j in enumerate(dirs)}
    xp = _xp(x)
    V = xp.asarray(np.array(dirs, dtype=np.dtype(x.dtype)).reshape((len(dirs),) + tuple(x.shape)))
    out, yd = _taylor_pass(fun, x, V, d)
    _scalar_check(fname)(out)
    if yd is None:
        yd = xp.zeros(len(dirs), dtype=x.dtype)
    W = np.zeros((len(wanted), len(dirs)))
    for r, i in enumerate(wanted):
        supp = [v for v in range(n) if i[v]]
        for j in _exponents(n, d, supp):
            W[r, pos[j]] = _guw_weight(i, j, d)
    vals = xp.asarray(W.astype(np.dtype(x.dtype))) @ yd
    if indices is not None:
        return vals
    import itertools  # noqa: PLC0415

    T = xp.zeros((n,) * d, dtype=x.dtype)
    for r, i in enumerate(wanted):
        base = tuple(v for v in range(n) for _ in range(i[v]))
        for perm in set(itertools.permutations(base)):
            T[perm] = vals[r]
    return T.reshape(tuple(x.shape) * d)
