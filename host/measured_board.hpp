// Boards of the linear-drive link measured in Touchstone files ([[tx_boards]], [[rx_boards]]
// of a sweep): read, converted to differential 2-ports with their port order, and resampled
// onto the link's frequency grid so that they replace its line-model boards.
#pragma once

#include <vector>

#include "host/com_config.hpp"
#include "host/lpo_link.hpp"
#include "io/sweep_spec.hpp"

namespace eyesweep {

/// Reads a board's THRU and crosstalk files (port order: the set's, else the host sheet's)
/// and resamples every differential 2-port onto `f_GHz` (from DC, increasing). Transmission
/// terms (S21, S12) take the host's band extension, as the COM engines treat measured
/// channels (interpolation of magnitude and unwrapped phase, trends to DC and beyond the last
/// measured frequency); reflections (S11, S22) are interpolated linearly in-band and hold
/// their first and last measured values outside it. Throws InputError naming the file.
MeasuredBoard load_measured_board(const ChannelFileSet& files, const ComConfig& host, const std::vector<double>& f_GHz);

}  // namespace eyesweep
