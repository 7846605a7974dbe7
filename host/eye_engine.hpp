// One interface for the three statistical-eye engines: the reference (host/reference_eye.cpp,
// double, the oracle), the CPU engine and the CUDA engine (the float arithmetic of
// kernels/eye/eye_phase.hpp). Many eyes sharing one set of options in, one StatEye per eye out.
// The fast engines agree with the reference within the tolerance tests/test_eye_engines.cpp
// documents (log10 of the error ratio over the open region, heights, widths, thresholds).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/engine.hpp"
#include "host/stat_eye.hpp"

namespace eyesweep {

class EyeEngine {
 public:
  virtual ~EyeEngine() = default;
  /// "reference", "cpu" or "cuda"
  virtual std::string_view name() const = 0;
  /// What it runs on, for reports (e.g. "2 threads", the GPU's name).
  virtual std::string device() const = 0;
  /// One eye per input, in order; each StatEye's `engine` names the engine. Throws InputError
  /// on bad options or inputs (before any eye is computed where the check allows).
  virtual std::vector<StatEye> run(std::span<const EyeInputs> eyes, const EyeOptions& options) = 0;
};

/// The eye engine for `backend`: `auto` is CUDA when a device answers (compute capability 7.5
/// or newer, covered by this build's kernels), else the CPU engine, and says which and why in
/// `choice`. Throws InputError for `cuda` where no GPU answers or in a build without CUDA.
std::unique_ptr<EyeEngine> make_eye_engine(Backend backend, const EngineOptions& options, std::string* choice = nullptr);

}  // namespace eyesweep
