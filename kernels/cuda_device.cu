// CUDA device discovery; see cuda_device.hpp. Linked against the static CUDA runtime, which
// loads the driver at run time, so the binary starts on machines without one.
#include <cuda_runtime.h>

#include "kernels/cuda_device.hpp"

namespace eyesweep {

bool built_with_cuda() { return true; }

std::vector<CudaDeviceInfo> list_cuda_devices() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error state for later callers
    return {};
  }
  std::vector<CudaDeviceInfo> devices;
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    devices.push_back({i, prop.name, prop.major, prop.minor, prop.totalGlobalMem});
  }
  return devices;
}

}  // namespace eyesweep
