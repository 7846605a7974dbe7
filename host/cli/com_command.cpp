// `eyesweep com`; see com_command.hpp.
#include "host/cli/com_command.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "host/cli/com_report.hpp"
#include "host/cli/link_arguments.hpp"
#include "host/com_engine.hpp"
#include "host/engine.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

struct ComOptions {
  LinkArguments link;
  ComSearchArguments search;
  std::string json;
};

void run_com_command(const ComOptions& options) {
  const auto [cfg, inputs] = parse_link(options.link);
  if (!options.json.empty()) check_output_writable(options.json, "--json");
  note_ignored_keys(std::cerr, cfg);
  const ComResult result = search_com(cfg, load_channels(inputs), options.search, std::cerr);

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
  add_link_options(*com, options->link);
  com->add_option("--json", options->json, "also write the results as JSON to this file");
  add_com_search_options(*com, options->search);
  com->callback([options] { run_com_command(*options); });
}

}  // namespace eyesweep
