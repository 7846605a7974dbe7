// `eyesweep inspect`: one variant of a sweep file recomputed with the reference engine and
// printed in full, beside what the sweep stored for it.
#pragma once

#include <CLI/CLI.hpp>

namespace eyesweep {

void add_inspect_command(CLI::App& app);

}  // namespace eyesweep
