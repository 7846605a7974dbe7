// CUDA device discovery; see cuda_device.hpp. Linked against the static CUDA runtime, which
// loads the driver at run time, so the binary starts on machines without one.
#include <cuda_runtime.h>

#include "kernels/cuda_device.hpp"

namespace eyesweep {
namespace {

/// Compiled with the library's architecture flags: if the device can load it, it can load
/// every kernel of the library.
__global__ void probe_kernel() {}

bool device_runs_our_kernels(int device) {
  if (cudaSetDevice(device) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  cudaFuncAttributes attributes{};
  const bool runs = cudaFuncGetAttributes(&attributes, probe_kernel) == cudaSuccess;
  cudaGetLastError();  // a missing image leaves no sticky error, but be sure
  return runs;
}

}  // namespace

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
    devices.push_back({i, prop.name, prop.major, prop.minor, prop.totalGlobalMem, device_runs_our_kernels(i)});
  }
  return devices;
}

}  // namespace eyesweep
