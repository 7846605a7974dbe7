// The batched CPU engine: the fast engines' float search (kernels/search_point.hpp) on all
// cores, the winners analysed in double.
#pragma once

#include "host/engine.hpp"

namespace eyesweep {

class CpuEngine final : public Engine {
 public:
  explicit CpuEngine(unsigned threads) : threads_(threads) {}
  std::string_view name() const override { return "cpu"; }
  std::string device() const override;
  std::vector<VariantResult> run(const EngineBatch& batch) override;

 private:
  unsigned threads_;
};

}  // namespace eyesweep
