// The eyesweep command-line tool: subcommand dispatch and the mapping of errors to exit
// status (2 for bad input or options, 1 for internal errors).
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "eyesweep/version.hpp"
#include "host/cli/com_command.hpp"
#include "host/cli/eye_command.hpp"
#include "host/cli/info_command.hpp"
#include "host/cli/sweep_command.hpp"
#include "kernels/common/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "eyesweep: GPU-accelerated signal-integrity solver for linear-drive links. Computes COM "
      "(IEEE 802.3 Annex 93A) with the IEEE script's method; units follow the COM sheets.",
      "eyesweep"};
  app.set_version_flag("--version", std::string(eyesweep::kVersion) + " (" + eyesweep::kGitRevision + ")");
  app.require_subcommand(1);
  eyesweep::add_com_command(app);
  eyesweep::add_eye_command(app);
  eyesweep::add_info_command(app);
  eyesweep::add_sweep_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "eyesweep: error: " << e.what() << "\n(run with --help for the options)\n";
    return 2;
  } catch (const eyesweep::InputError& e) {
    std::cerr << "eyesweep: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "eyesweep: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
