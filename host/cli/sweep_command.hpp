// `eyesweep sweep`, `summarize`, `merge` and `inspect`: sweeps of linear-drive link variants
// into HDF5 and what is done with their files.
#pragma once

#include <CLI/CLI.hpp>

namespace eyesweep {

/// Registers the four subcommands on `app`; each runs from the parse (errors propagate as
/// exceptions).
void add_sweep_commands(CLI::App& app);

}  // namespace eyesweep
