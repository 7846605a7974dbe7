// A parametric channel set: a victim THRU built from the Annex 93A elements (shunt via
// capacitance, transmission line, shunt via capacitance) and FEXT / NEXT aggressors derived
// from it by closed-form coupling laws. It stands in for Touchstone files wherever many
// random but plausible channels are needed (cross-engine tests): the COM engines take the
// result exactly as they take loaded files.
#pragma once

#include <vector>

#include "host/case_responses.hpp"
#include "host/com_config.hpp"

namespace eyesweep {

/// The parameters of a parametric channel set. Units as in the COM sheets: mm, GHz, nF, ohm.
struct ParametricChannel {
  /// Victim line length (mm); also the coupled length of the NEXT aggressors.
  double length_mm = 250.0;
  /// Annex 93A line per mm. The default loss coefficients are the Annex 93A reference
  /// package trace (802.3bj sheets), about 0.11 dB/mm at 26.5625 GHz: 250 mm is a
  /// KR-class channel of about 28 dB.
  LineModel line{0.0, 1.734e-3, 1.455e-4, 6.141e-3};
  /// Differential impedance of the line (ohm); 2 R0 makes it matched.
  double Z_c_ohm = 100.0;
  /// Shunt capacitance (nF) at each end of the line (vias, connectors), single-ended
  /// reference R0, as the sheets' C_p and C_0.
  double via_C_nF = 0.0;
  /// Single-ended reference impedance (ohm) of the S-parameters.
  double R0_ohm = 50.0;
  /// Number of FEXT and NEXT aggressors.
  int num_fext = 3, num_next = 3;
  /// FEXT transfer relative to the THRU at f_ref_GHz: |FEXT(f)| = k_f (f / f_ref) |S21(f)|,
  /// S21 of the THRU (far-end coupling grows with frequency and sees the through loss).
  double fext_coupling = 0.02;
  /// NEXT: |NEXT(f)| = k_n |1 - exp(-2 gamma(f) length)|, the backward coupling over the
  /// coupled length's round trip; it saturates at k_n once that round trip is lossy.
  double next_coupling = 0.01;
  /// Reference frequency of the FEXT coupling (GHz), normally the Nyquist frequency f_b / 2.
  double f_ref_GHz = 26.5625;
  /// Frequency grid (GHz): f_k = k f_step for k = 0 .. floor(f_max / f_step), DC included
  /// as in many measured files.
  double f_step_GHz = 0.01, f_max_GHz = 50.0;
};

/// The channel set of `p`: THRU first, then num_fext FEXT, then num_next NEXT aggressors,
/// named parametric_thru, parametric_fext1 .., parametric_next1 .. (input.path and
/// network.source). Aggressor i (1-based, counted per kind) is scaled by 1 / (1 + 0.3 (i - 1))
/// and delayed by i * 5 ps so that no two are identical. Every channel shares the THRU's
/// sdd11 / sdd22 (the cascade of via capacitance, line, via capacitance) and is reciprocal
/// (sdd12 = sdd21). Throws InputError naming the field on an invalid parameter.
std::vector<LoadedChannel> parametric_channel_set(const ParametricChannel& p);

}  // namespace eyesweep
