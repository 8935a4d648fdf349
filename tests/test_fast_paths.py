"""Paths that exist for speed must give the same numbers as the plain ones: matrix times stacked
vectors as one GEMM, taylorad.jit's all-NumPy fast path, its inline scalar code and specialised
index_add_many, aliasing peepholes that must never hand an input back to the caller."""
import importlib

import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp

jit_mod = importlib.import_module("taylorad.jit")
RNG = np.random.default_rng(5)


def _hess_closed_form(A, x):
    """Hessian of Σ tanh(Ax)² + x·x/2: Aᵀ diag(2(1 − t²)(1 − 3t²)) A + I, t = tanh(Ax)."""
    t = np.tanh(A @ x)
    return (A.T * (2 * (1 - t * t) * (1 - 3 * t * t))) @ A + np.eye(len(x))


@pytest.mark.parametrize("form", ["A@x", "x@A.T", "A@column"])
def test_matrix_times_stacked_vectors_matches_closed_form(form):
    n = 40
    A = RNG.standard_normal((n, n)) / np.sqrt(n)
    x = RNG.standard_normal(n)

    def f(y):
        if form == "A@x":
            u = A @ y
        elif form == "x@A.T":
            u = y @ A.T
        else:
            u = tnp.reshape(A @ tnp.reshape(y, (n, 1)), (n,))
        t = tnp.tanh(u)
        return tnp.sum(t * t) + 0.5 * tnp.sum(y * y)

    H = ta.hessian(f)(x)
    np.testing.assert_allclose(H, _hess_closed_form(A, x), rtol=1e-12, atol=1e-13)
    # every matmul the recording replays is a plain 2-D product (one GEMM), none batched
    g = ta.jit(ta.hessian(f))
    np.testing.assert_allclose(g(x), H, rtol=1e-13, atol=1e-14)
    calls = []
    orig = tnp.matmul.impl
    tnp.matmul.impl = lambda a, b: calls.append((a.ndim, b.ndim)) or orig(a, b)
    try:
        ta.hessian(f)(x)
    finally:
        tnp.matmul.impl = orig
    assert calls and all(max(c) <= 2 for c in calls), calls


def test_hvp_batch_of_matrix_vector_products():
    A = RNG.standard_normal((30, 20))
    x = RNG.standard_normal(20)
    V = RNG.standard_normal((7, 20))
    f = lambda y: tnp.sum(tnp.sin(A @ y))  # noqa: E731 - H = Aᵀ diag(−sin(Ax)) A
    ref = V @ ((A.T * -np.sin(A @ x)) @ A).T
    np.testing.assert_allclose(ta.hvp_batch(f, x, V), ref, rtol=1e-12, atol=1e-13)
    g = lambda y: tnp.sum(tnp.sin(y @ A.T))  # noqa: E731 - row-vector form
    np.testing.assert_allclose(ta.hvp_batch(g, x, V), ref, rtol=1e-12, atol=1e-13)


def test_jit_fast_path_and_new_shapes():
    f = ta.jit(ta.grad(lambda y: tnp.sum(tnp.exp(y) * y)))
    for n in (3, 5, 3):
        x = RNG.standard_normal(n)
        for _ in range(3):
            np.testing.assert_allclose(f(x), np.exp(x) * (1 + x), rtol=1e-14)
    assert len(f.cache) == 2
    # a float argument and a list argument take the general path and agree
    h = ta.jit(lambda a, b: ta.grad(lambda y: tnp.sum(y * y) * a)(b))
    for _ in range(3):
        np.testing.assert_allclose(h(2.0, np.arange(3.0)), 4.0 * np.arange(3.0))


def test_tiny_hvp_scalar_program_matches_closed_form():
    """f = x₀x₁ + x₀² sin x₂ + exp(x₁x₂): the replay (Python floats, inline operators,
    index_add_many fed floats) against the analytic Hessian."""

    def f(x):
        return x[0] * x[1] + x[0] ** 2 * tnp.sin(x[2]) + tnp.exp(x[1] * x[2])

    def hess(x):
        a, b, c = x
        e = np.exp(b * c)
        return np.array([[2 * np.sin(c), 1.0, 2 * a * np.cos(c)],
                         [1.0, c * c * e, e + b * c * e],
                         [2 * a * np.cos(c), e + b * c * e, -a * a * np.sin(c) + b * b * e]])

    h = ta.jit(lambda x, v: ta.hvp(f, x, v))
    for x in ([0.3, -0.8, 1.1], [1.5, 0.2, -0.7], [0.3, -0.8, 1.1]):
        x = np.array(x)
        v = np.array([1.0, 0.5, -0.2])
        for _ in range(2):
            np.testing.assert_allclose(h(x, v), hess(x) @ v, rtol=1e-13, atol=1e-15)
    prog = next(iter(h.cache.values()))
    assert prog.run_scalar is not None


def test_index_add_many_specialised_matches_primitive():
    from taylorad.numpy.shape import index_add_many_p  # noqa: PLC0415

    idxs = ((slice(0, 1),), (np.array([0, 2, 2]),), (slice(1, 3),), (1,))
    vals = (2.5, np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0]), 7.0)
    impl = jit_mod._index_add_many(idxs, (4,))
    ref = index_add_many_p.impl(*(np.asarray(v) for v in vals), idxs=idxs, shape=(4,))
    np.testing.assert_array_equal(impl(*vals), ref)
    np.testing.assert_array_equal(ref, [3.5, 4.0 + 7.0, 5.0 + 5.0, 0.0])


@pytest.mark.parametrize("fn", [lambda x: tnp.concatenate([x]), lambda x: x * 1.0,
                                lambda x: tnp.concatenate([x]) * 1])
def test_jit_never_returns_its_input(fn):
    f = ta.jit(fn)
    x = np.arange(4.0)
    for _ in range(3):
        y = f(x)
        assert not np.shares_memory(x, y)
        np.testing.assert_array_equal(y, np.arange(4.0))
        y[0] = 99.0  # the caller may write to what it got back
        assert x[0] == 0.0


@pytest.mark.parametrize("idxs", [((slice(0, None, 2),), (slice(1, None, 2),)),  # a partition
                                  ((slice(0, 1),), (slice(2, 4),)),  # disjoint, gaps stay 0
                                  ((slice(0, 3),), (slice(2, 5),)),  # overlapping: added
                                  ((slice(1, 3),), (slice(1, 3),))])
def test_index_add_many_partitions_and_overlaps(idxs):
    from taylorad.numpy.shape import index_add_many_p  # noqa: PLC0415

    vals = [RNG.standard_normal(np.zeros(6)[ix].shape) for ix in idxs]
    ref = np.zeros(6)
    for v, ix in zip(vals, idxs):
        ref[ix] += v
    np.testing.assert_array_equal(jit_mod._index_add_many(idxs, (6,))(*vals), ref)
    np.testing.assert_array_equal(index_add_many_p.impl(*vals, idxs=idxs, shape=(6,)), ref)


def test_transformations_leave_no_reference_cycles():
    """Every array a call made is freed by reference counting when the call returns: a cycle
    (a self-referencing closure holding the leaves, as tree_flatten once had) keeps large arrays
    alive until the garbage collector runs, and memory churns."""
    import gc  # noqa: PLC0415

    x, v = RNG.standard_normal(300), RNG.standard_normal(300)
    f = lambda y: tnp.sum(tnp.sin(tnp.exp(tnp.tanh(y)) * y) + tnp.log1p(y * y))  # noqa: E731
    calls = [lambda: ta.grad(f)(x), lambda: ta.value_and_grad(f)(x), lambda: ta.hvp(f, x, v),
             lambda: ta.derivatives(tnp.sin, x, v, 6), lambda: ta.jet(tnp.exp, (x,), ((v, v),)),
             lambda: ta.jvp(f, (x,), (v,)), lambda: ta.hessian(f)(x[:5]),
             lambda: ta.grad(ta.grad(lambda y: tnp.sum(tnp.sin(y))))(0.3)]
    for call in calls:
        call()
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            call()
            gc.collect()
            # only our objects count: a dask.distributed client left by an earlier test keeps
            # making asyncio cycles (Futures, Events) in its own thread
            ours = [o for o in gc.garbage if isinstance(o, np.ndarray) or
                    type(o).__module__.startswith("taylorad")]
            assert ours == [], {type(o).__name__ for o in ours}
        finally:
            gc.set_debug(0)
            gc.garbage.clear()


@pytest.mark.parametrize("sa,sb,dtype", [((300, 1), (1, 400), np.float64),
                                         ((2, 300, 1), (1, 40), np.float64),
                                         ((3, 1), (4, 1, 5), np.int64),
                                         ((3, 1), (1, 2), np.bool_),
                                         ((600, 1), (1, 500), np.float32)])
def test_rank_one_matmul_is_the_broadcast_product(sa, sb, dtype):
    """matmul contracting over one element runs as a multiplication: values, dtype and shape
    are matmul's (reference: the sum over the single index, written out), eagerly, under
    ta.jit with and without fusion, and in its derivatives."""
    a = (RNG.standard_normal(sa) * 3).astype(dtype)
    b = (RNG.standard_normal(sb) * 3).astype(dtype)
    ref = np.matmul(a, b)
    written = (a[..., :, :1] * b[..., :1, :]).astype(ref.dtype)
    np.testing.assert_array_equal(ref, written)
    got = tnp.matmul(a, b)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)
    if dtype is np.bool_ or dtype is np.int64:
        return
    from taylorad.cpu import use_kernels  # noqa: PLC0415

    for fused in (True, False):
        with use_kernels(fused):
            g = ta.jit(lambda x, y: tnp.matmul(x, y) * 2.0 + 1.0)
            for _ in range(3):
                out = g(a, b)
        np.testing.assert_allclose(out, ref * 2.0 + 1.0, rtol=1e-6 if dtype is np.float32 else 0)
    # d/da Σ (a @ b)² = 2 (a @ b) @ bᵀ, a sum over b's single row
    if dtype is np.float64:
        ga = ta.grad(lambda x: tnp.sum(tnp.matmul(x, b) ** 2))(a)
        np.testing.assert_allclose(ga, np.sum(2 * ref * b, axis=-1, keepdims=True), rtol=1e-12)


@pytest.mark.parametrize("K", [2, 5])
def test_index_sinks_through_elementwise_calls(K):
    """derivatives(f, x, v, K)[K] under ta.jit adds only the top coefficient of the two series,
    not all K of them. Closed form: dᴷ/dtᴷ [eᶻ + sin z] at z = x + t·v is vᴷ (eˣ + sin(x + Kπ/2))."""
    x = RNG.uniform(-1, 1, 20_000)
    v = RNG.uniform(0.5, 1.5, 20_000)
    g = ta.jit(lambda x, v: ta.derivatives(lambda z: tnp.exp(z) + tnp.sin(z), x, v, K)[K])
    for _ in range(3):
        got = g(x, v)
    np.testing.assert_allclose(got, v ** K * (np.exp(x) + np.sin(x + K * np.pi / 2)),
                               rtol=1e-12, atol=1e-12)
    (prog,) = g.cache.values()
    adds = [op for op in prog.ops if op[0].name == "add"]
    assert adds and all(prog.meta[op[3]][1] == x.shape for op in adds)  # no (K, n) addition


def test_index_does_not_sink_where_it_would_change_the_result():
    a = RNG.standard_normal((4, 20_000))
    row = RNG.standard_normal(20_000)

    def f(x):
        s = x + row  # broadcast operand: not sunk
        t = x * 2.0
        return s[1], t[2], t  # t is also an output: computed whole
    g = ta.jit(f)
    for _ in range(3):
        s1, t2, t = g(a)
    np.testing.assert_array_equal(s1, a[1] + row)
    np.testing.assert_array_equal(t2, a[2] * 2.0)
    np.testing.assert_array_equal(t, a * 2.0)
    (prog,) = g.cache.values()
    assert [op[0].name for op in prog.ops].count("getitem") == 2


@pytest.mark.parametrize("case", ["floats", "rows", "size1", "float32", "large"])
def test_small_index_add_many_sums_in_python_floats(case):
    """A gradient of a few elements is summed in Python floats: the same numbers as adding into
    zeros in NumPy, value after value; other dtypes and large outputs take the NumPy path."""
    shape = (2, 3) if case != "large" else (20, 30)
    idxs = ((slice(None), 2), (0, 1), (slice(None), 2), (1, slice(0, 2)), (0, 0))
    vals = {"floats": [0.1, 0.7, -0.0, 1e-17, 3.0],
            "rows": [np.array([0.1, 0.2]), 0.7, np.array([1e16, -1e16]), np.array([0.3, 1.0]),
                     -2.0],
            "size1": [np.array([0.1]), np.array(0.7), np.array([0.5]), 2.0, np.float64(1.5)],
            "float32": [np.float32(0.1), 0.7, 0.25, 1.0, 2.0],
            "large": [RNG.standard_normal(20), 0.7, 0.5, RNG.standard_normal(2), 3.0]}[case]
    ref = np.zeros(shape, np.result_type(*vals))  # the primitive's dtype rule
    for v, ix in zip(vals, idxs):
        ref[ix] += v
    got = jit_mod._index_add_many(idxs, shape)(*vals)
    assert got.dtype == ref.dtype and got.shape == shape
    np.testing.assert_array_equal(got, ref)


def test_raised_rules_with_directions_on_large_arrays():
    """A rule raised from f′ (softplus, erf, …) at order ≥ 2 on a stack large enough to run
    blockwise, with a direction axis (derivative_tensor's interpolation directions): the blocks
    flatten directions and elements, so f′'s own series carries no direction axis there.
    Checked against the closed form Σ σ″(z)·AᵢAⱼA_k of softplus' third derivatives."""
    n = 40_000
    A = np.stack([np.linspace(-1, 1, n), np.cos(np.linspace(0, 3, n))], axis=1)
    w = np.array([0.7, -0.4])
    s = 1.0 / (1.0 + np.exp(-(A @ w)))
    d3 = s * (1 - s) * (1 - 2 * s)  # softplus‴ = σ″
    idx = [(0, 0, 0), (0, 0, 1), (0, 1, 1), (1, 1, 1)]
    want = [np.sum(d3 * A[:, i] * A[:, j] * A[:, k]) for i, j, k in idx]
    got = ta.derivative_tensor(lambda v: tnp.sum(tnp.softplus(A @ v)), w, 3, indices=idx)
    np.testing.assert_allclose(got, want, rtol=1e-10)
