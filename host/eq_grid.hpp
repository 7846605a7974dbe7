// The equaliser search space of the COM reference receiver: legal Tx FFE tap combinations
// and CTLE settings, enumerated in the IEEE script's order (so that ties resolve alike).
#pragma once

#include <cstddef>
#include <vector>

#include "host/com_config.hpp"
#include "host/filters.hpp"

namespace eyesweep {

/// The most Tx FFE taps a grid may have (c(-16) .. c(16), the configuration's limits).
inline constexpr std::size_t kMaxTxTaps = 33;

/// Every legal Tx FFE combination. Tap offsets run from `first_offset` upward and include
/// the main tap (offset 0); leading and trailing positions whose only value is 0 are left
/// out, as the script does. Combinations are in the script's odometer order: the lowest
/// offset varies slowest, each range ascending.
struct TxGrid {
  int first_offset = 0;
  std::size_t num_taps = 0;            ///< taps per combination, main tap included
  std::vector<double> taps;            ///< num_combinations x num_taps, row-major
  std::size_t num_combinations() const { return num_taps ? taps.size() / num_taps : 0; }
  const double* combination(std::size_t i) const { return taps.data() + i * num_taps; }
  std::size_t main_index() const { return static_cast<std::size_t>(-first_offset); }
  std::size_t num_enumerated = 0;      ///< combinations before the c(0) >= c0_min filter
};

/// Builds the grid; c(0) = 1 - sum |c(k)|, kept when c(0) >= c0_min (with a 1e-12 tolerance
/// so that decimal ranges do not lose boundary points to rounding).
TxGrid build_tx_grid(const ComConfig& cfg);

/// CTLE settings in the script's order: g_DC outer, g_DC2 inner.
std::vector<CtleSetting> build_ctle_grid(const ComConfig& cfg);

}  // namespace eyesweep
