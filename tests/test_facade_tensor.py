"""Facade objects: Tensor construction and promotion, MindSpore's repr, dtypes, Parameter,
Cell parameter order and names, context (MINDSPORE.md §3-§5)."""
import numpy as np
import pytest

import taylorad
import taylorad.context as context
import taylorad.nn as nn
import taylorad.ops as ops
from taylorad import Parameter, ParameterTuple, Tensor
from taylorad import dtype as mstype


def test_imports_and_dtype_objects():
    assert taylorad.float32 is mstype.float32 and taylorad.Tensor is Tensor
    assert [str(d) for d in (mstype.float16, mstype.float32, mstype.float64, mstype.int32,
                             mstype.int64, mstype.bool_)] == [
        "Float16", "Float32", "Float64", "Int32", "Int64", "Bool"]
    assert repr(mstype.float32) == "mindspore.float32"
    assert Tensor([1.0]).dtype == mstype.float32 and Tensor([1.0]).dtype != mstype.float64
    assert mstype.dtype_to_nptype(mstype.int32) is np.int32


@pytest.mark.parametrize("data, dtype, shape", [
    (1.5, mstype.float32, ()), ([1.0, 2.0], mstype.float32, (2,)), (3, mstype.int64, ()),
    ([1, 2], mstype.int64, (2,)), (True, mstype.bool_, ()), ([1, 2.5], mstype.float32, (2,)),
    (np.zeros(2), mstype.float64, (2,)), (np.zeros(2, np.int32), mstype.int32, (2,)),
])
def test_construction_defaults(data, dtype, shape):
    t = Tensor(data)
    assert t.dtype == dtype and t.shape == shape
    assert Tensor(data, mstype.float16).dtype == mstype.float16  # positional dtype


def test_tensor_basics():
    t = Tensor(np.arange(6.0).reshape(2, 3))
    assert (t.ndim, t.size, t.shape) == (2, 6, (2, 3))
    assert float(t[1, 2]) == 5.0 and t[0].shape == (3,) and t.sum().item() == 15.0
    assert t.astype(mstype.int32).dtype == mstype.int32
    a = np.arange(3.0)
    u = Tensor(a)
    a[0] = 9
    assert u.asnumpy()[0] == 0  # the Tensor owns a copy


@pytest.mark.parametrize("a, b, want", [
    (np.float32, 2.5, "Float32"), (np.int32, 2.5, "Float32"), (np.int32, 2, "Int32"),
    (np.float16, np.float32, "Float32"), (np.float32, np.float64, "Float64"),
    (np.int32, np.float32, "Float32"), (np.int64, np.float16, "Float16"),
    (np.int32, np.int64, "Int64"), (np.bool_, np.float32, "Float32"),
    (np.float16, 2.5, "Float16"),
])
def test_type_promotion(a, b, want):
    x = Tensor(np.ones(2, a))
    y = b if isinstance(b, (int, float)) else Tensor(np.ones(2, b))
    assert str((x * y).dtype) == want and str((y * x).dtype) == want


def test_division_promotion_and_graph_0d_rule():
    i = Tensor(np.array([7, 8], np.int32))
    j = Tensor(np.array([2, 3], np.int32))
    assert str((i / j).dtype) == "Float32" and str(ops.Div()(i, j).dtype) == "Float32"
    r = ops.RealDiv()(i, j)
    assert str(r.dtype) == "Int32" and list(r.asnumpy()) == [3, 2]
    assert str((i // j).dtype) == "Int32" and list((i // j).asnumpy()) == [3, 2]
    assert str(ops.Pow()(i, 2.0).dtype) == "Float32"
    f = Tensor(np.ones(2, np.float32))
    assert str((f * Tensor(np.float64(2.0))).dtype) == "Float32"  # GRAPH: 0-d does not up-cast


def test_repr_formats():
    assert repr(Tensor(np.array([[1.0, 2.5], [3.0, 4.0]], np.float32))) == (
        "Tensor(shape=[2, 2], dtype=Float32, value=\n"
        "[[ 1.00000000e+00,  2.50000000e+00],\n [ 3.00000000e+00,  4.00000000e+00]])")
    assert repr(Tensor(np.array([0.48963207, -1.38177323, 0.0770037174], np.float32))) == (
        "Tensor(shape=[3], dtype=Float32, value= [ 4.89632070e-01, -1.38177323e+00,  "
        "7.70037174e-02])")
    assert repr(Tensor(np.float32(3.5))) == "Tensor(shape=[], dtype=Float32, value= 3.5)"
    assert repr(Tensor(np.float32(0.76191401))) == \
        "Tensor(shape=[], dtype=Float32, value= 0.761914)"
    assert repr(Tensor(np.float32(2.0))) == "Tensor(shape=[], dtype=Float32, value= 2)"
    assert repr(Tensor(np.array([-3, 10, 200], np.int32))) == \
        "Tensor(shape=[3], dtype=Int32, value= [ -3,  10, 200])"
    assert repr(Tensor(np.array([True, False]))) == \
        "Tensor(shape=[2], dtype=Bool, value= [ True, False])"
    assert repr(Tensor(np.array([np.nan, 1.0], np.float32))) == \
        "Tensor(shape=[2], dtype=Float32, value= [            nan,  1.00000000e+00])"
    assert repr(Tensor(np.array([1.5], np.float16))) == \
        "Tensor(shape=[1], dtype=Float16, value= [ 1.5000e+00])"
    assert repr(Tensor(np.zeros(0, np.float32))) == "Tensor(shape=[0], dtype=Float32, value= )"
    three = repr(Tensor(np.arange(8.0).reshape(2, 2, 2)))
    assert "]],\n [[" in three and three.startswith("Tensor(shape=[2, 2, 2], dtype=Float64, "
                                                    "value=\n[[[ 0.00000000e+00,")
    long = repr(Tensor(np.arange(14.0, dtype=np.float32)))
    assert long.count(", \n  ") == 1 and long.split(", \n  ")[0].count("e+") == 12
    summary = repr(Tensor(np.arange(3000.0, dtype=np.float32)))
    assert summary.count("e+") == 6 and "2.00000000e+00 ...  2.99700000e+03" in summary


def test_print_and_tuples():
    t = Tensor(np.array([[4.51, 2.7, 3.6]], np.float32))
    assert str(t) == str(np.array([[4.51, 2.7, 3.6]], np.float32))
    pair = (Tensor(np.float32(1.0)), Tensor(np.array([2], np.int64)))
    assert str(pair) == ("(Tensor(shape=[], dtype=Float32, value= 1), "
                         "Tensor(shape=[1], dtype=Int64, value= [2]))")


def test_parameter():
    p = Parameter(Tensor(np.array([1.0, 2.0], np.float32)), name="w")
    assert isinstance(p, Tensor) and not isinstance(p * 2.0, Parameter)
    assert repr(p) == "Parameter (name=w, shape=(2,), dtype=Float32, requires_grad=True)"
    q = Parameter(1.5)
    assert q.dtype == mstype.float32 and q.shape == () and q.name.startswith("Parameter#")
    p.set_data(Tensor(np.array([3.0, 4.0], np.float32)))
    np.testing.assert_array_equal(p.asnumpy(), [3.0, 4.0])
    assert ParameterTuple([]) == ()


def test_cell_parameter_order_and_names():
    class Layer(nn.Cell):
        def __init__(self):
            super().__init__()
            self.w = Parameter(Tensor(np.ones(2, np.float32)))
            self.b = Parameter(Tensor(np.zeros(2, np.float32)))

    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.l1 = Layer()
            self.scale = Parameter(Tensor(np.float32(2.0)))
            self.l2 = Layer()

    net = Net()
    assert [p.name for p in net.trainable_params()] == ["scale", "l1.w", "l1.b", "l2.w", "l2.b"]

    class Outer(nn.Cell):
        def __init__(self, inner):
            super().__init__()
            self.net = inner

    Outer(net)
    assert [p.name for p in net.get_parameters()] == [
        "net.scale", "net.l1.w", "net.l1.b", "net.l2.w", "net.l2.b"]

    class Forgot(nn.Cell):
        def __init__(self):
            self.w = Parameter(Tensor(1.0))

    with pytest.raises(AttributeError, match="super"):
        Forgot()


def test_context():
    context.set_context(mode=context.PYNATIVE_MODE, device_target="CPU")
    assert context.get_context("mode") == context.PYNATIVE_MODE == 1
    context.set_context(mode=context.GRAPH_MODE)
    assert context.GRAPH_MODE == 0
    with pytest.raises(ValueError, match="mode"):
        context.set_context(mode=3)
    with pytest.raises(ValueError, match="device_target"):
        context.set_context(device_target="Ascend")
    try:
        import cupy  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="CuPy"):
            context.set_context(device_target="GPU")
    assert context.get_context("device_target") == "CPU"
