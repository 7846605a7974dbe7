// The CUDA engine: variants prepared and tabulated on the host threads, every grid point
// scored on the GPU by kernels/search_kernel.cu, the winners analysed in double on the host.
#pragma once

#include <memory>

#include "host/engine.hpp"

namespace eyesweep {

/// The CUDA engine on device `device`. Throws InputError in a build without CUDA.
std::unique_ptr<Engine> make_cuda_engine(int device);

}  // namespace eyesweep
