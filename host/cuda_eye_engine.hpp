// The CUDA eye engine: each (eye, extended phase) planned on the host threads
// (host/eye_phase_plan.hpp), every phase's PDF and tails and every map's phase mixing on the
// GPU (kernels/eye_device.hpp, the float arithmetic of kernels/eye/eye_phase.hpp), the maps
// measured on the host by the shared double code (measure_eye).
#pragma once

#include <memory>

#include "host/eye_engine.hpp"

namespace eyesweep {

/// The CUDA eye engine on device `device`, its host work on `threads` threads (0 = all cores).
/// Throws InputError in a build without CUDA.
std::unique_ptr<EyeEngine> make_cuda_eye_engine(int device, unsigned threads);

}  // namespace eyesweep
