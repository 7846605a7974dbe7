// The CUDA parts in a build without CUDA: no devices (see kernels/cuda_device.hpp), and no
// CUDA engines (see cuda_engine.hpp, cuda_eye_engine.hpp).
#include "host/cuda_engine.hpp"
#include "host/cuda_eye_engine.hpp"
#include "kernels/common/error.hpp"
#include "kernels/cuda_device.hpp"

namespace eyesweep {

bool built_with_cuda() { return false; }

std::vector<CudaDeviceInfo> list_cuda_devices() { return {}; }

std::unique_ptr<Engine> make_cuda_engine(int, unsigned) {
  throw InputError("the CUDA engine is not available: this eyesweep was built without CUDA (no nvcc found)");
}

std::unique_ptr<EyeEngine> make_cuda_eye_engine(int, unsigned) {
  throw InputError("the CUDA eye engine is not available: this eyesweep was built without CUDA (no nvcc found)");
}

}  // namespace eyesweep
