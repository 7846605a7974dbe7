// Transfer functions of the COM reference transmitter and receiver (com-reference.md
// section 1): Tx rise-time filter, Tx FFE, CTLE, Butterworth AFE and the optional
// Bessel-Thomson and raised-cosine stages, all on a frequency vector in GHz; plus the
// bilinear-transform CTLE the IEEE script applies to impulse responses.
#pragma once

#include <complex>
#include <span>
#include <vector>

#include "kernels/ctle_response.hpp"

namespace eyesweep {

using cplx = std::complex<double>;

/// Tx rise-time (Gaussian source) filter as the IEEE script applies it with FORCE_TR = 1:
/// exp(-2 (pi f T_r / 1.6832)^2) exp(-j 2 pi f 3 T_r), f in GHz, T_r in ns.
cplx tx_rise_time_filter(double f_GHz, double T_r_ns);

/// 4th-order Butterworth with its -3 dB point at f_3dB_GHz.
cplx butterworth4(double f_GHz, double f_3dB_GHz);

/// 4th-order Bessel-Thomson normalised to unit DC gain; `f_scale_GHz` is the frequency that
/// normalises the polynomial variable (the script uses 0.473037 f_r f_b, its -3 dB point).
cplx bessel_thomson4(double f_GHz, double f_scale_GHz);

/// Raised-cosine window: 1 below f_start, 0 above f_end, a half cosine in between.
double raised_cosine_window(double f_GHz, double f_start_GHz, double f_end_GHz);

/// Continuous-time CTLE response (both stages).
cplx ctle_response(double f_GHz, const CtleSetting& ctle);

/// The same on many frequencies (the stage gains converted once).
std::vector<cplx> ctle_response(std::span<const double> f_GHz, const CtleSetting& ctle);

/// The CTLE applied to a sampled impulse response the way the IEEE script does it: each
/// stage mapped to a biquad by the bilinear transform at the sample rate (no pre-warping).
/// `sample_rate_GHz` is 1/dt. Returns a response of the same length.
std::vector<double> ctle_filter_impulse(std::span<const double> impulse, const CtleSetting& ctle,
                                        double sample_rate_GHz);

/// Tx FFE response sum_k c_k exp(-j 2 pi f k T) with taps c[0..] at UI offsets first_offset..
cplx tx_ffe_response(double f_GHz, std::span<const double> taps, int first_offset, double f_b_GBd);

}  // namespace eyesweep
