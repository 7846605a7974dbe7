// The CPU engine's MMSE Rx FFE search (host/mmse_search.hpp) computes the reference engine's
// answers: its reduced solve against solve_mmse on the same problems (every clipping case),
// its per-point FOM against FomEvaluator::evaluate on VITA with an Rx FFE and on the 802.3dj
// sheet on a real channel, whole searches against the reference engine on random variants,
// and which backends take an Rx FFE configuration.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "host/engine.hpp"
#include "host/fast_search.hpp"
#include "host/fom_search.hpp"
#include "host/mmse_search.hpp"
#include "host/parametric_channel.hpp"
#include "host/rx_ffe_mmse.hpp"
#include "tests/random_mmse_problems.hpp"
#include "io/config_toml.hpp"
#include "kernels/common/error.hpp"
#include "kernels/mmse_solve.hpp"
#include "tests/engine_comparison.hpp"
#include "tests/reference_cases.hpp"
#include "tests/test_paths.hpp"
#include "tests/vita_channels.hpp"

namespace eyesweep {
namespace {

using test::random_noise_acf;
using test::random_pulse;

// ---------------------------------------------------------------------------------------
// The solve

double relative(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

TEST(ReducedMmseSolve, ReproducesSolveMmseInEveryClippingCase) {
  std::mt19937 rng(2024);
  std::uniform_int_distribution<int> pick(0, 5);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  int dfe_clipped = 0, ffe_clipped = 0, invalid = 0, compared = 0;
  double worst = 0.0;
  for (int trial = 0; trial < 600; ++trial) {
    RxFfe ffe;
    ffe.pre_taps = pick(rng);
    ffe.post_taps = 1 + pick(rng) * 2;
    // Limits from never binding to binding often.
    const double limit = trial % 3 == 0 ? 100.0 : 0.05 + 0.6 * uniform(rng);
    ffe.pre_tap1_max = ffe.post_tap1_max = limit;
    ffe.tapn_max = limit * 0.3;
    const auto nw = static_cast<std::size_t>(ffe.num_taps());
    const std::size_t nb = static_cast<std::size_t>(pick(rng));
    // The cursor anywhere, near either end of h included (rows past the convolution).
    const std::size_t n = 8 + static_cast<std::size_t>(pick(rng)) * 6;
    const std::size_t cursor = std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    const std::vector<double> h = random_pulse(rng, n, cursor, trial % 2 ? 0.3 : 0.8);
    const std::vector<double> acf = random_noise_acf(rng, nw, trial % 5 == 0 ? 1e-6 : 0.02 * uniform(rng));
    std::vector<double> b_min(nb), b_max(nb);
    for (std::size_t k = 0; k < nb; ++k) {
      b_max[k] = trial % 4 == 0 ? 10.0 : 0.05 + 0.5 * uniform(rng);
      // b_min > 0 clips small post-cursors (never above b_max: the sheets are refused there)
      b_min[k] = trial % 4 == 1 ? std::min(0.1 * uniform(rng), b_max[k]) : -b_max[k];
    }
    const double sx2 = trial % 2 ? 5.0 / 9.0 : 1.0;

    const std::optional<MmseSolution> expected = solve_mmse(test::mmse_problem(h, cursor, ffe, acf, b_min, b_max, sx2));

    const std::vector<double> hh = autocorrelation(h, nw);
    std::vector<double> window(nw + nb);
    for (std::size_t i = 0; i < window.size(); ++i) {
      const auto at = static_cast<std::ptrdiff_t>(cursor) - ffe.post_taps + static_cast<std::ptrdiff_t>(i);
      window[i] = at >= 0 && at < static_cast<std::ptrdiff_t>(n) ? h[static_cast<std::size_t>(at)] : 0.0;
    }
    search::ReducedMmseProblem reduced;
    reduced.hh = hh.data();
    reduced.window = window.data();
    reduced.noise_acf = acf.data();
    reduced.ffe.taps = ffe.num_taps();
    reduced.ffe.pre = ffe.pre_taps;
    reduced.ffe.post = ffe.post_taps;
    reduced.ffe.pre1_max = ffe.pre_tap1_max;
    reduced.ffe.post1_max = ffe.post_tap1_max;
    reduced.ffe.tapn_max = ffe.tapn_max;
    reduced.dfe_taps = static_cast<int>(nb);
    reduced.b_min = b_min.data();
    reduced.b_max = b_max.data();
    reduced.sigma_x2 = sx2;
    reduced.samples_after_cursor = static_cast<long long>(n - 1 - cursor);
    search::MmseSolution solver;
    const bool ok = search::solve_reduced_mmse(reduced, solver);
    ASSERT_EQ(ok, expected.has_value()) << "trial " << trial;
    if (!ok) {
      ++invalid;
      continue;
    }
    ++compared;
    // Which branches ran: the joint solution's DFE clipped, or the FFE limits.
    std::vector<double> b_free(nb);
    bool any_dfe_at_limit = false, any_tap_at_limit = false;
    for (std::size_t k = 0; k < nb; ++k) any_dfe_at_limit |= expected->dfe[k] == b_min[k] || expected->dfe[k] == b_max[k];
    for (std::size_t j = 0; j < nw; ++j) {
      if (j == static_cast<std::size_t>(ffe.pre_taps)) continue;
      any_tap_at_limit |= std::abs(std::abs(expected->taps[j]) - ffe.tapn_max) < 1e-12 ||
                          std::abs(std::abs(expected->taps[j]) - limit) < 1e-12;
    }
    dfe_clipped += any_dfe_at_limit;
    ffe_clipped += any_tap_at_limit;

    const double scale = std::abs(expected->cursor_V);
    for (std::size_t j = 0; j < nw; ++j) {
      EXPECT_NEAR(solver.taps[j], expected->taps[j], 1e-9 * std::max(1.0, std::abs(expected->taps[j]))) << "trial " << trial;
      worst = std::max(worst, std::abs(solver.taps[j] - expected->taps[j]));
    }
    for (std::size_t k = 0; k < nb; ++k) {
      EXPECT_NEAR(solver.dfe[k], expected->dfe[k], 1e-9 * std::max(1.0, std::abs(expected->dfe[k]))) << "trial " << trial;
    }
    EXPECT_LE(relative(solver.cursor_V, expected->cursor_V), 1e-9) << "trial " << trial;
    // The ISI is a difference of sums of squares: relative to the cursor's power.
    EXPECT_LE(std::abs(solver.isi_V2 - expected->isi_V2), 1e-9 * std::max(expected->isi_V2, 1e-6 * scale * scale))
        << "trial " << trial;
    worst = std::max(worst, relative(solver.cursor_V, expected->cursor_V));
  }
  std::printf("compared %d solves (%d invalid in both): DFE at a limit in %d, FFE at a limit in %d; largest deviation %.2e\n",
              compared, invalid, dfe_clipped, ffe_clipped, worst);
  EXPECT_GT(dfe_clipped, 50);
  EXPECT_GT(ffe_clipped, 50);
  EXPECT_GT(compared, 500);
}

// ---------------------------------------------------------------------------------------
// Per grid point

/// The Rx FFE on VITA of tests/test_rx_ffe.cpp (RxFfeOnVita::mmse_config).
ComConfig vita_mmse_config() {
  ComConfig cfg = test::vita_config();
  cfg.N_b = 2;
  cfg.b_max = {1.0, 0.5};
  cfg.b_min = {-1.0, -0.5};
  cfg.rx_ffe.pre_taps = 2;
  cfg.rx_ffe.post_taps = 4;
  cfg.rx_ffe.pre_tap1_max = cfg.rx_ffe.post_tap1_max = cfg.rx_ffe.tapn_max = 0.7;
  cfg.g_DC_dB = {-9.0, -6.0, -3.0, 0.0};
  return cfg;
}

ComConfig dj_spec() { return load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" / "ieee8023dj.toml"); }

std::shared_ptr<const std::vector<LoadedChannel>> orthobp_12dB() {
  static const auto channels = [] {
    for (const test::ValidationCase& c : test::validation_cases(test::shared_dir().string())) {
      if (c.name == "C2C orthobp 12 dB") {
        for (const ChannelInput& in : c.channels) {
          if (!std::filesystem::exists(in.path)) ADD_FAILURE() << "required shared data file missing: " << in.path;
        }
        return std::make_shared<const std::vector<LoadedChannel>>(load_channels(c.channels));
      }
    }
    ADD_FAILURE() << "no orthobp 12 dB case";
    return std::make_shared<const std::vector<LoadedChannel>>();
  }();
  return channels;
}

struct PointStats {
  std::size_t checked = 0, invalid = 0, cursor_moved = 0;
  double worst_dB = 0.0;
};

/// Every `stride`-th point of the grid: MmseSearch::score against FomEvaluator::evaluate.
PointStats expect_points_match(const ComConfig& spec, const std::vector<LoadedChannel>& channels, std::size_t stride,
                               double tolerance_dB) {
  const SearchGrid grid(spec, CrosstalkSum::direct, FastEngine::cpu);
  const ChannelVariant variant{nullptr, spec.package_cases.front(), {}};
  const PreparedVariant prepared(variant_config(spec, variant), channels, grid);
  const MmseSearch search(prepared, grid, 0);
  const FomEvaluator& evaluator = prepared.evaluator();
  PointStats stats;
  const std::size_t n_tx = grid.tx().num_combinations();
  for (std::size_t c = 0; c < grid.ctle().size(); ++c) {
    const CtleContext context = evaluator.make_context(grid.ctle()[c]);
    for (std::size_t x = c % stride; x < n_tx; x += stride) {
      const std::optional<FomPoint> reference = evaluator.evaluate(context, grid.tx().combination(x), -INFINITY);
      const search::PointScore fast = search.score(c, x);
      EXPECT_EQ(reference.has_value(), std::isfinite(fast.fom_dB)) << "CTLE " << c << " Tx " << x;
      if (!reference || !std::isfinite(fast.fom_dB)) {
        ++stats.invalid;
        continue;
      }
      ++stats.checked;
      EXPECT_NEAR(fast.fom_dB, reference->fom_dB, tolerance_dB) << "CTLE " << c << " Tx " << x;
      stats.worst_dB = std::max(stats.worst_dB, std::abs(fast.fom_dB - reference->fom_dB));
      stats.cursor_moved += static_cast<std::size_t>(fast.cursor) != reference->cursor_index;
    }
  }
  std::printf("%zu points (%zu invalid in both): largest FOM difference %.2e dB, cursor elsewhere at %zu\n",
              stats.checked, stats.invalid, stats.worst_dB, stats.cursor_moved);
  return stats;
}

TEST(MmseSearch, PointScoresMatchTheReferenceEvaluatorOnVita) {
  const PointStats stats = expect_points_match(vita_mmse_config(), test::vita_channels(), 1, 0.01);
  EXPECT_GT(stats.checked, 300u);
  EXPECT_LE(stats.worst_dB, 1e-3);  // float tables: far below the 0.01 dB asked for
  EXPECT_LE(stats.cursor_moved, stats.checked / 100);
}

TEST(MmseSearch, PointScoresMatchTheReferenceEvaluatorOn8023djOnARealChannel) {
  ComConfig spec = test::thinned_grid(dj_spec(), 5);
  spec.g_DC_dB = {-12.0, -6.0};
  spec.g_DC_HP_dB = {-3.0, 0.0};
  const PointStats stats = expect_points_match(spec, *orthobp_12dB(), 2, 0.01);
  EXPECT_GT(stats.checked, 300u);
  EXPECT_LE(stats.worst_dB, 1e-3);
  EXPECT_LE(stats.cursor_moved, stats.checked / 100);
}

TEST(MmseSearch, PointScoresMatchWhereTheDfeReachesPastThePulse) {
  // A short matched line and a DFE longer than the pulse's tail: the jitter slopes reach the
  // zero padding (the slope just past the pulse) and Hb rows past the convolution's end.
  ParametricChannel p;
  p.length_mm = 10.0;
  p.Z_c_ohm = 100.0;
  p.num_next = 1;
  p.num_fext = 2;
  p.f_ref_GHz = 12.890625;
  p.f_max_GHz = 30.0;
  ComConfig spec = vita_mmse_config();
  spec.N_b = 60;
  spec.b_max.assign(60, 0.3);
  spec.b_max[0] = 1.0;
  spec.b_min.assign(60, -0.3);
  spec.g_DC_dB = {-3.0, 0.0};
  const std::vector<LoadedChannel> channels = parametric_channel_set(p);
  const CaseResponses responses = prepare_case(spec, channels, 0);
  const auto N = static_cast<std::size_t>(responses.thru.impulse.size());
  ASSERT_LT(N, static_cast<std::size_t>(spec.M) * 60) << "the DFE must reach past the pulse";
  const PointStats stats = expect_points_match(spec, channels, 1, 0.01);
  EXPECT_GT(stats.checked, 100u);
  EXPECT_LE(stats.worst_dB, 1e-5);  // leaving out the slope just past the pulse costs 1.4e-4 dB here
}

TEST(MmseSearch, TheSearchKeepsTheBestPointsInTheScriptsOrder) {
  ComConfig spec = test::thinned_grid(dj_spec(), 4);
  spec.g_DC_dB = {-9.0, -3.0};
  spec.g_DC_HP_dB = {-2.0};
  const SearchGrid grid(spec, CrosstalkSum::direct, FastEngine::cpu);
  const ChannelVariant variant{nullptr, spec.package_cases.front(), {}};
  const PreparedVariant prepared(variant_config(spec, variant), *orthobp_12dB(), grid);
  const MmseSearch search(prepared, grid, 0);
  std::vector<GridPointScore> all;
  for (std::size_t c = 0; c < grid.ctle().size(); ++c) {
    for (std::size_t x = 0; x < grid.tx().num_combinations(); ++x) {
      const double fom = search.score(c, x).fom_dB;
      if (std::isfinite(fom)) all.push_back({fom, c, x});
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const GridPointScore& a, const GridPointScore& b) { return a.fom_dB > b.fom_dB; });
  for (unsigned threads : {1u, 2u, 3u}) {
    const std::vector<GridPointScore> best = search.search(threads, 6);
    ASSERT_EQ(best.size(), 6u);
    for (std::size_t i = 0; i < best.size(); ++i) {
      EXPECT_EQ(best[i].fom_dB, all[i].fom_dB) << "threads " << threads << " rank " << i;
      EXPECT_EQ(best[i].ctle_index, all[i].ctle_index) << "threads " << threads << " rank " << i;
      EXPECT_EQ(best[i].tx_index, all[i].tx_index) << "threads " << threads << " rank " << i;
    }
  }
  // Every point, bit for bit: the search's vectorised sampler finds the cursors score()'s
  // plain one finds.
  const std::vector<GridPointScore> every = search.search(2, grid.points());
  ASSERT_EQ(every.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(every[i].fom_dB, all[i].fom_dB) << "rank " << i;
    EXPECT_EQ(every[i].ctle_index, all[i].ctle_index) << "rank " << i;
    EXPECT_EQ(every[i].tx_index, all[i].tx_index) << "rank " << i;
  }
  // A sub-range is the same search over fewer points.
  const std::size_t n_tx = grid.tx().num_combinations();
  const std::vector<GridPointScore> second = search.search(2, 1, n_tx, 2 * n_tx);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second.front().ctle_index, 1u);
}

// ---------------------------------------------------------------------------------------
// Whole searches

/// The cpu engine against the reference engine on `variants` (expect_same_answers), with the
/// largest differences and the time of each printed.
void compare_engines(const ComConfig& spec, const std::vector<ChannelVariant>& variants, std::uint64_t seed) {
  const EngineBatch batch{&spec, variants, 0};
  const auto timed = [&](Backend backend, double& seconds) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<VariantResult> out = make_engine(backend, spec, {})->run(batch);
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
  };
  double cpu_s = 0.0, reference_s = 0.0;
  const std::vector<VariantResult> cpu = timed(Backend::cpu, cpu_s);
  const std::vector<VariantResult> reference = timed(Backend::reference, reference_s);
  test::expect_same_answers(spec, variants, cpu, reference, seed);
  double com = 0.0, fom = 0.0, search_fom = 0.0;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    if (!cpu[i].ok || !reference[i].ok) continue;
    com = std::max(com, std::abs(cpu[i].com.com_dB - reference[i].com.com_dB));
    fom = std::max(fom, std::abs(cpu[i].com.fom_dB - reference[i].com.fom_dB));
    search_fom = std::max(search_fom, std::abs(cpu[i].search_fom_dB - reference[i].com.fom_dB));
  }
  std::printf("largest differences: COM %.2e dB, FOM %.2e dB, the search's own FOM %.2e dB (cpu %.1f s, reference %.1f s)\n",
              com, fom, search_fom, cpu_s, reference_s);
}

TEST(MmseCpuEngine, GivesTheReferenceAnswersOnRandomVariants8023dj) {
  const std::uint64_t seed = test::test_seed();
  ComConfig spec = test::thinned_grid(dj_spec(), 3);
  spec.g_DC_HP_dB = {-4.0, -1.5};
  compare_engines(spec, test::random_variants(spec, 10, seed), seed);
}

TEST(MmseCpuEngine, GivesTheReferenceAnswersWithALongerClippedDfe) {
  // The 802.3ck C2C sheet (N_b = 6, b_min(1) = 0.3 > 0: the DFE's limits bind) with an Rx FFE.
  const std::uint64_t seed = test::test_seed();
  ComConfig spec = test::thinned_grid(load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" /
                                                      "ieee8023ck_c2c.toml"),
                                      3);
  spec.rx_ffe.pre_taps = 3;
  spec.rx_ffe.post_taps = 6;
  spec.rx_ffe.tapn_max = 0.2;
  compare_engines(spec, test::random_variants(spec, 10, seed), seed);
}

// ---------------------------------------------------------------------------------------
// Backends

TEST(MmseBackend, BothFastEnginesSearchAnRxFfe) {
  const ComConfig spec = dj_spec();
  ASSERT_TRUE(spec.rx_ffe.enabled());
  EXPECT_EQ(make_engine(Backend::cpu, spec, {})->name(), "cpu");
  EXPECT_EQ(fast_engine_limitation(spec, FastEngine::cuda), "");
  // auto: cuda where a GPU answers, else cpu.
  EXPECT_EQ(make_engine(Backend::automatic, spec, {})->name(), test::gpu_available() ? "cuda" : "cpu");
  EXPECT_NO_THROW(SearchGrid{spec});
}

TEST(MmseBackend, AnRxFfeOrDfeLongerThanTheFastEnginesTakeGoesToTheReference) {
  for (const bool long_dfe : {false, true}) {
    ComConfig spec = dj_spec();
    if (long_dfe) {
      spec.N_b = search::kMaxMmseDfeTaps + 1;
      spec.b_max.assign(static_cast<std::size_t>(spec.N_b), 0.2);
      spec.b_min.assign(static_cast<std::size_t>(spec.N_b), -0.2);
    } else {
      spec.rx_ffe.post_taps = search::kMaxRxFfeTaps;  // N_w = pre + 1 + post
    }
    for (const Backend backend : {Backend::cpu, Backend::cuda}) {
      try {
        make_engine(backend, spec, {});
        FAIL() << "expected an InputError";
      } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(long_dfe ? "N_b" : "Rx FFE taps"), std::string::npos) << e.what();
      }
    }
    std::string choice;
    EXPECT_EQ(make_engine(Backend::automatic, spec, {}, &choice)->name(), "reference");
    EXPECT_NE(choice.find("at most"), std::string::npos) << choice;
  }
}

TEST(MmseBackend, WhatTheCpuEngineCannotSearchGoesToTheReference) {
  ComConfig spec = dj_spec();
  spec.rx_ffe.solver = RxFfeSolver::przf;
  EXPECT_THROW(make_engine(Backend::cpu, spec, {}), InputError);
  std::string choice;
  EXPECT_EQ(make_engine(Backend::automatic, spec, {}, &choice)->name(), "reference");
  EXPECT_NE(choice.find("przf"), std::string::npos) << choice;

  spec = dj_spec();
  spec.sample_adjustment_lo = -16;
  spec.sample_adjustment_hi = 16;
  try {
    make_engine(Backend::cpu, spec, {});
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sample_adjustment"), std::string::npos) << e.what();
  }
  EXPECT_EQ(make_engine(Backend::automatic, spec, {})->name(), "reference");
}

}  // namespace
}  // namespace eyesweep
