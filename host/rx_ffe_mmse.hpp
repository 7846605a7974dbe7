// The Rx FFE and DFE of one grid point by minimum mean-square error (802.3dj Annex 178A;
// com-reference.md section 3.1), or by pulse-response zero forcing: the solve, the DFE and
// FFE limits, and the residual ISI of the result. Pure numerics on UI-spaced samples; the noise autocorrelation
// comes from rx_ffe_noise.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "host/com_config.hpp"

namespace eyesweep {

/// One MMSE problem: the pulse's UI samples at the sampling phase (h[cursor] is the cursor),
/// the noise autocorrelation R_n(0 .. Nw - 1) (V^2) and the limits.
struct MmseProblem {
  std::span<const double> h;        ///< UI samples, volts
  std::size_t cursor = 0;           ///< index of the cursor in h
  std::span<const double> noise_acf;///< R_n(k), k = 0 .. Nw - 1
  const RxFfe* ffe = nullptr;       ///< tap counts and limits
  std::span<const double> b_min;    ///< DFE limits relative to the cursor, N_b each
  std::span<const double> b_max;
  double sigma_x2 = 1.0;            ///< the symbols' variance sigma_X^2
};

struct MmseSolution {
  std::vector<double> taps;         ///< Rx FFE taps w(-pre .. post), the main tap 1
  std::vector<double> dfe;          ///< b(1 .. N_b), relative to the cursor
  double cursor_V = 0.0;            ///< the equalised cursor: sum_k taps(k) h(cursor - k)
  double isi_V2 = 0.0;              ///< sigma_X^2 x sum of squared residual ISI (all UI, V^2)
};

/// Solves the problem: the saddle-point system for (w, b, lambda); if b leaves its limits,
/// b is clipped and w solved again for it; if w then leaves its limits (relative to the main
/// tap), it is clipped and renormalised; finally b is the clipped equalised post-cursors, the
/// best DFE for the final w. Nothing when the system is singular or the equalised cursor is
/// not positive.
std::optional<MmseSolution> solve_mmse(const MmseProblem& problem);

/// The pulse-response zero-forcing alternative (PRZF): w makes the equalised pulse 1 at the
/// cursor and 0 at the `pre` UI before it and at the `post` UI right after the DFE's span
/// (the noise plays no part in the choice, only in the FOM); then the same limits and final
/// DFE as solve_mmse. Nothing when those equations are singular or the cursor not positive.
std::optional<MmseSolution> solve_przf(const MmseProblem& problem);

/// The quadratic form x^T toeplitz(acf) x, acf of at least x.size() lags.
double toeplitz_form(std::span<const double> acf, std::span<const double> x);

/// sum_n x(n) x(n + k) for k = 0 .. lags - 1.
std::vector<double> autocorrelation(std::span<const double> x, std::size_t lags);

}  // namespace eyesweep
