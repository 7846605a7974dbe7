// Speed and memory of `eyesweep sweep` (host/sweep_runner.hpp), CPU only:
//  - BM_SweepLpoExample/V: run_sweep on examples/lpo_800g_dr8.toml with V variants, cpu engine on
//    every core; items_per_second = variants/s and write_share = the share of the time spent
//    writing the HDF5 file, both from SweepOutcome's own clocks (what the CLI's last line says).
//  - BM_SweepStoreAndSummary/N: the parts of a sweep whose memory could grow with its N rows,
//    without an engine: the ResultsStore (create, appends of the sweep's default batch, finish)
//    and, as run_sweep ends, the summary read back from the file (summarize_sweep_rows),
//    format_summary and write_summary, on synthetic outcomes in the LPO example's columns.
//    items_per_second = rows/s; peak_RSS_MB is the process's peak resident memory during the
//    run (reset before it), appended_RSS_MB the resident memory after the last append (before
//    the summary), and growth_B_per_row = (peak - resident at the start) / N.
// Run each N in its own process (--benchmark_filter) for peaks comparable with /usr/bin/time.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "host/lpo_link.hpp"
#include "host/sweep_file.hpp"
#include "host/sweep_runner.hpp"
#include "io/config_toml.hpp"
#include "io/results_store.hpp"
#include "io/sweep_spec.hpp"

namespace eyesweep {
namespace {

SweepSpec lpo_example() {
  return load_sweep_spec(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "examples" / "lpo_800g_dr8.toml",
                         lpo_parameters(ComConfig{}));
}

/// A file of this process in the temporary directory, removed (with its journal) at the end.
struct TempSweepFile {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("bench_sweep_" + std::to_string(::getpid()) + ".h5");
  ~TempSweepFile() {
    std::filesystem::remove(path);
    std::filesystem::remove(path.string() + ".journal");
  }
};

/// A "Vm..." line of /proc/self/status, in bytes.
double status_bytes(const std::string& key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) return 1024.0 * std::stod(line.substr(key.size() + 1));
  }
  return NAN;
}

void BM_SweepLpoExample(benchmark::State& state) {
  SweepSpec spec = lpo_example();
  spec.requested_variants = static_cast<std::uint64_t>(state.range(0));
  const ComConfig host = load_com_config(spec.com_config);
  SweepOptions options;
  options.backend = Backend::cpu;
  for (auto _ : state) {
    const TempSweepFile out;
    const SweepOutcome outcome = run_sweep(spec, host, out.path, options);
    // The sweep's own clock starts at its first batch, as the CLI's figure does.
    state.SetIterationTime(outcome.seconds);
    state.counters["write_share"] = outcome.write_seconds / outcome.seconds;
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SweepLpoExample)->Arg(32)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

/// A computed variant with pseudo-random parameters and results (random doubles compress about
/// as badly as real ones); every 100th fails with a message, so the text column is written too.
VariantOutcome synthetic_outcome(const SweepLayout& layout, std::uint64_t index, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto u = [&] { return unit(rng); };
  VariantOutcome v;
  v.point.index = index;
  for (std::size_t k = 0; k < layout.parameters.size(); ++k) v.point.values.push_back(u());
  if (index % 100 == 99) {
    v.error = "synthetic: variant " + std::to_string(index) + " failed to compute";
    return v;
  }
  v.ok = true;
  v.setting = index % layout.search.settings.size();
  ComCaseResult& r = v.result.com;
  r.com_dB = std::normal_distribution<double>(2.0, 1.5)(rng);  // straddles the thresholds 0..3 dB
  r.fom_dB = r.com_dB + 10.0 * u();
  r.A_s = 0.1 * u();
  r.A_ni = 0.05 * u();
  r.eye_height = 2.0 * (r.A_s - r.A_ni);
  for (double* sigma : {&r.noise.sigma_isi, &r.noise.sigma_xt, &r.noise.sigma_tx, &r.noise.sigma_n,
                        &r.noise.sigma_rj, &r.noise.sigma_dd}) {
    *sigma = 1e-3 * u();
  }
  r.equalizer.ctle.g_DC_dB = -u();
  r.equalizer.ctle.g_DC2_dB = -u();
  for (std::size_t t = 0; t < layout.tx_taps; ++t) r.equalizer.tx_taps.push_back(u());
  for (std::size_t t = 0; t < layout.dfe_taps; ++t) r.equalizer.dfe_taps.push_back(u());
  for (std::size_t t = 0; t < layout.rx_ffe_taps; ++t) r.equalizer.rx_ffe_taps.push_back(u());
  r.equalizer.sampling_phase = static_cast<int>(index % 32);
  v.module = {u(), u(), 1.0, u(), 60.0 + u(), u()};
  return v;
}

void BM_SweepStoreAndSummary(benchmark::State& state) {
  const SweepSpec spec = lpo_example();
  const SweepLayout layout = sweep_layout(spec, load_com_config(spec.com_config));
  const auto rows = static_cast<std::uint64_t>(state.range(0));
  const std::uint64_t batch = SweepOptions{}.batch_variants;
  for (auto _ : state) {
    const TempSweepFile out;
    const double start_rss = status_bytes("VmRSS");
    std::ofstream("/proc/self/clear_refs") << "5";  // VmHWM := VmRSS (Linux >= 4.0)
    std::mt19937_64 rng(1);
    ResultsStore store = ResultsStore::create(out.path, layout.columns, {{"name", spec.name}}, {"name"});
    std::vector<VariantOutcome> outcomes;
    for (std::uint64_t begin = 0; begin < rows; begin += batch) {
      outcomes.clear();
      for (std::uint64_t i = begin; i < std::min(rows, begin + batch); ++i) {
        outcomes.push_back(synthetic_outcome(layout, i, rng));
      }
      store.append(sweep_rows(layout, outcomes));
    }
    const double appended_rss = status_bytes("VmRSS");  // before the summary's own buffers
    store.flush();
    const SweepSummary summary =
        summarize_sweep_rows(ResultsFile::open(out.path), spec.margin_thresholds_dB, SweepOptions{}.worst_k);
    benchmark::DoNotOptimize(format_summary(summary));
    write_summary(store, summary);
    store.finish();
    const double peak = status_bytes("VmHWM");
    state.counters["appended_RSS_MB"] = appended_rss / 1e6;
    state.counters["peak_RSS_MB"] = peak / 1e6;
    state.counters["growth_B_per_row"] = (peak - start_rss) / static_cast<double>(rows);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SweepStoreAndSummary)->Arg(10'000)->Arg(1'000'000)->Arg(2'000'000)->Iterations(1)->UseRealTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace eyesweep
BENCHMARK_MAIN();
