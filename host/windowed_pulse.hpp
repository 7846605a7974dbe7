// The CPU search's sampler of an equalised pulse (WindowedPulse) and the vectorised passes it
// runs, shared by the DFE search (host/fast_search.cpp) and the MMSE search
// (host/mmse_search.cpp). Its passes are also compiled for AVX2 ([[ES_AVX2_CLONES]]); its
// values and cursors are those of the plain sampler search::EqualizedPulse, bit for bit
// (tests/test_engines.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "host/avx2_clones.hpp"
#include "kernels/search_point.hpp"

namespace eyesweep::cpu {


/// out[j] = sum_k c[k] src[k][j], j < n, and the largest of them (NaN never winning;
/// -infinity when none is a number): one pass, eight lanes at a time (GCC's vector extension:
/// one AVX2 register, two SSE2 ones; noinline: inlined into the search loop the compiler fused
/// it into a scalar loop).
template <int kTaps>
[[gnu::noinline, ES_AVX2_CLONES]] float combine(float* __restrict out, const float* const (&src)[kTaps],
                                                  const float (&c)[kTaps], int n) {
  constexpr int kWidth = 8;
  using Lanes = float __attribute__((vector_size(4 * kWidth)));
  Lanes best = Lanes{} - INFINITY;
  float largest = -INFINITY;
  int j = 0;
  for (; j + kWidth <= n; j += kWidth) {
    Lanes sum = {};
    for (int k = 0; k < kTaps; ++k) {
      Lanes x;
      std::memcpy(&x, src[k] + j, sizeof x);
      sum += c[k] * x;
    }
    std::memcpy(out + j, &sum, sizeof sum);
    best = sum > best ? sum : best;
  }
  for (; j < n; ++j) {
    float sum = 0.0f;
    for (int k = 0; k < kTaps; ++k) sum += c[k] * src[k][j];
    out[j] = sum;
    largest = sum > largest ? sum : largest;
  }
  for (int i = 0; i < kWidth; ++i) largest = best[i] > largest ? best[i] : largest;
  return largest;
}

// The passes over the window below are written with GCC's vector extensions (four float or
// int lanes: one SSE2 register): on baseline x86-64 GCC keeps their plain loops scalar (a
// running extreme, a select without SSE4.1's blend, an early exit).
using Floats4 = float __attribute__((vector_size(16)));
using Ints4 = int __attribute__((vector_size(16)));

inline Floats4 load4(const float* v) {
  Floats4 x;
  std::memcpy(&x, v, sizeof x);
  return x;
}

/// Whether any lane of a comparison's mask is set.
inline bool any_lane(Ints4 mask) {
  std::uint64_t halves[2];
  std::memcpy(halves, &mask, sizeof halves);
  return (halves[0] | halves[1]) != 0;
}

/// search::sign_of on four lanes (a comparison's true is -1).
inline Ints4 signs(Floats4 x) { return (x < Floats4{}) - (x > Floats4{}); }

/// x where it is larger (smaller) than best, else best: on one float or on four lanes.
template <bool kLargest, typename T>
T better_of(T x, T best) {
  return (kLargest ? x > best : x < best) ? x : best;
}

/// Independent vectors per step of the passes below: four, for instruction-level
/// parallelism.
constexpr int kVectors = 4, kBlock = 4 * kVectors;

/// The largest (or smallest) of v[0 .. n), NaN never winning; -infinity (+infinity) when
/// none is a number. Sixteen running extremes (maxps / minps).
template <bool kLargest>
[[ES_AVX2_CLONES]] float extreme_of(const float* __restrict v, int n) {
  constexpr float kNone = kLargest ? -INFINITY : INFINITY;
  Floats4 best[kVectors];
  for (Floats4& b : best) b = Floats4{} + kNone;
  int j = 0;
  for (; j + kBlock <= n; j += kBlock) {
    for (int h = 0; h < kVectors; ++h) best[h] = better_of<kLargest>(load4(v + j + 4 * h), best[h]);
  }
  for (int h = 1; h < kVectors; ++h) best[0] = better_of<kLargest>(best[h], best[0]);
  float value = kNone;
  for (int i = 0; i < 4; ++i) value = better_of<kLargest>(best[0][i], value);
  for (; j < n; ++j) value = better_of<kLargest>(v[j], value);
  return value;
}

/// The first position of the largest (or smallest) of v[0 .. n), given that extreme (as
/// extreme_of finds it), sixteen at a time. NaN never wins: as in search::first_max_of and
/// mm_point_of, a NaN-only input gives the first position.
template <bool kLargest>
[[ES_AVX2_CLONES]] int first_position(const float* __restrict v, int n, float extreme) {
  if (extreme == (kLargest ? -INFINITY : INFINITY)) return 0;
  int j = 0;
  for (; j + kBlock <= n; j += kBlock) {
    Ints4 found = load4(v + j) == extreme;
    for (int h = 1; h < kVectors; ++h) found |= load4(v + j + 4 * h) == extreme;
    if (any_lane(found)) break;
  }
  while (v[j] != extreme) ++j;  // the extreme is one of the values: the scan ends
  return j;
}

/// The first position of the largest (or smallest) of v[0 .. n).
template <bool kLargest>
int first_extreme(const float* __restrict v, int n) {
  return first_position<kLargest>(v, n, extreme_of<kLargest>(v, n));
}

/// The Mueller-Muller metric |h(t - T) - max(h(t + T) - b1 h(t), 0)| of search::mm_point_of,
/// on one float or on four (|.| by a comparison: it differs from fabs only in a NaN's sign,
/// which no comparison reads).
template <typename T>
T mm_metric(T early, T now, T late, float b1) {
  const T rest = late - b1 * now;
  const T difference = early - (rest < T{} ? T{} : rest);
  return difference < T{} ? -difference : difference;
}

/// The CPU's sampler of an equalised pulse: the peak window and one UI either side (where the
/// cursor rules look, but for rare outliers) computed in contiguous, vectorised passes per
/// tap, other positions directly. Each point computes the peak window and its maximum; a side
/// only when a scan first needs it (points pruned at their peak need neither, and the cursor
/// rules rarely look left of the peak window).
template <int kTaps>
class WindowedPulse {
 public:
  static constexpr int kMaxWindow = 4096;

  /// Samples lo .. lo + len - 1, around the peak window peak_lo .. peak_hi.
  WindowedPulse(const float* extended_pulse, const int* offset, int lo, int len, int peak_lo, int peak_hi)
      : ext_(extended_pulse), lo_(lo), len_(std::min(len, kMaxWindow)), peak_lo_(peak_lo), peak_hi_(peak_hi) {
    for (int k = 0; k < kTaps; ++k) offset_[k] = offset[k];
    if (peak_lo_ < lo_ || peak_hi_ >= lo_ + len_) peak_lo_ = peak_hi_ = -1;  // no peak window kept
  }
  void compute(const float* taps) {
    for (int k = 0; k < kTaps; ++k) tap_[k] = taps[k];
    if (peak_lo_ < 0) {  // all of them at once
      done_lo_ = lo_;
      done_end_ = lo_ + len_;
    } else {
      done_lo_ = peak_lo_;
      done_end_ = peak_hi_ + 1;
    }
    peak_max_ = fill(done_lo_, done_end_);
  }
  [[gnu::always_inline]] float operator()(int s) const {
    return static_cast<unsigned>(s - done_lo_) < static_cast<unsigned>(done_end_ - done_lo_) ? values_[s - lo_]
                                                                                             : direct(s);
  }
  /// As search::first_max_of, vectorised: in the samples, or (the whole peak window, where the
  /// bounds leave it open) computed for the call in one pass.
  int first_max(int lo, int hi, float& value) const {
    const int n = hi - lo + 1;
    const bool kept = lo == peak_lo_ && hi == peak_hi_;  // computed, its maximum known
    const bool computed = kept || have(lo, hi);
    if (!computed && n > kMaxWindow) return search::first_max_of(*this, lo, hi, value);
    if (!computed) sample_range(lo, hi + 1, scratch_);
    const float* v = computed ? values_ + (lo - lo_) : scratch_;
    const int at = kept ? first_position<true>(v, n, peak_max_) : first_extreme<true>(v, n);
    value = v[at];
    return lo + at;
  }
  /// As search::last_crossing_of, eight positions at a time (backwards) in the samples: those
  /// computed first, the left side only if the scan gets there.
  int last_crossing(int start, int end, float level) const {
    if (start < lo_ || !have(end, end)) return search::last_crossing_of(*this, start, end, level);
    int n = end - 1;  // the highest position not yet looked at
    for (;;) {
      const int bottom = std::max(start, done_lo_);
      for (; n - 7 >= bottom; n -= 8) {
        const float* left = values_ + (n - 7 - lo_);  // y(n - 7 .. n); left + 1: the samples after
        Ints4 upward[2];
        for (int h = 0; h < 2; ++h) {
          upward[h] = signs(load4(left + 4 * h + 1) - level) - signs(load4(left + 4 * h) - level) >= 1;
        }
        if (!any_lane(upward[0] | upward[1])) continue;
        for (int i = 7; i >= 0; --i) {
          if (upward[i / 4][i % 4]) return n - 7 + i;
        }
      }
      if (bottom == start) break;
      have(start, start);
    }
    return search::last_crossing_of(*this, start, n + 1, level);  // the last few, one at a time
  }
  /// y(first + i M) for i < count (all below N): the kTaps + count - 1 pulse samples of one UI
  /// chain, then one vectorised pass (taps sit at consecutive UI offsets; the same sums as
  /// direct's, term by term).
  void ui_chain(int first, int M, int count, float* out) const {
    float chain[search::kMaxChainedDfe + kTaps - 1];
    const float* at = ext_ + (first - offset_[kTaps - 1]);  // p(first - o_max), then one UI on
    for (int j = 0; j < count + kTaps - 1; ++j) chain[j] = at[j * M];
    const float* src[kTaps];
    for (int k = 0; k < kTaps; ++k) src[k] = chain + (kTaps - 1 - k);
    combine<kTaps>(out, src, tap_, count);
  }
  /// As search::mm_point_of, the metrics computed in one vectorised pass where the range lies
  /// in the samples.
  int mm_point(int crossing, int M, float b1) const {
    const int n = 2 * M + 1;
    if (!have(crossing - M, crossing + 3 * M) || n > kMaxWindow) return search::mm_point_of(*this, crossing, M, b1);
    const float* early = values_ + (crossing - M - lo_);
    const float* now = early + M;
    const float* late = now + M;
    float* metric = metric_;
    int m = 0;
    for (; m + 4 <= n; m += 4) {
      const Floats4 metrics = mm_metric(load4(early + m), load4(now + m), load4(late + m), b1);
      std::memcpy(metric + m, &metrics, sizeof metrics);
    }
    for (; m < n; ++m) metric[m] = mm_metric(early[m], now[m], late[m], b1);
    return crossing + first_extreme<false>(metric, n);
  }

 private:
  /// Samples from .. end - 1 into out[0 ..]; their largest.
  float sample_range(int from, int end, float* out) const {
    const float* src[kTaps];
    for (int k = 0; k < kTaps; ++k) src[k] = ext_ + (from - offset_[k]);
    return combine<kTaps>(out, src, tap_, end - from);
  }
  /// Computes samples from .. end - 1 of the window; their largest.
  float fill(int from, int end) const { return sample_range(from, end, values_ + (from - lo_)); }
  /// Whether lo .. hi lie in the window; if so, computes the side(s) of it they reach.
  bool have(int lo, int hi) const {
    if (lo < lo_ || hi >= lo_ + len_) return false;
    if (lo < done_lo_) {
      fill(lo_, done_lo_);
      done_lo_ = lo_;
    }
    if (hi >= done_end_) {
      fill(done_end_, lo_ + len_);
      done_end_ = lo_ + len_;
    }
    return true;
  }
  [[gnu::noinline]] float direct(int s) const {
    float y = 0.0f;
    for (int k = 0; k < kTaps; ++k) y += tap_[k] * ext_[s - offset_[k]];
    return y;
  }

  const float* ext_;
  int offset_[kTaps];  ///< o_k M (the table's pulse extension does the wrapping)
  int lo_, len_;
  int peak_lo_, peak_hi_;  ///< the peak window, -1 when outside the samples
  float peak_max_ = -INFINITY;
  float tap_[kTaps] = {};
  mutable int done_lo_ = 0, done_end_ = 0;  ///< the samples computed for these taps
  mutable float values_[kMaxWindow];
  mutable float metric_[kMaxWindow];
  mutable float scratch_[kMaxWindow];  ///< a range outside values_
};

/// The sampler of one CTLE setting's pulse: the narrow peak window and one UI either side,
/// inside the pulse.
template <int kTaps>
WindowedPulse<kTaps> window_around_peak(const search::CtleView& c, const search::VariantView& v) {
  const int lo = std::max(0, c.narrow_lo - v.M), hi = std::min(v.N - 1, c.narrow_hi + v.M);
  return WindowedPulse<kTaps>(c.pulse, v.offset, lo, hi - lo + 1, c.narrow_lo, c.narrow_hi);
}

}  // namespace eyesweep::cpu
