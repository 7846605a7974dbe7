// The record of one (variant, CTLE setting) that kernels/search_point.hpp reads, built from
// the CTLE'd pulse and integrals (kernels/ctle_response.hpp), written once for the host and
// the device: each function fills one part of a record (the host calls them in loops,
// host/search_tables.cpp; the device one thread per record, phase or sample,
// kernels/table_device.cu). Layout: kernels/search_layout.hpp.
#pragma once

#include "kernels/common/host_device.hpp"
#include "kernels/ctle_response.hpp"
#include "kernels/search_layout.hpp"
#include "kernels/search_point.hpp"

namespace eyesweep::search {

/// x mod n in [0, n) (n > 0), as the circular pulse extensions index it: an add or subtract
/// for x within one period of [0, n) (the tables' usual case, where a division would cost
/// more than the sample), else the remainder.
ES_HD inline long long wrap_index(long long x, long long n) {
  if (x < 0) {
    x += n;
  } else if (x >= n) {
    x -= n;
  }
  return x >= 0 && x < n ? x : ((x % n) + n) % n;
}

/// What a variant's records are built from, besides the grid (host or device pointers).
struct TableSource {
  VariantView view;
  const double* impulse = nullptr;    ///< the THRU's impulse response, view.N samples at T/M
  ctle::SpectrumView spectrum;
  double f_b_GBd = 0.0;
  double sample_rate_GHz = 0.0;       ///< M f_b
  double eta_0_V2_per_GHz = 0.0;
  /// cos(m theta_i), fext_terms x n_xt term-major, series form only: the device build's own
  /// table (TableDevice sets it; the host's sources leave it null).
  const double* series_cos = nullptr;
};

/// What the records take from the Tx grid.
struct RecordShape {
  int num_taps = 0;
  int first_offset = 0;         ///< the first tap's UI offset (o_min)
  double tap_abs_sum_max = 0.0; ///< max over combinations of sum_k |c_k|
  int dfe_taps = 0;
  int fext_terms = 0;           ///< cosine moments; 0 = the FEXT weights themselves
};

/// Sample i (-pad <= i < N + pad) of the pulse extended circularly, p(i mod N): what the
/// records are built from, so that no tap's sample needs wrapping.
ES_HD inline double extended_sample(const double* pulse, int N, long long i) { return pulse[wrap_index(i, N)]; }

/// v_n[k] = p((n - o_k M) mod N): the samples tap k brings to position n (0 <= n < N), from
/// the extended pulse (`pulse` at its sample 0, the layout's pad >= |o_k M| on either side).
struct TapSamples {
  const double* pulse;
  const VariantView& v;
  int num_taps;
  ES_HD double at(int n, int k) const { return pulse[n - v.offset[k]]; }
};

/// Packed entries of the Gram matrix of kTaps taps.
template <int kTaps>
inline constexpr int kGram = kTaps * (kTaps + 1) / 2;

/// G += sign v v' (packed), v = the samples at n (or their difference with n2 when n2 >= 0);
/// kTaps = s.num_taps, so that the sums stay in registers.
template <int kTaps>
ES_HD inline void add_outer(double (&gram)[kGram<kTaps>], const TapSamples& s, int n, int n2, double sign) {
  double v[kTaps];
  for (int k = 0; k < kTaps; ++k) v[k] = s.at(n, k) - (n2 >= 0 ? s.at(n2, k) : 0.0);
  int idx = 0;
  for (int i = 0; i < kTaps; ++i) {
    for (int j = i; j < kTaps; ++j) gram[idx++] += sign * v[i] * v[j];
  }
}

/// Sample i (-pad <= i < N + pad) of the record's extended pulse, in float.
ES_HD inline void fill_pulse_sample(const TableLayout& t, const double* extended, float* floats, int i) {
  floats[t.pulse_pad + i] = static_cast<float>(extended[i]);
}

/// The peak window's fields: the narrow window where some tap brings the CTLE pulse's peak
/// (+-1 UI, always sampled); outside it each position's bound max_k |p(n - o_k M)| sum |c_k|
/// (widened for float rounding), the kMaxOutliers largest kept (descending; of equal bounds
/// the earlier position first) and the largest of the rest; and the block of cursor
/// positions with ISI forms, every one the rule can reach from a peak in the narrow window
/// (crossing >= peak - 4 UI, cursor <= crossing + 2 UI < peak + 2 UI).
ES_HD inline void fill_peak_fields(const TableLayout& t, const RecordShape& shape, const TapSamples& s, float* floats,
                                   int* ints) {
  const VariantView& v = s.v;
  const int M = v.M, o_min = shape.first_offset, o_max = o_min + shape.num_taps - 1;
  int peak = v.full_lo;
  for (int n = v.full_lo + 1; n <= v.full_hi; ++n) {
    if (s.pulse[n] > s.pulse[peak]) peak = n;
  }
  const int narrow_lo = v.full_lo > peak + (o_min - 1) * M ? v.full_lo : peak + (o_min - 1) * M;
  const int narrow_hi = v.full_hi < peak + (o_max + 1) * M ? v.full_hi : peak + (o_max + 1) * M;
  ints[kNarrowLo] = narrow_lo;
  ints[kNarrowHi] = narrow_hi;

  float* bound = floats + t.pulse_floats();  // kMaxOutliers bounds, then the rest's
  int* pos = ints + kOutliers;
  int kept = 0;
  float rest = -INFINITY;
  for (int n = v.full_lo; n <= v.full_hi; ++n) {
    if (n >= narrow_lo && n <= narrow_hi) continue;
    double q = 0.0;
    for (int k = 0; k < shape.num_taps; ++k) {
      const double x = fabs(s.at(n, k));
      q = x > q ? x : q;
    }
    const float b = static_cast<float>(q * shape.tap_abs_sum_max * (1.0 + 1e-5));
    // Positions come in increasing order, so a bound equal to a kept one ranks after it.
    int at = kept;
    if (kept == kMaxOutliers) {
      if (!(b > bound[kMaxOutliers - 1])) {
        rest = b > rest ? b : rest;
        continue;
      }
      rest = bound[kMaxOutliers - 1] > rest ? bound[kMaxOutliers - 1] : rest;
      at = kMaxOutliers - 1;
    } else {
      ++kept;
    }
    for (; at > 0 && bound[at - 1] < b; --at) {
      bound[at] = bound[at - 1];
      pos[at] = pos[at - 1];
    }
    bound[at] = b;
    pos[at] = n;
  }
  ints[kNumOutliers] = kept;
  bound[kMaxOutliers] = rest;

  const int block_lo = peak + (o_min - 5) * M > 0 ? peak + (o_min - 5) * M : 0;
  ints[kBlockLo] = block_lo;
  ints[kBlockLen] = t.block_len < v.N - block_lo ? t.block_len : v.N - block_lo;
}

/// Stores the packed Gram entries of `acc` at `out`.
template <int kTaps>
ES_HD inline void store_gram(const double (&acc)[kGram<kTaps>], double* out) {
  for (int e = 0; e < kGram<kTaps>; ++e) out[e] = acc[e];
}

/// The ISI forms of the cursor positions of phase r in the block (r < min(M, block_len)):
/// c' G c sums every precursor and every cursor past the DFE's `span`, built from the
/// block's first position of that phase onwards one UI at a time. The sums run in registers
/// (`acc`; kTaps = s.num_taps), each position's form stored once.
template <int kTaps>
ES_HD inline void fill_isi_phase(const TableLayout& t, const TapSamples& s, int span, const int* ints, double* doubles,
                                 int r) {
  const int M = t.M, N = s.v.N;
  const int block_lo = ints[kBlockLo], block_end = block_lo + ints[kBlockLen];
  const int s0 = block_lo + r;
  double acc[kGram<kTaps>] = {};
  for (int n = s0 - M; n >= 0; n -= M) add_outer<kTaps>(acc, s, n, -1, 1.0);
  for (int n = s0 + M * (span + 1); n < N; n += M) add_outer<kTaps>(acc, s, n, -1, 1.0);
  store_gram<kTaps>(acc, doubles + static_cast<long long>(r) * kGram<kTaps>);
  for (int x = s0 + M; x < block_end; x += M) {
    // cursor x - M becomes a precursor; the first cursor past the span moves into it
    add_outer<kTaps>(acc, s, x - M, -1, 1.0);
    if (x + M * span < N) add_outer<kTaps>(acc, s, x + M * span, -1, -1.0);
    store_gram<kTaps>(acc, doubles + static_cast<long long>(x - block_lo) * kGram<kTaps>);
  }
}

/// The jitter form of cursor phase r (r < M): the late samples run from 1-based phase
/// mod(t_s, M) (+ M when <= 1) to the end of the pulse; the one or two late samples just past
/// it count only when the zero padding reaches them, which each point decides (the edge).
/// kTaps = s.num_taps.
template <int kTaps>
ES_HD inline void fill_jitter_phase(const TableLayout& t, const TapSamples& s, double* doubles, int* ints, int r) {
  const int M = t.M, N = s.v.N;
  int phase = (r + 1) % M;
  if (phase <= 1) phase += M;
  double acc[kGram<kTaps>] = {};
  int late = phase;
  for (; late < N; late += M) add_outer<kTaps>(acc, s, late, late - 2, 1.0);
  store_gram<kTaps>(acc, doubles + static_cast<long long>(t.block_len + r) * kGram<kTaps>);
  ints[kOutliers + kMaxOutliers + r] = late <= N + 1 ? late : -1;
}

/// cos(m theta) for m < terms at out[m stride], by the Chebyshev recurrence
/// cos((m + 1) t) = 2 cos t cos(m t) - cos((m - 1) t) from cos_theta (rounding grows about
/// linearly in m: below 1e-13 for the at most 120 terms).
ES_HD inline void series_cosines(double cos_theta, int terms, double* out, long long stride) {
  out[0] = 1.0;
  if (terms > 1) out[stride] = cos_theta;
  for (int m = 2; m < terms; ++m) out[m * stride] = 2.0 * out[stride] * out[(m - 1) * stride] - out[(m - 2) * stride];
}

/// The cosine moment sum_i cos(m theta_i) w_i of one term: a dot product over n values in
/// eight running sums, so that a vectorising host compiler and the device round alike.
ES_HD inline double crosstalk_moment(const double* cosines, const double* weight, int n) {
  double sum[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) sum[j] += cosines[i + j] * weight[i + j];
  }
  double total = ((sum[0] + sum[4]) + (sum[1] + sum[5])) + ((sum[2] + sum[6]) + (sum[3] + sum[7]));
  for (; i < n; ++i) total += cosines[i] * weight[i];
  return total;
}

/// Where a record's crosstalk part lies in its doubles: fext_len moments (or weights), then
/// sigma_N^2 and the NEXT power.
ES_HD inline double* record_crosstalk(const TableLayout& t, double* doubles) {
  return doubles + static_cast<long long>(t.block_len + t.M) * t.gram;
}

/// A variant's noise and crosstalk per power term (ctle::power_terms), from which every
/// record's crosstalk fields follow with its setting's weights.
struct PowerSource {
  ctle::PowerIntegrals integrals;
  /// Series form: the cosine moments of the FEXT weight's terms, fext_terms x kPowerTerms
  /// (term-major, power_moment); direct form: the terms themselves, kPowerTerms x n_xt.
  const double* fext = nullptr;
  int n_xt = 0;
};

/// Moment m of power term k of the FEXT weight: sum_i cos(m theta_i) fext_k(f_i), from the
/// variant's cosines (fext_terms x n_xt, term-major) and terms (kPowerTerms x n_xt).
ES_HD inline double power_moment(const double* series_cos, const double* fext_terms, int n_xt, int m, int k) {
  return crosstalk_moment(series_cos + static_cast<long long>(m) * n_xt, fext_terms + static_cast<long long>(k) * n_xt, n_xt);
}

/// A record's crosstalk part (record_crosstalk) for CTLE setting `ctle`: the FEXT moments
/// (series form) or weights, sigma_N^2 and the NEXT power.
ES_HD inline void fill_crosstalk(const TableLayout& t, const RecordShape& shape, const PowerSource& p,
                                 const ctle::Response& ctle, double eta_0_V2_per_GHz, double* doubles) {
  double w[ctle::kPowerTerms];
  ctle::power_weights(ctle, w);
  double* fext = record_crosstalk(t, doubles);
  if (shape.fext_terms > 0) {
    for (int m = 0; m < shape.fext_terms; ++m) fext[m] = ctle::combine_terms(w, p.fext + m * ctle::kPowerTerms, 1);
  } else {
    for (int i = 0; i < p.n_xt; ++i) fext[i] = ctle::combine_terms(w, p.fext + i, p.n_xt);
  }
  fext[t.fext_len] = p.integrals.noise2(w, eta_0_V2_per_GHz);
  fext[t.fext_len + 1] = p.integrals.next_power(w);
}

}  // namespace eyesweep::search
