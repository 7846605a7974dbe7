// Checking CUDA runtime calls and launches: every failure becomes an eyesweep::CudaError
// carrying the call, file:line and the runtime's message (rmm/cudf style).
#pragma once

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace eyesweep {

/// A CUDA runtime or launch failure.
class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
inline void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
  throw CudaError(std::string(file) + ":" + std::to_string(line) + ": " + call + " failed: " +
                  cudaGetErrorName(status) + ": " + cudaGetErrorString(status));
}
}  // namespace detail

}  // namespace eyesweep

/// Runs a CUDA runtime call and throws eyesweep::CudaError when it fails.
#define ES_CUDA_TRY(call)                                                                  \
  do {                                                                                     \
    const cudaError_t es_status_ = (call);                                                 \
    if (es_status_ != cudaSuccess) ::eyesweep::detail::throw_cuda_error(es_status_, #call, __FILE__, __LINE__); \
  } while (0)

/// After a kernel launch: the launch's own error (bad configuration, missing image).
#define ES_CUDA_CHECK_LAUNCH() ES_CUDA_TRY(cudaGetLastError())
