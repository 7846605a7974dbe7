// `eyesweep com`: COM of one channel set with the reference engine.
#pragma once

#include <CLI/CLI.hpp>

namespace eyesweep {

/// Registers the subcommand on `app`; `run` is set to the function that executes it.
void add_com_command(CLI::App& app, int& exit_code);

}  // namespace eyesweep
