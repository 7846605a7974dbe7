// `eyesweep eye`; see eye_command.hpp. COM's search picks the equaliser of every package case,
// then each case's eye is drawn with that equaliser.
#include "host/cli/eye_command.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "eyesweep/version.hpp"
#include "host/cli/eye_arguments.hpp"
#include "host/cli/eye_report.hpp"
#include "host/cli/link_arguments.hpp"
#include "host/eye_datasets.hpp"
#include "host/eye_engine.hpp"
#include "host/link_eye.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

struct EyeCommandOptions {
  LinkArguments link;
  ComSearchArguments search;
  EyeArguments eye;
  std::string json;
  std::string output;
  bool force = false;
};

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

void run_eye_command(const EyeCommandOptions& options) {
  const auto [cfg, inputs] = parse_link(options.link);
  const EyeOptions settings = eye_options(options.eye);
  if (!options.json.empty()) check_output_writable(options.json, "--json");
  if (!options.output.empty()) check_group_file_writable(options.output, options.force, "-o");
  note_ignored_keys(std::cerr, cfg);

  const std::vector<LoadedChannel> channels = load_channels(inputs);
  const ComResult com = search_com(cfg, channels, options.search, std::cerr);
  std::vector<LinkEyeInputs> links;
  std::vector<EyeInputs> eyes_in;
  for (const ComCaseResult& c : com.cases) {
    links.push_back(winner_eye_inputs(cfg, channels, c));
    eyes_in.push_back(links.back().eye);
  }
  std::string choice;
  const auto engine = make_eye_engine(parse_backend(options.search.backend), {options.search.threads}, &choice);
  if (!choice.empty()) std::cerr << "eye engine: " << choice << "\n";
  const std::vector<StatEye> eyes = engine->run(eyes_in, settings);

  // Reports first: nothing computed is lost if a file cannot be written afterwards.
  std::cout << "eyesweep eye: " << inputs.front().path.string() << " (" << cfg.source << ")\n"
            << "  " << settings.phases << " phases x " << settings.voltage_bins << " bins, crosstalk "
            << to_string(settings.crosstalk) << ", jitter " << to_string(settings.jitter) << " (A_DD "
            << cfg.A_DD_UI << " UI, sigma_RJ " << cfg.sigma_RJ_UI << " UI), R_LM " << cfg.R_LM << "\n";
  for (const std::string& note : com.notes) std::cout << "note: " << note << "\n";
  for (std::size_t i = 0; i < eyes.size(); ++i) {
    const ComCaseResult& c = com.cases[i];
    std::cout << std::fixed << std::setprecision(3) << "package case " << c.package_case + 1 << ": COM " << c.com_dB
              << (cfg.c2m.enabled() ? " dB, COM's worst eye over t_s +- T_O " : " dB, COM's eye height at t_s ")
              << std::setprecision(2) << c.eye_height * 1e3 << " mV\n"
              << std::defaultfloat;
    print_eye_summary(std::cout, eyes[i]);
  }
  std::cout.flush();

  if (!options.json.empty()) {
    nlohmann::json doc;
    doc["config"] = cfg.source;
    doc["thru"] = inputs.front().path.string();
    doc["crosstalk"] = to_string(settings.crosstalk);
    doc["jitter"] = to_string(settings.jitter);
    doc["cases"] = nlohmann::json::array();
    for (std::size_t i = 0; i < eyes.size(); ++i) {
      nlohmann::json c = eye_json(eyes[i]);
      c["package_case"] = com.cases[i].package_case + 1;
      c["com_dB"] = com.cases[i].com_dB;
      doc["cases"].push_back(std::move(c));
    }
    std::ofstream out(options.json, std::ios::trunc);
    out << doc.dump(2) << "\n";
    if (!out) throw InputError("--json " + options.json + ": write failed");
  }
  if (!options.output.empty()) {
    std::vector<DatasetGroup> groups;
    for (std::size_t i = 0; i < eyes.size(); ++i) {
      const ComCaseResult& c = com.cases[i];
      EyeProvenance provenance{inputs.front().path.string(), c.package_case, c.com_dB, settings, std::nullopt};
      groups.push_back(eye_group("eyes/case_" + std::to_string(c.package_case + 1), eyes[i], links[i].eye,
                                 links[i].unequalized_pulse_V, provenance));
    }
    write_group_file(options.output, "eyesweep-eyes", groups,
                     {{"eyesweep_version", std::string(kVersion)},
                      {"git_revision", std::string(kGitRevision)},
                      {"config", cfg.source},
                      {"thru", inputs.front().path.string()},
                      {"created", utc_now()}},
                     options.force);
    std::cout << "eyes written to " << options.output << "\n";
  }
}

}  // namespace

void add_eye_command(CLI::App& app) {
  auto options = std::make_shared<EyeCommandOptions>();
  CLI::App* eye = app.add_subcommand(
      "eye",
      "Statistical eye (OIF StatEye method) of one link with the equaliser COM chooses for each package "
      "case: error-ratio map over phase and voltage, contours, height and width of every sub-eye at each "
      "target error ratio, bathtubs, VEC and optimal thresholds.");
  add_link_options(*eye, options->link);
  add_com_search_options(*eye, options->search, "; the same choice computes the eyes");
  add_eye_options(*eye, options->eye);
  eye->add_option("--json", options->json, "also write the eyes' measurements as JSON to this file");
  eye->add_option("-o,--output", options->output,
                  "write the eyes (maps, contours, bathtubs, pulses) to this HDF5 file (docs/statistical-eye.md)");
  eye->add_flag("--force", options->force, "replace the -o file if it exists");
  eye->callback([options] { run_eye_command(*options); });
}

}  // namespace eyesweep
