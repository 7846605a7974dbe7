// Speed of the double-precision reference COM engine on validation cases (VITA-KR4, 802.3ck
// C2C, and 802.3ck KR with floating taps: the KR-size grid of 638,715 points): time per
// channel (files already read: responses, exhaustive search and final PDF, every package
// case) and per grid point of the search (a point = one Tx FFE x g_DC x g_DC2 combination
// with its own cursor, DFE and FOM).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "host/com_engine.hpp"
#include "io/config_toml.hpp"

namespace eyesweep {
namespace {

std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("EYESWEEP_SHARED_DIR"); env && *env) return env;
  return std::filesystem::path(EYESWEEP_SOURCE_DIR) / ".." / "shared";
}

std::vector<ChannelInput> channel_set(const std::string& folder, const std::string& thru,
                                      const std::vector<std::string>& fext,
                                      const std::vector<std::string>& next) {
  const std::filesystem::path dir = shared_dir() / "channels" / folder;
  std::vector<ChannelInput> set{{dir / thru, ChannelKind::thru, {}}};
  for (const std::string& f : fext) set.push_back({dir / f, ChannelKind::fext, {}});
  for (const std::string& f : next) set.push_back({dir / f, ChannelKind::next, {}});
  return set;
}

void run_case(benchmark::State& state, const std::string& config, const std::vector<ChannelInput>& inputs) {
  const ComConfig cfg = load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / config);
  const std::vector<LoadedChannel> channels = load_channels(inputs);
  ComRunOptions options;
  options.threads = static_cast<unsigned>(state.range(0));
  double search_seconds = 0.0;
  std::size_t points = 0;
  for (auto _ : state) {
    const ComResult result = run_com(cfg, channels, options);
    benchmark::DoNotOptimize(result.com_dB);
    for (const ComCaseResult& c : result.cases) {
      search_seconds += c.search_seconds;
      points += c.grid_points;
    }
  }
  state.counters["grid_points_per_channel"] = static_cast<double>(points) / static_cast<double>(state.iterations());
  state.counters["search_points_per_s"] = static_cast<double>(points) / search_seconds;
  state.counters["us_per_point"] = 1e6 * search_seconds / static_cast<double>(points);
  state.counters["threads"] = static_cast<double>(state.range(0));
}

void BM_ReferenceCom_VitaKr4(benchmark::State& state) {
  run_case(state, "configs/vita_kr4.toml",
           channel_set("vita68_example2", "example2_THRU.s4p", {"example2_FEXT1.s4p", "example2_FEXT2.s4p"},
                       {"example2_NEXT1.s4p", "example2_NEXT2.s4p", "example2_NEXT3.s4p"}));
}

std::vector<ChannelInput> orthogonal_backplane_12dB() {
  return channel_set("ieee8023ck_orthobp_12dB", "DPO_4in_Meg7_THRU.s4p",
                     {"DPO_4in_Meg7_FENG1415.s4p", "DPO_4in_Meg7_FENG89.s4p", "DPO_4in_Meg7_FENH1112.s4p",
                      "DPO_4in_Meg7_FENH1415.s4p", "DPO_4in_Meg7_FENH89.s4p"},
                     {"DPO_4in_Meg7_NENF1112.s4p", "DPO_4in_Meg7_NENF1415.s4p", "DPO_4in_Meg7_NENF89.s4p"});
}

void BM_ReferenceCom_C2cOrthogonalBackplane(benchmark::State& state) {
  run_case(state, "configs/ieee8023ck_c2c.toml", orthogonal_backplane_12dB());
}

void BM_ReferenceCom_KrFloatingTaps(benchmark::State& state) {
  run_case(state, "configs/ieee8023ck_kr.toml", orthogonal_backplane_12dB());
}

// Arg: worker threads (1 = one core, as the IEEE script's figures; 0 = all cores).
BENCHMARK(BM_ReferenceCom_VitaKr4)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReferenceCom_C2cOrthogonalBackplane)->Arg(1)->Arg(0)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_ReferenceCom_KrFloatingTaps)->Arg(0)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
}  // namespace eyesweep

BENCHMARK_MAIN();
