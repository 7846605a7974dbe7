// The CPU eye engine: every (eye, phase) of a batch on all cores, each phase's PDF and tails in
// the shared float arithmetic (kernels/eye/eye_phase.hpp), the maps assembled and measured in
// double by the shared code of host/stat_eye.cpp.
#pragma once

#include "host/eye_engine.hpp"

namespace eyesweep {

class CpuEyeEngine final : public EyeEngine {
 public:
  /// On `threads` worker threads (0 = all cores).
  explicit CpuEyeEngine(unsigned threads) : threads_(threads) {}
  std::string_view name() const override { return "cpu"; }
  std::string device() const override;
  std::vector<StatEye> run(std::span<const EyeInputs> eyes, const EyeOptions& options) override;

 private:
  unsigned threads_;
};

}  // namespace eyesweep
