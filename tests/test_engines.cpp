// The CPU engine computes the reference engine's answers: 200+ random variants (parametric
// channels and the real sets, random noise, jitter, amplitudes and package lengths) on a
// thinned 802.3ck C2C grid, and the pieces its speed rests on, each against its direct form.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "host/engine.hpp"
#include "host/fast_search.hpp"
#include "host/parametric_channel.hpp"
#include "io/config_toml.hpp"
#include "kernels/cuda_device.hpp"
#include "kernels/common/error.hpp"
#include "tests/engine_comparison.hpp"

namespace eyesweep {
namespace {

ComConfig c2c_spec() {
  return load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" / "ieee8023ck_c2c.toml");
}

TEST(CpuEngine, GivesTheReferenceAnswersOnRandomVariants) {
  const std::uint64_t seed = test::test_seed();
  const ComConfig spec = test::thinned_grid(c2c_spec(), 3);
  const std::vector<ChannelVariant> variants = test::random_variants(spec, 210, seed);
  const EngineBatch batch{&spec, variants, 0};
  const std::vector<VariantResult> cpu = make_engine(Backend::cpu, spec, {})->run(batch);
  const std::vector<VariantResult> reference = make_engine(Backend::reference, spec, {})->run(batch);
  test::expect_same_answers(spec, variants, cpu, reference, seed);
}

TEST(CpuEngine, GivesTheReferenceAnswersWithEveryCursorRule) {
  const std::uint64_t seed = test::test_seed();
  for (CursorRule rule : {CursorRule::peak, CursorRule::max_slope_step}) {
    ComConfig spec = test::thinned_grid(c2c_spec(), 3);
    spec.cursor_rule = rule;
    const std::vector<ChannelVariant> variants = test::random_variants(spec, 12, seed);
    const EngineBatch batch{&spec, variants, 0};
    test::expect_same_answers(spec, variants, make_engine(Backend::cpu, spec, {})->run(batch),
                              make_engine(Backend::reference, spec, {})->run(batch), seed);
  }
}

TEST(CpuEngine, SameAnswersOneVariantAtATimeOrBatched) {
  const ComConfig spec = test::thinned_grid(c2c_spec(), 3);
  const std::vector<ChannelVariant> variants = test::random_variants(spec, 4, 7);
  const auto engine = make_engine(Backend::cpu, spec, {});
  const std::vector<VariantResult> batched = engine->run({&spec, variants, 0});
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const std::vector<VariantResult> one = engine->run({&spec, std::span(variants).subspan(i, 1), 0});
    ASSERT_EQ(one.front().ok, batched[i].ok);
    EXPECT_EQ(one.front().com.com_dB, batched[i].com.com_dB);
    EXPECT_EQ(one.front().com.equalizer.tx_taps, batched[i].com.equalizer.tx_taps);
  }
}

TEST(CpuEngine, TopKIsSortedAndStartsWithTheWinner) {
  const ComConfig spec = test::thinned_grid(c2c_spec(), 3);
  const std::vector<ChannelVariant> variants = test::random_variants(spec, 3, 11);
  const std::vector<VariantResult> results = make_engine(Backend::cpu, spec, {})->run({&spec, variants, 5});
  for (const VariantResult& r : results) {
    if (!r.ok) continue;
    ASSERT_EQ(r.best_points.size(), 5u);
    EXPECT_EQ(r.best_points.front().fom_dB, r.search_fom_dB);
    for (std::size_t k = 1; k < r.best_points.size(); ++k) EXPECT_GE(r.best_points[k - 1].fom_dB, r.best_points[k].fom_dB);
  }
}

// Every grid point of the fast search against FomEvaluator::evaluate, the double-precision
// form: the peak bound, the ISI and jitter quadratic forms and the crosstalk integral (with
// the cosine series of |H_ffe| and with the script's direct sum), every cursor rule, and the
// RSS limit of the DFE tail.
void expect_points_match(const ComConfig& spec, CrosstalkSum form) {
  ParametricChannel p;
  p.length_mm = 120.0;
  p.f_max_GHz = 56.0;
  const ChannelVariant variant{std::make_shared<const std::vector<LoadedChannel>>(parametric_channel_set(p)),
                               spec.package_cases.front(), {}};
  const SearchGrid grid(spec, form, FastEngine::cpu);
  ASSERT_EQ(grid.fext_terms() > 0, form == CrosstalkSum::automatic) << "c(0) >= 0.54: a smooth |H_ffe|";
  ASSERT_EQ(grid.tx().num_taps, 5u);
  const PreparedVariant prepared(variant_config(spec, variant), *variant.channels, grid);
  const BatchTables tables = build_tables({&prepared}, grid, 0);
  const FomEvaluator& evaluator = prepared.evaluator();
  const search::GridView g = grid.view();
  std::size_t checked = 0;
  for (std::size_t c = 0; c < grid.ctle().size(); c += 2) {
    const CtleContext context = evaluator.make_context(grid.ctle()[c]);
    for (std::size_t x = 0; x < grid.tx().num_combinations(); x += 3) {
      const auto reference = evaluator.evaluate(context, grid.tx().combination(x), -INFINITY);
      const search::PointScore fast =
          search::score_point<5>(g, prepared.view(), tables.record(0, c), static_cast<long long>(x));
      ASSERT_EQ(reference.has_value(), std::isfinite(fast.fom_dB)) << "CTLE " << c << " Tx " << x;
      if (!reference) continue;
      EXPECT_NEAR(fast.fom_dB, reference->fom_dB, 2e-3) << "CTLE " << c << " Tx " << x;
      EXPECT_EQ(static_cast<std::size_t>(fast.cursor), reference->cursor_index) << "CTLE " << c << " Tx " << x;
      ++checked;
    }
  }
  EXPECT_GT(checked, 20u);
}

TEST(SearchTables, FastPointScoresMatchTheReferenceEvaluator) {
  const ComConfig spec = test::thinned_grid(c2c_spec(), 3);
  expect_points_match(spec, CrosstalkSum::automatic);
  expect_points_match(spec, CrosstalkSum::direct);
}

TEST(SearchTables, FastPointScoresMatchWithEveryCursorRuleAndTheDfeTailLimit) {
  for (CursorRule rule : {CursorRule::peak, CursorRule::max_slope_step}) {
    ComConfig spec = test::thinned_grid(c2c_spec(), 3);
    spec.cursor_rule = rule;
    expect_points_match(spec, CrosstalkSum::automatic);
  }
  ComConfig spec = test::thinned_grid(c2c_spec(), 3);
  spec.floating.N_tail_start = 3;  // taps 3 .. N_b share an RSS limit small enough to bind
  spec.floating.B_float_RSS_MAX = 0.01;
  expect_points_match(spec, CrosstalkSum::automatic);
}

ComConfig kr_spec() {
  return load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" / "ieee8023ck_kr.toml");
}

TEST(CpuEngine, GivesTheReferenceAnswersWithFloatingDfeTaps) {
  const std::uint64_t seed = test::test_seed();
  const ComConfig spec = test::thinned_grid(kr_spec(), 3);
  ASSERT_GT(spec.floating.N_bg, 0);
  const std::vector<ChannelVariant> variants = test::random_variants(spec, 40, seed);
  const EngineBatch batch{&spec, variants, 0};
  test::expect_same_answers(spec, variants, make_engine(Backend::cpu, spec, {})->run(batch),
                            make_engine(Backend::reference, spec, {})->run(batch), seed);
}

TEST(SearchTables, FastPointScoresMatchWithFloatingDfeTaps) {
  expect_points_match(test::thinned_grid(kr_spec(), 3), CrosstalkSum::automatic);
}

// The CPU search's vectorised sampler (the window in one pass, the DFE's UI chain, the
// Mueller-Muller metrics, the backward crossing scan) against the plain sampler the CUDA
// kernel runs, bit for bit: every point's FOM (no pruning: every point is kept).
void expect_cpu_search_scores_every_point_as_the_plain_sampler(const ComConfig& spec) {
  ParametricChannel p;
  p.length_mm = 150.0;
  p.f_max_GHz = 56.0;
  const ChannelVariant variant{std::make_shared<const std::vector<LoadedChannel>>(parametric_channel_set(p)),
                               spec.package_cases.front(), {}};
  const SearchGrid grid(spec, CrosstalkSum::automatic, FastEngine::cpu);
  const PreparedVariant prepared(variant_config(spec, variant), *variant.channels, grid);
  const BatchTables tables = build_tables({&prepared}, grid, 0);
  const std::vector<GridPointScore> searched = cpu_search(prepared, grid, tables, 0, 0, grid.points());
  const search::GridView g = grid.view();
  const std::size_t n_tx = grid.tx().num_combinations();
  std::vector<double> plain(grid.points(), -INFINITY);
  std::size_t valid = 0;
  for (std::size_t c = 0; c < grid.ctle().size(); ++c) {
    for (std::size_t x = 0; x < n_tx; ++x) {
      search::dispatch_taps(g.num_taps, [&]<int kTaps>() {
        plain[c * n_tx + x] = search::score_point<kTaps>(g, prepared.view(), tables.record(0, c), static_cast<long long>(x)).fom_dB;
      });
      valid += std::isfinite(plain[c * n_tx + x]);
    }
  }
  ASSERT_EQ(searched.size(), valid);
  for (const GridPointScore& point : searched) {
    EXPECT_EQ(point.fom_dB, plain[point.ctle_index * n_tx + point.tx_index])
        << "CTLE " << point.ctle_index << " Tx " << point.tx_index;
  }
  EXPECT_GT(valid, 100u);

  // Asked to beat its own FOM, every point keeps it (no bound prunes a tie); asked to beat a
  // little more, it is pruned.
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (!std::isfinite(plain[i])) continue;
    const search::CtleView record = tables.record(0, i / n_tx);
    const auto tx = static_cast<long long>(i % n_tx);
    const double ratio = std::pow(10.0, plain[i] / 10.0);
    search::dispatch_taps(g.num_taps, [&]<int kTaps>() {
      const search::EqualizedPulse<kTaps> y = search::equalized_pulse<kTaps>(g, prepared.view(), record, tx);
      EXPECT_EQ(search::score_point<kTaps>(g, prepared.view(), record, tx, y, ratio).fom_dB, plain[i])
          << "CTLE " << i / n_tx << " Tx " << tx;
      EXPECT_EQ(search::score_point<kTaps>(g, prepared.view(), record, tx, y, ratio * (1.0 + 1e-6)).fom_dB, -INFINITY)
          << "CTLE " << i / n_tx << " Tx " << tx;
    });
  }

  // Pruned by the K-th best so far (a point surely below it skips its cursor, its DFE step or
  // its logarithm), on one thread or all, the search keeps the same K best.
  constexpr std::size_t kKeep = 10;
  BestPoints all(kKeep);
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (std::isfinite(plain[i])) all.offer(plain[i], i / n_tx, i % n_tx);
  }
  const std::vector<GridPointScore> expected = all.sorted();
  for (unsigned threads : {1u, 0u}) {
    const std::vector<GridPointScore> pruned = cpu_search(prepared, grid, tables, 0, threads, kKeep);
    ASSERT_EQ(pruned.size(), expected.size()) << threads << " threads";
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(pruned[i].fom_dB, expected[i].fom_dB) << i << ", " << threads << " threads";
      EXPECT_EQ(pruned[i].ctle_index, expected[i].ctle_index) << i << ", " << threads << " threads";
      EXPECT_EQ(pruned[i].tx_index, expected[i].tx_index) << i << ", " << threads << " threads";
    }
  }
}

TEST(CpuEngine, SearchScoresEveryPointBitForBitAsTheCudaKernelsSampler) {
  expect_cpu_search_scores_every_point_as_the_plain_sampler(test::thinned_grid(c2c_spec(), 3));
  for (CursorRule rule : {CursorRule::peak, CursorRule::max_slope_step}) {
    ComConfig spec = test::thinned_grid(c2c_spec(), 3);
    spec.cursor_rule = rule;
    expect_cpu_search_scores_every_point_as_the_plain_sampler(spec);
  }
  ComConfig kr = test::thinned_grid(kr_spec(), 3);  // 12 fixed DFE taps and floating groups
  expect_cpu_search_scores_every_point_as_the_plain_sampler(kr);
  kr.floating.N_bg = 0;
  expect_cpu_search_scores_every_point_as_the_plain_sampler(kr);
  ComConfig kr_larger = test::thinned_grid(kr_spec(), 5);
  kr_larger.floating.N_bg = 0;
  expect_cpu_search_scores_every_point_as_the_plain_sampler(kr_larger);
}

TEST(SearchTables, FloatingTapsAreLeftOffTheCudaEngine) {
  const ComConfig spec = kr_spec();
  EXPECT_EQ(fast_engine_limitation(spec, FastEngine::cpu), "");
  EXPECT_NE(fast_engine_limitation(spec, FastEngine::cuda).find("floating"), std::string::npos);
  std::string choice;  // a GPU or not, auto leaves floating groups to the cpu engine
  EXPECT_EQ(make_engine(Backend::automatic, spec, {}, &choice)->name(), "cpu");
  EXPECT_NE(choice.find("floating"), std::string::npos) << choice;
  ComConfig too_short = spec;
  too_short.floating.N_f = spec.N_b + 1;  // narrower than a group
  EXPECT_NE(fast_engine_limitation(too_short, FastEngine::cpu).find("N_bf"), std::string::npos);
}

TEST(Backend, NamesParseAndUnknownOnesAreInputErrors) {
  EXPECT_EQ(parse_backend("auto"), Backend::automatic);
  EXPECT_EQ(parse_backend("cpu"), Backend::cpu);
  EXPECT_EQ(parse_backend("cuda"), Backend::cuda);
  EXPECT_EQ(parse_backend("reference"), Backend::reference);
  EXPECT_THROW(parse_backend("gpu"), InputError);
}

TEST(Backend, AutoSaysWhatItChose) {
  const ComConfig spec = c2c_spec();
  std::string choice;
  const auto engine = make_engine(Backend::automatic, spec, {}, &choice);
  EXPECT_NE(choice.find(std::string(engine->name())), std::string::npos) << choice;
  EXPECT_NE(choice.find("auto"), std::string::npos) << choice;
}

TEST(Backend, CudaWithoutAGpuIsAClearError) {
  if (!list_cuda_devices().empty()) GTEST_SKIP() << "a GPU answers here";
  const ComConfig spec = c2c_spec();
  try {
    make_engine(Backend::cuda, spec, {});
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--backend cuda"), std::string::npos) << e.what();
  }
}

TEST(CpuEngine, RefusesWhatNoEngineSupportsBeforeAnyVariantRuns) {
  ComConfig spec = test::thinned_grid(c2c_spec(), 2);
  const std::vector<ChannelVariant> variants = test::random_variants(spec, 1, 3);
  spec.M = 300;
  EXPECT_THROW(make_engine(Backend::cpu, spec, {})->run({&spec, variants, 0}), InputError);
}

TEST(CpuEngine, AVariantsBadInputIsItsOwnErrorAndTheOthersRun) {
  const ComConfig spec = test::thinned_grid(c2c_spec(), 2);
  std::vector<ChannelVariant> variants = test::random_variants(spec, 3, 5);
  variants[1].package.z_p_tx_mm.push_back(10.0);  // one segment more than the package has
  const std::vector<VariantResult> results = make_engine(Backend::cpu, spec, {})->run({&spec, variants, 0});
  EXPECT_FALSE(results[1].ok);
  EXPECT_FALSE(results[1].error.empty());
  EXPECT_EQ(results[0].ok, make_engine(Backend::reference, spec, {})->run({&spec, std::span(variants).first(1), 0}).front().ok);
}

}  // namespace
}  // namespace eyesweep
