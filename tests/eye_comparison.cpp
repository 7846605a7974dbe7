// Comparing a fast eye engine's eyes with the reference's; see eye_comparison.hpp.
#include "tests/eye_comparison.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "host/com_engine.hpp"
#include "host/link_eye.hpp"
#include "tests/synthetic_eyes.hpp"
#include "tests/vita_channels.hpp"

namespace eyesweep::test {
namespace {

bool in_open_region(double ratio) { return ratio >= kOpenRegionLowest && ratio <= kOpenRegionHighest; }

double log_ratio(double ratio) { return std::log10(std::max(ratio, kResolvedErrorRatio)); }

/// Every value of `values` finite.
bool all_finite(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [](double x) { return std::isfinite(x); });
}

}  // namespace

void keep_worst(EyeDifference& worst, const EyeDifference& d) {
  worst.log10_ratio = std::max(worst.log10_ratio, d.log10_ratio);
  worst.open_bins += d.open_bins;
  worst.height_bins = std::max(worst.height_bins, d.height_bins);
  worst.width_steps = std::max(worst.width_steps, d.width_steps);
  worst.threshold_bins = std::max(worst.threshold_bins, d.threshold_bins);
  worst.best_phase_steps = std::max(worst.best_phase_steps, d.best_phase_steps);
}

EyeDifference expect_same_eye(const StatEye& fast, const StatEye& reference, const std::string& what) {
  SCOPED_TRACE(what);
  EyeDifference d;
  const EyeMap& f = fast.map;
  const EyeMap& r = reference.map;
  const std::size_t P = r.phase_UI.size(), B = r.voltage_V.size(), L = static_cast<std::size_t>(r.levels);
  EXPECT_FALSE(fast.engine.empty());
  EXPECT_NE(fast.engine, "reference");
  // Shapes, and every value written (the engines' buffers start poisoned where they can be).
  EXPECT_EQ(f.levels, r.levels);
  EXPECT_EQ(f.phase_UI, r.phase_UI);
  EXPECT_EQ(f.voltage_V, r.voltage_V);
  EXPECT_EQ(fast.targets, reference.targets);
  EXPECT_EQ(fast.der0, reference.der0);
  EXPECT_EQ(fast.r_lm, reference.r_lm);
  if (f.ratio.size() != P * B || f.level_means_V.size() != P * L || fast.sub_eyes.size() != L - 1 ||
      fast.targets.size() != reference.targets.size()) {
    ADD_FAILURE() << "eye shapes differ: ratio " << f.ratio.size() << " / " << P * B << ", means "
                  << f.level_means_V.size() << " / " << P * L << ", sub-eyes " << fast.sub_eyes.size();
    return d;
  }
  for (std::size_t i = 0; i < P * B; ++i) {
    if (!(f.ratio[i] >= 0.0 && f.ratio[i] <= 2.0)) {
      ADD_FAILURE() << "map entry " << i << " (phase " << i / B << ", bin " << i % B << ") is " << f.ratio[i];
      return d;
    }
  }
  for (std::size_t i = 0; i < P * L; ++i) {
    EXPECT_NEAR(f.level_means_V[i], r.level_means_V[i], 1e-12 + 1e-9 * std::abs(r.level_means_V[i])) << "mean " << i;
  }

  // The maps over the open region.
  for (std::size_t i = 0; i < P * B; ++i) {
    if (!in_open_region(f.ratio[i]) && !in_open_region(r.ratio[i])) continue;
    ++d.open_bins;
    const double diff = std::abs(log_ratio(f.ratio[i]) - log_ratio(r.ratio[i]));
    if (diff > d.log10_ratio) {
      d.log10_ratio = diff;
      if (diff > kLog10RatioTolerance) {
        ADD_FAILURE() << "error ratio at phase " << i / B << ", bin " << i % B << ": " << f.ratio[i] << " against the reference's "
                      << r.ratio[i] << " (log10 difference " << diff << " > " << kLog10RatioTolerance << ")";
      }
    }
  }

  // What is measured on them.
  const double bin = r.voltage_V[1] - r.voltage_V[0];
  const double step = 1.0 / static_cast<double>(P);
  for (std::size_t k = 0; k + 1 < L; ++k) {
    SCOPED_TRACE("sub-eye " + std::to_string(k));
    const SubEye& fs = fast.sub_eyes[k];
    const SubEye& rs = reference.sub_eyes[k];
    if (fs.height_V.size() != rs.height_V.size() || fs.width_UI.size() != rs.width_UI.size() ||
        fs.contour_lower_V.size() != rs.contour_lower_V.size() || fs.contour_upper_V.size() != rs.contour_upper_V.size() ||
        fs.vertical_bathtub.size() != B || fs.horizontal_bathtub.size() != P) {
      ADD_FAILURE() << "sub-eye shapes differ";
      return d;
    }
    EXPECT_TRUE(all_finite(fs.height_V) && all_finite(fs.width_UI) && all_finite(fs.vertical_bathtub) &&
                all_finite(fs.horizontal_bathtub));
    EXPECT_TRUE(std::isfinite(fs.threshold_V) && std::isfinite(fs.min_ratio) && std::isfinite(fs.vec_dB) &&
                std::isfinite(fs.height_der0_V) && std::isfinite(fs.best_phase_UI));
    for (std::size_t t = 0; t < rs.height_V.size(); ++t) {
      d.height_bins = std::max(d.height_bins, std::abs(fs.height_V[t] - rs.height_V[t]) / bin);
      d.width_steps = std::max(d.width_steps, std::abs(fs.width_UI[t] - rs.width_UI[t]) / step);
      EXPECT_NEAR(fs.height_V[t], rs.height_V[t], bin) << "height at " << reference.targets[t];
      EXPECT_NEAR(fs.width_UI[t], rs.width_UI[t], step) << "width at " << reference.targets[t];
    }
    EXPECT_NEAR(fs.height_der0_V, rs.height_der0_V, bin);
    d.best_phase_steps = std::max(d.best_phase_steps, std::abs(fs.best_phase_UI - rs.best_phase_UI) / step);
    EXPECT_NEAR(fs.best_phase_UI, rs.best_phase_UI, step * (1.0 + 1e-9));
    if (rs.min_ratio >= kResolvedErrorRatio) {
      EXPECT_NEAR(log_ratio(fs.min_ratio), log_ratio(rs.min_ratio), kLog10RatioTolerance);
      const double apart = std::abs(fs.threshold_V - rs.threshold_V) / bin;
      if (apart <= 1.0 + 1e-9) {
        d.threshold_bins = std::max(d.threshold_bins, apart);
      } else {
        // Two equal lowest ratios (e.g. the mirror-image minima of a symmetric middle sub-eye)
        // fall either way: the fast threshold must then sit where the reference's ratio is
        // lowest too.
        const auto phase = static_cast<std::size_t>(std::lround(rs.best_phase_UI * static_cast<double>(P))) + P / 2;
        const double at = (fs.threshold_V - r.voltage_V[0]) / bin;
        const auto below = static_cast<std::size_t>(std::clamp(std::floor(at), 0.0, static_cast<double>(B - 1)));
        const auto above = static_cast<std::size_t>(std::clamp(std::ceil(at), 0.0, static_cast<double>(B - 1)));
        const double there = std::min(r.ratio[phase * B + below], r.ratio[phase * B + above]);
        EXPECT_NEAR(log_ratio(there), log_ratio(rs.min_ratio), kLog10RatioTolerance)
            << "threshold " << fs.threshold_V << " V against the reference's " << rs.threshold_V << " V";
      }
    } else {
      EXPECT_LT(fs.min_ratio, kResolvedErrorRatio) << "the reference's lowest ratio is " << rs.min_ratio;
    }
    // Contours: the same edges within a bin; one open where the other is closed only at the
    // edge of closing (an opening of at most two bins).
    for (std::size_t i = 0; i < rs.contour_lower_V.size(); ++i) {
      const double fo = fs.contour_upper_V[i] - fs.contour_lower_V[i];
      const double ro = rs.contour_upper_V[i] - rs.contour_lower_V[i];
      if (std::isnan(fo) != std::isnan(ro)) {
        EXPECT_LE(std::isnan(fo) ? ro : fo, 2.0 * bin) << "contour " << i / P << " at phase " << i % P << " open in one engine only";
        continue;
      }
      if (std::isnan(fo)) continue;
      EXPECT_NEAR(fs.contour_lower_V[i], rs.contour_lower_V[i], bin) << "contour " << i / P << " at phase " << i % P;
      EXPECT_NEAR(fs.contour_upper_V[i], rs.contour_upper_V[i], bin) << "contour " << i / P << " at phase " << i % P;
    }
  }
  return d;
}

void compare_on_vita_channel(EyeEngine& engine) {
  const ComConfig cfg = vita_config();
  const std::vector<LoadedChannel> channels = vita_channels();
  std::vector<EyeInputs> eyes;
  for (const ComCaseResult& c : run_com(cfg, channels).cases) eyes.push_back(winner_eye_inputs(cfg, channels, c).eye);

  const std::unique_ptr<EyeEngine> reference = make_eye_engine(Backend::reference, {});
  for (const EyeCrosstalk crosstalk : {EyeCrosstalk::synchronous, EyeCrosstalk::worst_phase}) {
    EyeOptions options;
    options.crosstalk = crosstalk;
    options.jitter = crosstalk == EyeCrosstalk::synchronous ? EyeJitter::phase_mixing : EyeJitter::linearised;
    const std::vector<StatEye> fast = engine.run(eyes, options);
    const std::vector<StatEye> oracle = reference->run(eyes, options);
    ASSERT_EQ(fast.size(), eyes.size());
    ASSERT_EQ(oracle.size(), eyes.size());
    for (std::size_t i = 0; i < eyes.size(); ++i) {
      const std::string what = "VITA package case " + std::to_string(i + 1) + ", " + std::string(to_string(crosstalk));
      const EyeDifference d = expect_same_eye(fast[i], oracle[i], what);
      EXPECT_GT(oracle[i].height_der0_V, 0.0) << what << ": the eye is open at DER_0";
      std::printf("%s: log10 ratio within %.2g over %zu open-region bins\n", what.c_str(), d.log10_ratio, d.open_bins);
    }
  }
}

EyeDifference compare_on_random_eyes(EyeEngine& engine, std::size_t count, int phases, int bins, std::uint64_t seed,
                                     std::size_t batch) {
  const std::unique_ptr<EyeEngine> reference = make_eye_engine(Backend::reference, {});
  std::mt19937_64 rng(seed);
  EyeDifference worst;
  std::size_t open = 0;
  for (int mode = 0; mode < 4; ++mode) {
    EyeOptions options;
    options.phases = phases;
    options.voltage_bins = bins;
    options.crosstalk = mode % 2 == 0 ? EyeCrosstalk::synchronous : EyeCrosstalk::worst_phase;
    options.jitter = mode / 2 == 0 ? EyeJitter::phase_mixing : EyeJitter::linearised;
    const std::size_t first = count * static_cast<std::size_t>(mode) / 4, last = count * static_cast<std::size_t>(mode + 1) / 4;
    for (std::size_t from = first; from < last; from += batch) {
      std::vector<SyntheticEye> channels;
      std::vector<EyeInputs> eyes;
      for (std::size_t i = from; i < std::min(last, from + batch); ++i) {
        channels.push_back(random_synthetic_eye(rng));
        eyes.push_back(synthetic_eye(channels.back()));
      }
      const std::vector<StatEye> fast = engine.run(eyes, options);
      const std::vector<StatEye> oracle = reference->run(eyes, options);
      if (fast.size() != eyes.size() || oracle.size() != eyes.size()) {
        ADD_FAILURE() << "one eye per input expected: " << fast.size() << " / " << oracle.size() << " / " << eyes.size();
        return worst;
      }
      for (std::size_t i = 0; i < eyes.size(); ++i) {
        const SyntheticEye& c = channels[i];
        const std::string what = "eye " + std::to_string(from + i) + " (L " + std::to_string(c.levels) + ", " +
                                 std::to_string(c.pulse_ui) + " UI, " + std::to_string(c.aggressors) + " aggressors, " +
                                 std::string(to_string(options.crosstalk)) + ", " + std::string(to_string(options.jitter)) +
                                 "), EYESWEEP_TEST_SEED=" + std::to_string(seed);
        keep_worst(worst, expect_same_eye(fast[i], oracle[i], what));
        open += oracle[i].height_der0_V > 0.0 ? 1 : 0;
      }
    }
  }
  std::printf("%zu eyes at %d x %d (seed %llu), %zu open at DER_0: log10 ratio within %.2g over %zu open-region bins, "
              "heights %.3g bins, widths %.3g phase steps, thresholds %.3g bins, best phases %.3g steps\n",
              count, phases, bins, static_cast<unsigned long long>(seed), open, worst.log10_ratio, worst.open_bins,
              worst.height_bins, worst.width_steps, worst.threshold_bins, worst.best_phase_steps);
  EXPECT_GT(open, count / 5) << "too few open eyes for the comparison to prove much";
  EXPECT_GT(worst.open_bins, 0u);
  return worst;
}

}  // namespace eyesweep::test
