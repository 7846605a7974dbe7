// Which CUDA devices answer on this machine. Safe everywhere: on a machine without a GPU or
// driver, or in a build without CUDA, the list is empty (never an error, never a crash).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace eyesweep {

struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  int compute_major = 0, compute_minor = 0;
  std::size_t memory_bytes = 0;
  /// Whether this build carries machine code or PTX the device can run (the CUDA
  /// architectures it was compiled for, CMAKE_CUDA_ARCHITECTURES, cover the device).
  bool runs_our_kernels = false;
};

/// Whether this binary was built with the CUDA parts.
bool built_with_cuda();

/// The CUDA devices that answer. cudaGetDeviceCount returns an error (e.g. 35, insufficient
/// driver) and leaves the count unwritten where no GPU is usable: that is an empty list.
std::vector<CudaDeviceInfo> list_cuda_devices();

}  // namespace eyesweep
