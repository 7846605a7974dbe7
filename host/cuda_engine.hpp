// The CUDA engine: variants prepared and tabulated on the host threads, every grid point
// scored on the GPU by kernels/search_kernel.cu, the winners analysed in double on the host.
#pragma once

#include <memory>

#include "host/engine.hpp"

namespace eyesweep {

/// The CUDA engine on device `device`, its host work on `threads` threads (0 = all cores).
/// Throws InputError in a build without CUDA.
std::unique_ptr<Engine> make_cuda_engine(int device, unsigned threads);

}  // namespace eyesweep
