// Placement of floating DFE tap groups inside the per-point search: the IEEE script's
// floatingDFE_DEVELOPMENT / findbankloc_DEVELOPMENT, as host/floating_dfe.cpp reproduces it
// step for step, rewritten with fixed-size arrays and no allocation for the CPU engine's
// search loop (the CUDA engine does not search floating groups yet: see search_point.hpp).
// tests/test_floating_dfe.cpp holds the two to the same placements on random pulses;
// host/floating_dfe.cpp stays the readable, line-by-line reading of the script. Indices are
// 1-based like the script's.
#pragma once

#include <cmath>

namespace eyesweep::search {

inline constexpr int kMaxFloatingSpan = 256;  ///< N_f - N_b: taps a group may land on
inline constexpr int kMaxFloatingTaps = 64;   ///< N_bg x N_bf

/// The floating-group rules of a receiver (0 groups: none).
struct FloatingGroups {
  int groups = 0;         ///< N_bg
  int bank = 0;           ///< N_bf taps per group
  int first = 0;          ///< N_b + 1: the first tap a group may take (1-based)
  int last = 0;           ///< N_f: the last
  double limit = 0.0;     ///< bmaxg, relative to the cursor
};

namespace detail {

/// The script's ndiff: a MATLAB vector that grows with zeros when written past its end.
struct GrowingVector {
  double v[kMaxFloatingSpan];
  int size;
  double& at(int i) {  // 1-based
    while (size < i) v[size++] = 0.0;
    return v[i - 1];
  }
};

/// [~, order] = sort(v, 'descend'): 1-based indices, ties in index order (insertion sort:
/// the vectors are a few dozen long).
inline int sort_descending(const GrowingVector& v, int* order) {
  for (int i = 0; i < v.size; ++i) {
    int j = i;
    while (j > 0 && v.v[order[j - 1] - 1] < v.v[i]) {
      order[j] = order[j - 1];
      --j;
    }
    order[j] = i + 1;
  }
  return v.size;
}

inline bool contains(const int* v, int n, int x) {
  for (int i = 0; i < n; ++i) {
    if (v[i] == x) return true;
  }
  return false;
}

}  // namespace detail

/// The 1-based taps of the floating groups, ascending and distinct, written to `taps`
/// (kMaxFloatingTaps); returns how many. `postcursor(n)` is h(t_s + n T) for n >= 1 (zero
/// past the pulse); `cursor` is h(t_s). Needs last - first + 1 <= kMaxFloatingSpan and
/// groups x bank <= kMaxFloatingTaps (the engines check both before searching).
template <typename Postcursor>
int place_floating_groups(const FloatingGroups& fg, const Postcursor& postcursor, double cursor, int* taps) {
  if (fg.groups <= 0 || fg.last < fg.first) return 0;
  const int len = fg.last - fg.first + 1, bank = fg.bank, groups = fg.groups;
  const int windows = len - bank + 1;
  double h[kMaxFloatingSpan];  // |h(t_s + n T)|, n = first .. last: each sample once
  for (int i = 0; i < len; ++i) h[i] = fabs(postcursor(fg.first + i));
  // Energy a group starting at each window would remove, each tap limited to bmaxg h(t_s).
  detail::GrowingVector ndiff;
  ndiff.size = windows > 0 ? windows : 0;
  for (int i = 0; i < ndiff.size; ++i) {
    double h0 = 0.0, h1 = 0.0;
    for (int k = 0; k < bank; ++k) {
      const double a = h[i + k];
      const double over = a - fg.limit * cursor;
      h0 += a * a;
      h1 += over > 0.0 ? over * over : 0.0;
    }
    ndiff.v[i] = h0 - h1;
  }

  int idx[kMaxFloatingTaps];
  const int n_idx = bank * groups;
  for (int i = 0; i < n_idx; ++i) idx[i] = 0;
  int order[kMaxFloatingSpan];
  const int ordered = (groups - 1) * bank + 1;
  int set_next_bank = 0;
  for (int k = 1; k <= groups; ++k) {
    if (k == groups && k > 1 && set_next_bank == 0) {
      // The last bank starts at the best window: the sort's first, the first of equals.
      if (ndiff.size == 0) return 0;
      int best = 1;
      for (int i = 2; i <= ndiff.size; ++i) best = ndiff.v[i - 1] > ndiff.v[best - 1] ? i : best;
      for (int i = 0; i < bank; ++i) idx[(k - 1) * bank + i] = best + i;
      break;
    }
    int n_order = detail::sort_descending(ndiff, order);
    if (k == 1 && n_order >= ordered) {
      // The best windows are exactly the first ones: contiguous groups right after the fixed taps.
      int highest = 0;
      for (int i = 0; i < ordered; ++i) highest = order[i] > highest ? order[i] : highest;
      if (highest == ordered) {
        int count = 0;
        for (int t = 1; t <= n_idx && t <= len; ++t) taps[count++] = t + fg.first - 1;
        return count;
      }
    }
    int start = 0;  // the new bank: start .. start + bank - 1
    if (set_next_bank > 0) {
      start = set_next_bank;
      set_next_bank = 0;
      for (int i = 0; i < bank; ++i) idx[(k - 1) * bank + i] = start + i;
      for (int i = 0; i < bank; ++i) ndiff.at(start + i) = 0.0;
      for (int b = start - bank + 1 > 1 ? start - bank + 1 : 1; b <= start - 1; ++b) ndiff.at(b) = 0.0;
      continue;
    }
    if (n_order == 0) return 0;  // no window (N_f - N_b < N_bf): the engines refuse such a receiver
    start = order[0];
    if (k == groups) {
      for (int i = 0; i < bank; ++i) idx[(k - 1) * bank + i] = start + i;
      break;
    }
    // Windows just before the new bank that would overlap it (the script's badV), less the
    // taps already placed.
    int bad[kMaxFloatingTaps];
    int n_bad = 0;
    bool again = true, first_time = true;
    while (again) {
      again = false;
      n_bad = 0;
      for (int b = start - bank + 1 > 1 ? start - bank + 1 : 1; b <= start - 1; ++b) {
        if (!detail::contains(idx, n_idx, b)) bad[n_bad++] = b;
      }
      const int good = start - bank;
      if (n_bad == 0) continue;
      if (!first_time) n_order = detail::sort_descending(ndiff, order);
      first_time = false;
      int min_bad_pos = n_order + 1;
      for (int i = 0; i < n_bad; ++i) {
        int pos = n_order + 1;
        for (int j = 0; j < n_order; ++j) {
          if (order[j] == bad[i]) {
            pos = j + 1;
            break;
          }
        }
        min_bad_pos = pos < min_bad_pos ? pos : min_bad_pos;
      }
      bool found_good = false;
      int ii = 1;
      for (; ii <= n_order; ++ii) {
        const int candidate = order[ii - 1];
        if (candidate == good) {
          found_good = true;
          break;
        }
        const bool in_check = detail::contains(bad, n_bad, candidate) || (candidate >= start && candidate < start + bank);
        if (!in_check) break;
      }
      if (ii > n_order) ii = n_order;  // MATLAB's loop variable keeps its last value
      if (!found_good && min_bad_pos < ii) {
        again = true;
        ndiff.at(start) = 0.0;
        start = order[1];
      }
      if (found_good) set_next_bank = good;
    }
    for (int i = 0; i < bank; ++i) ndiff.at(start + i) = 0.0;
    for (int i = 0; i < bank; ++i) idx[(k - 1) * bank + i] = start + i;
    for (int i = 0; i < n_bad; ++i) ndiff.at(bad[i]) = 0.0;
  }

  // To tap positions: inside the span only, ascending, distinct.
  int count = 0;
  for (int i = 0; i < n_idx; ++i) {
    const int t = idx[i] + fg.first - 1;
    if (t < fg.first || t > fg.last || detail::contains(taps, count, t)) continue;
    int j = count++;
    while (j > 0 && taps[j - 1] > t) {
      taps[j] = taps[j - 1];
      --j;
    }
    taps[j] = t;
  }
  return count;
}

}  // namespace eyesweep::search
