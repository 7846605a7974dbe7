// See eye_arguments.hpp.
#include "host/cli/eye_arguments.hpp"

namespace eyesweep {

void add_eye_options(CLI::App& command, EyeArguments& eye) {
  command.add_option("--phases", eye.phases, "eyes: sampling phases across the UI (even)")
      ->capture_default_str()
      ->check(CLI::Range(2, 4096));
  command.add_option("--bins", eye.bins, "eyes: voltage bins (even)")
      ->capture_default_str()
      ->check(CLI::Range(16, 65536));
  command.add_option("--voltage-range", eye.voltage_range_V,
                     "eyes: half-range of the voltage axis (V); 0 = 1.25 x the largest cursor across the UI")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command.add_option("--targets", eye.targets,
                     "eyes: error ratios of the contours, eye heights and widths (DER_0 is always added)")
      ->delimiter(',')
      ->capture_default_str();
  command.add_option("--crosstalk", eye.crosstalk,
                     "eyes: aggressors sampled at the victim's phase (synchronous: a common clock) or each at its "
                     "worst phase at every victim phase (worst_phase, as COM)")
      ->capture_default_str();
  command.add_option("--jitter", eye.jitter,
                     "eyes: jitter as a timing distribution mixing the phases (phase_mixing: dual-Dirac A_DD and "
                     "Gaussian sigma_RJ) or as voltage noise through the pulse slope (linearised, as COM)")
      ->capture_default_str();
}

EyeOptions eye_options(const EyeArguments& eye) {
  EyeOptions options;
  options.phases = eye.phases;
  options.voltage_bins = eye.bins;
  options.voltage_half_range = eye.voltage_range_V;
  options.target_ratios = eye.targets;
  options.crosstalk = parse_eye_crosstalk(eye.crosstalk, "--crosstalk");
  options.jitter = parse_eye_jitter(eye.jitter, "--jitter");
  check_eye_options(options);
  return options;
}

}  // namespace eyesweep
