// `eyesweep com`; see com_command.hpp.
#include "host/cli/com_command.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "host/cli/com_report.hpp"
#include "host/com_engine.hpp"
#include "host/engine.hpp"
#include "io/config_toml.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

struct ComOptions {
  std::string config;
  std::string thru;
  std::vector<std::string> fext, next;
  std::string port_order;
  std::string json;
  unsigned threads = 0;
  bool ignore_floating_taps = false;
  std::string backend = "reference";
};

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

/// Fails before the long computation if the JSON output could not be written afterwards,
/// leaving no file behind that was not there before.
void check_writable(const std::string& path) {
  const std::filesystem::path p(path);
  const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(dir)) {
    throw InputError("--json " + path + ": directory " + dir.string() + " does not exist");
  }
  const bool existed = std::filesystem::exists(p);
  const bool writable = static_cast<bool>(std::ofstream(p, std::ios::app));
  if (!existed) std::filesystem::remove(p);
  if (!writable) throw InputError("--json " + path + ": cannot open for writing");
}

void run_com_command(const ComOptions& options) {
  const ComConfig cfg = load_com_config(options.config);
  const PortOrder default_order = PortOrder::parse(
      options.port_order.empty() ? cfg.port_order : options.port_order,
      options.port_order.empty() ? cfg.source + ": Port Order" : "--port-order");
  std::vector<ChannelInput> inputs{parse_channel(options.thru, ChannelKind::thru, default_order, "--thru")};
  for (const std::string& f : options.fext) inputs.push_back(parse_channel(f, ChannelKind::fext, default_order, "--fext"));
  for (const std::string& f : options.next) inputs.push_back(parse_channel(f, ChannelKind::next, default_order, "--next"));
  if (!options.json.empty()) check_writable(options.json);
  if (!cfg.ignored_keys.empty()) {
    std::cerr << "note: configuration keys without effect on COM:";
    for (const std::string& key : cfg.ignored_keys) std::cerr << " \"" << key << "\"";
    std::cerr << "\n";
  }

  const Backend backend = parse_backend(options.backend);
  ComResult result;
  if (backend == Backend::reference) {
    ComRunOptions run_options;
    run_options.threads = options.threads;
    run_options.ignore_floating_taps = options.ignore_floating_taps;
    result = run_com(cfg, inputs, run_options);
  } else {
    ComConfig searched = cfg;
    if (options.ignore_floating_taps) searched.floating.N_bg = 0;
    std::string choice;
    const auto engine = make_engine(backend, searched, {options.threads}, &choice);
    std::cerr << "engine: " << choice << "\n";
    result = run_com_on(*engine, searched, load_channels(inputs));
    if (searched.floating.N_bg != cfg.floating.N_bg) {
      result.notes.push_back("floating DFE taps (N_bg = " + std::to_string(cfg.floating.N_bg) +
                             ") switched off: fixed taps only, the result is not the sheet's COM");
    }
  }

  // The report goes out first, so that nothing computed is lost if the JSON cannot be written.
  print_com_report(std::cout, cfg, inputs, result);
  std::cout.flush();
  if (!options.json.empty()) {
    std::ofstream out(options.json, std::ios::trunc);
    out << com_result_json(cfg, inputs, result).dump(2) << "\n";
    if (!out) throw InputError("--json " + options.json + ": write failed");
  }
}

}  // namespace

void add_com_command(CLI::App& app) {
  auto options = std::make_shared<ComOptions>();
  CLI::App* com = app.add_subcommand(
      "com",
      "Channel Operating Margin (IEEE 802.3 Annex 93A) of one channel, by default with the "
      "double-precision reference engine: exhaustive search of Tx FFE x CTLE, DFE, final PDF. Prints COM per "
      "package case and the worst, FOM, A_s, A_ni, eye height, the noise breakdown and the "
      "winning equaliser.");
  com->add_option("--config,-c", options->config,
                  "COM configuration (TOML; keys and units of the IEEE COM sheet: GHz, GBd, ns, mm, "
                  "nF, nH, V, V^2/GHz, UI, dB). Shipped: configs/*.toml")
      ->required();
  com->add_option("--thru,-t", options->thru,
                  "victim channel: Touchstone 4-port (.s4p), optionally FILE@a,b,c,d to give its port "
                  "order")
      ->required();
  com->add_option("--fext,-f", options->fext,
                  "far-end crosstalk aggressor, Touchstone 4-port, FILE[@a,b,c,d]; repeat for each")
      ->take_all();
  com->add_option("--next,-n", options->next,
                  "near-end crosstalk aggressor, Touchstone 4-port, FILE[@a,b,c,d]; repeat for each")
      ->take_all();
  com->add_option("--port-order", options->port_order,
                  "default single-ended port order a,b,c,d of every file: ports a,b are the input "
                  "pair (+,-), c,d the output pair (+,-). Default: the config's Port Order, "
                  "normally 1,3,2,4");
  com->add_option("--json", options->json, "also write the results as JSON to this file");
  com->add_option("--threads", options->threads, "worker threads for the search (0 = all cores, at most 1024)")
      ->check(CLI::Range(0u, 1024u));
  com->add_option("--backend", options->backend,
                  "engine: reference (double precision, every configuration; the default), cpu (batched "
                  "float search on all cores), cuda (the same on the GPU), or auto (cuda when a GPU "
                  "answers, else cpu; reference where the fast engines cannot search the "
                  "configuration, e.g. floating DFE taps). Every engine analyses its winner in double "
                  "precision");
  com->add_flag("--ignore-floating-taps", options->ignore_floating_taps,
                "switch off floating DFE tap groups (N_bg > 0): fixed taps only, e.g. to see what "
                "the floating taps gain (the result is then not the sheet's COM)");
  com->callback([options] { run_com_command(*options); });
}

}  // namespace eyesweep
