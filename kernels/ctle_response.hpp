// One CTLE setting applied to a variant's responses, written once for the host and the
// device (host/filters.cpp, FomEvaluator::make_context and the fast engines' tables call
// these; kernels/table_device.cu runs them one thread per record or per element): the
// script's bilinear-transform CTLE on the sampled impulse response, the pulse of one UI,
// and per frequency the CTLE's response and its terms of the noise and crosstalk integrals.
#pragma once

#include <cmath>

#include "kernels/common/host_device.hpp"

namespace eyesweep {

/// The parameters of one CTLE setting: the main stage and the optional low-frequency stage
/// (802.3ck form; f_LF_GHz = 0 means a single-stage CTLE).
struct CtleSetting {
  double g_DC_dB = 0.0;
  double g_DC2_dB = 0.0;
  double f_z_GHz = 0.0;
  double f_p1_GHz = 0.0;
  double f_p2_GHz = 0.0;
  double f_LF_GHz = 0.0;
};

namespace ctle {

/// A complex number for host and device alike; products in the textbook form, which is what
/// std::complex computes for finite operands. Arrays of them are read from interleaved
/// (re, im) doubles, the layout of std::complex<double>.
struct Complex {
  double re = 0.0, im = 0.0;
};
ES_HD inline Complex load(const double* interleaved, long long i) { return {interleaved[2 * i], interleaved[2 * i + 1]}; }
ES_HD inline Complex operator*(Complex a, Complex b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
ES_HD inline double norm(Complex a) { return a.re * a.re + a.im * a.im; }

/// A pole placed at infinity (a one-pole stage); the configurations give +infinity.
ES_HD inline bool at_infinity(double f_GHz) { return f_GHz == INFINITY; }

/// The coefficients of filter(b, a, x) for a biquad with a[0] = 1.
struct Biquad {
  double b[3];
  double a[3];
};

/// The bilinear transform's map of s-plane point s to the z plane, K = 2 fs.
ES_HD inline double bilinear_map(double s, double K) { return (1.0 + s / K) / (1.0 - s / K); }

/// One CTLE stage as the script's TD_CTLE: s-plane zero at -2 pi f_z 10^(g/20) and poles at
/// -2 pi f_p1, -2 pi f_p2 (f_p2 may be infinite), mapped by z = (1 + s/K)/(1 - s/K) with
/// K = 2 fs. The gain makes the stage equal the continuous one at DC (10^(g/20)).
ES_HD inline Biquad bilinear_stage(double g_dB, double f_z, double f_p1, double f_p2, double sample_rate) {
  constexpr double kPi = 3.14159265358979323846;
  const double K = 2.0 * sample_rate;
  const double z = -2.0 * kPi * f_z * pow(10.0, g_dB / 20.0);
  const double p1 = -2.0 * kPi * f_p1;
  const double zd = bilinear_map(z, K);
  const double p1d = bilinear_map(p1, K);
  double p2d = -1.0;  // a pole at infinity maps to z = -1
  double gain = 0.0;
  if (at_infinity(f_p2)) {
    // lim_{p2 -> -inf} (-p2) / (K - p2) = 1
    gain = (K - z) / (K - p1) * f_p1 / f_z;
  } else {
    const double p2 = -2.0 * kPi * f_p2;
    p2d = bilinear_map(p2, K);
    gain = -p2 * (K - z) / ((K - p1) * (K - p2)) * f_p1 / f_z;
  }
  // numerator (z - zd)(z + 1), denominator (z - p1d)(z - p2d), in powers of z^-1
  return Biquad{{gain, gain * (1.0 - zd), -gain * zd}, {1.0, -(p1d + p2d), p1d * p2d}};
}

/// A biquad's state (direct form I, as MATLAB's filter()).
struct BiquadState {
  double x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0;
  ES_HD double step(const Biquad& f, double x) {
    const double y = f.b[0] * x + f.b[1] * x1 + f.b[2] * x2 - f.a[1] * y1 - f.a[2] * y2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    return y;
  }
};

/// The CTLE applied to a sampled impulse response the way the IEEE script does it: each
/// stage a biquad by the bilinear transform at `sample_rate_GHz` = 1/dt (no pre-warping);
/// y may be x. The two stages run in one pass, each rounding as it would alone: their
/// recursions are independent chains, so the second costs little beside the first.
ES_HD inline void filter_impulse(const CtleSetting& ctle, double sample_rate_GHz, const double* x, double* y,
                                 long long n) {
  const Biquad peaking = bilinear_stage(ctle.g_DC_dB, ctle.f_z_GHz, ctle.f_p1_GHz, ctle.f_p2_GHz, sample_rate_GHz);
  BiquadState first;
  if (!(ctle.f_LF_GHz > 0.0)) {
    for (long long i = 0; i < n; ++i) y[i] = first.step(peaking, x[i]);
    return;
  }
  const Biquad low = bilinear_stage(ctle.g_DC2_dB, ctle.f_LF_GHz, ctle.f_LF_GHz, INFINITY, sample_rate_GHz);
  BiquadState second;
  for (long long i = 0; i < n; ++i) y[i] = second.step(low, first.step(peaking, x[i]));
}

/// Sample n of the pulse of one UI (M samples): the impulse response summed over its last M
/// samples up to n, directly rather than as a running sum, whose rounding grows with length.
ES_HD inline double pulse_sample(const double* impulse, long long n, int M) {
  double sum = 0.0;
  for (long long m = n + 1 > M ? n + 1 - M : 0; m <= n; ++m) sum += impulse[m];
  return sum;
}

/// (gain + j f/f_z) / ((1 + j f/f_p1)(1 + j f/f_p2)), f_p2 possibly infinite; gain linear.
/// |denominator| >= 1, so the plain quotient needs none of a library division's scaling.
ES_HD inline Complex stage_response(double f_GHz, double gain, double f_z_GHz, double f_p1_GHz, double f_p2_GHz) {
  const Complex numerator{gain, f_GHz / f_z_GHz};
  Complex denominator{1.0, f_GHz / f_p1_GHz};
  if (!at_infinity(f_p2_GHz)) denominator = denominator * Complex{1.0, f_GHz / f_p2_GHz};
  const Complex q = numerator * Complex{denominator.re, -denominator.im};
  const double d = norm(denominator);
  return {q.re / d, q.im / d};
}

/// A CTLE setting with its stage gains converted once.
struct Response {
  CtleSetting setting;
  double gain = 1.0, gain2 = 1.0;  ///< 10^(g_DC/20), 10^(g_DC2/20)
  ES_HD explicit Response(const CtleSetting& s)
      : setting(s), gain(pow(10.0, s.g_DC_dB / 20.0)), gain2(pow(10.0, s.g_DC2_dB / 20.0)) {}
  /// H_ctf(f), both stages.
  ES_HD Complex at(double f_GHz) const {
    Complex h = stage_response(f_GHz, gain, setting.f_z_GHz, setting.f_p1_GHz, setting.f_p2_GHz);
    if (setting.f_LF_GHz > 0.0) h = h * stage_response(f_GHz, gain2, setting.f_LF_GHz, setting.f_LF_GHz, INFINITY);
    return h;
  }
};

/// |H_ctf(f)|^2 of every gain setting of one pole set as sum_k w_k e_k(f). Each stage's
/// numerator g + j f/f_z has norm g^2 + (f/f_z)^2, so with x = f/f_z, y = f/f_LF and d1, d2
/// the stages' squared denominators
///   |H_ctf|^2 = (G^2 + x^2)(G2^2 + y^2) / (d1 d2),
/// weights (G^2 G2^2, G^2, G2^2, 1) on the terms (1, y^2, x^2, x^2 y^2) / (d1 d2); a
/// single-stage CTLE has y = 0 and d2 = 1 (its G2 counts as 1). Every term and weight is
/// positive, so an integral of |H_ctf|^2 for any setting follows from the four integrals of
/// the terms without cancellation: the fast engines' records take their noise and crosstalk
/// fields from four integrals per variant instead of a pass over the frequencies per setting.
constexpr int kPowerTerms = 4;

ES_HD inline void power_terms(const CtleSetting& poles, double f_GHz, double e[kPowerTerms]) {
  const double x = f_GHz / poles.f_z_GHz, p1 = f_GHz / poles.f_p1_GHz;
  double d = 1.0 + p1 * p1;
  if (!at_infinity(poles.f_p2_GHz)) {
    const double p2 = f_GHz / poles.f_p2_GHz;
    d *= 1.0 + p2 * p2;
  }
  double y2 = 0.0;
  if (poles.f_LF_GHz > 0.0) {
    const double y = f_GHz / poles.f_LF_GHz;
    y2 = y * y;
    d *= 1.0 + y2;
  }
  e[0] = 1.0 / d;
  e[1] = y2 * e[0];
  e[2] = x * x * e[0];
  e[3] = y2 * e[2];
}

ES_HD inline void power_weights(const Response& ctle, double w[kPowerTerms]) {
  const double g2 = ctle.gain * ctle.gain;
  const double h2 = ctle.setting.f_LF_GHz > 0.0 ? ctle.gain2 * ctle.gain2 : 1.0;
  w[0] = g2 * h2;
  w[1] = g2;
  w[2] = h2;
  w[3] = 1.0;
}

/// sum_k w_k b[k stride]: one setting's value of a quantity given per power term.
ES_HD inline double combine_terms(const double w[kPowerTerms], const double* b, long long stride) {
  return ((w[0] * b[0] + w[1] * b[stride]) + w[2] * b[2 * stride]) + w[3] * b[3 * stride];
}

/// Two CTLE settings share their power terms when their poles and zeros are the same.
ES_HD inline bool same_poles(const CtleSetting& a, const CtleSetting& b) {
  return a.f_z_GHz == b.f_z_GHz && a.f_p1_GHz == b.f_p1_GHz && a.f_p2_GHz == b.f_p2_GHz && a.f_LF_GHz == b.f_LF_GHz;
}

/// What the noise and crosstalk integrals of a variant read, per frequency of its files.
struct SpectrumView {
  int n_f = 0;                           ///< frequencies
  const double* f_GHz = nullptr;
  const double* H_r = nullptr;           ///< receiver filters (interleaved complex)
  const double* rx_noise = nullptr;      ///< THRU output noise, V^2/GHz; null when none
  int n_xt = 0;                          ///< the crosstalk integral's first frequencies
  const double* sinc2 = nullptr;         ///< sinc^2(f T) on them
  int n_aggressors = 0;
  const double* aggressor_H = nullptr;   ///< n_aggressors x n_xt (interleaved complex), without the amplitude
  const double* aggressor_a2 = nullptr;  ///< amplitude^2 per aggressor
  const unsigned char* aggressor_is_fext = nullptr;  ///< 1: FEXT (weighted by |H_ffe|), 0: NEXT
};

/// One frequency's terms of the integrals: sigma_N^2 = eta_0 sum noise + sum shaped, the
/// FEXT weight itself, and the NEXT power's share.
struct FrequencyTerms {
  double noise = 0.0;   ///< |H_r H_ctf|^2 (f_i - f_{i-1}); right-endpoint rule from i = 1, as the script
  double shaped = 0.0;  ///< rx_noise_i times the same
  double fext = 0.0;    ///< sum over FEXT aggressors of a^2 sinc^2 |H H_ctf|^2 (i < n_xt)
  double next = 0.0;    ///< the same over NEXT aggressors
};

/// The FEXT and NEXT aggressors' power at crosstalk frequency i (< n_xt) through `H`:
/// sum a^2 sinc^2 |H_a H|^2 over each kind.
struct CrosstalkPower {
  double fext = 0.0, next = 0.0;
};

ES_HD inline CrosstalkPower crosstalk_power(const SpectrumView& s, int i, Complex H) {
  CrosstalkPower p;
  for (int a = 0; a < s.n_aggressors; ++a) {
    const double power = s.aggressor_a2[a] * s.sinc2[i] * norm(load(s.aggressor_H, static_cast<long long>(a) * s.n_xt + i) * H);
    if (s.aggressor_is_fext[a]) {
      p.fext += power;
    } else {
      p.next += power;
    }
  }
  return p;
}

ES_HD inline FrequencyTerms frequency_terms(const SpectrumView& s, const Response& ctle, int i) {
  FrequencyTerms t;
  const Complex H_ctf = ctle.at(s.f_GHz[i]);
  if (i >= 1) {
    t.noise = norm(load(s.H_r, i) * H_ctf) * (s.f_GHz[i] - s.f_GHz[i - 1]);
    if (s.rx_noise != nullptr) t.shaped = s.rx_noise[i] * t.noise;
  }
  if (i < s.n_xt) {
    const CrosstalkPower p = crosstalk_power(s, i, H_ctf);
    t.fext = p.fext;
    t.next = p.next;
  }
  return t;
}

/// The integrals of a CTLE setting, summed over frequencies in increasing order.
struct Integrals {
  double noise = 0.0, shaped = 0.0, next_power = 0.0;
  ES_HD void add(const FrequencyTerms& t) {
    noise += t.noise;
    shaped += t.shaped;
    next_power += t.next;
  }
  /// sigma_N^2: eta_0 through H_r and the CTLE plus the THRU's own output noise.
  ES_HD double noise2(double eta_0_V2_per_GHz) const { return eta_0_V2_per_GHz * noise + shaped; }
};

/// One frequency's integrand terms per power term: FrequencyTerms with |H_ctf|^2 replaced by
/// the term e_k (power_terms).
struct PowerFrequencyTerms {
  double noise[kPowerTerms] = {}, shaped[kPowerTerms] = {}, fext[kPowerTerms] = {}, next[kPowerTerms] = {};
};

ES_HD inline PowerFrequencyTerms power_frequency_terms(const SpectrumView& s, const CtleSetting& poles, int i) {
  PowerFrequencyTerms t;
  double e[kPowerTerms];
  power_terms(poles, s.f_GHz[i], e);
  if (i >= 1) {
    const double band = norm(load(s.H_r, i)) * (s.f_GHz[i] - s.f_GHz[i - 1]);
    for (int k = 0; k < kPowerTerms; ++k) {
      t.noise[k] = band * e[k];
      if (s.rx_noise != nullptr) t.shaped[k] = s.rx_noise[i] * t.noise[k];
    }
  }
  if (i < s.n_xt) {
    const CrosstalkPower p = crosstalk_power(s, i, Complex{1.0, 0.0});  // times 1 exactly
    for (int k = 0; k < kPowerTerms; ++k) {
      t.fext[k] = p.fext * e[k];
      t.next[k] = p.next * e[k];
    }
  }
  return t;
}

/// The integrals per power term, summed over frequencies in increasing order; a setting's
/// values combine them with its power_weights.
struct PowerIntegrals {
  double noise[kPowerTerms] = {}, shaped[kPowerTerms] = {}, next[kPowerTerms] = {};
  ES_HD void add(const PowerFrequencyTerms& t) {
    for (int k = 0; k < kPowerTerms; ++k) {
      noise[k] += t.noise[k];
      shaped[k] += t.shaped[k];
      next[k] += t.next[k];
    }
  }
  /// sigma_N^2 of the setting of weights w (Integrals::noise2).
  ES_HD double noise2(const double w[kPowerTerms], double eta_0_V2_per_GHz) const {
    return eta_0_V2_per_GHz * combine_terms(w, noise, 1) + combine_terms(w, shaped, 1);
  }
  ES_HD double next_power(const double w[kPowerTerms]) const { return combine_terms(w, next, 1); }
};

}  // namespace ctle
}  // namespace eyesweep
