// How the per-(variant, CTLE setting) tables of a batch lie in three flat arrays (floats,
// doubles, ints), one fixed-size record per (variant, CTLE), so that a batch moves to the
// device in three copies and host and device build the same views from it.
#pragma once

#include "kernels/common/host_device.hpp"
#include "kernels/search_point.hpp"

namespace eyesweep::search {

struct TableLayout {
  int pulse_len = 0;   ///< longest pulse of the batch (samples)
  int pulse_pad = 0;   ///< circular extension on either side, >= max_k |o_k M|
  int block_len = 0;   ///< cursor positions with an ISI form
  int M = 0;           ///< samples per UI
  int gram = 0;        ///< packed entries of one Gram matrix
  int fext_len = 0;    ///< cosine moments, or the most crosstalk frequencies (direct sum)

  // float record: extended pulse, outlier bounds, rest bound
  ES_HD long long pulse_floats() const { return pulse_len + 2LL * pulse_pad; }
  ES_HD long long floats() const { return pulse_floats() + kMaxOutliers + 1; }
  // double record: ISI forms, jitter forms, crosstalk moments, sigma_N^2, NEXT power
  ES_HD long long doubles() const { return static_cast<long long>(block_len + M) * gram + fext_len + 2; }
  // int record: narrow_lo, narrow_hi, num_outliers, block_lo, block_len, outliers, jitter edges
  ES_HD long long ints() const { return 5 + kMaxOutliers + M; }
};

/// Offsets inside the int record.
enum IntField : int { kNarrowLo = 0, kNarrowHi = 1, kNumOutliers = 2, kBlockLo = 3, kBlockLen = 4, kOutliers = 5 };

/// The view of record `r`.
ES_HD inline CtleView ctle_view(const TableLayout& t, const float* floats, const double* doubles, const int* ints,
                                long long r) {
  const float* f = floats + r * t.floats();
  const double* d = doubles + r * t.doubles();
  const int* i = ints + r * t.ints();
  CtleView c;
  c.pulse = f + t.pulse_pad;
  c.outlier_bound = f + t.pulse_floats();
  c.rest_bound = f[t.pulse_floats() + kMaxOutliers];
  c.isi_gram = d;
  c.jitter_gram = d + static_cast<long long>(t.block_len) * t.gram;
  c.fext = c.jitter_gram + static_cast<long long>(t.M) * t.gram;
  c.noise2 = c.fext[t.fext_len];
  c.next_power = c.fext[t.fext_len + 1];
  c.narrow_lo = i[kNarrowLo];
  c.narrow_hi = i[kNarrowHi];
  c.num_outliers = i[kNumOutliers];
  c.block_lo = i[kBlockLo];
  c.block_len = i[kBlockLen];
  c.outlier_pos = i + kOutliers;
  c.jitter_edge = i + kOutliers + kMaxOutliers;
  return c;
}

}  // namespace eyesweep::search
