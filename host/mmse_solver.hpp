// The MMSE solve of one grid point (com-reference.md section 3.1) from the numbers it reads
// of the pulse: the autocorrelation of its UI samples (H^T H = toeplitz(hh) for a full
// convolution matrix) and the N_w + N_b samples around the cursor (h0 and Hb). The DFE is
// eliminated while it is within its limits (b = Hb w): one Cholesky of the N_w x N_w matrix
// R - Hb^T Hb; when b clips, R w is solved for the clipped b; then the FFE limits and the
// final DFE as solve_mmse (host/rx_ffe_mmse.cpp) applies them. Double precision throughout;
// tests/test_mmse_engine.cpp proves it equal to solve_mmse (to ~1e-11) in every clipping case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "host/com_config.hpp"

namespace eyesweep {

/// One MMSE problem in the reduced form solve_mmse's numbers come from (its MmseProblem with
/// the pulse replaced by what the solve reads of it). Samples h(n) are those of MmseProblem::h
/// (zero outside it) and c its cursor.
struct ReducedMmseProblem {
  std::span<const double> hh;         ///< sum_n h(n) h(n + k), k = 0 .. N_w - 1
  std::span<const double> window;     ///< h(c - post .. c + pre + N_b): N_w + N_b samples
  std::span<const double> noise_acf;  ///< R_n(k), k = 0 .. N_w - 1 (V^2)
  const RxFfe* ffe = nullptr;         ///< tap counts and limits
  std::span<const double> b_min;      ///< DFE limits relative to the cursor, N_b each
  std::span<const double> b_max;
  double sigma_x2 = 1.0;              ///< sigma_X^2
  /// h.size() - 1 - c: rows of H past the DFE's exist only up to the end of the convolution.
  std::size_t samples_after_cursor = SIZE_MAX;
};

/// solve_mmse on a ReducedMmseProblem, with its scratch allocated once (one per thread).
class MmseSolver {
 public:
  MmseSolver(int num_taps, int dfe_taps);

  /// What solve_mmse computes (the same clipping cases, in the same order); false where it
  /// gives nothing. The results stay until the next call.
  bool solve(const ReducedMmseProblem& p);
  std::span<const double> taps() const { return {taps_.data(), taps_.size()}; }  ///< main tap 1
  std::span<const double> dfe() const { return {b_.data(), b_.size()}; }
  double cursor_V() const { return cursor_V_; }
  double isi_V2() const { return isi_V2_; }

 private:
  bool cholesky(std::size_t n);                      ///< a_ = L L^T in place; false if not SPD
  void cholesky_solve(std::size_t n, double* x) const;  ///< x <- a_^-1 x with the factor in a_

  std::size_t nw_, nb_;
  std::vector<double> a_, h0_, hb_, w_, b_, x_, taps_;
  double cursor_V_ = 0.0, isi_V2_ = 0.0;
};

}  // namespace eyesweep
