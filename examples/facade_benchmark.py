"""Cost of nested GradOperation (forward over reverse) — the measurements of issue 3.
====================================================================================

1. depth-2 nested GradOperation (second derivative of a 3-layer tanh MLP along ones, i.e. the
   gradient of sum(grad f)) against taylorad.hvp(f, x, ones) on the same function: time and
   peak memory (tracemalloc);
2. the n-th derivative of a Sin chain sin(sin(sin(x))) by nesting GradOperation n times, n = 2..4.

Run: python examples/facade_benchmark.py
"""
import time
import tracemalloc

import numpy as np

import taylorad
import taylorad.nn as nn
import taylorad.numpy as tnp
import taylorad.ops as ops
from taylorad import Parameter, Tensor

N, WIDTH = 256, 64
rng = np.random.default_rng(0)
W1, W2, W3 = (rng.standard_normal(s) / np.sqrt(s[0]) for s in ((N, WIDTH), (WIDTH, WIDTH),
                                                                 (WIDTH, 1)))


class MLP(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w1, self.w2, self.w3 = Parameter(Tensor(W1)), Parameter(Tensor(W2)), Parameter(
            Tensor(W3))

    def construct(self, x):
        h = ops.tanh(ops.matmul(x, self.w1))
        h = ops.tanh(ops.matmul(h, self.w2))
        return ops.tanh(ops.matmul(h, self.w3)).sum()


def f_plain(x):  # the same function on arrays, for taylorad.hvp
    h = tnp.tanh(x @ W1)
    h = tnp.tanh(h @ W2)
    return tnp.sum(tnp.tanh(h @ W3))


class Grad(nn.Cell):
    def __init__(self, network):
        super().__init__()
        self.network = network
        self.grad = ops.GradOperation()

    def construct(self, x):
        return self.grad(self.network)(x)


def measure(fn, repeat=20):
    fn()
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    dt = (time.perf_counter() - t0) / repeat
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return dt, peak


def main():
    x = rng.standard_normal((1, N))
    nested = Grad(Grad(MLP()))
    xt = Tensor(x)
    a = nested(xt).asnumpy()
    b = taylorad.hvp(f_plain, x, np.ones_like(x))
    assert np.allclose(a, b, rtol=1e-10, atol=1e-12)
    tn, mn = measure(lambda: nested(xt))
    th, mh = measure(lambda: taylorad.hvp(f_plain, x, np.ones_like(x)))
    print(f"MLP {N}-{WIDTH}-{WIDTH}-1, x shape {x.shape}:")
    print(f"  nested GradOperation depth 2: {tn * 1e3:8.3f} ms  peak {mn / 1024:8.1f} KiB")
    print(f"  taylorad.hvp               : {th * 1e3:8.3f} ms  peak {mh / 1024:8.1f} KiB")
    print(f"  ratio time {tn / th:.2f}x, memory {mn / mh:.2f}x")

    class SinChain(nn.Cell):
        def construct(self, x):
            return ops.sin(ops.sin(ops.sin(x)))

    xs = Tensor(np.linspace(0.1, 1.0, 1000))
    print("Sin chain sin(sin(sin(x))), x of 1000 elements, n nested GradOperations:")
    for n in (1, 2, 3, 4):
        net = SinChain()
        for _ in range(n):
            net = Grad(net)
        t, m = measure(lambda: net(xs), repeat=10)
        print(f"  order {n}: {t * 1e3:8.3f} ms  peak {m / 1024:8.1f} KiB")


if __name__ == "__main__":
    main()
