// Transfer functions of the reference transmitter and receiver; see filters.hpp.
#include "host/filters.hpp"

#include <cmath>
#include <numbers>

namespace eyesweep {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr cplx kJ{0.0, 1.0};

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


cplx ctle_response(double f_GHz, const CtleSetting& ctle) {
  const ctle::Complex h = ctle::Response(ctle).at(f_GHz);
  return {h.re, h.im};
}

std::vector<cplx> ctle_response(std::span<const double> f_GHz, const CtleSetting& ctle) {
  const ctle::Response response(ctle);
  std::vector<cplx> h(f_GHz.size());
  for (std::size_t i = 0; i < f_GHz.size(); ++i) {
    const ctle::Complex hi = response.at(f_GHz[i]);
    h[i] = {hi.re, hi.im};
  }
  return h;
}

std::vector<double> ctle_filter_impulse(std::span<const double> impulse, const CtleSetting& ctle,
                                        double sample_rate_GHz) {
  std::vector<double> y(impulse.size());
  ctle::filter_impulse(ctle, sample_rate_GHz, impulse.data(), y.data(), static_cast<long long>(y.size()));
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
