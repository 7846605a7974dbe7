// Tests of host/c2m_eye_contour (the C2M eye-contour COM, T_O != 0) and its configuration
// keys: window weights of every Histogram_Window_Weight against their formulas, the
// resampling and DER contour rules, the eye opening of channels whose answer follows from the
// Q function and the window weights (a cursor whose height varies across the window under
// Gaussian noise), DFE cancellation over whole UIs, T_O = 0 leaving the analysis unchanged, the
// eye width (find_eye_width) on contours whose crossings are exact and on triangular cursors
// whose eyes close where the cursor falls to the noise's DER_0 contour, and the configuration
// errors. No result of the IEEE script itself is available for a C2M
// sheet here, so none is compared against.
#include "host/c2m_eye_contour.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "host/com_pdf.hpp"
#include "io/config_toml.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

double upper_tail(double x) { return 0.5 * std::erfc(x / std::sqrt(2.0)); }

// --- window weights ---------------------------------------------------------------------------

TEST(C2mWindow, RectangleWeighsEverySampleAlike) {
  EXPECT_EQ(histogram_window_weights(HistogramWindow::rectangle, 3, 2.5), std::vector<double>(7, 1.0));
}

TEST(C2mWindow, TriangleFallsLinearlyToZeroAtTheEdges) {
  const std::vector<double> w = histogram_window_weights(HistogramWindow::triangle, 4, 2.5);
  const std::vector<double> expected{0.0, 0.25, 0.5, 0.75, 1.0, 0.75, 0.5, 0.25, 0.0};
  ASSERT_EQ(w.size(), expected.size());
  for (std::size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(w[i], expected[i], 1e-15) << i;
}

TEST(C2mWindow, GaussianHasSigmaTOverQl) {
  // T = 5, QL = 2.5: sigma = 2 samples, the 3ck C2M sheet's sigma_r = 0.02 UI at 100 samples/UI.
  const std::vector<double> w = histogram_window_weights(HistogramWindow::gaussian, 5, 2.5);
  ASSERT_EQ(w.size(), 11u);
  EXPECT_EQ(w[5], 1.0);
  for (int k = -5; k <= 5; ++k) {
    EXPECT_NEAR(w[static_cast<std::size_t>(k + 5)], std::exp(-k * k / 8.0), 1e-15) << k;
  }
}

TEST(C2mWindow, DualRayleighPeaksOneScaleInsideEachEdge) {
  // T = 5, QL = 2.5: scale s = 2, each Rayleigh r(u) = u / s^2 exp(-u^2 / 2 s^2) peaks at u = s,
  // so the weights peak at k = +-3 and are normalised to 1 there.
  const std::vector<double> w = histogram_window_weights(HistogramWindow::dual_rayleigh, 5, 2.5);
  ASSERT_EQ(w.size(), 11u);
  const auto r = [](double u) { return u / 4.0 * std::exp(-u * u / 8.0); };
  const double peak = r(2.0) + r(8.0);  // at k = -3: r(-3 + 5) - r(-3 - 5)
  EXPECT_DOUBLE_EQ(w[2], 1.0);
  EXPECT_DOUBLE_EQ(w[8], 1.0);
  EXPECT_NEAR(w[5], 2.0 * r(5.0) / peak, 1e-15);
  EXPECT_NEAR(w[0], r(10.0) / peak, 1e-15);  // the edge: only the far Rayleigh's tail
  for (std::size_t i = 0; i < w.size(); ++i) {
    EXPECT_NEAR(w[i], w[w.size() - 1 - i], 1e-15) << i;
    EXPECT_LE(w[i], 1.0);
  }
}

TEST(C2mWindow, HalfWidthIsTheFloorOfTOInGridSamples) {
  C2mEye c2m;
  c2m.T_O_mUI = 50;
  EXPECT_EQ(c2m.half_width(), 5);
  c2m.samples_per_ui = 64;
  EXPECT_EQ(c2m.half_width(), 3);  // 3.2
  EXPECT_EQ(c2m.centre_sample(), 32);
  EXPECT_EQ(c2m.widest_half_width(), 31);
  c2m.samples_per_ui = 33;         // odd: the earlier of the two samples nearest 1/2
  EXPECT_EQ(c2m.centre_sample(), 16);
  EXPECT_EQ(c2m.widest_half_width(), 16);
}

// --- resampling and contours ------------------------------------------------------------------

TEST(C2mResample, InterpolatesLinearlyWithTheCursorOnTheGrid) {
  // A ramp 0, 1, 2, ... at 8 samples per UI, cursor at sample 21: on a 20-sample grid the
  // value at t_s + k / 20 UI is 21 + 8 k / 20.
  std::vector<double> ramp(64);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<double>(i);
  const C2mPulse fine = resample_around_cursor(ramp, 8, 21, 20);
  EXPECT_EQ(fine.cursor_index, 52u);  // floor(21 * 20 / 8)
  EXPECT_EQ(fine.samples.size(), 52u + 105u + 1u);  // ... + floor(42 * 20 / 8)
  for (std::size_t i = 0; i < fine.samples.size(); ++i) {
    const double k = static_cast<double>(i) - 52.0;
    EXPECT_NEAR(fine.samples[i], 21.0 + 8.0 * k / 20.0, 1e-12) << i;
  }
}

TEST(C2mContour, FirstAndLastBinsWhereBothTailsExceedDer) {
  // Masses 0.1, 0.2, 0.4, 0.2, 0.1 at bins -2..2 (bin 1 mV): the tails reach 0.25 at bins -1
  // and 1 only after them (0.3 > 0.25), and 0.05 at the outermost bins.
  const DiscretePdf pdf(1e-3, -2, {0.1, 0.2, 0.4, 0.2, 0.1});
  DerContour c = der_contour(pdf, 0.25);
  EXPECT_DOUBLE_EQ(c.lower, -1e-3);
  EXPECT_DOUBLE_EQ(c.upper, 1e-3);
  c = der_contour(pdf, 0.05);
  EXPECT_DOUBLE_EQ(c.lower, -2e-3);
  EXPECT_DOUBLE_EQ(c.upper, 2e-3);
}

// --- the eye opening on channels with a known answer ------------------------------------------

constexpr int kM = 8;                 // samples per UI of the synthetic pulses
constexpr std::size_t kCursor = 83;   // t_s, 10 UI and 3 samples in

// A victim pulse that is h0 + slope t (t in UI from t_s) for |t| <= 3/8 UI and zero at every
// other UI: on the C2M window (|t| <= T_O) the cursor rises linearly, and no ISI is sampled.
ComNoiseInputs sloped_cursor_inputs(int levels, double h0, double slope_v_per_ui, double r_lm) {
  ComNoiseInputs in;
  in.levels = levels;
  in.der0 = 1e-5;
  in.samples_per_ui = kM;
  in.r_lm = r_lm;
  in.victim_pulse.assign(40 * kM, 0.0);
  for (int j = -3; j <= 3; ++j) {
    in.victim_pulse[kCursor + static_cast<std::size_t>(j)] = h0 + slope_v_per_ui * j / kM;
  }
  in.cursor_index = kCursor;
  in.a_s = r_lm * h0 / (levels - 1);
  in.sigma_n = 4e-3;
  in.c2m.T_O_mUI = 50;
  in.c2m.samples_per_ui = 100;
  in.c2m.QL = 2.5;
  return in;
}

// The DER_0 contour of a level below its mean: where the window's weighted mixture of
// Gaussians at means[k], truncated at +-t sigma and renormalised as normal_dist builds them,
// has DER_0 below it (solved by bisection).
double mixture_lower_contour(const std::vector<double>& means, const std::vector<double>& weights, double sigma,
                             double t, double der) {
  const auto truncated_cdf = [&](double z) {
    const double u = std::clamp(z / sigma, -t, t);
    return (upper_tail(-u) - upper_tail(t)) / (1.0 - 2.0 * upper_tail(t));
  };
  double weight_sum = 0.0;
  for (double w : weights) weight_sum += w;
  const auto mixture_cdf = [&](double y) {
    double c = 0.0;
    for (std::size_t k = 0; k < means.size(); ++k) c += weights[k] * truncated_cdf(y - means[k]);
    return c / weight_sum;
  };
  double lo = -1.0, hi = 1.0;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    (mixture_cdf(mid) > der ? hi : lo) = mid;
  }
  return hi;
}

TEST(C2mEyeOpening, NrzEyeFollowsTheQFunctionAndTheWindowWeights) {
  // h(t) = 0.1 V + 0.4 V/UI t: across t_s +- 50 mUI the cursor spans 98 .. 102 mV in 11
  // samples; 4 mV of Gaussian noise. Level +1 is a mixture of Gaussians at h(t_s + k/100),
  // level -1 its mirror image, so the eye runs from -c to c, c the mixture's lower contour.
  for (HistogramWindow window : {HistogramWindow::rectangle, HistogramWindow::gaussian, HistogramWindow::triangle,
                                 HistogramWindow::dual_rayleigh}) {
    ComNoiseInputs in = sloped_cursor_inputs(2, 0.1, 0.4, 1.0);
    in.c2m.window = window;
    const ComNoiseResult r = final_com_noise(in);
    ASSERT_TRUE(r.c2m_enabled);
    EXPECT_EQ(r.c2m_window_samples, 5);
    const double b = r.bin_size;
    ASSERT_EQ(b, 1e-5);
    std::vector<double> means;
    for (int k = -5; k <= 5; ++k) means.push_back(0.1 + 0.4 * k / 100.0);
    const double t = (std::round(r.q * in.sigma_n / b) + 0.5) * b / in.sigma_n;
    const double c = mixture_lower_contour(means, histogram_window_weights(window, 5, 2.5), in.sigma_n, t, in.der0);
    const auto name = static_cast<int>(window);
    EXPECT_NEAR(r.c2m_eye_top, c, 2 * b) << name;
    EXPECT_NEAR(r.c2m_eye_bottom, -c, 2 * b) << name;
    EXPECT_EQ(r.c2m_worst_eye, 0);
    EXPECT_DOUBLE_EQ(r.veo, r.c2m_eye_top - r.c2m_eye_bottom);
    EXPECT_DOUBLE_EQ(r.a_ni, 2 * in.a_s - r.veo);
    EXPECT_NEAR(r.com_db, 20 * std::log10(2 * in.a_s / (2 * in.a_s - 2 * c)), 0.01) << name;
    EXPECT_NEAR(r.vec_db, 20 * std::log10(2 * in.a_s / r.veo), 1e-12);
  }
}

TEST(C2mEyeOpening, WeightOnTheWindowsEdgesClosesTheEye) {
  // The sloped cursor's low samples dominate level +1's lower tail: the rectangle gives the
  // window's edges (+-5) ten times the Gaussian's share, and a smaller eye.
  ComNoiseInputs in = sloped_cursor_inputs(2, 0.1, 0.4, 1.0);
  in.c2m.window = HistogramWindow::rectangle;
  const double rectangle = final_com_noise(in).veo;
  in.c2m.window = HistogramWindow::gaussian;
  const double gaussian = final_com_noise(in).veo;
  EXPECT_LT(rectangle, gaussian - 10 * 1e-5);
}

TEST(C2mEyeOpening, Pam4EyesLieBetweenAdjacentLevelsAndTheSmallestIsReported) {
  // L = 4, R_LM = 0.95: level x sits at 0.95 h(t) x. The middle eye runs between the mirror
  // contours of the +-1/3 levels; the outer eyes between the +1/3 level's upper contour and the
  // +1 level's lower one, which spreads three times as far across the window: they are smaller.
  ComNoiseInputs in = sloped_cursor_inputs(4, 0.1, 0.4, 0.95);
  in.c2m.window = HistogramWindow::gaussian;
  const ComNoiseResult r = final_com_noise(in);
  const double b = r.bin_size;
  const std::vector<double> w = histogram_window_weights(HistogramWindow::gaussian, 5, 2.5);
  const double t = (std::round(r.q * in.sigma_n / b) + 0.5) * b / in.sigma_n;
  std::vector<double> outer, inner;
  for (int k = -5; k <= 5; ++k) {
    outer.push_back(0.95 * (0.1 + 0.4 * k / 100.0));
    inner.push_back(outer.back() / 3.0);
  }
  const double outer_lower = mixture_lower_contour(outer, w, in.sigma_n, t, in.der0);
  // The +1/3 level's upper contour, by symmetry of the mixture about its own reflection.
  std::vector<double> mirrored;
  for (double m : inner) mirrored.push_back(-m);
  const double inner_upper = -mixture_lower_contour(mirrored, w, in.sigma_n, t, in.der0);
  EXPECT_NE(r.c2m_worst_eye, 1);
  EXPECT_NEAR(r.veo, outer_lower - inner_upper, 3 * b);
  EXPECT_NEAR(r.a_ni, 2 * in.a_s - r.veo, 1e-15);
}

TEST(C2mEyeOpening, FlatCursorGivesTheTimeZeroComOnEverySample) {
  // No slope: every sample of the window sees the same Gaussian, so the eye is 2 (A_s - A_ni) of
  // the T_O = 0 analysis and A_ni = 2 A_s - VEO its double: the same COM.
  for (int levels : {2, 4}) {
    ComNoiseInputs in = sloped_cursor_inputs(levels, 0.09, 0.0, 1.0);
    in.c2m.window = HistogramWindow::gaussian;
    const ComNoiseResult c2m = final_com_noise(in);
    in.c2m.T_O_mUI = 0;
    const ComNoiseResult at_ts = final_com_noise(in);
    EXPECT_FALSE(at_ts.c2m_enabled);
    EXPECT_NEAR(c2m.veo, at_ts.veo, 1e-12) << levels;
    EXPECT_NEAR(c2m.com_db, at_ts.com_db, 1e-9) << levels;
    EXPECT_NEAR(c2m.a_ni, 2 * at_ts.a_ni, 1e-12) << levels;
  }
}

TEST(C2mEyeOpening, DfeCancelsItsTapOverTheWholeUi) {
  // A post-cursor of 30 mV flat around t_s + 1 UI, cancelled by b(1) = 0.3: the eye is the one
  // without the post-cursor. Without the DFE the post-cursor closes it by about 2 x 30 mV.
  ComNoiseInputs clean = sloped_cursor_inputs(2, 0.1, 0.4, 1.0);
  ComNoiseInputs post = clean;
  for (int j = -3; j <= 3; ++j) post.victim_pulse[kCursor + kM + static_cast<std::size_t>(j)] = 0.03;
  post.dfe_taps = {0.3};
  const ComNoiseResult cancelled = final_com_noise(post);
  const ComNoiseResult reference = final_com_noise(clean);
  EXPECT_EQ(cancelled.veo, reference.veo);
  post.dfe_taps.clear();
  const ComNoiseResult uncancelled = final_com_noise(post);
  EXPECT_NEAR(reference.veo - uncancelled.veo, 0.06, 2e-3);
}

TEST(C2mEyeOpening, ZeroTOLeavesTheAnalysisUntouched) {
  // The C2M settings are not read unless T_O != 0: every result field stays bit-identical.
  ComNoiseInputs in = sloped_cursor_inputs(4, 0.1, 0.4, 0.95);
  in.sigma_rj_ui = 0.01;
  in.a_dd_ui = 0.02;
  in.h_j = {0.2, -0.05, 0.01};
  in.c2m = C2mEye{};
  const ComNoiseResult plain = final_com_noise(in);
  in.c2m.samples_per_ui = 64;
  in.c2m.window = HistogramWindow::dual_rayleigh;
  in.c2m.QL = 1.0;
  in.r_lm = 0.5;
  const ComNoiseResult other = final_com_noise(in);
  EXPECT_FALSE(other.c2m_enabled);
  EXPECT_EQ(plain.a_ni, other.a_ni);
  EXPECT_EQ(plain.com_db, other.com_db);
  EXPECT_EQ(plain.veo, other.veo);
  EXPECT_EQ(plain.vec_db, other.vec_db);
  EXPECT_EQ(plain.combined_pdf.probabilities(), other.combined_pdf.probabilities());
}

TEST(C2mEyeOpening, RefusesAWindowOutsideTheUi) {
  ComNoiseInputs in = sloped_cursor_inputs(2, 0.1, 0.4, 1.0);
  in.c2m.T_O_mUI = 500;  // 50 samples each side of sample 50 of 100
  EXPECT_THROW(final_com_noise(in), LogicError);
  in.c2m.T_O_mUI = 5;    // floor(0.5) = 0 samples
  EXPECT_THROW(final_com_noise(in), LogicError);
}

// --- the eye width ----------------------------------------------------------------------------

// 16 samples per UI, t_s at sample 8: contours given as functions of d = j - 8. Every value and
// crossing below is a binary fraction, so the widths are exact.
C2mEyeContour contour_of(double (*top)(int), double (*bottom)(int)) {
  C2mEyeContour eye;
  for (int d = -8; d < 8; ++d) {
    eye.top.push_back(top(d));
    eye.bottom.push_back(bottom(d));
  }
  return eye;
}

TEST(C2mEyeWidth, SymmetricEyeClosesAsFarLeftAsRight) {
  // Top 0.875 - |d| / 4, bottom its mirror: vref = 0, crossed at |d| = 3.5 by both.
  const C2mEyeWidth w = eye_width(
      contour_of([](int d) { return 0.875 - 0.25 * std::abs(d); }, [](int d) { return -0.875 + 0.25 * std::abs(d); }),
      8);
  EXPECT_EQ(w.left_ui, 3.5 / 16);
  EXPECT_EQ(w.right_ui, 3.5 / 16);
  EXPECT_EQ(w.width_ui, 7.0 / 16);
}

TEST(C2mEyeWidth, EachSideTakesTheFirstContourToCrossAndTheSumIsFloored) {
  // The bottom contour steps up by 1/16 right of t_s and crosses vref = 0 at d = 3.25, before
  // the top's 3.5: right 3.25, left 3.5, EW_UI = floor(6.75) / 16.
  const C2mEyeWidth w = eye_width(contour_of([](int d) { return 0.875 - 0.25 * std::abs(d); },
                                             [](int d) { return d > 0 ? -0.8125 + 0.25 * d : -0.875 - 0.25 * d; }),
                                  8);
  EXPECT_EQ(w.left_ui, 3.5 / 16);
  EXPECT_EQ(w.right_ui, 3.25 / 16);
  EXPECT_EQ(w.width_ui, 6.0 / 16);
}

TEST(C2mEyeWidth, VrefIsTheMiddleOfTheEyeAtTs) {
  // An eye from 0 to 2 V at t_s: vref = 1 V. The top falls to 1 V at |d| = 4; the bottom stays
  // at 0 on the left and rises through 1 V at d = 2 on the right.
  const C2mEyeWidth w = eye_width(
      contour_of([](int d) { return 2.0 - 0.25 * std::abs(d); }, [](int d) { return d > 0 ? 0.5 * d : 0.0; }), 8);
  EXPECT_EQ(w.left_ui, 4.0 / 16);
  EXPECT_EQ(w.right_ui, 2.0 / 16);
  EXPECT_EQ(w.width_ui, 6.0 / 16);
}

TEST(C2mEyeWidth, OpenAcrossTheUiIsOneUiAndClosedAtTsIsZero) {
  // Never crossed: the script counts centre + 1 samples left and S - 1 - centre right.
  C2mEyeWidth w = eye_width(contour_of([](int) { return 1.0; }, [](int) { return -1.0; }), 8);
  EXPECT_EQ(w.left_ui, 9.0 / 16);
  EXPECT_EQ(w.right_ui, 7.0 / 16);
  EXPECT_EQ(w.width_ui, 1.0);
  // Top below bottom at t_s: the top is below vref there, on both sides.
  w = eye_width(contour_of([](int) { return -0.1; }, [](int) { return 0.1; }), 8);
  EXPECT_EQ(w.left_ui, 0.0);
  EXPECT_EQ(w.right_ui, 0.0);
  EXPECT_EQ(w.width_ui, 0.0);
}

// A triangular cursor of peak h0 at t_s falling linearly to zero `left` and `right` samples of
// M = 8 before and after it, nothing at any other UI: no ISI, and on the 100-sample C2M grid the
// cursor is exactly the triangle (its corners lie on the M grid).
ComNoiseInputs triangle_inputs(int levels, double h0, int left, int right, double sigma_n) {
  ComNoiseInputs in = sloped_cursor_inputs(levels, h0, 0.0, 1.0);
  std::fill(in.victim_pulse.begin(), in.victim_pulse.end(), 0.0);
  for (int j = -left; j <= right; ++j) {
    in.victim_pulse[kCursor + static_cast<std::size_t>(j)] = h0 * (1.0 - std::abs(j) / static_cast<double>(j < 0 ? left : right));
  }
  in.sigma_n = sigma_n;
  return in;
}

// Where the triangle of half-width `half_ui` (UI) falls to `h` (V), in UI from t_s.
double triangle_reach(double h0, double half_ui, double h) { return half_ui * (1.0 - h / h0); }

// c: how far below its mean a level's DER_0 contour lies, for the truncated Gaussian noise.
double gaussian_contour_depth(const ComNoiseInputs& in, const ComNoiseResult& r) {
  const double t = (std::round(r.q * in.sigma_n / r.bin_size) + 0.5) * r.bin_size / in.sigma_n;
  return -mixture_lower_contour({0.0}, {1.0}, in.sigma_n, t, in.der0);
}

TEST(C2mEyeWidth, NrzTriangleClosesWhereTheCursorFallsToTheNoiseContour) {
  // Level +1's lower contour is h(t) - c, level -1's upper one its mirror, vref = 0: each side
  // closes where h(t) = c, at (3/8 or 2/8 UI) (1 - c / h0). Closed forms to a bin's worth of
  // time (1e-5 V over a slope of 0.1 V / (2/8 UI)) plus the interpolation's.
  ComNoiseInputs in = triangle_inputs(2, 0.1, 3, 2, 4e-3);
  const ComNoiseResult r = final_com_noise(in);
  ASSERT_EQ(r.c2m_eye_widths.size(), 1u);
  const C2mEyeWidth& w = r.c2m_eye_widths[0];
  const double c = gaussian_contour_depth(in, r);
  EXPECT_NEAR(w.left_ui, triangle_reach(0.1, 3.0 / 8, c), 1e-4);
  EXPECT_NEAR(w.right_ui, triangle_reach(0.1, 2.0 / 8, c), 1e-4);
  EXPECT_EQ(w.width_ui, std::floor(100 * (w.left_ui + w.right_ui) + 1e-9) / 100);
  // Symmetric triangle: the same reach either side.
  in = triangle_inputs(2, 0.1, 3, 3, 4e-3);
  const C2mEyeWidth symmetric = final_com_noise(in).c2m_eye_widths[0];
  EXPECT_NEAR(symmetric.left_ui, symmetric.right_ui, 1e-12);
  EXPECT_NEAR(symmetric.left_ui, w.left_ui, 1e-12);
}

TEST(C2mEyeWidth, MoreNoiseNarrowsTheEye) {
  const ComNoiseInputs quiet = triangle_inputs(2, 0.1, 3, 3, 2e-3);
  const ComNoiseInputs noisy = triangle_inputs(2, 0.1, 3, 3, 8e-3);
  const ComNoiseResult rq = final_com_noise(quiet);
  const ComNoiseResult rn = final_com_noise(noisy);
  const double narrowing = triangle_reach(0.1, 3.0 / 8, gaussian_contour_depth(quiet, rq)) -
                           triangle_reach(0.1, 3.0 / 8, gaussian_contour_depth(noisy, rn));
  EXPECT_GT(narrowing, 0.05);  // 3/8 (c_noisy - c_quiet) / h0 with c = Q sigma, Q about 4.3
  EXPECT_NEAR(rq.c2m_eye_widths[0].left_ui - rn.c2m_eye_widths[0].left_ui, narrowing, 2e-4);
  EXPECT_LT(rn.c2m_eye_widths[0].width_ui, rq.c2m_eye_widths[0].width_ui - 0.1);
}

TEST(C2mEyeWidth, Pam4OuterEyesCloseAtTheirMiddleAtTs) {
  // Levels h(t) x, x = -1, -1/3, 1/3, 1. The middle eye (vref 0) closes where h / 3 - c = 0,
  // h = 3 c; the upper eye's vref stays at its middle at t_s, 2 h0 / 3, which its top h - c
  // falls through at h = 2 h0 / 3 + c (its bottom h / 3 + c only falls away); the lower eye
  // mirrors it. Tolerance: bins over slopes a third as steep as NRZ's.
  const double h0 = 0.3;
  const ComNoiseInputs in = triangle_inputs(4, h0, 3, 3, 2e-3);
  const ComNoiseResult r = final_com_noise(in);
  ASSERT_EQ(r.c2m_eye_widths.size(), 3u);
  const double c = gaussian_contour_depth(in, r);
  const double middle = triangle_reach(h0, 3.0 / 8, 3 * c);
  const double outer = triangle_reach(h0, 3.0 / 8, 2 * h0 / 3 + c);
  EXPECT_NEAR(r.c2m_eye_widths[1].left_ui, middle, 3e-4);
  EXPECT_NEAR(r.c2m_eye_widths[1].right_ui, middle, 3e-4);
  for (std::size_t e : {0u, 2u}) {
    EXPECT_NEAR(r.c2m_eye_widths[e].left_ui, outer, 3e-4) << e;
    EXPECT_NEAR(r.c2m_eye_widths[e].right_ui, outer, 3e-4) << e;
  }
}

TEST(C2mEyeWidth, DoesNotDependOnTheWindowAndLeavesAPlainComUntouched) {
  // The full-UI pass uses neither T_O nor its weights: with T_O = 0 and EW on (a C2C sheet
  // with EW = 1, or C2M with T_O = 0) the widths are those of the T_O = 50 mUI analysis, and
  // everything else is the plain COM's.
  ComNoiseInputs windowed = triangle_inputs(4, 0.3, 3, 2, 2e-3);
  const ComNoiseResult with_window = final_com_noise(windowed);
  ComNoiseInputs plain = windowed;
  plain.c2m.T_O_mUI = 0.0;
  const ComNoiseResult without = final_com_noise(plain);
  plain.c2m.eye_width = true;
  const ComNoiseResult with_width = final_com_noise(plain);
  EXPECT_TRUE(without.c2m_eye_widths.empty());
  ASSERT_EQ(with_width.c2m_eye_widths.size(), with_window.c2m_eye_widths.size());
  for (std::size_t e = 0; e < with_width.c2m_eye_widths.size(); ++e) {
    EXPECT_EQ(with_width.c2m_eye_widths[e].left_ui, with_window.c2m_eye_widths[e].left_ui) << e;
    EXPECT_EQ(with_width.c2m_eye_widths[e].right_ui, with_window.c2m_eye_widths[e].right_ui) << e;
    EXPECT_EQ(with_width.c2m_eye_widths[e].width_ui, with_window.c2m_eye_widths[e].width_ui) << e;
  }
  EXPECT_FALSE(with_width.c2m_enabled);
  EXPECT_EQ(with_width.com_db, without.com_db);
  EXPECT_EQ(with_width.a_ni, without.a_ni);
}

// --- configuration ----------------------------------------------------------------------------

// The keys every configuration needs, then the C2M lines under test.
std::string config_text(const std::string& c2m_lines) {
  return R"toml(f_b = 53.125
f_min = 0.05
Delta_f = 0.01
L = 4
DER_0 = 1e-5
R_LM = 0.95
A_v = 0.415
A_fe = 0.415
A_ne = 0.45
"c(0)" = 0.54
SNR_TX = 32.5
sigma_RJ = 0.01
A_DD = 0.02
C_d = [1.2e-4, 0]
C_p = [0.87e-4, 0]
R_d = [50, 50]
"z_p (TX)" = [15, 30]
"z_p (NEXT)" = [0, 0]
"z_p (FEXT)" = [15, 30]
"z_p (RX)" = [0, 0]
"Include PCB" = 0
eta_0 = 4.1e-8
g_DC = "[-13:1:0]"
N_b = 4
"b_max(1)" = 0.4
)toml" + c2m_lines;
}

ComConfig parse(const std::string& c2m_lines) { return parse_com_config(config_text(c2m_lines), "c2m.toml"); }

std::string error_of(const std::string& c2m_lines) {
  try {
    parse(c2m_lines);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(C2mConfig, ReadsTheSheetsWindowAsTheScriptDoes) {
  // The 3ck and df C2M sheets: T_O = 50 mUI, 100 samples/UI, Gaussian, sigma_r 0.02 UI.
  ComConfig cfg = parse("PMD_type = \"C2M\"\nT_O = 50\nsamples_for_C2M = 100\n"
                        "Histogram_Window_Weight = \"Gaussian\"\nsigma_r = 0.02\n");
  EXPECT_TRUE(cfg.c2m.enabled());
  EXPECT_EQ(cfg.c2m.T_O_mUI, 50.0);
  EXPECT_EQ(cfg.c2m.samples_per_ui, 100);
  EXPECT_EQ(cfg.c2m.window, HistogramWindow::gaussian);
  EXPECT_NEAR(cfg.c2m.QL, 2.5, 1e-15);  // T_O / (1000 sigma_r)
  // Qr stands for sigma_r, QL overrides both; T_h overrides T_O; the window names of the script.
  cfg = parse("PMD_type = \"c2m\"\nT_O = 50\nT_h = 40\nQr = 0.01\nHistogram_Window_Weight = \"dual_rayleigh\"\n");
  EXPECT_EQ(cfg.c2m.T_O_mUI, 40.0);
  EXPECT_NEAR(cfg.c2m.QL, 4.0, 1e-15);
  EXPECT_EQ(cfg.c2m.window, HistogramWindow::dual_rayleigh);
  cfg = parse("PMD_type = \"C2M\"\nT_O = 50\nQL = 3\nHistogram_Window_Weight = \"normal\"\n");
  EXPECT_EQ(cfg.c2m.QL, 3.0);
  EXPECT_EQ(cfg.c2m.window, HistogramWindow::gaussian);
  EXPECT_EQ(parse("PMD_type = \"C2M\"\nT_O = 50\n").c2m.window, HistogramWindow::rectangle);
  // Min_VEO_Test = 0 is no constraint; other values make the search score points by their eye.
  cfg = parse("PMD_type = \"C2M\"\nT_O = 50\nMin_VEO_Test = 0\n");
  EXPECT_TRUE(cfg.c2m.enabled());
  EXPECT_FALSE(cfg.c2m.constrains_search());
  cfg = parse("PMD_type = \"C2M\"\nT_O = 50\nMin_VEO_Test = 5\n");
  EXPECT_EQ(cfg.c2m.min_veo_test_mV, 5.0);
  EXPECT_TRUE(cfg.c2m.constrains_search());
  // EH_min_test is its older name; Min_VEO_Test overrides it (script lines 8380-8381).
  EXPECT_EQ(parse("PMD_type = \"C2M\"\nT_O = 50\nEH_min_test = 7\n").c2m.min_veo_test_mV, 7.0);
  EXPECT_EQ(parse("PMD_type = \"C2M\"\nT_O = 50\nEH_min_test = 7\nMin_VEO_Test = 3\n").c2m.min_veo_test_mV, 3.0);
  // Without the window (T_O = 0) the script's do_C2M is off whatever Min_VEO_Test says.
  EXPECT_FALSE(parse("PMD_type = \"C2M\"\nMin_VEO_Test = 5\n").c2m.constrains_search());
}

TEST(C2mConfig, TheShipped200gC2mSheetUsesTheEyeContourCom) {
  const ComConfig cfg = load_com_config(std::string(EYESWEEP_SOURCE_DIR) + "/configs/ieee8023df_200g_c2m.toml");
  EXPECT_TRUE(cfg.c2m.enabled());
  EXPECT_EQ(cfg.c2m.T_O_mUI, 50.0);
  EXPECT_EQ(cfg.c2m.half_width(), 5);
  EXPECT_EQ(cfg.c2m.window, HistogramWindow::gaussian);
  EXPECT_NEAR(cfg.c2m.QL, 2.5, 1e-15);
  EXPECT_EQ(cfg.N_b, 8);
  EXPECT_EQ(cfg.floating.N_tail_start, 9);
  EXPECT_EQ(cfg.rx_package.C_d_nF, (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(cfg.package_cases.size(), 3u);
  EXPECT_EQ(cfg.package_cases[1].z_p_tx_mm, (std::vector<double>{30, 1, 0.1, 0.58}));
  EXPECT_EQ(cfg.package_cases[1].z_p_rx_mm, (std::vector<double>{0, 0, 0, 0}));
  EXPECT_EQ(cfg.COM_pass_threshold_dB, 0.0);  // the C2M sheet has none
}

TEST(C2mConfig, C2cSheetsIgnoreTheWindowKeysAndReportThem) {
  // The script sets T_O = 0 unless PHY is C2M; PHY overrides PMD_type.
  ComConfig cfg = parse("T_O = 50\nsamples_for_C2M = 100\nMin_VEO_Test = 5\n");
  EXPECT_FALSE(cfg.c2m.enabled());
  EXPECT_EQ(cfg.ignored_keys, (std::vector<std::string>{"T_O", "samples_for_C2M", "Min_VEO_Test"}));
  cfg = parse("PMD_type = \"C2M\"\nPHY = \"C2C\"\nT_O = 50\n");
  EXPECT_FALSE(cfg.c2m.enabled());
  EXPECT_FALSE(parse("PMD_type = \"C2M\"\n").c2m.enabled());  // T_O defaults to 0
}

TEST(C2mConfig, BadValuesAreRefusedNamingTheKey) {
  const struct {
    std::string lines;
    std::string fragment;
  } cases[] = {
      {"PMD_type = \"TDR\"\n", "key \"PMD_type\": \"TDR\" is not one of \"C2C\", \"C2M\""},
      {"PHY = \"C2X\"\n", "key \"PHY\": \"C2X\" is not one of"},
      {"PMD_type = \"C2M\"\nT_O = 50\nHistogram_Window_Weight = \"hann\"\n",
       "key \"Histogram_Window_Weight\": \"hann\" is not one of \"rectangle\", \"gaussian\", \"triangle\", "
       "\"dual_rayleigh\""},
      {"PMD_type = \"C2M\"\nT_O = 500\n", "key \"T_O\": 500 mUI gives floor(T_O / 1000 samples_for_C2M) = 50 samples"},
      {"PMD_type = \"C2M\"\nT_O = 5\n", "it must be 1 .. 49 at samples_for_C2M = 100"},
      {"PMD_type = \"C2M\"\nT_h = 600\n", "key \"T_h\": 600 mUI"},
      {"PMD_type = \"C2M\"\nT_O = -50\n", "key \"T_O\": -50 is out of range: must be >= 0"},
      {"PMD_type = \"C2M\"\nT_O = 50\nsamples_for_C2M = 1\n",
       "key \"samples_for_C2M\": 1 is out of range: must be >= 2"},
      {"PMD_type = \"C2M\"\nT_O = 50\nQL = 0\n", "key \"QL\": 0 is out of range: must be > 0"},
      {"PMD_type = \"C2M\"\nT_O = 50\nsigma_r = -0.02\n", "key \"sigma_r\": -0.02 is out of range: must be > 0"},
  };
  for (const auto& c : cases) {
    const std::string message = error_of(c.lines);
    EXPECT_NE(message.find(c.fragment), std::string::npos) << c.lines << "\n-> " << message;
    EXPECT_EQ(message.rfind("c2m.toml", 0), 0u) << message;
  }
}

}  // namespace
}  // namespace eyesweep
