// See link_arguments.hpp.
#include "host/cli/link_arguments.hpp"

#include <filesystem>
#include <fstream>
#include <ostream>

#include "host/engine.hpp"
#include "io/config_toml.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

/// "FILE" or "FILE@1,3,2,4": a channel file with an optional port order of its own. Only a
/// suffix made of digits and separators is a port order, so file names may contain '@'.
ChannelInput parse_channel(const std::string& argument, ChannelKind kind, const PortOrder& default_order,
                           const char* option) {
  if (argument.empty()) throw InputError(std::string(option) + ": empty file name");
  ChannelInput input;
  input.kind = kind;
  input.port_order = default_order;
  input.path = argument;
  const auto at = argument.rfind('@');
  if (at != std::string::npos && at + 1 < argument.size() &&
      argument.find_first_not_of("0123456789, []", at + 1) == std::string::npos) {
    input.path = argument.substr(0, at);
    input.port_order = PortOrder::parse(argument.substr(at + 1), std::string(option) + " " + argument);
  }
  return input;
}

}  // namespace

void add_link_options(CLI::App& command, LinkArguments& link) {
  command
      .add_option("--config,-c", link.config,
                  "COM configuration (TOML; keys and units of the IEEE COM sheet: GHz, GBd, ns, mm, "
                  "nF, nH, V, V^2/GHz, UI, dB). Shipped: configs/*.toml")
      ->required();
  command
      .add_option("--thru,-t", link.thru,
                  "victim channel: Touchstone 4-port (.s4p), optionally FILE@a,b,c,d to give its port "
                  "order")
      ->required();
  command.add_option("--fext,-f", link.fext, "far-end crosstalk aggressor, Touchstone 4-port, FILE[@a,b,c,d]; repeat for each")
      ->take_all();
  command.add_option("--next,-n", link.next, "near-end crosstalk aggressor, Touchstone 4-port, FILE[@a,b,c,d]; repeat for each")
      ->take_all();
  command.add_option("--port-order", link.port_order,
                     "default single-ended port order a,b,c,d of every file: ports a,b are the input "
                     "pair (+,-), c,d the output pair (+,-). Default: the config's Port Order, "
                     "normally 1,3,2,4");
}

Link parse_link(const LinkArguments& link) {
  Link out{load_com_config(link.config), {}};
  const PortOrder default_order = PortOrder::parse(
      link.port_order.empty() ? out.config.port_order : link.port_order,
      link.port_order.empty() ? out.config.source + ": Port Order" : "--port-order");
  out.inputs.push_back(parse_channel(link.thru, ChannelKind::thru, default_order, "--thru"));
  for (const std::string& f : link.fext) out.inputs.push_back(parse_channel(f, ChannelKind::fext, default_order, "--fext"));
  for (const std::string& f : link.next) out.inputs.push_back(parse_channel(f, ChannelKind::next, default_order, "--next"));
  return out;
}

void note_ignored_keys(std::ostream& out, const ComConfig& config) {
  if (config.ignored_keys.empty()) return;
  out << "note: configuration keys without effect on COM:";
  for (const std::string& key : config.ignored_keys) out << " \"" << key << "\"";
  out << "\n";
}

void add_com_search_options(CLI::App& command, ComSearchArguments& search, const std::string& backend_note) {
  command.add_option("--threads", search.threads, "worker threads (0 = all cores, at most 1024)")
      ->check(CLI::Range(0u, 1024u));
  command.add_option("--backend", search.backend,
                     "engine: reference (double precision, every configuration; the default), cpu (batched "
                     "float search on all cores), cuda (the same on the GPU), or auto (cuda when a GPU "
                     "answers, else cpu; cpu for floating DFE taps; reference where neither fast "
                     "engine can search the configuration, e.g. the PRZF Rx FFE). Every engine analyses its winner in "
                     "double precision" + backend_note);
  command.add_flag("--ignore-floating-taps", search.ignore_floating_taps,
                   "switch off floating DFE tap groups (N_bg > 0): fixed taps only, e.g. to see what "
                   "the floating taps gain (the result is then not the sheet's COM)");
  command.add_flag("--local-search", search.local_search,
                   "follow the sheet's Local Search pruning as the IEEE script does (a sequential search on "
                   "the reference engine; its optimum need not be the global one). Without it the search is "
                   "exhaustive");
}

ComResult search_com(const ComConfig& config, const std::vector<LoadedChannel>& channels,
                     const ComSearchArguments& search, std::ostream& log) {
  const Backend backend = parse_backend(search.backend);
  if (search.local_search && backend != Backend::reference && backend != Backend::automatic) {
    throw InputError("--local-search runs on the reference engine; use --backend reference or auto");
  }
  if (backend == Backend::reference || search.local_search) {
    if (backend != Backend::reference) log << "engine: reference engine (auto: --local-search)\n";
    ComRunOptions run_options;
    run_options.threads = search.threads;
    run_options.ignore_floating_taps = search.ignore_floating_taps;
    run_options.follow_local_search = search.local_search;
    return run_com(config, channels, run_options);
  }
  ComConfig searched = config;
  if (search.ignore_floating_taps) searched.floating.N_bg = 0;
  std::string choice;
  const auto engine = make_engine(backend, searched, {search.threads}, &choice);
  log << "engine: " << choice << "\n";
  ComResult result = run_com_on(*engine, searched, channels);
  if (searched.floating.N_bg != config.floating.N_bg) {
    result.notes.push_back("floating DFE taps (N_bg = " + std::to_string(config.floating.N_bg) +
                           ") switched off: fixed taps only, the result is not the sheet's COM");
  }
  return result;
}

void check_output_writable(const std::string& path, const std::string& option) {
  const std::filesystem::path p(path);
  const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(dir)) {
    throw InputError(option + " " + path + ": directory " + dir.string() + " does not exist");
  }
  const bool existed = std::filesystem::exists(p);
  const bool writable = static_cast<bool>(std::ofstream(p, std::ios::app));
  if (!existed) std::filesystem::remove(p);
  if (!writable) throw InputError(option + " " + path + ": cannot open for writing");
}

}  // namespace eyesweep
