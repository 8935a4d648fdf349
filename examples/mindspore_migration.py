"""A MindSpore program and its taylorad twin: a second derivative inside a loss.
================================================================================

The program below is MindSpore code: a Cell ``Net`` (u(x) = w₂ · tanh(w₁ x)), a Cell ``Du`` that
returns du/dx by ``ops.GradOperation``, a loss Cell that differentiates ``Du`` again to put u″ in
the residual of u″ + u = 0, and ``GradOperation(get_by_list=True)`` of that loss w.r.t. the
weights — third-order derivatives overall. Only the import line differs from MindSpore's (the
comment above it is the MindSpore original). taylorad computes every nested level forward over
reverse.

Checked: u″ from the nested GradOperation against the closed form
u″(x) = Σⱼ w₂ⱼ w₁ⱼ² · (−2 tanh(w₁ⱼx) sech²(w₁ⱼx)).
"""
# examples-test: expect ^check: u'' by nested GradOperation vs closed form: max difference \S+$
import numpy as np

# MindSpore: from mindspore import context, nn, ops, Parameter, ParameterTuple, Tensor
from taylorad import Parameter, ParameterTuple, Tensor, context, nn, ops

context.set_context(mode=context.GRAPH_MODE, device_target="CPU")


class Net(nn.Cell):
    """u(x) = w2 · tanh(w1 x), x of shape (batch, 1)."""

    def __init__(self):
        super().__init__()
        w1, w2 = np.array([[0.5, -1.0]]), np.array([[1.0], [2.0]])
        self.w1 = Parameter(Tensor(w1.astype(np.float32)), name="w1")
        self.w2 = Parameter(Tensor(w2.astype(np.float32)), name="w2")
        self.matmul, self.tanh = ops.MatMul(), ops.Tanh()

    def construct(self, x):
        return self.matmul(self.tanh(self.matmul(x, self.w1)), self.w2)


class Du(nn.Cell):
    """du/dx by GradOperation inside a Cell."""

    def __init__(self, net):
        super().__init__()
        self.net, self.grad = net, ops.GradOperation()

    def construct(self, x):
        return self.grad(self.net)(x)


class Loss(nn.Cell):
    """mean (u'' + u)²: the gradient Cell differentiated again inside the loss."""

    def __init__(self, net):
        super().__init__()
        self.net, self.du = net, Du(net)
        self.grad, self.mean = ops.GradOperation(), ops.ReduceMean()

    def construct(self, x):
        r = self.grad(self.du)(x) + self.net(x)
        return self.mean(r * r)


net = Net()
loss = Loss(net)
x = Tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(8, 1))
weights = ParameterTuple(net.trainable_params())
# the loss's gradient w.r.t. the weights: third-order derivatives of Net
grads = ops.GradOperation(get_by_list=True)(loss, weights)(x)
print("loss:", loss(x))
for p, g in zip(weights, grads):
    print(f"d loss / d {p.name}:", g.asnumpy().ravel())

# the check (NumPy float64 closed form; not part of the MindSpore program)
d2u = ops.GradOperation()(Du(net))(x).asnumpy().ravel()
w1, w2 = net.w1.asnumpy().astype(np.float64).ravel(), net.w2.asnumpy().astype(np.float64).ravel()
xs = x.asnumpy().astype(np.float64)
th = np.tanh(xs * w1)
exact = (w2 * w1 ** 2 * (-2.0 * th * (1.0 - th ** 2))).sum(axis=1)
print(f"check: u'' by nested GradOperation vs closed form: max difference "
      f"{np.abs(d2u - exact).max():.1e}")
assert np.abs(d2u - exact).max() < 1e-5  # float32
