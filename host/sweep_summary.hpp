// Summary statistics of a sweep's rows: yields with confidence intervals, margin percentiles,
// the worst variants and the parameters that drive failures, and the text report of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace eyesweep {

/// The fraction of computed variants whose margin is at or above a threshold. The interval is
/// the Wilson score interval at 95 % (z = 1.959964), which stays inside [0, 1] and keeps a
/// useful width at 0 of n and n of n, where the normal approximation collapses to a point.
/// With no computed variant the yield is NaN (no estimate) and the interval [0, 1] (the
/// Wilson interval's limit as n -> 0: nothing is known).
struct YieldAtThreshold {
  double threshold_dB = 0;
  std::uint64_t pass = 0;   ///< computed variants with margin >= threshold_dB
  std::uint64_t total = 0;  ///< computed variants
  double yield = 0, ci_low = 0, ci_high = 0;
};

/// How strongly one swept parameter drives the margin, over the computed rows where the
/// parameter is not NaN.
struct ParameterSensitivity {
  std::string name;
  /// Spearman rank correlation of the parameter with the margin: Pearson correlation of the
  /// ranks, ties given their average rank; 0 when either has no spread.
  double spearman = 0;
  /// (mean among failing - mean among passing) / pooled standard deviation, failing meaning
  /// margin < the first threshold; 0 when a class is empty or there is no threshold, and
  /// +-infinity when the classes differ but neither varies inside (a perfect separator).
  double failing_shift = 0;
};

struct SweepSummary {
  /// Rows; rows that computed (ok != 0 and a margin that is not NaN); the others, which are
  /// input errors, excluded from every statistic below.
  std::uint64_t variants = 0, computed = 0, failed_to_compute = 0;
  std::vector<YieldAtThreshold> yields;  ///< one per threshold, in the caller's order
  std::vector<double> percentile_levels{0.1, 1, 5, 50, 95, 99};  ///< percent
  /// Percentiles of the margin at percentile_levels: linear interpolation between order
  /// statistics at rank (n - 1) p / 100 (Hyndman and Fan's type 7, numpy's default 'linear',
  /// R's default). NaN when nothing computed.
  std::vector<double> margin_percentiles_dB;
  double margin_min_dB = 0, margin_mean_dB = 0, margin_max_dB = 0;  ///< NaN when nothing computed
  /// The worst_k lowest margins, lowest first; equal margins by lower variant index.
  std::vector<std::uint64_t> worst_variants;
  std::vector<double> worst_margin_dB;
  std::vector<std::string> parameter_names;            ///< the swept parameters, in column order
  std::vector<std::vector<double>> worst_parameters;  ///< per worst variant, its parameters in column order
  std::vector<ParameterSensitivity> sensitivity;  ///< by |spearman| descending, ties in column order
};

/// A sweep's rows, all columns of the same length: margin, ok and variant index as non-owning
/// columns, the swept parameters loaded one at a time when the summary asks for them, so that
/// the summary of a file of millions of rows holds one parameter column at once.
struct SweepColumns {
  std::span<const double> margin_dB;  ///< COM (dB) per row
  std::span<const std::int8_t> ok;    ///< 1 = computed
  std::span<const std::uint64_t> variant_index;
  std::vector<std::string> parameter_names;  ///< swept parameters
  /// The values of parameter_names[p], one per row (called once per parameter).
  std::function<std::vector<double>(std::size_t p)> parameter;
};

/// The summary of `columns`: yields at each of `thresholds_dB`, percentiles, the `worst_k`
/// worst variants (all of them when fewer computed) and every parameter's sensitivity.
/// Columns of different lengths throw LogicError.
SweepSummary summarize_sweep(const SweepColumns& columns, std::span<const double> thresholds_dB,
                             std::size_t worst_k);

/// Plain-text report (what `eyesweep summarize` prints): yields with intervals, percentiles,
/// worst variants with their parameter values, top drivers of failure.
std::string format_summary(const SweepSummary& summary);

}  // namespace eyesweep
