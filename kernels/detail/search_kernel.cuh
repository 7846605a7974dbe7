// The CUDA search kernel: one block per (variant, CTLE) record and tile of Tx combinations,
// one thread per combination (grid-stride over the tiles), the record's pulse staged in
// shared memory, the block's best point merged into the record's key with one atomicMax.
#pragma once

#include "kernels/detail/best_key.cuh"
#include "kernels/search_layout.hpp"
#include "kernels/search_point.hpp"

namespace eyesweep::cuda::detail {

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
  merge_block_best<kBlock>(mine, best + record);
}

}  // namespace eyesweep::cuda::detail
