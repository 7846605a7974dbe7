// The MMSE solve of one grid point (com-reference.md section 3.1) from the numbers it reads
// of the pulse: the autocorrelation of its UI samples (H^T H = toeplitz(hh) for a full
// convolution matrix) and the N_w + N_b samples around the cursor (h0 and Hb). The DFE is
// eliminated while it is within its limits (b = Hb w): one Cholesky of the N_w x N_w matrix
// R - Hb^T Hb; when b clips, R w is solved for the clipped b; then the FFE limits and the
// final DFE as solve_mmse (host/rx_ffe_mmse.cpp) applies them. Double precision throughout,
// in fixed-size arrays so that a CUDA thread runs it as the CPU engine does;
// tests/test_mmse_engine.cpp proves it equal to solve_mmse (to ~1e-11) in every clipping case.
// Notation of rx_ffe_mmse.cpp: N_w FFE taps (pre before the main one), N_b DFE taps, h the UI
// samples at the cursor's phase, d = cursor + pre the row of the equalised cursor,
// h0 = H(d, :), Hb = H(d + 1 .. d + N_b, :).
#pragma once

#include <cmath>

#include "kernels/common/host_device.hpp"
#include "kernels/search_point.hpp"  // clamp_to

namespace eyesweep::search {

inline constexpr int kMaxRxFfeTaps = 32;    ///< N_w the fast engines' MMSE search takes
inline constexpr int kMaxMmseDfeTaps = 64;  ///< N_b beside an Rx FFE in the fast engines

/// The Rx FFE's shape and tap limits (ffe_*), shared by every variant of a search.
struct RxFfeView {
  int taps = 0;              ///< N_w = pre + 1 + post
  int pre = 0, post = 0;
  double pre1_max = 0.7, post1_max = 0.7, tapn_max = 0.7;  ///< relative to the main tap
};

/// One MMSE problem in the reduced form solve_mmse's numbers come from (its MmseProblem with
/// the pulse replaced by what the solve reads of it). Samples h(n) are those of MmseProblem::h
/// (zero outside it) and c its cursor.
struct ReducedMmseProblem {
  const double* hh = nullptr;         ///< sum_n h(n) h(n + k), k = 0 .. N_w - 1
  const double* window = nullptr;     ///< h(c - post .. c + pre + N_b): N_w + N_b samples
  const double* noise_acf = nullptr;  ///< R_n(k), k = 0 .. N_w - 1 (V^2)
  RxFfeView ffe;
  int dfe_taps = 0;                   ///< N_b
  const double* b_min = nullptr;      ///< DFE limits relative to the cursor, N_b each
  const double* b_max = nullptr;
  double sigma_x2 = 1.0;              ///< sigma_X^2
  /// h.size() - 1 - c: rows of H past the DFE's exist only up to the end of the convolution.
  long long samples_after_cursor = 1LL << 62;
};

/// What solve_mmse gives: the FFE taps (main tap 1), the DFE, the cursor and the residual ISI.
struct MmseSolution {
  double taps[kMaxRxFfeTaps];
  double dfe[kMaxMmseDfeTaps];
  double cursor_V = 0.0;
  double isi_V2 = 0.0;
};

namespace detail {

/// a = L L^T in place (lower triangle of an n x n row-major matrix); false if not positive
/// definite within solve_mmse's pivot tolerance.
ES_HD inline bool cholesky(double* a, int n) {
  double scale = 0.0;
  for (int i = 0; i < n; ++i) scale = fmax(scale, fabs(a[i * n + i]));
  const double tiny = scale * 1e-14;
  for (int j = 0; j < n; ++j) {
    const double* row_j = a + j * n;
    double d = row_j[j];
    for (int k = 0; k < j; ++k) d -= row_j[k] * row_j[k];
    if (!(d > tiny)) return false;
    d = sqrt(d);
    a[j * n + j] = d;
    for (int i = j + 1; i < n; ++i) {
      double* row_i = a + i * n;
      double s = row_i[j];
      for (int k = 0; k < j; ++k) s -= row_i[k] * row_j[k];
      row_i[j] = s / d;
    }
  }
  return true;
}

/// x <- a^-1 x with the factor of cholesky in a (only read; not const, or GCC 12 takes the
/// never-written upper triangle for data read uninitialised).
ES_HD inline void cholesky_solve(double* a, int n, double* x) {
  for (int i = 0; i < n; ++i) {  // L y = x
    double s = x[i];
    for (int k = 0; k < i; ++k) s -= a[i * n + k] * x[k];
    x[i] = s / a[i * n + i];
  }
  for (int i = n - 1; i >= 0; --i) {  // L^T x = y, column by column (rows of L contiguous)
    const double* row = a + i * n;
    x[i] /= row[i];
    const double xi = x[i];
    for (int k = 0; k < i; ++k) x[k] -= row[k] * xi;
  }
}

}  // namespace detail

/// solve_mmse on a reduced problem (the same clipping cases, in the same order); false where
/// it gives nothing. N_w <= kMaxRxFfeTaps and N_b <= kMaxMmseDfeTaps (fast_engine_limitation).
ES_HD inline bool solve_reduced_mmse(const ReducedMmseProblem& p, MmseSolution& out) {
  const int nw = p.ffe.taps, nb = p.dfe_taps, pre = p.ffe.pre;
  const double* h0 = p.window + nw - 1;  // h0(j) = h(d - j) = h0[-j]
  const double* hb = p.window + nw;      // Hb(k, j) = h(d + 1 + k - j) = hb[k - j]
  const auto dot_h0 = [&](const double* v) {
    double s = 0.0;
    for (int j = 0; j < nw; ++j) s += h0[-j] * v[j];
    return s;
  };
  const auto dfe_row = [&](int k, const double* v) {  // Hb(k, :) v
    double s = 0.0;
    for (int j = 0; j < nw; ++j) s += hb[k - j] * v[j];
    return s;
  };
  double a[kMaxRxFfeTaps * kMaxRxFfeTaps];
  double x[kMaxRxFfeTaps];
  double* w = out.taps;  // the FFE while it is solved; its taps relative to the main one at the end
  double* b = out.dfe;
  // R = toeplitz(hh) + toeplitz(R_n) / sigma_X^2 (lower triangle), less Hb^T Hb when the
  // DFE is eliminated.
  const auto fill_R = [&](bool less_dfe) {
    for (int i = 0; i < nw; ++i) {
      for (int j = 0; j <= i; ++j) {
        double v = p.hh[i - j] + p.noise_acf[i - j] / p.sigma_x2;
        if (less_dfe) {
          for (int k = 0; k < nb; ++k) v -= hb[k - i] * hb[k - j];
        }
        a[i * nw + j] = v;
      }
    }
  };

  // The joint solve: with b = Hb w, (R - Hb^T Hb) w = (1 + lambda) h0^T and h0 w = 1.
  fill_R(nb > 0);
  if (!detail::cholesky(a, nw)) return false;
  for (int j = 0; j < nw; ++j) w[j] = h0[-j];
  detail::cholesky_solve(a, nw, w);
  const double h0_w = dot_h0(w);
  if (!(h0_w > 0.0)) return false;
  for (int j = 0; j < nw; ++j) w[j] /= h0_w;
  bool b_moved = false;
  for (int k = 0; k < nb; ++k) {
    const double s = dfe_row(k, w);
    b[k] = clamp_to(s, p.b_min[k], p.b_max[k]);
    b_moved |= b[k] != s;
  }
  if (b_moved) {
    // w for the clipped DFE: R w = h0^T (1 + lambda) + Hb^T b, h0 w = 1.
    fill_R(false);
    if (!detail::cholesky(a, nw)) return false;
    for (int j = 0; j < nw; ++j) {
      double s = 0.0;
      for (int k = 0; k < nb; ++k) s += hb[k - j] * b[k];
      x[j] = s;
    }
    detail::cholesky_solve(a, nw, x);
    for (int j = 0; j < nw; ++j) w[j] = h0[-j];
    detail::cholesky_solve(a, nw, w);
    const double h0_r_h0 = dot_h0(w);
    if (!(h0_r_h0 > 0.0)) return false;
    const double mu = (1.0 - dot_h0(x)) / h0_r_h0;
    for (int j = 0; j < nw; ++j) w[j] = x[j] + mu * w[j];
  }

  // The FFE limits relative to the main tap, clipped then renormalised (limit_and_finish).
  const double main = w[pre];
  if (!(main > 0.0)) return false;
  bool w_moved = false;
  for (int j = 0; j < nw; ++j) {
    if (j == pre) continue;
    const double limit = j + 1 == pre ? p.ffe.pre1_max : j == pre + 1 ? p.ffe.post1_max : p.ffe.tapn_max;
    const double c = clamp_to(w[j], -limit * main, limit * main);
    w_moved |= c != w[j];
    w[j] = c;
  }
  if (w_moved) {
    const double gain = dot_h0(w);
    if (!(gain > 0.0)) return false;
    for (int j = 0; j < nw; ++j) w[j] /= gain;
  }
  for (int k = 0; k < nb; ++k) b[k] = clamp_to(dfe_row(k, w), p.b_min[k], p.b_max[k]);
  const double main_tap = w[pre];
  if (!(main_tap > 0.0)) return false;
  for (int j = 0; j < nw; ++j) w[j] /= main_tap;
  const double cursor = dot_h0(w);
  if (!(cursor > 0.0)) return false;
  out.cursor_V = cursor;

  // Residual ISI: sum over every row of y = H taps is taps^T toeplitz(hh) taps; less the
  // cursor row, and the DFE's rows with the DFE's cancellation. Rows past the end of the
  // convolution (a cursor within N_b - post UI of the end of h) are not rows of H.
  double quad = 0.0;
  for (int k = 0; k < nw; ++k) {
    double r = 0.0;
    for (int i = 0; i + k < nw; ++i) r += w[i] * w[i + k];
    quad += (k == 0 ? 1.0 : 2.0) * p.hh[k] * r;
  }
  double isi = quad - cursor * cursor;
  const int post = p.ffe.post;
  for (int k = 0; k < nb && (k < post || k - post < p.samples_after_cursor); ++k) {
    const double y = dfe_row(k, w);
    const double residual = y - cursor * b[k];
    isi += residual * residual - y * y;
  }
  out.isi_V2 = p.sigma_x2 * (isi > 0.0 ? isi : 0.0);
  return true;
}

}  // namespace eyesweep::search
