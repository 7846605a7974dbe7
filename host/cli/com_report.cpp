// COM report and JSON; see com_report.hpp.
#include "host/cli/com_report.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <string>

#include "eyesweep/version.hpp"
#include "host/cli/format_number.hpp"

namespace eyesweep {
namespace {

const char* kind_name(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::thru: return "THRU";
    case ChannelKind::fext: return "FEXT";
    case ChannelKind::next: return "NEXT";
  }
  return "?";
}

std::string lengths_text(const std::vector<double>& mm) {
  std::string text;
  for (std::size_t i = 0; i < mm.size(); ++i) {
    if (i) text += '+';
    text += format_number("%g", mm[i]);
  }
  text += " mm";
  return text;
}

std::string tx_tap_name(int offset) { return "c(" + std::to_string(offset) + ")"; }

const char* window_name(HistogramWindow window) {
  switch (window) {
    case HistogramWindow::rectangle: return "rectangle";
    case HistogramWindow::gaussian: return "gaussian";
    case HistogramWindow::triangle: return "triangle";
    case HistogramWindow::dual_rayleigh: return "dual_rayleigh";
  }
  return "?";
}

/// The narrowest eye's width (UI): the C2M summary figure of the script's per-eye EW_UI.
double narrowest_eye_width(const std::vector<C2mEyeWidth>& widths) {
  double narrowest = widths.front().width_ui;
  for (const C2mEyeWidth& w : widths) narrowest = std::min(narrowest, w.width_ui);
  return narrowest;
}

/// The C2M eye-contour window, its worst eye and every eye's width (PMD_type = C2M with
/// T_O != 0), else null.
nlohmann::json c2m_json(const ComConfig& cfg, const ComCaseResult& c) {
  if (!c.noise.c2m_enabled) return nullptr;
  const double mV = 1e3;
  return {{"T_O_mUI", cfg.c2m.T_O_mUI},
          {"samples_for_C2M", cfg.c2m.samples_per_ui},
          {"window_samples", c.noise.c2m_window_samples},
          {"histogram_window", window_name(cfg.c2m.window)},
          {"QL", cfg.c2m.QL},
          {"eye_top_mV", c.noise.c2m_eye_top * mV},
          {"eye_bottom_mV", c.noise.c2m_eye_bottom * mV},
          {"worst_eye", c.noise.c2m_worst_eye}};
}

/// The eye widths (EW, forced on by C2M sheets): null when the sheet does not ask for them.
nlohmann::json eye_width_json(const ComCaseResult& c) {
  if (c.noise.c2m_eye_widths.empty()) return nullptr;
  nlohmann::json widths = nlohmann::json::array();
  for (const C2mEyeWidth& w : c.noise.c2m_eye_widths) {
    widths.push_back({{"width_UI", w.width_ui}, {"left_UI", w.left_ui}, {"right_UI", w.right_ui}});
  }
  return {{"narrowest_UI", narrowest_eye_width(c.noise.c2m_eye_widths)}, {"per_eye", widths}};
}

nlohmann::json case_json(const ComConfig& cfg, const ComCaseResult& c) {
  const double mV = 1e3;
  nlohmann::json tx = nlohmann::json::object();
  for (std::size_t k = 0; k < c.equalizer.tx_taps.size(); ++k) {
    tx[tx_tap_name(c.equalizer.tx_first_offset + static_cast<int>(k))] = c.equalizer.tx_taps[k];
  }
  return {
      {"package_case", c.lengths.sheet_case},
      {"z_p_mm", {{"TX", c.lengths.z_p_tx_mm}, {"NEXT", c.lengths.z_p_next_mm},
                  {"FEXT", c.lengths.z_p_fext_mm}, {"RX", c.lengths.z_p_rx_mm}}},
      {"COM_dB", c.com_dB},
      {"FOM_dB", c.fom_dB},
      {"A_s_mV", c.A_s * mV},
      {"A_ni_mV", c.A_ni * mV},
      {"eye_height_mV", c.eye_height * mV},
      {"VEC_dB", c.vec_dB},
      {"c2m_eye", c2m_json(cfg, c)},
      {"eye_width", eye_width_json(c)},
      {"sigma_mV", {{"ISI", c.noise.sigma_isi * mV}, {"XT", c.noise.sigma_xt * mV},
                    {"TX", c.noise.sigma_tx * mV}, {"N", c.noise.sigma_n * mV},
                    {"RJ", c.noise.sigma_rj * mV}, {"DD", c.noise.sigma_dd * mV}}},
      {"fom_sigma_mV", {{"ISI", c.fom.sigma_isi * mV}, {"XT", c.fom.sigma_xt * mV},
                        {"TX", c.fom.sigma_tx * mV}, {"N", c.fom.sigma_n * mV},
                        {"J", c.fom.sigma_j * mV}}},
      {"equalizer", {{"g_DC_dB", c.equalizer.ctle.g_DC_dB},
                     {"g_DC2_dB", c.equalizer.ctle.g_DC2_dB},
                     {"tx_ffe", tx},
                     {"dfe_taps", c.equalizer.dfe_taps},
                     {"floating_dfe_taps_ui", c.equalizer.floating_taps},
                     {"rx_ffe", c.equalizer.rx_ffe_taps},
                     {"rx_ffe_first_offset", -cfg.rx_ffe.pre_taps},
                     {"cursor_sample", c.equalizer.cursor_index},
                     {"sampling_phase", c.equalizer.sampling_phase},
                     {"samples_per_ui", cfg.M}}},
      {"pdf_bin_mV", c.noise.bin_size * mV},
      {"script_pdf_bin_mV", c.noise.script_bin_size * mV},
      {"unequalized_pulse_peak_mV", c.unequalized_peak_V * mV},
      {"search", {{"grid_points", c.grid_points},
                  {"legal_tx_combinations", c.legal_tx_combinations},
                  {"ctle_settings", c.ctle_settings},
                  {"search_seconds", c.search_seconds},
                  {"min_veo_test_mV", cfg.c2m.constrains_search() ? cfg.c2m.min_veo_test_mV : 0.0},
                  {"min_veo_test_relaxed", c.min_veo_test_relaxed},
                  {"total_seconds", c.total_seconds}}},
  };
}

}  // namespace

void print_com_report(std::ostream& out, const ComConfig& cfg, const std::vector<ChannelInput>& inputs,
                      const ComResult& result) {
  out << "eyesweep " << kVersion << " (" << kGitRevision << "): COM, " << result.engine << " engine (" << result.device
      << "; winners analysed in double precision)\n";
  out << "config   " << cfg.source << (cfg.name.empty() ? "" : "  [" + cfg.name + "]") << "\n";
  if (!cfg.note.empty()) out << "note     " << cfg.note << "\n";
  for (const ChannelInput& input : inputs) {
    out << "channel  " << kind_name(input.kind) << "  " << input.path.string() << "  port order "
        << input.port_order.str() << "\n";
  }
  for (const std::string& note : result.notes) out << "note     " << note << "\n";
  const double mV = 1e3;
  for (const ComCaseResult& c : result.cases) {
    out << "\nPackage case " << c.lengths.sheet_case << ": z_p TX " << lengths_text(c.lengths.z_p_tx_mm)
        << ", RX " << lengths_text(c.lengths.z_p_rx_mm) << ", NEXT " << lengths_text(c.lengths.z_p_next_mm)
        << ", FEXT " << lengths_text(c.lengths.z_p_fext_mm) << "\n";
    out << "  COM          " << format_number("%.3f dB", c.com_dB) << "\n";
    out << "  FOM          " << format_number("%.3f dB", c.fom_dB) << "\n";
    out << "  A_s          " << format_number("%.3f mV", c.A_s * mV) << "    A_ni " << format_number("%.3f mV", c.A_ni * mV)
        << "    eye height (VEO) " << format_number("%.2f mV", c.eye_height * mV) << "    VEC "
        << format_number("%.2f dB", c.vec_dB) << "\n";
    if (c.noise.c2m_enabled) {
      out << "  C2M eye      t_s +- " << format_number("%g mUI", cfg.c2m.T_O_mUI) << " (" << c.noise.c2m_window_samples
          << " of " << cfg.c2m.samples_per_ui << " samples per UI, " << window_name(cfg.c2m.window)
          << " weights): worst eye " << c.noise.c2m_worst_eye + 1 << " of " << cfg.L - 1 << " from "
          << format_number("%.2f", c.noise.c2m_eye_bottom * mV) << " to "
          << format_number("%.2f mV", c.noise.c2m_eye_top * mV)
          << "; COM = 20 log10(2 A_s / A_ni), A_ni = 2 A_s - VEO\n";
    }
    if (!c.noise.c2m_eye_widths.empty()) {
      out << "  eye width    " << format_number("%.3f UI", narrowest_eye_width(c.noise.c2m_eye_widths))
          << " at DER_0 (narrowest eye); per eye, EW_UI (reach left / right of t_s, UI):";
      for (const C2mEyeWidth& w : c.noise.c2m_eye_widths) {
        out << "  " << format_number("%.3f", w.width_ui) << " (" << format_number("%.3f", w.left_ui) << " / "
            << format_number("%.3f", w.right_ui) << ")";
      }
      out << "\n";
    }
    out << "  sigma (mV)   ISI " << format_number("%.3f", c.noise.sigma_isi * mV) << "  XT "
        << format_number("%.3f", c.noise.sigma_xt * mV) << "  TX " << format_number("%.3f", c.noise.sigma_tx * mV)
        << "  N " << format_number("%.3f", c.noise.sigma_n * mV) << "  RJ " << format_number("%.3f", c.noise.sigma_rj * mV)
        << "  DD " << format_number("%.3f", c.noise.sigma_dd * mV) << "\n";
    if (c.noise.bin_size > c.noise.script_bin_size) {
      out << "  PDF bin      " << format_number("%.4g mV", c.noise.bin_size * mV) << ", coarser than the script's "
          << format_number("%.4g mV", c.noise.script_bin_size * mV) << ": the interference reaches "
          << format_number("%.0f", 0.5 * c.noise.bin_size * static_cast<double>(kMaxCombinedBins) / c.A_s)
          << " A_s (at most 2^20 bins per PDF)\n";
    }
    out << "  CTLE         g_DC " << format_number("%g dB", c.equalizer.ctle.g_DC_dB);
    if (c.equalizer.ctle.f_LF_GHz > 0.0) out << "  g_DC2 " << format_number("%g dB", c.equalizer.ctle.g_DC2_dB);
    out << "\n  Tx FFE      ";
    for (std::size_t k = 0; k < c.equalizer.tx_taps.size(); ++k) {
      out << " " << tx_tap_name(c.equalizer.tx_first_offset + static_cast<int>(k)) << " "
          << format_number("%.3f", c.equalizer.tx_taps[k]);
    }
    if (!c.equalizer.rx_ffe_taps.empty()) {
      out << "\n  Rx FFE       w(" << -cfg.rx_ffe.pre_taps << ".." << cfg.rx_ffe.post_taps << ")";
      for (double w : c.equalizer.rx_ffe_taps) out << " " << format_number("%.3f", w);
    }
    out << "\n  DFE          b(1.." << c.equalizer.dfe_taps.size() << ")";
    for (double b : c.equalizer.dfe_taps) out << " " << format_number("%.3f", b);
    if (!c.equalizer.floating_taps.empty()) {
      out << "\n  floating     taps at UI";
      for (int t : c.equalizer.floating_taps) out << " " << t;
    }
    out << "\n  sampling     t_s at sample " << c.equalizer.cursor_index << " (phase "
        << c.equalizer.sampling_phase << " of " << cfg.M << ")\n";
    const std::size_t grid = c.ctle_settings * c.legal_tx_combinations;
    out << "  search       " << c.grid_points << (c.grid_points < grid ? " of " + std::to_string(grid) : "")
        << " grid points (" << c.ctle_settings << " CTLE x " << c.legal_tx_combinations << " Tx) in "
        << format_number("%.2f s", c.search_seconds) << "\n";
    if (cfg.c2m.constrains_search()) {
      out << "  FOM          scored by each point's C2M eye, 20 log10(A_s / N_i), N_i = (2 A_s - EH) / 2; "
          << (c.min_veo_test_relaxed ? "no eye above Min_VEO_Test = " + format_number("%g mV", cfg.c2m.min_veo_test_mV) +
                                           ": searched again with 0"
                                     : "eyes above Min_VEO_Test = " + format_number("%g mV", cfg.c2m.min_veo_test_mV))
          << "\n";
    }
  }
  const ComCaseResult& worst = result.cases[result.worst_case];
  out << "\nCOM = " << format_number("%.3f dB", result.com_dB) << " (worst: package case " << worst.lengths.sheet_case
      << ")  " << (result.com_dB >= cfg.COM_pass_threshold_dB ? "PASS" : "FAIL") << " at "
      << format_number("%g dB", cfg.COM_pass_threshold_dB) << "\n";
}

nlohmann::json com_result_json(const ComConfig& cfg, const std::vector<ChannelInput>& inputs,
                               const ComResult& result) {
  nlohmann::json channels = nlohmann::json::array();
  for (const ChannelInput& input : inputs) {
    channels.push_back({{"kind", kind_name(input.kind)}, {"path", input.path.string()},
                        {"port_order", input.port_order.str()}});
  }
  nlohmann::json cases = nlohmann::json::array();
  for (const ComCaseResult& c : result.cases) cases.push_back(case_json(cfg, c));
  return {
      {"eyesweep_version", kVersion},
      {"git_revision", kGitRevision},
      {"engine", result.engine},
      {"device", result.device},
      {"config", cfg.source},
      {"config_name", cfg.name},
      {"config_note", cfg.note},
      {"channels", channels},
      {"notes", result.notes},
      {"cases", cases},
      {"COM_dB", result.com_dB},
      {"worst_package_case", result.cases[result.worst_case].lengths.sheet_case},
      {"pass_threshold_dB", cfg.COM_pass_threshold_dB},
      {"pass", result.com_dB >= cfg.COM_pass_threshold_dB},
  };
}

}  // namespace eyesweep
