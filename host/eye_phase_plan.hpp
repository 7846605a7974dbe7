// What the fast eye engines convolve at one phase, prepared on the host from
// eye_phase_samples (host/stat_eye.hpp) for the float arithmetic of kernels/eye/eye_phase.hpp:
// each variable's bin offsets (rounded in double, as the reference rounds them), in the order
// that keeps the PDF's support small, the fixed window, and the Gaussian.
//
// The window [-E, E]: the map reads tails at u = v - mean for every map voltage v and level
// mean, i.e. in cells |c| <= R = B/2 + ceil(|cursor| / bin) + 1, and each such tail needs the
// PDF before the Gaussian out to R + K (the Gaussian's reach). Mass past E piles into the edge
// bin; a pile made at a step where the support passed E can move back inward by at most the
// later variables' reaches, so with E >= (sum of all reaches + R + K + 1) / 2 no pile ever
// reaches the cells a tail reads and every tail is exact. E is that, at least R + K + 1 and at
// most 2 (R + K + 1): only where the reaches add up to more than 3 (R + K + 1) (a peak
// distortion of several times the map's range) could a pile come back; such tails lose their
// exactness, never their total.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "host/stat_eye.hpp"

namespace eyesweep {

struct EyePhasePlan {
  int levels = 2;                 ///< L: offsets per variable
  /// Per variable its L bin offsets, lowest level first, in convolution order: the smallest
  /// reach (its largest |offset|) first, so that the support grows slowly. The lower levels'
  /// offsets mirror the upper ones' (an exactly even PDF). Variables whose every value bins to
  /// 0 are left out (they are the identity); offsets beyond +-(2E + 1) are clipped there (reads
  /// from such bins see zeros either way, and the edge sums are the same).
  std::vector<int> offsets;
  int window = 0;                 ///< E
  int half_width = 0;             ///< h after the last variable
  /// Zero bins the reads need beyond +-h: the largest (clipped) reach, twice the Gaussian's,
  /// and kVectorPadding for the engines' vector reads.
  int padding = 0;
  int gaussian_reach = 0;         ///< K: the Gaussian's cell masses live on [-K, K]
  double gaussian_scale = 0.0;    ///< bin / (sigma sqrt 2) for gaussian_cell_mass
  std::vector<double> means_V;    ///< L: the cursor times each level

  std::size_t variables() const { return offsets.size() / static_cast<std::size_t>(levels); }
  /// Bins a buffer must hold on each side of 0: [-buffer_reach(), buffer_reach()].
  int buffer_reach() const { return half_width + padding; }
  /// Bins of the PDF after the Gaussian on each side of 0: [-tail_reach(), tail_reach()].
  int tail_reach() const { return half_width + gaussian_reach; }
};

/// Bins beyond every read an engine's vector loops may touch (a few lanes past the last bin).
constexpr int kVectorPadding = 32;

/// One eye as the fast engines run it: its grid and targets (the options checked), the plan of
/// each of its extended phases (the jitter's pad around the UI included), and its measurement.
/// The inputs and options must outlive it.
class EyePlanner {
 public:
  /// Throws InputError on bad options or inputs, as reference_eye would.
  EyePlanner(const EyeInputs& in, const EyeOptions& options);

  const EyeInputs& inputs() const { return *in_; }
  const EyeGrid& grid() const { return grid_; }
  /// P + 2 pad: the phases whose tails the map mixes.
  int extended_phases() const { return grid_.phases + 2 * grid_.pad; }
  /// The plan of extended phase e (e - pad - P/2 steps from t_s, see assemble_eye_map) into
  /// `plan`, whose buffers are reused. Throws InputError when the map's range is so small that
  /// the window would not fit an int.
  void plan(int extended_phase, EyePhasePlan& plan) const;
  /// measure_eye on the engine's map, with this eye's targets, DER_0 and R_LM.
  StatEye measure(EyeMap map, std::string_view engine) const;

 private:
  const EyeInputs* in_;
  const EyeOptions* options_;
  EyeGrid grid_;
  std::vector<double> targets_;
  std::vector<double> levels_;    ///< eye_levels: the ISI and crosstalk symbols
  std::vector<double> nominal_;   ///< COM's nominal levels: the linearised dual-Dirac symbols
};

}  // namespace eyesweep
