// Presentation of statistical eyes: the text summary and the JSON document of `eyesweep eye`.
#pragma once

#include <iosfwd>

#include <nlohmann/json.hpp>

#include "host/stat_eye.hpp"

namespace eyesweep {

/// Per sub-eye: best phase, optimal threshold, the lowest error ratio, heights and widths at
/// every target, VEC; then the eye's height at DER_0 and VEC.
void print_eye_summary(std::ostream& out, const StatEye& eye);

/// The eye's measurements (no map): targets, per sub-eye openings, thresholds, contours and
/// bathtubs; the map's axes as first/step/count. NaN (closed contours) becomes null.
nlohmann::json eye_json(const StatEye& eye);

}  // namespace eyesweep
