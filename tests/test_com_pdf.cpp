// Tests of host/com_pdf: the discrete-PDF type against closed forms, the script's sample
// selection and binning rules, the final COM noise analysis on channels whose answer is known
// exactly (single cursor + Gaussian noise, one ISI tap, dual-Dirac spikes), and two golden
// cases whose values come from the IEEE COM script v3.70 itself.
#include "host/com_pdf.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <iterator>
#include <numeric>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

using Spikes = std::vector<std::pair<double, double>>;  // (voltage, probability)

Spikes nonzero_bins(const DiscretePdf& pdf) {
  Spikes s;
  for (std::size_t i = 0; i < pdf.size(); ++i) {
    if (pdf.probabilities()[i] != 0.0) s.emplace_back(pdf.voltage(i), pdf.probabilities()[i]);
  }
  return s;
}

// Standard normal upper tail and its inverse (q_factor is tested against scipy below).
double upper_tail(double x) { return 0.5 * std::erfc(x / std::sqrt(2.0)); }

constexpr int kM = 8;  // samples per UI in the synthetic pulses

// A victim pulse that is zero except for the given UI-spaced cursors h(0), h(1), ... starting
// at the cursor index.
ComNoiseInputs pulse_inputs(int levels, std::vector<double> cursors) {
  ComNoiseInputs in;
  in.levels = levels;
  in.der0 = 1e-5;
  in.samples_per_ui = kM;
  in.victim_pulse.assign(40 * kM, 0.0);
  in.cursor_index = 10 * kM + 3;
  for (std::size_t n = 0; n < cursors.size(); ++n) {
    in.victim_pulse[in.cursor_index + n * kM] = cursors[n];
  }
  in.a_s = cursors[0] / (levels - 1);  // R_LM = 1
  return in;
}

// --- scalar rules -----------------------------------------------------------------------------

TEST(ComPdf, QFactorMatchesInverseComplementaryErrorFunction) {
  // Reference values: scipy.stats.norm.isf.
  EXPECT_NEAR(q_factor(1e-4), 3.7190164854556804, 1e-13);
  EXPECT_NEAR(q_factor(1e-5), 4.264890793922825, 1e-13);
  EXPECT_NEAR(q_factor(2e-4), 3.5400837992061445, 1e-13);
  EXPECT_NEAR(q_factor(1e-12), 7.034483825301131, 1e-12);
  EXPECT_NEAR(q_factor(0.25), 0.6744897501960817, 1e-13);
  EXPECT_THROW(q_factor(0.0), LogicError);
  EXPECT_THROW(q_factor(0.5), LogicError);
}

TEST(ComPdf, ScriptSigmaTxIsCursorTimesSnr) {
  // (L - 1) A_s / R_LM = h(t_s); 27 dB -> 10^(-1.35).
  const double h0 = 0.09;
  EXPECT_NEAR(script_sigma_tx(4, 0.95 * h0 / 3, 0.95, 27.0), h0 * std::pow(10.0, -1.35), 1e-15);
}

// --- the PDF type -----------------------------------------------------------------------------

TEST(ComPdf, FromDiscreteBinsToNearestHalfAwayFromZero) {
  const double b = 0.5;
  const std::vector<double> values{-0.75, 0.25, 0.26, 1.0};
  const std::vector<double> probs{0.1, 0.2, 0.3, 0.4};
  const DiscretePdf pdf = DiscretePdf::from_discrete(b, values, probs);
  // -1.5 -> -2, 0.5 -> 1 (half away from zero), 0.52 -> 1, 2 -> 2
  EXPECT_EQ(pdf.first_bin(), -2);
  EXPECT_EQ(pdf.last_bin(), 2);
  EXPECT_EQ(pdf.probabilities(), (std::vector<double>{0.1, 0.0, 0.0, 0.5, 0.4}));
}

TEST(ComPdf, LinearConvolutionSupportIsTheSumOfSupports) {
  const double b = 1e-3;
  const DiscretePdf a(b, -3, {0.25, 0.0, 0.5, 0.25});   // bins -3..0
  const DiscretePdf c(b, 5, {0.5, 0.125, 0.0, 0.375});  // bins 5..8
  const DiscretePdf y = convolve(a, c);
  EXPECT_EQ(y.first_bin(), 2);
  EXPECT_EQ(y.last_bin(), 8);
  EXPECT_EQ(y.size(), a.size() + c.size() - 1);
  // Extremes are exactly the products of the extremes: nothing wrapped or truncated.
  EXPECT_DOUBLE_EQ(y.probabilities().front(), 0.25 * 0.5);
  EXPECT_DOUBLE_EQ(y.probabilities().back(), 0.25 * 0.375);
  EXPECT_NEAR(y.total(), 1.0, 1e-15);
  EXPECT_NEAR(y.mean(), a.mean() + c.mean(), 1e-15);
  EXPECT_THROW(convolve(a, DiscretePdf(2e-3)), LogicError);
}

TEST(ComPdf, FftConvolutionAgreesWithDirectSummation) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double b = 1e-5;
  // Gaussian-like and ragged PDFs of several thousand bins, with empty bins in between.
  auto make = [&](std::size_t n, std::int64_t first, double zero_fraction) {
    std::vector<double> p(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double x = (static_cast<double>(i) - static_cast<double>(n) / 2.0) /
                       (static_cast<double>(n) / 6.0);
      p[i] = u(rng) < zero_fraction ? 0.0 : std::exp(-x * x / 2) * (0.5 + u(rng));
    }
    const double sum = std::accumulate(p.begin(), p.end(), 0.0);
    for (double& v : p) v /= sum;
    return DiscretePdf(b, first, std::move(p));
  };
  const std::vector<DiscretePdf> pdfs{make(3001, -1500, 0.0), make(4711, -2000, 0.3),
                                      make(1200, 17, 0.6)};
  const DiscretePdf direct = convolve_all(pdfs, b, ConvolutionMethod::direct);
  const DiscretePdf fft = convolve_all(pdfs, b, ConvolutionMethod::fft);
  ASSERT_EQ(direct.first_bin(), -1500 - 2000 + 17);
  ASSERT_EQ(fft.first_bin(), direct.first_bin());
  ASSERT_EQ(fft.size(), 3001u + 4711u + 1200u - 2u);
  ASSERT_EQ(fft.size(), direct.size());
  double peak = 0.0;
  double worst = 0.0;
  for (std::size_t i = 0; i < fft.size(); ++i) {
    peak = std::max(peak, direct.probabilities()[i]);
    worst = std::max(worst, std::abs(fft.probabilities()[i] - direct.probabilities()[i]));
    ASSERT_GE(fft.probabilities()[i], 0.0);
  }
  EXPECT_LT(worst, 1e-14 * peak);
  EXPECT_NEAR(fft.total(), 1.0, 1e-12);
  for (double p : {1e-4, 1e-5, 1e-6}) {
    EXPECT_EQ(fft.quantile_index(p, CdfCrossing::exceeds),
              direct.quantile_index(p, CdfCrossing::exceeds));
  }
  // An odd number of parts, a one-bin part and none at all.
  const std::vector<DiscretePdf> odd{pdfs[0], DiscretePdf(b, 4, {0.5}), pdfs[2]};
  const DiscretePdf o1 = convolve_all(odd, b, ConvolutionMethod::direct);
  const DiscretePdf o2 = convolve_all(odd, b, ConvolutionMethod::fft);
  EXPECT_EQ(o2.first_bin(), -1500 + 4 + 17);
  EXPECT_NEAR(o2.total(), 0.5, 1e-12);
  for (std::size_t i = 0; i < o1.size(); ++i) {
    ASSERT_NEAR(o1.probabilities()[i], o2.probabilities()[i], 1e-18);
  }
  const DiscretePdf none = convolve_all({}, b);
  EXPECT_EQ(none.size(), 1u);
  EXPECT_EQ(none.first_bin(), 0);
}

TEST(ComPdf, PamVariableShiftsEqualDenseConvolution) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-0.02, 0.02);
  const double b = 1e-5;
  for (int levels : {2, 4}) {
    DiscretePdf sparse(b);
    DiscretePdf dense(b);
    for (int k = 0; k < 30; ++k) {
      const double h = u(rng);
      sparse.convolve_pam_variable(h, levels);
      std::vector<double> values;
      for (int i = 0; i < levels; ++i) {
        values.push_back(std::abs(h) * (2.0 * i / (levels - 1) - 1.0));
      }
      dense = convolve(dense,
                       DiscretePdf::from_discrete(
                           b, values, std::vector<double>(values.size(), 1.0 / levels)),
                       ConvolutionMethod::direct);
    }
    ASSERT_EQ(sparse.first_bin(), dense.first_bin());
    ASSERT_EQ(sparse.size(), dense.size());
    for (std::size_t i = 0; i < sparse.size(); ++i) {
      ASSERT_NEAR(sparse.probabilities()[i], dense.probabilities()[i], 1e-15) << "bin " << i;
    }
  }
}

TEST(ComPdf, ConvolvedGaussiansAddVariances) {
  const double b = 1e-5;
  const double q = q_factor(1e-5);
  const DiscretePdf g1 = DiscretePdf::truncated_gaussian(1.0e-3, q, b);
  const DiscretePdf g2 = DiscretePdf::truncated_gaussian(0.6e-3, q, b);
  const DiscretePdf g = convolve(g1, g2);
  EXPECT_EQ(g1.first_bin(), -std::lround(q * 1.0e-3 / b));
  EXPECT_EQ(g.first_bin(), g1.first_bin() + g2.first_bin());
  // Exact for the discrete PDFs ...
  const double v = g.sigma() * g.sigma();
  EXPECT_NEAR(v, g1.sigma() * g1.sigma() + g2.sigma() * g2.sigma(), 1e-12 * v);
  // ... and close to the continuous sum: truncation at Q sigma loses 2 Q phi(Q) ~ 4e-4 of
  // the variance.
  const double analytic = 1.0e-6 + 0.36e-6;
  EXPECT_NEAR(v / analytic, 1.0, 1e-3);
  EXPECT_LT(v, analytic);
}

TEST(ComPdf, ZeroSigmaGaussianIsADelta) {
  const DiscretePdf g = DiscretePdf::truncated_gaussian(0.0, 4.0, 1e-5);
  EXPECT_EQ(g.size(), 1u);
  EXPECT_EQ(g.first_bin(), 0);
  EXPECT_DOUBLE_EQ(g.probabilities()[0], 1.0);
}

TEST(ComPdf, SampledSignalDropsSamplesAtOrBelowTheBin) {
  const double b = 1e-4;
  // 0.5 b and b itself are dropped when the largest sample exceeds the bin.
  const std::vector<double> samples{3e-4, -0.5e-4, 1e-4, -2e-4};
  const DiscretePdf pdf = DiscretePdf::from_sampled_signal(samples, 2, b);
  const Spikes s = nonzero_bins(pdf);
  ASSERT_EQ(s.size(), 4u);  // +-3 +-2 bins: -5 -1 1 5
  EXPECT_NEAR(s[0].first, -5e-4, 1e-15);
  EXPECT_NEAR(s[1].first, -1e-4, 1e-15);
  EXPECT_NEAR(s[2].first, 1e-4, 1e-15);
  EXPECT_NEAR(s[3].first, 5e-4, 1e-15);
  for (const auto& [x, p] : s) EXPECT_DOUBLE_EQ(p, 0.25);
  // Nothing above the bin: a delta at 0.
  const DiscretePdf none = DiscretePdf::from_sampled_signal(std::vector<double>{1e-5, -3e-5}, 4, b);
  EXPECT_EQ(nonzero_bins(none), (Spikes{{0.0, 1.0}}));
}

// --- sample selection -------------------------------------------------------------------------

TEST(ComPdf, PhaseSamplesSkipTheFirstUiAndTheTail) {
  std::vector<double> pulse(10 * kM);
  for (std::size_t i = 0; i < pulse.size(); ++i) pulse[i] = static_cast<double>(i);
  // round(80 / 8) = 10 UI -> j = 1..8
  const std::vector<double> s = phase_samples(pulse, kM, 3);
  ASSERT_EQ(s.size(), 8u);
  EXPECT_EQ(s.front(), 11.0);
  EXPECT_EQ(s.back(), 67.0);
  // 10.5 UI rounds to 11 (half away from zero) -> j = 1..9, last index 9 * 8 + 7 = 79 < 84.
  pulse.resize(84);
  EXPECT_EQ(phase_samples(pulse, kM, 7).size(), 9u);
  EXPECT_TRUE(phase_samples(std::vector<double>(kM, 1.0), kM, 0).empty());
}

TEST(ComPdf, VictimResidualRemovesCursorAndDfeCancellation) {
  ComNoiseInputs in = pulse_inputs(2, {0.1, 0.05, 0.02, -0.01, 0.004});
  in.victim_pulse[in.cursor_index - kM] = 0.006;  // a pre-cursor is never cancelled
  // b(1) clipped to 0.3 of the cursor; b(2), b(3) cancel fully; h(4) is beyond the DFE.
  const std::vector<double> taps{0.3, 0.2, -0.1};
  const std::vector<double> r =
      victim_residual_samples(in.victim_pulse, kM, in.cursor_index, taps);
  ASSERT_EQ(r.size(), 38u);
  const std::size_t jc = in.cursor_index / kM - 1;  // position of the cursor in r
  EXPECT_DOUBLE_EQ(r[jc - 1], 0.006);
  EXPECT_EQ(r[jc], 0.0);
  EXPECT_NEAR(r[jc + 1], 0.05 - 0.3 * 0.1, 1e-17);
  EXPECT_NEAR(r[jc + 2], 0.0, 1e-17);
  EXPECT_NEAR(r[jc + 3], 0.0, 1e-17);
  EXPECT_DOUBLE_EQ(r[jc + 4], 0.004);
  EXPECT_THROW(victim_residual_samples(std::vector<double>(in.cursor_index + kM, 0.1), kM,
                                       in.cursor_index, taps),
               LogicError);
}

TEST(ComPdf, AggressorWorstPhaseMatchesThePdfRmsOfEveryPhase) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> n(0.0, 1.0);
  const double b = 1e-5;
  for (int trial = 0; trial < 10; ++trial) {
    std::vector<double> pulse(60 * kM);
    for (std::size_t i = 0; i < pulse.size(); ++i) {
      // Smooth-ish crosstalk with a phase-dependent envelope.
      pulse[i] = 2e-4 * n(rng) * (1.0 + std::sin(0.7 * static_cast<double>(i % kM) + trial));
    }
    for (int levels : {2, 4}) {
      int brute_phase = 0;
      double brute = -1.0;
      for (int p = 0; p < kM; ++p) {
        const DiscretePdf pdf =
            DiscretePdf::from_sampled_signal(phase_samples(pulse, kM, p), levels, b);
        double s = 0.0;
        for (std::size_t i = 0; i < pdf.size(); ++i) {
          s += pdf.voltage(i) * pdf.voltage(i) * pdf.probabilities()[i];
        }
        if (s > brute * (1.0 + 1e-12)) {
          brute = s;
          brute_phase = p;
        }
      }
      EXPECT_EQ(worst_aggressor_phase(pulse, kM, levels, b), brute_phase) << "trial " << trial;
    }
  }
  // A single phase carrying all the energy.
  std::vector<double> pulse(30 * kM, 0.0);
  for (int j = 2; j < 20; ++j) pulse[static_cast<std::size_t>(j * kM + 5)] = 1e-3 / j;
  EXPECT_EQ(worst_aggressor_phase(pulse, kM, 4, b), 5);
}

// --- final analysis: closed forms -------------------------------------------------------------

// A single-cursor channel with Gaussian noise only: the script's A_ni is the DER_0 quantile
// of a Gaussian truncated at +-Q sigma (normal_dist) and renormalised, one-sided, with no
// level factor. Truncation moves the quantile inside Q sigma: it is found where
// Phi(-y) = Phi(-T) + DER_0 (1 - 2 Phi(-T)), T the truncation point.
TEST(ComPdf, SingleCursorGaussianGivesTheTruncatedGaussianQuantile) {
  for (int levels : {2, 4}) {
    for (double der : {1e-5, 1e-4}) {
      ComNoiseInputs in = pulse_inputs(levels, {0.09});
      in.der0 = der;
      in.sigma_tx = 1.2e-3;
      in.sigma_n = 0.7e-3;
      const ComNoiseResult r = final_com_noise(in);
      const double sigma = std::hypot(1.2e-3, 0.7e-3);
      const double b = std::min(in.a_s / 1000, 1e-5);
      ASSERT_EQ(r.bin_size, b);
      EXPECT_NEAR(r.sigma_g, sigma, 1e-18);
      EXPECT_EQ(r.q, q_factor(der));
      // Half a bin beyond the outermost bin centre is where the discrete mass ends.
      const double t = (std::round(r.q * sigma / b) + 0.5) * b / sigma;
      const double y = sigma * q_factor(upper_tail(t) + der * (1.0 - 2.0 * upper_tail(t)));
      EXPECT_NEAR(r.a_ni, y, b) << "L=" << levels << " DER=" << der;
      // The untruncated quantile Q sigma is far off: the truncation convention matters.
      EXPECT_GT(r.q * sigma - r.a_ni, 10 * b);
      EXPECT_NEAR(r.com_db, 20 * std::log10(in.a_s / r.a_ni), 1e-12);
      EXPECT_NEAR(r.veo, 2 * (in.a_s - r.a_ni), 1e-15);
      EXPECT_NEAR(r.vec_db, -20 * std::log10((in.a_s - r.a_ni) / in.a_s), 1e-12);
      EXPECT_EQ(r.sigma_isi, 0.0);
      EXPECT_EQ(r.sigma_xt, 0.0);
      EXPECT_EQ(r.sigma_dd, 0.0);
      EXPECT_EQ(r.isi.bins, 1u);
    }
  }
}

TEST(ComPdf, TwoCursorNrzGivesTwoSpikes) {
  const double h = 0.0123;
  ComNoiseInputs in = pulse_inputs(2, {0.08, h});
  const DiscretePdf isi = DiscretePdf::from_sampled_signal(
      victim_residual_samples(in.victim_pulse, kM, in.cursor_index, {}), 2, 1e-5);
  const Spikes s = nonzero_bins(isi);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_NEAR(s[0].first, -h, 1e-12);
  EXPECT_NEAR(s[1].first, h, 1e-12);
  EXPECT_DOUBLE_EQ(s[0].second, 0.5);
  EXPECT_DOUBLE_EQ(s[1].second, 0.5);
  // Without noise the combined PDF is that of the ISI: A_ni = h, COM = 20 log10(A_s / h).
  const ComNoiseResult r = final_com_noise(in);
  EXPECT_NEAR(r.a_ni, h, 1e-12);
  EXPECT_NEAR(r.com_db, 20 * std::log10(0.08 / h), 1e-9);
  EXPECT_NEAR(r.sigma_isi, h, 1e-12);
  EXPECT_NEAR(r.peak_isi, h, 1e-12);
  EXPECT_NEAR(r.isi.first_voltage, -h, 1e-12);
  EXPECT_NEAR(r.isi.last_voltage, h, 1e-12);
  EXPECT_EQ(r.victim_phase, 3);
  EXPECT_EQ(r.bin_size, r.script_bin_size);  // far from the cap: the script's A_s / 1000
  EXPECT_EQ(r.script_bin_size, std::min(0.08 / 1000, in.pdf_bin_size));
}

// A main cursor of 80 uV under 0.15 V of ISI and 10 mV of Gaussian noise: the script's bin
// (A_s / 1000 = 80 nV) would need 4.8 million bins; the bin is coarsened to 2^20 bins over the
// reach, and A_ni still follows the closed form: the lowest spike, -0.15 V with mass 1/4, times
// the truncated Gaussian's tail (as in the test above) reaches DER_0 at 0.15 + y, where the
// Gaussian's own quantile y is taken at 4 DER_0.
TEST(ComPdf, TinySignalUnderLargeInterferenceCoarsensTheBin) {
  ComNoiseInputs in = pulse_inputs(2, {8e-5, 0.1, 0.05});
  const double sigma = 0.01;
  in.sigma_n = sigma;
  const ComNoiseResult r = final_com_noise(in);
  const double reach = 0.15 + r.q * sigma;
  EXPECT_EQ(r.script_bin_size, 8e-5 / 1000);
  EXPECT_NEAR(r.bin_size, 2.0 * reach / static_cast<double>(kMaxCombinedBins), 1e-15);
  EXPECT_GT(r.bin_size, 4.0 * r.script_bin_size);
  EXPECT_LE(r.combined_pdf.size(), static_cast<std::size_t>(kMaxCombinedBins) + 2);
  const double b = r.bin_size;
  const double t = (std::round(r.q * sigma / b) + 0.5) * b / sigma;
  const double y = sigma * q_factor(upper_tail(t) + 4.0 * in.der0 * (1.0 - 2.0 * upper_tail(t)));
  EXPECT_NEAR(r.a_ni, 0.15 + y, 2.0 * b);
  EXPECT_NEAR(r.com_db, 20.0 * std::log10(8e-5 / (0.15 + y)), 1e-4);
}

TEST(ComPdf, TwoCursorPam4GivesFourSpikes) {
  const double h = 0.0123;
  ComNoiseInputs in = pulse_inputs(4, {0.08, h});
  const ComNoiseResult r = final_com_noise(in);
  const Spikes s = nonzero_bins(r.combined_pdf);
  ASSERT_EQ(s.size(), 4u);
  const double expected[] = {-h, -h / 3, h / 3, h};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(s[static_cast<std::size_t>(i)].first, expected[i], r.bin_size / 2);
    EXPECT_DOUBLE_EQ(s[static_cast<std::size_t>(i)].second, 0.25);
  }
  EXPECT_NEAR(r.a_ni, h, 1e-12);
  // s_isi = sigma_X |h| up to binning, sigma_X^2 = 5/9.
  EXPECT_NEAR(r.sigma_isi, std::sqrt(5.0 / 9.0) * h, r.bin_size);
}

TEST(ComPdf, DualDiracSpikesAtAddTimesJitterSlope) {
  // NRZ, one slope sample: spikes at +-A_DD |h_J|.
  ComNoiseInputs in = pulse_inputs(2, {0.08});
  in.a_dd_ui = 0.05;
  in.h_j = {-0.3};
  ComNoiseResult r = final_com_noise(in);
  Spikes s = nonzero_bins(r.combined_pdf);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_NEAR(s[0].first, -0.015, 1e-15);
  EXPECT_NEAR(s[1].first, 0.015, 1e-15);
  EXPECT_DOUBLE_EQ(s[0].second, 0.5);
  EXPECT_DOUBLE_EQ(s[1].second, 0.5);
  EXPECT_NEAR(r.sigma_dd, 0.015, 1e-15);
  EXPECT_NEAR(r.a_ni, 0.015, 1e-15);
  // Two slope samples: a convolution over every h_J sample, not a Gaussian equivalent.
  in.h_j = {0.3, 0.1};
  r = final_com_noise(in);
  s = nonzero_bins(r.combined_pdf);
  ASSERT_EQ(s.size(), 4u);
  const double expected[] = {-0.02, -0.01, 0.01, 0.02};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(s[static_cast<std::size_t>(i)].first, expected[i], 1e-15);
    EXPECT_DOUBLE_EQ(s[static_cast<std::size_t>(i)].second, 0.25);
  }
  // PAM4: each slope sample is an L-level variable, four spikes at A_DD h_J {-1,-1/3,1/3,1}.
  in = pulse_inputs(4, {0.08});
  in.a_dd_ui = 0.05;
  in.h_j = {0.3};
  r = final_com_noise(in);
  EXPECT_EQ(nonzero_bins(r.combined_pdf).size(), 4u);
  EXPECT_EQ(r.dual_dirac.bins, 3001u);
  EXPECT_NEAR(r.sigma_dd, std::sqrt(5.0 / 9.0) * 0.015, 1e-5);
  // s_rj = sigma_RJ sigma_X |h_J|.
  in.sigma_rj_ui = 0.01;
  r = final_com_noise(in);
  EXPECT_NEAR(r.sigma_rj, 0.01 * std::sqrt(5.0 / 9.0) * 0.3, 1e-17);
}

// --- final analysis: a realistic mixture ------------------------------------------------------

ComNoiseInputs realistic_inputs(int levels, int isi_ui, int n_aggressors, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  constexpr int m = 32;
  ComNoiseInputs in;
  in.levels = levels;
  in.der0 = 1e-4;
  in.samples_per_ui = m;
  const std::size_t len = static_cast<std::size_t>((isi_ui + 20) * m);
  in.cursor_index = 12 * m + 17;
  in.victim_pulse.assign(len, 0.0);
  for (std::size_t i = 0; i < len; ++i) {
    const double t = (static_cast<double>(i) - static_cast<double>(in.cursor_index)) / m;
    in.victim_pulse[i] = t < -3 ? 0.0 : 1.5e-3 * std::exp(-std::abs(t) / 40.0) * u(rng);
  }
  in.victim_pulse[in.cursor_index] = 0.1;
  in.a_s = 0.1 / (levels - 1);
  in.dfe_taps.assign(12, 0.0);
  for (std::size_t n = 1; n <= 12; ++n) {
    in.dfe_taps[n - 1] = std::clamp(in.victim_pulse[in.cursor_index + n * m] / 0.1, -0.05, 0.1);
  }
  for (int k = 0; k < n_aggressors; ++k) {
    Aggressor a;
    a.kind = k % 2 ? AggressorKind::next : AggressorKind::fext;
    a.pulse.resize(static_cast<std::size_t>(200 * m));
    for (std::size_t i = 0; i < a.pulse.size(); ++i) {
      const double t = static_cast<double>(i) / m;
      a.pulse[i] = 4e-4 * std::exp(-t / 30.0) * std::sin(0.3 * t + k) * (1 + 0.2 * u(rng));
    }
    in.aggressors.push_back(std::move(a));
  }
  in.h_j.resize(static_cast<std::size_t>(isi_ui));
  for (auto& h : in.h_j) h = 2e-3 * u(rng);
  in.h_j[12] = 0.15;
  in.a_dd_ui = 0.02;
  in.sigma_rj_ui = 0.01;
  in.sigma_tx = script_sigma_tx(levels, in.a_s, 1.0, 33.0);
  in.sigma_n = 0.6e-3;
  return in;
}

TEST(ComPdf, CombinedCdfIsMonotoneAndSumsToOne) {
  for (int levels : {2, 4}) {
    const ComNoiseResult r = final_com_noise(realistic_inputs(levels, 200, 4, 3));
    const std::vector<double> c = r.combined_pdf.cdf();
    for (std::size_t i = 1; i < c.size(); ++i) ASSERT_GE(c[i], c[i - 1]) << "bin " << i;
    EXPECT_NEAR(c.back(), 1.0, 1e-12);
    EXPECT_GT(r.a_ni, 0.0);
    // Independent parts: the variances add, and the supports add.
    const double v = r.sigma_isi * r.sigma_isi + r.sigma_xt * r.sigma_xt +
                     r.sigma_noise * r.sigma_noise;
    EXPECT_NEAR(r.sigma_combined * r.sigma_combined, v, 1e-10 * v);
    EXPECT_NEAR(r.combined.first_voltage,
                r.isi.first_voltage + r.crosstalk.first_voltage + r.noise.first_voltage, 1e-12);
    EXPECT_EQ(r.combined.bins, r.isi.bins + r.crosstalk.bins + r.noise.bins - 2);
    EXPECT_EQ(r.noise.bins, r.gaussian.bins + r.dual_dirac.bins - 1);
    EXPECT_EQ(r.aggressor_phases.size(), 4u);
    // The A_ni quantile rule, checked directly on the CDF.
    const std::size_t k = r.combined_pdf.quantile_index(1e-4, CdfCrossing::exceeds);
    EXPECT_GT(c[k], 1e-4);
    EXPECT_LE(c[k - 1], 1e-4);
    EXPECT_EQ(r.a_ni, std::abs(r.combined_pdf.voltage(k)));
    // ISI plus crosstalk alone reaches less far than with the noise added.
    EXPECT_LT(r.peak_isi_xt, r.a_ni);
    EXPECT_LE(r.peak_isi, r.peak_isi_xt);
  }
}

// --- final analysis: against the IEEE script ---------------------------------------------

// Golden cases: synthetic equalised pulses given by closed formulas (so the test needs no data
// file), evaluated by the IEEE script v3.70's own get_pdf / Create_Noise_PDF under Octave 7.3.
ComNoiseInputs golden_inputs(int levels, double der, double h0, int m, std::size_t n_ui) {
  ComNoiseInputs in;
  in.levels = levels;
  in.der0 = der;
  in.samples_per_ui = m;
  const double peak_ui = 6.0;
  in.victim_pulse.resize(n_ui * static_cast<std::size_t>(m));
  for (std::size_t i = 0; i < in.victim_pulse.size(); ++i) {
    const double t = static_cast<double>(i) / m;
    const double after = t > peak_ui ? 1.0 : 0.0;
    in.victim_pulse[i] = h0 * (std::exp(-std::pow((t - peak_ui) / 0.55, 2)) +
                               0.03 * after * std::exp(-(t - peak_ui) / 5.0) * std::cos(1.7 * t) +
                               0.004 * std::sin(2.3 * t + 0.4) *
                                   std::exp(-std::abs(t - peak_ui) / 12.0));
  }
  in.cursor_index = static_cast<std::size_t>(peak_ui * m) + 1;
  const double h = in.victim_pulse[in.cursor_index];
  in.a_s = 0.95 * h / (levels - 1);
  // DFE: 6 taps, b(1) limited to 0.4 so that it leaves a residual.
  const double b_max[] = {0.4, 0.1, 0.1, 0.1, 0.1, 0.1};
  const double b_min[] = {0.0, -0.1, -0.1, -0.1, -0.1, -0.1};
  for (std::size_t n = 1; n <= 6; ++n) {
    const double ratio = in.victim_pulse[in.cursor_index + n * static_cast<std::size_t>(m)] / h;
    in.dfe_taps.push_back(std::clamp(ratio, b_min[n - 1], b_max[n - 1]));
  }
  for (int k = 0; k < 3; ++k) {
    Aggressor a;
    a.kind = k == 2 ? AggressorKind::next : AggressorKind::fext;
    a.pulse.resize((n_ui - 4 * static_cast<std::size_t>(k)) * static_cast<std::size_t>(m));
    for (std::size_t i = 0; i < a.pulse.size(); ++i) {
      const double t = static_cast<double>(i) / m;
      a.pulse[i] = h0 * (0.02 + 0.01 * k) / (levels - 1) * std::sin(2.1 * t + k) *
                   std::exp(-std::abs(t - 7.0 - k) / 5.0);
    }
    in.aggressors.push_back(std::move(a));
  }
  // h_J as the script builds it (lines 6238-6253), with its 1-based sampling offset.
  std::size_t offset = (in.cursor_index + 1) % static_cast<std::size_t>(m);
  if (offset <= 1) offset += static_cast<std::size_t>(m);
  for (std::size_t s = offset; s < in.victim_pulse.size(); s += static_cast<std::size_t>(m)) {
    in.h_j.push_back((in.victim_pulse[s] - in.victim_pulse[s - 2]) / 2 * m);
  }
  in.a_dd_ui = 0.05;
  in.sigma_rj_ui = 0.01;
  in.sigma_tx = script_sigma_tx(levels, in.a_s, 0.95, 27.0);
  in.sigma_n = 0.02 * h0;
  return in;
}

struct GoldenValues {
  double bin, a_ni, com_db, threshold_der;
  double sigma_isi, sigma_xt, sigma_tx, sigma_rj, sigma_dd, sigma_g, sigma_noise, sigma_isi_xt,
      sigma_combined;
  double peak_isi, peak_xt, peak_next, peak_fext, peak_isi_xt;
  double combined_first;
  std::size_t combined_bins, isi_bins, xt_bins;
};

void expect_golden(const ComNoiseResult& r, const GoldenValues& g) {
  EXPECT_EQ(r.bin_size, g.bin);
  EXPECT_EQ(r.combined.bins, g.combined_bins);
  EXPECT_EQ(r.isi.bins, g.isi_bins);
  EXPECT_EQ(r.crosstalk.bins, g.xt_bins);
  EXPECT_NEAR(r.combined.first_voltage, g.combined_first, 1e-12 * g.bin);
  // Quantiles land on the same bin; sigmas agree to rounding.
  const std::pair<double, double> values[] = {
      {r.a_ni, g.a_ni},           {r.com_db, g.com_db},
      {r.sigma_isi, g.sigma_isi}, {r.sigma_xt, g.sigma_xt},
      {r.sigma_tx, g.sigma_tx},   {r.sigma_rj, g.sigma_rj},
      {r.sigma_dd, g.sigma_dd},   {r.sigma_g, g.sigma_g},
      {r.sigma_noise, g.sigma_noise}, {r.sigma_isi_xt, g.sigma_isi_xt},
      {r.sigma_combined, g.sigma_combined}, {r.peak_isi, g.peak_isi},
      {r.peak_xt, g.peak_xt},     {r.peak_next, g.peak_next},
      {r.peak_fext, g.peak_fext}, {r.peak_isi_xt, g.peak_isi_xt}};
  for (std::size_t i = 0; i < std::size(values); ++i) {
    EXPECT_NEAR(values[i].first, values[i].second, 1e-12 * std::abs(values[i].second))
        << "value " << i;
  }
  // A CDF value far down the tail, where the FFT's ~1e-18 per bin shows in relative terms.
  EXPECT_NEAR(r.threshold_der, g.threshold_der, 1e-6 * g.threshold_der);
}

// Values printed by the script's own get_pdf, Create_Noise_PDF, main-function A_ni/COM lines
// and pdf2sgm (v3.70, Octave 7.3) for exactly these inputs, with `PDF bin size` 1e-5 and a
// COM pass threshold of 3 dB.
TEST(ComPdf, MatchesTheIeeeScriptOnGoldenNrzCase) {
  const ComNoiseResult r = final_com_noise(golden_inputs(2, 1e-5, 0.06, 8, 40));
  expect_golden(r, {1.0000000000000001e-05, 0.030240000000000003, 4.9431240466964956,
                    5.8484895598055406e-09, 0.0047451238129262753, 0.0051591084501103586,
                    0.0025119696268082752, 0.00056144272152436358, 0.0028025167260874646,
                    0.0028399312202164314, 0.003989516422465378, 0.0070094650295154494,
                    0.0080652861874282687, 0.0068600000000000006, 0.020000000000000004,
                    0.012410000000000001, 0.012850000000000002, 0.024380000000000002,
                    -0.053020000000000005, 10605, 1417, 5857});
  EXPECT_EQ(r.aggressor_phases, (std::vector<int>{0, 7, 0}));
}

TEST(ComPdf, MatchesTheIeeeScriptOnGoldenPam4Case) {
  // A_s / 1000 < 1e-5 here, so the bin is A_s / 1000.
  const ComNoiseResult r = final_com_noise(golden_inputs(4, 1e-4, 0.02, 16, 50));
  expect_golden(r, {6.1573993628928029e-06, 0.0049567064871287063, 1.8840823926426289,
                    0.00066959679177994776, 0.00080943458651300086, 0.00042901213337708096,
                    0.00086855029443947622, 9.8313376825107351e-05, 0.00049324573884435929,
                    0.000961272663729525, 0.0010791982796897975, 0.00091609811724958077,
                    0.0014155934046588511, 0.0015824516362634505, 0.0015270350419974152,
                    0.0010652300897804547, 0.001003656096151527, 0.0025737929336891912,
                    -0.0098764685780800554, 3209, 597, 1075});
  EXPECT_EQ(r.aggressor_phases, (std::vector<int>{0, 14, 14}));
}

TEST(ComPdf, RejectsInvalidInputs) {
  ComNoiseInputs in = pulse_inputs(2, {0.08});
  in.a_s = 0.0;
  EXPECT_THROW(final_com_noise(in), LogicError);
  in = pulse_inputs(2, {0.08});
  in.der0 = 0.6;
  EXPECT_THROW(final_com_noise(in), LogicError);
  in = pulse_inputs(2, {0.08});
  in.cursor_index = in.victim_pulse.size();
  EXPECT_THROW(final_com_noise(in), LogicError);
  // A bin this small for this range would need more memory than any machine has.
  EXPECT_THROW(DiscretePdf::truncated_gaussian(1.0, 5.0, 1e-12), LogicError);
}

// Timing for the record (benchmarks belong in bench/; this only reports): 300 UI of PAM4 ISI,
// 8 aggressors of 200 UI at M = 32, thousands of bins.
TEST(ComPdf, FinalAnalysisTimingReport) {
  const ComNoiseInputs in = realistic_inputs(4, 300, 8, 5);
  const ComNoiseResult warm = final_com_noise(in);
  const auto t0 = std::chrono::steady_clock::now();
  constexpr int reps = 5;
  for (int i = 0; i < reps; ++i) (void)final_com_noise(in);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
      reps;
  std::cout << "final_com_noise: " << ms << " ms; bins: isi " << warm.isi.bins << ", xt "
            << warm.crosstalk.bins << ", noise " << warm.noise.bins << ", combined "
            << warm.combined.bins << "\n";
  RecordProperty("final_com_noise_ms", std::to_string(ms));
  EXPECT_GT(warm.combined.bins, 1000u);
}

}  // namespace
}  // namespace eyesweep
