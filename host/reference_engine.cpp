// The reference engine behind the Engine interface; see reference_engine.hpp.
#include "host/reference_engine.hpp"

#include "host/parallel.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {

std::string ReferenceEngine::device() const {
  return "CPU, " + std::to_string(worker_count(threads_, 1u << 20)) + " threads, double precision";
}

std::vector<VariantResult> ReferenceEngine::run(const EngineBatch& batch) {
  check_batch(batch);
  if (batch.top_k > 0) throw InputError("the K best grid points are reported by the cpu and cuda engines only");
  std::vector<VariantResult> results(batch.variants.size());
  for (std::size_t i = 0; i < batch.variants.size(); ++i) {
    const ChannelVariant& variant = batch.variants[i];
    VariantResult& out = results[i];
    try {
      ComRunOptions options;
      options.threads = threads_;
      const ComResult com = run_com(variant_config(*batch.spec, variant), *variant.channels, options);
      out.com = com.cases.front();
      out.search_fom_dB = out.com.fom_dB;
      out.ok = true;
    } catch (const InputError& e) {
      out.error = e.what();
    }
  }
  return results;
}

}  // namespace eyesweep
