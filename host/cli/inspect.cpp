// `eyesweep inspect`; see inspect.hpp.
#include "host/cli/inspect.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include "host/sweep_runner.hpp"
#include "io/config_toml.hpp"
#include "io/results_store.hpp"
#include "io/sweep_spec.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

template <class T>
const T& attribute(const Attributes& attributes, const std::string& key, const std::string& file) {
  const auto it = attributes.find(key);
  const T* value = it == attributes.end() ? nullptr : std::get_if<T>(&it->second);
  if (!value) throw InputError(file + ": not a sweep file of this eyesweep (root attribute '" + key + "' missing)");
  return *value;
}

/// What the sweep stored for `index` (COM and setting), if the file holds that row.
void print_stored(std::ostream& out, const ResultsFile& file, std::uint64_t index, const InspectedVariant& v) {
  const auto indices = std::get<std::vector<std::uint64_t>>(file.read("variant_index"));
  const auto row = std::find(indices.begin(), indices.end(), index);
  if (row == indices.end()) {
    out << "stored: the file has no row for variant " << index << " (an interrupted sweep or another shard)\n";
    return;
  }
  const auto r = static_cast<std::uint64_t>(row - indices.begin());
  const auto ok = std::get<std::vector<std::int8_t>>(file.read_rows("results/ok", r, 1)).front();
  if (!ok) {
    out << "stored: not computed: " << std::get<std::vector<std::string>>(file.read_rows("results/error", r, 1)).front() << "\n";
    return;
  }
  const double com = std::get<std::vector<double>>(file.read_rows("results/com_dB", r, 1)).front();
  out << "stored: COM " << std::fixed << std::setprecision(3) << com << " dB";
  if (v.ok) out << " (recomputed " << v.settings[v.best].result.com.com_dB - com << " dB from it)";
  out << "\n";
}

void run_inspect(const std::string& path, std::uint64_t index) {
  const ResultsFile file = ResultsFile::open(path);
  const Attributes attributes = file.attributes();
  const std::string& spec_text = attribute<std::string>(attributes, "spec", path);
  const std::string& config_path = attribute<std::string>(attributes, "com_config", path);
  const ComConfig host = parse_com_config(attribute<std::string>(attributes, "com_config_text", path), config_path);
  SweepSpec spec = parse_sweep_spec(spec_text, path, lpo_parameters(ComConfig{}));
  spec.seed = attribute<std::uint64_t>(attributes, "seed", path);
  if (spec.sampling != Sampling::grid) spec.requested_variants = attribute<std::uint64_t>(attributes, "num_variants", path);

  const auto engine = make_engine(Backend::reference, host, {});
  const InspectedVariant v = recompute_variant(spec, host, index, *engine);
  std::ostream& out = std::cout;
  out << "variant " << index << " of " << path << " (recomputed with the reference engine)\n";
  out << "link parameters:\n";
  const std::vector<std::string> swept = variant_columns(spec);
  for (const auto& [name, value] : v.parameters) {
    const bool is_swept = std::find(swept.begin(), swept.end(), name) != swept.end();
    out << "  " << std::left << std::setw(28) << name << std::right << std::setw(14) << std::setprecision(6)
        << std::defaultfloat << value << (is_swept ? "  (swept)" : "") << "\n";
  }
  const std::array<int, 3> chosen{v.point.channel_set, v.point.tx_board, v.point.rx_board};
  for (std::size_t k = 0; k < chosen.size(); ++k) {  // in file_dimensions() order
    if (chosen[k] < 0) continue;
    const ChannelFileSet& set = spec.file_dimensions()[k].sets[static_cast<std::size_t>(chosen[k])];
    out << "  " << std::left << std::setw(28) << spec.file_dimensions()[k].table << std::right << set.label << " ("
        << set.thru.string() << ")\n";
  }
  out << "module settings searched:\n";
  for (std::size_t s = 0; s < v.settings.size(); ++s) {
    const SettingResult& setting = v.settings[s];
    out << "  ";
    for (std::size_t k = 0; k < v.search.names.size(); ++k) out << v.search.names[k] << " = " << setting.setting[k] << "  ";
    if (setting.ok) {
      out << std::fixed << std::setprecision(3) << "COM " << setting.result.com.com_dB << " dB, FOM "
          << setting.result.com.fom_dB << " dB, module " << setting.module.module_power_W << " W"
          << (v.ok && s == v.best ? "  <- best" : "") << std::defaultfloat << "\n";
    } else {
      out << "not computed: " << setting.error << "\n";
    }
  }
  if (v.ok) {
    const SettingResult& best = v.settings[v.best];
    const ComCaseResult& r = best.result.com;
    out << std::fixed << std::setprecision(3);
    out << "best setting:\n"
        << "  COM " << r.com_dB << " dB   FOM " << r.fom_dB << " dB   eye height " << 1e3 * r.eye_height << " mV\n"
        << "  A_s " << 1e3 * r.A_s << " mV   A_ni " << 1e3 * r.A_ni << " mV\n"
        << "  sigma (mV): ISI " << 1e3 * r.noise.sigma_isi << "  XT " << 1e3 * r.noise.sigma_xt << "  TX "
        << 1e3 * r.noise.sigma_tx << "  N " << 1e3 * r.noise.sigma_n << "  RJ " << 1e3 * r.noise.sigma_rj << "  DD "
        << 1e3 * r.noise.sigma_dd << "\n"
        << "  host CTLE g_DC " << r.equalizer.ctle.g_DC_dB << " dB, g_DC2 " << r.equalizer.ctle.g_DC2_dB
        << " dB; sampling phase " << r.equalizer.sampling_phase << "\n  Tx taps:";
    for (double c : r.equalizer.tx_taps) out << " " << c;
    if (!r.equalizer.rx_ffe_taps.empty()) {
      out << "\n  Rx FFE taps (main tap 1):";
      for (double w : r.equalizer.rx_ffe_taps) out << " " << w;
    }
    out << "\n  DFE taps:";
    for (double b : r.equalizer.dfe_taps) out << " " << b;
    out << "\n";
    if (!v.measured) {
      out << "  module: R_LM " << best.module.rlm_module << ", OMA at the photodiode " << best.module.oma_rx_dBm
        << " dBm, TIA " << best.module.tia_transimpedance_dBohm << " dBohm, noise at its output "
          << best.module.module_noise_mV << " mV RMS\n";
    }
  } else {
    out << "no module setting could be computed\n";
  }
  print_stored(out, file, index, v);
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto index = std::make_shared<std::uint64_t>(0);
  CLI::App* inspect = app.add_subcommand(
      "inspect", "Recompute one variant of a sweep file with the reference engine and print everything: its "
                 "parameters, every module setting's COM, the winner's noise breakdown and equalisers, and "
                 "what the sweep stored");
  inspect->add_option("file", *file, "sweep result file (HDF5)")->required();
  inspect->add_option("--variant", *index, "variant index (the variant_index column)")->required();
  inspect->callback([file, index] { run_inspect(*file, *index); });
}

}  // namespace eyesweep
