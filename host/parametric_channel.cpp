// Parametric channel set; see parametric_channel.hpp.
#include "host/parametric_channel.hpp"

#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>
#include <string>

#include "host/two_port.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

using cd = std::complex<double>;

/// Extra delay per aggressor index (ns): a fraction of a UI at 53 GBd, enough to make the
/// aggressors differ in phase without changing their magnitudes.
constexpr double kAggressorSkew_ns = 0.005;

/// Frequency points beyond which the grid is refused (a typo guard: 1e7 points of 4 complex
/// vectors per channel is already gigabytes for a set).
constexpr double kMaxFrequencyPoints = 1e7;

/// Written as !(x > 0) so that NaN fails too.
void require_positive(double value, const char* field) {
  if (!(value > 0.0) || !std::isfinite(value)) {
    throw InputError(std::string("parametric channel: ") + field + " must be positive and finite, got " +
                     std::to_string(value));
  }
}

void require_non_negative(double value, const char* field) {
  if (!(value >= 0.0) || !std::isfinite(value)) {
    throw InputError(std::string("parametric channel: ") + field +
                     " must be non-negative and finite, got " + std::to_string(value));
  }
}

void validate(const ParametricChannel& p) {
  require_positive(p.length_mm, "length_mm");
  // Negative line coefficients would make the line active (gain growing with frequency).
  require_non_negative(p.line.gamma0_per_mm, "line.gamma0_per_mm");
  require_non_negative(p.line.a1, "line.a1");
  require_non_negative(p.line.a2, "line.a2");
  require_non_negative(p.line.tau_ns_per_mm, "line.tau_ns_per_mm");
  require_positive(p.Z_c_ohm, "Z_c_ohm");
  require_non_negative(p.via_C_nF, "via_C_nF");
  require_positive(p.R0_ohm, "R0_ohm");
  if (p.num_fext < 0) throw InputError("parametric channel: num_fext must be >= 0, got " + std::to_string(p.num_fext));
  if (p.num_next < 0) throw InputError("parametric channel: num_next must be >= 0, got " + std::to_string(p.num_next));
  require_non_negative(p.fext_coupling, "fext_coupling");
  require_non_negative(p.next_coupling, "next_coupling");
  require_positive(p.f_ref_GHz, "f_ref_GHz");
  require_positive(p.f_step_GHz, "f_step_GHz");
  require_positive(p.f_max_GHz, "f_max_GHz");
  // COM needs at least 12 points for the band extension's fits.
  if (!(p.f_max_GHz > 12.0 * p.f_step_GHz)) {
    throw InputError("parametric channel: f_max_GHz (" + std::to_string(p.f_max_GHz) +
                     ") must exceed 12 f_step_GHz (" + std::to_string(12.0 * p.f_step_GHz) + ")");
  }
  if (p.f_max_GHz / p.f_step_GHz > kMaxFrequencyPoints) {
    throw InputError("parametric channel: f_max_GHz / f_step_GHz gives more than 1e7 frequency points");
  }
}

/// f_k = k step, k = 0 .. K: each point computed from k, not accumulated, so the steps are
/// uniform to rounding (the COM loader checks). The small margin keeps f_max itself when
/// f_max / step is an integer up to rounding (50 / 0.01 = 4999.999...).
std::vector<double> frequency_grid_GHz(const ParametricChannel& p) {
  const auto K = static_cast<std::size_t>(std::floor(p.f_max_GHz / p.f_step_GHz + 1e-9));
  std::vector<double> f(K + 1);
  for (std::size_t k = 0; k <= K; ++k) f[k] = static_cast<double>(k) * p.f_step_GHz;
  return f;
}

/// A channel with the THRU's reflections and the given transfer (sdd12 = sdd21).
LoadedChannel make_channel(const std::string& name, ChannelKind kind, const std::vector<double>& f_GHz,
                           const TwoPort& thru, const std::vector<cd>& transfer) {
  return computed_channel(name, kind, f_GHz, TwoPort{thru.s11, transfer, transfer, thru.s22});
}

/// Deterministic scale of aggressor i (1-based): the nearest aggressor is the strongest.
double aggressor_scale(int i) { return 1.0 / (1.0 + 0.3 * (i - 1)); }

/// exp(-j 2 pi f t): a pure delay of aggressor i, magnitude 1.
cd aggressor_delay(double f_GHz, int i) {
  return std::polar(1.0, -2.0 * std::numbers::pi * f_GHz * kAggressorSkew_ns * i);
}

}  // namespace

std::vector<LoadedChannel> parametric_channel_set(const ParametricChannel& p) {
  validate(p);
  const std::vector<double> f = frequency_grid_GHz(p);
  const std::size_t n = f.size();

  // THRU: via C, line, via C. With via_C = 0 the shunt elements are exact identities, so
  // the THRU is then the bare transmission line.
  TwoPort thru = TwoPort::identity(n);
  for (std::size_t k = 0; k < n; ++k) {
    const SMatrix2 via = shunt_capacitance_at(f[k], p.via_C_nF, p.R0_ohm);
    const SMatrix2 line = transmission_line_at(f[k], p.line, p.Z_c_ohm, p.length_mm, p.R0_ohm);
    thru.set(k, cascade(cascade(via, line), via));
  }

  std::vector<LoadedChannel> set;
  set.reserve(1 + static_cast<std::size_t>(p.num_fext) + static_cast<std::size_t>(p.num_next));
  set.push_back(make_channel("parametric_thru", ChannelKind::thru, f, thru, thru.s21));

  // FEXT: the far-end coupled wave travels with the through wave, so it carries the THRU's
  // S21, and it is the derivative of the through signal (j omega). The sign is that of
  // inductive coupling, which dominates the far-end coupling of real (inhomogeneous) pairs.
  for (int i = 1; i <= p.num_fext; ++i) {
    std::vector<cd> H(n);
    const double k_f = p.fext_coupling * aggressor_scale(i);
    for (std::size_t k = 0; k < n; ++k) {
      H[k] = cd{0.0, -k_f * f[k] / p.f_ref_GHz} * thru.s21[k] * aggressor_delay(f[k], i);
    }
    set.push_back(make_channel("parametric_fext" + std::to_string(i), ChannelKind::fext, f, thru, H));
  }

  // NEXT: backward coupling from every point of the coupled length, the last arriving after
  // the round trip: k_n (1 - exp(-2 gamma l)), whose step response is the classic NEXT
  // plateau of width 2 T_d. Positive: capacitive and inductive backward coupling add.
  for (int i = 1; i <= p.num_next; ++i) {
    std::vector<cd> H(n);
    const double k_n = p.next_coupling * aggressor_scale(i);
    for (std::size_t k = 0; k < n; ++k) {
      const cd round_trip = std::exp(-2.0 * line_gamma(f[k], p.line) * p.length_mm);
      H[k] = k_n * (1.0 - round_trip) * aggressor_delay(f[k], i);
    }
    set.push_back(make_channel("parametric_next" + std::to_string(i), ChannelKind::next, f, thru, H));
  }
  return set;
}

}  // namespace eyesweep
