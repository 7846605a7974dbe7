// The options of `eyesweep com` and `eyesweep eye` that name one link (the COM configuration
// and the channel files with their port orders) and say how COM's equaliser search runs.
#pragma once

#include <CLI/CLI.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "host/case_responses.hpp"
#include "host/com_config.hpp"
#include "host/com_engine.hpp"

namespace eyesweep {

struct LinkArguments {
  std::string config;
  std::string thru;
  std::vector<std::string> fext, next;
  std::string port_order;
};

/// Adds --config, --thru, --fext, --next and --port-order to `command`.
void add_link_options(CLI::App& command, LinkArguments& link);

/// The configuration read and every channel input with its port order (THRU first).
/// InputError naming the file, key or option on bad input.
struct Link {
  ComConfig config;
  std::vector<ChannelInput> inputs;
};
Link parse_link(const LinkArguments& link);

/// Prints, on `out`, the configuration keys that have no effect (a note, not an error).
void note_ignored_keys(std::ostream& out, const ComConfig& config);

/// How COM's equaliser search runs: --threads, --backend, --ignore-floating-taps, --local-search.
struct ComSearchArguments {
  unsigned threads = 0;
  bool ignore_floating_taps = false;
  bool local_search = false;
  std::string backend = "reference";
};

/// Adds the search options to `command`; `backend_note` ends the --backend help.
void add_com_search_options(CLI::App& command, ComSearchArguments& search, const std::string& backend_note = "");

/// COM of the loaded link on the chosen engine (the engine's choice reported on `log`).
ComResult search_com(const ComConfig& config, const std::vector<LoadedChannel>& channels,
                     const ComSearchArguments& search, std::ostream& log);

/// Fails before a long computation when `path` (given with `option`) could not be written
/// afterwards, leaving no file behind that was not there before.
void check_output_writable(const std::string& path, const std::string& option);

}  // namespace eyesweep
