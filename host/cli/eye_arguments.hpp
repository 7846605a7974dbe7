// The statistical-eye options shared by `eyesweep eye` and `eyesweep sweep --keep-eyes`.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "host/stat_eye.hpp"

namespace eyesweep {

struct EyeArguments {
  int phases = 64;
  int bins = 2048;
  double voltage_range_V = 0.0;
  std::vector<double> targets = {1e-3, 1e-6, 1e-9, 1e-12, 1e-15};
  std::string crosstalk = "synchronous";
  std::string jitter = "phase_mixing";
};

/// Adds --phases, --bins, --voltage-range, --targets, --crosstalk and --jitter.
void add_eye_options(CLI::App& command, EyeArguments& eye);

/// The options as EyeOptions, checked: InputError naming the option when one is out of range.
EyeOptions eye_options(const EyeArguments& eye);

}  // namespace eyesweep
