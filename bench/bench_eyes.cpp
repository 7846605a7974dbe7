// Speed of the three statistical-eye engines at the default 64 phases x 2048 bins, PAM4, on the
// synthetic channel of tests/synthetic_eyes.hpp (no data files): a 128 UI victim pulse at 32
// samples per UI (115 ISI cursors above a quarter bin after a 12-tap DFE), 6 aggressors of
// 128 UI, Gaussian noise, and jitter (A_DD 0.02 UI, sigma_RJ 0.01 UI) mixed over the phases:
// 82 extended phases of about 220 variables each.
//  - Eyes_<engine>: eyes per second end to end (inputs to measured StatEyes: planning, PDFs,
//    tails, maps, measurements), a batch of identical eyes per call.
//  - EyeHostStages_*: the host's share of an eye, one thread: planning its 82 phases
//    (eye_phase_samples, binning, sorting) and measuring its map (measure_eye). With a GPU
//    doing the rest, these bound the CUDA engine at (host threads) / (their sum) eyes per second.
//  - EyeHostShare_AllCores: that bound measured: planning every phase of a CUDA-size batch (256
//    eyes, one plan kept per phase as the CUDA engine keeps them) and measuring 256 maps, on all
//    cores. Set beside Eyes_Cuda, it says whether the host or the device holds the CUDA engine.
#include <benchmark/benchmark.h>

#include <vector>

#include "host/eye_engine.hpp"
#include "host/eye_phase_plan.hpp"
#include "host/parallel.hpp"
#include "kernels/cuda_device.hpp"
#include "tests/synthetic_eyes.hpp"

namespace eyesweep {
namespace {

const EyeInputs& bench_eye() {
  static const EyeInputs eye = test::synthetic_eye({});
  return eye;
}

void eyes_per_second(benchmark::State& state, Backend backend) {
  if (backend == Backend::cuda && !usable_cuda_device()) {
    state.SkipWithError("no CUDA device answers");
    return;
  }
  const std::vector<EyeInputs> eyes(static_cast<std::size_t>(state.range(0)), bench_eye());
  const EyeOptions options;  // 64 x 2048, synchronous crosstalk, phase-mixing jitter
  const auto engine = make_eye_engine(backend, {});
  engine->run(std::span(eyes.data(), 1), options);  // warm-up: device context, first allocations
  for (auto _ : state) {
    std::vector<StatEye> result = engine->run(eyes, options);
    benchmark::DoNotOptimize(result.data());
  }
  state.counters["eyes_per_s"] = benchmark::Counter(static_cast<double>(eyes.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(engine->device());
}
void BM_Eyes_Reference(benchmark::State& state) { eyes_per_second(state, Backend::reference); }
void BM_Eyes_Cpu(benchmark::State& state) { eyes_per_second(state, Backend::cpu); }
void BM_Eyes_Cuda(benchmark::State& state) { eyes_per_second(state, Backend::cuda); }
BENCHMARK(BM_Eyes_Reference)->Arg(4)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_Eyes_Cpu)->Arg(32)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();
BENCHMARK(BM_Eyes_Cuda)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();

void BM_EyeHostStages_Plan(benchmark::State& state) {
  const EyeOptions options;
  const EyePlanner planner(bench_eye(), options);
  EyePhasePlan plan;
  for (auto _ : state) {
    for (int e = 0; e < planner.extended_phases(); ++e) planner.plan(e, plan);
    benchmark::DoNotOptimize(plan.offsets.data());
  }
  state.counters["phases"] = planner.extended_phases();
  state.counters["variables_per_phase"] = static_cast<double>(plan.variables());
}
BENCHMARK(BM_EyeHostStages_Plan)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_EyeHostStages_Measure(benchmark::State& state) {
  const EyeOptions options;
  const EyePlanner planner(bench_eye(), options);
  const StatEye eye = make_eye_engine(Backend::cpu, {})->run(std::span(&bench_eye(), 1), options).front();
  for (auto _ : state) {
    StatEye measured = planner.measure(eye.map, "cpu");
    benchmark::DoNotOptimize(measured.sub_eyes.data());
  }
}
BENCHMARK(BM_EyeHostStages_Measure)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_EyeHostShare_AllCores(benchmark::State& state) {
  constexpr std::size_t kEyes = 256;  // the CUDA engine's batch
  const EyeOptions options;
  const std::vector<EyePlanner> planners(kEyes, EyePlanner(bench_eye(), options));
  const auto phases = static_cast<std::size_t>(planners.front().extended_phases());
  std::vector<EyePhasePlan> plans(kEyes * phases);
  const EyeMap map = make_eye_engine(Backend::cpu, {})->run(std::span(&bench_eye(), 1), options).front().map;
  const unsigned threads = worker_count(0, plans.size());
  for (auto _ : state) {
    parallel_chunks(plans.size(), 4, threads, [&](std::size_t lo, std::size_t hi, unsigned) {
      for (std::size_t job = lo; job < hi; ++job) planners[job / phases].plan(static_cast<int>(job % phases), plans[job]);
    });
    parallel_chunks(kEyes, 1, worker_count(0, kEyes), [&](std::size_t lo, std::size_t hi, unsigned) {
      for (std::size_t i = lo; i < hi; ++i) benchmark::DoNotOptimize(planners[i].measure(map, "cuda").sub_eyes.data());
    });
  }
  state.counters["eyes_per_s"] = benchmark::Counter(static_cast<double>(kEyes), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = threads;
}
BENCHMARK(BM_EyeHostShare_AllCores)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();

}  // namespace
}  // namespace eyesweep
BENCHMARK_MAIN();
