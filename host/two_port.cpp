// Grid-wide forms of the 2-port elements and algebra declared in two_port.hpp; the
// per-frequency math lives in the header so that package.cpp composes it without temporaries.
#include "host/two_port.hpp"

#include <string>

#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

void expect_valid_grid(const std::vector<double>& f_GHz) {
  for (const double f : f_GHz) {
    ES_EXPECTS(f >= 0.0, "frequencies must be non-negative GHz, got " + std::to_string(f));
  }
}

void expect_consistent(const TwoPort& s) {
  const std::size_t n = s.size();
  ES_EXPECTS(s.s12.size() == n && s.s21.size() == n && s.s22.size() == n,
             "the four S-parameter vectors of a TwoPort must have the same size");
}

/// A TwoPort of n frequencies whose vectors are sized but not yet meaningful.
TwoPort sized(std::size_t n) {
  TwoPort s;
  s.s11.resize(n);
  s.s12.resize(n);
  s.s21.resize(n);
  s.s22.resize(n);
  return s;
}

template <typename PointFn>
TwoPort tabulate(const std::vector<double>& f_GHz, PointFn&& at) {
  expect_valid_grid(f_GHz);
  TwoPort s = sized(f_GHz.size());
  for (std::size_t i = 0; i < f_GHz.size(); ++i) s.set(i, at(f_GHz[i]));
  return s;
}

}  // namespace

TwoPort TwoPort::identity(std::size_t n) {
  TwoPort s;
  s.s11.assign(n, {0.0, 0.0});
  s.s12.assign(n, {1.0, 0.0});
  s.s21.assign(n, {1.0, 0.0});
  s.s22.assign(n, {0.0, 0.0});
  return s;
}

TwoPort shunt_capacitance(const std::vector<double>& f_GHz, double C_nF, double R0_ohm) {
  ES_EXPECTS(R0_ohm > 0.0, "reference impedance must be positive");
  return tabulate(f_GHz, [&](double f) { return shunt_capacitance_at(f, C_nF, R0_ohm); });
}

TwoPort series_inductance(const std::vector<double>& f_GHz, double L_nH, double R0_ohm) {
  ES_EXPECTS(R0_ohm > 0.0, "reference impedance must be positive");
  return tabulate(f_GHz, [&](double f) { return series_inductance_at(f, L_nH, R0_ohm); });
}

TwoPort transmission_line(const std::vector<double>& f_GHz, const LineModel& line, double Z_c_ohm,
                          double length_mm, double R0_ohm) {
  ES_EXPECTS(R0_ohm > 0.0, "reference impedance must be positive");
  ES_EXPECTS(length_mm >= 0.0, "line length must be non-negative");
  // Z_c only matters for d > 0 (rho = 0 otherwise); Z_c <= 0 would make rho = -1 or
  // infinite and the line a short or undefined.
  ES_EXPECTS(length_mm == 0.0 || Z_c_ohm > 0.0, "line impedance must be positive");
  return tabulate(f_GHz, [&](double f) {
    return transmission_line_at(f, line, Z_c_ohm, length_mm, R0_ohm);
  });
}

TwoPort cascade(const TwoPort& a, const TwoPort& b) {
  expect_consistent(a);
  expect_consistent(b);
  ES_EXPECTS(a.size() == b.size(), "cascaded networks must share one frequency grid");
  TwoPort s = sized(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) s.set(i, cascade(a.at(i), b.at(i)));
  return s;
}

TwoPort reverse(const TwoPort& s) {
  expect_consistent(s);
  return {s.s22, s.s21, s.s12, s.s11};
}

std::vector<std::complex<double>> terminated_transfer(const TwoPort& s, double R_d_tx_ohm,
                                                      double R_d_rx_ohm, double R0_ohm) {
  expect_consistent(s);
  ES_EXPECTS(R0_ohm > 0.0 && R_d_tx_ohm > 0.0 && R_d_rx_ohm > 0.0,
             "termination and reference resistances must be positive");
  const double gamma_tx = termination_gamma(R_d_tx_ohm, R0_ohm);
  const double gamma_rx = termination_gamma(R_d_rx_ohm, R0_ohm);
  std::vector<std::complex<double>> h(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    h[i] = terminated_transfer_at(s.at(i), gamma_tx, gamma_rx);
  }
  return h;
}

}  // namespace eyesweep
