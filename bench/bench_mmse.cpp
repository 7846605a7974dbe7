// Speed of the MMSE Rx FFE search on the 802.3dj sheet (configs/ieee8023dj.toml: 16-tap Rx
// FFE, N_b = 1, 794,640 Tx combinations x 176 CTLE settings) on a real channel: the 802.3ck
// orthogonal backplane of 12 dB (THRU, 5 FEXT, 3 NEXT) from ../shared/channels
// ($EYESWEEP_SHARED_DIR). items_per_second = grid points per second (a point = one Tx
// combination x CTLE setting with its cursor, its MMSE solve and its FOM); tables are built
// before the timed loop (BM_MmseTables times them).
//  - BM_Mmse_Cpu/dense: the cpu engine's search over every Tx combination of two CTLE settings;
//  - BM_Mmse_Cpu/thinned and BM_Mmse_Reference/thinned: the cpu engine and the reference
//    engine (search_equalizer) on one sub-grid (every 4th value of each Tx tap, two CTLE
//    settings), so that the reference finishes in seconds.
//  - BM_Mmse_Cuda/dense: the CUDA kernel on the same points as BM_Mmse_Cpu/dense (its own
//    time by CUDA events, copies apart);
//  - BM_Mmse_Cuda/full: the cuda engine on the whole 802.3dj grid (1.40e8 points), from the
//    loaded channel to COM: the "time for the full grid on one channel".
// Arguments: threads (0 = all cores).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "host/engine.hpp"
#include "host/fast_search.hpp"
#include "host/fom_search.hpp"
#include "host/mmse_search.hpp"
#include "host/parallel.hpp"
#include "io/config_toml.hpp"
#include "kernels/cuda_device.hpp"
#if defined(EYESWEEP_HAVE_CUDA)
#include "kernels/search_device.hpp"
#endif

namespace eyesweep {
namespace {

std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("EYESWEEP_SHARED_DIR"); env && *env) return env;
  return std::filesystem::path(EYESWEEP_SOURCE_DIR) / ".." / "shared";
}

std::vector<LoadedChannel> orthobp_12dB() {
  const std::filesystem::path dir = shared_dir() / "channels" / "ieee8023ck_orthobp_12dB";
  std::vector<ChannelInput> set{{dir / "DPO_4in_Meg7_THRU.s4p", ChannelKind::thru, {}}};
  for (const char* f : {"DPO_4in_Meg7_FENG1415.s4p", "DPO_4in_Meg7_FENG89.s4p", "DPO_4in_Meg7_FENH1112.s4p",
                        "DPO_4in_Meg7_FENH1415.s4p", "DPO_4in_Meg7_FENH89.s4p"}) {
    set.push_back({dir / f, ChannelKind::fext, {}});
  }
  for (const char* f : {"DPO_4in_Meg7_NENF1112.s4p", "DPO_4in_Meg7_NENF1415.s4p", "DPO_4in_Meg7_NENF89.s4p"}) {
    set.push_back({dir / f, ChannelKind::next, {}});
  }
  return load_channels(set);
}

/// The 802.3dj sheet with two CTLE settings (mid-range g_DC, g_DC2), every `tx_step`-th
/// value of each Tx tap.
ComConfig dj_spec() { return load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" / "ieee8023dj.toml"); }

ComConfig dj_subgrid(std::size_t tx_step) {
  ComConfig spec = dj_spec();
  spec.g_DC_dB = {-8.0};
  spec.g_DC_HP_dB = {-2.0, 0.0};
  for (TxTapRange& tap : spec.tx_taps) {
    std::vector<double> kept;
    for (std::size_t i = 0; i < tap.values.size(); i += tx_step) kept.push_back(tap.values[i]);
    tap.values = kept;
  }
  return spec;
}

/// One prepared variant of a sub-grid.
struct Setup {
  ComConfig spec;
  SearchGrid grid;
  std::vector<LoadedChannel> channels = orthobp_12dB();
  PreparedVariant variant;
  explicit Setup(std::size_t tx_step)
      : spec(dj_subgrid(tx_step)), grid(spec, CrosstalkSum::direct, FastEngine::cpu),
        variant(variant_config(spec, {nullptr, spec.package_cases.front(), {}}), channels, grid) {}
};

void report(benchmark::State& state, std::size_t points, std::size_t valid, unsigned threads) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(points));
  state.counters["grid_points"] = static_cast<double>(points);
  state.counters["valid_points"] = static_cast<double>(valid);
  state.counters["threads"] = static_cast<double>(worker_count(threads, 1u << 20));
}

void BM_Mmse_Cpu(benchmark::State& state, std::size_t tx_step) {
  const Setup setup(tx_step);
  const MmseSearch search(setup.variant, setup.grid, 0);
  const auto threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    auto best = search.search(threads, 1);
    benchmark::DoNotOptimize(best.data());
  }
  std::size_t valid = 0;  // points with a valid receiver (the others stop early or in the solve)
  for (std::size_t c = 0; c < setup.grid.ctle().size(); ++c) {
    for (std::size_t x = 0; x < setup.grid.tx().num_combinations(); x += 97) valid += std::isfinite(search.score(c, x).fom_dB);
  }
  report(state, setup.grid.points(), valid * 97, threads);
  state.counters["table_MB"] = static_cast<double>(search.table_bytes()) / 1e6;
}
BENCHMARK_CAPTURE(BM_Mmse_Cpu, dense, 1)->Arg(1)->Arg(0)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
BENCHMARK_CAPTURE(BM_Mmse_Cpu, thinned, 4)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();

void BM_Mmse_Reference(benchmark::State& state, std::size_t tx_step) {
  const Setup setup(tx_step);
  const auto threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    const SearchResult result = search_equalizer(setup.variant.evaluator(), setup.grid.ctle(), setup.grid.tx(), threads);
    benchmark::DoNotOptimize(result.best.fom_dB);
  }
  report(state, setup.grid.points(), 0, threads);
}
BENCHMARK_CAPTURE(BM_Mmse_Reference, thinned, 4)->Arg(1)->Arg(0)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

#if defined(EYESWEEP_HAVE_CUDA)
void BM_Mmse_Cuda_Dense(benchmark::State& state) {
  const std::vector<CudaDeviceInfo> devices = list_cuda_devices();
  if (devices.empty()) {
    state.SkipWithError("no CUDA device answers");
    return;
  }
  const Setup setup(1);
  const MmseSearch search(setup.variant, setup.grid, 0);
  cuda::SearchDevice gpu(devices.front().index, setup.grid.view());
  const BatchTables& peak = search.peak_tables();
  const MmseTables& t = search.tables();
  const auto run = [&] {
    return gpu.search_mmse(setup.variant.view(), setup.grid.ctle().size(), peak.layout, peak.floats.data(),
                           peak.doubles.data(), peak.ints.data(), t.layout, t.doubles.data(), t.floats.data(),
                           t.ints.data(), search.receiver());
  };
  run();  // warm-up
  double wall = 0.0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto keys = run();
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    benchmark::DoNotOptimize(keys.data());
    state.SetIterationTime(gpu.last_kernel_seconds());
  }
  const auto points = static_cast<double>(setup.grid.points());
  state.counters["points_per_s"] = benchmark::Counter(points, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["points_per_s_with_copies"] = points * static_cast<double>(state.iterations()) / wall;
  state.counters["table_MB"] = static_cast<double>(search.table_bytes()) / 1e6;
  state.SetLabel(gpu.device_name());
}
BENCHMARK(BM_Mmse_Cuda_Dense)->Name("BM_Mmse_Cuda/dense")->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_Mmse_Cuda_Full(benchmark::State& state) {
  if (list_cuda_devices().empty()) {
    state.SkipWithError("no CUDA device answers");
    return;
  }
  const ComConfig spec = dj_spec();
  const auto channels = std::make_shared<const std::vector<LoadedChannel>>(orthobp_12dB());
  const std::vector<ChannelVariant> variants{{channels, spec.package_cases.front(), {}}};
  const auto engine = make_engine(Backend::cuda, spec, {});
  double com_dB = 0.0;
  std::size_t points = 0;
  for (auto _ : state) {
    const std::vector<VariantResult> results = engine->run({&spec, variants, 0});
    if (!results.front().error.empty()) {
      state.SkipWithError(results.front().error.c_str());
      return;
    }
    com_dB = results.front().com.com_dB;
    points = results.front().com.grid_points;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * points));
  state.counters["grid_points"] = static_cast<double>(points);
  state.counters["COM_dB"] = com_dB;
  state.SetLabel(engine->device());
}
BENCHMARK(BM_Mmse_Cuda_Full)->Name("BM_Mmse_Cuda/full")->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
#endif

/// The MMSE tables of one CTLE setting (and the peak-search record), one thread.
void BM_MmseTables(benchmark::State& state) {
  const Setup setup(4);
  for (auto _ : state) {
    const MmseSearch search(setup.variant, setup.grid, 1);
    benchmark::DoNotOptimize(search.table_bytes());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * setup.grid.ctle().size()));
  state.SetLabel("items = CTLE settings");
}
BENCHMARK(BM_MmseTables)->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace
}  // namespace eyesweep
BENCHMARK_MAIN();
