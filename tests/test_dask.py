"""Dask arrays on a real dask.distributed cluster: every transform against the same computation
on the NumPy arrays, the optimizers' one pass per evaluation, no client-side data, bad input.

One ``LocalCluster`` of 2 single-threaded worker *processes* per module (small data: CI has 2
cores). References are the NumPy computations of the same transform (which the rest of the suite
checks against closed forms, mpmath and finite differences) and, for the logistic loss, the
closed forms g = Xᵀ(σ(Xw) − y)/n and H = Xᵀ diag(σ(1−σ)) X / n.

"No client-side data" is checked twice: dask.distributed's "Sending large graph" warning is an
error here, and — because the test data is far below that warning's 10 MB — every result's task
graph is scanned for embedded NumPy arrays as large as the data (``_assert_no_data_in_graph``).
"""
import warnings

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

import taylorad as ta  # noqa: E402
import taylorad.numpy as tnp  # noqa: E402
import taylorad.optimize as topt  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error:.*Sending large graph.*")

N, P, CH = 2000, 4, 500  # rows, columns, rows per chunk (4 chunks)
RTOL = 1e-12


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()
    del c, cluster
    import gc

    for _ in range(3):  # the client's and cluster's asyncio objects sit in reference cycles
        gc.collect()    # whose finalizers make more: collect them here, not in a later test


@pytest.fixture(scope="module")
def data(client):
    """X (N×P) and y, generated lazily on the workers and persisted there; their NumPy copies."""
    rng = da.random.default_rng(0)
    X = rng.normal(size=(N, P), chunks=(CH, P))
    w_true = np.array([1.0, -2.0, 0.5, 0.25])
    y = (X @ w_true + rng.logistic(size=N, chunks=CH) > 0).astype(np.float64)
    X, y = client.persist([X, y])
    Xn, yn = dask.compute(X, y)
    return X, y, Xn, yn


def nll(w, X, y):
    z = X @ w
    return tnp.mean(tnp.logaddexp(0.0, z) - y * z) + 0.5e-2 * w @ w


W = np.array([0.3, -0.2, 0.1, 0.05])
V = np.array([1.0, 0.5, -1.0, 2.0])


def _walk(o, found, limit, depth=0):
    if isinstance(o, np.ndarray):
        if o.size >= limit:
            found.append(o.shape)
        return
    if depth > 8:
        return
    if isinstance(o, dict):
        for e in o.values():
            _walk(e, found, limit, depth + 1)
    elif isinstance(o, (tuple, list, set, frozenset)):
        for e in o:
            _walk(e, found, limit, depth + 1)
    else:
        for attr in ("args", "value"):
            sub = getattr(o, attr, None)
            if isinstance(sub, (tuple, list, np.ndarray)):
                _walk(sub, found, limit, depth + 1)
        kw = getattr(o, "kwargs", None)
        if isinstance(kw, dict):
            _walk(kw, found, limit, depth + 1)


def _assert_no_data_in_graph(*results, limit=N // 2):
    """No NumPy array with >= ``limit`` elements (a data chunk's worth) inside the graphs."""
    found = []
    for r in results:
        if isinstance(r, da.Array):
            persisted = set()  # the persisted chunks of X and y are data the workers hold
            for k, v in dict(r.__dask_graph__()).items():
                if type(v).__name__ == "Future" or k in persisted:
                    continue
                _walk(v, found, limit)
    assert not found, f"data-sized NumPy arrays embedded in the task graph: {found}"


def _close(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    assert a.shape == b.shape
    scale = max(np.max(np.abs(b)), 1e-300)
    assert np.max(np.abs(a - b)) <= RTOL * scale, (a, b)


def _check(lazy, reference):
    """A lazy Dask result: no data in its graph, and equal to the NumPy reference."""
    leaves = ta.core.tree.tree_flatten(lazy)[0] if isinstance(lazy, (tuple, list, dict)) \
        else [lazy]
    refs = ta.core.tree.tree_flatten(reference)[0] if isinstance(reference, (tuple, list, dict)) \
        else [reference]
    assert any(isinstance(x, da.Array) for x in leaves), "a Dask input gave no Dask result"
    _assert_no_data_in_graph(*leaves)
    for x, r in zip(leaves, refs, strict=True):
        _close(dask.compute(x)[0] if isinstance(x, da.Array) else x, r)


# ---------------------------------------------------------------------------------------------
# the transforms: Dask data vs the same computation on NumPy


def test_value_and_grad_and_grad_match_numpy_and_closed_form(data):
    X, y, Xn, yn = data
    f, g = ta.value_and_grad(nll)(W, X, y)
    fn, gn = ta.value_and_grad(nll)(W, Xn, yn)
    s = 1 / (1 + np.exp(-Xn @ W))
    _close(gn, Xn.T @ (s - yn) / N + 1e-2 * W)  # the reference itself, in closed form
    _check((f, g), (fn, gn))
    _check(ta.grad(nll, argnums=(0, 2))(W, X, y), ta.grad(nll, argnums=(0, 2))(W, Xn, yn))


def test_hvp_hessian_hessian_diag_match_closed_form(data):
    X, y, Xn, yn = data
    s = 1 / (1 + np.exp(-Xn @ W))
    H = Xn.T @ ((s * (1 - s))[:, None] * Xn) / N + 1e-2 * np.eye(P)
    _check(ta.hessian(nll)(W, X, y), H)
    _check(ta.hvp(lambda w: nll(w, X, y), W, V), H @ V)
    _check(ta.toolbox.hvp_batch(lambda w: nll(w, X, y), W, np.eye(P)[:2]), H[:2])
    _check(ta.toolbox.hessian_diag(lambda w: nll(w, X, y))(W), np.diag(H))
    _check(ta.hessian_diag_estimate(lambda w: nll(w, X, y), W, 3, seed=1),
           ta.hessian_diag_estimate(lambda w: nll(w, Xn, yn), W, 3, seed=1))


def test_vjp_jvp_jacobians_of_data_sized_outputs(data):
    X, y, Xn, yn = data

    def rows(w, X):
        return tnp.tanh(X @ w)  # one value per row: a data-sized Dask output

    out, pull = ta.vjp(lambda w: rows(w, X), W)
    outn, pulln = ta.vjp(lambda w: rows(w, Xn), W)
    _check(out, outn)
    ct = da.ones(N, chunks=CH) * 0.5
    _check(pull(ct), pulln(np.full(N, 0.5)))
    _check(ta.jvp(lambda w: rows(w, X), (W,), (V,)), ta.jvp(lambda w: rows(w, Xn), (W,), (V,)))
    _check(ta.jacfwd(rows)(W, X), ta.jacfwd(rows)(W, Xn))  # (N, P): forward over P directions

    def feats(w, X):
        return X.T @ tnp.tanh(X @ w)  # reduced over the rows: P outputs
    _check(ta.jacrev(feats)(W, X), ta.jacrev(feats)(W, Xn))


def test_derivatives_and_jet_along_a_direction(data):
    X, y, Xn, yn = data
    _check(ta.derivatives(lambda w: nll(w, X, y), W, V, 3),
           ta.derivatives(lambda w: nll(w, Xn, yn), W, V, 3))
    idx = [(0, 1, 2), (3, 3, 3)]
    _check(ta.derivative_tensor(lambda w: nll(w, X, y), W, 3, indices=idx),
           ta.derivative_tensor(lambda w: nll(w, Xn, yn), W, 3, indices=idx))
    series = [V, 0.5 * V]
    _check(ta.jet(lambda w: nll(w, X, y), (W,), (series,)),
           ta.jet(lambda w: nll(w, Xn, yn), (W,), (series,)))


def u(x):
    """A small network of points (..., 2) -> (...), applied pointwise."""
    A = np.array([[0.7, -0.4, 0.2], [0.3, 0.9, -0.5]])
    return tnp.sum(tnp.tanh(x @ A + np.array([0.1, -0.2, 0.3])) * np.array([1.0, -0.5, 0.8]),
                   axis=-1) + tnp.sin(x[..., 0]) * x[..., 1] ** 2


@pytest.fixture(scope="module")
def points(client):
    pts = da.random.default_rng(1).uniform(-1, 1, size=(1200, 2), chunks=(300, 2))
    (pts,) = client.persist([pts])
    return pts, pts.compute()


@pytest.mark.parametrize("method, blockwise", [("collapsed", None), ("collapsed", False),
                                               ("stacked", False), ("nested", False)])
def test_laplacian_of_points_chunked_along_the_points(points, method, blockwise):
    pts, pn = points
    lap = ta.laplacian(u, method=method, blockwise=blockwise)(pts)
    assert lap.chunks == (pts.chunks[0],)  # stays chunked like the points
    _check(lap, ta.laplacian(u, method=method)(pn))


def test_pinn_loss_gradient_through_a_dask_laplacian(points):
    """Inside a transformation the Laplacian runs as a graph: d/da mean((Δu_a)²) on Dask."""
    pts, pn = points

    def loss(a, P):
        lap = ta.laplacian(lambda q: tnp.sum(tnp.tanh(q * a), axis=-1))(P)
        return tnp.mean(lap * lap)

    a = np.array([0.7, -1.3])
    _check(ta.value_and_grad(loss)(a, pts), ta.value_and_grad(loss)(a, pn))


def test_estimators_on_dask_points_match_their_numpy_probes(points):
    pts, pn = points
    est, err = ta.laplacian_estimate(u, pts, 6, seed=3)
    V = ta.toolbox._probes(pts, 6, 3, "rademacher", "t").compute()  # the same lazy probes
    # reference: mean over the probes of vᵀ·∇²u·v per point, from the exact per-point Hessian
    Hs = np.stack([ta.hessian(lambda q: u(q))(p) for p in pn[:40]])
    q = np.einsum("spi,pij,spj->sp", V[:, :40], Hs, V[:, :40])
    assert est.chunks == (pts.chunks[0],)
    e, s = dask.compute(est, err)
    np.testing.assert_allclose(e[:40], q.mean(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s[:40], q.std(axis=0, ddof=1) / np.sqrt(6), rtol=1e-10,
                               atol=1e-12)


# ---------------------------------------------------------------------------------------------
# optimizers: one pass (one dask.compute, one graph on the scheduler) per evaluation


class _Graphs:
    def __init__(self, client):
        from distributed.diagnostics.plugin import SchedulerPlugin

        class Counter(SchedulerPlugin):
            name = "test-graph-counter"

            def __init__(self):
                self.n = 0

            def update_graph(self, scheduler, **kw):
                self.n += 1

        self.client = client
        client.register_plugin(Counter())

    def __call__(self):
        return self.client.run_on_scheduler(
            lambda dask_scheduler: dask_scheduler.plugins["test-graph-counter"].n)


@pytest.fixture(scope="module")
def graphs(client):
    return _Graphs(client)


@pytest.mark.parametrize("method", ["newton-exact", "trust-ncg"])
def test_minimize_one_pass_per_evaluation(data, graphs, method):
    X, y, Xn, yn = data
    before = graphs()
    r = topt.minimize(nll, np.zeros(P), args=(X, y), method=method, options={"gtol": 1e-10})
    sent = graphs() - before
    rn = topt.minimize(nll, np.zeros(P), args=(Xn, yn), method=method, options={"gtol": 1e-10})
    assert r.success and rn.success
    np.testing.assert_allclose(r.x, rn.x, rtol=0, atol=1e-10)
    assert isinstance(r.x, np.ndarray) and isinstance(r.jac, np.ndarray)  # on the client
    # every evaluation is one graph: passes = graphs the scheduler received
    assert r.npass == sent
    evals = max(r.nfev, r.njev) + (r.nhev if method == "trust-ncg" else 0)
    assert r.npass <= evals, (r.npass, r.nfev, r.njev, r.nhev)
    assert r.pass_time > 0


def test_minimize_disp_shows_passes_and_time_per_pass(data, capsys):
    X, y, _, _ = data
    topt.minimize(nll, np.zeros(P), args=(X, y), method="newton-exact",
                  options={"disp": True, "maxiter": 2})
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[-2:] == ["passes", "s/pass"]
    assert float(out[1].split()[-1]) > 0


def test_scipy_callables_one_pass_per_point(data, graphs):
    import scipy.optimize as so

    X, y, Xn, yn = data
    before = graphs()
    cb = topt.scipy_callables(nll, "l-bfgs-b", args=(X, y))
    r = so.minimize(x0=np.zeros(P), method="L-BFGS-B", options={"gtol": 1e-10}, **cb)
    assert graphs() - before == r.nfev  # f and g from one graph per point
    rn = so.minimize(x0=np.zeros(P), method="L-BFGS-B", options={"gtol": 1e-10},
                     **topt.scipy_callables(nll, "l-bfgs-b", args=(Xn, yn)))
    np.testing.assert_allclose(r.x, rn.x, atol=1e-8)


# ---------------------------------------------------------------------------------------------
# no client-side data; fast paths never see Dask arrays; bad input


def test_large_graph_warning_is_an_error_here(client):
    big = da.from_array(np.ones(2_000_000), chunks=500_000)  # 15 MiB embedded in the graph
    with pytest.raises(UserWarning, match="Sending large graph"):
        big.sum().compute()


def test_no_data_sized_numpy_reaches_dask_or_the_fast_paths(data, monkeypatch):
    from taylorad.core import buffers
    from taylorad.cpu import dispatch

    X, y, _, _ = data
    seen = []
    real = dispatch._layout

    def spy(K, ans, primals, series):
        seen.extend(type(v).__module__ for v in [ans, *primals, *series] if v is not None)
        return real(K, ans, primals, series)

    monkeypatch.setattr(dispatch, "_layout", spy)
    real_empty = buffers.empty
    monkeypatch.setattr(buffers, "empty", lambda shape, dtype: (_ for _ in ()).throw(
        AssertionError("buffers.empty on Dask work")) if np.prod(shape) >= N else
        real_empty(shape, dtype))
    out = ta.derivatives(lambda w: nll(w, X, y), W, V, 6)
    _assert_no_data_in_graph(*out)
    assert not [m for m in seen if m.startswith("dask")]


def test_error_chunked_coordinate_axis(points):
    pts, _ = points
    bad = pts.rechunk((300, 1))
    with pytest.raises(ValueError, match=r"laplacian: x is a Dask array chunked along its last "
                                         r"axis.*rechunk"):
        ta.laplacian(u)(bad)


@pytest.mark.parametrize("transform", ["hessian", "jacfwd", "jacrev", "hessian_diag"])
def test_error_dense_derivative_wrt_dask_argument(data, transform):
    X, y, _, _ = data
    f = {"hessian": lambda X: nll(W, X, y), "jacfwd": lambda X: X @ W,
         "jacrev": lambda X: X @ W, "hessian_diag": lambda X: nll(W, X, y)}[transform]
    with pytest.raises(ValueError, match=rf"{transform}: .*Dask array.*"):
        getattr(ta, transform)(f)(X)


def test_error_minimize_with_dask_parameters(data):
    X, y, _, _ = data
    with pytest.raises(TypeError, match=r"minimize: x0 is a Dask array.*x0.compute\(\)"):
        topt.minimize(nll, da.zeros(P, chunks=2), args=(X, y), method="newton-exact")


def test_error_jit_with_dask_arrays(data):
    X, y, _, _ = data
    with pytest.raises(TypeError, match=r"jit.*Dask"):
        ta.jit(ta.grad(nll))(W, X, y)


def test_numpy_user_never_imports_dask():
    import subprocess
    import sys

    code = ("import sys, numpy as np, taylorad as ta, taylorad.numpy as tnp, taylorad.optimize;"
            "ta.hessian(lambda x: tnp.sum(tnp.exp(x)))(np.ones(3));"
            "print([m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


# ---------------------------------------------------------------------------------------------
# one task per data chunk (taylorad.compute, core/daskfuse.py)


def _fused_graph(*arrays):
    from dask._task_spec import convert_legacy_graph
    from dask.array.optimization import optimize
    from dask.core import flatten
    from dask.highlevelgraph import HighLevelGraph

    from taylorad.core.daskfuse import fuse_blocks

    keys = list(flatten([a.__dask_keys__() for a in arrays]))
    dsk = convert_legacy_graph(dict(optimize(
        HighLevelGraph.merge(*[a.__dask_graph__() for a in arrays]), keys)))
    return dsk, fuse_blocks(dsk, keys)[0], keys


def test_fused_pass_has_one_task_per_data_chunk(data):
    """The (f, g, H) pass: every chunk of X is read by exactly one task, which computes that
    chunk's whole share (the unfused graph reads each chunk from several tasks)."""
    from taylorad.optimize._objective import fused_value_grad_hessian

    X, y, Xn, yn = data
    f, (g,), H = fused_value_grad_hessian(lambda w: nll(w, X, y), [W], "*")
    dsk, fused, _ = _fused_graph(f, g, H)

    def readers(graph, key):
        return [k for k, v in graph.items() if key in v.dependencies]

    xkeys = [(X.name, i, 0) for i in range(X.numblocks[0])]
    assert max(len(readers(dsk, k)) for k in xkeys) >= 2
    assert all(len(readers(fused, k)) == 1 for k in xkeys)
    assert len(fused) < len(dsk)
    fr, gr, Hr = ta.compute(f, g, H)
    fn, (gn,), Hn = fused_value_grad_hessian(lambda w: nll(w, Xn, yn), [W], "*")
    _close(fr, fn)
    _close(gr, gn)
    _close(Hr, Hn)
    # the closed forms
    p = 1 / (1 + np.exp(-(Xn @ W)))
    _close(gr, Xn.T @ (p - yn) / N + 1e-2 * W)
    _close(Hr, (Xn.T * (p * (1 - p))) @ Xn / N + 1e-2 * np.eye(P))


def test_fusion_is_exact_on_mixed_chunkings_rechunks_and_lazy_data(client, caplog):
    """Graphs the fusion must not break: data generated lazily (not persisted), arrays with
    different row chunkings, a rechunk, a cumulative sum across chunks and a data-sized
    requested output — fused and unfused agree to rounding (not bit for bit: a chunk's
    intermediates stay views inside one task where the unfused graph ships contiguous copies
    between workers, and NumPy's summation order follows the memory layout)."""
    rng = da.random.default_rng(3)
    A = rng.normal(size=(900, 3), chunks=(300, 3))           # lazy, 3 chunks
    B = rng.normal(size=(900,), chunks=200)                  # 5 chunks
    w = np.array([0.5, -1.0, 2.0])

    def loss(v):
        z = tnp.tanh(A @ v) * B.rechunk(300)
        return tnp.sum(tnp.cumsum(z) ** 2) + tnp.sum(tnp.sin(z))

    f, g = ta.value_and_grad(loss)(w)
    per_row = ta.grad(lambda a: tnp.sum(tnp.sin(a @ w)))(A)  # data-sized output
    caplog.set_level("WARNING", logger="distributed.scheduler")
    plain = dask.compute(f, g, per_row)
    fused = ta.compute(f, g, per_row)
    for a, b in zip(plain, fused, strict=True):
        _close(a, b)
    # the same keys never come back with another definition (fused alone, fused beside other
    # results, unfused again): dask.distributed warns of deadlocks when they do
    _close(ta.compute(g)[0], plain[1])
    _close(dask.compute(g)[0], plain[1])
    assert "Detected different `run_spec`" not in caplog.text
    An, Bn = dask.compute(A, B)
    _close(fused[2], np.cos(An @ w)[:, None] * w)


def test_fusion_of_data_from_an_in_memory_array(client):
    """``da.from_array`` chunks (slices of an in-memory array, embedded in the graph) are data
    chunks too: each chunk's work becomes one task (the slice goes inside it, or one task
    reads it), and the pass matches NumPy."""
    Xn = np.random.default_rng(5).normal(size=(400, 3))
    yn = (Xn[:, 0] > 0).astype(float)
    X, y = da.from_array(Xn, chunks=(100, 3)), da.from_array(yn, chunks=100)
    w = np.array([0.2, -0.1, 0.3])
    f, g = ta.value_and_grad(nll)(w, X, y)
    dsk, fused, _ = _fused_graph(f, g)
    for i in range(4):
        assert sum((X.name, i, 0) in v.dependencies for v in fused.values()) <= 1
    assert len(fused) <= len(dsk) // 2, (len(fused), len(dsk))
    fn, gn = ta.value_and_grad(nll)(w, Xn, yn)
    out = ta.compute(f, g)
    _close(out[0], fn)
    _close(out[1], gn)


def test_compute_returns_structures_and_leaves_other_values(data):
    X, y, Xn, yn = data
    f, g = ta.value_and_grad(nll)(W, X, y)
    out = ta.compute({"f": f, "g": [g, "label"]}, 3.0)
    fn, gn = ta.value_and_grad(nll)(W, Xn, yn)
    assert isinstance(out, tuple) and out[1] == 3.0 and out[0]["g"][1] == "label"
    _close(out[0]["f"], fn)
    _close(out[0]["g"][0], gn)
    assert ta.compute(np.ones(2))[0].tolist() == [1.0, 1.0]
