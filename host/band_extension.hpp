// Bringing a transfer function measured on a file's frequency points onto the analysis grid
// 0 .. f_max: interpolation inside the band, a DC point, and extension above the last
// measured frequency (com-reference.md section 1).
#pragma once

#include <complex>
#include <span>
#include <vector>

#include "host/com_config.hpp"

namespace eyesweep {

/// Resamples H (given at strictly increasing `f_in`, any unit) onto `f_out` (same unit,
/// starting at 0 and increasing) with the chosen policy:
///  - matlab_trend (the IEEE script's interp_Sparam with its default policies): magnitude
///    linearly interpolated, extended to DC by a line fitted to the first 10 points and to
///    f_out.back() by a line fitted to the upper half of the band (clamped to [eps, |H_last|]);
///    unwrapped phase linearly interpolated and extrapolated (with the script's
///    robust group-delay trends when the data do not start at DC).
///  - hold_and_taper (PyChOpMarg): in-band points tapered by a raised cosine over the band,
///    the last value held above it.
/// Throws InputError naming `what` if the phase rises on average (an anti-causal response,
/// which the IEEE script also refuses).
std::vector<std::complex<double>> extend_to_grid(std::span<const std::complex<double>> H,
                                                 std::span<const double> f_in,
                                                 std::span<const double> f_out,
                                                 BandExtension policy, const char* what);

}  // namespace eyesweep
