// Statistical eyes (the OIF StatEye method) of an equalised link: at every sampling phase
// across one UI, the distribution of the received voltage for each transmitted level, from
// the exact discrete distribution of the residual ISI (after the DFE), the crosstalk
// aggressors, Gaussian noise and jitter; from it the error-ratio map, contours, eye heights
// and widths of every sub-eye, bathtub curves, VEC and the optimal decision thresholds.
//
// Definitions (docs/statistical-eye.md has the derivations):
// - Phases are offsets from the COM sampling point t_s, phase_UI[j] = (j - P/2) / P, so t_s
//   is phase P/2 and the window is [-0.5, 0.5) UI. Pulses are linearly interpolated between
//   their M samples per UI.
// - Levels (normalised, outer levels at +-1): NRZ {-1, 1}; PAM4 {-1, -a, a, 1} with
//   a = (2 - R_LM) / 3, the 802.3 level-separation mismatch ratio R_LM = min(3 ES, 2 - 3 ES)
//   with ES1 = ES2 = a (outer sub-eyes compressed, R_LM <= 1); other L uniform. The cursor and
//   every ISI and crosstalk symbol take these levels; the DFE cancels b(n) h(t_s) x.
// - The error ratio at (phase, v), for v between the means of adjacent levels k and k + 1,
//   is P(level k lands above v) + P(level k + 1 lands below v): the two one-sided
//   conditional tails that COM's DER_0 bounds one at a time, so a contour at p sits where
//   COM's A_ni at DER_0 = p would put the eye's edge (the opposite tail is negligible there).
//   For an NRZ slicer at v the bit error ratio is half of it. Below the lowest level's mean the
//   map holds P(lowest level lands below v), above the highest P(highest lands above v).
// - Jitter, by default, mixes phases: the tails at phase t are averaged over the timing
//   distribution (dual-Dirac +-A_DD convolved with a Gaussian sigma_RJ); `linearised` instead
//   turns jitter into voltage noise through the pulse slope as COM does (for comparison).
// - Crosstalk aggressors are sampled at the victim's phase (a common clock) by default;
//   `worst_phase` uses each aggressor's worst phase at every victim phase, as COM does.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/com_pdf.hpp"

namespace eyesweep {

enum class EyeCrosstalk { synchronous, worst_phase };
enum class EyeJitter { phase_mixing, linearised };

/// "synchronous" / "worst_phase" and "phase_mixing" / "linearised"; InputError naming
/// `option` otherwise.
EyeCrosstalk parse_eye_crosstalk(std::string_view text, std::string_view option);
EyeJitter parse_eye_jitter(std::string_view text, std::string_view option);
std::string_view to_string(EyeCrosstalk mode);
std::string_view to_string(EyeJitter mode);

struct EyeOptions {
  int phases = 64;                  ///< P, sampling phases across one UI (even, >= 2)
  int voltage_bins = 2048;          ///< B, bins of the error-ratio map
  /// Half-range of the map (V); 0 = 1.25 x the largest cursor amplitude over the phases.
  double voltage_half_range = 0.0;
  /// Error ratios of the contours, heights and widths; DER_0 is added when missing. Sorted
  /// from the largest down in the result.
  std::vector<double> target_ratios = {1e-3, 1e-6, 1e-9, 1e-12, 1e-15};
  EyeCrosstalk crosstalk = EyeCrosstalk::synchronous;
  EyeJitter jitter = EyeJitter::phase_mixing;
};

/// The smallest error ratio the maps resolve: the fast engines drop masses below 1e-30 per
/// variable (kernels/eye/eye_phase.hpp), so digits below it differ between engines. Log-ratio
/// interpolation floors both ends here, so such digits never move an edge.
constexpr double kResolvedErrorRatio = 1e-30;

/// The smallest target error ratio accepted: well above kResolvedErrorRatio, where the maps of
/// every engine agree (dropped masses add up to about 1e-27 over a thousand variables).
constexpr double kSmallestTargetRatio = 1e-20;

/// InputError naming the option when phases, bins, voltage range or a target is out of range.
void check_eye_options(const EyeOptions& options);

/// What an eye is computed from: the inputs of COM's final analysis for the chosen equaliser
/// (equalised victim and aggressor pulses, cursor index, DFE taps, Gaussian noise terms,
/// jitter, L, DER_0) and R_LM.
struct EyeInputs {
  ComNoiseInputs channel;
  double r_lm = 1.0;
};

/// Normalised level values, lowest first (see the file comment).
std::vector<double> eye_levels(int levels, double r_lm);

/// The map's grid and the jitter's timing distribution, shared by every eye engine.
struct EyeGrid {
  int phases = 0;                    ///< P
  int bins = 0;                      ///< B
  double bin_V = 0.0;                ///< voltage step; voltage_V(j) = (j - B/2) bin_V
  /// Phase offsets m = -pad..pad (in steps of 1/P UI) the jitter mixes, and their weights
  /// (sum 1); pad = 0 and weight {1} without jitter or when linearised.
  int pad = 0;
  std::vector<double> timing_weights;
  /// worst_phase crosstalk: each aggressor's worst phase (0..M-1, COM's rule); else empty.
  std::vector<int> aggressor_phases;
  double voltage_V(int j) const { return (j - bins / 2) * bin_V; }
  double phase_UI(int j) const { return static_cast<double>(j - phases / 2) / phases; }
};

/// Validates the options (InputError naming the option) and builds the grid for `in`.
EyeGrid make_eye_grid(const EyeInputs& in, const EyeOptions& options);

/// The pulse at a fractional sample position, linearly interpolated; 0 outside the pulse.
double pulse_at(std::span<const double> pulse, double position);

/// What every eye engine convolves at one phase (offset `phase_steps` / P UI from t_s, any
/// integer: the jitter needs phases beyond the UI): the cursor, the amplitudes a of the
/// independent discrete variables a x (x over eye_levels, each 1/L: the victim's residual ISI
/// after the DFE at every UI of the pulse, then every aggressor's samples), in linearised
/// jitter mode the dual-Dirac variables A_DD h_J (x over COM's nominal levels), and the
/// Gaussian sigma: sigma_TX, sigma_N, linearised random jitter, and every variable smaller
/// than a quarter bin, by its variance (binned, it would be a delta at 0).
struct EyePhaseSamples {
  double cursor_V = 0.0;
  std::vector<double> level_variables_V;
  std::vector<double> nominal_variables_V;
  double gaussian_sigma_V = 0.0;
};
EyePhaseSamples eye_phase_samples(const EyeInputs& in, const EyeOptions& options, const EyeGrid& grid,
                                  int phase_steps);
/// The same into `s`, whose vectors are reused: the fast engines' planners call it at every phase.
void eye_phase_samples(const EyeInputs& in, const EyeOptions& options, const EyeGrid& grid, int phase_steps,
                       EyePhaseSamples& s);

/// The error-ratio map an engine produces, before measurement.
struct EyeMap {
  int levels = 2;
  std::vector<double> phase_UI;      ///< P
  std::vector<double> voltage_V;     ///< B
  std::vector<double> ratio;         ///< P x B, row-major [phase][bin]
  std::vector<double> level_means_V; ///< P x L, [phase][level], after jitter mixing
};

/// The map from an engine's per-phase tails: for each extended phase e = 0 .. P + 2 pad - 1
/// (offset e - pad - P/2 steps from t_s) and level k, P(level lands above / below v) at every
/// map voltage ([e][k][bin]) and the level's mean ([e][k]). Mixes them over the timing
/// weights and combines adjacent levels' tails as the file comment defines.
EyeMap assemble_eye_map(const EyeGrid& grid, int levels, std::span<const double> above,
                        std::span<const double> below, std::span<const double> means);

/// One sub-eye (between levels k and k + 1) measured on the map.
struct SubEye {
  /// The phase with the greatest opening at DER_0 (nearest t_s on ties; where closed at
  /// DER_0 everywhere, the phase of the lowest error ratio).
  double best_phase_UI = 0.0;
  /// The optimal decision threshold: the lowest error ratio at best_phase (the middle of
  /// the run of equal lowest values, e.g. of zeros).
  double threshold_V = 0.0;
  double min_ratio = 0.0;            ///< the error ratio there
  std::vector<double> height_V;      ///< per target: the greatest opening over the phases (0 if closed)
  std::vector<double> width_UI;      ///< per target: extent of phases around best_phase with ratio <= target at threshold_V
  /// Per target and phase, [target][phase]: the edges of the opening around the phase's
  /// lowest ratio, interpolated in log ratio between bins; NaN where closed.
  std::vector<double> contour_lower_V, contour_upper_V;
  std::vector<double> vertical_bathtub;    ///< B: ratio at best_phase against voltage
  std::vector<double> horizontal_bathtub;  ///< P: ratio at threshold_V against phase
  double height_der0_V = 0.0;        ///< height_V at DER_0
  /// 20 log10(level separation / height at DER_0) at best_phase: COM's VEC for this
  /// sub-eye (the script's eps cap when closed).
  double vec_dB = 0.0;
};

struct StatEye {
  EyeMap map;
  double r_lm = 1.0;
  double der0 = 0.0;
  std::vector<double> targets;       ///< T, largest first, DER_0 among them
  std::vector<SubEye> sub_eyes;      ///< L - 1, lowest first
  double height_der0_V = 0.0;        ///< smallest sub-eye height at DER_0
  double vec_dB = 0.0;               ///< largest sub-eye VEC
  std::string engine;                ///< which engine computed the map
};

/// Contours, openings, bathtubs, thresholds and VEC from a map.
StatEye measure_eye(EyeMap map, std::span<const double> targets, double der0, double r_lm);

/// The sorted target list of `options` with DER_0 added when missing.
std::vector<double> eye_targets(const EyeOptions& options, double der0);

/// The reference statistical eye, in double precision: exact discrete convolution of every
/// cursor above a quarter bin (smaller ones join the Gaussian by their variance), one phase
/// at a time. The oracle for the fast eye engines.
StatEye reference_eye(const EyeInputs& in, const EyeOptions& options);

}  // namespace eyesweep
