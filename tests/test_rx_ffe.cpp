// The MMSE Rx FFE (802.3dj Annex 178A): the solve against closed forms and an independent
// minimisation, its limits, the noise autocorrelation against sigma_N, and the reference
// engine's Rx FFE winners on the VITA channel (their pulse, DFE and FOM terms agree); the
// sampling-point sweep (sample_adjustment).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "host/com_engine.hpp"
#include "host/com_pdf.hpp"
#include "host/rx_ffe_mmse.hpp"
#include "tests/random_mmse_problems.hpp"
#include "vita_channels.hpp"

namespace eyesweep {
namespace {

using test::random_noise_acf;
using test::random_pulse;
using test::mmse_problem;

RxFfe ffe_of(int pre, int post, double limit = 10.0) {
  RxFfe ffe;
  ffe.pre_taps = pre;
  ffe.post_taps = post;
  ffe.pre_tap1_max = ffe.post_tap1_max = ffe.tapn_max = limit;
  return ffe;
}

/// The MSE of com-reference.md 3.1 (times sigma_X^2, in V^2 for a cursor of 1) of taps w
/// normalised to h0 w = 1 and DFE b, computed directly from the convolution.
double mse(const std::vector<double>& h, std::size_t cursor, const RxFfe& ffe, const std::vector<double>& noise_acf,
           std::vector<double> w, const std::vector<double>& b, double sx2) {
  const std::size_t nw = w.size(), d = cursor + static_cast<std::size_t>(ffe.pre_taps);
  double gain = 0.0;
  for (std::size_t j = 0; j < nw; ++j) gain += (d >= j && d - j < h.size() ? h[d - j] : 0.0) * w[j];
  for (double& x : w) x /= gain;
  double isi = 0.0;
  for (std::size_t row = 0; row < h.size() + nw - 1; ++row) {
    double y = 0.0;
    for (std::size_t j = 0; j < nw; ++j) y += row >= j && row - j < h.size() ? w[j] * h[row - j] : 0.0;
    if (row == d) y -= 1.0;
    if (row > d && row - d <= b.size()) y -= b[row - d - 1];
    isi += y * y;
  }
  double noise = 0.0;
  for (std::size_t i = 0; i < nw; ++i) {
    for (std::size_t j = 0; j < nw; ++j) noise += w[i] * w[j] * noise_acf[i > j ? i - j : j - i];
  }
  return sx2 * isi + noise;
}




TEST(MmseSolve, WithoutNoiseTheDfeCancelsAPostCursorAndTheFfePassesThrough) {
  const std::vector<double> h{0.0, 0.0, 1.0, 0.4, 0.0, 0.0};
  const RxFfe ffe = ffe_of(1, 1);
  const std::vector<double> acf{0.0, 0.0, 0.0}, b_min{-1.0}, b_max{1.0};
  const auto solution = solve_mmse(mmse_problem(h, 2, ffe, acf, b_min, b_max, 5.0 / 9.0));
  ASSERT_TRUE(solution);
  EXPECT_NEAR(solution->taps[0], 0.0, 1e-9);
  EXPECT_EQ(solution->taps[1], 1.0);
  EXPECT_NEAR(solution->taps[2], 0.0, 1e-9);
  EXPECT_NEAR(solution->dfe[0], 0.4, 1e-9);
  EXPECT_NEAR(solution->cursor_V, 1.0, 1e-12);
  EXPECT_NEAR(solution->isi_V2, 0.0, 1e-15);
}

TEST(MmseSolve, APreCursorNeedsThePreTapWhichZeroForcesItWithoutNoise) {
  // h = [a, 1] with no noise: w(-1) = -a, w(0) = 1 leaves a^2 at the second pre-cursor; the
  // MMSE optimum balances the two residual samples instead, and beats the pass-through.
  const double a = 0.3;
  const std::vector<double> h{0.0, a, 1.0, 0.0, 0.0};
  const RxFfe ffe = ffe_of(1, 0);
  const std::vector<double> acf{0.0, 0.0}, none;
  const auto solution = solve_mmse(mmse_problem(h, 2, ffe, acf, none, none, 1.0));
  ASSERT_TRUE(solution);
  // Minimise (w a)^2 + (a + w)^2... over y = h * [w, 1]: rows a w, w + a, 1 (cursor): the
  // residual is (a w)^2 + (w + a)^2 with the cursor row fixed at 1, so w = -a / (1 + a^2).
  const double w = -a / (1.0 + a * a);
  EXPECT_NEAR(solution->taps[0], w, 1e-12);
  EXPECT_NEAR(solution->isi_V2, std::pow(a * w, 2) + std::pow(w + a, 2), 1e-12);
  EXPECT_LT(solution->isi_V2, a * a);
}

TEST(MmseSolve, MatchesAnIndependentMinimisationWhenNoLimitIsActive) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t cursor = 6;
    const std::vector<double> h = random_pulse(rng, 30, cursor);
    const RxFfe ffe = ffe_of(2, 3);
    const std::vector<double> acf = random_noise_acf(rng, 6, 0.01);
    const std::vector<double> b_min(2, -10.0), b_max(2, 10.0);
    const double sx2 = 5.0 / 9.0;
    const auto solution = solve_mmse(mmse_problem(h, cursor, ffe, acf, b_min, b_max, sx2));
    ASSERT_TRUE(solution);
    const double best = mse(h, cursor, ffe, acf, solution->taps, solution->dfe, sx2);
    // The solution's own MSE is its ISI and noise relative to its cursor ...
    EXPECT_NEAR(best, (solution->isi_V2 + toeplitz_form(acf, solution->taps)) / std::pow(solution->cursor_V, 2),
                1e-12 * best + 1e-15);
    // ... and no step along the constraint (any tap but the main one, or any DFE tap) lowers it.
    for (std::size_t k = 0; k < solution->taps.size() + solution->dfe.size(); ++k) {
      if (k == static_cast<std::size_t>(ffe.pre_taps)) continue;
      for (const double step : {-1e-4, 1e-4}) {
        std::vector<double> w = solution->taps, b = solution->dfe;
        if (k < w.size()) {
          w[k] += step;
        } else {
          b[k - w.size()] += step;
        }
        EXPECT_GE(mse(h, cursor, ffe, acf, w, b, sx2), best * (1.0 - 1e-12)) << "trial " << trial << " tap " << k;
      }
    }
  }
}

// (Clipping then renormalising, as the standard does, is not a constrained optimum: with
// limits this tight the result can be slightly worse than the FFE passing through.)
TEST(MmseSolve, TapAndDfeLimitsHold) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t cursor = 5;
    std::vector<double> h = random_pulse(rng, 25, cursor);
    h[cursor + 1] = 0.7;  // a large first post-cursor, beyond the DFE's limit
    h[cursor - 1] = 0.4;
    RxFfe ffe = ffe_of(2, 4, 0.05);
    ffe.pre_tap1_max = 0.2;
    ffe.post_tap1_max = 0.1;
    const std::vector<double> acf = random_noise_acf(rng, 7, 0.005);
    const std::vector<double> b_min{0.0, -0.1}, b_max{0.5, 0.1};
    const double sx2 = 5.0 / 9.0;
    const auto solution = solve_mmse(mmse_problem(h, cursor, ffe, acf, b_min, b_max, sx2));
    ASSERT_TRUE(solution);
    const std::vector<double>& w = solution->taps;
    EXPECT_EQ(w[2], 1.0);
    EXPECT_LE(std::abs(w[1]), 0.2 + 1e-12);
    EXPECT_LE(std::abs(w[3]), 0.1 + 1e-12);
    for (std::size_t k : {0u, 4u, 5u, 6u}) EXPECT_LE(std::abs(w[k]), 0.05 + 1e-12) << "tap " << k;
    for (std::size_t k = 0; k < 2; ++k) {
      EXPECT_GE(solution->dfe[k], b_min[k]);
      EXPECT_LE(solution->dfe[k], b_max[k]);
    }
  }
}

TEST(PrzfSolve, ForcesThePreCursorToZero) {
  const double a = 0.3;
  const std::vector<double> h{0.0, a, 1.0, 0.0, 0.0};
  const RxFfe ffe = ffe_of(1, 0);
  const std::vector<double> acf{1e-3, 0.0}, none;
  const auto solution = solve_przf(mmse_problem(h, 2, ffe, acf, none, none, 1.0));
  ASSERT_TRUE(solution);
  EXPECT_DOUBLE_EQ(solution->taps[0], -a);  // y(-1) = w(-1) + a = 0
  EXPECT_EQ(solution->taps[1], 1.0);
  EXPECT_NEAR(solution->isi_V2, std::pow(a * a, 2), 1e-15);  // what is left: y(-2) = -a^2
}

TEST(PrzfSolve, ZerosEveryForcedSampleAndNeverBeatsMmse) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t cursor = 6;
    const std::vector<double> h = random_pulse(rng, 30, cursor);
    const RxFfe ffe = ffe_of(2, 3);
    const std::vector<double> acf = random_noise_acf(rng, 6, 0.01);
    const std::vector<double> b_min(2, -10.0), b_max(2, 10.0);
    const double sx2 = 5.0 / 9.0;
    const MmseProblem problem = mmse_problem(h, cursor, ffe, acf, b_min, b_max, sx2);
    const auto zf = solve_przf(problem);
    const auto mmse = solve_mmse(problem);
    ASSERT_TRUE(zf && mmse);
    // y = h * w at the forced rows: pre-cursors 2, 1 UI before the cursor, and the 3 UI after
    // the two DFE taps.
    const auto y = [&](std::size_t at_ui) {  // at_ui relative to the cursor + 10
      const std::size_t row = cursor + 2 + at_ui - 10;
      double sum = 0.0;
      for (std::size_t j = 0; j < zf->taps.size(); ++j) sum += row >= j && row - j < h.size() ? zf->taps[j] * h[row - j] : 0.0;
      return sum;
    };
    EXPECT_NEAR(y(10), zf->cursor_V, 1e-12);
    for (std::size_t k : {8u, 9u, 13u, 14u, 15u}) EXPECT_NEAR(y(k), 0.0, 1e-12) << "trial " << trial << " row " << k;
    EXPECT_LE(mse(h, cursor, ffe, acf, mmse->taps, mmse->dfe, sx2), mse(h, cursor, ffe, acf, zf->taps, zf->dfe, sx2) * (1 + 1e-12));
  }
}

TEST(MmseSolve, ToeplitzFormAndAutocorrelation) {
  const std::vector<double> x{1.0, -2.0, 0.5};
  EXPECT_EQ(autocorrelation(x, 4), (std::vector<double>{5.25, -3.0, 0.5, 0.0}));
  const std::vector<double> acf{2.0, 0.5, -0.25};
  // x^T T x with T = [[2, .5, -.25], [.5, 2, .5], [-.25, .5, 2]].
  EXPECT_DOUBLE_EQ(toeplitz_form(acf, x), 2.0 * 5.25 + 2.0 * 0.5 * (1.0 * -2.0 + -2.0 * 0.5) + 2.0 * -0.25 * 0.5);
}

class RxFfeOnVita : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { channels_ = new std::vector<LoadedChannel>(test::vita_channels()); }
  static void TearDownTestSuite() {
    delete channels_;
    channels_ = nullptr;
  }
  static ComConfig mmse_config() {
    ComConfig cfg = test::vita_config();
    cfg.N_b = 2;
    cfg.b_max = {1.0, 0.5};
    cfg.b_min = {-1.0, -0.5};
    cfg.rx_ffe = ffe_of(2, 4, 0.7);
    cfg.g_DC_dB = {-6.0, -3.0, 0.0};  // a reduced grid
    return cfg;
  }
  static std::vector<LoadedChannel>* channels_;
};
std::vector<LoadedChannel>* RxFfeOnVita::channels_ = nullptr;

TEST_F(RxFfeOnVita, TheRxNoiseAutocorrelationAtLagZeroIsSigmaNSquared) {
  const ComConfig cfg = mmse_config();
  const CaseResponses responses = prepare_case(cfg, *channels_, 0);
  const TxGrid tx_grid = build_tx_grid(cfg);
  const FomEvaluator evaluator(responses, cfg, tx_grid);
  for (const CtleSetting& ctle : build_ctle_grid(cfg)) {
    const CtleContext context = evaluator.make_context(ctle);
    EXPECT_NEAR(context.rx_ffe_noise.rx_acf[0], context.sigma_n * context.sigma_n, 1e-12 * context.sigma_n * context.sigma_n);
    EXPECT_LT(std::abs(context.rx_ffe_noise.rx_acf[1]), context.rx_ffe_noise.rx_acf[0]);
    EXPECT_EQ(context.rx_ffe_noise.tx_acf.size(), static_cast<std::size_t>(cfg.M * cfg.rx_ffe.num_taps()));
    EXPECT_EQ(context.rx_ffe_noise.fext_pulses.size(), 2u);
  }
}

TEST_F(RxFfeOnVita, TheWinnersPulseDfeAndFomTermsAgree) {
  const ComConfig cfg = mmse_config();
  const ComResult result = run_com(cfg, *channels_);
  ASSERT_EQ(result.cases.size(), 2u);
  for (const ComCaseResult& c : result.cases) {
    const FomPoint& p = c.fom;
    ASSERT_EQ(p.rx_ffe_taps.size(), 7u);
    EXPECT_EQ(p.rx_ffe_taps[2], 1.0);
    for (double w : p.rx_ffe_taps) EXPECT_LE(std::abs(w), 1.0);
    const double total2 = p.sigma_isi * p.sigma_isi + p.sigma_xt * p.sigma_xt + p.sigma_tx * p.sigma_tx +
                          p.sigma_n * p.sigma_n + p.sigma_j * p.sigma_j;
    EXPECT_NEAR(c.fom_dB, 20.0 * std::log10(p.A_s / std::sqrt(total2)), 1e-9);
    EXPECT_NEAR(p.A_s, cfg.R_LM * p.cursor / (cfg.L - 1), 1e-15);

    // The final analysis sees the Rx FFE's pulse: its cursor is the solve's, its DFE taps the
    // clipped post-cursors.
    const CaseResponses responses = prepare_case(cfg, *channels_, c.package_case);
    const FomEvaluator evaluator(responses, cfg, build_tx_grid(cfg));
    const std::vector<double> pulse = apply_rx_ffe(
        cfg, p, evaluator.equalized_pulse(evaluator.make_context(c.equalizer.ctle), c.equalizer.tx_taps.data()));
    const std::size_t t = c.equalizer.cursor_index;
    EXPECT_NEAR(pulse[t], p.cursor, 1e-9 * p.cursor);
    for (std::size_t k = 0; k < 2; ++k) {
      const double post = pulse[t + static_cast<std::size_t>(cfg.M) * (k + 1)] / p.cursor;
      EXPECT_NEAR(c.equalizer.dfe_taps[k], std::clamp(post, cfg.b_min[k], cfg.b_max[k]), 1e-9) << "b" << k + 1;
    }
    EXPECT_EQ(c.equalizer.rx_ffe_taps, p.rx_ffe_taps);
    EXPECT_GT(c.com_dB, 0.0);
  }
}

TEST_F(RxFfeOnVita, MmseBeatsZeroForcingWhenNoTapLimitBinds) {
  ComConfig cfg = mmse_config();
  cfg.rx_ffe = ffe_of(2, 4, 100.0);
  const ComResult mmse = run_com(cfg, *channels_);
  cfg.rx_ffe.solver = RxFfeSolver::przf;
  const ComResult zf = run_com(cfg, *channels_);
  for (std::size_t c = 0; c < 2; ++c) {
    EXPECT_GE(mmse.cases[c].fom_dB, zf.cases[c].fom_dB) << "case " << c;
    EXPECT_EQ(zf.cases[c].equalizer.rx_ffe_taps.size(), 7u);
  }
}

TEST_F(RxFfeOnVita, SweepingTheSamplingPointNeverLowersTheFom) {
  ComConfig cfg = test::vita_config();
  cfg.g_DC_dB = {-12.0, -9.0};
  const ComResult fixed = run_com(cfg, *channels_);
  cfg.sample_adjustment_lo = -4;
  cfg.sample_adjustment_hi = 4;
  const ComResult swept = run_com(cfg, *channels_);
  for (std::size_t c = 0; c < 2; ++c) {
    EXPECT_GE(swept.cases[c].fom_dB, fixed.cases[c].fom_dB);
    const auto offset = static_cast<std::ptrdiff_t>(swept.cases[c].equalizer.cursor_index) -
                        static_cast<std::ptrdiff_t>(fixed.cases[c].equalizer.cursor_index);
    EXPECT_LE(std::abs(offset), 4 + 32);  // the cursor rule's own point moves with the winner's taps
  }
}

}  // namespace
}  // namespace eyesweep
