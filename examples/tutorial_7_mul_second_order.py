"""MindSpore tutorial, high order: second derivative of the self-multiplication x * x.
=====================================================================================

Prints [2. 2. 2.] (the tutorial, written for MindSpore 1.1, shows 2.00000000e+00 three times).
"""
import taylorad.context as context
import taylorad.nn as nn
import taylorad.ops as ops
from taylorad import Tensor
from taylorad import dtype as mstype

context.set_context(mode=context.GRAPH_MODE, device_target="CPU")


class Net(nn.Cell):
    def __init__(self):
        super(Net, self).__init__()
        self.mul = ops.Mul()

    def construct(self, x):
        out = self.mul(x, x)
        return out


class Grad(nn.Cell):
    def __init__(self, network):
        super(Grad, self).__init__()
        self.grad = ops.GradOperation(sens_param=False)
        self.network = network

    def construct(self, x):
        gout = self.grad(self.network)(x)
        return gout


class GradSec(nn.Cell):
    def __init__(self, network):
        super(GradSec, self).__init__()
        self.grad = ops.GradOperation(sens_param=False)
        self.network = network

    def construct(self, x):
        gout = self.grad(self.network)(x)
        return gout


net = Net()
firstgrad = Grad(net)  # first order
secondgrad = GradSec(firstgrad)  # second order
x = Tensor([0.1, 0.2, 0.3], dtype=mstype.float32)
output = secondgrad(x)
print(output)
