// See eye_datasets.hpp.
#include "host/eye_datasets.hpp"

#include <algorithm>
#include <vector>

namespace eyesweep {
namespace {

ColumnSpec spec(std::string path, std::size_t width, std::string units, std::string description) {
  ColumnSpec s;
  s.path = std::move(path);
  s.width = std::max<std::size_t>(width, 1);
  s.units = std::move(units);
  s.description = std::move(description);
  return s;
}

}  // namespace

DatasetGroup eye_group(const std::string& path, const StatEye& eye, const EyeInputs& inputs,
                       std::span<const double> unequalized_pulse, const EyeProvenance& provenance) {
  const std::size_t P = eye.map.phase_UI.size(), B = eye.map.voltage_V.size();
  const std::size_t L = static_cast<std::size_t>(eye.map.levels), S = eye.sub_eyes.size(), T = eye.targets.size();
  DatasetGroup g;
  g.path = path;
  auto add = [&g](ColumnSpec s, std::vector<double> values) { g.datasets.emplace_back(std::move(s), std::move(values)); };

  add(spec("phase_UI", 1, "UI", "sampling phase offset from t_s"), eye.map.phase_UI);
  add(spec("voltage_V", 1, "V", "voltage of each bin"), eye.map.voltage_V);
  add(spec("error_ratio", B, "", "error ratio at (phase, voltage): adjacent levels' one-sided tails summed"),
      eye.map.ratio);
  add(spec("level_means_V", L, "V", "mean received voltage of each level at each phase"), eye.map.level_means_V);
  add(spec("targets", 1, "", "target error ratios, largest first"), eye.targets);

  std::vector<double> best_phase, threshold, min_ratio, height_der0, vec, height(T * S), width(T * S);
  std::vector<double> lower(T * S * P), upper(T * S * P), vertical, horizontal;
  for (std::size_t s = 0; s < S; ++s) {
    const SubEye& e = eye.sub_eyes[s];
    best_phase.push_back(e.best_phase_UI);
    threshold.push_back(e.threshold_V);
    min_ratio.push_back(e.min_ratio);
    height_der0.push_back(e.height_der0_V);
    vec.push_back(e.vec_dB);
    for (std::size_t t = 0; t < T; ++t) {
      height[t * S + s] = e.height_V[t];
      width[t * S + s] = e.width_UI[t];
      std::copy_n(e.contour_lower_V.begin() + static_cast<std::ptrdiff_t>(t * P), P, lower.begin() + static_cast<std::ptrdiff_t>((t * S + s) * P));
      std::copy_n(e.contour_upper_V.begin() + static_cast<std::ptrdiff_t>(t * P), P, upper.begin() + static_cast<std::ptrdiff_t>((t * S + s) * P));
    }
    vertical.insert(vertical.end(), e.vertical_bathtub.begin(), e.vertical_bathtub.end());
    horizontal.insert(horizontal.end(), e.horizontal_bathtub.begin(), e.horizontal_bathtub.end());
  }
  add(spec("best_phase_UI", 1, "UI", "phase of each sub-eye's greatest opening at DER_0"), best_phase);
  add(spec("threshold_V", 1, "V", "optimal decision threshold of each sub-eye"), threshold);
  add(spec("min_ratio", 1, "", "error ratio at each sub-eye's best phase and threshold"), min_ratio);
  add(spec("height_der0_V", 1, "V", "sub-eye height at DER_0"), height_der0);
  add(spec("vec_dB", 1, "dB", "sub-eye vertical eye closure"), vec);
  add(spec("height_V", S, "V", "sub-eye height at each target [target, sub-eye]"), height);
  add(spec("width_UI", S, "UI", "sub-eye width at each target [target, sub-eye]"), width);
  add(spec("contour_lower_V", P, "V", "lower contour edge, row target * S + sub-eye; NaN where closed"), lower);
  add(spec("contour_upper_V", P, "V", "upper contour edge, row target * S + sub-eye; NaN where closed"), upper);
  add(spec("vertical_bathtub", B, "", "error ratio at the best phase against voltage [sub-eye, bin]"), vertical);
  add(spec("horizontal_bathtub", P, "", "error ratio at the threshold against phase [sub-eye, phase]"), horizontal);

  const ComNoiseInputs& ch = inputs.channel;
  const auto m = static_cast<double>(ch.samples_per_ui);
  const std::size_t n = std::max(unequalized_pulse.size(), ch.victim_pulse.size());
  std::vector<double> time(n), before(n, 0.0), after(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    time[i] = (static_cast<double>(i) - static_cast<double>(ch.cursor_index)) / m;
    if (i < unequalized_pulse.size()) before[i] = unequalized_pulse[i];
    if (i < ch.victim_pulse.size()) after[i] = ch.victim_pulse[i];
  }
  add(spec("pulse_time_UI", 1, "UI", "time of the pulse samples, 0 at t_s"), time);
  add(spec("pulse_unequalized_V", 1, "V", "victim pulse response before equalisation"), before);
  add(spec("pulse_equalized_V", 1, "V", "victim pulse after Tx FFE and CTLE (before the DFE)"), after);

  g.attributes = {{"levels", static_cast<std::int64_t>(L)},
                  {"r_lm", eye.r_lm},
                  {"der0", eye.der0},
                  {"samples_per_ui", static_cast<std::int64_t>(ch.samples_per_ui)},
                  {"engine", eye.engine},
                  {"crosstalk", std::string(to_string(provenance.options.crosstalk))},
                  {"jitter", std::string(to_string(provenance.options.jitter))},
                  {"channel", provenance.channel},
                  {"package_case", static_cast<std::int64_t>(provenance.package_case + 1)},
                  {"com_dB", provenance.com_dB},
                  {"height_der0_V", eye.height_der0_V},
                  {"vec_dB", eye.vec_dB}};
  if (provenance.variant) g.attributes["variant"] = static_cast<std::int64_t>(*provenance.variant);
  return g;
}

}  // namespace eyesweep
