// `eyesweep com`: COM of one channel set with the reference engine.
#pragma once

#include <CLI/CLI.hpp>

namespace eyesweep {

/// Registers the subcommand on `app`; it runs from the parse (errors propagate as exceptions).
void add_com_command(CLI::App& app);

}  // namespace eyesweep
