// Two-port S-parameter networks on a frequency grid (f in GHz) and their algebra: the
// Annex 93A elements (shunt C, series L, transmission line), cascade, port flip and the
// R_d terminations that turn a cascade into the transfer function H21 (com-reference.md
// section 1). Everything is double-precision complex, single-ended reference R0.
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>
#include <vector>

#include "host/com_config.hpp"

namespace eyesweep {

/// The S-matrix of a 2-port at one frequency. Default-constructed it is the identity (a
/// zero-length through: s11 = s22 = 0, s12 = s21 = 1).
struct SMatrix2 {
  std::complex<double> s11{0.0, 0.0};
  std::complex<double> s12{1.0, 0.0};
  std::complex<double> s21{1.0, 0.0};
  std::complex<double> s22{0.0, 0.0};
};

/// A 2-port on a frequency grid, structure of arrays: element i of each vector belongs to
/// the i-th frequency of the grid the network was built on. Port 1 is the input (the side
/// nearer the transmitter), port 2 the output. All four vectors have the same size.
struct TwoPort {
  std::vector<std::complex<double>> s11, s12, s21, s22;

  /// n frequencies of the identity network.
  static TwoPort identity(std::size_t n);

  std::size_t size() const { return s11.size(); }
  SMatrix2 at(std::size_t i) const { return {s11[i], s12[i], s21[i], s22[i]}; }
  void set(std::size_t i, const SMatrix2& s) {
    s11[i] = s.s11;
    s12[i] = s.s12;
    s21[i] = s.s21;
    s22[i] = s.s22;
  }
};

namespace detail {
/// 1 / z as conj(z) / |z|^2. std::complex division guards against overflow by scaling (a
/// library call that took about half the run time of packaged_transfer); the denominators
/// here (1 - a reflection product, 2 + j x) are never near 1e-150 or 1e150 in magnitude,
/// where the plain form would under- or overflow.
inline std::complex<double> reciprocal(std::complex<double> z) {
  return std::conj(z) / std::norm(z);
}
}  // namespace detail

// --- one frequency ---------------------------------------------------------------------------
// Units: f in GHz, C in nF, L in nH (so omega C and omega L need no scale factors: GHz * nF
// = 1/ohm, GHz * nH = ohm), line lengths in mm, impedances in ohm.

/// Shunt capacitance C to ground in a reference R0 system (Annex 93A eq. 93A-8).
inline SMatrix2 shunt_capacitance_at(double f_GHz, double C_nF, double R0_ohm) {
  const std::complex<double> x{0.0, 2.0 * std::numbers::pi * f_GHz * C_nF * R0_ohm};
  const std::complex<double> inv = detail::reciprocal(2.0 + x);
  const std::complex<double> s11 = -x * inv;
  const std::complex<double> s21 = 2.0 * inv;
  return {s11, s21, s21, s11};
}

/// Series inductance L in a reference R0 system.
inline SMatrix2 series_inductance_at(double f_GHz, double L_nH, double R0_ohm) {
  const std::complex<double> x{0.0, 2.0 * std::numbers::pi * f_GHz * L_nH / R0_ohm};
  const std::complex<double> inv = detail::reciprocal(2.0 + x);
  const std::complex<double> s11 = x * inv;
  const std::complex<double> s21 = 2.0 * inv;
  return {s11, s21, s21, s11};
}

/// Propagation constant gamma(f) of the Annex 93A line per mm (eqs. 93A-9 to 93A-11).
/// gamma(0) = gamma_0: the f ln f term tends to 0, but ln 0 itself must not be evaluated.
inline std::complex<double> line_gamma(double f_GHz, const LineModel& line) {
  if (f_GHz == 0.0) return {line.gamma0_per_mm, 0.0};
  constexpr double pi = std::numbers::pi;
  const double sqrt_f = std::sqrt(f_GHz);
  const std::complex<double> gamma_1 = line.a1 * std::complex<double>{1.0, 1.0};
  const std::complex<double> gamma_2{line.a2, -line.a2 * (2.0 / pi) * std::log(f_GHz) +
                                                  2.0 * pi * line.tau_ns_per_mm};
  return line.gamma0_per_mm + gamma_1 * sqrt_f + gamma_2 * f_GHz;
}

/// Annex 93A transmission line of differential impedance Z_c and length d in a reference
/// R0 system (eqs. 93A-12 to 93A-14): rho = (Z_c - 2 R0) / (Z_c + 2 R0), and rho = 0 for
/// d = 0 (a zero-length line is the identity whatever Z_c, as in the script's synth_tline).
inline SMatrix2 transmission_line_at(double f_GHz, const LineModel& line, double Z_c_ohm,
                                     double length_mm, double R0_ohm) {
  if (length_mm == 0.0) return {};
  const double rho = (Z_c_ohm - 2.0 * R0_ohm) / (Z_c_ohm + 2.0 * R0_ohm);
  const double rho2 = rho * rho;
  const std::complex<double> e1 = std::exp(-line_gamma(f_GHz, line) * length_mm);
  const std::complex<double> e2 = e1 * e1;
  const std::complex<double> inv = detail::reciprocal(1.0 - rho2 * e2);
  const std::complex<double> s11 = rho * (1.0 - e2) * inv;
  const std::complex<double> s21 = (1.0 - rho2) * e1 * inv;
  return {s11, s21, s21, s11};
}

/// a followed by b (port 2 of a joined to port 1 of b). The Redheffer star product, as the
/// script's combines4p: unlike a T-matrix product it needs no division by s21, so it stays
/// exact for identity elements and well-defined at f = 0 and for lossless elements. The
/// only singular case, 1 - a.s22 b.s11 = 0, needs two total reflectors facing each other.
inline SMatrix2 cascade(const SMatrix2& a, const SMatrix2& b) {
  const std::complex<double> inv = detail::reciprocal(1.0 - a.s22 * b.s11);
  return {a.s11 + a.s12 * a.s21 * b.s11 * inv, a.s12 * b.s12 * inv, a.s21 * b.s21 * inv,
          b.s22 + b.s12 * b.s21 * a.s22 * inv};
}

/// The same network with its ports swapped.
inline SMatrix2 reverse(const SMatrix2& s) { return {s.s22, s.s21, s.s12, s.s11}; }

/// Reflection coefficient of a termination R against R0: (R - R0) / (R + R0) (eq. 93A-17).
inline double termination_gamma(double R_ohm, double R0_ohm) {
  return (R_ohm - R0_ohm) / (R_ohm + R0_ohm);
}

/// Transfer function of s driven from a source of reflection gamma_tx into a load of
/// reflection gamma_rx (eq. 93A-18):
///   H21 = s21 (1 - G1)(1 + G2) / (1 - s11 G1 - s22 G2 + G1 G2 (s11 s22 - s21 s12)).
/// It is twice the load voltage over the source EMF, so it equals s21 when both
/// terminations are R0. The script writes s21^2 for s21 s12, the same for the reciprocal
/// networks it is applied to; the general form is kept here.
inline std::complex<double> terminated_transfer_at(const SMatrix2& s, double gamma_tx,
                                                   double gamma_rx) {
  const std::complex<double> den = 1.0 - s.s11 * gamma_tx - s.s22 * gamma_rx +
                                   gamma_tx * gamma_rx * (s.s11 * s.s22 - s.s21 * s.s12);
  return s.s21 * ((1.0 - gamma_tx) * (1.0 + gamma_rx)) * detail::reciprocal(den);
}

// --- whole grids -----------------------------------------------------------------------------
// f_GHz must be non-negative; f = 0 is allowed everywhere.

/// Shunt capacitance C_nF at every frequency.
TwoPort shunt_capacitance(const std::vector<double>& f_GHz, double C_nF, double R0_ohm);

/// Series inductance L_nH at every frequency.
TwoPort series_inductance(const std::vector<double>& f_GHz, double L_nH, double R0_ohm);

/// Annex 93A transmission line (see transmission_line_at) at every frequency.
TwoPort transmission_line(const std::vector<double>& f_GHz, const LineModel& line, double Z_c_ohm,
                          double length_mm, double R0_ohm);

/// a followed by b, frequency by frequency. Both must be on the same grid.
TwoPort cascade(const TwoPort& a, const TwoPort& b);

/// s with its ports swapped.
TwoPort reverse(const TwoPort& s);

/// H21 of s between a Tx die termination R_d_tx and an Rx die termination R_d_rx
/// (single-ended ohm, against R0): see terminated_transfer_at.
std::vector<std::complex<double>> terminated_transfer(const TwoPort& s, double R_d_tx_ohm,
                                                      double R_d_rx_ohm, double R0_ohm);

}  // namespace eyesweep
