"""The comparison workloads of issue 6, for taylorad and its peers, with float64 references.

Shared by ``bench_peers.py`` (asv) and ``asv_bench/compare.py`` (one process per cell).

A *row* is one (workload, size). ``make(row, framework)`` returns ``(fn, block)``: ``fn()`` runs
the timed computation once and returns its result, ``block(result)`` waits for asynchronous
backends (jax). ``to_numpy(result)`` converts it and ``reference(row)`` gives the float64
reference it is checked against: closed forms, hand-written NumPy derivatives (backpropagation,
a forward Laplacian), complex-step differentiation of those, or mpmath at 30 digits — never any
framework's own output.

A framework (or an API of it) that is not there raises ``Missing``; ``bench_peers.py`` turns it
into asv's skip, ``compare.py`` into "n/a (missing: …)".
"""
import functools
import importlib
import math

import numpy as np

from . import common as c

FRAMEWORKS = ("taylorad", "taylorad.jit", "jax", "jax.jit", "torch.func", "torch.autograd",
              "autograd")
OURS = ("taylorad", "taylorad.jit")  # eager, and capture-and-replay (ta.jit)
JIT = ("jax.jit",)


class Missing(Exception):
    """The framework, or an API a workload needs, is not installed / not written yet."""


class Row:
    def __init__(self, key, label, kind, rtol=1e-7, **params):
        self.key, self.label, self.kind, self.rtol, self.params = key, label, kind, rtol, params

    def __repr__(self):
        return f"Row({self.key})"


MLP_WIDTHS = (64, 256, 256, 256, 1)
LAP_WIDTHS = (16, 128, 128, 128, 1)


def rows(quick=False):
    """The rows of the comparison table; ``quick``: tiny sizes that run in a few seconds."""
    mlp = dict(widths=(8, 16, 16, 16, 1), batch=8) if quick else dict(widths=MLP_WIDTHS,
                                                                     batch=512)
    nw = f"{c.mlp_nparams(mlp['widths']):,} weights, batch {mlp['batch']}"
    out = [Row("mlp_grad", f"MLP grad ({nw})", "mlp_grad", **mlp),
           Row("mlp_hvp", f"MLP HVP ({nw})", "mlp_hvp", **mlp)]
    for n in ((6,) if quick else (100, 500)):
        out.append(Row(f"hessian_{n}", f"Hessian n={n}", "hessian", n=n))
    for n in ((50,) if quick else (10 ** 6, 10 ** 4)):
        for K in ((2, 4) if quick else (2, 4, 8)):
            out.append(Row(f"derivs_K{K}_n{n}", f"order-{K} derivs, n={n:.0e}".replace("e+0", "e"),
                           "derivs", rtol=1e-6, n=n, K=K))
    out += [Row("tiny_grad", "tiny grad (3 inputs)", "tiny_grad"),
            Row("tiny_hvp", "tiny HVP (3 inputs)", "tiny_hvp"),
            Row("sin4", "4th derivative of sin", "sin4")]
    lap = dict(widths=(4, 8, 8, 8, 1), npoints=5) if quick else dict(widths=LAP_WIDTHS,
                                                                    npoints=1024)
    out.append(Row("laplacian", f"Laplacian MLP d={lap['widths'][0]}, {lap['npoints']} pts",
                   "laplacian", **lap))
    n = 10 if quick else 10 ** 4
    out.append(Row("rosen", f"trust-ncg ext. Rosenbrock n={n:.0e}".replace("e+0", "e"),
                   "rosen", rtol=1e-6, n=n))
    return out


def find_row(key, quick=False):
    for r in rows(quick):
        if r.key == key:
            return r
    raise KeyError(f"no row {key!r}; rows: {[r.key for r in rows(quick)]}")


# ---------------------------------------------------------------------------------------------
# frameworks


def _noblock(res):
    return res


@functools.lru_cache(maxsize=None)
def framework(name):
    """A small namespace for a framework: module handles, array conversion and ``block``."""
    try:
        if name in OURS:
            ta = importlib.import_module("taylorad")
            if name == "taylorad.jit" and not hasattr(ta, "jit"):
                raise Missing("taylorad.jit")
            return dict(ta=ta, m=importlib.import_module("taylorad.numpy"), arr=np.asarray,
                        block=_noblock, wrap=ta.jit if name == "taylorad.jit" else (lambda f: f))
        if name in ("jax", "jax.jit"):
            jax = importlib.import_module("jax")
            jax.config.update("jax_enable_x64", True)
            jnp = importlib.import_module("jax.numpy")
            jet = importlib.import_module("jax.experimental.jet").jet
            return dict(jax=jax, m=jnp, jet=jet, arr=jnp.asarray, block=jax.block_until_ready,
                        wrap=jax.jit if name == "jax.jit" else (lambda f: f))
        if name in ("torch.func", "torch.autograd"):
            torch = importlib.import_module("torch")
            importlib.import_module("torch.func")
            return dict(torch=torch, m=torch, arr=lambda a: torch.as_tensor(
                np.asarray(a, dtype=np.float64)), block=_noblock)
        if name == "autograd":
            ag = importlib.import_module("autograd")
            return dict(ag=ag, m=importlib.import_module("autograd.numpy"), arr=np.asarray,
                        block=_noblock)
    except ImportError as e:
        raise Missing(f"{name} is not installed ({e})") from None
    raise ValueError(f"unknown framework {name!r}; known: {', '.join(FRAMEWORKS)}")


def to_numpy(res):
    if hasattr(res, "detach"):
        res = res.detach().numpy()
    return np.asarray(res, dtype=np.float64)


def _need(obj, name, what):
    if not hasattr(obj, name):
        raise Missing(what)
    return getattr(obj, name)


# ---------------------------------------------------------------------------------------------
# one builder per workload kind: make_<kind>(row, fw_name, F) -> fn


def _torch_grad(torch, f, x, create_graph=False):
    x = x.detach().requires_grad_(True)
    return torch.autograd.grad(f(x), x, create_graph=create_graph)[0]


def _torch_hvp(torch, f, x, v):
    x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    return torch.autograd.grad(torch.sum(g * v), x)[0]


def _grad_hvp(row, name, F, f, x, v, which):
    """grad or HVP of scalar f at x along v, each framework's idiomatic way."""
    if name in OURS:
        ta = F["ta"]
        if which == "grad":
            g = F["wrap"](ta.grad(f))
            return lambda: g(x)
        h = F["wrap"](lambda x, v: ta.hvp(f, x, v))
        return lambda: h(x, v)
    if name.startswith("jax"):
        jax = F["jax"]
        if which == "grad":
            g = F["wrap"](jax.grad(f))
            return lambda: g(x)
        h = F["wrap"](lambda x, v: jax.jvp(jax.grad(f), (x,), (v,))[1])
        return lambda: h(x, v)
    if name == "torch.func":
        tf = F["torch"].func
        if which == "grad":
            return lambda: tf.grad(f)(x)
        return lambda: tf.jvp(tf.grad(f), (x,), (v,))[1]
    if name == "torch.autograd":
        torch = F["torch"]
        if which == "grad":
            return lambda: _torch_grad(torch, f, x)
        return lambda: _torch_hvp(torch, f, x, v)
    ag = F["ag"]
    if which == "grad":
        return lambda: ag.grad(f)(x)
    return lambda: ag.hessian_vector_product(f)(x, v)


def make_mlp(row, name, F, which):
    theta, X, y, v = (F["arr"](a) for a in c.mlp_data(row.params["widths"], row.params["batch"]))
    m, widths = F["m"], row.params["widths"]
    return _grad_hvp(row, name, F, lambda th: c.mlp_loss(m, th, X, y, widths), theta, v, which)


def make_tiny(row, name, F, which):
    m = F["m"]
    return _grad_hvp(row, name, F, lambda x: c.tiny(m, x), F["arr"](c.TINY_X),
                     F["arr"](c.TINY_V), which)


def make_hessian(row, name, F):
    A, x = (F["arr"](a) for a in c.hessian_data(row.params["n"]))
    m = F["m"]

    def f(x):
        return c.hess_fun(m, A, x)

    if name in OURS:
        h = F["wrap"](_need(F["ta"], "hessian", "taylorad.hessian")(f))
        return lambda: h(x)
    if name.startswith("jax"):
        h = F["wrap"](F["jax"].hessian(f))
        return lambda: h(x)
    if name == "torch.func":
        return lambda: F["torch"].func.hessian(f)(x)
    if name == "torch.autograd":
        return lambda: F["torch"].autograd.functional.hessian(f, x)
    return lambda: F["ag"].hessian(f)(x)


def make_derivs(row, name, F):
    """The K-th derivative d^K/dt^K f(x + t v) at t = 0, elementwise (all orders where one pass
    gives them; the K-th is what is checked)."""
    n, K = row.params["n"], row.params["K"]
    x, v = (F["arr"](a) for a in c.chain_data(n))
    m = F["m"]

    def f(x):
        return c.chain(m, x)

    if name in OURS:
        _need(m, "log1p", "taylorad.numpy.log1p")
        ta = F["ta"]
        d = F["wrap"](lambda x, v: ta.derivatives(f, x, v, K)[K])
        return lambda: d(x, v)
    if name.startswith("jax"):
        jnp, jet = F["m"], F["jet"]
        zeros = jnp.zeros_like(v)
        run = F["wrap"](lambda x, v: jet(f, (x,), ([v] + [zeros] * (K - 1),))[1][K - 1])
        return lambda: run(x, v)
    if name == "torch.func":  # nested forward mode: K levels of jvp
        tf = F["torch"].func
        g = f
        for _ in range(K):
            g = (lambda h: lambda x: tf.jvp(h, (x,), (v,))[1])(g)
        return lambda: g(x)
    vK = v ** K  # elementwise f: d^K/dt^K f(x + t v) = f^(K)(x)·v^K; nested reverse mode
    if name == "torch.autograd":
        torch = F["torch"]

        def run():
            xr = x.detach().requires_grad_(True)
            y = f(xr)
            for k in range(K):
                (y,) = torch.autograd.grad(y.sum(), xr, create_graph=k < K - 1)
            return y * vK
        return run
    g = f
    for _ in range(K):
        g = F["ag"].elementwise_grad(g)
    return lambda: g(x) * vK


def make_sin4(row, name, F):
    m = F["m"]
    if name in OURS:
        ta = F["ta"]
        x0, v = np.float64(0.7), np.float64(1.0)  # the direction is part of the workload
        d = F["wrap"](lambda x0: ta.derivatives(m.sin, x0, v, 4)[4])
        return lambda: d(x0)
    x = F["arr"](0.7)
    if name.startswith("jax"):
        g = m.sin
        for _ in range(4):
            g = F["jax"].grad(g)
        g = F["wrap"](g)
        return lambda: g(x)
    if name == "torch.func":
        g = m.sin
        for _ in range(4):
            g = F["torch"].func.grad(g)
        return lambda: g(x)
    if name == "torch.autograd":
        torch = F["torch"]

        def run():
            xr = x.detach().requires_grad_(True)
            y = torch.sin(xr)
            for k in range(4):
                (y,) = torch.autograd.grad(y, xr, create_graph=k < 3)
            return y
        return run
    g = m.sin
    for _ in range(4):
        g = F["ag"].grad(g)
    return lambda: g(0.7)


def make_laplacian(row, name, F):
    """Δu at each point, u a tanh MLP R^d -> R; X of shape (npoints, d); result (npoints,)."""
    params, X = c.laplacian_data(row.params["widths"], row.params["npoints"])
    params = [(F["arr"](W), F["arr"](b)) for W, b in params]
    X = F["arr"](X)
    m = F["m"]
    d = row.params["widths"][0]

    def u_rows(X):  # (N, d) -> (N,), each output depends on its own row only
        return c.mlp_forward(m, params, X)

    def u_point(x):  # (d,) -> ()
        return c.mlp_forward(m, params, m.reshape(x, (1, d)))[0]

    if name in OURS:
        # contract expected from taylorad.laplacian: laplacian(f)(X) for f mapping the rows of
        # X (N, d) independently to N outputs gives the N per-point Laplacians
        lap = F["wrap"](_need(F["ta"], "laplacian", "taylorad.laplacian")(u_rows))
        return lambda: lap(X)
    if name.startswith("jax"):
        jax, jnp = F["jax"], F["m"]
        lap = F["wrap"](jax.vmap(lambda x: jnp.trace(jax.hessian(u_point)(x))))
        return lambda: lap(X)
    if name == "torch.func":
        torch = F["torch"]
        tf = torch.func
        lap = tf.vmap(lambda x: torch.trace(tf.hessian(u_point)(x)))
        return lambda: lap(X)
    if name == "torch.autograd":  # one double-backward per input dimension
        torch = F["torch"]

        def run():
            Xr = X.detach().requires_grad_(True)
            (G,) = torch.autograd.grad(u_rows(Xr).sum(), Xr, create_graph=True)
            out = 0.0
            for j in range(d):
                (Hj,) = torch.autograd.grad(G[:, j].sum(), Xr, retain_graph=j < d - 1)
                out = out + Hj[:, j]
            return out
        return run
    ag = F["ag"]
    G = ag.grad(lambda X: m.sum(u_rows(X)))
    cols = [ag.grad(lambda X, j=j: m.sum(G(X)[:, j])) for j in range(d)]
    return lambda: sum(cj(X)[:, j] for j, cj in enumerate(cols))


def make_rosen(row, name, F):
    """scipy trust-ncg; the value in NumPy (the same for everyone), jac and hessp by AD."""
    from scipy.optimize import minimize  # noqa: PLC0415

    n = row.params["n"]
    x0 = c.rosen_x0(n)
    m = F["m"]

    def f(x):
        return c.rosen_ext(m, x)

    arr = F["arr"]
    if name in OURS:
        ta = F["ta"]
        jac, hessp = F["wrap"](ta.grad(f)), F["wrap"](lambda x, p: ta.hvp(f, x, p))
    elif name.startswith("jax"):
        jax = F["jax"]
        g = F["wrap"](jax.grad(f))
        h = F["wrap"](lambda x, p: jax.jvp(jax.grad(f), (x,), (p,))[1])
        jac = lambda x: np.asarray(g(x))  # noqa: E731
        hessp = lambda x, p: np.asarray(h(x, p))  # noqa: E731
    elif name == "torch.func":
        tf = F["torch"].func
        jac = lambda x: tf.grad(f)(arr(x)).numpy()  # noqa: E731
        hessp = lambda x, p: tf.jvp(tf.grad(f), (arr(x),), (arr(p),))[1].numpy()  # noqa: E731
    elif name == "torch.autograd":
        torch = F["torch"]
        jac = lambda x: _torch_grad(torch, f, arr(x)).numpy()  # noqa: E731
        hessp = lambda x, p: _torch_hvp(torch, f, arr(x), arr(p)).numpy()  # noqa: E731
    else:
        ag = F["ag"]
        jac, hessp = ag.grad(f), ag.hessian_vector_product(f)

    def run():
        res = minimize(lambda x: float(c.rosen_ext(np, x)), x0, method="trust-ncg", jac=jac,
                       hessp=hessp, options={"gtol": 1e-8, "maxiter": 200})
        return res.x
    return run


_MAKERS = {
    "mlp_grad": lambda r, n, F: make_mlp(r, n, F, "grad"),
    "mlp_hvp": lambda r, n, F: make_mlp(r, n, F, "hvp"),
    "tiny_grad": lambda r, n, F: make_tiny(r, n, F, "grad"),
    "tiny_hvp": lambda r, n, F: make_tiny(r, n, F, "hvp"),
    "hessian": make_hessian,
    "derivs": make_derivs,
    "sin4": make_sin4,
    "laplacian": make_laplacian,
    "rosen": make_rosen,
}


def make(row, name, one_thread=True):
    """``(fn, block)`` for ``row`` in framework ``name``; raises ``Missing``."""
    F = framework(name)
    if name.startswith("torch") and one_thread:
        F["torch"].set_num_threads(1)
    return _MAKERS[row.kind](row, name, F), F["block"]


# ---------------------------------------------------------------------------------------------
# float64 references, independent of every framework


def _np_mlp_grad(theta, X, y, widths):
    """Backpropagation by hand (complex-safe: no conjugation, so complex-step works on it)."""
    layers = c.mlp_unflatten(np, theta, widths)
    acts = [X]
    for W, b in layers[:-1]:
        acts.append(np.tanh(acts[-1] @ W + b))
    W, b = layers[-1]
    r = (acts[-1] @ W + b)[:, 0] - y
    dz = (2.0 / y.size) * r[:, None]
    grads = []
    for li in range(len(layers) - 1, -1, -1):
        W, _ = layers[li]
        a = acts[li]
        grads.append((a.T @ dz).ravel())
        grads.append(dz.sum(axis=0))
        if li:
            dz = (dz @ W.T) * (1.0 - a * a)
    out = []
    for li in range(len(layers)):  # back to (W1, b1, W2, b2, …) order
        out += [grads[2 * (len(layers) - 1 - li)], grads[2 * (len(layers) - 1 - li) + 1]]
    return np.concatenate(out)


def _complex_step(gradfun, x, v, h=1e-30):
    """H·v = Im ∇f(x + i h v) / h, exact to rounding for an analytic, conjugation-free ∇f."""
    return gradfun(x + 1j * h * v).imag / h


def _tiny_grad(x):
    x0, x1, x2 = x
    e = np.exp(x1 * x2)
    return np.array([x1 + 2 * x0 * np.sin(x2), x0 + x2 * e, x0 ** 2 * np.cos(x2) + x1 * e])


def _tiny_hess(x):
    x0, x1, x2 = x
    e = np.exp(x1 * x2)
    return np.array([[2 * np.sin(x2), 1.0, 2 * x0 * np.cos(x2)],
                     [1.0, x2 * x2 * e, e + x1 * x2 * e],
                     [2 * x0 * np.cos(x2), e + x1 * x2 * e, -x0 ** 2 * np.sin(x2) + x1 * x1 * e]])


def _hess_closed(A, x):
    """∇²[Σ tanh(Ax)² + x·x/2] = Aᵀ diag(2s² − 4t²s) A + I with t = tanh(Ax), s = 1 − t²."""
    t = np.tanh(A @ x)
    s = 1.0 - t * t
    return A.T @ ((2 * s * s - 4 * t * t * s)[:, None] * A) + np.eye(x.size)


DERIV_SAMPLE = 16  # elements checked against mpmath


def _derivs_mpmath(x, v, K, idx):
    import mpmath  # noqa: PLC0415

    out = []
    with mpmath.workdps(30):
        for i in idx:
            xi, vi = mpmath.mpf(float(x[i])), mpmath.mpf(float(v[i]))

            def g(t, xi=xi, vi=vi):
                z = xi + t * vi
                return mpmath.sin(mpmath.exp(mpmath.tanh(z)) * z) + mpmath.log1p(z * z)

            out.append(float(mpmath.diff(g, 0, K)))
    return np.array(out)


def _forward_laplacian(params, X):
    """Hand-written collapsed forward Laplacian: propagate (a, ∂a/∂x, Δa) layer by layer."""
    N, d = X.shape
    a, J, L = X, np.broadcast_to(np.eye(d), (N, d, d)), np.zeros((N, d))  # J[n, i, j] = ∂a_i/∂x_j
    for W, b in params[:-1]:
        z, Jz, Lz = a @ W + b, np.einsum("nij,ik->nkj", J, W), L @ W
        t = np.tanh(z)
        d1, d2 = 1.0 - t * t, -2.0 * t * (1.0 - t * t)
        a, J, L = t, d1[:, :, None] * Jz, d1 * Lz + d2 * np.einsum("nkj,nkj->nk", Jz, Jz)
    W, _ = params[-1]
    return (L @ W)[:, 0]


def reference(row):
    """``(ref, idx)``: float64 reference values and the indices of the result they stand for
    (``None``: the whole result)."""
    p = row.params
    if row.kind in ("mlp_grad", "mlp_hvp"):
        theta, X, y, v = c.mlp_data(p["widths"], p["batch"])

        def g(th):
            return _np_mlp_grad(th, X, y, p["widths"])

        if row.kind == "mlp_grad":
            return g(theta), None
        return _complex_step(g, theta, v), None
    if row.kind == "tiny_grad":
        return _tiny_grad(c.TINY_X), None
    if row.kind == "tiny_hvp":
        return _tiny_hess(c.TINY_X) @ c.TINY_V, None
    if row.kind == "hessian":
        return _hess_closed(*c.hessian_data(p["n"])), None
    if row.kind == "derivs":
        x, v = c.chain_data(p["n"])
        idx = np.linspace(0, p["n"] - 1, min(DERIV_SAMPLE, p["n"])).astype(int)
        return _derivs_mpmath(x, v, p["K"], idx), idx
    if row.kind == "sin4":
        return np.array(math.sin(0.7)), None
    if row.kind == "laplacian":
        return _forward_laplacian(*c.laplacian_data(p["widths"], p["npoints"])), None
    if row.kind == "rosen":
        return np.ones(p["n"]), None
    raise ValueError(row.kind)


def check(row, result, ref, idx=None):
    """Relative error max|r − ref| / max|ref| (max(…, 1) for the optimizer's solution)."""
    r = to_numpy(result)
    if idx is not None:
        r = r.reshape(-1)[idx]
    if r.shape != ref.shape:
        return float("inf"), f"shape {r.shape} != reference shape {ref.shape}"
    scale = np.max(np.abs(ref)) if ref.size else 1.0
    if row.kind == "rosen":
        scale = max(scale, 1.0)
    err = float(np.max(np.abs(r - ref)) / scale) if ref.size else 0.0
    if not np.isfinite(err):
        return float("inf"), "non-finite result"
    return err, None
