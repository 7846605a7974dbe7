// See eye_report.hpp.
#include "host/cli/eye_report.hpp"

#include <cmath>
#include <ostream>
#include <string>

#include "host/cli/format_number.hpp"

namespace eyesweep {
namespace {

nlohmann::json numbers(const std::vector<double>& values) {
  nlohmann::json array = nlohmann::json::array();
  for (double v : values) array.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
  return array;
}

}  // namespace

void print_eye_summary(std::ostream& out, const StatEye& eye) {
  // Fixed-width columns: sub-eye 9, best phase 12, threshold 12, lowest ratio 14, VEC 10 (the
  // header's width), then 11 per target.
  const std::string columns = "  sub-eye  best phase   threshold  lowest ratio       VEC";
  out << columns;
  for (double t : eye.targets) out << format_number("  H@%-7.0e", t);
  out << "  (height, mV)\n";
  for (std::size_t s = 0; s < eye.sub_eyes.size(); ++s) {
    const SubEye& e = eye.sub_eyes[s];
    out << format_number("  %-7.0f", static_cast<double>(s)) << format_number("%+9.3f UI", e.best_phase_UI)
        << format_number("%+9.2f mV", e.threshold_V * 1e3) << format_number("%14.2e", e.min_ratio) << format_number("%7.2f dB", e.vec_dB);
    for (double h : e.height_V) out << format_number("%11.2f", h * 1e3);
    out << "\n";
  }
  out << std::string(columns.size(), ' ');
  for (double t : eye.targets) out << format_number("  W@%-7.0e", t);
  out << "  (width, UI)\n";
  for (std::size_t s = 0; s < eye.sub_eyes.size(); ++s) {
    out << format_number("  %-7.0f", static_cast<double>(s)) << std::string(columns.size() - 9, ' ');
    for (double w : eye.sub_eyes[s].width_UI) out << format_number("%11.3f", w);
    out << "\n";
  }
  out << "  eye height at DER_0 = " << format_number("%.3g", eye.der0) << ": " << format_number("%.2f mV", eye.height_der0_V * 1e3)
      << ", VEC " << format_number("%.2f dB", eye.vec_dB) << " (" << eye.engine << " engine)\n";
}

nlohmann::json eye_json(const StatEye& eye) {
  const std::vector<double>& phase = eye.map.phase_UI;
  const std::vector<double>& voltage = eye.map.voltage_V;
  nlohmann::json j;
  j["engine"] = eye.engine;
  j["levels"] = eye.map.levels;
  j["r_lm"] = eye.r_lm;
  j["der0"] = eye.der0;
  j["targets"] = eye.targets;
  j["phase_UI"] = {{"first", phase.front()}, {"step", phase[1] - phase[0]}, {"count", phase.size()}};
  j["voltage_V"] = {{"first", voltage.front()}, {"step", voltage[1] - voltage[0]}, {"count", voltage.size()}};
  j["height_der0_V"] = eye.height_der0_V;
  j["vec_dB"] = eye.vec_dB;
  nlohmann::json subs = nlohmann::json::array();
  for (const SubEye& e : eye.sub_eyes) {
    subs.push_back({{"best_phase_UI", e.best_phase_UI},
                    {"threshold_V", e.threshold_V},
                    {"min_ratio", e.min_ratio},
                    {"height_V", numbers(e.height_V)},
                    {"width_UI", numbers(e.width_UI)},
                    {"height_der0_V", e.height_der0_V},
                    {"vec_dB", e.vec_dB},
                    {"contour_lower_V", numbers(e.contour_lower_V)},
                    {"contour_upper_V", numbers(e.contour_upper_V)},
                    {"vertical_bathtub", numbers(e.vertical_bathtub)},
                    {"horizontal_bathtub", numbers(e.horizontal_bathtub)}});
  }
  j["sub_eyes"] = subs;
  return j;
}

}  // namespace eyesweep
