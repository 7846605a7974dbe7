// From a transfer function on a file's frequency points to the sampled impulse and pulse
// responses the COM method works with (the IEEE script's s21_to_impulse_DC and its
// M-sample moving sum).
#pragma once

#include <complex>
#include <span>
#include <vector>

#include "host/com_config.hpp"

namespace eyesweep {

struct ImpulseResponse {
  double dt_ns = 0.0;             ///< sample spacing (T / M)
  std::vector<double> samples;    ///< h[n] dt: sums to the DC gain; truncated at the end
};

/// Resamples H (at `f_GHz`) onto 0 .. 1/(2 dt) with the file's frequency step, extends the
/// band per `policy`, takes the real inverse FFT and truncates after the last sample whose
/// magnitude exceeds `truncation_threshold` times the peak. `what` names the channel in errors.
ImpulseResponse impulse_response(std::span<const std::complex<double>> H,
                                 std::span<const double> f_GHz, double dt_ns,
                                 BandExtension policy, double truncation_threshold,
                                 const char* what);

/// Pulse response of a one-UI rectangle: the running sum of M consecutive impulse samples
/// (MATLAB filter(ones(1, M), 1, h)), same length as the impulse response.
std::vector<double> pulse_from_impulse(std::span<const double> impulse, int samples_per_ui);

}  // namespace eyesweep
