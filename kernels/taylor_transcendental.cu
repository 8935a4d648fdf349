// taylor_transcendental.cu — fused Taylor recurrences of exp, log, sin, cos, sinh, cosh, tan,
// tanh, sigmoid and arctanh (reference: taylorad/numpy/transcendental.py).
//
// Kernel: taylorad::taylor_unary<taylorad::Rule, T, K>(x0, y0, xs, ys, n, m) from
// taylor_common.cuh, T in {float, double}, K >= 1. y0 is the primal output f(x0).
// Each recurrence differentiates y' = f'(x) x' once and reads off t^(k-1):
//   k y_k = sum_{j=1..k} j x_j f'_{k-j}.
#include "taylor_common.cuh"

namespace taylorad {

// exp: y' = y x'
struct Exp {
  template <typename T, int K>
  TAD_HD static void apply(const T (&x)[K + 1], T (&y)[K + 1]) {
    T jx[K + 1];
    scaled<T, K>(x, jx);
#pragma unroll
    for (int k = 1; k <= K; ++k) y[k] = lin(jx, y, k);
  }
};

// log: x y' = x'  =>  y_k = (x_k - (1/k) sum_{j=1..k-1} j y_j x_{k-j}) / x_0
struct Log {
  template <typename T, int K>
  TAD_HD static void apply(const T (&x)[K + 1], T (&y)[K + 1]) {
    const T inv = T(1) / x[0];
    T jy[K + 1];
    jy[0] = T(0);
#pragma unroll
    for (int k = 1; k <= K; ++k) {
      T acc = x[k];
      if (k > 1) {
        T s = jy[1] * x[k - 1];
#pragma unroll
        for (int j = 2; j < k; ++j) s = s + jy[j] * x[k - j];
        acc = acc - s * (T(1) / T(k));
      }
      y[k] = acc * inv;
      jy[k] = y[k] * T(k);
    }
  }
};

// sin and cos together: s' = c x', c' = -s x'; sinh and cosh: c' = +s x'.
// Sign = -1 (trigonometric) or +1 (hyperbolic); Out = 0 returns s, Out = 1 returns c.
template <int Sign, int Out>
struct SinCos {
  template <typename T, int K>
  TAD_HD static void apply(const T (&x)[K + 1], T (&y)[K + 1]) {
    T jx[K + 1], s[K + 1], c[K + 1];
    scaled<T, K>(x, jx);
    if (Out == 0) {
      s[0] = y[0];
      c[0] = Sign < 0 ? t_cos(x[0]) : t_cosh(x[0]);
    } else {
      s[0] = Sign < 0 ? t_sin(x[0]) : t_sinh(x[0]);
      c[0] = y[0];
    }
#pragma unroll
    for (int k = 1; k <= K; ++k) {
      s[k] = lin(jx, c, k);
      const T ck = lin(jx, s, k);
      c[k] = Sign < 0 ? -ck : ck;
    }
#pragma unroll
    for (int k = 1; k <= K; ++k) y[k] = Out == 0 ? s[k] : c[k];
  }
};

typedef SinCos<-1, 0> Sin;
typedef SinCos<-1, 1> Cos;
typedef SinCos<+1, 0> Sinh;
typedef SinCos<+1, 1> Cosh;

// tan, tanh, sigmoid: y' = z(y) x' with z a polynomial in y, z_k from y_0..y_k.
//   tan: z = 1 + y^2      tanh: z = 1 - y^2      sigmoid: z = y - y^2
// Kind = 0 (tan), 1 (tanh), 2 (sigmoid).
template <int Kind>
struct PolyRule {
  template <typename T>
  TAD_HD static T z_of(const T* y, int k) {
    if (Kind == 0) return k == 0 ? T(1) + y[0] * y[0] : sq(y, k);
    if (Kind == 1) return k == 0 ? T(1) - y[0] * y[0] : -sq(y, k);
    return y[k] - sq(y, k);
  }

  template <typename T, int K>
  TAD_HD static void apply(const T (&x)[K + 1], T (&y)[K + 1]) {
    T jx[K + 1], z[K + 1];
    scaled<T, K>(x, jx);
    z[0] = z_of(y, 0);
#pragma unroll
    for (int k = 1; k <= K; ++k) {
      y[k] = lin(jx, z, k);
      if (k < K) z[k] = z_of(y, k);
    }
  }
};

typedef PolyRule<0> Tan;
typedef PolyRule<1> Tanh;
typedef PolyRule<2> Sigmoid;

// arctanh: raised from its derivative d = 1 / (1 - x^2), d evaluated in Taylor mode one order
// lower: q = x*x (Cauchy), b = 1 - q, d = 1 / b (division recurrence); then
// y_k = sum_{j=1..k} (j/k) x_j d_{k-j}.
struct Arctanh {
  template <typename T, int K>
  TAD_HD static void apply(const T (&x)[K + 1], T (&y)[K + 1]) {
    T b[K + 1], d[K + 1];
    b[0] = T(1) - x[0] * x[0];
    d[0] = T(1) / b[0];
    const T inv = T(1) / b[0];
#pragma unroll
    for (int k = 1; k < K; ++k) {
      T q = x[k] * x[0] + x[0] * x[k];
#pragma unroll
      for (int j = 1; j < k; ++j) q = q + x[j] * x[k - j];
      b[k] = -q;
      T acc = b[1] * d[k - 1];
#pragma unroll
      for (int j = 2; j <= k; ++j) acc = acc + b[j] * d[k - j];
      d[k] = -acc * inv;
    }
#pragma unroll
    for (int k = 1; k <= K; ++k) {
      T acc = T(0);
#pragma unroll
      for (int j = 1; j < k; ++j) acc = acc + (x[j] * d[k - j]) * (T(j) / T(k));
      y[k] = acc + x[k] * d[0];
    }
  }
};

}  // namespace taylorad
