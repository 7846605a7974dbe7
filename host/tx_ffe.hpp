// A UI-spaced FFE applied to a sampled pulse as the IEEE script applies it (its FFE / circshift):
// sbr(n) = sum_k c_k p((n - o_k M) mod N) for taps c_k at UI offsets o_k, on a pulse of N
// samples at M samples per UI. The Tx FFE and the Rx FFE alike; one implementation for the
// search and the final analysis.
#pragma once

#include <cstddef>
#include <vector>

#include "host/eq_grid.hpp"

namespace eyesweep {

class CircularFfe {
 public:
  /// For pulses of `length` samples; the taps are laid out as `grid`.
  CircularFfe(const TxGrid& grid, int samples_per_ui, std::size_t length);
  /// For `num_taps` taps at UI offsets first_offset, first_offset + 1, ...
  CircularFfe(int first_offset, std::size_t num_taps, int samples_per_ui, std::size_t length);

  /// sbr(n) for 0 <= n < length.
  double at(const std::vector<double>& pulse, const double* taps, std::ptrdiff_t n) const;

  /// out[j] = sbr(first + j), j < count, with 0 <= first and first + count <= length; one
  /// contiguous pass per tap.
  void window(const std::vector<double>& pulse, const double* taps, std::ptrdiff_t first,
              std::ptrdiff_t count, double* out) const;

  /// The whole equalised pulse.
  std::vector<double> apply(const std::vector<double>& pulse, const double* taps) const;

  std::size_t length() const { return static_cast<std::size_t>(length_); }

 private:
  std::ptrdiff_t length_;
  std::vector<std::ptrdiff_t> shifts_;  ///< per tap, (o_k M) mod N, in [0, N)
};

}  // namespace eyesweep
