#include "host/sweep_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// Standard normal quantile at 0.975: the two-sided 95 % interval.
constexpr double kZ95 = 1.959963984540054;

YieldAtThreshold wilson_yield(double threshold_dB, std::uint64_t pass, std::uint64_t total) {
  YieldAtThreshold y{threshold_dB, pass, total, kNaN, 0.0, 1.0};
  if (total == 0) return y;
  const double n = static_cast<double>(total);
  const double p = static_cast<double>(pass) / n;
  const double z2 = kZ95 * kZ95;
  const double denominator = 1.0 + z2 / n;
  const double centre = (p + z2 / (2.0 * n)) / denominator;
  const double half = kZ95 / denominator * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
  y.yield = p;
  // The bounds are exactly 0 at 0 of n and exactly 1 at n of n; rounding would otherwise put
  // them an ulp outside [0, 1].
  y.ci_low = pass == 0 ? 0.0 : std::max(0.0, centre - half);
  y.ci_high = pass == total ? 1.0 : std::min(1.0, centre + half);
  return y;
}

/// Hyndman and Fan type 7 on sorted values (numpy's default 'linear').
double percentile_of_sorted(const std::vector<double>& sorted, double level_percent) {
  if (sorted.empty()) return kNaN;
  const double h = static_cast<double>(sorted.size() - 1) * std::clamp(level_percent, 0.0, 100.0) / 100.0;
  const auto low = static_cast<std::size_t>(std::floor(h));
  if (low + 1 >= sorted.size()) return sorted.back();
  const double t = h - static_cast<double>(low);
  // Equal neighbours (infinities included) return the value itself, not inf - inf.
  if (sorted[low] == sorted[low + 1]) return sorted[low];
  return sorted[low] + t * (sorted[low + 1] - sorted[low]);
}

/// Ranks 1..n, tied values sharing the average of the ranks they span.
std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin + 1;
    while (end < order.size() && values[order[end]] == values[order[begin]]) ++end;
    const double rank = static_cast<double>(begin + end + 1) / 2.0;
    for (std::size_t i = begin; i < end; ++i) ranks[order[i]] = rank;
    begin = end;
  }
  return ranks;
}

double mean_of(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

/// Pearson correlation; 0 when either side has no spread.
double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() < 2) return 0.0;
  const double mx = mean_of(x), my = mean_of(y);
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0.0 || syy == 0.0) return 0.0;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

/// Sum of squared deviations from the mean.
double squared_deviations(const std::vector<double>& values, double mean) {
  double sum = 0.0;
  for (double v : values) sum += (v - mean) * (v - mean);
  return sum;
}

/// (mean failing - mean passing) / pooled standard deviation; see ParameterSensitivity.
double failing_shift(const std::vector<double>& failing, const std::vector<double>& passing) {
  if (failing.empty() || passing.empty()) return 0.0;
  const double mf = mean_of(failing), mp = mean_of(passing);
  const double difference = mf - mp;
  const double pooled_ss = squared_deviations(failing, mf) + squared_deviations(passing, mp);
  if (pooled_ss == 0.0) return difference == 0.0 ? 0.0 : std::copysign(kInf, difference);
  // pooled_ss > 0 needs a class of two or more, so the degrees of freedom are at least 1.
  const double dof = static_cast<double>(failing.size() + passing.size() - 2);
  return difference / std::sqrt(pooled_ss / dof);
}

std::string printf_string(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string pad_left(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string pad_right(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string percent(double fraction) {
  return std::isnan(fraction) ? "n/a" : printf_string("%.2f %%", 100.0 * fraction);
}

}  // namespace

SweepSummary summarize_sweep(const SweepColumns& columns, std::span<const double> thresholds_dB,
                             std::size_t worst_k) {
  const std::size_t rows = columns.margin_dB.size();
  ES_EXPECTS(columns.ok.size() == rows, "ok column has " + std::to_string(columns.ok.size()) +
                                            " rows, margin column " + std::to_string(rows));
  ES_EXPECTS(columns.variant_index.size() == rows, "variant_index column has " +
                                                       std::to_string(columns.variant_index.size()) +
                                                       " rows, margin column " + std::to_string(rows));

  SweepSummary s;
  s.variants = rows;
  // A NaN margin cannot be ranked or compared with a threshold, so such a row counts as not
  // computed even if it claims ok.
  std::vector<std::size_t> computed_rows;
  for (std::size_t r = 0; r < rows; ++r) {
    if (columns.ok[r] != 0 && !std::isnan(columns.margin_dB[r])) computed_rows.push_back(r);
  }
  s.computed = computed_rows.size();
  s.failed_to_compute = s.variants - s.computed;

  std::vector<double> margins;
  margins.reserve(computed_rows.size());
  for (std::size_t r : computed_rows) margins.push_back(columns.margin_dB[r]);

  for (double threshold : thresholds_dB) {
    const auto pass = std::count_if(margins.begin(), margins.end(), [&](double m) { return m >= threshold; });
    s.yields.push_back(wilson_yield(threshold, static_cast<std::uint64_t>(pass), s.computed));
  }

  std::vector<double> sorted = margins;
  std::sort(sorted.begin(), sorted.end());
  for (double level : s.percentile_levels) s.margin_percentiles_dB.push_back(percentile_of_sorted(sorted, level));
  if (sorted.empty()) {
    s.margin_min_dB = s.margin_mean_dB = s.margin_max_dB = kNaN;
  } else {
    s.margin_min_dB = sorted.front();
    s.margin_max_dB = sorted.back();
    s.margin_mean_dB = mean_of(margins);
  }

  std::vector<std::size_t> order(computed_rows.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t k = std::min(worst_k, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      if (margins[a] != margins[b]) return margins[a] < margins[b];
                      return columns.variant_index[computed_rows[a]] < columns.variant_index[computed_rows[b]];
                    });
  std::vector<std::size_t> worst_rows;
  for (std::size_t i = 0; i < k; ++i) {
    worst_rows.push_back(computed_rows[order[i]]);
    s.worst_variants.push_back(columns.variant_index[worst_rows.back()]);
    s.worst_margin_dB.push_back(margins[order[i]]);
  }
  s.worst_parameters.assign(k, {});

  // Margin ranks over every computed row, reused for each parameter that has no NaN there.
  const std::vector<double> margin_ranks = average_ranks(margins);
  s.parameter_names = columns.parameter_names;
  for (std::size_t column = 0; column < columns.parameter_names.size(); ++column) {
    const std::string& name = columns.parameter_names[column];
    const std::vector<double> values = columns.parameter(column);
    ES_EXPECTS(values.size() == rows, "parameter " + name + " has " + std::to_string(values.size()) +
                                          " rows, margin column " + std::to_string(rows));
    for (std::size_t i = 0; i < k; ++i) s.worst_parameters[i].push_back(values[worst_rows[i]]);
    std::vector<double> x, y, failing, passing;
    for (std::size_t i = 0; i < computed_rows.size(); ++i) {
      const double v = values[computed_rows[i]];
      if (std::isnan(v)) continue;
      x.push_back(v);
      y.push_back(margins[i]);
      if (!thresholds_dB.empty()) (margins[i] < thresholds_dB.front() ? failing : passing).push_back(v);
    }
    ParameterSensitivity p{name, 0.0, failing_shift(failing, passing)};
    p.spearman = correlation(average_ranks(x), x.size() == margins.size() ? margin_ranks : average_ranks(y));
    s.sensitivity.push_back(std::move(p));
  }
  std::stable_sort(s.sensitivity.begin(), s.sensitivity.end(),
                   [](const ParameterSensitivity& a, const ParameterSensitivity& b) {
                     return std::abs(a.spearman) > std::abs(b.spearman);
                   });
  return s;
}

std::string format_summary(const SweepSummary& summary) {
  std::string out;
  out += "Sweep summary: " + std::to_string(summary.variants) + " variants, " + std::to_string(summary.computed) +
         " computed, " + std::to_string(summary.failed_to_compute) + " failed to compute (excluded below)\n";
  if (summary.computed == 0) {
    out += "No variant computed: no yield, percentile or sensitivity to report.\n";
    return out;
  }
  out += "COM          min " + printf_string("%.3f", summary.margin_min_dB) + " dB   mean " +
         printf_string("%.3f", summary.margin_mean_dB) + " dB   max " + printf_string("%.3f", summary.margin_max_dB) +
         " dB\n";

  if (!summary.yields.empty()) {
    out += "\nYield (Wilson 95 % interval)\n";
    for (const YieldAtThreshold& y : summary.yields) {
      out += "  COM >= " + pad_left(printf_string("%.2f", y.threshold_dB), 6) + " dB  " +
             pad_left(std::to_string(y.pass), 8) + " / " + pad_right(std::to_string(y.total), 8) + " " +
             pad_left(percent(y.yield), 9) + "   [" + percent(y.ci_low) + ", " + percent(y.ci_high) + "]\n";
    }
  }

  out += "\nPercentiles of COM\n ";
  for (std::size_t i = 0; i < summary.percentile_levels.size(); ++i) {
    out += "  " + printf_string("%g", summary.percentile_levels[i]) + " %: " +
           printf_string("%.3f", summary.margin_percentiles_dB[i]) + " dB";
  }
  out += "\n";

  if (!summary.worst_variants.empty()) {
    std::vector<std::size_t> widths;
    out += "\nWorst variants\n  " + pad_left("variant", 10) + "  " + pad_left("COM (dB)", 9);
    for (const std::string& name : summary.parameter_names) {
      widths.push_back(std::max<std::size_t>(name.size(), 10));
      out += "  " + pad_left(name, widths.back());
    }
    out += "\n";
    for (std::size_t i = 0; i < summary.worst_variants.size(); ++i) {
      out += "  " + pad_left(std::to_string(summary.worst_variants[i]), 10) + "  " +
             pad_left(printf_string("%.3f", summary.worst_margin_dB[i]), 9);
      for (std::size_t p = 0; p < widths.size(); ++p) {
        out += "  " + pad_left(printf_string("%.6g", summary.worst_parameters[i][p]), widths[p]);
      }
      out += "\n";
    }
  }

  if (!summary.sensitivity.empty()) {
    std::size_t name_width = 9;
    for (const ParameterSensitivity& p : summary.sensitivity) name_width = std::max(name_width, p.name.size());
    out += "\nDrivers of COM, strongest first\n  spearman: rank correlation of the parameter with COM\n";
    // With every variant on one side of the first threshold there is nothing to contrast.
    bool shift_defined = false;
    if (!summary.yields.empty()) {
      const YieldAtThreshold& first = summary.yields.front();
      const std::string threshold = printf_string("%.2f", first.threshold_dB) + " dB";
      shift_defined = first.pass != 0 && first.pass != first.total;
      out += shift_defined ? "  failing shift: (mean where COM < " + threshold +
                                 " - mean elsewhere) / pooled standard deviation\n"
                           : "  failing shift: n/a, every variant " + std::string(first.pass == 0 ? "fails" : "passes") +
                                 " at " + threshold + "\n";
    }
    out += "  " + pad_right("parameter", name_width) + "  " + pad_left("spearman", 8) + "  " +
           pad_left("failing shift", 13) + "\n";
    for (const ParameterSensitivity& p : summary.sensitivity) {
      out += "  " + pad_right(p.name, name_width) + "  " + pad_left(printf_string("%+.3f", p.spearman), 8) + "  " +
             pad_left(shift_defined ? printf_string("%+.3f", p.failing_shift) : "n/a", 13) + "\n";
    }
  }
  return out;
}

}  // namespace eyesweep
