// Closed-form checks of the reference statistical eye (host/stat_eye, host/reference_eye):
// a main cursor with Gaussian noise against the Q function, two-cursor channels against their
// exact discrete distribution, dual-Dirac jitter against the shifted bathtubs, PAM4 levels and
// thresholds for R_LM = 1 and R_LM < 1, the symmetry of PAM4 sub-eyes, and the eye height at
// DER_0 against the COM engine's on a real channel.
#include "host/stat_eye.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "host/com_engine.hpp"
#include "host/link_eye.hpp"
#include "kernels/common/error.hpp"
#include "tests/vita_channels.hpp"

namespace eyesweep {
namespace {

constexpr int kM = 16;           // samples per UI of the synthetic pulses
constexpr std::size_t kCursor = 20 * kM;

double q_function(double x) { return 0.5 * std::erfc(x / std::sqrt(2.0)); }

// A victim pulse p(t) (t in UI from the cursor) sampled at kM per UI over 60 UI.
EyeInputs synthetic(int levels, const std::function<double(double)>& pulse, double sigma_n = 0.0) {
  EyeInputs in;
  ComNoiseInputs& ch = in.channel;
  ch.levels = levels;
  ch.der0 = 1e-6;
  ch.samples_per_ui = kM;
  ch.cursor_index = kCursor;
  for (int i = 0; i < 60 * kM; ++i) {
    ch.victim_pulse.push_back(pulse((i - static_cast<double>(kCursor)) / kM));
  }
  ch.sigma_n = sigma_n;
  return in;
}

// A one-UI-wide flat top on [-0.5, 0.5) UI: the cursor is h0 at every phase of the window
// (interpolation lowers it only within the last sample before +0.5) and no other UI sees it.
std::function<double(double)> flat_top(double h0) {
  return [h0](double t) { return t >= -0.5 && t < 0.5 ? h0 : 0.0; };
}

// The triangle h0 (1 - |t|): cursor h0 (1 - |tau|), one neighbour h0 |tau| at phase tau.
std::function<double(double)> triangle(double h0) {
  return [h0](double t) { return std::max(0.0, h0 * (1.0 - std::abs(t))); };
}

double at(const StatEye& eye, int phase, int bin) {
  return eye.map.ratio[static_cast<std::size_t>(phase) * eye.map.voltage_V.size() + static_cast<std::size_t>(bin)];
}

std::size_t target_index(const StatEye& eye, double target) {
  const auto it = std::find(eye.targets.begin(), eye.targets.end(), target);
  EXPECT_NE(it, eye.targets.end());
  return static_cast<std::size_t>(it - eye.targets.begin());
}

double bin_of(const StatEye& eye) { return eye.map.voltage_V[1] - eye.map.voltage_V[0]; }

TEST(StatEye, GaussianNoiseGivesTheQFunctionWithinOneBin) {
  const double h0 = 0.2, sigma = 0.01;
  const StatEye eye = reference_eye(synthetic(2, flat_top(h0), sigma), EyeOptions{});
  const double bin = bin_of(eye);
  const int centre = static_cast<int>(eye.map.phase_UI.size() / 2);
  // Vertical bathtub: Q((h0 - v) / sigma) + Q((h0 + v) / sigma), where it is above 1e-15.
  for (std::size_t b = 0; b < eye.map.voltage_V.size(); ++b) {
    const double v = eye.map.voltage_V[b];
    if (std::abs(v) >= h0) continue;
    const auto closed = [&](double u) { return q_function((h0 - u) / sigma) + q_function((h0 + u) / sigma); };
    const double r = at(eye, centre, static_cast<int>(b));
    if (closed(v) < 1e-15) continue;
    const double lo = std::min(closed(v - bin), closed(v + bin)), hi = std::max(closed(v - bin), closed(v + bin));
    EXPECT_GE(r, lo) << "v = " << v;
    EXPECT_LE(r, hi) << "v = " << v;
  }
  // Heights at every target: 2 (h0 - sigma Q^-1(p)), the opposite tail being negligible.
  for (std::size_t t = 0; t < eye.targets.size(); ++t) {
    const double p = eye.targets[t];
    double q = 0.0;  // Q^-1(p) by bisection
    for (double lo = 0.0, hi = 40.0; hi - lo > 1e-12;) (q_function(q = 0.5 * (lo + hi)) > p ? lo : hi) = q;
    EXPECT_NEAR(eye.sub_eyes[0].height_V[t], 2.0 * (h0 - sigma * q), bin) << "target " << p;
  }
  EXPECT_NEAR(eye.sub_eyes[0].threshold_V, 0.0, bin);
  EXPECT_NEAR(eye.sub_eyes[0].best_phase_UI, 0.0, 1e-12);
  // Open at every phase but the last few, where interpolation across the pulse's edges mixes
  // the cursor into its neighbours.
  EXPECT_GT(eye.sub_eyes[0].width_UI[0], 0.95);
}

TEST(StatEye, TwoCursorChannelGivesTheExactDiscreteDistribution) {
  // NRZ, cursor h0 and one post-cursor h1, no noise: level 1 lands at h0 - h1 or h0 + h1 with
  // 1/2 each, level 0 at -h0 -+ h1: the map is 0 in between and exactly 1/2 over the split.
  const double h0 = 0.3, h1 = 0.06;
  const auto pulse = [&](double t) { return std::abs(t) <= 0.5 ? h0 : (std::abs(t - 1.0) <= 0.5 ? h1 : 0.0); };
  const StatEye eye = reference_eye(synthetic(2, pulse), EyeOptions{});
  const double bin = bin_of(eye);
  const int centre = static_cast<int>(eye.map.phase_UI.size() / 2);
  for (std::size_t b = 0; b < eye.map.voltage_V.size(); ++b) {
    const double v = eye.map.voltage_V[b];
    const double r = at(eye, centre, static_cast<int>(b));
    if (std::abs(v) < h0 - h1 - bin) {
      EXPECT_EQ(r, 0.0) << "v = " << v;
    } else if (std::abs(v) > h0 - h1 + bin && std::abs(v) < h0 - bin) {
      EXPECT_DOUBLE_EQ(r, 0.5) << "v = " << v;
    }
  }
  // Every target sees the same opening, 2 (h0 - h1), within the cells' spread.
  for (double h : eye.sub_eyes[0].height_V) EXPECT_NEAR(h, 2.0 * (h0 - h1), 2.0 * bin);

  // PAM4: level 3 lands at h0 + h1 x, x in {-1, -1/3, 1/3, 1}, 1/4 each.
  const StatEye pam4 = reference_eye(synthetic(4, pulse), EyeOptions{});
  const double pbin = bin_of(pam4);
  for (std::size_t b = 0; b < pam4.map.voltage_V.size(); ++b) {
    const double v = pam4.map.voltage_V[b];
    const double r = at(pam4, centre, static_cast<int>(b));
    for (int i = 0; i < 3; ++i) {  // between the i-th and (i+1)-th landing point below h0
      const double from = h0 - h1 + i * 2.0 * h1 / 3.0, to = from + 2.0 * h1 / 3.0;
      if (v > from + pbin && v < to - pbin && v < h0) {
        EXPECT_DOUBLE_EQ(r, (i + 1) / 4.0) << "v = " << v;
      }
    }
  }
}

TEST(StatEye, DualDiracJitterAveragesTheBathtubsShiftedByPlusMinusADD) {
  const double h0 = 0.2, sigma = 0.01;
  EyeInputs still = synthetic(2, triangle(h0), sigma);
  EyeInputs jittered = still;
  jittered.channel.a_dd_ui = 4.0 / 64;  // four phase steps
  const EyeOptions options;
  const StatEye a = reference_eye(still, options);
  const StatEye b = reference_eye(jittered, options);
  const int zero_bin = options.voltage_bins / 2;
  for (int j = 4; j < 60; ++j) {
    const double expected = 0.5 * (at(a, j - 4, zero_bin) + at(a, j + 4, zero_bin));
    EXPECT_NEAR(at(b, j, zero_bin), expected, 1e-12 * std::max(expected, 1e-300) + 1e-300) << "phase " << j;
  }
  // The horizontal bathtub at v = 0 in closed form: at phase tau the cursor is
  // c = h0 (1 - |tau|) and one neighbour n = h0 |tau| (binned: the PDF holds round(n / bin)
  // bins), so the ratio is Q((c - n) / sigma) + Q((c + n) / sigma).
  const std::vector<double>& tub = b.sub_eyes[0].horizontal_bathtub;
  const double bin = bin_of(a);
  for (int j = 0; j < 64; ++j) {
    const auto still_ratio = [&](double tau) {
      const double c = h0 * (1.0 - std::abs(tau)), n = std::round(h0 * std::abs(tau) / bin) * bin;
      return q_function((c - n) / sigma) + q_function((c + n) / sigma);
    };
    const double tau = (j - 32) / 64.0;
    const double expected = 0.5 * (still_ratio(tau - 4.0 / 64) + still_ratio(tau + 4.0 / 64));
    if (expected < 1e-14) continue;
    EXPECT_NEAR(std::log10(tub[static_cast<std::size_t>(j)]), std::log10(expected), 0.01) << "phase " << j;
  }
  EXPECT_LT(b.sub_eyes[0].width_UI[0], a.sub_eyes[0].width_UI[0] - 7.0 / 64);
}

TEST(StatEye, Pam4LevelsAndThresholdsFollowRlm) {
  const double h0 = 0.3, sigma = 0.004;
  for (double r_lm : {1.0, 0.8}) {
    EyeInputs in = synthetic(4, flat_top(h0), sigma);
    in.r_lm = r_lm;
    const StatEye eye = reference_eye(in, EyeOptions{});
    const double bin = bin_of(eye);
    const double a = (2.0 - r_lm) / 3.0;
    const std::vector<double> expected_means = {-h0, -a * h0, a * h0, h0};
    const int centre = 32;
    for (int k = 0; k < 4; ++k) EXPECT_NEAR(eye.map.level_means_V[centre * 4 + k], expected_means[k], 1e-12);
    // The inner levels' separation gives back R_LM = min(3 ES, 2 - 3 ES) with ES = a.
    EXPECT_NEAR(std::min(3.0 * a, 2.0 - 3.0 * a), r_lm, 1e-12);
    // Optimal thresholds halfway between the means (symmetric noise) and the openings.
    for (int k = 0; k < 3; ++k) {
      EXPECT_NEAR(eye.sub_eyes[k].threshold_V, 0.5 * (expected_means[k] + expected_means[k + 1]), bin);
      const double q = 4.753424308822899;  // Q^-1(1e-6)
      const double opening = expected_means[k + 1] - expected_means[k] - 2.0 * q * sigma;
      EXPECT_NEAR(eye.sub_eyes[k].height_V[target_index(eye, 1e-6)], opening, bin) << "R_LM " << r_lm << " eye " << k;
    }
    if (r_lm < 1.0) {
      EXPECT_LT(eye.sub_eyes[0].height_der0_V, eye.sub_eyes[1].height_der0_V);
    }
  }
}

TEST(StatEye, SymmetricChannelHasEqualPam4SubEyes) {
  const auto pulse = [](double t) {
    return std::abs(t) <= 0.5 ? 0.25 : (std::abs(t - 1.0) <= 0.5 ? 0.03 : (std::abs(t + 1.0) <= 0.5 ? -0.02 : 0.0));
  };
  const StatEye eye = reference_eye(synthetic(4, pulse, 0.003), EyeOptions{});
  const double bin = bin_of(eye);
  for (std::size_t t = 0; t < eye.targets.size(); ++t) {
    EXPECT_NEAR(eye.sub_eyes[0].height_V[t], eye.sub_eyes[1].height_V[t], 1.01 * bin);
    EXPECT_NEAR(eye.sub_eyes[2].height_V[t], eye.sub_eyes[1].height_V[t], 1.01 * bin);
    EXPECT_NEAR(eye.sub_eyes[0].width_UI[t], eye.sub_eyes[2].width_UI[t], 1e-9);
  }
  EXPECT_NEAR(eye.sub_eyes[0].threshold_V, -eye.sub_eyes[2].threshold_V, bin);
}

TEST(StatEye, BadOptionsAreRefused) {
  const EyeInputs in = synthetic(2, flat_top(0.1));
  EyeOptions odd;
  odd.phases = 63;
  EXPECT_THROW(reference_eye(in, odd), InputError);
  EyeOptions few;
  few.voltage_bins = 8;
  EXPECT_THROW(reference_eye(in, few), InputError);
  EyeOptions target;
  target.target_ratios = {1e-6, 0.7};
  EXPECT_THROW(reference_eye(in, target), InputError);
  target.target_ratios = {1e-6, 1e-25};  // below what the maps resolve
  EXPECT_THROW(reference_eye(in, target), InputError);
  target.target_ratios = {1e-6, kSmallestTargetRatio};
  EXPECT_NO_THROW(reference_eye(in, target));
  EXPECT_THROW(parse_eye_crosstalk("worst", "--crosstalk"), InputError);
  EXPECT_THROW(parse_eye_jitter("mixing", "--jitter"), InputError);
  EyeInputs flat = synthetic(2, [](double) { return 0.0; });
  EXPECT_THROW(reference_eye(flat, EyeOptions{}), InputError);
}

// The eye at t_s with COM's treatment of jitter and crosstalk against COM's own eye height at
// DER_0 (VEO), on the VITA 68.2 channel shipped with eyesweep.
TEST(StatEye, EyeHeightAtDer0MatchesComOnARealChannel) {
  const ComConfig cfg = test::vita_config();
  const std::vector<LoadedChannel> channels = test::vita_channels();
  const ComResult com = run_com(cfg, channels);
  for (const ComCaseResult& c : com.cases) {
    const LinkEyeInputs inputs = winner_eye_inputs(cfg, channels, c);
    EyeOptions options;
    options.jitter = EyeJitter::linearised;
    options.crosstalk = EyeCrosstalk::worst_phase;
    options.voltage_bins = 8192;
    const StatEye eye = reference_eye(inputs.eye, options);
    const std::size_t t = target_index(eye, cfg.DER_0);
    const std::size_t centre = eye.map.phase_UI.size() / 2;
    const std::size_t P = eye.map.phase_UI.size();
    const double height = eye.sub_eyes[0].contour_upper_V[t * P + centre] - eye.sub_eyes[0].contour_lower_V[t * P + centre];
    // COM truncates its Gaussian at Q(DER_0) sigma and bins at A_s / 1000; the eye does not.
    EXPECT_NEAR(height, c.eye_height, 0.01 * c.eye_height + 2.0 * bin_of(eye)) << "package case " << c.package_case + 1;
  }
}

}  // namespace
}  // namespace eyesweep
