// Tests of host/sweep_summary: Wilson intervals against hand-computed bounds and their edge
// cases, percentiles against numpy's default ('linear') method, worst-K ordering with ties,
// Spearman correlation with ties, a parameter that decides failure ranked first, failed rows
// excluded everywhere, mismatched columns refused, and the text report's content.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "host/sweep_summary.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Owns the columns a SweepColumns views.
struct Table {
  std::vector<double> margin;
  std::vector<std::int8_t> ok;
  std::vector<std::uint64_t> index;
  std::vector<std::pair<std::string, std::vector<double>>> parameters;

  explicit Table(std::vector<double> margins) : margin(std::move(margins)), ok(margin.size(), 1) {
    for (std::size_t i = 0; i < margin.size(); ++i) index.push_back(i);
  }
  SweepColumns view() const {
    SweepColumns c{margin, ok, index, {}, {}};
    for (const auto& [name, values] : parameters) c.parameter_names.push_back(name);
    c.parameter = [this](std::size_t p) { return parameters[p].second; };
    return c;
  }
};

/// `pass` margins of 1 dB and `total - pass` of -1 dB.
Table pass_fail(std::size_t pass, std::size_t total) {
  std::vector<double> margins(total, -1.0);
  for (std::size_t i = 0; i < pass; ++i) margins[i] = 1.0;
  return Table(margins);
}

const ParameterSensitivity& sensitivity_of(const SweepSummary& s, const std::string& name) {
  for (const ParameterSensitivity& p : s.sensitivity) {
    if (p.name == name) return p;
  }
  throw std::runtime_error("no sensitivity for " + name);
}

YieldAtThreshold yield_at_zero(const Table& table) {
  const std::vector<double> thresholds{0.0};
  return summarize_sweep(table.view(), thresholds, 0).yields.at(0);
}

TEST(SweepSummary, WilsonIntervalMatchesHandComputedBounds) {
  // p = 0.95, n = 100, z = 1.959964: centre (p + z^2/2n) / (1 + z^2/n), half-width
  // z / (1 + z^2/n) sqrt(p(1-p)/n + z^2/4n^2) give [0.888250, 0.978456] (textbook value).
  const YieldAtThreshold y = yield_at_zero(pass_fail(95, 100));
  EXPECT_EQ(y.pass, 95u);
  EXPECT_EQ(y.total, 100u);
  EXPECT_DOUBLE_EQ(y.yield, 0.95);
  EXPECT_NEAR(y.ci_low, 0.8882495307680808, 1e-12);
  EXPECT_NEAR(y.ci_high, 0.9784563208456319, 1e-12);

  const YieldAtThreshold y37 = yield_at_zero(pass_fail(3, 7));
  EXPECT_NEAR(y37.ci_low, 0.15821985525146975, 1e-12);
  EXPECT_NEAR(y37.ci_high, 0.7495416354723428, 1e-12);
}

TEST(SweepSummary, WilsonIntervalEdgeCases) {
  // 0 of n: the interval keeps a width z^2 / (n + z^2) instead of collapsing to 0.
  const YieldAtThreshold none = yield_at_zero(pass_fail(0, 10));
  EXPECT_EQ(none.yield, 0.0);
  EXPECT_EQ(none.ci_low, 0.0);
  EXPECT_NEAR(none.ci_high, 0.2775327998628892, 1e-12);

  const YieldAtThreshold all = yield_at_zero(pass_fail(10, 10));
  EXPECT_EQ(all.yield, 1.0);
  EXPECT_NEAR(all.ci_low, 0.7224672001371107, 1e-12);
  EXPECT_EQ(all.ci_high, 1.0);

  const YieldAtThreshold one = yield_at_zero(pass_fail(1, 1));
  EXPECT_NEAR(one.ci_low, 0.20654931437723745, 1e-12);
  EXPECT_EQ(one.ci_high, 1.0);

  // Nothing computed: no estimate, and an interval that says nothing is known.
  Table failed({kNaN, kNaN});
  failed.ok = {0, 0};
  const YieldAtThreshold empty = yield_at_zero(failed);
  EXPECT_EQ(empty.total, 0u);
  EXPECT_TRUE(std::isnan(empty.yield));
  EXPECT_EQ(empty.ci_low, 0.0);
  EXPECT_EQ(empty.ci_high, 1.0);
}

TEST(SweepSummary, NothingComputedGivesNaNStatistics) {
  Table failed({kNaN, kNaN, kNaN});
  failed.ok = {0, 0, 0};
  failed.parameters = {{"length_mm", {1.0, 2.0, 3.0}}};
  const std::vector<double> thresholds{0.0, 3.0};
  const SweepSummary s = summarize_sweep(failed.view(), thresholds, 5);
  EXPECT_EQ(s.variants, 3u);
  EXPECT_EQ(s.computed, 0u);
  EXPECT_EQ(s.failed_to_compute, 3u);
  ASSERT_EQ(s.yields.size(), 2u);
  EXPECT_TRUE(std::isnan(s.margin_min_dB));
  EXPECT_TRUE(std::isnan(s.margin_mean_dB));
  EXPECT_TRUE(std::isnan(s.margin_max_dB));
  ASSERT_EQ(s.margin_percentiles_dB.size(), s.percentile_levels.size());
  for (double p : s.margin_percentiles_dB) EXPECT_TRUE(std::isnan(p));
  EXPECT_TRUE(s.worst_variants.empty());
  ASSERT_EQ(s.sensitivity.size(), 1u);
  EXPECT_EQ(s.sensitivity[0].spearman, 0.0);
  EXPECT_EQ(s.sensitivity[0].failing_shift, 0.0);
  EXPECT_NE(format_summary(s).find("No variant computed"), std::string::npos);
}

TEST(SweepSummary, PercentilesMatchNumpyLinear) {
  // numpy.percentile(x, [0.1, 1, 5, 50, 95, 99]) (method='linear', numpy's default).
  const Table table({3.2, -1.5, 0.7, 4.4, 2.2, 2.2, -0.3, 5.9, 1.1, 0.0, 3.3, -2.8});
  const SweepSummary s = summarize_sweep(table.view(), {}, 0);
  const std::vector<double> levels{0.1, 1, 5, 50, 95, 99};
  ASSERT_EQ(s.percentile_levels, levels);
  const std::vector<double> numpy{-2.7857, -2.657, -2.085, 1.6500000000000001, 5.074999999999999, 5.735000000000001};
  ASSERT_EQ(s.margin_percentiles_dB.size(), numpy.size());
  for (std::size_t i = 0; i < numpy.size(); ++i) {
    EXPECT_NEAR(s.margin_percentiles_dB[i], numpy[i], 1e-12) << "level " << levels[i] << " %";
  }
  EXPECT_EQ(s.margin_min_dB, -2.8);
  EXPECT_EQ(s.margin_max_dB, 5.9);
  EXPECT_NEAR(s.margin_mean_dB, 1.5333333333333334, 1e-12);
  EXPECT_TRUE(s.yields.empty());

  // One value: every percentile is that value.
  const SweepSummary single = summarize_sweep(Table({2.5}).view(), {}, 0);
  for (double p : single.margin_percentiles_dB) EXPECT_EQ(p, 2.5);
}

TEST(SweepSummary, WorstVariantsAscendingTiesByLowerIndex) {
  Table table({1.0, -2.0, 0.5, -2.0, 3.0, 0.5, -2.0});
  // Rows out of variant order (as after a merge): the tie at -2 dB is variants 3, 9, 12.
  table.index = {10, 12, 4, 3, 7, 2, 9};
  table.parameters = {{"row", {0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0}}, {"twice", {0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0}}};
  const SweepSummary s = summarize_sweep(table.view(), {}, 5);
  EXPECT_EQ(s.worst_variants, (std::vector<std::uint64_t>{3, 9, 12, 2, 4}));
  EXPECT_EQ(s.worst_margin_dB, (std::vector<double>{-2.0, -2.0, -2.0, 0.5, 0.5}));
  // Each worst variant's parameters come from its own row.
  EXPECT_EQ(s.parameter_names, (std::vector<std::string>{"row", "twice"}));
  EXPECT_EQ(s.worst_parameters, (std::vector<std::vector<double>>{{3, 6}, {6, 12}, {1, 2}, {5, 10}, {2, 4}}));

  // More asked for than computed: all of them.
  const SweepSummary all = summarize_sweep(table.view(), {}, 100);
  EXPECT_EQ(all.worst_variants, (std::vector<std::uint64_t>{3, 9, 12, 2, 4, 10, 7}));
  EXPECT_TRUE(summarize_sweep(table.view(), {}, 0).worst_variants.empty());
}

TEST(SweepSummary, SpearmanWithTiesMatchesHandComputedValue) {
  // Parameter ranks (1, 2.5, 2.5, 4), margin ranks (1, 3, 2, 4): deviations (-1.5, 0, 0, 1.5)
  // and (-1.5, 0.5, -0.5, 1.5), so r = 4.5 / sqrt(4.5 * 5) = 0.948683.
  Table table({10.0, 30.0, 20.0, 40.0});
  table.parameters = {{"x", {1.0, 2.0, 2.0, 3.0}}, {"constant", {5.0, 5.0, 5.0, 5.0}}};
  const SweepSummary s = summarize_sweep(table.view(), {}, 0);
  ASSERT_EQ(s.sensitivity.size(), 2u);
  EXPECT_EQ(s.sensitivity[0].name, "x");
  EXPECT_NEAR(s.sensitivity[0].spearman, 4.5 / std::sqrt(22.5), 1e-12);
  // No spread: no correlation rather than 0 / 0.
  EXPECT_EQ(s.sensitivity[1].name, "constant");
  EXPECT_EQ(s.sensitivity[1].spearman, 0.0);
  // No threshold: no failing class.
  EXPECT_EQ(s.sensitivity[0].failing_shift, 0.0);
}

TEST(SweepSummary, ParameterThatDecidesFailureRanksFirst) {
  // 200 variants: COM = 6 - loss + small noise from another parameter, so the loss decides
  // who fails at 3 dB; "noise" barely matters, "unrelated" not at all.
  std::vector<double> margin, loss, noise, unrelated;
  std::uint32_t state = 12345;
  const auto uniform = [&] {
    state = state * 1664525u + 1013904223u;
    return static_cast<double>(state >> 8) / 16777216.0;
  };
  for (int i = 0; i < 200; ++i) {
    loss.push_back(6.0 * uniform());
    noise.push_back(uniform());
    unrelated.push_back(uniform());
    margin.push_back(6.0 - loss.back() + 0.2 * noise.back());
  }
  Table table(margin);
  table.parameters = {{"unrelated", unrelated}, {"noise", noise}, {"loss_dB", loss}};
  const std::vector<double> thresholds{3.0};
  const SweepSummary s = summarize_sweep(table.view(), thresholds, 3);
  ASSERT_EQ(s.sensitivity.size(), 3u);
  EXPECT_EQ(s.sensitivity[0].name, "loss_dB");
  EXPECT_LT(s.sensitivity[0].spearman, -0.98);
  // Failing variants have much higher loss: a large positive shift.
  EXPECT_GT(s.sensitivity[0].failing_shift, 2.0);
  EXPECT_EQ(s.sensitivity[1].name, "noise");
  EXPECT_LT(std::abs(s.sensitivity[2].spearman), 0.2);
  EXPECT_LT(std::abs(s.sensitivity[2].failing_shift), 0.5);
}

TEST(SweepSummary, FailingShiftPooledAndPerfectSeparator) {
  // Failing (margin < 0): x = 4, 6 (mean 5, SS 2); passing: x = 1, 2, 3 (mean 2, SS 2);
  // pooled sd = sqrt(4 / 3), shift = 3 / sqrt(4 / 3).
  Table table({-1.0, -2.0, 1.0, 2.0, 3.0});
  table.parameters = {{"x", {4.0, 6.0, 1.0, 2.0, 3.0}}, {"switch", {1.0, 1.0, 0.0, 0.0, 0.0}}};
  const std::vector<double> thresholds{0.0};
  const SweepSummary s = summarize_sweep(table.view(), thresholds, 0);
  EXPECT_NEAR(sensitivity_of(s, "x").failing_shift, 3.0 / std::sqrt(4.0 / 3.0), 1e-12);
  // Constant within each class, different between them.
  EXPECT_EQ(sensitivity_of(s, "switch").failing_shift, std::numeric_limits<double>::infinity());
}

TEST(SweepSummary, FailedRowsAreExcluded) {
  // The failed rows carry extreme values that would change every statistic if counted.
  Table table({-50.0, 1.0, kNaN, 2.0, 3.0, -60.0});
  table.ok = {0, 1, 0, 1, 1, 0};
  table.parameters = {{"x", {100.0, 1.0, -100.0, 2.0, 3.0, 50.0}}};
  const std::vector<double> thresholds{1.5};
  const SweepSummary s = summarize_sweep(table.view(), thresholds, 10);
  EXPECT_EQ(s.variants, 6u);
  EXPECT_EQ(s.computed, 3u);
  EXPECT_EQ(s.failed_to_compute, 3u);
  EXPECT_EQ(s.yields[0].pass, 2u);
  EXPECT_EQ(s.yields[0].total, 3u);
  EXPECT_EQ(s.margin_min_dB, 1.0);
  EXPECT_EQ(s.margin_max_dB, 3.0);
  EXPECT_DOUBLE_EQ(s.margin_mean_dB, 2.0);
  EXPECT_EQ(s.worst_variants, (std::vector<std::uint64_t>{1, 3, 4}));
  EXPECT_DOUBLE_EQ(s.sensitivity[0].spearman, 1.0);

  // ok but NaN: not computed either (it cannot be ranked or compared with a threshold).
  table.ok = {0, 1, 1, 1, 1, 0};
  EXPECT_EQ(summarize_sweep(table.view(), thresholds, 10).computed, 3u);
}

TEST(SweepSummary, NaNParameterValuesLeaveOnlyThatParameter) {
  Table table({1.0, 2.0, 3.0, 4.0});
  table.parameters = {{"partial", {kNaN, 2.0, 1.0, kNaN}}, {"full", {1.0, 2.0, 3.0, 4.0}}};
  const SweepSummary s = summarize_sweep(table.view(), {}, 0);
  EXPECT_EQ(s.sensitivity[0].name, "partial");
  EXPECT_DOUBLE_EQ(s.sensitivity[0].spearman, -1.0);
  EXPECT_DOUBLE_EQ(s.sensitivity[1].spearman, 1.0);
}

TEST(SweepSummary, MismatchedColumnsAreLogicErrors) {
  Table table({1.0, 2.0, 3.0});
  table.ok.pop_back();
  EXPECT_THROW(summarize_sweep(table.view(), {}, 0), LogicError);
  table = Table({1.0, 2.0, 3.0});
  table.index.push_back(3);
  EXPECT_THROW(summarize_sweep(table.view(), {}, 0), LogicError);
  table = Table({1.0, 2.0, 3.0});
  table.parameters = {{"short", {1.0, 2.0}}};
  try {
    summarize_sweep(table.view(), {}, 0);
    FAIL() << "expected LogicError";
  } catch (const LogicError& e) {
    EXPECT_NE(std::string(e.what()).find("short"), std::string::npos) << e.what();
  }
}

TEST(SweepSummary, ReportShowsYieldsPercentilesWorstAndDrivers) {
  Table table({-1.0, 2.0, 4.0, 0.5});
  table.index = {20, 21, 22, 23};
  table.parameters = {{"fiber_length_m", {500.0, 100.0, 10.0, 300.0}}};
  const std::vector<double> thresholds{1.0, 3.0};
  const SweepSummary s = summarize_sweep(table.view(), thresholds, 2);
  const std::string report = format_summary(s);
  for (const std::string& expected :
       {std::string("4 variants, 4 computed, 0 failed"), std::string("COM >=   1.00 dB"), std::string("50.00 %"),
        std::string("Wilson 95 %"), std::string("50 %: 1.250 dB"), std::string("fiber_length_m"),
        std::string("-1.000"), std::string("500"), std::string("300")}) {
    EXPECT_NE(report.find(expected), std::string::npos) << "missing '" << expected << "' in\n" << report;
  }
  // The worst variant's row comes first, with its parameter value on the same line.
  const auto worst_line = report.find("        20");
  ASSERT_NE(worst_line, std::string::npos) << report;
  EXPECT_NE(report.substr(worst_line, report.find('\n', worst_line) - worst_line).find("500"), std::string::npos);

  // Every variant fails the first threshold: no failing shift to report, and the report says why.
  const std::vector<double> high{10.0};
  const std::string all_fail = format_summary(summarize_sweep(table.view(), high, 2));
  EXPECT_NE(all_fail.find("every variant fails at 10.00 dB"), std::string::npos) << all_fail;
}

}  // namespace
}  // namespace eyesweep
