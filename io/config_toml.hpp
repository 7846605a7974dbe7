// Reading a COM configuration: a TOML file whose keys are the IEEE COM sheet's parameter names
// (in the sheet's units), plus eyesweep's own options under [eyesweep], into a validated
// ComConfig. Every defect raises eyesweep::InputError naming the file, the key and, where
// toml++ knows it, the line.
#pragma once

#include <filesystem>
#include <string>

#include "host/com_config.hpp"

namespace eyesweep {

/// Reads and validates the configuration file at `path`.
ComConfig load_com_config(const std::filesystem::path& path);

/// Parses and validates configuration text already in memory; `source_name` names it in messages.
ComConfig parse_com_config(const std::string& toml_text, const std::string& source_name);

}  // namespace eyesweep
