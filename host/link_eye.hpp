// The statistical eye of a link as COM equalised it: the winner of a package case (or of a
// sweep variant) turned back into the eye's inputs, and the victim's pulses before and after
// equalisation for reports and plots.
#pragma once

#include <cstddef>
#include <vector>

#include "host/com_engine.hpp"
#include "host/stat_eye.hpp"

namespace eyesweep {

struct LinkEyeInputs {
  EyeInputs eye;
  std::vector<double> unequalized_pulse_V;  ///< victim pulse before equalisation, M per UI
};

/// Rebuilds the final analysis inputs of `result` (one case of run_com or an engine's
/// variant result on configuration `cfg` and `channels`) from its winning equaliser. Throws
/// InputError when that equaliser no longer gives a valid receiver.
LinkEyeInputs winner_eye_inputs(const ComConfig& cfg, const std::vector<LoadedChannel>& channels,
                                const ComCaseResult& result);

}  // namespace eyesweep
