// taylor_arith.cu — fused Taylor recurrences of sqrt, power (scalar exponent), multiply (Cauchy
// product) and divide (reference: taylorad/numpy/arith.py). Layout and launch: kernels/README.md.
#include "taylor_common.cuh"

namespace taylorad {

// sqrt: y^2 = x  =>  y_k = (x_k - sum_{j=1..k-1} y_j y_{k-j}) / (2 y_0)
// Kernel: taylor_unary<taylorad::Sqrt, T, K>.
struct Sqrt {
  template <typename T, int K>
  TAD_HD static void apply(const T (&x)[K + 1], T (&y)[K + 1]) {
    const T inv = T(0.5) / y[0];
#pragma unroll
    for (int k = 1; k <= K; ++k) {
      T acc = T(0);
#pragma unroll
      for (int j = 1; j < (k + 1) / 2; ++j) acc = acc + y[j] * y[k - j];
      acc = acc * T(2);
      if (k % 2 == 0) acc = acc + y[k / 2] * y[k / 2];
      y[k] = (x[k] - acc) * inv;
    }
  }
};

// c = a * b truncated at order K (full Cauchy product, coefficients 0..K)
template <typename T, int K>
TAD_HD void cauchy_full(const T (&a)[K + 1], const T (&b)[K + 1], T (&c)[K + 1]) {
#pragma unroll
  for (int k = 0; k <= K; ++k) {
    T acc = a[0] * b[k];
#pragma unroll
    for (int j = 1; j <= k; ++j) acc = acc + a[j] * b[k - j];
    c[k] = acc;
  }
}

// power with a scalar exponent p, y = x^p.
//   ip in 1..64 (p a small positive integer): binary powering by Cauchy products, exact at x_0 = 0
//   otherwise: x y' = p y x'  =>  y_k = sum_{j=1..k} ((p+1) j - k) x_j y_{k-j} / (k x_0)
// (p = 0 never reaches the kernel: its series is zero.)
template <typename T, int K>
__host__ __device__ inline void power_element(const T* __restrict__ x0, const T* __restrict__ y0,
                                              const T* __restrict__ xs, T* __restrict__ ys,
                                              long long n, long long m, double p, int ip,
                                              long long i) {
  const long long pi = primal_index(i, n, m);
  T x[K + 1], y[K + 1];
  x[0] = x0[pi];
  y[0] = y0[pi];
#pragma unroll
  for (int k = 1; k <= K; ++k) x[k] = xs[(k - 1) * n + i];
  if (ip > 0) {
    T base[K + 1], tmp[K + 1];
    bool have = false;
#pragma unroll
    for (int k = 0; k <= K; ++k) base[k] = x[k];
    while (ip) {
      if (ip & 1) {
        if (!have) {
#pragma unroll
          for (int k = 0; k <= K; ++k) y[k] = base[k];
          have = true;
        } else {
          cauchy_full<T, K>(y, base, tmp);
#pragma unroll
          for (int k = 0; k <= K; ++k) y[k] = tmp[k];
        }
      }
      ip >>= 1;
      if (ip) {
        cauchy_full<T, K>(base, base, tmp);
#pragma unroll
        for (int k = 0; k <= K; ++k) base[k] = tmp[k];
      }
    }
  } else {
    const T inv = T(1) / x[0];
#pragma unroll
    for (int k = 1; k <= K; ++k) {
      T acc = x[1] * y[k - 1] * T((p + 1.0) * 1 - k);
#pragma unroll
      for (int j = 2; j <= k; ++j) acc = acc + x[j] * y[k - j] * T((p + 1.0) * j - k);
      y[k] = acc * inv * (T(1) / T(k));
    }
  }
#pragma unroll
  for (int k = 1; k <= K; ++k) ys[(k - 1) * n + i] = y[k];
}

template <typename T, int K>
__global__ void taylor_power(const T* __restrict__ x0, const T* __restrict__ y0,
                             const T* __restrict__ xs, T* __restrict__ ys, long long n,
                             long long m, double p, int ip) {
  const long long stride = (long long)blockDim.x * gridDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    power_element<T, K>(x0, y0, xs, ys, n, m, p, ip, i);
}

// multiply, both factors with series: y_k = a_k b_0 + a_0 b_k + sum_{j=1..k-1} a_j b_{k-j}
template <typename T, int K>
__host__ __device__ inline void multiply_element(const T* __restrict__ a0,
                                                 const T* __restrict__ b0,
                                                 const T* __restrict__ as,
                                                 const T* __restrict__ bs, T* __restrict__ ys,
                                                 long long n, long long m, long long i) {
  const long long p = primal_index(i, n, m);
  T a[K + 1], b[K + 1];
  a[0] = a0[p];
  b[0] = b0[p];
#pragma unroll
  for (int k = 1; k <= K; ++k) {
    a[k] = as[(k - 1) * n + i];
    b[k] = bs[(k - 1) * n + i];
  }
#pragma unroll
  for (int k = 1; k <= K; ++k) {
    T acc = a[k] * b[0] + a[0] * b[k];
    if (k > 1) {
      T mid = a[1] * b[k - 1];
#pragma unroll
      for (int j = 2; j < k; ++j) mid = mid + a[j] * b[k - j];
      acc = acc + mid;
    }
    ys[(k - 1) * n + i] = acc;
  }
}

template <typename T, int K>
__global__ void taylor_multiply(const T* __restrict__ a0, const T* __restrict__ b0,
                                const T* __restrict__ as, const T* __restrict__ bs,
                                T* __restrict__ ys, long long n, long long m) {
  const long long stride = (long long)blockDim.x * gridDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    multiply_element<T, K>(a0, b0, as, bs, ys, n, m, i);
}

// divide, both operands with series: y_k = (a_k - sum_{j=1..k} b_j y_{k-j}) / b_0, y_0 = a_0/b_0
template <typename T, int K>
__host__ __device__ inline void divide_element(const T* __restrict__ b0, const T* __restrict__ y0,
                                               const T* __restrict__ as,
                                               const T* __restrict__ bs, T* __restrict__ ys,
                                               long long n, long long m, long long i) {
  const long long p = primal_index(i, n, m);
  T b[K + 1], y[K + 1];
  b[0] = b0[p];
  y[0] = y0[p];
#pragma unroll
  for (int k = 1; k <= K; ++k) b[k] = bs[(k - 1) * n + i];
  const T inv = T(1) / b[0];
#pragma unroll
  for (int k = 1; k <= K; ++k) {
    T acc = b[1] * y[k - 1];
#pragma unroll
    for (int j = 2; j <= k; ++j) acc = acc + b[j] * y[k - j];
    y[k] = (as[(k - 1) * n + i] - acc) * inv;
    ys[(k - 1) * n + i] = y[k];
  }
}

template <typename T, int K>
__global__ void taylor_divide(const T* __restrict__ b0, const T* __restrict__ y0,
                              const T* __restrict__ as, const T* __restrict__ bs,
                              T* __restrict__ ys, long long n, long long m) {
  const long long stride = (long long)blockDim.x * gridDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    divide_element<T, K>(b0, y0, as, bs, ys, n, m, i);
}

}  // namespace taylorad
