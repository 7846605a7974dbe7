// Variants, backend names and engine selection; see engine.hpp.
#include "host/engine.hpp"

#include <algorithm>

#include "host/cpu_engine.hpp"
#include "host/reference_engine.hpp"
#include "host/search_tables.hpp"
#include "kernels/common/error.hpp"
#include "kernels/cuda_device.hpp"
#include "host/cuda_engine.hpp"

namespace eyesweep {

ComConfig variant_config(const ComConfig& spec, const ChannelVariant& variant) {
  ComConfig cfg = spec;
  cfg.package_cases = {variant.package};
  const VariantScalars& s = variant.scalars;
  const auto apply = [](double& field, const std::optional<double>& value) {
    if (value) field = *value;
  };
  apply(cfg.eta_0_V2_per_GHz, s.eta_0_V2_per_GHz);
  apply(cfg.sigma_RJ_UI, s.sigma_RJ_UI);
  apply(cfg.A_DD_UI, s.A_DD_UI);
  apply(cfg.SNR_TX_dB, s.SNR_TX_dB);
  apply(cfg.R_LM, s.R_LM);
  apply(cfg.A_v, s.A_v);
  apply(cfg.A_fe, s.A_fe);
  apply(cfg.A_ne, s.A_ne);
  return cfg;
}

void check_batch(const EngineBatch& batch) {
  ES_EXPECTS(batch.spec != nullptr, "a batch needs a specification");
  if (batch.variants.empty()) return;
  std::vector<std::string> notes;  // notes are for reports; here only the refusals matter
  check_supported(variant_config(*batch.spec, batch.variants.front()), notes);
}

ComResult run_com_on(Engine& engine, const ComConfig& cfg, const std::vector<LoadedChannel>& channels) {
  ComResult result;
  result.engine = std::string(engine.name());
  check_supported(cfg, result.notes);
  for (const LoadedChannel& channel : channels) {
    result.notes.insert(result.notes.end(), channel.warnings.begin(), channel.warnings.end());
  }
  note_band_coverage(cfg, channels.front(), result.notes);
  const auto shared = std::make_shared<const std::vector<LoadedChannel>>(channels);
  std::vector<ChannelVariant> variants;
  for (const PackageCase& package : cfg.package_cases) variants.push_back({shared, package, {}});
  std::vector<VariantResult> runs = engine.run({&cfg, variants, 0});
  result.device = engine.device();  // after the run: the CUDA engine names its device then
  for (std::size_t c = 0; c < runs.size(); ++c) {
    if (!runs[c].ok) throw InputError(runs[c].error);
    result.cases.push_back(std::move(runs[c].com));
    result.cases.back().package_case = c;
    result.cases.back().lengths = cfg.package_cases[c];
  }
  const auto worst = std::min_element(result.cases.begin(), result.cases.end(),
                                      [](const ComCaseResult& a, const ComCaseResult& b) { return a.com_dB < b.com_dB; });
  result.worst_case = static_cast<std::size_t>(worst - result.cases.begin());
  result.com_dB = worst->com_dB;
  return result;
}

Backend parse_backend(std::string_view text, std::string_view option) {
  if (text == "auto") return Backend::automatic;
  if (text == "cpu") return Backend::cpu;
  if (text == "cuda") return Backend::cuda;
  if (text == "reference") return Backend::reference;
  throw InputError(std::string(option) + " " + std::string(text) + ": expected auto, cpu, cuda or reference");
}

std::optional<CudaDeviceInfo> usable_cuda_device() {
  for (const CudaDeviceInfo& d : list_cuda_devices()) {
    if (d.compute_major * 10 + d.compute_minor >= 75 && d.runs_our_kernels) return d;
  }
  return std::nullopt;
}

std::unique_ptr<Engine> make_engine(Backend backend, const ComConfig& spec, const EngineOptions& options,
                                    std::string* choice) {
  const auto say = [&](std::string text) {
    if (choice) *choice = std::move(text);
  };
  // The CPU engine searches a superset of what the CUDA engine searches (the MMSE Rx FFE).
  const std::string cpu_limitation = fast_engine_limitation(spec, FastEngine::cpu);
  const std::string cuda_limitation = fast_engine_limitation(spec, FastEngine::cuda);
  switch (backend) {
    case Backend::reference:
      say("reference engine (asked for)");
      return std::make_unique<ReferenceEngine>(options.threads);
    case Backend::cpu:
      if (!cpu_limitation.empty()) throw InputError("--backend cpu: " + spec.source + ": " + cpu_limitation);
      say("cpu engine (asked for)");
      return std::make_unique<CpuEngine>(options.threads);
    case Backend::cuda: {
      if (!cuda_limitation.empty()) throw InputError("--backend cuda: " + spec.source + ": " + cuda_limitation);
      if (!built_with_cuda()) throw InputError("--backend cuda: this eyesweep was built without CUDA (no nvcc found)");
      const std::optional<CudaDeviceInfo> gpu = usable_cuda_device();
      if (!gpu) {
        throw InputError("--backend cuda: no CUDA device of compute capability 7.5 or newer that this build's "
                         "kernels run on answers (CMAKE_CUDA_ARCHITECTURES must cover the GPU; see eyesweep info)");
      }
      say("cuda engine on " + gpu->name + " (asked for)");
      return make_cuda_engine(gpu->index, options.threads);
    }
    case Backend::automatic:
      break;
  }
  if (!cpu_limitation.empty()) {
    say("reference engine (auto: " + cpu_limitation + ")");
    return std::make_unique<ReferenceEngine>(options.threads);
  }
  if (!cuda_limitation.empty()) {
    say("cpu engine (auto: " + cuda_limitation + ")");
    return std::make_unique<CpuEngine>(options.threads);
  }
  if (const std::optional<CudaDeviceInfo> gpu = usable_cuda_device()) {
    say("cuda engine on " + gpu->name + " (auto: a GPU answers)");
    return make_cuda_engine(gpu->index, options.threads);
  }
  say(std::string("cpu engine (auto: ") +
      (built_with_cuda() ? "no CUDA device this build's kernels run on answers" : "built without CUDA") + ")");
  return std::make_unique<CpuEngine>(options.threads);
}

}  // namespace eyesweep
