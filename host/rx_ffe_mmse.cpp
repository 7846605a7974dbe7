// The MMSE Rx FFE and DFE; see rx_ffe_mmse.hpp. Notation of com-reference.md section 3.1:
// H is the (N + Nw - 1) x Nw convolution matrix of h, d = cursor + pre the row of the
// equalised cursor, h0 = H(d, :), Hb = H(d + 1 .. d + N_b, :).
#include "host/rx_ffe_mmse.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

/// Solves A x = rhs (A n x n, row-major, overwritten) by Gaussian elimination with partial
/// pivoting; false when A is singular to working precision.
bool solve_dense(std::vector<double>& A, std::vector<double>& rhs) {
  const std::size_t n = rhs.size();
  double scale = 0.0;
  for (const double a : A) scale = std::max(scale, std::abs(a));
  const double tiny = scale * 1e-14;
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r) {
      if (std::abs(A[r * n + col]) > std::abs(A[pivot * n + col])) pivot = r;
    }
    if (!(std::abs(A[pivot * n + col]) > tiny)) return false;
    if (pivot != col) {
      std::swap_ranges(A.begin() + static_cast<std::ptrdiff_t>(col * n), A.begin() + static_cast<std::ptrdiff_t>((col + 1) * n),
                       A.begin() + static_cast<std::ptrdiff_t>(pivot * n));
      std::swap(rhs[col], rhs[pivot]);
    }
    for (std::size_t r = col + 1; r < n; ++r) {
      const double factor = A[r * n + col] / A[col * n + col];
      if (factor == 0.0) continue;
      for (std::size_t c = col; c < n; ++c) A[r * n + c] -= factor * A[col * n + c];
      rhs[r] -= factor * rhs[col];
    }
  }
  for (std::size_t r = n; r-- > 0;) {
    double s = rhs[r];
    for (std::size_t c = r + 1; c < n; ++c) s -= A[r * n + c] * rhs[c];
    rhs[r] = s / A[r * n + r];
  }
  return true;
}

/// The problem's matrices, built once per solve.
struct MmseSystem {
  std::size_t nw = 0, nb = 0;
  std::vector<double> R;    ///< Nw x Nw: H^T H + toeplitz(R_n) / sigma_X^2
  std::vector<double> h0;   ///< Nw
  std::vector<double> Hb;   ///< N_b x Nw

  MmseSystem(const MmseProblem& p, std::size_t n_b) : nw(static_cast<std::size_t>(p.ffe->num_taps())), nb(n_b) {
    const std::vector<double> hh = autocorrelation(p.h, nw);  // H^T H is toeplitz(hh): H is a full convolution
    R.resize(nw * nw);
    for (std::size_t i = 0; i < nw; ++i) {
      for (std::size_t j = 0; j < nw; ++j) {
        const std::size_t lag = i > j ? i - j : j - i;
        R[i * nw + j] = hh[lag] + p.noise_acf[lag] / p.sigma_x2;
      }
    }
    const auto d = static_cast<std::ptrdiff_t>(p.cursor) + p.ffe->pre_taps;
    const auto sample = [&](std::ptrdiff_t row, std::size_t col) {
      const std::ptrdiff_t n = row - static_cast<std::ptrdiff_t>(col);
      return n >= 0 && n < static_cast<std::ptrdiff_t>(p.h.size()) ? p.h[static_cast<std::size_t>(n)] : 0.0;
    };
    h0.resize(nw);
    Hb.resize(nb * nw);
    for (std::size_t j = 0; j < nw; ++j) {
      h0[j] = sample(d, j);
      for (std::size_t k = 0; k < nb; ++k) Hb[k * nw + j] = sample(d + 1 + static_cast<std::ptrdiff_t>(k), j);
    }
  }

  double dot_h0(const std::vector<double>& w) const {
    double s = 0.0;
    for (std::size_t j = 0; j < nw; ++j) s += h0[j] * w[j];
    return s;
  }

  /// The joint solve: [R, -Hb^T, -h0^T; -Hb, I, 0; h0, 0, 0] [w; b; lambda] = [h0^T; 0; 1].
  bool solve_joint(std::vector<double>& w, std::vector<double>& b) const {
    const std::size_t n = nw + nb + 1;
    std::vector<double> A(n * n, 0.0), rhs(n, 0.0);
    for (std::size_t i = 0; i < nw; ++i) {
      for (std::size_t j = 0; j < nw; ++j) A[i * n + j] = R[i * nw + j];
      for (std::size_t k = 0; k < nb; ++k) {
        A[i * n + nw + k] = -Hb[k * nw + i];
        A[(nw + k) * n + i] = -Hb[k * nw + i];
      }
      A[i * n + nw + nb] = -h0[i];
      A[(nw + nb) * n + i] = h0[i];
      rhs[i] = h0[i];
    }
    for (std::size_t k = 0; k < nb; ++k) A[(nw + k) * n + nw + k] = 1.0;
    rhs[nw + nb] = 1.0;
    if (!solve_dense(A, rhs)) return false;
    w.assign(rhs.begin(), rhs.begin() + static_cast<std::ptrdiff_t>(nw));
    b.assign(rhs.begin() + static_cast<std::ptrdiff_t>(nw), rhs.begin() + static_cast<std::ptrdiff_t>(nw + nb));
    return true;
  }

  /// w for a fixed DFE: [R, -h0^T; h0, 0] [w; lambda] = [h0^T + Hb^T b; 1].
  bool solve_for_dfe(const std::vector<double>& b, std::vector<double>& w) const {
    const std::size_t n = nw + 1;
    std::vector<double> A(n * n, 0.0), rhs(n, 0.0);
    for (std::size_t i = 0; i < nw; ++i) {
      for (std::size_t j = 0; j < nw; ++j) A[i * n + j] = R[i * nw + j];
      A[i * n + nw] = -h0[i];
      A[nw * n + i] = h0[i];
      rhs[i] = h0[i];
      for (std::size_t k = 0; k < nb; ++k) rhs[i] += Hb[k * nw + i] * b[k];
    }
    rhs[nw] = 1.0;
    if (!solve_dense(A, rhs)) return false;
    w.assign(rhs.begin(), rhs.begin() + static_cast<std::ptrdiff_t>(nw));
    return true;
  }
};

/// Clips in place; true when anything moved.
bool clip(std::vector<double>& x, const std::vector<double>& lo, const std::vector<double>& hi) {
  bool moved = false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double c = std::clamp(x[i], lo[i], hi[i]);
    moved |= c != x[i];
    x[i] = c;
  }
  return moved;
}

/// What both solvers do after choosing w (h0 w = 1): the FFE limits relative to the main tap
/// (w(-1) and w(1) have their own, the rest ffe_tapn_max), clipping then renormalising; the
/// best DFE for the final w, its equalised post-cursors clipped; the residual ISI.
std::optional<MmseSolution> limit_and_finish(const MmseProblem& p, const MmseSystem& sys, std::vector<double> w,
                                             const std::vector<double>& b_lo, const std::vector<double>& b_hi) {
  const std::size_t nw = sys.nw, nb = sys.nb;
  const auto pre = static_cast<std::size_t>(p.ffe->pre_taps);
  const double main = w[pre];
  if (!(main > 0.0)) return std::nullopt;
  std::vector<double> w_lo(nw), w_hi(nw);
  for (std::size_t j = 0; j < nw; ++j) {
    const double limit = j == pre ? 1.0 : j + 1 == pre ? p.ffe->pre_tap1_max : j == pre + 1 ? p.ffe->post_tap1_max : p.ffe->tapn_max;
    w_lo[j] = j == pre ? main : -limit * main;
    w_hi[j] = limit * main;
  }
  if (clip(w, w_lo, w_hi)) {
    const double gain = sys.dot_h0(w);
    if (!(gain > 0.0)) return std::nullopt;
    for (double& x : w) x /= gain;
  }
  std::vector<double> b(nb);
  for (std::size_t k = 0; k < nb; ++k) {
    double s = 0.0;
    for (std::size_t j = 0; j < nw; ++j) s += sys.Hb[k * nw + j] * w[j];
    b[k] = s;
  }
  clip(b, b_lo, b_hi);

  MmseSolution out;
  const double main_tap = w[pre];
  if (!(main_tap > 0.0)) return std::nullopt;
  out.taps.resize(nw);
  for (std::size_t j = 0; j < nw; ++j) out.taps[j] = w[j] / main_tap;
  out.cursor_V = sys.dot_h0(out.taps);
  if (!(out.cursor_V > 0.0)) return std::nullopt;
  out.dfe = b;

  // Residual ISI over the whole equalised sequence y = h * taps, less the cursor and the DFE.
  const std::size_t n = p.h.size(), d = p.cursor + pre;
  double isi = 0.0;
  for (std::size_t row = 0; row < n + nw - 1; ++row) {
    double y = 0.0;
    for (std::size_t j = 0; j < nw; ++j) {
      if (row >= j && row - j < n) y += out.taps[j] * p.h[row - j];
    }
    if (row == d) y -= out.cursor_V;
    if (row > d && row - d <= nb) y -= out.cursor_V * b[row - d - 1];
    isi += y * y;
  }
  out.isi_V2 = p.sigma_x2 * isi;
  return out;
}

void check_problem(const MmseProblem& p) {
  ES_EXPECTS(p.ffe != nullptr && p.ffe->enabled(), "an Rx FFE problem needs an Rx FFE");
  ES_EXPECTS(p.b_min.size() == p.b_max.size(), "DFE limits of different lengths");
  ES_EXPECTS(p.noise_acf.size() >= static_cast<std::size_t>(p.ffe->num_taps()) && p.cursor < p.h.size(),
             "Rx FFE problem out of range");
}


}  // namespace

std::vector<double> autocorrelation(std::span<const double> x, std::size_t lags) {
  std::vector<double> r(lags, 0.0);
  for (std::size_t k = 0; k < lags && k < x.size(); ++k) {
    double s = 0.0;
    for (std::size_t n = 0; n + k < x.size(); ++n) s += x[n] * x[n + k];
    r[k] = s;
  }
  return r;
}

double toeplitz_form(std::span<const double> acf, std::span<const double> x) {
  ES_EXPECTS(acf.size() >= x.size(), "too few autocorrelation lags");
  double s = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    s += acf[0] * x[i] * x[i];
    for (std::size_t j = i + 1; j < x.size(); ++j) s += 2.0 * acf[j - i] * x[i] * x[j];
  }
  return s;
}


std::optional<MmseSolution> solve_mmse(const MmseProblem& p) {
  check_problem(p);
  const MmseSystem sys(p, p.b_max.size());
  const std::vector<double> b_lo(p.b_min.begin(), p.b_min.end()), b_hi(p.b_max.begin(), p.b_max.end());
  std::vector<double> w, b;
  if (!sys.solve_joint(w, b)) return std::nullopt;
  if (clip(b, b_lo, b_hi) && !sys.solve_for_dfe(b, w)) return std::nullopt;
  return limit_and_finish(p, sys, std::move(w), b_lo, b_hi);
}

std::optional<MmseSolution> solve_przf(const MmseProblem& p) {
  check_problem(p);
  const MmseSystem sys(p, p.b_max.size());
  const std::size_t nw = sys.nw, nb = sys.nb;
  const auto pre = static_cast<std::ptrdiff_t>(p.ffe->pre_taps);
  const auto d = static_cast<std::ptrdiff_t>(p.cursor) + pre;
  // Rows forced: the pre-cursors d - pre .. d - 1, the cursor d (to 1), and the `post`
  // post-cursors right after the DFE's span.
  std::vector<double> A(nw * nw), rhs(nw, 0.0);
  for (std::size_t r = 0; r < nw; ++r) {
    const auto offset = static_cast<std::ptrdiff_t>(r) - pre;
    const std::ptrdiff_t row = offset <= 0 ? d + offset : d + static_cast<std::ptrdiff_t>(nb) + offset;
    for (std::size_t j = 0; j < nw; ++j) {
      const std::ptrdiff_t n = row - static_cast<std::ptrdiff_t>(j);
      A[r * nw + j] = n >= 0 && n < static_cast<std::ptrdiff_t>(p.h.size()) ? p.h[static_cast<std::size_t>(n)] : 0.0;
    }
    if (offset == 0) rhs[r] = 1.0;
  }
  if (!solve_dense(A, rhs)) return std::nullopt;
  const std::vector<double> b_lo(p.b_min.begin(), p.b_min.end()), b_hi(p.b_max.begin(), p.b_max.end());
  return limit_and_finish(p, sys, std::move(rhs), b_lo, b_hi);
}

}  // namespace eyesweep
