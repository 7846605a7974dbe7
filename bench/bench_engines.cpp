// Speed of the three engines on the 802.3ck KR-size search: the KR sheet with its 12 fixed
// DFE taps (no floating groups; the CPU engine also with them), 638,715 grid points per variant (4,345 Tx combinations x
// 147 CTLE settings), M = 32, and parametric channel variants of THRU + 3 FEXT + 3 NEXT
// (lengths 80 .. 200 mm) so that the programs need no data files.
//  - SearchPoints: grid points per second of the search alone (tables built beforehand); a
//    point = one Tx x g_DC x g_DC2 combination with its own cursor, DFE and FOM. The CUDA
//    figure is the kernel's own time (CUDA events), copies excluded (reported apart).
//  - EndToEnd: variants per second from loaded channels to COM (responses, tables, search,
//    final analysis of the winner).
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "host/engine.hpp"
#include "host/fast_search.hpp"
#include "host/parallel.hpp"
#include "host/parametric_channel.hpp"
#include "io/config_toml.hpp"
#include "kernels/cuda_device.hpp"
#if defined(EYESWEEP_HAVE_CUDA)
#include "kernels/search_device.hpp"
#include "kernels/table_device.hpp"
#endif

namespace eyesweep {
namespace {

ComConfig kr_size_spec(bool floating = false) {
  ComConfig spec = load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" / "ieee8023ck_kr.toml");
  if (!floating) spec.floating.N_bg = 0;
  return spec;
}

std::vector<ChannelVariant> kr_variants(const ComConfig& spec, std::size_t count) {
  std::vector<ChannelVariant> variants;
  for (std::size_t i = 0; i < count; ++i) {
    ParametricChannel p;
    p.length_mm = 80.0 + 120.0 * static_cast<double>(i % 16) / 15.0;
    p.f_ref_GHz = spec.f_b_GBd / 2.0;
    p.f_max_GHz = spec.f_b_GBd * 1.05;
    variants.push_back({std::make_shared<const std::vector<LoadedChannel>>(parametric_channel_set(p)),
                        spec.package_cases.front(), {}});
  }
  return variants;
}

/// Prepared variants of the KR-size search (with the sheet's floating groups, or without)
/// and their tables.
struct Prepared {
  ComConfig spec;
  SearchGrid grid;
  std::vector<std::unique_ptr<PreparedVariant>> owned;
  std::vector<const PreparedVariant*> variants;
  BatchTables tables;

  explicit Prepared(std::size_t count, bool floating = false)
      : spec(kr_size_spec(floating)), grid(spec, CrosstalkSum::automatic, floating ? FastEngine::cpu : FastEngine::cuda) {
    for (const ChannelVariant& v : kr_variants(spec, count)) {
      owned.push_back(std::make_unique<PreparedVariant>(variant_config(spec, v), *v.channels, grid));
      variants.push_back(owned.back().get());
    }
    tables = build_tables(variants, grid, 0);
  }
};

/// The CPU engine's search of one variant on `threads` threads (0 = all cores); with
/// `floating` = 1 the KR sheet's 3 floating groups of 3 taps within 40 UI are placed per point.
void BM_SearchPoints_Cpu(benchmark::State& state) {
  const Prepared prepared(1, state.range(1) != 0);
  const auto threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    auto best = cpu_search(*prepared.variants[0], prepared.grid, prepared.tables, 0, threads, 1);
    benchmark::DoNotOptimize(best.data());
  }
  const double points = static_cast<double>(prepared.grid.points());
  state.counters["points_per_s"] = benchmark::Counter(points, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = static_cast<double>(worker_count(threads, 1u << 20));
}
BENCHMARK(BM_SearchPoints_Cpu)
    ->ArgNames({"threads", "floating"})
    ->ArgsProduct({{1, 0}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->UseRealTime();

#if defined(EYESWEEP_HAVE_CUDA)
void BM_SearchPoints_Cuda(benchmark::State& state) {
  const std::vector<CudaDeviceInfo> devices = list_cuda_devices();
  if (devices.empty()) {
    state.SkipWithError("no CUDA device answers");
    return;
  }
  const Prepared prepared(static_cast<std::size_t>(state.range(0)));
  cuda::SearchDevice gpu(devices.front().index, prepared.grid.view());
  std::vector<search::VariantView> views;
  for (const PreparedVariant* v : prepared.variants) views.push_back(v->view());
  const BatchTables& t = prepared.tables;
  gpu.search(t.layout, views, t.n_ctle, t.floats.data(), t.doubles.data(), t.ints.data());  // warm-up
  double wall = 0.0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto keys = gpu.search(t.layout, views, t.n_ctle, t.floats.data(), t.doubles.data(), t.ints.data());
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    benchmark::DoNotOptimize(keys.data());
    state.SetIterationTime(gpu.last_kernel_seconds());
  }
  const double points = static_cast<double>(prepared.grid.points() * prepared.variants.size());
  state.counters["points_per_s"] = benchmark::Counter(points, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["points_per_s_with_copies"] = points * static_cast<double>(state.iterations()) / wall;
  state.counters["table_MB"] = static_cast<double>(t.bytes_per_variant() * prepared.variants.size()) / 1e6;
  state.SetLabel(gpu.device_name());
}
BENCHMARK(BM_SearchPoints_Cuda)->Arg(64)->Arg(256)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(1.0);

/// The tables of KR-size variants built on the device (kernels/table_device): the build's
/// device time (CUDA events, the inputs' copies included); the search's are
/// BM_SearchPoints_Cuda, the host's BM_Stage_Tables.
void BM_Stage_Tables_Cuda(benchmark::State& state) {
  const std::vector<CudaDeviceInfo> devices = list_cuda_devices();
  if (devices.empty()) {
    state.SkipWithError("no CUDA device answers");
    return;
  }
  const Prepared prepared(static_cast<std::size_t>(state.range(0)));
  cuda::TableDevice tables(devices.front().index, prepared.grid.ctle(), prepared.grid.record_shape());
  std::vector<search::TableSource> sources;
  for (const PreparedVariant* v : prepared.variants) sources.push_back(v->table_source());
  tables.build(prepared.tables.layout, sources);  // warm-up: the device memory is allocated once
  for (auto _ : state) {
    tables.build(prepared.tables.layout, sources);
    state.SetIterationTime(tables.last_build_seconds());
  }
  const auto variants = static_cast<double>(prepared.variants.size());
  state.counters["variants_per_s"] = benchmark::Counter(variants, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["records_per_s"] =
      benchmark::Counter(variants * static_cast<double>(prepared.grid.ctle().size()), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(devices.front().name);
}
BENCHMARK(BM_Stage_Tables_Cuda)->Arg(64)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(1.0);
#endif

// The host stages of one variant, one thread each: responses (packages, filters, impulse
// responses of THRU + 6 aggressors), the per-CTLE tables, and the final analysis of a winner.
void BM_Stage_Responses(benchmark::State& state) {
  const ComConfig spec = kr_size_spec();
  const SearchGrid grid(spec);
  const ChannelVariant v = kr_variants(spec, 1).front();
  for (auto _ : state) {
    PreparedVariant prepared(variant_config(spec, v), *v.channels, grid);
    benchmark::DoNotOptimize(prepared.pulse_length());
  }
}
BENCHMARK(BM_Stage_Responses)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_Stage_Tables(benchmark::State& state) {
  const Prepared prepared(1);
  for (auto _ : state) {
    const BatchTables tables = build_tables(prepared.variants, prepared.grid, 1);
    benchmark::DoNotOptimize(tables.floats.data());
  }
  state.counters["MB"] = static_cast<double>(prepared.tables.bytes_per_variant()) / 1e6;
}
BENCHMARK(BM_Stage_Tables)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_Stage_Finish(benchmark::State& state) {
  const Prepared prepared(1);
  const std::vector<GridPointScore> best = cpu_search(*prepared.variants[0], prepared.grid, prepared.tables, 0, 0, 1);
  for (auto _ : state) {
    VariantResult result = finish_variant(*prepared.variants[0], prepared.grid, best, 0);
    benchmark::DoNotOptimize(result.com.com_dB);
  }
}
BENCHMARK(BM_Stage_Finish)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void end_to_end(benchmark::State& state, Backend backend) {
  const ComConfig spec = kr_size_spec();
  if (backend == Backend::cuda && list_cuda_devices().empty()) {
    state.SkipWithError("no CUDA device answers");
    return;
  }
  const std::vector<ChannelVariant> variants = kr_variants(spec, static_cast<std::size_t>(state.range(0)));
  const auto engine = make_engine(backend, spec, {});
  for (auto _ : state) {
    auto results = engine->run({&spec, variants, 0});
    benchmark::DoNotOptimize(results.data());
  }
  state.counters["variants_per_s"] =
      benchmark::Counter(static_cast<double>(variants.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(engine->device());
}
void BM_EndToEnd_Reference(benchmark::State& state) { end_to_end(state, Backend::reference); }
void BM_EndToEnd_Cpu(benchmark::State& state) { end_to_end(state, Backend::cpu); }
void BM_EndToEnd_Cuda(benchmark::State& state) { end_to_end(state, Backend::cuda); }
BENCHMARK(BM_EndToEnd_Reference)->Arg(1)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_EndToEnd_Cpu)->Arg(4)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_EndToEnd_Cuda)->Arg(256)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace eyesweep
BENCHMARK_MAIN();
