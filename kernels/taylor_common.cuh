// taylor_common.cuh — shared pieces of the fused Taylor kernels (contract: kernels/README.md).
//
// Coefficients are normalized: x(t) = x_0 + x_1 t + ... + x_K t^K, x_k = x^(k)(0) / k!.
//
// Memory layout (the one taylorad's Taylor trace uses, so no copy is needed to call a kernel):
//   primal  x0[m]         the primal, m elements (C order)
//   series  xs[K * n]     coefficient k (1..K) of element i at xs[(k - 1) * n + i]
// n is a multiple of m: with a batch of directions (Hessian columns, Laplacian directions) the
// series holds n = m * batch elements and element i uses the primal x0[i % m]. A contiguous
// (K + 1, n) buffer with the primal first is the special case x0 = buf, xs = buf + n, m = n.
//
// One thread per element (grid-stride loop); the K + 1 coefficients live in registers (K is a
// template parameter, every loop over k is unrolled). Each recurrence is written in the same
// order of operations as the composed rule in taylorad/numpy/, which is the reference.
#ifndef TAYLORAD_TAYLOR_COMMON_CUH  // a guard, not #pragma once: the loader inlines this file
#define TAYLORAD_TAYLOR_COMMON_CUH

#define TAD_HD __host__ __device__ __forceinline__

namespace taylorad {

// math overloads that exist both under NVRTC (device builtins) and in host code (the CPU test
// harness compiles these headers with nvcc for the host)
TAD_HD float t_sin(float x) { return sinf(x); }
TAD_HD double t_sin(double x) { return sin(x); }
TAD_HD float t_cos(float x) { return cosf(x); }
TAD_HD double t_cos(double x) { return cos(x); }
TAD_HD float t_sinh(float x) { return sinhf(x); }
TAD_HD double t_sinh(double x) { return sinh(x); }
TAD_HD float t_cosh(float x) { return coshf(x); }
TAD_HD double t_cosh(double x) { return cosh(x); }

// (1/k) * sum_{j=1..k} jx_j * d_{k-j}, with jx_j = j * x_j   (y' = d * x' read at t^(k-1))
template <typename T>
TAD_HD T lin(const T* jx, const T* d, int k) {
  T acc = jx[k] * d[0];
#pragma unroll
  for (int j = 1; j < k; ++j) acc = acc + jx[j] * d[k - j];
  return acc * (T(1) / T(k));
}

// (y^2)_k = 2 * sum_{j < k-j} y_j y_{k-j} + [k even] y_{k/2}^2
template <typename T>
TAD_HD T sq(const T* y, int k) {
  T acc = T(0);
#pragma unroll
  for (int j = 0; j < (k + 1) / 2; ++j) acc = acc + y[j] * y[k - j];
  acc = acc * T(2);
  if (k % 2 == 0) acc = acc + y[k / 2] * y[k / 2];
  return acc;
}

// jx_j = j * x_j for j = 1..K (jx_0 unused)
template <typename T, int K>
TAD_HD void scaled(const T (&x)[K + 1], T (&jx)[K + 1]) {
  jx[0] = T(0);
#pragma unroll
  for (int j = 1; j <= K; ++j) jx[j] = x[j] * T(j);
}

// ---------------------------------------------------------------------------------------------
// Element drivers: load one element's coefficients, apply Rule, store y_1..y_K. The kernels
// below loop over elements; the CPU test harness calls the same drivers in a host loop.

__host__ __device__ inline long long primal_index(long long i, long long n, long long m) {
  return n == m ? i : i % m;
}

// unary y = f(x): Rule::apply(x[0..K], y[0..K]) with y[0] = the primal output (already computed
// by the primitive's implementation) on entry.
template <class Rule, typename T, int K>
__host__ __device__ inline void unary_element(const T* __restrict__ x0, const T* __restrict__ y0,
                                              const T* __restrict__ xs, T* __restrict__ ys,
                                              long long n, long long m, long long i) {
  const long long p = primal_index(i, n, m);
  T x[K + 1], y[K + 1];
  x[0] = x0[p];
  y[0] = y0[p];
#pragma unroll
  for (int k = 1; k <= K; ++k) x[k] = xs[(k - 1) * n + i];
  Rule::template apply<T, K>(x, y);
#pragma unroll
  for (int k = 1; k <= K; ++k) ys[(k - 1) * n + i] = y[k];
}

template <class Rule, typename T, int K>
__global__ void taylor_unary(const T* __restrict__ x0, const T* __restrict__ y0,
                             const T* __restrict__ xs, T* __restrict__ ys, long long n,
                             long long m) {
  const long long stride = (long long)blockDim.x * gridDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    unary_element<Rule, T, K>(x0, y0, xs, ys, n, m, i);
}

}  // namespace taylorad

#endif  // TAYLORAD_TAYLOR_COMMON_CUH
