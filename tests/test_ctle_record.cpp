// The record-building functions the host and the device share (kernels/ctle_record.hpp,
// kernels/ctle_response.hpp), checked against direct computations of what they stand for.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "kernels/ctle_record.hpp"
#include "kernels/ctle_response.hpp"

namespace eyesweep {
namespace {

struct Outlier {
  float bound;
  int pos;
};

/// A variant view of a pulse of N samples, M per UI, taps at UI offsets -1 .. 3.
search::VariantView view_of(int N, int M) {
  search::VariantView v;
  v.N = N;
  v.M = M;
  for (int k = 0; k < 5; ++k) v.offset[k] = (k - 1) * M;
  v.full_lo = 4 * M;
  v.full_hi = N - 4 * M;
  return v;
}

/// Every bound outside the narrow window, sorted as the record keeps them: descending, of
/// equal bounds the earlier position first.
std::vector<Outlier> sorted_bounds(const std::vector<double>& pulse, const search::VariantView& v,
                                   const search::RecordShape& shape, int narrow_lo, int narrow_hi) {
  std::vector<Outlier> all;
  for (int n = v.full_lo; n <= v.full_hi; ++n) {
    if (n >= narrow_lo && n <= narrow_hi) continue;
    double q = 0.0;
    for (int k = 0; k < shape.num_taps; ++k) q = std::max(q, std::abs(pulse[static_cast<std::size_t>(search::wrap_index(n - v.offset[k], v.N))]));
    all.push_back({static_cast<float>(q * shape.tap_abs_sum_max * (1.0 + 1e-5)), n});
  }
  std::stable_sort(all.begin(), all.end(), [](const Outlier& a, const Outlier& b) { return a.bound > b.bound; });
  return all;
}

// The running selection keeps exactly the kMaxOutliers first of the full sort and the largest
// of the rest; pulses quantised to a few levels make many bounds equal, so that the order of
// ties is checked too.
TEST(CtleRecord, PeakFieldsKeepTheLargestBoundsInOrder) {
  constexpr int M = 8, N = 400;
  const search::VariantView v = view_of(N, M);
  search::RecordShape shape;
  shape.num_taps = 5;
  shape.first_offset = -1;
  shape.tap_abs_sum_max = 1.3;
  search::TableLayout layout;
  layout.pulse_len = N;
  layout.pulse_pad = 3 * M;
  layout.M = M;
  layout.block_len = 12 * M;
  layout.gram = 15;
  std::mt19937_64 rng(20261127);
  for (int trial = 0; trial < 200; ++trial) {
    const double levels = trial % 2 == 0 ? 5.0 : 1e6;  // many ties, then almost none
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::vector<double> pulse(N);
    for (double& x : pulse) x = std::round(u(rng) * levels) / levels;
    const int peak_at = v.full_lo + static_cast<int>(rng() % static_cast<unsigned>(v.full_hi - v.full_lo));
    pulse[static_cast<std::size_t>(peak_at)] = 2.0;
    std::vector<float> floats(static_cast<std::size_t>(layout.floats()), -7.0f);
    std::vector<int> ints(static_cast<std::size_t>(layout.ints()), -7);
    std::vector<double> extended;
    for (int i = -layout.pulse_pad; i < N + layout.pulse_pad; ++i) extended.push_back(search::extended_sample(pulse.data(), N, i));
    const search::TapSamples samples{extended.data() + layout.pulse_pad, v, shape.num_taps};
    search::fill_peak_fields(layout, shape, samples, floats.data(), ints.data());

    const int narrow_lo = std::max(v.full_lo, peak_at - 2 * M), narrow_hi = std::min(v.full_hi, peak_at + 4 * M);
    ASSERT_EQ(ints[search::kNarrowLo], narrow_lo) << "trial " << trial;
    ASSERT_EQ(ints[search::kNarrowHi], narrow_hi) << "trial " << trial;
    const std::vector<Outlier> expected = sorted_bounds(pulse, v, shape, narrow_lo, narrow_hi);
    const auto kept = std::min<std::size_t>(expected.size(), search::kMaxOutliers);
    ASSERT_EQ(ints[search::kNumOutliers], static_cast<int>(kept)) << "trial " << trial;
    for (std::size_t i = 0; i < kept; ++i) {
      EXPECT_EQ(ints[search::kOutliers + static_cast<int>(i)], expected[i].pos) << "trial " << trial << ", outlier " << i;
      EXPECT_EQ(floats[static_cast<std::size_t>(layout.pulse_floats()) + i], expected[i].bound) << "trial " << trial;
    }
    float rest = -INFINITY;
    for (std::size_t i = kept; i < expected.size(); ++i) rest = std::max(rest, expected[i].bound);
    EXPECT_EQ(floats[static_cast<std::size_t>(layout.pulse_floats() + search::kMaxOutliers)], rest) << "trial " << trial;
    const int block_lo = std::max(0, peak_at - 6 * M);
    EXPECT_EQ(ints[search::kBlockLo], block_lo);
    EXPECT_EQ(ints[search::kBlockLen], std::min(layout.block_len, N - block_lo));
  }
}

// The eight running sums of the crosstalk moments add up to the plain dot product.
TEST(CtleRecord, CrosstalkMomentIsTheDotProduct) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (const int n : {0, 1, 7, 8, 9, 63, 1000, 5003}) {
    std::vector<double> a(static_cast<std::size_t>(n)), b(static_cast<std::size_t>(n));
    long double exact = 0.0L;
    double scale = 0.0;
    for (int i = 0; i < n; ++i) {
      a[static_cast<std::size_t>(i)] = u(rng);
      b[static_cast<std::size_t>(i)] = u(rng);
      exact += static_cast<long double>(a[static_cast<std::size_t>(i)]) * b[static_cast<std::size_t>(i)];
      scale += std::abs(a[static_cast<std::size_t>(i)] * b[static_cast<std::size_t>(i)]);
    }
    EXPECT_NEAR(search::crosstalk_moment(a.data(), b.data(), n), static_cast<double>(exact), 1e-15 * (scale + 1.0)) << n;
  }
}

// The Chebyshev recurrence gives cos(m theta) to well below the 1e-6 the series is cut at.
TEST(CtleRecord, SeriesCosinesFollowTheRecurrence) {
  constexpr int terms = 120;
  for (const double theta : {0.0, 0.3, 1.7, 3.14159}) {
    std::vector<double> out(2 * terms, 0.0);
    search::series_cosines(std::cos(theta), terms, out.data(), 2);
    for (int m = 0; m < terms; ++m) EXPECT_NEAR(out[2 * static_cast<std::size_t>(m)], std::cos(m * theta), 1e-12) << m;
  }
}

// The CTLE's response equals the two stages' formula in std::complex, and its integrals'
// terms are what make_context integrates.
TEST(CtleRecord, FrequencyTermsAreTheIntegrandsOfTheNoiseAndCrosstalk) {
  CtleSetting s;
  s.g_DC_dB = -7.0;
  s.g_DC2_dB = -2.0;
  s.f_z_GHz = 10.6;
  s.f_p1_GHz = 10.6;
  s.f_p2_GHz = 53.125;
  s.f_LF_GHz = 0.6640625;
  const ctle::Response response(s);
  const std::vector<double> f = {0.0, 1.0, 2.5, 10.0, 30.0, 60.0};
  const std::vector<std::complex<double>> H_r = {{1.0, 0.0}, {0.9, -0.2}, {0.7, -0.4}, {0.3, -0.5}, {0.05, -0.1}, {0.01, 0.0}};
  const std::vector<std::complex<double>> H_a = {{0.1, 0.0}, {0.1, 0.05}, {0.2, -0.1}, {0.05, 0.3},   // FEXT
                                                 {0.01, 0.0}, {0.02, 0.01}, {0.03, 0.0}, {0.0, 0.04}}; // NEXT
  const std::vector<double> a2 = {0.16, 0.36}, sinc2 = {1.0, 0.99, 0.95, 0.6}, rx_noise = {1, 2, 3, 4, 5, 6};
  const std::vector<unsigned char> is_fext = {1, 0};
  ctle::SpectrumView spectrum;
  spectrum.n_f = static_cast<int>(f.size());
  spectrum.f_GHz = f.data();
  spectrum.H_r = reinterpret_cast<const double*>(H_r.data());
  spectrum.rx_noise = rx_noise.data();
  spectrum.n_xt = 4;
  spectrum.sinc2 = sinc2.data();
  spectrum.n_aggressors = 2;
  spectrum.aggressor_H = reinterpret_cast<const double*>(H_a.data());
  spectrum.aggressor_a2 = a2.data();
  spectrum.aggressor_is_fext = is_fext.data();

  const auto stage = [](double fi, double g_dB, double f_z, double f_p1, double f_p2) {
    const std::complex<double> j{0.0, 1.0};
    std::complex<double> den = 1.0 + j * (fi / f_p1);
    if (!std::isinf(f_p2)) den *= 1.0 + j * (fi / f_p2);
    return (std::pow(10.0, g_dB / 20.0) + j * (fi / f_z)) / den;
  };
  for (int i = 0; i < spectrum.n_f; ++i) {
    const auto fi = f[static_cast<std::size_t>(i)];
    const std::complex<double> H = stage(fi, s.g_DC_dB, s.f_z_GHz, s.f_p1_GHz, s.f_p2_GHz) *
                                   stage(fi, s.g_DC2_dB, s.f_LF_GHz, s.f_LF_GHz, INFINITY);
    const ctle::Complex h = response.at(fi);
    EXPECT_NEAR(h.re, H.real(), 1e-14 * std::abs(H));
    EXPECT_NEAR(h.im, H.imag(), 1e-14 * std::abs(H));
    const ctle::FrequencyTerms t = ctle::frequency_terms(spectrum, response, i);
    const double noise = i == 0 ? 0.0 : std::norm(H_r[static_cast<std::size_t>(i)] * H) * (fi - f[static_cast<std::size_t>(i) - 1]);
    EXPECT_NEAR(t.noise, noise, 1e-14 * noise);
    EXPECT_NEAR(t.shaped, rx_noise[static_cast<std::size_t>(i)] * noise, 1e-14 * rx_noise[static_cast<std::size_t>(i)] * noise);
    const double fext = i < 4 ? a2[0] * sinc2[static_cast<std::size_t>(i)] * std::norm(H_a[static_cast<std::size_t>(i)] * H) : 0.0;
    const double next = i < 4 ? a2[1] * sinc2[static_cast<std::size_t>(i)] * std::norm(H_a[4 + static_cast<std::size_t>(i)] * H) : 0.0;
    EXPECT_NEAR(t.fext, fext, 1e-14 * fext);
    EXPECT_NEAR(t.next, next, 1e-14 * next);
  }
}

// |H_ctf|^2 is the power terms' combination for every gain setting: one stage or two, a
// second pole or none, from DC to far above the poles.
TEST(CtleRecord, PowerTermsGiveTheCtlesSquaredMagnitude) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> gain_dB(-20.0, 3.0), freq_GHz(0.0, 200.0);
  for (const bool two_stages : {false, true}) {
    for (const bool second_pole : {false, true}) {
      CtleSetting s;
      s.f_z_GHz = 9.3;
      s.f_p1_GHz = 26.5;
      s.f_p2_GHz = second_pole ? 53.125 : INFINITY;
      s.f_LF_GHz = two_stages ? 0.6640625 : 0.0;
      for (int trial = 0; trial < 50; ++trial) {
        s.g_DC_dB = gain_dB(rng);
        s.g_DC2_dB = gain_dB(rng);  // without the second stage it must count for nothing
        const ctle::Response response(s);
        double w[ctle::kPowerTerms];
        ctle::power_weights(response, w);
        for (const double f : {0.0, 0.01, freq_GHz(rng), freq_GHz(rng), 1e4}) {
          double e[ctle::kPowerTerms];
          ctle::power_terms(s, f, e);
          const double exact = ctle::norm(response.at(f));
          EXPECT_NEAR(ctle::combine_terms(w, e, 1), exact, 1e-14 * exact)
              << "f " << f << " GHz, g_DC " << s.g_DC_dB << ", g_DC2 " << s.g_DC2_dB << ", two stages " << two_stages;
        }
      }
    }
  }
}

// A record's noise and crosstalk fields, combined from its variant's integrals per power
// term, equal the integrals of frequency_terms for its own setting (what make_context sums)
// and their cosine moments, in the series form and the direct one.
TEST(CtleRecord, CrosstalkFieldsFromThePowerTermsAreEachSettingsIntegrals) {
  constexpr int n_f = 400, n_xt = 260, terms = 40;
  constexpr double f_b = 26.5625, eta_0 = 8.2e-9;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-1.0, 1.0), positive(0.1, 1.0);
  std::vector<double> f(n_f), H_r(2 * n_f), rx_noise(n_f), sinc2(n_xt), H_a(2 * 3 * n_xt);
  for (int i = 0; i < n_f; ++i) {
    f[static_cast<std::size_t>(i)] = 0.05 * i;
    H_r[2 * static_cast<std::size_t>(i)] = u(rng);
    H_r[2 * static_cast<std::size_t>(i) + 1] = u(rng);
    rx_noise[static_cast<std::size_t>(i)] = 1e-9 * positive(rng);
  }
  for (double& x : sinc2) x = positive(rng);
  for (double& x : H_a) x = 0.1 * u(rng);
  const std::vector<double> a2 = {0.16, 0.09, 0.36};
  const std::vector<unsigned char> is_fext = {1, 0, 1};
  ctle::SpectrumView spectrum;
  spectrum.n_f = n_f;
  spectrum.f_GHz = f.data();
  spectrum.H_r = H_r.data();
  spectrum.rx_noise = rx_noise.data();
  spectrum.n_xt = n_xt;
  spectrum.sinc2 = sinc2.data();
  spectrum.n_aggressors = 3;
  spectrum.aggressor_H = H_a.data();
  spectrum.aggressor_a2 = a2.data();
  spectrum.aggressor_is_fext = is_fext.data();

  CtleSetting poles;
  poles.f_z_GHz = 10.6;
  poles.f_p1_GHz = 10.6;
  poles.f_p2_GHz = 53.125;
  poles.f_LF_GHz = 0.6640625;
  std::vector<double> series_cos(static_cast<std::size_t>(terms) * n_xt), power_fext(ctle::kPowerTerms * n_xt);
  ctle::PowerIntegrals integrals;
  for (int i = 0; i < n_f; ++i) {
    const ctle::PowerFrequencyTerms t = ctle::power_frequency_terms(spectrum, poles, i);
    integrals.add(t);
    if (i >= n_xt) continue;
    for (int k = 0; k < ctle::kPowerTerms; ++k) power_fext[static_cast<std::size_t>(k * n_xt + i)] = t.fext[k];
    search::series_cosines(std::cos(2.0 * std::numbers::pi * f[static_cast<std::size_t>(i)] / f_b), terms, series_cos.data() + i, n_xt);
  }
  std::vector<double> moments;
  for (int m = 0; m < terms; ++m) {
    for (int k = 0; k < ctle::kPowerTerms; ++k) moments.push_back(search::power_moment(series_cos.data(), power_fext.data(), n_xt, m, k));
  }

  for (const bool series : {true, false}) {
    search::TableLayout layout;  // a record of the crosstalk part alone
    layout.fext_len = series ? terms : n_xt;
    search::RecordShape shape;
    shape.fext_terms = series ? terms : 0;
    const search::PowerSource power{integrals, series ? moments.data() : power_fext.data(), n_xt};
    for (const double g : {-12.0, -4.0, 0.0}) {
      for (const double g2 : {-3.0, 0.0}) {
        CtleSetting s = poles;
        s.g_DC_dB = g;
        s.g_DC2_dB = g2;
        const ctle::Response response(s);
        std::vector<double> record(static_cast<std::size_t>(layout.fext_len) + 2, 0.0);
        search::fill_crosstalk(layout, shape, power, response, eta_0, record.data());

        ctle::Integrals direct;
        std::vector<double> weight(n_xt);
        for (int i = 0; i < n_f; ++i) {
          const ctle::FrequencyTerms t = ctle::frequency_terms(spectrum, response, i);
          direct.add(t);
          if (i < n_xt) weight[static_cast<std::size_t>(i)] = t.fext;
        }
        const std::string what = std::string(series ? "series" : "direct") + ", g_DC " + std::to_string(g) + ", g_DC2 " + std::to_string(g2);
        const double noise2 = direct.noise2(eta_0);
        EXPECT_NEAR(record[static_cast<std::size_t>(layout.fext_len)], noise2, 1e-13 * noise2) << what;
        EXPECT_NEAR(record[static_cast<std::size_t>(layout.fext_len) + 1], direct.next_power, 1e-13 * direct.next_power) << what;
        if (series) {
          const double scale = search::crosstalk_moment(series_cos.data(), weight.data(), n_xt);  // moment 0: the largest
          for (int m = 0; m < terms; ++m) {
            const double exact = search::crosstalk_moment(series_cos.data() + static_cast<std::ptrdiff_t>(m) * n_xt, weight.data(), n_xt);
            EXPECT_NEAR(record[static_cast<std::size_t>(m)], exact, 1e-13 * scale) << what << ", moment " << m;
          }
        } else {
          for (int i = 0; i < n_xt; ++i) {
            const double exact = weight[static_cast<std::size_t>(i)];
            EXPECT_NEAR(record[static_cast<std::size_t>(i)], exact, 1e-14 * exact) << what << ", frequency " << i;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace eyesweep
