// The reference eye engine and the choice of eye engine; see eye_engine.hpp.
#include "host/eye_engine.hpp"

#include "host/cpu_eye_engine.hpp"
#include "host/cuda_eye_engine.hpp"
#include "host/parallel.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

/// reference_eye, one eye per worker.
class ReferenceEyeEngine final : public EyeEngine {
 public:
  explicit ReferenceEyeEngine(unsigned threads) : threads_(threads) {}
  std::string_view name() const override { return "reference"; }
  std::string device() const override {
    return "CPU, " + std::to_string(worker_count(threads_, 1u << 20)) + " threads, double precision";
  }
  std::vector<StatEye> run(std::span<const EyeInputs> eyes, const EyeOptions& options) override {
    check_eye_options(options);
    std::vector<StatEye> results(eyes.size());
    parallel_chunks(eyes.size(), 1, worker_count(threads_, eyes.size()), [&](std::size_t first, std::size_t last, unsigned) {
      for (std::size_t i = first; i < last; ++i) results[i] = reference_eye(eyes[i], options);
    });
    return results;
  }

 private:
  unsigned threads_;
};

}  // namespace

std::unique_ptr<EyeEngine> make_eye_engine(Backend backend, const EngineOptions& options, std::string* choice) {
  const auto say = [&](std::string text) {
    if (choice) *choice = std::move(text);
  };
  switch (backend) {
    case Backend::reference:
      say("reference eye engine (asked for)");
      return std::make_unique<ReferenceEyeEngine>(options.threads);
    case Backend::cpu:
      say("cpu eye engine (asked for)");
      return std::make_unique<CpuEyeEngine>(options.threads);
    case Backend::cuda: {
      if (!built_with_cuda()) throw InputError("--backend cuda: this eyesweep was built without CUDA (no nvcc found)");
      const std::optional<CudaDeviceInfo> gpu = usable_cuda_device();
      if (!gpu) {
        throw InputError("--backend cuda: no CUDA device of compute capability 7.5 or newer that this build's "
                         "kernels run on answers (CMAKE_CUDA_ARCHITECTURES must cover the GPU; see eyesweep info)");
      }
      say("cuda eye engine on " + gpu->name + " (asked for)");
      return make_cuda_eye_engine(gpu->index, options.threads);
    }
    case Backend::automatic:
      break;
  }
  if (const std::optional<CudaDeviceInfo> gpu = usable_cuda_device()) {
    say("cuda eye engine on " + gpu->name + " (auto: a GPU answers)");
    return make_cuda_eye_engine(gpu->index, options.threads);
  }
  say(std::string("cpu eye engine (auto: ") +
      (built_with_cuda() ? "no CUDA device this build's kernels run on answers" : "built without CUDA") + ")");
  return std::make_unique<CpuEyeEngine>(options.threads);
}

}  // namespace eyesweep
