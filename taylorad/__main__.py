"""python -m taylorad — a short demo: each derivative printed beside its closed form."""
import math

import numpy as np

import taylorad as ta
import taylorad.numpy as tnp


def row(label, got, want):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    err = float(np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want))))
    print(f"  {label:<38} {np.array2string(got, precision=10, max_line_width=200):<48} "
          f"closed form {np.array2string(want, precision=10, max_line_width=200):<48} "
          f"rel.err {err:.1e}")


def main():
    x = np.array([0.3, -0.7, 1.2])
    f = lambda x: tnp.sum(tnp.sin(x) * tnp.exp(x) + x ** 3)  # noqa: E731
    print("f(x) = Σ sin(x)·exp(x) + x³ at x =", x)
    row("grad f (reverse mode)", ta.grad(f)(x), np.exp(x) * (np.sin(x) + np.cos(x)) + 3 * x ** 2)
    v = np.array([1.0, 0.5, -2.0])
    row("H·v (forward over reverse)", ta.hvp(f, x, v),
        (2 * np.exp(x) * np.cos(x) + 6 * x) * v)
    row("grad(grad f · 1) (nested, FoR)", ta.grad(lambda y: tnp.sum(ta.grad(f)(y)))(x),
        2 * np.exp(x) * np.cos(x) + 6 * x)

    print("\nd^k/dt^k sin(t) at t = 0.7, k = 0..20, from ONE Taylor pass:")
    ds = ta.derivatives(tnp.sin, np.float64(0.7), np.float64(1.0), 20)
    want = [math.sin(0.7 + k * math.pi / 2) for k in range(21)]
    row("k = 0..4", ds[:5], want[:5])
    row("k = 16..20", ds[16:], want[16:])

    print("\nd^k/dt^k of 1/(1+t²) at t = 0 (k = 0, 2, 4, 6, 8: (−1)^(k/2)·k!):")
    ds = ta.derivatives(lambda t: 1.0 / (1.0 + t * t), np.float64(0.0), np.float64(1.0), 8)
    row("even orders", ds[::2], [(-1) ** (k // 2) * math.factorial(k) for k in range(0, 9, 2)])

    print("\njet (jax.experimental.jet conventions): exp along x(t) = 0.5 + t")
    y0, ys = ta.jet(tnp.exp, (np.float64(0.5),), ((np.float64(1.0), np.float64(0.0),
                                                    np.float64(0.0)),))
    row("exp and its first 3 derivatives", [y0, *ys], [math.exp(0.5)] * 4)


if __name__ == "__main__":
    main()
