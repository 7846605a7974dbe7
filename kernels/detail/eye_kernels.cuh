// The CUDA kernels of the statistical eyes (see kernels/eye_device.hpp):
// - phase_tails_kernel: one block per (eye, extended phase). The variables' offsets and two
//   PDF buffers live in shared memory; each variable is one pass of level_sum over bins 0..h
//   (each written at -i too: the PDF is even), a barrier between variables. Then the Gaussian
//   (gaussian_sums), suffix sums from the top (a block scan, each thread a contiguous run of
//   cells) and the tails at every map voltage of every level, to global memory.
// - eye_map_kernel: one block per (eye, phase): the level means mixed over the timing weights,
//   then for each voltage the two one-sided tails of its adjacent levels, mixed, as
//   assemble_eye_map combines them.
#pragma once

#include "kernels/eye/eye_phase.hpp"
#include "kernels/eye_device.hpp"

namespace eyesweep::cuda::detail {

constexpr int kWarp = 32;

/// Sum over a warp (every lane gets it).
__device__ inline float warp_sum(float x) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) x += __shfl_xor_sync(0xFFFFFFFFu, x, offset);
  return x;
}

/// Exclusive prefix sums of one value per thread (thread order), through `scratch` (one float
/// per warp). Every thread of the block must call it.
template <int kThreads>
__device__ inline float block_exclusive_scan(float x, float* scratch) {
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  float inclusive = x;
  for (int offset = 1; offset < kWarp; offset *= 2) {
    const float up = __shfl_up_sync(0xFFFFFFFFu, inclusive, offset);
    if (lane >= offset) inclusive += up;
  }
  if (lane == kWarp - 1) scratch[warp] = inclusive;
  __syncthreads();
  float before = 0.0f;
  for (int w = 0; w < warp; ++w) before += scratch[w];
  __syncthreads();  // scratch may be reused after the call
  return before + inclusive - x;
}

template <int kLevels, int kThreads>
__global__ void __launch_bounds__(kThreads)
    phase_tails_kernel(const EyePhaseJob* jobs, const int* offsets, const double* means, int bins, float* tails) {
  extern __shared__ float shared[];
  __shared__ float scan_scratch[kThreads / kWarp];
  const EyePhaseJob job = jobs[blockIdx.x];
  const int L = kLevels > 0 ? kLevels : job.levels;
  const int H = job.buffer_reach, K = job.gaussian_reach;
  float* pdf = shared + H;
  float* spare = shared + (2 * H + 1) + H;
  float* g = shared + 2 * (2 * H + 1) + K;
  int* offset_table = reinterpret_cast<int*>(shared + 2 * (2 * H + 1) + 2 * K + 1);

  const int buffer_floats = 2 * (2 * H + 1);
  for (int i = threadIdx.x; i < buffer_floats; i += kThreads) shared[i] = 0.0f;
  const long long table = static_cast<long long>(job.variables) * L;
  for (long long i = threadIdx.x; i < table; i += kThreads) offset_table[i] = offsets[job.offsets_begin + i];
  for (int k = threadIdx.x; k <= K; k += kThreads) {
    g[k] = g[-k] = K == 0 ? 1.0f : static_cast<float>(eye::gaussian_cell_mass(k, job.gaussian_scale));
  }
  __syncthreads();
  if (threadIdx.x == 0) pdf[0] = 1.0f;
  __syncthreads();

  // The variables, smallest first; every thread tracks the same support.
  const float p = 1.0f / static_cast<float>(L);
  eye::SupportTracker support;
  support.window = job.window;
  for (int v = 0; v < job.variables; ++v) {
    const int* o = offset_table + static_cast<long long>(v) * L;
    const int h_old = support.half_width;
    support.add(abs(o[0]));
    const int h = support.half_width;
    const int last = support.piles ? h - 1 : h;  // with a pile the edge bin is warp 0's
    for (int i = threadIdx.x; i <= last; i += kThreads) {
      const float mass = p * eye::level_sum<kLevels>(pdf, i, o, L);
      spare[i] = mass;
      spare[-i] = mass;
    }
    if (support.piles && threadIdx.x < kWarp) {
      const float edge = p * warp_sum(eye::edge_mass(pdf, h_old, o, L, h, threadIdx.x, kWarp));
      if (threadIdx.x == 0) spare[h] = spare[-h] = edge;
    }
    __syncthreads();
    float* t = pdf;
    pdf = spare;
    spare = t;
  }

  // The Gaussian, into the spare buffer: f on [-R, R].
  const int R = support.half_width + K;
  float* f = spare;
  for (int i = threadIdx.x; i <= R; i += kThreads) {
    float sum;
    eye::gaussian_sums<1>(pdf, g, K, i, &sum);
    f[i] = sum;
    f[-i] = sum;
  }
  __syncthreads();

  // Suffix sums from the top into the PDF's buffer: each thread a contiguous run of cells,
  // thread 0 the highest, then the runs' totals scanned across the block.
  float* above = pdf;
  const int cells = 2 * R + 1;
  const int run = (cells + kThreads - 1) / kThreads;
  const int top = R - static_cast<int>(threadIdx.x) * run;  // this thread's highest cell
  const int bottom = max(top - run + 1, -R);
  float total = 0.0f;
  for (int c = top; c >= bottom; --c) total += f[c];
  float running = block_exclusive_scan<kThreads>(total, scan_scratch);
  for (int c = top; c >= bottom; --c) {
    running += f[c];
    above[c] = running;
  }
  if (threadIdx.x == 0) above[R + 1] = 0.0f;
  __syncthreads();

  // The tails at every map voltage of every level.
  float* out = tails + job.tails_begin;
  for (int k = 0; k < L; ++k) {
    const eye::LevelCells at = eye::level_cells(means[job.means_begin + k], job.bin_V, bins);
    for (int b = threadIdx.x; b < bins; b += kThreads) {
      out[static_cast<long long>(k) * bins + b] = eye::tail(f, above, R, at.first + b, at.t);
      out[static_cast<long long>(L + k) * bins + b] = eye::tail(f, above, R, at.mirror_first - b, at.mirror_t);
    }
  }
}

template <int kThreads>
__global__ void __launch_bounds__(kThreads)
    eye_map_kernel(const EyeMapJob* eyes, const double* means, const double* weights, const float* tails, int phases,
                   int bins, float* ratio, double* mixed_means) {
  __shared__ double mean[kMaxEyeLevels];
  const EyeMapJob eye = eyes[blockIdx.y];
  const int j = blockIdx.x, L = eye.levels;
  const double* w = weights + eye.weights_begin;
  const long long stride = 2LL * L * bins;  // tail floats per extended phase
  const int level = threadIdx.x;
  if (level < L) {  // each level's mean, mixed in assemble_eye_map's order
    double m = 0.0;
    for (int s = 0; s < eye.weights; ++s) m += w[s] * means[eye.means_begin + static_cast<long long>(j + s) * L + level];
    mean[level] = m;
    mixed_means[eye.mixed_means_begin + static_cast<long long>(j) * L + level] = m;
  }
  __syncthreads();
  for (int b = threadIdx.x; b < bins; b += kThreads) {
    const double v = (b - bins / 2) * eye.bin_V;
    int k = 0;  // the highest level whose mean is below v, or -1
    while (k < L && mean[k] < v) ++k;
    --k;
    // P(level k lands above v) + P(level k + 1 lands below v), each mixed over the phases.
    double up = 0.0, down = 0.0;
    for (int s = 0; s < eye.weights; ++s) {
      const float* t = tails + eye.tails_begin + static_cast<long long>(j + s) * stride;
      if (k >= 0) up += w[s] * t[static_cast<long long>(k) * bins + b];
      if (k + 1 < L) down += w[s] * t[static_cast<long long>(L + k + 1) * bins + b];
    }
    ratio[(static_cast<long long>(blockIdx.y) * phases + j) * bins + b] = static_cast<float>(up + down);
  }
}

}  // namespace eyesweep::cuda::detail
