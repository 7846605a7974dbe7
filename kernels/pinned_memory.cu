// Page-locked host memory; see pinned_array.hpp.
#include <cuda_runtime.h>

#include "kernels/common/cuda_check.cuh"
#include "kernels/pinned_array.hpp"

namespace eyesweep::cuda {

void* allocate_pinned(std::size_t bytes) {
  void* memory = nullptr;
  if (bytes > 0) ES_CUDA_TRY(cudaMallocHost(&memory, bytes));
  return memory;
}

void free_pinned(void* memory) noexcept {
  if (memory) cudaFreeHost(memory);  // an error here (e.g. a dead context) cannot be reported
}

}  // namespace eyesweep::cuda
