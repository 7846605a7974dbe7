// Circular Tx FFE; see tx_ffe.hpp.
#include "host/tx_ffe.hpp"

#include <algorithm>

#include "kernels/common/error.hpp"

namespace eyesweep {

CircularFfe::CircularFfe(const TxGrid& grid, int samples_per_ui, std::size_t length)
    : CircularFfe(grid.first_offset, grid.num_taps, samples_per_ui, length) {}

CircularFfe::CircularFfe(int first_offset, std::size_t num_taps, int samples_per_ui, std::size_t length)
    : length_(static_cast<std::ptrdiff_t>(length)) {
  ES_EXPECTS(length > 0, "empty pulse");
  for (std::size_t k = 0; k < num_taps; ++k) {
    const std::ptrdiff_t shift = (first_offset + static_cast<std::ptrdiff_t>(k)) * samples_per_ui;
    shifts_.push_back(((shift % length_) + length_) % length_);  // any shift, as circshift
  }
}

double CircularFfe::at(const std::vector<double>& pulse, const double* taps, std::ptrdiff_t n) const {
  double s = 0.0;
  for (std::size_t k = 0; k < shifts_.size(); ++k) {
    std::ptrdiff_t idx = n - shifts_[k];  // in (-N, N): one wrap at most
    if (idx < 0) idx += length_;
    s += taps[k] * pulse[static_cast<std::size_t>(idx)];
  }
  return s;
}

void CircularFfe::window(const std::vector<double>& pulse, const double* taps, std::ptrdiff_t first,
                         std::ptrdiff_t count, double* out) const {
  ES_EXPECTS(first >= 0 && first + count <= length_, "window outside the pulse");
  std::fill(out, out + count, 0.0);
  for (std::size_t k = 0; k < shifts_.size(); ++k) {
    const double c = taps[k];
    std::ptrdiff_t j = 0;
    while (j < count) {
      std::ptrdiff_t src = first + j - shifts_[k];
      if (src < 0) src += length_;
      const std::ptrdiff_t run = std::min(count - j, length_ - src);  // >= 1: src < N
      const double* from = pulse.data() + src;
      for (std::ptrdiff_t r = 0; r < run; ++r) out[j + r] += c * from[r];
      j += run;
    }
  }
}

std::vector<double> CircularFfe::apply(const std::vector<double>& pulse, const double* taps) const {
  ES_EXPECTS(static_cast<std::ptrdiff_t>(pulse.size()) == length_, "pulse length differs from the plan's");
  std::vector<double> out(pulse.size());
  window(pulse, taps, 0, length_, out.data());
  return out;
}

}  // namespace eyesweep
