// COM configuration reader (see config_toml.hpp). Keys are the IEEE COM sheet's parameter names,
// matched case-insensitively as the IEEE script does; values are read and defaulted the way the
// script's read_ParamConfigFile (v3.70) reads the sheet, then checked for ranges and shapes.
// Layout: key registry, then a Reader that turns TOML nodes into checked values and names the
// file, line and key in every error, then one reader function per group of ComConfig fields.
#include "io/config_toml.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "io/detail/toml.hpp"
#include "io/detail/edit_distance.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// ------------------------------------------------------------------------------------------
// Key registry
// ------------------------------------------------------------------------------------------

/// Sheet keys read into ComConfig. Tx taps c(k) are matched by pattern, not listed.
constexpr std::string_view used_keys[] = {
    // signalling and transmitter
    "f_b", "f_min", "Delta_f", "L", "M", "DER_0", "R_LM", "A_v", "A_fe", "A_ne", "c(0)", "T_r",
    "FORCE_TR", "SNR_TX", "sigma_RJ", "A_DD",
    // package
    "R_0", "C_d", "L_s", "C_b", "C_p", "R_d", "package_Z_c", "package_tl_gamma0_a1_a2",
    "package_tl_tau", "z_p select", "z_p (TX)", "z_p (NEXT)", "z_p (FEXT)", "z_p (RX)",
    // host board
    "Include PCB", "board_tl_gamma0_a1_a2", "board_tl_tau", "board_Z_c", "z_bp (TX)", "z_bp (NEXT)",
    "z_bp (FEXT)", "z_bp (RX)", "C_0", "C_1",
    // receiver
    "eta_0", "f_r", "Butterworth", "Bessel_Thomson", "Raised_Cosine", "RC_Start", "RC_end", "g_DC",
    "g_DC_HP", "f_z", "f_p1", "f_p2", "f_HP_PZ", "CTLE_type", "Local Search", "f_2", "ts_anchor",
    "sample_adjustment",
    // Rx FFE (solved by MMSE)
    "ffe_pre_tap_len", "ffe_post_tap_len", "ffe_pre_tap1_max", "ffe_post_tap1_max", "ffe_tapn_max",
    "num_ui_RXFF_noise", "FFE_OPT_METHOD",
    // DFE, fixed and floating taps
    "N_b", "b_max(1)", "b_max(2..N_b)", "b_min(1)", "b_min(2..N_b)", "N_bg", "N_bf", "N_f",
    "N_bmax", "bmaxg", "B_float_RSS_MAX", "N_tail_start",
    // reporting, channel files, impulse response
    "COM Pass threshold", "Port Order", "Impulse response truncation threshold",
    // the C2M eye-contour COM
    "PMD_type", "PHY", "T_O", "T_h", "samples_for_C2M", "Histogram_Window_Weight", "sigma_r", "Qr",
    "QL", "Min_VEO_Test", "EH_min_test", "EW"};

/// Sheet keys that never change the COM value: accepted with any value and reported back.
constexpr std::string_view inert_keys[] = {
    // I/O, plotting and extra reports
    "DIAGNOSTICS", "DISPLAY_WINDOW", "Display frequency domain", "CSV_REPORT", "SAVE_FIGURES",
    "SAVE_FIGURE_to_CSV", "SAVE_TD", "SAVE_CONFIG2MAT", "SAVE_KEYWORD_FILE", "RESULT_DIR", "RUNTAG",
    "BREAD_CRUMBS", "COM_CONTRIBUTION", "PLOT_CM", "exit if deployed", "delta_IL",
    "BBN Q factor", "Force BBN Q factor", "VEC Pass threshold", "N_v", "D_p",
    // TDR and ERL
    "TDR", "ERL", "ERL_ONLY", "ERL Pass threshold", "ERL_FOM", "TR_TDR", "TDR_duration",
    "TDR_Butterworth", "TDR_W_TXPKG", "TDR_f_BT_3db", "N", "N_bx", "beta_x", "rho_x",
    "fixture delay time", "Tukey_Window", "VTF_Tukey_Window", "Z_t", "Grr", "Grr_limit", "Gx",
    "AUTO_TFX", "SHOW_BRD", "T_k",
    // ICN, FOM_ILD, RILN
    "f_v", "f_f", "f_n", "f_1", "A_ft", "A_nt", "COMPUTE_RILN", "COMPUTE_TDILN",
    // receiver-calibration step and error-burst estimates
    "Sigma BBN step", "Use simple error propagation model", "Max burst length calculated",
    "Error propagation COM margin",
    // pass/fail limit of a C2M eye height, reported by the script only
    "EH_max",
    // Rx FFE controls of the script's zero-forcing solver only (the MMSE solve ignores them)
    "ffe_tap_step_size", "ffe_main_cursor_min", "ffe_backoff",
    // only read with AC_CM_RMS or Enforce Causality on (fixed below)
    "ACCM_MAX_Freq", "Enforce Causality REL_TOL", "Enforce Causality DIFF_TOL",
    "Enforce Causality pulse start tolerance",
    // development switches and obsolete keys; "N-g" and "N-max" are spellings of N_bg and
    // N_f in the 802.3dj comparison sheet that the script does not read
    "Dynamic TXFFE", "FloatingDFE_Development", "FT_COOP", "inc_reflect_board", "N-g", "N-max"};

/// A key that changes the COM computation but that eyesweep implements only at the IEEE
/// script's default: accepted (and reported back) at that value, refused at any other.
struct FixedKey {
  enum class Kind { number, text, empty_list };
  std::string_view name;
  Kind kind;
  double number = 0.0;
  std::string_view text = {};
};

constexpr FixedKey fixed_number(std::string_view name, double value) {
  return {name, FixedKey::Kind::number, value, {}};
}
constexpr FixedKey fixed_text(std::string_view name, std::string_view value) {
  return {name, FixedKey::Kind::text, 0.0, value};
}
constexpr FixedKey fixed_empty(std::string_view name) {
  return {name, FixedKey::Kind::empty_list, 0.0, {}};
}

constexpr FixedKey fixed_keys[] = {
    // package and termination model
    fixed_number("kappa1", 1), fixed_number("kappa2", 1), fixed_number("INC_PACKAGE", 1),
    fixed_number("IDEAL_TX_TERM", 0), fixed_number("IDEAL_RX_TERM", 0), fixed_number("C_v", 0),
    fixed_number("PKG_Tx_FFE_preset", 0), fixed_number("skew_ps", 0), fixed_number("flip", 0),
    fixed_number("imb_Z_fctr", 1), fixed_number("imb_C_fctr", 1),
    // signal path and S-parameter processing
    fixed_number("INCLUDE_CTLE", 1), fixed_number("INCLUDE_TX_RX_FILTER", 1),
    fixed_number("BTorder", 4), fixed_number("T_r_meas_point", 0),
    fixed_number("T_r_filter_type", 0), fixed_number("AC_CM_RMS", 0), fixed_number("TDMODE", 0),
    fixed_number("Enforce Causality", 0),
    fixed_number("fraction_of_F_range_start_extrap_from", 0.75),
    fixed_text("S-parameter magnitude extrapolation policy", "linear_trend_to_DC"),
    fixed_text("S-parameter phase extrapolation policy", "extrap_cubic_to_dc_linear_to_inf"),
    // equaliser variants
    fixed_empty("f_HP_Z"), fixed_empty("f_HP_P"),
    fixed_empty("G_Qual"), fixed_empty("G2_Qual"), fixed_number("GDC_MIN", 0),
    fixed_number("crusor_gain", 0), fixed_number("N_b_step", 0), fixed_text("CDR", "MM"),
    // noise statistics and numerics
    fixed_number("Noise_Crest_Factor", 0), fixed_number("PDF bin size", 1e-5),
    fixed_number("Force PDF bin size", 0), fixed_number("USE_ETA0_PSD", 0),
    fixed_number("SNR_TXwC0", 0), fixed_number("LIMIT_JITTER_CONTRIB_TO_DFE_SPAN", 0),
    fixed_number("EXE_MODE", 1), fixed_number("Optimize_loop_speed_up", 0),
    // what is computed: COM, not a receiver calibration or TDECQ; no C2M eye-height limit
    fixed_number("RX_CALIBRATION", 0), fixed_number("EH_min", 0), fixed_number("TDECQ", 0),
    fixed_number("WC_PORTZ", 0), fixed_number("MLSE", 0)};

constexpr std::string_view options_table = "eyesweep";
constexpr std::string_view option_keys[] = {"name", "note", "band_extension", "cursor_rule",
                                            "impulse_truncation_threshold", "rx_ffe_solver"};

constexpr int max_tap_offset = 16;                // c(-16) .. c(16)
constexpr std::size_t max_range_values = 100000;  // a range longer than this is a typo

// ------------------------------------------------------------------------------------------
// Small text helpers
// ------------------------------------------------------------------------------------------

using detail::lower_char;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lower_char(x) == lower_char(y);
         });
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

/// "file:line", or "file" where toml++ knows no line.
std::string location(const std::string& source, const toml::source_region& region) {
  return region.begin.line > 0 ? source + ":" + std::to_string(region.begin.line) : source;
}

std::string format_number(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::optional<double> parse_double(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);  // from_chars refuses '+'
  double value = 0.0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || result.ec != std::errc{} || result.ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}


/// " (did you mean ...?)" with the known key the given one abbreviates or misspells.
std::string suggestion(std::string_view key, const std::vector<std::string_view>& candidates) {
  const std::string_view best = detail::nearest_name(key, candidates);
  if (!best.empty()) return " (did you mean " + in_quotes(best) + "?)";
  return " (the shipped configs/*.toml list the accepted keys)";
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date/time";
  }
}

// ------------------------------------------------------------------------------------------
// Value checks
// ------------------------------------------------------------------------------------------

/// An interval a value must lie in; describes itself for messages.
struct Bounds {
  double lo = -inf;
  double hi = inf;
  bool lo_open = false;
  bool hi_open = false;

  bool contains(double v) const {
    return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
  }
  std::string describe() const {
    if (hi == inf) return std::string(lo_open ? "> " : ">= ") + format_number(lo);
    return std::string("in ") + (lo_open ? "(" : "[") + format_number(lo) + ", " +
           format_number(hi) + (hi_open ? ")" : "]");
  }
};

constexpr Bounds any_value{};
constexpr Bounds positive{0.0, inf, true, false};
constexpr Bounds non_negative{0.0, inf, false, false};
constexpr Bounds probability_below_half{0.0, 0.5, true, true};
constexpr Bounds unit_fraction{0.0, 1.0, true, false};
constexpr Bounds open_unit{0.0, 1.0, true, true};
constexpr Bounds tap_weight{-1.0, 1.0, false, false};

/// A matrix read from a number, a flat array (one row) or an array of arrays (rows).
using Rows = std::vector<std::vector<double>>;

/// [TX, RX] values of one quantity.
struct SidePair {
  double tx = 0.0;
  double rx = 0.0;
};

// ------------------------------------------------------------------------------------------
// Reader: checked access to one TOML table, every error naming file, line and key
// ------------------------------------------------------------------------------------------

struct Entry {
  const toml::node* node = nullptr;
  toml::source_region key_region;
};

class Reader {
 public:
  Reader(std::string source, std::string key_prefix,
         std::map<std::string, Entry, std::less<>> entries)
      : source_(std::move(source)), prefix_(std::move(key_prefix)), entries_(std::move(entries)) {}

  const std::string& source() const { return source_; }
  const std::map<std::string, Entry, std::less<>>& entries() const { return entries_; }

  const toml::node* find(std::string_view key) const {
    const auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : it->second.node;
  }

  [[noreturn]] void fail(std::string_view key, const std::string& what) const {
    const auto it = entries_.find(key);
    fail_at_region(it == entries_.end() ? toml::source_region{} : it->second.key_region, key, what);
  }
  [[noreturn]] void fail_at(const toml::node& node, std::string_view key,
                            const std::string& what) const {
    fail_at_region(node.source(), key, what);
  }
  [[noreturn]] void fail_missing(std::string_view key) const {
    throw InputError(source_ + ": missing required key " + in_quotes(prefix_ + std::string(key)) +
                     " (the IEEE script has no default for it)");
  }

  // --- conversions of one node -------------------------------------------------------------

  double to_number(std::string_view key, const toml::node& node) const {
    double value = 0.0;
    if (const auto* i = node.as_integer()) {
      value = static_cast<double>(i->get());
    } else if (const auto* f = node.as_floating_point()) {
      value = f->get();
    } else {
      fail_at(node, key, "expected a number, got " + type_name(node));
    }
    if (!std::isfinite(value)) {
      fail_at(node, key, "expected a finite number, got " + format_number(value));
    }
    return value;
  }

  int to_integer(std::string_view key, const toml::node& node) const {
    const double value = to_number(key, node);
    if (value != std::round(value) || std::abs(value) > 1e9) {
      fail_at(node, key, "expected an integer, got " + format_number(value));
    }
    return static_cast<int>(value);
  }

  /// Logical keys: true/false, or 0/1 as the sheets write them.
  bool to_logical(std::string_view key, const toml::node& node) const {
    if (const auto* b = node.as_boolean()) return b->get();
    if (node.is_number()) {
      const double value = to_number(key, node);
      if (value == 0.0 || value == 1.0) return value != 0.0;
      fail_at(node, key, "expected true/false or 0/1, got " + format_number(value));
    }
    fail_at(node, key, "expected true/false or 0/1, got " + type_name(node));
  }

  std::string to_string(std::string_view key, const toml::node& node) const {
    const auto* s = node.as_string();
    if (s == nullptr) fail_at(node, key, "expected a string, got " + type_name(node));
    return s->get();
  }

  /// A number, or a non-empty array of numbers.
  std::vector<double> to_numbers(std::string_view key, const toml::node& node) const {
    if (node.is_number()) return {to_number(key, node)};
    const auto* array = node.as_array();
    if (array == nullptr) {
      fail_at(node, key, "expected a number or an array of numbers, got " + type_name(node));
    }
    if (array->empty()) fail_at(node, key, "expected at least one value, got an empty array");
    std::vector<double> values;
    for (const toml::node& element : *array) {
      if (!element.is_number()) {
        fail_at(element, key,
                "element " + std::to_string(values.size() + 1) + ": expected a number, got " +
                    type_name(element));
      }
      values.push_back(to_number(key, element));
    }
    return values;
  }

  /// A number (1x1), a flat array (one row) or an array of equally long arrays (rows).
  Rows to_rows(std::string_view key, const toml::node& node) const {
    const auto* array = node.as_array();
    if (array == nullptr || array->empty() || !array->front().is_array()) {
      return {to_numbers(key, node)};
    }
    Rows rows;
    for (const toml::node& row : *array) {
      if (!row.is_array()) {
        fail_at(row, key, "mixes numbers and arrays; give every row as an array");
      }
      rows.push_back(to_numbers(key, row));
      if (rows.back().size() != rows.front().size()) {
        fail_at(row, key,
                "row " + std::to_string(rows.size()) + " has " +
                    std::to_string(rows.back().size()) + " values but row 1 has " +
                    std::to_string(rows.front().size()));
      }
    }
    return rows;
  }

  /// A list of values: a number, an array, or a MATLAB range string "[min:step:max]".
  std::vector<double> to_value_list(std::string_view key, const toml::node& node) const {
    if (const auto* s = node.as_string()) return range_values(key, node, s->get());
    return to_numbers(key, node);
  }

  void check(std::string_view key, const toml::node& node, double value, Bounds bounds) const {
    if (!bounds.contains(value)) {
      fail_at(node, key, format_number(value) + " is out of range: must be " + bounds.describe());
    }
  }
  void check_all(std::string_view key, const toml::node& node, const std::vector<double>& values,
                 Bounds bounds) const {
    for (const double value : values) check(key, node, value, bounds);
  }

  // --- keys with defaults --------------------------------------------------------------------

  double number(std::string_view key, std::optional<double> fallback, Bounds bounds) const {
    const toml::node* node = find(key);
    if (node == nullptr) {
      if (!fallback) fail_missing(key);
      return *fallback;
    }
    const double value = to_number(key, *node);
    check(key, *node, value, bounds);
    return value;
  }

  int integer(std::string_view key, std::optional<int> fallback, int min_value) const {
    const toml::node* node = find(key);
    if (node == nullptr) {
      if (!fallback) fail_missing(key);
      return *fallback;
    }
    const int value = to_integer(key, *node);
    if (value < min_value) {
      fail_at(*node, key,
              std::to_string(value) + " is out of range: must be >= " + std::to_string(min_value));
    }
    return value;
  }

  bool logical(std::string_view key, std::optional<bool> fallback) const {
    const toml::node* node = find(key);
    if (node == nullptr) {
      if (!fallback) fail_missing(key);
      return *fallback;
    }
    return to_logical(key, *node);
  }

  std::string text(std::string_view key, std::string fallback) const {
    const toml::node* node = find(key);
    return node == nullptr ? fallback : to_string(key, *node);
  }

 private:
  [[noreturn]] void fail_at_region(const toml::source_region& region, std::string_view key,
                                   const std::string& what) const {
    throw InputError(location(source_, region) + ": key " + in_quotes(prefix_ + std::string(key)) +
                     ": " + what);
  }

  /// Enumerates "[min:step:max]" (or "[min:max]", step 1) with integer steps, as the IEEE
  /// script's colon operator does, so float accumulation never adds or drops a value.
  std::vector<double> range_values(std::string_view key, const toml::node& node,
                                   std::string_view text) const {
    const std::string_view shown = trim(text);
    std::string_view body = shown;
    if (body.size() >= 2 && body.front() == '[' && body.back() == ']') {
      body = body.substr(1, body.size() - 2);
    }
    std::vector<double> parts;
    for (std::size_t start = 0;;) {
      const std::size_t colon = body.find(':', start);
      const auto number =
          parse_double(body.substr(start, colon == std::string_view::npos ? colon : colon - start));
      if (!number) {
        fail_at(node, key, "expected a numeric range \"[min:step:max]\", got " + in_quotes(shown));
      }
      parts.push_back(*number);
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
    if (parts.size() != 2 && parts.size() != 3) {
      fail_at(node, key, "expected a numeric range \"[min:step:max]\", got " + in_quotes(shown));
    }
    const double lo = parts.front();
    const double hi = parts.back();
    const double step = parts.size() == 3 ? parts[1] : 1.0;
    if (!std::isfinite(lo) || !std::isfinite(hi) || !std::isfinite(step)) {
      fail_at(node, key, "range " + std::string(shown) + " must have finite bounds and step");
    }
    if (step <= 0.0) fail_at(node, key, "range " + std::string(shown) + ": step must be > 0");
    if (lo > hi) fail_at(node, key, "empty range " + std::string(shown) + " (min > max)");
    const double span = (hi - lo) / step;
    if (span >= static_cast<double>(max_range_values)) {
      fail_at(node, key,
              "range " + std::string(shown) + " has more than " + std::to_string(max_range_values) +
                  " values");
    }
    // A span within rounding of an integer counts as reaching max; otherwise stop below max.
    const double nearest = std::round(span);
    const auto count = static_cast<std::size_t>(
        std::abs(span - nearest) <= 1e-9 * std::max(1.0, nearest) ? nearest : std::floor(span));
    std::vector<double> values;
    values.reserve(count + 1);
    for (std::size_t k = 0; k <= count; ++k) {
      const double value = lo + static_cast<double>(k) * step;
      values.push_back(std::abs(value) <= 1e-9 * step ? 0.0 : value);  // exact 0 where crossed
    }
    return values;
  }

  std::string source_;
  std::string prefix_;
  std::map<std::string, Entry, std::less<>> entries_;
};

// ------------------------------------------------------------------------------------------
// Classification of the top-level keys
// ------------------------------------------------------------------------------------------

/// "c(k)" in any case and spacing-free form, returned as "c(k)" with k normalised.
std::optional<std::string> tap_key(std::string_view key) {
  if (key.size() < 4 || lower_char(key.front()) != 'c' || key[1] != '(' || key.back() != ')') {
    return std::nullopt;
  }
  const std::string_view digits = key.substr(2, key.size() - 3);
  int offset = 0;
  const std::string_view unsigned_digits =
      (!digits.empty() && digits.front() == '+') ? digits.substr(1) : digits;
  const auto result = std::from_chars(unsigned_digits.data(),
                                      unsigned_digits.data() + unsigned_digits.size(), offset);
  if (result.ec != std::errc{} || result.ptr != unsigned_digits.data() + unsigned_digits.size()) {
    return std::nullopt;
  }
  return "c(" + std::to_string(offset) + ")";
}

template <std::size_t N>
std::optional<std::string_view> find_name(const std::string_view (&names)[N],
                                          std::string_view key) {
  for (const auto name : names) {
    if (iequals(name, key)) return name;
  }
  return std::nullopt;
}

const FixedKey* find_fixed(std::string_view key) {
  for (const auto& fixed : fixed_keys) {
    if (iequals(fixed.name, key)) return &fixed;
  }
  return nullptr;
}

std::vector<std::string_view> all_sheet_keys() {
  std::vector<std::string_view> names(std::begin(used_keys), std::end(used_keys));
  names.insert(names.end(), std::begin(inert_keys), std::end(inert_keys));
  for (const auto& fixed : fixed_keys) names.push_back(fixed.name);
  names.push_back("c(-1)");
  names.push_back(options_table);
  return names;
}

std::string describe_default(const FixedKey& fixed) {
  switch (fixed.kind) {
    case FixedKey::Kind::number: return format_number(fixed.number);
    case FixedKey::Kind::text: return in_quotes(fixed.text);
    case FixedKey::Kind::empty_list: return "absent or []";
  }
  return {};
}

bool holds_default(const FixedKey& fixed, const toml::node& node) {
  switch (fixed.kind) {
    case FixedKey::Kind::number:
      if (const auto* b = node.as_boolean()) return (b->get() ? 1.0 : 0.0) == fixed.number;
      if (const auto* i = node.as_integer()) return static_cast<double>(i->get()) == fixed.number;
      if (const auto* f = node.as_floating_point()) return f->get() == fixed.number;
      return false;
    case FixedKey::Kind::text: {
      const auto* s = node.as_string();
      return s != nullptr && iequals(trim(s->get()), fixed.text);
    }
    case FixedKey::Kind::empty_list: {
      const auto* a = node.as_array();
      return a != nullptr && a->empty();
    }
  }
  return false;
}

/// Sorts the top-level keys into those read into ComConfig (returned as a Reader) and those
/// reported back in `ignored` (file order); refuses unknown keys, case-insensitive duplicates
/// and fixed keys away from their defaults.
Reader classify_sheet_keys(const toml::table& root, const std::string& source,
                           std::vector<std::string>& ignored) {
  std::map<std::string, Entry, std::less<>> entries;
  std::vector<std::pair<std::uint32_t, std::string>> ignored_by_line;
  const Reader messages(source, "", {});  // no entries yet: used for its messages only
  for (const auto& [toml_key, node] : root) {
    const std::string_view key = toml_key.str();
    if (key == options_table) continue;
    std::string canonical;
    bool is_ignored = false;
    if (const auto tap = tap_key(key)) {
      canonical = *tap;
    } else if (const auto used = find_name(used_keys, key)) {
      canonical = *used;
    } else if (const auto inert = find_name(inert_keys, key)) {
      canonical = *inert;
      is_ignored = true;
    } else if (const FixedKey* fixed = find_fixed(key)) {
      if (!holds_default(*fixed, node)) {
        messages.fail_at(node, fixed->name,
                         "eyesweep implements only the IEEE script's default (" +
                             describe_default(*fixed) +
                             "); other values change the COM computation and are not supported");
      }
      canonical = fixed->name;
      is_ignored = true;
    } else {
      throw InputError(location(source, toml_key.source()) + ": unknown key " + in_quotes(key) +
                       suggestion(key, all_sheet_keys()));
    }
    const Entry entry{&node, toml_key.source()};
    if (!entries.emplace(canonical, entry).second) {
      messages.fail_at(node, canonical,
                       "given twice (keys are case-insensitive, as in the IEEE script)");
    }
    if (is_ignored) ignored_by_line.emplace_back(toml_key.source().begin.line, canonical);
  }
  std::sort(ignored_by_line.begin(), ignored_by_line.end());
  for (auto& [line, name] : ignored_by_line) ignored.push_back(std::move(name));
  return Reader(source, "", std::move(entries));
}

// ------------------------------------------------------------------------------------------
// Readers of ComConfig groups
// ------------------------------------------------------------------------------------------

/// A scalar sheet key read into a ComConfig field; no fallback = required.
struct NumberKey {
  std::string_view key;
  double* target;
  std::optional<double> fallback;
  Bounds bounds;
};

template <std::size_t N>
void read_numbers(const Reader& in, const NumberKey (&keys)[N]) {
  for (const auto& k : keys) *k.target = in.number(k.key, k.fallback, k.bounds);
}

/// A number or a [TX, RX] pair (a one-element array counts as a number).
SidePair read_pair(const Reader& in, std::string_view key, std::optional<double> fallback,
                   Bounds bounds) {
  const toml::node* node = in.find(key);
  if (node == nullptr) {
    if (!fallback) in.fail_missing(key);
    return {*fallback, *fallback};
  }
  const auto values = in.to_numbers(key, *node);
  if (values.size() > 2) {
    in.fail_at(
        *node, key,
        "expected a number or a [TX, RX] pair, got " + std::to_string(values.size()) + " values");
  }
  in.check_all(key, *node, values, bounds);
  return {values.front(), values.back()};
}

/// A board value that eyesweep models once for both sides: a number or a [TX, RX] pair, whose
/// values must agree when the board is used (`in_use`); otherwise the TX value is kept.
double read_same_both_sides(const Reader& in, std::string_view key, double fallback, Bounds bounds,
                            bool in_use) {
  const SidePair pair = read_pair(in, key, fallback, bounds);
  if (in_use && pair.tx != pair.rx) {
    in.fail(key, "different TX and RX values (" + format_number(pair.tx) + ", " +
                     format_number(pair.rx) + ") are not supported yet; give one value");
  }
  return pair.tx;
}

/// A die ladder per side: a number, a [TX, RX] pair, or [[TX ladder...], [RX ladder...]].
std::pair<std::vector<double>, std::vector<double>> read_ladder(const Reader& in,
                                                                std::string_view key,
                                                                const toml::node& node) {
  const Rows rows = in.to_rows(key, node);
  for (const auto& row : rows) in.check_all(key, node, row, non_negative);
  if (rows.size() == 1 && rows.front().size() <= 2) {
    return {{rows.front().front()}, {rows.front().back()}};
  }
  if (rows.size() == 2) return {rows[0], rows[1]};
  in.fail_at(node, key, "expected a number, a [TX, RX] pair or [[TX ladder...], [RX ladder...]]");
}

/// The four "z_p (...)" tables: rows = line segments, columns = package cases.
struct PackageTables {
  Rows tx, next, fext, rx;
  std::size_t segments() const { return tx.size(); }
  std::size_t cases() const { return tx.front().size(); }
};

PackageTables read_package_tables(const Reader& in) {
  const auto read = [&](std::string_view key) {
    const toml::node* node = in.find(key);
    if (node == nullptr) in.fail_missing(key);
    Rows rows = in.to_rows(key, *node);
    for (const auto& row : rows) in.check_all(key, *node, row, non_negative);
    return rows;
  };
  PackageTables tables{read("z_p (TX)"), read("z_p (NEXT)"), read("z_p (FEXT)"), read("z_p (RX)")};
  const auto shape = [](const Rows& rows) {
    return std::to_string(rows.size()) + " segment(s) x " + std::to_string(rows.front().size()) +
           " case(s)";
  };
  const std::pair<std::string_view, const Rows*> others[] = {
      {"z_p (NEXT)", &tables.next}, {"z_p (FEXT)", &tables.fext}, {"z_p (RX)", &tables.rx}};
  for (const auto& [key, rows] : others) {
    if (rows->size() != tables.tx.size() || rows->front().size() != tables.tx.front().size()) {
      in.fail(key, "is " + shape(*rows) + " but \"z_p (TX)\" is " + shape(tables.tx) +
                       "; the TX, NEXT, FEXT and RX tables must have the same shape");
    }
  }
  return tables;
}

/// "z_p select": 1-based case indices, in the order they are to be run.
std::vector<std::size_t> read_case_selection(const Reader& in, std::size_t num_cases) {
  const toml::node* node = in.find("z_p select");
  if (node == nullptr) return {0};
  std::vector<std::size_t> selected;
  for (const double value : in.to_numbers("z_p select", *node)) {
    if (value != std::round(value) || value < 1 || value > static_cast<double>(num_cases)) {
      in.fail_at(*node, "z_p select",
                 "case " + format_number(value) + " does not exist: the z_p tables have " +
                     std::to_string(num_cases) + " case(s), numbered from 1");
    }
    const auto index = static_cast<std::size_t>(value) - 1;
    if (std::find(selected.begin(), selected.end(), index) != selected.end()) {
      in.fail_at(*node, "z_p select", "case " + format_number(value) + " is selected twice");
    }
    selected.push_back(index);
  }
  return selected;
}

std::vector<double> column(const Rows& rows, std::size_t c) {
  std::vector<double> values;
  for (const auto& row : rows) values.push_back(row[c]);
  return values;
}

/// package_Z_c: one [TX, RX] row per line segment (a number or a pair for a single segment).
void read_package_impedances(const Reader& in, std::size_t segments, ComConfig& cfg) {
  const toml::node* node = in.find("package_Z_c");
  Rows rows = node == nullptr ? Rows{{78.2}} : in.to_rows("package_Z_c", *node);
  if (node != nullptr && rows.front().size() > 2) {
    in.fail_at(*node, "package_Z_c", "each segment row must be [TX, RX]");
  }
  if (rows.size() != segments) {
    in.fail("package_Z_c", "has " + std::to_string(rows.size()) +
                               " row(s) but the z_p tables have " + std::to_string(segments) +
                               " line segment(s); give one [TX, RX] row per segment");
  }
  for (const auto& row : rows) {
    if (node != nullptr) in.check_all("package_Z_c", *node, row, positive);
    cfg.tx_package.Z_c_ohm.push_back(row.front());
    cfg.rx_package.Z_c_ohm.push_back(row.back());
  }
}

LineModel read_line(const Reader& in, std::string_view gamma_key, std::string_view tau_key,
                    const LineModel& fallback) {
  LineModel line = fallback;
  if (const toml::node* node = in.find(gamma_key)) {
    const auto values = in.to_numbers(gamma_key, *node);
    if (values.size() != 3) {
      in.fail_at(*node, gamma_key,
                 "expected [gamma_0, a_1, a_2], got " + std::to_string(values.size()) + " values");
    }
    in.check_all(gamma_key, *node, values, non_negative);
    line.gamma0_per_mm = values[0];
    line.a1 = values[1];
    line.a2 = values[2];
  }
  line.tau_ns_per_mm = in.number(tau_key, fallback.tau_ns_per_mm, positive);
  return line;
}

void read_signalling(const Reader& in, ComConfig& cfg) {
  const NumberKey keys[] = {
      {"f_b", &cfg.f_b_GBd, std::nullopt, positive},
      {"f_min", &cfg.f_min_GHz, std::nullopt, non_negative},
      {"Delta_f", &cfg.delta_f_GHz, std::nullopt, positive},
      {"DER_0", &cfg.DER_0, std::nullopt, probability_below_half},
      {"R_LM", &cfg.R_LM, std::nullopt, unit_fraction},
      {"A_v", &cfg.A_v, std::nullopt, positive},
      {"A_fe", &cfg.A_fe, std::nullopt, positive},
      {"A_ne", &cfg.A_ne, std::nullopt, positive},
  };
  read_numbers(in, keys);
  cfg.L = in.integer("L", std::nullopt, 2);
  // The script passes 32 where the default belongs, so it actually demands M; the intent is 32.
  cfg.M = in.integer("M", 32, 2);
}

void read_tx_taps(const Reader& in, ComConfig& cfg) {
  for (const auto& [key, entry] : in.entries()) {
    const auto tap = tap_key(key);
    if (!tap || key == "c(0)") continue;
    const int offset = std::stoi(key.substr(2));
    if (std::abs(offset) > max_tap_offset) {
      in.fail(key, "Tx FFE taps are limited to c(-" + std::to_string(max_tap_offset) + ") .. c(" +
                       std::to_string(max_tap_offset) + ")");
    }
    TxTapRange range{offset, in.to_value_list(key, *entry.node)};
    in.check_all(key, *entry.node, range.values, tap_weight);
    cfg.tx_taps.push_back(std::move(range));
  }
  std::sort(cfg.tx_taps.begin(), cfg.tx_taps.end(),
            [](const TxTapRange& a, const TxTapRange& b) { return a.offset < b.offset; });
}

void read_transmitter(const Reader& in, ComConfig& cfg) {
  const NumberKey keys[] = {
      {"c(0)", &cfg.c0_min, std::nullopt, unit_fraction},
      {"T_r", &cfg.T_r_ns, 8e-3, non_negative},
      {"SNR_TX", &cfg.SNR_TX_dB, std::nullopt, any_value},
      {"sigma_RJ", &cfg.sigma_RJ_UI, std::nullopt, non_negative},
      {"A_DD", &cfg.A_DD_UI, std::nullopt, non_negative},
  };
  read_numbers(in, keys);
  cfg.FORCE_TR = in.logical("FORCE_TR", false);
  read_tx_taps(in, cfg);
}

void read_package(const Reader& in, ComConfig& cfg) {
  cfg.R_0_ohm = in.number("R_0", 50.0, positive);  // the script demands R_0 (same quirk as M)

  const toml::node* c_d = in.find("C_d");
  if (c_d == nullptr) in.fail_missing("C_d");
  std::tie(cfg.tx_package.C_d_nF, cfg.rx_package.C_d_nF) = read_ladder(in, "C_d", *c_d);
  if (const toml::node* l_s = in.find("L_s")) {
    std::tie(cfg.tx_package.L_s_nH, cfg.rx_package.L_s_nH) = read_ladder(in, "L_s", *l_s);
    if (cfg.tx_package.L_s_nH.size() != cfg.tx_package.C_d_nF.size()) {
      in.fail("L_s", "has " + std::to_string(cfg.tx_package.L_s_nH.size()) +
                         " ladder element(s) per side but C_d has " +
                         std::to_string(cfg.tx_package.C_d_nF.size()));
    }
  } else {
    cfg.tx_package.L_s_nH.assign(cfg.tx_package.C_d_nF.size(), 0.0);
    cfg.rx_package.L_s_nH.assign(cfg.rx_package.C_d_nF.size(), 0.0);
  }
  const auto assign = [](const SidePair& pair, double PackageSide::*field, ComConfig& c) {
    c.tx_package.*field = pair.tx;
    c.rx_package.*field = pair.rx;
  };
  assign(read_pair(in, "C_b", 0.0, non_negative), &PackageSide::C_b_nF, cfg);
  assign(read_pair(in, "C_p", std::nullopt, non_negative), &PackageSide::C_p_nF, cfg);
  assign(read_pair(in, "R_d", std::nullopt, positive), &PackageSide::R_d_ohm, cfg);

  cfg.package_line = read_line(in, "package_tl_gamma0_a1_a2", "package_tl_tau",
                               {0.0, 1.734e-3, 1.455e-4, 6.141e-3});
  const PackageTables tables = read_package_tables(in);
  read_package_impedances(in, tables.segments(), cfg);
  for (const std::size_t c : read_case_selection(in, tables.cases())) {
    cfg.package_cases.push_back({column(tables.tx, c), column(tables.next, c), column(tables.fext, c),
                                 column(tables.rx, c), static_cast<int>(c) + 1});
  }
}

void read_board(const Reader& in, ComConfig& cfg) {
  BoardModel& board = cfg.board;
  const toml::node* include = in.find("Include PCB");
  if (include == nullptr) in.fail_missing("Include PCB");
  if (include->is_number() && in.to_number("Include PCB", *include) == 2.0) {
    in.fail_at(*include, "Include PCB",
               "2 (receive-side board only) is not supported yet; use 0 or 1");
  }
  board.include = in.to_logical("Include PCB", *include);
  board.line =
      read_line(in, "board_tl_gamma0_a1_a2", "board_tl_tau", {0.0, 4.114e-4, 2.547e-4, 6.191e-3});
  board.Z_c_ohm = read_same_both_sides(in, "board_Z_c", 109.8, positive, board.include);
  board.C_0_nF = read_same_both_sides(in, "C_0", 0.0, non_negative, board.include);
  board.C_1_nF = read_same_both_sides(in, "C_1", 0.0, non_negative, board.include);
  const NumberKey keys[] = {
      {"z_bp (TX)", &board.z_bp_tx_mm, 151.0, non_negative},
      {"z_bp (NEXT)", &board.z_bp_next_mm, 72.0, non_negative},
      {"z_bp (FEXT)", &board.z_bp_fext_mm, 72.0, non_negative},
      {"z_bp (RX)", &board.z_bp_rx_mm, 151.0, non_negative},
  };
  read_numbers(in, keys);
}

void read_ctle(const Reader& in, ComConfig& cfg) {
  const NumberKey keys[] = {
      {"f_z", &cfg.f_z_GHz, cfg.f_b_GBd / 4, positive},
      {"f_p1", &cfg.f_p1_GHz, cfg.f_b_GBd / 4, positive},
      {"f_p2", &cfg.f_p2_GHz, cfg.f_b_GBd, positive},
      {"f_HP_PZ", &cfg.f_HP_PZ_GHz, 0.0, non_negative},
  };
  read_numbers(in, keys);
  // CL93 (one stage) and CL120d (with the low-frequency stage) are the one form of
  // com_config.hpp, told apart by f_HP_PZ; the script also switches to CL120d on g_DC_HP.
  std::string type = in.text("CTLE_type", "CL93");
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::toupper(c); });
  if (type != "CL93" && type != "CL120D") {
    in.fail("CTLE_type", in_quotes(type) + " is not supported; use \"CL93\" or \"CL120d\"");
  }
  const toml::node* g_dc = in.find("g_DC");
  if (g_dc == nullptr) in.fail_missing("g_DC");
  cfg.g_DC_dB = in.to_value_list("g_DC", *g_dc);
  cfg.g_DC_HP_dB = {0.0};
  if (const toml::node* g_dc_hp = in.find("g_DC_HP")) {
    cfg.g_DC_HP_dB = in.to_value_list("g_DC_HP", *g_dc_hp);
    if (cfg.f_HP_PZ_GHz <= 0.0) {
      in.fail("g_DC_HP", "needs the low-frequency pole-zero \"f_HP_PZ\" > 0");
    }
  }
}

void read_sampling_point(const Reader& in, ComConfig& cfg);

void read_receiver(const Reader& in, ComConfig& cfg) {
  const NumberKey keys[] = {
      {"eta_0", &cfg.eta_0_V2_per_GHz, std::nullopt, non_negative},
      {"f_r", &cfg.f_r, 4.0, positive},  // the script's default: the filter far out of band
      // an ICN key, but the script's search FOM also scales its crosstalk term by 1 / f_2
      {"f_2", &cfg.f_2_GHz, cfg.f_b_GBd, positive},
  };
  read_numbers(in, keys);
  cfg.Butterworth = in.logical("Butterworth", true);
  cfg.Bessel_Thomson = in.logical("Bessel_Thomson", false);
  cfg.Raised_Cosine = in.logical("Raised_Cosine", false);
  // The sheets give the raised-cosine corners in Hz (unlike every other frequency).
  constexpr double hz_per_ghz = 1e9;
  cfg.RC_start_GHz = in.number("RC_Start", cfg.f_b_GBd / 2 * hz_per_ghz, positive) / hz_per_ghz;
  cfg.RC_end_GHz = in.number("RC_end", cfg.f_b_GBd * cfg.f_r * hz_per_ghz, positive) / hz_per_ghz;
  if (cfg.Raised_Cosine && cfg.RC_start_GHz >= cfg.RC_end_GHz) {
    in.fail("RC_end",
            "must be above RC_Start (" + format_number(cfg.RC_start_GHz * hz_per_ghz) + " Hz)");
  }
  read_ctle(in, cfg);
  cfg.local_search = in.integer("Local Search", 0, 0);
  read_sampling_point(in, cfg);
}

/// PMD_type / PHY and the C2M eye-contour keys, read as the script reads them (lines 8381,
/// 8564-8572, 8670): T_h overrides T_O, Qr defaults to sigma_r and QL to T_O / (1000 Qr); T_O
/// counts only when PHY is C2M.
void read_c2m(const Reader& in, ComConfig& cfg) {
  const auto read_phy = [&](std::string_view key, const std::string& fallback) {
    const toml::node* node = in.find(key);
    if (node == nullptr) return fallback;
    const std::string value(trim(in.to_string(key, *node)));
    if (!iequals(value, "C2C") && !iequals(value, "C2M")) {
      in.fail_at(*node, key, in_quotes(value) + " is not one of \"C2C\", \"C2M\"");
    }
    return value;
  };
  const bool is_c2m = iequals(read_phy("PHY", read_phy("PMD_type", "C2C")), "C2M");

  C2mEye& c2m = cfg.c2m;
  // OP.EW: the sheet's switch, forced on for C2M (lines 8604, 8671).
  c2m.eye_width = in.logical("EW", false) || is_c2m;
  const std::string_view t_o_key = in.find("T_h") != nullptr ? "T_h" : "T_O";
  const double t_o = in.number(t_o_key, 0.0, non_negative);
  c2m.samples_per_ui = in.integer("samples_for_C2M", 100, 2);
  const double sigma_r = in.number("sigma_r", 0.020, positive);
  const double q_r = in.number("Qr", sigma_r, positive);
  c2m.QL = in.number("QL", t_o / q_r / 1000.0, positive);
  constexpr std::pair<std::string_view, HistogramWindow> windows[] = {
      {"rectangle", HistogramWindow::rectangle}, {"gaussian", HistogramWindow::gaussian},
      {"norm", HistogramWindow::gaussian},       {"normal", HistogramWindow::gaussian},
      {"guassian", HistogramWindow::gaussian},   {"triangle", HistogramWindow::triangle},
      {"dual_rayleigh", HistogramWindow::dual_rayleigh}};
  if (const toml::node* node = in.find("Histogram_Window_Weight")) {
    const std::string value(trim(in.to_string("Histogram_Window_Weight", *node)));
    const auto match = std::find_if(std::begin(windows), std::end(windows),
                                    [&](const auto& w) { return iequals(w.first, value); });
    if (match == std::end(windows)) {
      in.fail_at(*node, "Histogram_Window_Weight",
                 in_quotes(value) + " is not one of \"rectangle\", \"gaussian\", \"triangle\", \"dual_rayleigh\"");
    }
    c2m.window = match->second;
  }

  if (!is_c2m) {
    // The script sets T_O = 0 unless PHY is C2M: the window keys then change nothing, nor does
    // samples_for_C2M unless EW asks for the eye width, whose time grid it sets.
    for (const std::string_view key : {"T_O", "T_h", "samples_for_C2M", "Histogram_Window_Weight", "sigma_r", "Qr",
                                       "QL", "Min_VEO_Test", "EH_min_test"}) {
      if (in.find(key) != nullptr && !(key == "samples_for_C2M" && c2m.eye_width)) cfg.ignored_keys.emplace_back(key);
    }
    // ignored_keys are in file order: sort the additions in.
    const auto line_of = [&](const std::string& key) { return in.entries().at(key).key_region.begin.line; };
    std::stable_sort(cfg.ignored_keys.begin(), cfg.ignored_keys.end(),
                     [&](const std::string& a, const std::string& b) { return line_of(a) < line_of(b); });
    return;
  }
  c2m.T_O_mUI = t_o;
  if (!c2m.enabled()) return;
  const int half_width = c2m.half_width();
  const int widest = c2m.widest_half_width();
  if (half_width < 1 || half_width > widest) {
    in.fail(t_o_key, format_number(t_o) + " mUI gives floor(T_O / 1000 samples_for_C2M) = " +
                         std::to_string(half_width) + " samples each side of t_s; it must be 1 .. " +
                         std::to_string(widest) + " at samples_for_C2M = " + std::to_string(c2m.samples_per_ui));
  }
  // Min_VEO_Test overrides EH_min_test, its older name (lines 8380-8381).
  const std::string_view veo_key = in.find("Min_VEO_Test") != nullptr ? "Min_VEO_Test" : "EH_min_test";
  c2m.min_veo_test_mV = in.number(veo_key, 0.0, any_value);
}

/// The numbers of a key given as a number, an array, or the sheet's string "[a b]".
std::vector<double> read_number_text(const Reader& in, std::string_view key, const toml::node& node,
                                     std::string_view example) {
  const auto* s = node.as_string();
  if (s == nullptr) return in.to_numbers(key, node);
  std::string text(s->get());
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '[' || c == ']' || c == ',' || c == ';'; }, ' ');
  std::istringstream words(text);
  std::vector<double> values;
  for (std::string word; words >> word;) {
    const auto value = parse_double(word);
    if (!value) in.fail_at(node, key, "expected numbers such as \"" + std::string(example) + "\", got " + in_quotes(s->get()));
    values.push_back(*value);
  }
  if (values.empty()) in.fail_at(node, key, "expected at least one value, got " + in_quotes(s->get()));
  return values;
}

/// ts_anchor (the cursor rule) and sample_adjustment (offsets tried around its point).
void read_sampling_point(const Reader& in, ComConfig& cfg) {
  const int anchor = in.integer("ts_anchor", 0, 0);
  constexpr CursorRule anchors[] = {CursorRule::mueller_muller, CursorRule::peak, CursorRule::max_slope_step};
  if (anchor > 2) in.fail("ts_anchor", std::to_string(anchor) + " is not 0 (Mueller-Muller), 1 (peak) or 2 (max h(t) - h(t - T))");
  cfg.cursor_rule = anchors[anchor];

  constexpr std::string_view key = "sample_adjustment";
  const toml::node* node = in.find(key);
  if (node == nullptr) return;
  const std::vector<double> range = read_number_text(in, key, *node, "[-16 16]");
  // The script's rule: one value v means [0 v].
  const double lo = range.size() == 1 ? 0.0 : range[0], hi = range.size() == 1 ? range[0] : range[1];
  if (range.size() > 2 || lo != std::round(lo) || hi != std::round(hi) || lo > hi || std::abs(lo) > 1000 ||
      std::abs(hi) > 1000) {
    in.fail_at(*node, key, "expected an integer range [lo hi] of samples with lo <= hi, |lo|, |hi| <= 1000");
  }
  cfg.sample_adjustment_lo = static_cast<int>(lo);
  cfg.sample_adjustment_hi = static_cast<int>(hi);
}

/// The Rx FFE: tap counts and limits; its taps are solved by MMSE.
void read_rx_ffe(const Reader& in, ComConfig& cfg) {
  RxFfe& ffe = cfg.rx_ffe;
  ffe.pre_taps = in.integer("ffe_pre_tap_len", 0, 0);
  ffe.post_taps = in.integer("ffe_post_tap_len", 0, 0);
  if (ffe.num_taps() > 64) in.fail("ffe_post_tap_len", "the Rx FFE has " + std::to_string(ffe.num_taps()) + " taps; at most 64 are supported");
  const NumberKey keys[] = {
      {"ffe_pre_tap1_max", &ffe.pre_tap1_max, 0.7, non_negative},
      {"ffe_post_tap1_max", &ffe.post_tap1_max, 0.7, non_negative},
      {"ffe_tapn_max", &ffe.tapn_max, 0.7, non_negative},
  };
  read_numbers(in, keys);
  ffe.noise_ui = in.integer("num_ui_RXFF_noise", 2048, 16);
  if (const toml::node* method = in.find("FFE_OPT_METHOD")) {
    const std::string name = in.to_string("FFE_OPT_METHOD", *method);
    if (name != "MMSE") {
      in.fail_at(*method, "FFE_OPT_METHOD",
                 in_quotes(name) + " is not supported: eyesweep solves the Rx FFE by MMSE (\"MMSE\", 802.3dj Annex 178A)");
    }
  }
}

/// b_max(2..N_b) / b_min(2..N_b): a number broadcast to N_b - 1 taps, or exactly N_b - 1 values.
std::vector<double> read_dfe_tail(const Reader& in, std::string_view key, int n_b,
                                  std::vector<double> fallback) {
  const toml::node* node = in.find(key);
  const auto count = static_cast<std::size_t>(std::max(n_b - 1, 0));
  if (node == nullptr) return fallback;
  if (node->is_number()) return std::vector<double>(count, in.to_number(key, *node));
  auto values = in.to_numbers(key, *node);
  if (values.size() != count) {
    in.fail_at(*node, key,
               "has " + std::to_string(values.size()) + " values but N_b = " + std::to_string(n_b) +
                   " needs " + std::to_string(count) + " (taps 2..N_b), or one value for all");
  }
  return values;
}

void read_dfe(const Reader& in, ComConfig& cfg) {
  const int n_b = cfg.N_b = in.integer("N_b", std::nullopt, 0);
  cfg.b_max.clear();
  cfg.b_min.clear();
  if (n_b >= 1) {  // the script reads b_max(1) even for N_b = 0, then drops it
    const double b_max_1 = in.number("b_max(1)", std::nullopt, any_value);
    const auto tail_max = read_dfe_tail(
        in, "b_max(2..N_b)", n_b, std::vector<double>(static_cast<std::size_t>(n_b - 1), 0.2));
    std::vector<double> negated(tail_max.size());
    std::transform(tail_max.begin(), tail_max.end(), negated.begin(), [](double b) { return -b; });
    const auto tail_min = read_dfe_tail(in, "b_min(2..N_b)", n_b, negated);
    cfg.b_max.push_back(b_max_1);
    cfg.b_min.push_back(in.number("b_min(1)", -b_max_1, any_value));
    cfg.b_max.insert(cfg.b_max.end(), tail_max.begin(), tail_max.end());
    cfg.b_min.insert(cfg.b_min.end(), tail_min.begin(), tail_min.end());
  }
  for (std::size_t i = 0; i < cfg.b_max.size(); ++i) {
    if (cfg.b_min[i] > cfg.b_max[i]) {
      const std::string tap = std::to_string(i + 1);
      in.fail(i == 0 ? "b_min(1)" : "b_min(2..N_b)",
              "b_min(" + tap + ") = " + format_number(cfg.b_min[i]) + " is above b_max(" + tap +
                  ") = " + format_number(cfg.b_max[i]));
    }
  }

  FloatingTaps& floating = cfg.floating;
  floating.N_bg = in.integer("N_bg", 0, 0);
  floating.N_bf = in.integer("N_bf", 6, 1);
  if (in.find("N_f") != nullptr && in.find("N_bmax") != nullptr) {
    in.fail("N_bmax", "is the older name of \"N_f\"; give only one of them");
  }
  floating.N_f = in.integer(in.find("N_bmax") != nullptr ? "N_bmax" : "N_f", n_b, 0);
  floating.bmaxg = in.number("bmaxg", 0.2, non_negative);
  floating.B_float_RSS_MAX = in.number("B_float_RSS_MAX", 0.0, non_negative);
  floating.N_tail_start = in.integer("N_tail_start", 0, 0);
}

/// Port Order: [1, 3, 2, 4] or the sheet's string "[1 3 2 4]"; stored as "1 3 2 4".
std::string read_port_order(const Reader& in) {
  constexpr std::string_view key = "Port Order";
  const toml::node* node = in.find(key);
  if (node == nullptr) return "1 3 2 4";
  const std::vector<double> ports = read_number_text(in, key, *node, "[1 3 2 4]");
  std::vector<double> sorted = ports;
  std::sort(sorted.begin(), sorted.end());
  if (sorted != std::vector<double>{1, 2, 3, 4}) {
    in.fail_at(*node, key, "expected an order of the ports 1, 2, 3, 4 such as [1, 3, 2, 4]");
  }
  std::string order;
  for (const double port : ports) {
    order += (order.empty() ? "" : " ") + std::to_string(static_cast<int>(port));
  }
  return order;
}

template <typename Enum, std::size_t N>
Enum read_choice(const Reader& in, std::string_view key, Enum fallback,
                 const std::pair<std::string_view, Enum> (&choices)[N]) {
  const toml::node* node = in.find(key);
  if (node == nullptr) return fallback;
  const std::string value = in.to_string(key, *node);
  std::string names;
  for (const auto& [name, choice] : choices) {
    if (value == name) return choice;
    names += (names.empty() ? "" : ", ") + in_quotes(name);
  }
  in.fail_at(*node, key, in_quotes(value) + " is not one of " + names);
}

/// The [eyesweep] table, and the sheet's own spelling of the impulse truncation threshold.
void read_options(const toml::table& root, const Reader& sheet, ComConfig& cfg) {
  std::map<std::string, Entry, std::less<>> entries;
  if (const toml::node* node = root.get(options_table)) {
    const auto* table = node->as_table();
    if (table == nullptr) {
      sheet.fail_at(*node, options_table, "expected a table [eyesweep], got " + type_name(*node));
    }
    for (const auto& [key, value] : *table) {
      const auto name = find_name(option_keys, key.str());
      if (!name || *name != key.str()) {
        const std::vector<std::string_view> known(std::begin(option_keys), std::end(option_keys));
        throw InputError(location(sheet.source(), key.source()) + ": unknown key " +
                         in_quotes(std::string(options_table) + "." + std::string(key.str())) +
                         suggestion(key.str(), known));
      }
      entries.emplace(std::string(key.str()), Entry{&value, key.source()});
    }
  }
  const Reader in(sheet.source(), std::string(options_table) + ".", std::move(entries));
  cfg.name = in.text("name", cfg.name);
  cfg.note = in.text("note", "");
  constexpr std::pair<std::string_view, BandExtension> extensions[] = {
      {"matlab_trend", BandExtension::matlab_trend},
      {"hold_and_taper", BandExtension::hold_and_taper}};
  constexpr std::pair<std::string_view, CursorRule> cursor_rules[] = {
      {"mueller_muller", CursorRule::mueller_muller},
      {"peak", CursorRule::peak},
      {"max_slope_step", CursorRule::max_slope_step}};
  cfg.band_extension = read_choice(in, "band_extension", BandExtension::matlab_trend, extensions);
  if (in.find("cursor_rule") != nullptr && sheet.find("ts_anchor") != nullptr) {
    in.fail("cursor_rule", "also given as the sheet key \"ts_anchor\"; give only one");
  }
  cfg.cursor_rule = read_choice(in, "cursor_rule", cfg.cursor_rule, cursor_rules);

  constexpr std::pair<std::string_view, RxFfeSolver> solvers[] = {{"mmse", RxFfeSolver::mmse},
                                                                    {"przf", RxFfeSolver::przf}};
  if (in.find("rx_ffe_solver") != nullptr && sheet.find("FFE_OPT_METHOD") != nullptr) {
    in.fail("rx_ffe_solver", "also given as the sheet key \"FFE_OPT_METHOD\"; give only one");
  }
  cfg.rx_ffe.solver = read_choice(in, "rx_ffe_solver", RxFfeSolver::mmse, solvers);

  constexpr std::string_view sheet_threshold = "Impulse response truncation threshold";
  if (in.find("impulse_truncation_threshold") != nullptr &&
      sheet.find(sheet_threshold) != nullptr) {
    in.fail("impulse_truncation_threshold",
            "also given as the sheet key " + in_quotes(sheet_threshold) + "; give only one");
  }
  cfg.impulse_truncation_threshold =
      in.find("impulse_truncation_threshold") != nullptr
          ? in.number("impulse_truncation_threshold", std::nullopt, open_unit)
          : sheet.number(sheet_threshold, 1e-3, open_unit);
}

ComConfig read_config(const toml::table& root, const std::string& source) {
  ComConfig cfg;
  cfg.source = source;
  cfg.name = std::filesystem::path(source).stem().string();
  const Reader sheet = classify_sheet_keys(root, source, cfg.ignored_keys);
  read_signalling(sheet, cfg);
  read_transmitter(sheet, cfg);
  read_package(sheet, cfg);
  read_board(sheet, cfg);
  read_receiver(sheet, cfg);
  read_dfe(sheet, cfg);
  read_rx_ffe(sheet, cfg);
  cfg.COM_pass_threshold_dB = sheet.number("COM Pass threshold", 0.0, any_value);
  cfg.port_order = read_port_order(sheet);
  read_c2m(sheet, cfg);
  read_options(root, sheet, cfg);
  return cfg;
}

}  // namespace

ComConfig parse_com_config(const std::string& toml_text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    throw InputError(source_name + ":" + std::to_string(begin.line) + ":" +
                     std::to_string(begin.column) +
                     ": TOML syntax error: " + std::string(error.description()));
  }
  return read_config(root, source_name);
}

ComConfig load_com_config(const std::filesystem::path& path) {
  constexpr std::uintmax_t max_bytes = std::uintmax_t{16} << 20;  // a configuration is a few kB
  std::error_code size_error;
  const std::uintmax_t bytes = std::filesystem::file_size(path, size_error);
  if (size_error) {
    throw InputError(path.string() + ": cannot read configuration file: " + size_error.message());
  }
  if (bytes > max_bytes) {
    throw InputError(path.string() + ": " + std::to_string(bytes) +
                     " bytes is too large for a configuration file");
  }
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  if (!file) throw InputError(path.string() + ": cannot read configuration file");
  return parse_com_config(text.str(), path.string());
}

}  // namespace eyesweep
