// A statistical eye as an HDF5 group of datasets, laid out as docs/statistical-eye.md
// documents (the same in `eyesweep eye -o` files and in sweep files).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "host/stat_eye.hpp"
#include "io/group_file.hpp"

namespace eyesweep {

/// What the group says about the eye besides the eye itself.
struct EyeProvenance {
  std::string channel;                  ///< THRU file or variant label
  std::size_t package_case = 0;         ///< 0-based
  double com_dB = 0.0;
  EyeOptions options;                   ///< crosstalk and jitter modes
  std::optional<std::uint64_t> variant; ///< sweep files only
};

/// The group `path` holding `eye`, its victim pulses (before and after equalisation, M samples
/// per UI, t_s at `cursor_index`) and the provenance attributes.
DatasetGroup eye_group(const std::string& path, const StatEye& eye, const EyeInputs& inputs,
                       std::span<const double> unequalized_pulse, const EyeProvenance& provenance);

}  // namespace eyesweep
