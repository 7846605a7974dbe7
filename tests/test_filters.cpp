// Closed-form checks of the reference transmitter and receiver models, the band extension
// and the pulse response.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <vector>

#include "host/band_extension.hpp"
#include "host/case_responses.hpp"
#include "host/filters.hpp"
#include "host/impulse_response.hpp"
#include "kernels/ctle_response.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

constexpr double kPi = std::numbers::pi;

TEST(Filters, CtleDcGainIsTenToTheGdcOverTwenty) {
  for (double g : {-20.0, -12.0, -3.5, 0.0}) {
    for (double g2 : {-6.0, 0.0}) {
      const CtleSetting ctle{g, g2, 21.25, 21.25, 53.125, 0.6640625};
      EXPECT_NEAR(std::abs(ctle_response(0.0, ctle)), std::pow(10.0, (g + g2) / 20.0), 1e-15);
    }
  }
}

TEST(Filters, CtleBilinearFilterHasTheSameDcGain) {
  // A long constant input settles to the DC gain of the discrete filter, which the script's
  // gain constant makes equal to the continuous one.
  const CtleSetting ctle{-7.0, -2.0, 21.25, 21.25, 53.125, 0.6640625};
  const double fs = 53.125 * 32;
  std::vector<double> step(400000, 1.0);
  const std::vector<double> y = ctle_filter_impulse(step, ctle, fs);
  EXPECT_NEAR(y.back(), std::pow(10.0, -9.0 / 20.0), 1e-6);
}

TEST(Filters, CtleBilinearFilterTracksTheContinuousResponseBelowNyquist) {
  const CtleSetting ctle{-6.0, 0.0, 6.4453125, 6.4453125, 25.78125, 0.0};
  const double fs = 25.78125 * 32;
  std::vector<double> impulse(1 << 14, 0.0);
  impulse[0] = 1.0;
  const std::vector<double> h = ctle_filter_impulse(impulse, ctle, fs);
  for (double f : {1.0, 6.0, 12.89, 25.0}) {
    std::complex<double> sum{0.0, 0.0};
    for (std::size_t n = 0; n < h.size(); ++n) {
      sum += h[n] * std::exp(std::complex<double>(0.0, -2.0 * kPi * f * static_cast<double>(n) / fs));
    }
    const double warped = 2.0 * fs * std::tan(kPi * f / fs) / (2.0 * kPi);  // bilinear warping
    EXPECT_NEAR(std::abs(sum), std::abs(ctle_response(warped, ctle)), 1e-6) << f;
  }
}

TEST(Filters, ButterworthIsMinus3dBAtItsCorner) {
  const double f_r = 0.75 * 53.125;
  // exact for the ideal polynomial; the script's 7-digit coefficients move it by 3e-6 dB
  EXPECT_NEAR(20.0 * std::log10(std::abs(butterworth4(f_r, f_r))), -10.0 * std::log10(2.0), 1e-5);
  EXPECT_NEAR(std::abs(butterworth4(0.0, f_r)), 1.0, 1e-15);
  // fourth order: -80 dB per decade far above the corner
  EXPECT_NEAR(20.0 * std::log10(std::abs(butterworth4(100.0 * f_r, f_r))), -160.0, 0.01);
}

TEST(Filters, BesselThomsonIsMinus3dBAtItsNominalCorner) {
  // The script scales the polynomial by 0.473037 f_r f_b; the -3 dB point is then f_r f_b
  // to the precision of that constant.
  const double f_r = 0.75 * 53.125;
  EXPECT_NEAR(20.0 * std::log10(std::abs(bessel_thomson4(f_r, 0.473037 * f_r))), -3.0103, 0.01);
  EXPECT_NEAR(std::abs(bessel_thomson4(0.0, 10.0)), 1.0, 1e-15);
}

TEST(Filters, RaisedCosineWindow) {
  EXPECT_EQ(raised_cosine_window(10.0, 67.0, 79.6875), 1.0);
  EXPECT_NEAR(raised_cosine_window(0.5 * (67.0 + 79.6875), 67.0, 79.6875), 0.5, 1e-15);
  EXPECT_EQ(raised_cosine_window(80.0, 67.0, 79.6875), 0.0);
}

TEST(Filters, TxFfeOfOneIsIdentity) {
  const std::vector<double> taps{1.0};
  for (double f : {0.0, 3.3, 26.5625, 53.125, 400.0}) {
    const auto h = tx_ffe_response(f, taps, 0, 53.125);
    EXPECT_DOUBLE_EQ(h.real(), 1.0);
    EXPECT_DOUBLE_EQ(h.imag(), 0.0);
  }
}

TEST(Filters, TxRiseTimeFilterMatchesTheGaussianOfAnnex93A) {
  const double tr = 0.0075;
  const double f = 26.5625;
  const double expected = std::exp(-2.0 * std::pow(kPi * f * tr / 1.6832, 2));
  EXPECT_NEAR(std::abs(tx_rise_time_filter(f, tr)), expected, 1e-15);
}

// The pulse is the M-sample sum ending at each sample, in pulse_sample's order bit for bit
// (the device builds records with pulse_sample), at every length around the vector blocks.
TEST(Filters, PulseFromImpulseSumsTheLastMSamplesAsPulseSample) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (const int M : {1, 2, 7, 8, 32}) {
    for (const int N : {0, 1, 5, 31, 32, 33, 40, 41, 47, 1000, 1003}) {
      std::vector<double> impulse(static_cast<std::size_t>(N));
      for (double& x : impulse) x = u(rng) * std::pow(10.0, 6.0 * u(rng));  // wide range: order matters
      const std::vector<double> pulse = pulse_from_impulse(impulse, M);
      ASSERT_EQ(pulse.size(), impulse.size());
      for (int n = 0; n < N; ++n) {
        ASSERT_EQ(pulse[static_cast<std::size_t>(n)], ctle::pulse_sample(impulse.data(), n, M)) << "M " << M << ", N " << N << ", n " << n;
      }
    }
  }
}

TEST(BandExtension, ReproducesDataInsideTheBandAndExtendsWithoutRising) {
  std::vector<double> f, f_out;
  std::vector<std::complex<double>> H;
  for (int i = 0; i <= 400; ++i) {
    f.push_back(0.1 * i);
    H.push_back(std::exp(-0.02 * f.back()) * std::exp(std::complex<double>(0.0, -2.0 * kPi * f.back() * 0.5)));
  }
  for (int i = 0; i <= 1000; ++i) f_out.push_back(0.1 * i);
  const auto out = extend_to_grid(H, f, f_out, BandExtension::matlab_trend, "test");
  for (int i = 0; i <= 400; ++i) EXPECT_NEAR(std::abs(out[static_cast<std::size_t>(i)] - H[static_cast<std::size_t>(i)]), 0.0, 1e-12);
  for (int i = 401; i <= 1000; ++i) {
    EXPECT_LE(std::abs(out[static_cast<std::size_t>(i)]), std::abs(H.back()) + 1e-15);
    EXPECT_GT(std::abs(out[static_cast<std::size_t>(i)]), 0.0);
  }
}

/// A flat 5 ns delay measured to 50 GHz on a 10 MHz step and extended to 850 GHz (a 53 GBd
/// grid of 32 samples per UI): above the band the extension continues the line of the phase,
/// so every point must be 0.5 exp(-j 2 pi f 5 ns) across the 80,000 extrapolated points. The
/// unwrapped phase carries the rounding of 5,000 unwrapping steps up the line: 2e-9 here,
/// whether the phasors are evaluated one by one or rotated (a wrong rotation step is off by
/// radians).
TEST(BandExtension, ExtendsALinearPhaseWithoutDriftOverALongGrid) {
  const double delay_ns = 5.0;
  auto delayed = [&](double f_GHz) {
    return std::polar(0.5, -2.0 * kPi * f_GHz * delay_ns);
  };
  std::vector<double> f, f_out;
  std::vector<std::complex<double>> H;
  for (int i = 0; i <= 5000; ++i) {
    f.push_back(0.01 * i);
    H.push_back(delayed(f.back()));
  }
  for (int i = 0; i <= 85000; ++i) f_out.push_back(0.01 * i);
  const auto out = extend_to_grid(H, f, f_out, BandExtension::matlab_trend, "test");
  double worst = 0.0;
  for (std::size_t i = 0; i < f_out.size(); ++i) worst = std::max(worst, std::abs(out[i] - delayed(f_out[i])));
  EXPECT_LT(worst, 1e-8);
}

TEST(BandExtension, RefusesAnAntiCausalResponse) {
  std::vector<double> f;
  std::vector<std::complex<double>> H;
  for (int i = 0; i <= 100; ++i) {
    f.push_back(0.1 * i);
    H.push_back(std::exp(std::complex<double>(0.0, +2.0 * kPi * f.back() * 0.5)));
  }
  EXPECT_THROW(extend_to_grid(H, f, f, BandExtension::matlab_trend, "test"), InputError);
}

/// A lossless matched through (pure delay), no package: the pulse must be the one-UI
/// rectangle filtered by the receiver's Butterworth, computed here independently by
/// numerical inverse Fourier integration.
TEST(PulseResponse, LosslessMatchedThroughGivesTheAfeFilteredRectangle) {
  ComConfig cfg;
  cfg.source = "test";
  cfg.f_b_GBd = 25.78125;
  cfg.M = 32;
  cfg.L = 2;
  cfg.A_v = 1.0;
  cfg.f_r = 0.75;
  cfg.R_0_ohm = 50.0;
  cfg.tx_package = {{0.0}, {}, 0.0, 0.0, 50.0, {100.0}};
  cfg.rx_package = cfg.tx_package;
  cfg.package_cases = {{{0.0}, {0.0}, {0.0}, {0.0}}};
  cfg.impulse_truncation_threshold = 1e-6;

  const double delay_ns = 0.4;
  LoadedChannel channel;
  channel.input.kind = ChannelKind::thru;
  channel.input.path = "ideal_thru.s4p";
  for (int i = 0; i <= 6000; ++i) {
    const double f_hz = 1e7 * i;
    channel.network.freq_hz.push_back(f_hz);
    channel.network.sdd21.push_back(std::exp(std::complex<double>(0.0, -2.0 * kPi * f_hz * 1e-9 * delay_ns)));
    channel.network.sdd12.push_back(channel.network.sdd21.back());
    channel.network.sdd11.push_back(0.0);
    channel.network.sdd22.push_back(0.0);
  }
  const CaseResponses responses = prepare_case(cfg, {channel}, 0);
  const std::vector<double> pulse = pulse_from_impulse(responses.thru.impulse, cfg.M);
  const double T = 1.0 / cfg.f_b_GBd;
  const double dt = T / cfg.M;
  const double f_r = cfg.f_r * cfg.f_b_GBd;
  // p(t) = 2 Re int_0^{1/(2 dt)} H_bw(f) P_rect(f) e^{j 2 pi f (t - delay)} df, where the
  // rectangle is the sum of M impulse samples ending at t:
  // P_rect = dt sin(pi f M dt) / sin(pi f dt) e^{-j pi f (M - 1) dt}.
  const auto expected = [&](double t) {
    const double df = 0.005;
    double sum = 0.0;
    for (double fq = df / 2; fq < 0.5 / dt; fq += df) {
      const std::complex<double> rect = dt * std::sin(kPi * fq * T) / std::sin(kPi * fq * dt) *
                                        std::exp(std::complex<double>(0.0, -kPi * fq * (T - dt)));
      sum += 2.0 * (butterworth4(fq, f_r) * rect * std::exp(std::complex<double>(0.0, 2.0 * kPi * fq * (t - delay_ns)))).real() * df;
    }
    return sum;
  };
  for (std::size_t n = static_cast<std::size_t>(delay_ns / dt) - 32; n < static_cast<std::size_t>(delay_ns / dt) + 96; n += 7) {
    EXPECT_NEAR(pulse[n], expected(static_cast<double>(n) * dt), 2e-3) << "sample " << n;
  }
}

}  // namespace
}  // namespace eyesweep
