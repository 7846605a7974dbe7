// `eyesweep info`: version, build options and the CUDA devices that answer.
#pragma once

#include <CLI/CLI.hpp>

namespace eyesweep {

void add_info_command(CLI::App& app);

}  // namespace eyesweep
