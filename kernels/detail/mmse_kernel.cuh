// The CUDA search with the MMSE Rx FFE receiver: one variant per launch, one block per CTLE
// record and tile of Tx combinations, one thread per combination (grid-stride over the
// tiles) running kernels/mmse_point.hpp, the block's best point merged into the record's key.
// The solve's matrices live in each thread's local memory (N_w^2 doubles).
#pragma once

#include "kernels/detail/best_key.cuh"
#include "kernels/mmse_point.hpp"
#include "kernels/search_layout.hpp"

namespace eyesweep::cuda::detail {

template <int kTaps, int kBlock>
__global__ void __launch_bounds__(kBlock)
    mmse_kernel(search::GridView grid, search::VariantView v, search::TableLayout peak_layout, const float* peak_floats,
                const double* peak_doubles, const int* peak_ints, search::MmseLayout layout, const double* doubles,
                const float* floats, const int* ints, search::RxFfeView ffe, unsigned long long* best) {
  const long long record = blockIdx.x;
  const search::CtleView peak = search::ctle_view(peak_layout, peak_floats, peak_doubles, peak_ints, record);
  const search::MmseRecordView tables = search::mmse_view(layout, doubles, floats, ints, record);
  unsigned long long mine = 0;
  for (long long tx = static_cast<long long>(blockIdx.y) * kBlock + threadIdx.x; tx < grid.num_tx;
       tx += static_cast<long long>(gridDim.y) * kBlock) {
    const search::PointScore score = search::score_mmse_point<kTaps>(grid, v, peak, layout, tables, ffe, tx);
    const unsigned long long key = pack_key(score.fom_dB, tx);
    mine = key > mine ? key : mine;
  }
  merge_block_best<kBlock>(mine, best + record);
}

}  // namespace eyesweep::cuda::detail
