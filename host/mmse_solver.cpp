// The reduced MMSE solve; see mmse_solver.hpp. Notation of rx_ffe_mmse.cpp: N_w FFE taps
// (pre before the main one), N_b DFE taps, h the UI samples at the cursor's phase,
// d = cursor + pre the row of the equalised cursor, h0 = H(d, :), Hb = H(d + 1 .. d + N_b, :).
#include "host/mmse_solver.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.hpp"

namespace eyesweep {

MmseSolver::MmseSolver(int num_taps, int dfe_taps)
    : nw_(static_cast<std::size_t>(num_taps)), nb_(static_cast<std::size_t>(dfe_taps)), a_(nw_ * nw_), h0_(nw_),
      hb_(nb_ * nw_), w_(nw_), b_(nb_), x_(nw_), taps_(nw_) {}

bool MmseSolver::cholesky(std::size_t n) {
  double scale = 0.0;
  for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::abs(a_[i * n + i]));
  const double tiny = scale * 1e-14;  // solve_mmse's pivot tolerance
  for (std::size_t j = 0; j < n; ++j) {
    const double* row_j = a_.data() + j * n;
    double d = row_j[j];
    for (std::size_t k = 0; k < j; ++k) d -= row_j[k] * row_j[k];
    if (!(d > tiny)) return false;
    d = std::sqrt(d);
    a_[j * n + j] = d;
    for (std::size_t i = j + 1; i < n; ++i) {
      double* row_i = a_.data() + i * n;
      double s = row_i[j];
      for (std::size_t k = 0; k < j; ++k) s -= row_i[k] * row_j[k];
      row_i[j] = s / d;
    }
  }
  return true;
}

void MmseSolver::cholesky_solve(std::size_t n, double* x) const {
  for (std::size_t i = 0; i < n; ++i) {  // L y = x
    double s = x[i];
    for (std::size_t k = 0; k < i; ++k) s -= a_[i * n + k] * x[k];
    x[i] = s / a_[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {  // L^T x = y, column by column (rows of L contiguous)
    const double* row = a_.data() + i * n;
    x[i] /= row[i];
    const double xi = x[i];
    for (std::size_t k = 0; k < i; ++k) x[k] -= row[k] * xi;
  }
}

bool MmseSolver::solve(const ReducedMmseProblem& p) {
  const std::size_t nw = nw_, nb = nb_;
  ES_EXPECTS(p.ffe != nullptr && static_cast<std::size_t>(p.ffe->num_taps()) == nw && p.hh.size() >= nw &&
                 p.noise_acf.size() >= nw && p.window.size() >= nw + nb && p.b_min.size() == nb && p.b_max.size() == nb,
             "reduced MMSE problem of the wrong size");
  const auto pre = static_cast<std::size_t>(p.ffe->pre_taps);
  const auto dot_h0 = [&](const double* v) {
    double s = 0.0;
    for (std::size_t j = 0; j < nw; ++j) s += h0_[j] * v[j];
    return s;
  };
  // h0(j) = h(d - j), Hb(k, j) = h(d + 1 + k - j); the window starts at h(d - N_w + 1).
  for (std::size_t j = 0; j < nw; ++j) h0_[j] = p.window[nw - 1 - j];
  for (std::size_t k = 0; k < nb; ++k) {
    for (std::size_t j = 0; j < nw; ++j) hb_[k * nw + j] = p.window[nw + k - j];
  }
  // R = toeplitz(hh) + toeplitz(R_n) / sigma_X^2 (lower triangle), less Hb^T Hb when the
  // DFE is eliminated.
  const auto fill_R = [&](bool less_dfe) {
    for (std::size_t i = 0; i < nw; ++i) {
      for (std::size_t j = 0; j <= i; ++j) {
        double v = p.hh[i - j] + p.noise_acf[i - j] / p.sigma_x2;
        if (less_dfe) {
          for (std::size_t k = 0; k < nb; ++k) v -= hb_[k * nw + i] * hb_[k * nw + j];
        }
        a_[i * nw + j] = v;
      }
    }
  };

  // The joint solve: with b = Hb w, (R - Hb^T Hb) w = (1 + lambda) h0^T and h0 w = 1.
  fill_R(nb > 0);
  if (!cholesky(nw)) return false;
  std::copy(h0_.begin(), h0_.end(), w_.begin());
  cholesky_solve(nw, w_.data());
  const double h0_w = dot_h0(w_.data());
  if (!(h0_w > 0.0)) return false;
  for (double& x : w_) x /= h0_w;
  bool b_moved = false;
  for (std::size_t k = 0; k < nb; ++k) {
    double s = 0.0;
    for (std::size_t j = 0; j < nw; ++j) s += hb_[k * nw + j] * w_[j];
    b_[k] = std::clamp(s, p.b_min[k], p.b_max[k]);
    b_moved |= b_[k] != s;
  }
  if (b_moved) {
    // w for the clipped DFE: R w = h0^T (1 + lambda) + Hb^T b, h0 w = 1.
    fill_R(false);
    if (!cholesky(nw)) return false;
    for (std::size_t j = 0; j < nw; ++j) {
      double s = 0.0;
      for (std::size_t k = 0; k < nb; ++k) s += hb_[k * nw + j] * b_[k];
      x_[j] = s;
    }
    cholesky_solve(nw, x_.data());
    std::copy(h0_.begin(), h0_.end(), w_.begin());
    cholesky_solve(nw, w_.data());
    const double h0_r_h0 = dot_h0(w_.data());
    if (!(h0_r_h0 > 0.0)) return false;
    const double mu = (1.0 - dot_h0(x_.data())) / h0_r_h0;
    for (std::size_t j = 0; j < nw; ++j) w_[j] = x_[j] + mu * w_[j];
  }

  // The FFE limits relative to the main tap, clipped then renormalised (limit_and_finish).
  const double main = w_[pre];
  if (!(main > 0.0)) return false;
  bool w_moved = false;
  for (std::size_t j = 0; j < nw; ++j) {
    if (j == pre) continue;
    const double limit = j + 1 == pre ? p.ffe->pre_tap1_max : j == pre + 1 ? p.ffe->post_tap1_max : p.ffe->tapn_max;
    const double c = std::clamp(w_[j], -limit * main, limit * main);
    w_moved |= c != w_[j];
    w_[j] = c;
  }
  if (w_moved) {
    const double gain = dot_h0(w_.data());
    if (!(gain > 0.0)) return false;
    for (double& x : w_) x /= gain;
  }
  for (std::size_t k = 0; k < nb; ++k) {
    double s = 0.0;
    for (std::size_t j = 0; j < nw; ++j) s += hb_[k * nw + j] * w_[j];
    b_[k] = std::clamp(s, p.b_min[k], p.b_max[k]);
  }
  const double main_tap = w_[pre];
  if (!(main_tap > 0.0)) return false;
  for (std::size_t j = 0; j < nw; ++j) taps_[j] = w_[j] / main_tap;
  cursor_V_ = dot_h0(taps_.data());
  if (!(cursor_V_ > 0.0)) return false;

  // Residual ISI: sum over every row of y = H taps is taps^T toeplitz(hh) taps; less the
  // cursor row, and the DFE's rows with the DFE's cancellation. Rows past the end of the
  // convolution (a cursor within N_b - post UI of the end of h) are not rows of H.
  double quad = 0.0;
  for (std::size_t k = 0; k < nw; ++k) {
    double r = 0.0;
    for (std::size_t i = 0; i + k < nw; ++i) r += taps_[i] * taps_[i + k];
    quad += (k == 0 ? 1.0 : 2.0) * p.hh[k] * r;
  }
  double isi = quad - cursor_V_ * cursor_V_;
  const auto post = static_cast<std::size_t>(p.ffe->post_taps);
  for (std::size_t k = 0; k < nb && (k < post || k - post < p.samples_after_cursor); ++k) {
    double y = 0.0;
    for (std::size_t j = 0; j < nw; ++j) y += hb_[k * nw + j] * taps_[j];
    const double residual = y - cursor_V_ * b_[k];
    isi += residual * residual - y * y;
  }
  isi_V2_ = p.sigma_x2 * std::max(isi, 0.0);
  return true;
}

}  // namespace eyesweep
