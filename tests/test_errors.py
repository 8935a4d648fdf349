"""Bad input gets a TypeError/ValueError naming the function, the argument and the fix —
never an internal traceback from deep inside a rule."""
import numpy as np
import pytest

import taylorad as ta
import taylorad.numpy as tnp

X = np.array([0.5, 1.0, 1.5])


def fsum(x):
    return tnp.sum(tnp.sin(x))


def raises(exc, fn, *words):
    with pytest.raises(exc) as info:
        fn()
    msg = str(info.value)
    for w in words:
        assert w in msg, f"{w!r} not in message: {msg}"
    return msg


# ---------------------------------------------------------------------------------------------
# argnums


@pytest.mark.parametrize("argnums,nargs", [(1, 1), (2, 2), ((0, 2), 2), (-3, 2)])
def test_argnums_out_of_range(argnums, nargs):
    f = lambda *a: tnp.sum(a[0])  # noqa: E731
    bad = argnums if isinstance(argnums, int) else argnums[-1]
    raises(ValueError, lambda: ta.grad(f, argnums=argnums)(*[X] * nargs),
           "argnums", str(bad), "out of range", f"0..{nargs - 1}")
    raises(ValueError, lambda: ta.value_and_grad(f, argnums=argnums)(*[X] * nargs),
           "value_and_grad", "out of range")


@pytest.mark.parametrize("argnums", [True, 1.0, "0", (0, None), None])
def test_argnums_wrong_type(argnums):
    raises(TypeError, lambda: ta.grad(fsum, argnums=argnums)(X),
           "argnums must be an int or a tuple of ints")


def test_argnums_empty():
    raises(ValueError, lambda: ta.grad(fsum, argnums=())(X), "argnums is empty")


# ---------------------------------------------------------------------------------------------
# integer / boolean inputs where a derivative is asked for

INT_INPUTS = [np.arange(3), np.ones(3, dtype=bool), np.arange(3, dtype=np.int32), 3, True]


@pytest.mark.parametrize("x", INT_INPUTS, ids=["int64", "bool", "int32", "pyint", "pybool"])
def test_integer_or_boolean_differentiation_inputs(x):
    fix = "only floating-point inputs can be differentiated"
    raises(TypeError, lambda: ta.grad(fsum)(x), "grad:", "argument 0", fix,
           "astype(np.float64)")
    raises(TypeError, lambda: ta.vjp(tnp.sin, x), "vjp", "argument 0", fix)
    raises(TypeError, lambda: ta.jvp(tnp.sin, (x,), (x,)), "jvp", "primals", fix)
    raises(TypeError, lambda: ta.derivatives(tnp.sin, x, x, 2), "derivatives", fix)
    raises(TypeError, lambda: ta.hvp(fsum, x, x), "hvp", fix)
    raises(TypeError, lambda: ta.jet(tnp.sin, (x,), ((x,),)), "jet", fix)


def test_integer_leaf_in_a_pytree_and_in_second_argnum():
    raises(TypeError, lambda: ta.grad(lambda p: tnp.sum(p["a"]))({"a": np.arange(3)}),
           "argument 0", "int64")
    raises(TypeError, lambda: ta.grad(lambda a, b: tnp.sum(a * b), argnums=1)(X, np.arange(3)),
           "argument 1", "int64", "leave it out of argnums")
    # an integer argument that is NOT differentiated is fine
    g = ta.grad(lambda a, n: tnp.sum(a * n))(X, np.arange(3))
    np.testing.assert_array_equal(g, [0.0, 1.0, 2.0])


# ---------------------------------------------------------------------------------------------
# tangents and series that do not match their primals


@pytest.mark.parametrize("call,fname", [
    (lambda v: ta.jvp(tnp.sin, (X,), (v,)), "jvp"),
    (lambda v: ta.derivatives(tnp.sin, X, v, 3), "derivatives"),
    (lambda v: ta.hvp(fsum, X, v), "hvp"),
    (lambda v: ta.jet(tnp.sin, (X,), ((X, v),)), "jet"),
])
def test_tangent_shape_and_dtype(call, fname):
    raises(ValueError, lambda: call(np.ones(4)), fname, "shape (4,)", "primal has shape (3,)",
           "must match")
    raises(ValueError, lambda: call(np.ones((3, 1))), fname, "(3, 1)")
    raises(TypeError, lambda: call(np.ones(3, np.float32)), fname, "float32", "float64",
           "astype")
    raises(TypeError, lambda: call(np.arange(3)), fname, "int64")


def test_tangent_structure():
    raises(ValueError, lambda: ta.derivatives(lambda p: p[0], (X, X), (X,), 2), "derivatives",
           "same structure")
    raises(ValueError, lambda: ta.hvp(lambda p: tnp.sum(p["a"]), {"a": X}, {"b": X}), "hvp",
           "same structure")
    raises(ValueError, lambda: ta.jvp(tnp.sin, (X,), (X, X)), "jvp", "1 primals but 2 tangents")
    raises(TypeError, lambda: ta.jvp(tnp.sin, X, X), "jvp", "must be tuples")


def test_jet_series_of_unequal_length():
    f = lambda a, b: a * b  # noqa: E731
    raises(ValueError, lambda: ta.jet(f, (X, X), ((X, X), (X,))), "jet", "unequal lengths",
           "[1, 2]", "pad with zeros")
    raises(ValueError, lambda: ta.jet(f, (X, X), ((X,),)), "jet", "1 series", "2 primals")
    raises(ValueError, lambda: ta.jet(tnp.sin, (X,), ((),)), "jet", "positive integer")
    raises(TypeError, lambda: ta.jet(tnp.sin, X, X), "jet", "must be tuples")


def test_vjp_cotangent_mismatch():
    _, pb = ta.vjp(tnp.sin, X)
    raises(ValueError, lambda: pb(np.ones(4)), "vjp", "cotangent shape (4,)", "(3,)")
    _, pb = ta.vjp(lambda x: (x, x), X)
    raises(ValueError, lambda: pb(np.ones(3)), "vjp", "one cotangent per output")
    raises(TypeError, lambda: ta.vjp(tnp.sin), "vjp", "primal inputs")


# ---------------------------------------------------------------------------------------------
# orders


@pytest.mark.parametrize("order,exc", [(0, ValueError), (-1, ValueError), (2.5, TypeError),
                                       (2.0, TypeError), (True, TypeError), ("3", TypeError),
                                       (None, TypeError)])
def test_order_not_a_positive_integer(order, exc):
    raises(exc, lambda: ta.derivatives(tnp.sin, X, X, order), "derivatives",
           "order must be a positive integer", repr(order))


def test_numpy_integer_order_is_accepted():
    ds = ta.derivatives(tnp.exp, X, np.ones(3), np.int64(2))
    np.testing.assert_allclose(ds[2], np.exp(X))


# ---------------------------------------------------------------------------------------------
# outputs given to grad


@pytest.mark.parametrize("f,shape", [(tnp.sin, "(3,)"), (lambda x: (tnp.sum(x), tnp.sum(x)),
                                                         "[(), ()]"),
                                     (lambda x: tnp.reshape(tnp.sum(x), (1,)), "(1,)")])
def test_non_scalar_output_to_grad(f, shape):
    raises(TypeError, lambda: ta.grad(f)(X), "grad:", "must return a scalar", shape,
           "tnp.sum", "taylorad.vjp")
    raises(TypeError, lambda: ta.value_and_grad(f)(X), "must return a scalar")
    raises(TypeError, lambda: ta.hvp(f, X, X), "must return a scalar")


def test_non_float_output_to_grad():
    raises(TypeError, lambda: ta.grad(lambda x: 3)(X), "int", "floating point")
    raises(TypeError, lambda: ta.grad(lambda x: tnp.sum(x) > 0)(X), "bool", "floating point")
    # a constant float output is a function with zero gradient
    np.testing.assert_array_equal(ta.grad(lambda x: 3.0)(X), np.zeros(3))


def test_has_aux_needs_a_pair():
    raises(TypeError, lambda: ta.grad(fsum, has_aux=True)(X), "has_aux=True", "pair")


# ---------------------------------------------------------------------------------------------
# NumPy functions that are not taylorad primitives, applied to traced values

NOT_PRIMITIVES = [
    ("numpy.linalg.eigh", lambda x: tnp.sum(np.linalg.eigh(tnp.reshape(x[:1], (1, 1)))[0])),
    ("numpy.linalg.norm", lambda x: np.linalg.norm(x)),
    ("numpy.linalg.svd", lambda x: tnp.sum(np.linalg.svd(tnp.reshape(x[:2], (1, 2)))[1])),
    ("numpy.add.reduce", lambda x: np.add.reduce(x)),
    ("numpy.add.accumulate", lambda x: tnp.sum(np.add.accumulate(x))),
    ("numpy.fft.fft", lambda x: tnp.sum(np.fft.fft(x))),
    ("numpy.partition", lambda x: tnp.sum(np.partition(x, 1))),
    ("numpy.unwrap", lambda x: tnp.sum(np.unwrap(x))),
]


def _supported(name):
    """Whether taylorad.numpy (or taylorad.numpy.linalg) now provides this NumPy function."""
    ns = getattr(tnp, "linalg", None) if ".linalg." in name else tnp
    return name.split(".")[-1] in getattr(ns, "__all__", ())


def _assert_rejected(name, f):
    for call in (lambda: ta.grad(f)(X), lambda: ta.jvp(f, (X,), (X,)),
                 lambda: ta.derivatives(f, X, X, 3), lambda: ta.hvp(f, X, X)):
        raises(TypeError, call, name, "not a taylorad primitive", "taylorad.numpy")


@pytest.mark.parametrize("name,f", NOT_PRIMITIVES, ids=[r[0] for r in NOT_PRIMITIVES])
def test_numpy_function_without_primitive(name, f):
    if _supported(name):
        pytest.skip(f"{name} has become a taylorad primitive")
    _assert_rejected(name, f)


def test_numpy_cumsum_is_rejected_or_a_primitive():
    """np.cumsum inside grad: a clear TypeError, or (once tnp.cumsum exists) the right answer."""
    f = lambda x: tnp.sum(np.cumsum(x) * np.array([1.0, 2.0, 3.0]))  # noqa: E731
    if "cumsum" not in tnp.__all__:
        _assert_rejected("numpy.cumsum", f)
    else:  # Σ_i w_i Σ_{j<=i} x_j  ⇒  ∂/∂x_j = Σ_{i>=j} w_i
        np.testing.assert_allclose(ta.grad(f)(X), [6.0, 5.0, 3.0])


def test_numpy_functions_with_primitives_dispatch():
    """The counterpart: NumPy names that taylorad.numpy provides work on traced values."""
    f = lambda x: np.sum(np.sin(x) * np.exp(x)) + np.mean(x ** 2)  # noqa: E731
    want = np.cos(X) * np.exp(X) + np.sin(X) * np.exp(X) + 2 * X / 3
    np.testing.assert_allclose(ta.grad(f)(X), want, rtol=1e-13)


@pytest.mark.parametrize("convert", [np.asarray, np.array, lambda x: np.asarray(x, float)],
                         ids=["asarray", "array", "asarray_dtype"])
def test_asarray_of_traced(convert):
    f = lambda x: tnp.sum(convert(x))  # noqa: E731
    for call in (lambda: ta.grad(f)(X), lambda: ta.derivatives(f, X, X, 2),
                 lambda: ta.jvp(f, (X,), (X,))):
        raises(TypeError, call, "cannot be converted to a NumPy array", "drop its derivative",
               "taylorad.numpy", "stop_gradient")


def test_float_and_bool_of_traced():
    raises(TypeError, lambda: ta.grad(lambda x: float(tnp.sum(x)))(X), "float()",
           "taylorad.numpy")
    raises(TypeError, lambda: ta.grad(lambda x: tnp.sum(x) if tnp.sum(x * 1.0) else x)(X),
           "truth value", "where")


def test_shape_errors_name_the_function():
    raises(ValueError, lambda: ta.grad(lambda x: tnp.sum(tnp.reshape(x, (2, 2))))(X),
           "taylorad.numpy.reshape", "(3,)", "(2, 2)")
    raises(ValueError, lambda: ta.grad(lambda x: tnp.sum(tnp.sum(x, axis=1)))(X),
           "taylorad.numpy.sum", "axis 1")
    raises(ValueError, lambda: ta.grad(lambda x: tnp.sum(tnp.squeeze(x, axis=0)))(X),
           "taylorad.numpy.squeeze")
    raises(ValueError, lambda: tnp.stack([X, X[:2]]), "taylorad.numpy.stack", "same shape")
    raises(TypeError, lambda: ta.grad(lambda x: tnp.sum(x[np.array([0.5])]))(X),
           "index", "integer/boolean arrays")


def test_grad_called_without_arguments():
    raises(ValueError, lambda: ta.grad(lambda: 1.0)(), "argnums 0", "0 positional arguments",
           "pass the arrays to differentiate as positional arguments")


def test_scalar_output_errors_name_the_function_called():
    import taylorad as ta

    with pytest.raises(TypeError, match=r"^grad: the function must return a scalar"):
        ta.grad(lambda x: x ** 2)(np.ones(2))
    with pytest.raises(TypeError, match=r"^hvp: the function must return a scalar"):
        ta.hvp(lambda x: x ** 2, np.ones(2), np.ones(2))
