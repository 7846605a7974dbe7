// The double-precision reference engine behind the Engine interface: run_com's exhaustive
// search, one variant at a time on all cores.
#pragma once

#include "host/engine.hpp"

namespace eyesweep {

class ReferenceEngine final : public Engine {
 public:
  explicit ReferenceEngine(unsigned threads) : threads_(threads) {}
  std::string_view name() const override { return "reference"; }
  std::string device() const override;
  std::vector<VariantResult> run(const EngineBatch& batch) override;

 private:
  unsigned threads_;
};

}  // namespace eyesweep
