// Cross-engine testing; see engine_comparison.hpp.
#include "tests/engine_comparison.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>

#include "host/case_responses.hpp"
#include "host/eq_grid.hpp"
#include "host/parametric_channel.hpp"
#include "kernels/cuda_device.hpp"
#include "tests/reference_cases.hpp"
#include "tests/test_paths.hpp"

namespace eyesweep::test {
namespace {

using ChannelSet = std::shared_ptr<const std::vector<LoadedChannel>>;

/// Every distinct real channel set of the validation cases whose files are all present
/// (a GPU machine may carry only some), read once; a failure when none is.
const std::vector<ChannelSet>& real_channel_sets() {
  static std::once_flag once;
  static std::vector<ChannelSet> sets;
  std::call_once(once, [] {
    std::map<std::string, bool> seen;
    for (const ValidationCase& c : validation_cases(shared_dir().string())) {
      const std::string thru = c.channels.front().path.string();
      if (seen[thru]) continue;
      seen[thru] = true;
      const bool present = std::all_of(c.channels.begin(), c.channels.end(),
                                       [](const ChannelInput& in) { return std::filesystem::exists(in.path); });
      if (present) sets.push_back(std::make_shared<const std::vector<LoadedChannel>>(load_channels(c.channels)));
    }
  });
  if (sets.empty()) ADD_FAILURE() << "no real channel set found under " << shared_dir() << " (set EYESWEEP_SHARED_DIR)";
  return sets;
}

/// Thins a sorted list to about `keep` values, keeping the first and last.
std::vector<double> thin(const std::vector<double>& values, std::size_t keep) {
  if (values.size() <= keep || keep < 2) return values;
  std::vector<double> out;
  for (std::size_t i = 0; i < keep; ++i) out.push_back(values[i * (values.size() - 1) / (keep - 1)]);
  return out;
}

std::string describe(const ChannelVariant& v) {
  std::ostringstream s;
  s << v.channels->front().input.path.string() << " with " << v.channels->size() - 1 << " aggressors";
  return s.str();
}

}  // namespace

std::uint64_t test_seed() {
  if (const char* env = std::getenv("EYESWEEP_TEST_SEED"); env && *env) return std::strtoull(env, nullptr, 10);
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

bool gpu_required() {
  const char* env = std::getenv("EYESWEEP_REQUIRE_GPU");
  return env != nullptr && std::string(env) == "1";
}

bool gpu_available() {
  if (!built_with_cuda()) {
    if (gpu_required()) ADD_FAILURE() << "EYESWEEP_REQUIRE_GPU=1 but this build has no CUDA parts";
    return false;
  }
  const std::vector<CudaDeviceInfo> devices = list_cuda_devices();
  if (std::none_of(devices.begin(), devices.end(), [](const CudaDeviceInfo& d) { return d.runs_our_kernels; })) {
    if (gpu_required()) ADD_FAILURE() << "EYESWEEP_REQUIRE_GPU=1 but no CUDA device this build runs on answers";
    return false;
  }
  return true;
}

ComConfig thinned_grid(ComConfig spec, std::size_t keep) {
  for (TxTapRange& tap : spec.tx_taps) tap.values = thin(tap.values, keep);
  spec.g_DC_dB = thin(spec.g_DC_dB, keep);
  spec.g_DC_HP_dB = thin(spec.g_DC_HP_dB, keep);
  return spec;
}

std::vector<ChannelVariant> random_variants(const ComConfig& spec, std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  const auto integer = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const std::vector<ChannelSet>& real = real_channel_sets();
  std::vector<ChannelVariant> variants;
  for (std::size_t i = 0; i < count; ++i) {
    ChannelVariant v;
    if (!real.empty() && integer(0, 3) == 0) {
      v.channels = real[static_cast<std::size_t>(integer(0, static_cast<int>(real.size()) - 1))];
    } else {
      ParametricChannel p;
      p.length_mm = uniform(40.0, 220.0);
      p.Z_c_ohm = uniform(85.0, 110.0);
      p.via_C_nF = uniform(0.0, 2e-4);
      p.num_fext = integer(0, 3);
      p.num_next = integer(0, 3);
      p.fext_coupling = uniform(0.0, 0.05);
      p.next_coupling = uniform(0.0, 0.03);
      p.f_ref_GHz = spec.f_b_GBd / 2.0;
      p.f_max_GHz = spec.f_b_GBd * 1.05;
      v.channels = std::make_shared<const std::vector<LoadedChannel>>(parametric_channel_set(p));
    }
    // Package line lengths of the spec's first case, each segment scaled at random.
    v.package = spec.package_cases.front();
    for (auto* segments : {&v.package.z_p_tx_mm, &v.package.z_p_next_mm, &v.package.z_p_fext_mm, &v.package.z_p_rx_mm}) {
      for (double& z : *segments) z *= uniform(0.0, 2.0);
    }
    v.scalars.eta_0_V2_per_GHz = spec.eta_0_V2_per_GHz * uniform(0.3, 3.0);
    v.scalars.sigma_RJ_UI = uniform(0.0, 0.02);
    v.scalars.A_DD_UI = uniform(0.0, 0.04);
    v.scalars.SNR_TX_dB = uniform(26.0, 45.0);
    v.scalars.R_LM = uniform(0.9, 1.0);
    v.scalars.A_v = spec.A_v * uniform(0.8, 1.2);
    v.scalars.A_fe = spec.A_fe * uniform(0.5, 1.5);
    v.scalars.A_ne = spec.A_ne * uniform(0.5, 1.5);
    variants.push_back(std::move(v));
  }
  return variants;
}

void expect_same_answers(const ComConfig& spec, const std::vector<ChannelVariant>& variants,
                         const std::vector<VariantResult>& fast, const std::vector<VariantResult>& oracle,
                         std::uint64_t seed) {
  ASSERT_EQ(fast.size(), variants.size());
  ASSERT_EQ(oracle.size(), variants.size());
  const std::size_t num_taps = build_tx_grid(spec).num_taps;
  std::size_t compared = 0, ties = 0;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    SCOPED_TRACE("variant " + std::to_string(i) + " (" + describe(variants[i]) + "), EYESWEEP_TEST_SEED=" +
                 std::to_string(seed));
    const VariantResult& f = fast[i];
    const VariantResult& o = oracle[i];
    ASSERT_EQ(f.ok, o.ok) << "fast: " << f.error << " / oracle: " << o.error;
    if (!o.ok) continue;
    ++compared;
    // Every field written: finite, the winning equaliser of the right size.
    for (double x : {f.com.com_dB, f.com.fom_dB, f.search_fom_dB, f.com.A_s, f.com.A_ni, f.com.eye_height,
                     f.com.fom.sigma_isi, f.com.fom.sigma_j, f.com.fom.sigma_xt, f.com.fom.sigma_n, f.com.fom.sigma_tx,
                     f.com.noise.sigma_isi, f.com.noise.sigma_xt, f.com.noise.sigma_rj, f.com.noise.sigma_dd}) {
      ASSERT_TRUE(std::isfinite(x));
    }
    ASSERT_GT(f.com.A_s, 0.0);
    ASSERT_EQ(f.com.equalizer.tx_taps.size(), num_taps);
    ASSERT_EQ(f.com.equalizer.dfe_taps.size(), static_cast<std::size_t>(dfe_span(spec)));
    EXPECT_EQ(f.com.grid_points, o.com.grid_points);

    EXPECT_NEAR(f.search_fom_dB, o.com.fom_dB, 0.02) << "the fast search's own FOM of its winner";
    const WinningEqualizer& fe = f.com.equalizer;
    const WinningEqualizer& oe = o.com.equalizer;
    const bool same_winner = fe.ctle.g_DC_dB == oe.ctle.g_DC_dB && fe.ctle.g_DC2_dB == oe.ctle.g_DC2_dB &&
                             fe.tx_taps == oe.tx_taps;
    if (same_winner) {
      EXPECT_NEAR(f.com.com_dB, o.com.com_dB, 0.05);
      EXPECT_NEAR(f.com.fom_dB, o.com.fom_dB, 0.02);
      continue;
    }
    // A different winner is a tie only if the reference scores both within 0.01 dB.
    ++ties;
    const ComConfig cfg = variant_config(spec, variants[i]);
    const CaseResponses responses = prepare_case(cfg, *variants[i].channels, 0);
    const std::optional<FomPoint> fast_winner = score_equalizer(cfg, responses, fe.ctle, fe.tx_taps);
    ASSERT_TRUE(fast_winner.has_value()) << "the reference finds no valid receiver at the fast engine's winner";
    EXPECT_NEAR(fast_winner->fom_dB, o.com.fom_dB, 0.01)
        << "different winners: fast g_DC " << fe.ctle.g_DC_dB << " g_DC2 " << fe.ctle.g_DC2_dB
        << ", oracle g_DC " << oe.ctle.g_DC_dB << " g_DC2 " << oe.ctle.g_DC2_dB;
    EXPECT_NEAR(f.com.com_dB, o.com.com_dB, 0.05);
  }
  std::printf("compared %zu variants (seed %llu): %zu different winners (ties)\n", compared,
              static_cast<unsigned long long>(seed), ties);
  EXPECT_GT(compared, variants.size() / 2) << "most variants must give a valid receiver, or the test proves little";
}

}  // namespace eyesweep::test
