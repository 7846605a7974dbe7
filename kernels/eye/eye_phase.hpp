// The float arithmetic of one phase of a statistical eye, written once for both fast eye
// engines: host/cpu_eye_engine.cpp loops over it, kernels/detail/eye_kernels.cuh runs it with
// one thread per bin. It computes what host/reference_eye.cpp computes in double, on a fixed
// window of bins, from a host/eye_phase_plan.hpp plan (the variables' bin offsets in
// convolution order, the window and the Gaussian).
//
// At one phase the interference I is a sum of independent discrete variables a x (x over the
// levels, 1/L each) and a Gaussian. Each variable's values land in bins round(a x / bin) (its
// offsets, rounded by the plan in double as the reference rounds them); the PDF of I is built
// by one pass per variable of L shifted reads (level_sum), then convolved with the
// cell-integrated Gaussian (gaussian_cell_mass, gaussian_sums); the tails P(I > u) and
// P(I < u) spread each bin's mass uniformly over its cell and are read from suffix sums taken
// from the far end (tail), so that 1e-15 keeps its digits.
//
// Why float is enough for masses and sums: every step adds non-negative numbers (nothing
// cancels), so a mass or suffix sum built from n additions is within n 2^-24 of its value
// relatively: 1e-4 after a thousand variables, 4e-5 in log10; float holds masses down to 1e-38,
// far below the 1e-15 an eye is drawn to. Double is kept where float is not enough: the tails'
// cell positions (they must fall in the reference's cells, which it computes in double) and the
// Gaussian's cell masses (erfc differences cancel when sigma spans many bins).
//
// Symmetry: each variable's offsets are symmetric (the plan mirrors them: the levels are
// symmetric about 0 and round() is odd), and so is the Gaussian: the PDF is even. Only bins
// 0..h are computed, each written at -i as well (half the work), and P(I < u) = P(I > -u) is
// read from the suffix sums.
//
// Support and window: after each variable the PDF is kept on [-h, h] (SupportTracker): its
// linear support (the sum of the variables' reaches), cut where Hoeffding's inequality leaves
// less than 1e-30 beyond (that mass is dropped: at most 1e-30 a side per variable), and at the
// window's edge E, where the mass beyond piles into the edge bin (edge_mass) so that every
// tail keeps its total. The plan's window keeps the tails exact: see eye_phase_plan.hpp.
#pragma once

#include <math.h>

#include "kernels/common/host_device.hpp"

namespace eyesweep::eye {

/// sqrt(2 ln 1e30), rounded up: a sum of independent zero-mean variables bounded by +-m_j bins
/// exceeds this many sqrt(sum m_j^2) bins with probability below 1e-30 (Hoeffding).
constexpr double kNegligibleReach = 11.754;

/// Reach of the cell-integrated Gaussian, as the reference's cell_gaussian: 9.5 sigma.
constexpr double kGaussianSigmas = 9.5;

/// Half-width K (bins) of the cell-integrated Gaussian N(0, sigma): its masses live on [-K, K].
ES_HD inline int gaussian_reach(double sigma, double bin) {
  return sigma == 0.0 ? 0 : static_cast<int>(::ceil(kGaussianSigmas * sigma / bin)) + 1;
}

/// Mass of N(0, sigma) in cell k, [(k - 1/2) bin, (k + 1/2) bin], with scale = bin / (sigma
/// sqrt 2): erfc differences (exact in the far tails), in double because they cancel when
/// sigma spans many bins.
ES_HD inline double gaussian_cell_mass(int k, double scale) {
  const double x = ::fabs(static_cast<double>(k));
  return k == 0 ? ::erf(0.5 * scale) : 0.5 * (::erfc((x - 0.5) * scale) - ::erfc((x + 0.5) * scale));
}

/// The PDF's half-width h after each variable (see the file comment). Every engine adds the
/// same reaches in the same order, so every engine keeps the same bins.
struct SupportTracker {
  int window = 0;            ///< E: the PDF never leaves [-E, E]
  int half_width = 0;        ///< h now
  bool piles = false;        ///< whether the last variable sent mass past +-E
  long long linear = 0;      ///< sum of the reaches so far
  double power = 0.0;        ///< sum of the reaches squared

  /// Adds a variable of reach m = max |offset| (bins).
  ES_HD void add(int reach) {
    linear += reach;
    power += static_cast<double>(reach) * static_cast<double>(reach);
    const double hoeffding = ::ceil(kNegligibleReach * ::sqrt(power));
    const double wanted = ::fmin(static_cast<double>(linear), hoeffding);
    piles = wanted > static_cast<double>(window);
    half_width = static_cast<int>(::fmin(wanted, static_cast<double>(window)));
  }
};

/// sum_k in[i - offsets[k]]: the mass at bin i after one variable, before the factor 1/L.
/// `in` must read 0 wherever nothing was written (the buffers are zero-padded). kLevels > 0 fixes
/// L at compile time (unrolled, vectorisable); 0 takes it from `levels`.
template <int kLevels>
ES_HD inline float level_sum(const float* in, int i, const int* offsets, int levels) {
  const int n = kLevels > 0 ? kLevels : levels;
  float sum = 0.0f;
  for (int k = 0; k < n; ++k) sum += in[i - offsets[k]];
  return sum;
}

/// Mass that one variable sends to bin `edge` and beyond, before the factor 1/L: sum over k of
/// in[j] for j from edge - offsets[k] up to h_old (the old half-width). This lane's share of
/// the j (lane, lane + lanes, ...): the CPU sums with one lane, a warp with 32.
ES_HD inline float edge_mass(const float* in, int h_old, const int* offsets, int levels, int edge, int lane,
                             int lanes) {
  float sum = 0.0f;
  for (int k = 0; k < levels; ++k) {
    int first = edge - offsets[k];
    first = first < -h_old ? -h_old : first;
    for (int j = first + lane; j <= h_old; j += lanes) sum += in[j];
  }
  return sum;
}

/// The PDF convolved with the Gaussian's cell masses at bins i .. i + kWidth - 1:
/// out[w] = sum_{d=-K..K} pdf[i + w - d] g[d] (`g` points at g[0]). The masses are even, so the
/// sum is read forwards, pdf[i + w + d] g[d]: contiguous loads, no reversal for the vector units.
/// Several bins per call share each g[d] (vector lanes on the CPU).
template <int kWidth>
ES_HD inline void gaussian_sums(const float* pdf, const float* g, int reach, int i, float* out) {
  float sum[kWidth] = {};
  for (int d = -reach; d <= reach; ++d) {
    const float gd = g[d];
    for (int w = 0; w < kWidth; ++w) sum[w] += pdf[i + w + d] * gd;
  }
  for (int w = 0; w < kWidth; ++w) out[w] = sum[w];
}

/// Where the map's voltages fall on the cell grid for one level mean: voltage bin b of the map
/// (v = (b - B/2) bin) gives u = v - mean in cell first + b (its tail P(I > u)) and -u in cell
/// mirror_first - b (P(I < u) = P(I > -u)), at fractions t and mirror_t across them. In double,
/// as the reference's CellTails::locate: cell = floor(u / bin + 1/2).
struct LevelCells {
  long long first = 0, mirror_first = 0;
  double t = 0.0, mirror_t = 0.0;
};

ES_HD inline LevelCells level_cells(double mean, double bin, int bins) {
  const double x = -mean / bin - static_cast<double>(bins / 2) + 0.5;   // u / bin + 1/2 at b = 0
  const double y = mean / bin + static_cast<double>(bins / 2) + 0.5;    // -u / bin + 1/2 at b = 0
  LevelCells c;
  c.first = static_cast<long long>(::floor(x));
  c.t = x - ::floor(x);
  c.mirror_first = static_cast<long long>(::floor(y));
  c.mirror_t = y - ::floor(y);
  return c;
}

/// P(I > u) for u at fraction t across cell `cell` of a PDF `f` on [-reach, reach] with
/// suffix sums above[c] = sum_{j >= c} f[j] on [-reach, reach + 1] (both indexed by bin): the
/// mass of the cells above plus the part of u's cell above u.
ES_HD inline float tail(const float* f, const float* above, int reach, long long cell, double t) {
  if (cell < -reach) return above[-reach];
  if (cell > reach) return 0.0f;
  const int c = static_cast<int>(cell);
  return above[c + 1] + static_cast<float>(1.0 - t) * f[c];
}

}  // namespace eyesweep::eye
