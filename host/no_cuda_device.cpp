// CUDA device discovery in a build without CUDA: no devices (see kernels/cuda_device.hpp).
#include "kernels/cuda_device.hpp"

namespace eyesweep {

bool built_with_cuda() { return false; }

std::vector<CudaDeviceInfo> list_cuda_devices() { return {}; }

}  // namespace eyesweep
