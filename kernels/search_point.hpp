// The figure of merit of one equaliser grid point (Tx FFE combination x CTLE setting) from
// tables precomputed per (variant, CTLE setting): written once, called by the CPU engine's
// loops and by the CUDA search kernel. It computes what FomEvaluator::evaluate computes
// (host/fom_search.cpp), rearranged for speed:
//  - the equalised pulse y(s) = sum_k c_k p((s - o_k M) mod N) is sampled only where the
//    cursor rule looks (float: a few hundred samples instead of the whole pulse);
//  - the peak search covers the +-20 UI window through a bound: |y(s)| <= max_k |p(s - o_k M)|
//    sum_k |c_k|, so outside a narrow window around the CTLE pulse's peak only positions
//    whose bound reaches the running maximum are sampled;
//  - the residual ISI outside the DFE span and the jitter slope energy are quadratic forms
//    c' G c with G precomputed per cursor position (ISI) or per phase (jitter), in double;
//  - the far-end crosstalk weight |H_ffe(f)| is a cosine series per Tx combination, so its
//    integral against the CTLE's crosstalk spectrum is a short dot product (or, where the
//    series converges too slowly, the script's direct sum).
// Every such rewrite is proven against the reference engine by tests/test_engines.cpp.
#pragma once

#include <cmath>

#include "kernels/common/host_device.hpp"
#include "kernels/floating_placement.hpp"

namespace eyesweep::search {

inline constexpr int kMaxTaps = 8;                           ///< Tx taps per combination
inline constexpr int kMaxGram = kMaxTaps * (kMaxTaps + 1) / 2;  ///< packed symmetric entries
inline constexpr int kMaxOutliers = 32;                      ///< peak-bound positions kept per CTLE
inline constexpr int kMaxChainedDfe = 64;  ///< post-cursors the host takes in one pass (fixed and floating taps)

/// The cursor rules of ComConfig::cursor_rule.
enum class Anchor : int { mueller_muller = 0, peak = 1, max_slope_step = 2 };

/// What every variant of a batch shares: the Tx grid and the receiver's rules.
struct GridView {
  int num_taps = 0;
  long long num_tx = 0;
  const float* taps = nullptr;          ///< num_tx x num_taps, lowest offset first
  const double* taps_exact = nullptr;   ///< the same in double (the MMSE search's forms)
  int fext_terms = 0;                   ///< cosine terms per combination; 0 = direct sum
  const double* fext_coeff = nullptr;   ///< num_tx x fext_terms: |H_ffe(theta)| = sum a_m cos(m theta)
  float tap_abs_sum_max = 1.0f;         ///< max over combinations of sum_k |c_k|
  Anchor anchor = Anchor::mueller_muller;
  double b1 = 0.0;                      ///< b_max(1) of the MM rule (0 without DFE)
  int dfe_taps = 0;
  const double* b_max = nullptr;        ///< per DFE tap, relative to the cursor
  const double* b_min = nullptr;
  int tail_start = 0;                   ///< 1-based first tap of the RSS-limited tail; 0 = none
  double tail_rss_max = 0.0;
  FloatingGroups floating;              ///< groups placed per point (b_max = b_min = 0 where none lands)
};

/// What one variant's CTLE settings share.
struct VariantView {
  int N = 0;                            ///< pulse length (samples)
  int M = 0;                            ///< samples per UI
  int offset[kMaxTaps] = {};            ///< o_k M per tap (the pulse extension wraps)
  int full_lo = 0, full_hi = 0;         ///< peak search window, inclusive (+-20 UI)
  double as_per_cursor = 0.0;           ///< A_s / h(t_s) = R_LM / (L - 1)
  double sx2 = 0.0;                     ///< sigma_x^2 of the PAM-L symbols
  double tx_noise_per_cursor = 0.0;     ///< sigma_TX / h(t_s) = 10^(-SNR_TX / 20)
  double jitter_scale2 = 0.0;           ///< (A_DD^2 + sigma_RJ^2) sigma_x^2 (M / 2)^2
  double xt_scale = 0.0;                ///< sigma_X^2 2 Delta_f / f_2
  int n_xt = 0;                         ///< direct crosstalk sum only: frequencies ...
  const double* lag_cos = nullptr;      ///< ... and cos(2 pi f d T), num_taps x n_xt
};

/// One (variant, CTLE setting): the CTLE'd victim pulse and the precomputed forms.
struct CtleView {
  /// The pulse without Tx FFE, extended circularly: pulse[i] = p(i mod N) for
  /// -pad <= i < N + pad, pad >= max_k |o_k M|, so that a tap's sample needs no wrapping.
  const float* pulse = nullptr;
  int narrow_lo = 0, narrow_hi = 0;     ///< always-sampled part of the peak window, inclusive
  int num_outliers = 0;                 ///< positions outside it whose bound is largest ...
  const int* outlier_pos = nullptr;
  const float* outlier_bound = nullptr; ///< ... with their bounds, descending
  float rest_bound = 0.0f;              ///< bound of every other position of the window
  int block_lo = 0, block_len = 0;      ///< cursor positions with a precomputed ISI form
  const double* isi_gram = nullptr;     ///< block_len x packed Gram of the non-DFE cursors
  const double* jitter_gram = nullptr;  ///< M x packed Gram of the jitter slopes, per phase
  const int* jitter_edge = nullptr;     ///< M: late sample N or N + 1 of that phase, or -1
  const double* fext = nullptr;         ///< fext_terms cosine moments, or n_xt weights
  double noise2 = 0.0;                  ///< sigma_N^2
  double next_power = 0.0;              ///< NEXT power (no Tx FFE weighting)
};

/// The score of one grid point; fom_dB is -infinity when it gives no valid receiver.
struct PointScore {
  double fom_dB;
  int cursor;
};

/// Packed index of (i, j), i <= j, in a symmetric n x n matrix stored row by row.
ES_HD inline int gram_index(int i, int j, int n) { return i * n - i * (i - 1) / 2 + (j - i); }

/// c' G c for packed symmetric G.
template <int kTaps>
ES_HD inline double quadratic_form(const double* gram, const double* c) {
  double sum = 0.0;
  int idx = 0;
  for (int i = 0; i < kTaps; ++i) {
    sum += gram[idx++] * c[i] * c[i];
    for (int j = i + 1; j < kTaps; ++j) sum += 2.0 * gram[idx++] * c[i] * c[j];
  }
  return sum;
}

/// The equalised pulse of one Tx combination, y(s) = sum_k c_k p((s - o_k M) mod N) for
/// 0 <= s < N, sampled on demand from the extended pulse.
template <int kTaps>
struct EqualizedPulse {
  const float* pulse;
  int offset[kTaps];
  float tap[kTaps];

  ES_HD float operator()(int s) const {
    float y = 0.0f;
    for (int k = 0; k < kTaps; ++k) y += tap[k] * pulse[s - offset[k]];
    return y;
  }
  ES_HD int first_max(int lo, int hi, float& value) const { return first_max_of(*this, lo, hi, value); }
  ES_HD int last_crossing(int start, int end, float level) const { return last_crossing_of(*this, start, end, level); }
  /// y(first + i M) for i < count (all below N).
  ES_HD void ui_chain(int first, int M, int count, float* out) const {
    for (int i = 0; i < count; ++i) out[i] = (*this)(first + i * M);
  }
  /// As mm_point_of. The three UI-spaced samples h(t - T), h(t), h(t + T) need only kTaps + 2
  /// pulse samples, p(t + q T) for q = -1 - o_max .. 1 - o_min (the taps sit at consecutive UI
  /// offsets), loaded once instead of once per tap and sample.
  ES_HD int mm_point(int crossing, int M, float b1) const {
    int cursor = crossing;
    float best_metric = INFINITY;
    const int first = -M - offset[kTaps - 1];  // p(t + first) is p(t + (-1 - o_max) T)
    for (int m = 0; m <= 2 * M; ++m) {
      const int t = crossing + m;
      float p[kTaps + 2];
      for (int q = 0; q < kTaps + 2; ++q) p[q] = pulse[t + first + q * M];
      float early = 0.0f, now = 0.0f, late = 0.0f;  // y(t - T), y(t), y(t + T)
      for (int k = 0; k < kTaps; ++k) {
        early += tap[k] * p[kTaps - 1 - k];
        now += tap[k] * p[kTaps - k];
        late += tap[k] * p[kTaps + 1 - k];
      }
      const float rest = late - b1 * now;
      const float metric = fabsf(early - (rest > 0.0f ? rest : 0.0f));
      if (metric < best_metric) {
        best_metric = metric;
        cursor = t;
      }
    }
    return cursor;
  }
};

ES_HD inline int sign_of(float x) { return (x > 0.0f) - (x < 0.0f); }

/// The first position of the maximum of y over [lo, hi] (lo <= hi) and that maximum.
template <typename Sampler>
ES_HD inline int first_max_of(const Sampler& y, int lo, int hi, float& value) {
  float best = -INFINITY;
  int at = lo;
  for (int s = lo; s <= hi; ++s) {
    const float v = y(s);
    if (v > best) {
      best = v;
      at = s;
    }
  }
  value = best;
  return at;
}

/// The Mueller-Muller point of the 2 UI from `crossing`: the first t where
/// |h(t - T) - max(h(t + T) - b1 h(t), 0)| is least.
template <typename Sampler>
ES_HD inline int mm_point_of(const Sampler& y, int crossing, int M, float b1) {
  int cursor = crossing;
  float best_metric = INFINITY;
  for (int m = 0; m <= 2 * M; ++m) {
    const int t = crossing + m;
    const float late = y(t + M) - b1 * y(t);
    const float metric = fabsf(y(t - M) - (late > 0.0f ? late : 0.0f));
    if (metric < best_metric) {
      best_metric = metric;
      cursor = t;
    }
  }
  return cursor;
}

/// The last upward crossing of `level` before `end`: the largest n in [start, end) where the
/// sign of y(n) - level is below that of y(n + 1) - level (scanned backwards, the first found
/// is the last), or -1.
template <typename Sampler>
ES_HD inline int last_crossing_of(const Sampler& y, int start, int end, float level) {
  int right = sign_of(y(end) - level);
  for (int n = end - 1; n >= start; --n) {
    const int left = sign_of(y(n) - level);
    if (right - left >= 1) return n;
    right = left;
  }
  return -1;
}

/// The first maximum of y over the peak window (see the header comment for the bound).
template <typename Sampler>
ES_HD inline int find_peak(const Sampler& y, const VariantView& v, const CtleView& c, float& peak_value) {
  float best;
  int peak = y.first_max(c.narrow_lo, c.narrow_hi, best);
  bool bounded = false;
  for (int i = 0; i < c.num_outliers; ++i) {
    if (c.outlier_bound[i] < best) {
      bounded = true;
      break;
    }
    const int s = c.outlier_pos[i];
    const float value = y(s);
    if (value > best || (value == best && s < peak)) {
      best = value;
      peak = s;
    }
  }
  // The bound does not settle it: scan the whole window, as the reference does.
  if (!bounded && !(c.rest_bound < best)) peak = y.first_max(v.full_lo, v.full_hi, best);
  peak_value = best;
  return peak;
}

/// The sampling point per the cursor rule, or -1 when the rule finds none.
template <typename Sampler>
ES_HD inline int find_cursor(const Sampler& y, const GridView& g, const VariantView& v,
                             int peak, float peak_value) {
  const int M = v.M, N = v.N;
  if (g.anchor == Anchor::peak) return peak;
  if (g.anchor == Anchor::max_slope_step) {
    if (peak - 2 * M < 0 || peak + M >= N) return -1;
    int best = peak;
    float best_step = -INFINITY;
    for (int t = peak - M; t <= peak + M; ++t) {
      const float step = y(t) - y(t - M);
      if (step > best_step) {
        best_step = step;
        best = t;
      }
    }
    return best;
  }
  // Mueller-Muller: the last upward crossing of 1 % of the peak within 4 UI before it
  // (scanned backwards: the first found is the last), then the point of the next 2 UI where
  // h(t - T) = max(h(t + T) - b_max(1) h(t), 0) holds best.
  const int start = peak - 4 * M > 0 ? peak - 4 * M : 0;
  const int crossing = y.last_crossing(start, peak, 0.01f * peak_value);
  if (crossing < 0 || crossing - M < 0 || crossing + 3 * M >= N) return -1;
  return y.mm_point(crossing, M, static_cast<float>(g.b1));
}

ES_HD inline double clamp_to(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

/// Squared residual of the DFE over its span: each tap cancels its cursor within its limits
/// (+-floating.limit on the taps where floating groups land), and the tail taps from
/// tail_start on share an RSS limit.
template <typename Sampler>
ES_HD inline double dfe_residual2(const Sampler& y, const GridView& g, const VariantView& v,
                                  int cursor, double y0) {
  const int tail = g.tail_start > 0 ? g.tail_start - 1 : g.dfe_taps;  // 0-based first tail tap
#ifdef __CUDA_ARCH__
  const auto sample = [&](int k) {
    const int n = cursor + v.M * (k + 1);
    return n < v.N ? static_cast<double>(y(n)) : 0.0;  // zero-padded beyond the pulse
  };
  // The CUDA engine refuses floating groups (fast_engine_limitation): none on the device.
  constexpr int n_floating = 0;
  const int* floating = nullptr;
#else
  // The span's post-cursors (with floating groups it reaches N_f) in one pass of the sampler
  // (the CPU's vectorised), any past kMaxChainedDfe one at a time.
  float chained[kMaxChainedDfe];
  const int before_end = (v.N - 1 - cursor) / v.M;  // samples of the span inside the pulse
  int chained_count = g.dfe_taps < kMaxChainedDfe ? g.dfe_taps : kMaxChainedDfe;
  if (chained_count > before_end) chained_count = before_end;
  if (chained_count > 0) y.ui_chain(cursor + v.M, v.M, chained_count, chained);
  const auto sample = [&](int k) {
    const int n = cursor + v.M * (k + 1);
    if (n >= v.N) return 0.0;  // zero-padded beyond the pulse
    return static_cast<double>(k < chained_count ? chained[k] : y(n));
  };
  int floating[kMaxFloatingTaps];  // 1-based taps, ascending
  const int n_floating =
      place_floating_groups(g.floating, [&](int n) { return sample(n - 1); }, y0, floating);
#endif
  // Tap k's (0-based) limits, relative to y0, for ascending k: `next` walks the ascending
  // floating taps along.
  const auto limits = [&](int k, int& next, double& lower, double& upper) {
    while (next < n_floating && floating[next] < k + 1) ++next;
    const bool is_floating = next < n_floating && floating[next] == k + 1;
    lower = is_floating ? -g.floating.limit : g.b_min[k];
    upper = is_floating ? g.floating.limit : g.b_max[k];
  };
  double head = 0.0, tail_resid = 0.0, rss2 = 0.0;
  int next = 0;
  for (int k = 0; k < g.dfe_taps; ++k) {
    const double yk = sample(k);
    double lower, upper;
    limits(k, next, lower, upper);
    const double applied = clamp_to(yk, y0 * lower, y0 * upper);
    if (k < tail) {
      head += (yk - applied) * (yk - applied);
    } else {
      tail_resid += (yk - applied) * (yk - applied);
      rss2 += (applied / y0) * (applied / y0);
    }
  }
  const double rss = sqrt(rss2);
  if (rss != 0.0 && rss >= g.tail_rss_max) {
    // Each tail tap's limit becomes its share of the RSS limit (rare: recompute the samples).
    tail_resid = 0.0;
    next = 0;
    for (int k = tail; k < g.dfe_taps; ++k) {
      const double yk = sample(k);
      double lower, upper;
      limits(k, next, lower, upper);
      const double first = clamp_to(yk, y0 * lower, y0 * upper);
      const double share = (rss < g.tail_rss_max ? rss : g.tail_rss_max) * fabs(first / y0) / rss;
      const double applied = clamp_to(yk, -y0 * share, y0 * share);
      tail_resid += (yk - applied) * (yk - applied);
    }
  }
  return head + tail_resid;
}

/// The far-end crosstalk integral sum_f w(f) |H_ffe(f)| of one combination.
template <int kTaps>
ES_HD inline double fext_integral(const GridView& g, const VariantView& v, const CtleView& c, long long tx,
                                  const double* taps) {
  if (g.fext_terms > 0) {
    const double* a = g.fext_coeff + tx * g.fext_terms;
    double sum[4] = {0.0, 0.0, 0.0, 0.0};  // independent chains for instruction-level parallelism
    int m = 0;
    for (; m + 4 <= g.fext_terms; m += 4) {
      for (int j = 0; j < 4; ++j) sum[j] += a[m + j] * c.fext[m + j];
    }
    for (; m < g.fext_terms; ++m) sum[0] += a[m] * c.fext[m];
    return (sum[0] + sum[1]) + (sum[2] + sum[3]);
  }
  double r[kTaps];  // autocorrelation, lags > 0 doubled: |H|^2 = sum_d r_d cos(2 pi f d T)
  for (int d = 0; d < kTaps; ++d) {
    r[d] = 0.0;
    for (int k = 0; k + d < kTaps; ++k) r[d] += taps[k] * taps[k + d];
    if (d > 0) r[d] *= 2.0;
  }
  double sum = 0.0;
  for (int i = 0; i < v.n_xt; ++i) {
    double h2 = r[0];
    for (int d = 1; d < kTaps; ++d) h2 += r[d] * v.lag_cos[d * v.n_xt + i];
    sum += c.fext[i] * sqrt(h2 > 0.0 ? h2 : 0.0);
  }
  return sum;
}

/// The FOM of Tx combination `tx` at the CTLE setting of `c`, sampling the equalised pulse
/// through `y` (y(s) = sum_k c_k p((s - o_k M) mod N), however it is computed). A point
/// whose FOM is surely below `to_beat_ratio` (as a power ratio A_s^2 / sigma^2) scores
/// -infinity: without a cursor when its peak could not reach it even without ISI and jitter,
/// without the DFE step (the costly one with floating groups) when it is below even before
/// the DFE's residual is added, else without the logarithm; 0 scores every point.
template <int kTaps, typename Sampler>
ES_HD inline PointScore score_point(const GridView& g, const VariantView& v, const CtleView& c, long long tx,
                                    const Sampler& y, double to_beat_ratio = 0.0) {
  double taps[kTaps];
  for (int k = 0; k < kTaps; ++k) taps[k] = g.taps[tx * kTaps + k];
  const PointScore invalid{-INFINITY, -1};
  float peak_value = 0.0f;
  const int peak = find_peak(y, v, c, peak_value);
  const int M = v.M;
  const double xt2 = v.xt_scale * (fext_integral<kTaps>(g, v, c, tx, taps) + c.next_power);
  // Every cursor rule samples within 4 UI before and 2 UI after the peak; inside the peak
  // window that sample is at most the peak, and A_s^2 / (crosstalk, noise and Tx noise, which
  // grows with the cursor) at most its value there: a point below even that needs no cursor.
  // (The ratio grows with the cursor only where crosstalk and noise are not negative; the
  // CUDA kernel passes no ratio to beat, so its compiler can drop all of this.)
  if (to_beat_ratio > 0.0 && peak_value > 0.0f && xt2 + c.noise2 >= 0.0 && peak - 4 * M >= v.full_lo &&
      peak + 2 * M <= v.full_hi) {
    const double A_max = v.as_per_cursor * peak_value, tx_noise_max = v.tx_noise_per_cursor * peak_value;
    const double floor2 = xt2 + c.noise2 + tx_noise_max * tx_noise_max;
    if (A_max * A_max < to_beat_ratio * floor2 * (1.0 - 1e-9)) return invalid;
  }
  const int cursor = find_cursor(y, g, v, peak, peak_value);
  if (cursor < 0) return invalid;
  const double y0 = y(cursor);
  if (!(y0 > 0.0)) return invalid;

  // Residual ISI: precursors and the cursors past the DFE span (unpadded), then the DFE.
  double isi2 = 0.0;
  if (cursor >= c.block_lo && cursor < c.block_lo + c.block_len) {
    isi2 = quadratic_form<kTaps>(c.isi_gram + (cursor - c.block_lo) * (kTaps * (kTaps + 1) / 2), taps);
  } else {
    for (int n = cursor - M; n >= 0; n -= M) isi2 += static_cast<double>(y(n)) * y(n);
    for (int n = cursor + M * (g.dfe_taps + 1); n < v.N; n += M) isi2 += static_cast<double>(y(n)) * y(n);
  }

  const int residue = cursor % M;
  double slope2 = quadratic_form<kTaps>(c.jitter_gram + residue * (kTaps * (kTaps + 1) / 2), taps);
  const int edge = c.jitter_edge[residue];
  if (edge >= 0 && edge < cursor + 1 + M * (g.dfe_taps + 1)) {
    const double tail = y(edge - 2);  // the late sample lies in the zero padding
    slope2 += tail * tail;
  }

  const double A_s = v.as_per_cursor * y0;
  const double tx_noise = v.tx_noise_per_cursor * y0;
  const double bound = v.sx2 * isi2 + v.jitter_scale2 * slope2 + xt2 + c.noise2 + tx_noise * tx_noise;
  // The DFE's residual only adds to sigma^2 (the margin covers the rounding of the two forms).
  if (A_s * A_s < to_beat_ratio * bound * (1.0 - 1e-9)) return {-INFINITY, cursor};
  isi2 += dfe_residual2(y, g, v, cursor, y0);
  const double total = v.sx2 * isi2 + v.jitter_scale2 * slope2 + xt2 + c.noise2 + tx_noise * tx_noise;
  if (A_s * A_s < to_beat_ratio * total * (1.0 - 1e-9)) return {-INFINITY, cursor};
  return {10.0 * log10(A_s * A_s / total), cursor};
}

/// The plain sampler of Tx combination `tx`'s equalised pulse at the CTLE setting of `c`.
template <int kTaps>
ES_HD inline EqualizedPulse<kTaps> equalized_pulse(const GridView& g, const VariantView& v, const CtleView& c,
                                                   long long tx) {
  EqualizedPulse<kTaps> y;
  y.pulse = c.pulse;
  for (int k = 0; k < kTaps; ++k) {
    y.offset[k] = v.offset[k];
    y.tap[k] = g.taps[tx * kTaps + k];
  }
  return y;
}

/// The same, sampling the pulse directly (the GPU's way: no buffers).
template <int kTaps>
ES_HD inline PointScore score_point(const GridView& g, const VariantView& v, const CtleView& c, long long tx) {
  return score_point<kTaps>(g, v, c, tx, equalized_pulse<kTaps>(g, v, c, tx));
}

/// Calls fn.template operator()<kTaps>() with kTaps = num_taps (1 .. kMaxTaps); false if
/// num_taps is out of range.
template <typename Fn>
inline bool dispatch_taps(int num_taps, Fn&& fn) {
  switch (num_taps) {
    case 1: fn.template operator()<1>(); return true;
    case 2: fn.template operator()<2>(); return true;
    case 3: fn.template operator()<3>(); return true;
    case 4: fn.template operator()<4>(); return true;
    case 5: fn.template operator()<5>(); return true;
    case 6: fn.template operator()<6>(); return true;
    case 7: fn.template operator()<7>(); return true;
    case 8: fn.template operator()<8>(); return true;
    default: return false;
  }
}

}  // namespace eyesweep::search
