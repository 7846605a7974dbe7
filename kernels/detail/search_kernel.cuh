// The CUDA search kernel: one block per (variant, CTLE) record and tile of Tx combinations,
// one thread per combination (grid-stride over the tiles), the record's pulse staged in
// shared memory, the block's best point merged into the record's key with one atomicMax.
#pragma once

#include <cstdint>

#include "kernels/search_layout.hpp"
#include "kernels/search_point.hpp"

namespace eyesweep::cuda::detail {

/// Order-preserving map of a float to an unsigned integer (larger float, larger integer).
__device__ inline std::uint32_t ordered_bits(float x) {
  const std::uint32_t bits = __float_as_uint(x);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

/// The key of a point; 0 (never a winner) when its FOM is not finite, as the CPU engine
/// never keeps such a point (a NaN would otherwise order above every number).
__device__ inline unsigned long long pack_key(double fom_dB, long long tx) {
  if (!isfinite(fom_dB)) return 0;
  return (static_cast<unsigned long long>(ordered_bits(static_cast<float>(fom_dB))) << 32) |
         (0xFFFFFFFFull - static_cast<unsigned long long>(tx));
}

template <int kTaps, int kBlock>
__global__ void __launch_bounds__(kBlock) search_kernel(search::GridView grid, const search::VariantView* variants,
                                                        search::TableLayout layout, const float* floats,
                                                        const double* doubles, const int* ints, int n_ctle,
                                                        bool pulse_in_shared, unsigned long long* best) {
  extern __shared__ float shared_pulse[];
  const long long record = blockIdx.x;
  const search::VariantView v = variants[record / n_ctle];
  search::CtleView c = search::ctle_view(layout, floats, doubles, ints, record);
  if (pulse_in_shared) {  // uniform over the launch: the barrier is reached by all or none
    const int pad = layout.pulse_pad, n = v.N + 2 * pad;
    for (int i = threadIdx.x; i < n; i += kBlock) shared_pulse[i] = c.pulse[i - pad];
    __syncthreads();
    c.pulse = shared_pulse + pad;
  }
  unsigned long long mine = 0;
  for (long long tx = static_cast<long long>(blockIdx.y) * kBlock + threadIdx.x; tx < grid.num_tx;
       tx += static_cast<long long>(gridDim.y) * kBlock) {
    const search::PointScore score = search::score_point<kTaps>(grid, v, c, tx);
    const unsigned long long key = pack_key(score.fom_dB, tx);
    mine = key > mine ? key : mine;
  }
  // Block maximum: within each warp by shuffles, then across warps through shared memory.
  for (int offset = 16; offset > 0; offset /= 2) {
    const unsigned long long other = __shfl_down_sync(0xFFFFFFFFu, mine, offset);
    mine = other > mine ? other : mine;
  }
  __shared__ unsigned long long warp_best[kBlock / 32];
  if (threadIdx.x % 32 == 0) warp_best[threadIdx.x / 32] = mine;
  __syncthreads();
  if (threadIdx.x == 0) {
    for (int w = 1; w < kBlock / 32; ++w) mine = warp_best[w] > mine ? warp_best[w] : mine;
    if (mine != 0) atomicMax(best + record, mine);
  }
}

}  // namespace eyesweep::cuda::detail
