// The best point of a (variant, CTLE) record as one packed 64-bit key (search_device.hpp's
// BestKey): each thread keeps its best key, a block merges them and one atomicMax per block
// merges the blocks. Shared by the DFE and MMSE search kernels.
#pragma once

#include <cstdint>

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

/// Merges every thread's `mine` into *best: within each warp by shuffles, then across warps
/// through shared memory, then one atomicMax. Every thread of the block must call it.
template <int kBlock>
__device__ inline void merge_block_best(unsigned long long mine, unsigned long long* best) {
  for (int offset = 16; offset > 0; offset /= 2) {
    const unsigned long long other = __shfl_down_sync(0xFFFFFFFFu, mine, offset);
    mine = other > mine ? other : mine;
  }
  __shared__ unsigned long long warp_best[kBlock / 32];
  if (threadIdx.x % 32 == 0) warp_best[threadIdx.x / 32] = mine;
  __syncthreads();
  if (threadIdx.x == 0) {
    for (int w = 1; w < kBlock / 32; ++w) mine = warp_best[w] > mine ? warp_best[w] : mine;
    if (mine != 0) atomicMax(best, mine);
  }
}

}  // namespace eyesweep::cuda::detail
