// `eyesweep eye`: the statistical eye of one link as COM equalises it.
#pragma once

#include <CLI/CLI.hpp>

namespace eyesweep {

/// Registers the subcommand on `app`; it runs from the parse (errors propagate as exceptions).
void add_eye_command(CLI::App& app);

}  // namespace eyesweep
