// Transfer functions of the reference transmitter and receiver; see filters.hpp.
#include "host/filters.hpp"

#include <cmath>
#include <limits>
#include <numbers>

namespace eyesweep {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr cplx kJ{0.0, 1.0};

/// y = filter(b, a, x) for a biquad with a[0] = 1 (direct form I, as MATLAB's filter()).
std::vector<double> biquad(std::span<const double> x, const double (&b)[3], const double (&a)[3]) {
  std::vector<double> y(x.size());
  double x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0;
  for (std::size_t n = 0; n < x.size(); ++n) {
    const double yn = b[0] * x[n] + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2;
    x2 = x1;
    x1 = x[n];
    y2 = y1;
    y1 = yn;
    y[n] = yn;
  }
  return y;
}

/// One CTLE stage as the script's TD_CTLE: s-plane zero at -2 pi f_z 10^(g/20) and poles at
/// -2 pi f_p1, -2 pi f_p2, mapped by z = (1 + s/K)/(1 - s/K) with K = 2 fs. The gain is set
/// so that the stage equals the continuous one at DC (10^(g/20)).
std::vector<double> bilinear_stage(std::span<const double> x, double g_dB, double f_z, double f_p1,
                                   double f_p2, double sample_rate) {
  const double K = 2.0 * sample_rate;
  const double z = -2.0 * kPi * f_z * std::pow(10.0, g_dB / 20.0);
  const double p1 = -2.0 * kPi * f_p1;
  const auto map = [K](double s) { return (1.0 + s / K) / (1.0 - s / K); };
  const double zd = map(z);
  const double p1d = map(p1);
  double p2d = -1.0;      // a pole at infinity maps to z = -1
  double gain = 0.0;
  if (std::isinf(f_p2)) {
    // lim_{p2 -> -inf} (-p2) / (K - p2) = 1
    gain = (K - z) / (K - p1) * f_p1 / f_z;
  } else {
    const double p2 = -2.0 * kPi * f_p2;
    p2d = map(p2);
    gain = -p2 * (K - z) / ((K - p1) * (K - p2)) * f_p1 / f_z;
  }
  // numerator (z - zd)(z + 1), denominator (z - p1d)(z - p2d), in powers of z^-1
  const double b[3] = {gain, gain * (1.0 - zd), -gain * zd};
  const double a[3] = {1.0, -(p1d + p2d), p1d * p2d};
  return biquad(x, b, a);
}

}  // namespace

cplx tx_rise_time_filter(double f_GHz, double T_r_ns) {
  const double x = kPi * f_GHz * T_r_ns / 1.6832;
  return std::exp(-2.0 * x * x) * std::exp(-kJ * (2.0 * kPi * f_GHz * 3.0 * T_r_ns));
}

cplx butterworth4(double f_GHz, double f_3dB_GHz) {
  const cplx s = kJ * (f_GHz / f_3dB_GHz);
  // s^4 + 2.613126 s^3 + 3.414214 s^2 + 2.613126 s + 1 (the script's rounded coefficients)
  return 1.0 / ((((s + 2.613126) * s + 3.414214) * s + 2.613126) * s + 1.0);
}

cplx bessel_thomson4(double f_GHz, double f_scale_GHz) {
  const cplx s = kJ * (f_GHz / f_scale_GHz);
  // reverse Bessel polynomial of order 4: s^4 + 10 s^3 + 45 s^2 + 105 s + 105
  return 105.0 / ((((s + 10.0) * s + 45.0) * s + 105.0) * s + 105.0);
}

double raised_cosine_window(double f_GHz, double f_start_GHz, double f_end_GHz) {
  if (f_GHz <= f_start_GHz) return 1.0;
  if (f_GHz >= f_end_GHz) return 0.0;
  return 0.5 * (1.0 + std::cos(kPi * (f_GHz - f_start_GHz) / (f_end_GHz - f_start_GHz)));
}

namespace {

/// One CTLE stage with its DC gain already linear (the pow hoisted out of frequency loops).
cplx ctle_stage_linear(double f_GHz, double gain, double f_z_GHz, double f_p1_GHz, double f_p2_GHz) {
  const cplx numerator = gain + kJ * (f_GHz / f_z_GHz);
  cplx denominator = 1.0 + kJ * (f_GHz / f_p1_GHz);
  if (!std::isinf(f_p2_GHz)) denominator *= 1.0 + kJ * (f_GHz / f_p2_GHz);
  // |denominator| >= 1: the plain formula needs none of the scaling (and inf/NaN cases) of
  // the library's complex division, which took a tenth of the search tables' time.
  return numerator * std::conj(denominator) / std::norm(denominator);
}

}  // namespace

cplx ctle_stage(double f_GHz, double g_dB, double f_z_GHz, double f_p1_GHz, double f_p2_GHz) {
  return ctle_stage_linear(f_GHz, std::pow(10.0, g_dB / 20.0), f_z_GHz, f_p1_GHz, f_p2_GHz);
}

cplx ctle_response(double f_GHz, const CtleSetting& ctle) {
  cplx h = ctle_stage(f_GHz, ctle.g_DC_dB, ctle.f_z_GHz, ctle.f_p1_GHz, ctle.f_p2_GHz);
  if (ctle.f_LF_GHz > 0.0) {
    h *= ctle_stage(f_GHz, ctle.g_DC2_dB, ctle.f_LF_GHz, ctle.f_LF_GHz, std::numeric_limits<double>::infinity());
  }
  return h;
}

std::vector<cplx> ctle_response(std::span<const double> f_GHz, const CtleSetting& ctle) {
  const double gain = std::pow(10.0, ctle.g_DC_dB / 20.0), gain2 = std::pow(10.0, ctle.g_DC2_dB / 20.0);
  std::vector<cplx> h(f_GHz.size());
  for (std::size_t i = 0; i < f_GHz.size(); ++i) {
    h[i] = ctle_stage_linear(f_GHz[i], gain, ctle.f_z_GHz, ctle.f_p1_GHz, ctle.f_p2_GHz);
    if (ctle.f_LF_GHz > 0.0) {
      h[i] *= ctle_stage_linear(f_GHz[i], gain2, ctle.f_LF_GHz, ctle.f_LF_GHz, std::numeric_limits<double>::infinity());
    }
  }
  return h;
}

std::vector<double> ctle_filter_impulse(std::span<const double> impulse, const CtleSetting& ctle,
                                        double sample_rate_GHz) {
  std::vector<double> y = bilinear_stage(impulse, ctle.g_DC_dB, ctle.f_z_GHz, ctle.f_p1_GHz,
                                         ctle.f_p2_GHz, sample_rate_GHz);
  if (ctle.f_LF_GHz > 0.0) {
    y = bilinear_stage(y, ctle.g_DC2_dB, ctle.f_LF_GHz, ctle.f_LF_GHz,
                       std::numeric_limits<double>::infinity(), sample_rate_GHz);
  }
  return y;
}

cplx tx_ffe_response(double f_GHz, std::span<const double> taps, int first_offset,
                     double f_b_GBd) {
  cplx h{0.0, 0.0};
  for (std::size_t k = 0; k < taps.size(); ++k) {
    const double offset = static_cast<double>(first_offset + static_cast<int>(k));
    h += taps[k] * std::exp(-kJ * (2.0 * kPi * f_GHz * offset / f_b_GBd));
  }
  return h;
}

}  // namespace eyesweep
