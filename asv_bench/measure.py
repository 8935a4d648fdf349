"""The measurements quoted in the closing notes, in one reproducible run (taylorad only).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python asv_bench/measure.py

Best of several repeats (wall clock); peak memory by tracemalloc. The asv suite tracks the same
quantities over commits; ``compare.py`` measures them against the peer libraries.
"""
import time
import tracemalloc

import numpy as np

import taylorad as ta
import taylorad.numpy as tnp


def best(fn, repeats=7):
    fn()
    t = 1e9
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def peak(fn):
    tracemalloc.start()
    fn()
    p = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return p


def ms(t):
    return f"{t * 1e3:.3f} ms"


def main():
    rng = np.random.default_rng(0)
    print("== per-call overhead: f = x0 x1 + x0^2 sin x2 + exp(x1 x2), 14 forward primitives")
    x3, v3 = np.array([0.5, 1.2, -0.3]), np.ones(3)
    tiny = lambda x: x[0] * x[1] + x[0] ** 2 * tnp.sin(x[2]) + tnp.exp(x[1] * x[2])  # noqa: E731
    g, h = ta.jit(ta.grad(tiny)), ta.jit(lambda x, v: ta.hvp(tiny, x, v))
    for name, fn in [("grad", lambda: ta.grad(tiny)(x3)), ("hvp", lambda: ta.hvp(tiny, x3, v3)),
                     ("jit grad", lambda: g(x3)), ("jit hvp", lambda: h(x3, v3))]:
        t = best(fn, 200)
        print(f"  {name:9s} {t * 1e6:7.1f} us  ({t * 1e6 / 14:.1f} us per primitive)")

    print("== MLP 64-256-256-256-1 (tanh), batch 512, loss w.r.t. all 148,481 weights")
    sizes = [64, 256, 256, 256, 1]
    shapes = [s for a, b in zip(sizes[:-1], sizes[1:]) for s in ((a, b), (b,))]
    n = sum(int(np.prod(s)) for s in shapes)
    X, Y = rng.standard_normal((512, 64)), rng.standard_normal((512, 1))
    w, v = rng.standard_normal(n) * 0.05, rng.standard_normal(n)

    def loss(w):
        i, params = 0, []
        for s in shapes:
            k = int(np.prod(s))
            params.append(tnp.reshape(w[i:i + k], s))
            i += k
        h = X
        for layer in range(4):
            h = h @ params[2 * layer] + params[2 * layer + 1]
            h = tnp.tanh(h) if layer < 3 else h
        return tnp.mean((h - Y) ** 2)

    tg, th = best(lambda: ta.grad(loss)(w)), best(lambda: ta.hvp(loss, w, v))
    print(f"  grad {ms(tg)}, hvp {ms(th)}, hvp/grad = {th / tg:.2f}")

    print("== derivatives of sin(exp(tanh x) x) + log1p(x^2) on 1e6 elements, vs order K")
    xx, vv = rng.uniform(-1, 1, 10 ** 6), np.ones(10 ** 6)
    chain = lambda x: tnp.sin(tnp.exp(tnp.tanh(x)) * x) + tnp.log1p(x * x)  # noqa: E731
    print(f"  forward alone {ms(best(lambda: chain(xx)))}")
    for K in (1, 2, 4, 8, 12, 16):
        print(f"  K={K:2d}: {ms(best(lambda: ta.derivatives(chain, xx, vv, K), 3))}")

    print("== Hessian of sum(tanh(A x)^2) + x.x/2, n = 500")
    A, x = rng.standard_normal((500, 500)) / np.sqrt(500), rng.standard_normal(500)
    f = lambda x: tnp.sum(tnp.tanh(A @ x) ** 2) + 0.5 * tnp.sum(x * x)  # noqa: E731
    E = np.eye(500)
    print(f"  one batched pass {ms(best(lambda: ta.hessian(f)(x), 3))}, chunk_size=100 "
          f"{ms(best(lambda: ta.hessian(f, chunk_size=100)(x), 3))}, 500 hvp calls "
          f"{ms(best(lambda: [ta.hvp(f, x, e) for e in E], 1))}")

    print("== Laplacian of a tanh MLP 16-128-128-128-1 at 1024 points (time, peak memory)")
    W = [rng.standard_normal((16, 128)) / 4] + [rng.standard_normal((128, 128)) / 11] * 2 + \
        [rng.standard_normal((128, 1)) / 11]

    def u(P):
        h = P
        for i in range(3):
            h = tnp.tanh(h @ W[i])
        return tnp.sum(h @ W[3], axis=-1)

    P = rng.standard_normal((1024, 16))
    for method in ("collapsed", "stacked", "nested"):
        lap = ta.laplacian(u, method)
        print(f"  {method:9s} {ms(best(lambda: lap(P), 3))}, peak {peak(lambda: lap(P)) / 2**20:.0f} MiB")

    print("== nested gradient: forward over reverse vs reverse over reverse vs hvp")
    for batch in (1, 512):
        W1, W2, W3 = (rng.standard_normal((256, 64)) / 16, rng.standard_normal((64, 64)) / 8,
                      rng.standard_normal((64, 1)) / 8)
        mlp = lambda z: tnp.sum(tnp.tanh(tnp.tanh(tnp.tanh(z @ W1) @ W2) @ W3))  # noqa: E731
        z = rng.standard_normal((batch, 256))
        ones = np.ones_like(z)

        def inner_rev(y):
            _, pullback = ta.vjp(mlp, y)
            return tnp.sum(pullback(np.float64(1.0))[0] * ones)

        fo = lambda: ta.grad(lambda y: tnp.sum(ta.grad(mlp)(y) * ones))(z)  # noqa: E731
        ro = lambda: ta.grad(inner_rev)(z)  # noqa: E731
        hv = lambda: ta.hvp(mlp, z, ones)  # noqa: E731
        print(f"  MLP 256-64-64-1, batch {batch}: forward over reverse {ms(best(fo))} "
              f"({peak(fo) / 1024:.0f} KiB), reverse over reverse {ms(best(ro))} "
              f"({peak(ro) / 1024:.0f} KiB), hvp {ms(best(hv))} ({peak(hv) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
