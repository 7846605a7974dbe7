// The Touchstone 1.x / 2.0 reader and the 2-port Touchstone 1.1 writer of io/touchstone.hpp.
// Owns every syntax and consistency check on Touchstone text: each defect becomes an
// InputError "FILE:LINE: what is wrong" (line 0 stands for the file as a whole).

#include "io/touchstone.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <numbers>
#include <string_view>
#include <system_error>
#include <utility>

#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

// Keeps 2*N*N and the matrix size far from overflow; real files have a few dozen ports.
constexpr int max_ports = 10000;
constexpr double degree = std::numbers::pi / 180.0;

[[noreturn]] void fail_at(const std::string& file, std::size_t line, const std::string& message) {
  throw InputError(file + ":" + std::to_string(line) + ": " + message);
}

// A table, not a chain of comparisons: column-aligned files are mostly blanks, and splitting
// them dominated the parse time.
constexpr auto blank_table = [] {
  std::array<bool, 256> table{};
  for (const unsigned char c : {' ', '\t', '\r', '\v', '\f'}) table[c] = true;
  return table;
}();

bool is_blank(char c) { return blank_table[static_cast<unsigned char>(c)]; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A token as it may appear in a message: binary junk or a whole long line must not flood
/// the terminal.
std::string shown(std::string_view token) {
  constexpr std::size_t max_shown = 40;
  std::string out = "'";
  for (char c : token.substr(0, max_shown)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  if (token.size() > max_shown) out += "...";
  return out + "'";
}

std::string count_of(std::size_t n, const char* thing) {
  return std::to_string(n) + " " + thing + (n == 1 ? "" : "s");
}

void split(std::string_view s, std::vector<std::string_view>& tokens) {
  tokens.clear();
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_blank(s[i])) ++i;
    const std::size_t start = i;
    while (i < s.size() && !is_blank(s[i])) ++i;
    if (i > start) tokens.push_back(s.substr(start, i - start));
  }
}

/// Why a token is not a finite number, or an empty string when it is one.
std::string parse_number(std::string_view token, double& value) {
  std::string_view digits = token;
  // from_chars rejects the leading '+' that Fortran-style writers emit ("+1.0E+00").
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '+' && digits[1] != '-') {
    digits.remove_prefix(1);
  }
  const char* end = digits.data() + digits.size();
  const auto [stop, ec] = std::from_chars(digits.data(), end, value);
  if (ec == std::errc::invalid_argument || stop != end) return "non-numeric value " + shown(token);
  if (ec == std::errc::result_out_of_range) {
    // from_chars reports underflow as out of range too; strtod rounds it to the correct 0.
    value = std::strtod(std::string(digits).c_str(), nullptr);
    if (std::isinf(value)) return "value " + shown(token) + " is out of the range of a double";
    return {};
  }
  if (std::isnan(value)) return "NaN value " + shown(token);
  if (std::isinf(value)) return "infinite value " + shown(token);
  return {};
}

std::string number_text(double value) {
  std::array<char, 32> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  ES_EXPECTS(ec == std::errc{}, "to_chars of a double cannot overflow 32 characters");
  return {buffer.data(), end};
}

/// The ports named by a ".sNp" extension, 0 when the name does not say.
int ports_from_extension(const std::filesystem::path& path) {
  const std::string ext = lower(path.extension().string());
  if (ext.size() < 4 || ext[1] != 's' || ext.back() != 'p') return 0;
  int ports = 0;
  const char* first = ext.data() + 2;
  const char* last = ext.data() + ext.size() - 1;
  const auto [stop, ec] = std::from_chars(first, last, ports);
  return (ec == std::errc{} && stop == last && ports > 0) ? ports : 0;
}

/// Where the expected port count came from, for the message when the file disagrees.
struct PortHint {
  int count = 0;  ///< 0 = unknown
  std::string origin;
};

enum class Keyword {
  version,
  number_of_ports,
  two_port_data_order,
  number_of_frequencies,
  number_of_noise_frequencies,
  reference,
  matrix_format,
  mixed_mode_order,
  network_data,
  noise_data,
  end,
  unknown,
};
constexpr std::size_t keyword_count = static_cast<std::size_t>(Keyword::unknown);

Keyword find_keyword(const std::string& normalized) {
  static constexpr std::array<std::pair<std::string_view, Keyword>, keyword_count> table{{
      {"version", Keyword::version},
      {"number of ports", Keyword::number_of_ports},
      {"two-port data order", Keyword::two_port_data_order},
      {"number of frequencies", Keyword::number_of_frequencies},
      {"number of noise frequencies", Keyword::number_of_noise_frequencies},
      {"reference", Keyword::reference},
      {"matrix format", Keyword::matrix_format},
      {"mixed-mode order", Keyword::mixed_mode_order},
      {"network data", Keyword::network_data},
      {"noise data", Keyword::noise_data},
      {"end", Keyword::end},
  }};
  for (const auto& [name, keyword] : table) {
    if (name == normalized) return keyword;
  }
  return Keyword::unknown;
}

/// Lower case with runs of blanks folded to one space: "[Number  of Ports]" is still known.
std::string normalize_keyword(std::string_view name) {
  std::vector<std::string_view> words;
  split(name, words);
  std::string out;
  for (const auto word : words) {
    if (!out.empty()) out += ' ';
    out += lower(word);
  }
  return out;
}

enum class Version { unknown, v1, v2 };
enum class Section { header, network, noise, end };
enum class MatrixFormat { full, lower, upper };

/// Noise-parameter lines: frequency, NFmin (dB), |Gamma_opt|, angle, Rn / R0.
constexpr std::size_t noise_values_per_line = 5;

/// One pass over the text; each handler checks what may appear where and fails with the
/// line number at the first defect.
class Parser {
 public:
  Parser(std::string_view text, std::string name, PortHint hint)
      : text_(text), name_(std::move(name)), hint_(std::move(hint)) {
    network_.source = name_;
  }

  Network run() {
    if (text_.empty()) fail_at(name_, 0, "file is empty");
    std::size_t pos = 0;
    while (pos < text_.size() && section_ != Section::end) {
      std::size_t newline = text_.find('\n', pos);
      if (newline == std::string_view::npos) newline = text_.size();
      ++line_;
      handle_line(strip_comment(text_.substr(pos, newline - pos)));
      pos = newline + 1;
    }
    finish();
    return std::move(network_);
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { fail_at(name_, line_, message); }

  static std::string_view strip_comment(std::string_view line) {
    return trim(line.substr(0, line.find('!')));
  }

  void handle_line(std::string_view line) {
    if (line.empty()) return;
    if (reference_pending()) {
      if (line.front() == '[' || line.front() == '#') fail_reference_count();
      add_reference_values(line);
      return;
    }
    if (line.front() == '[') {
      handle_keyword(line);
      return;
    }
    if (version_ == Version::unknown) start_version_1();
    if (line.front() == '#') {
      handle_option_line(line.substr(1));
    } else {
      handle_values(line);
    }
  }

  // --- version 1 -------------------------------------------------------------------------

  void start_version_1() {
    version_ = Version::v1;
    if (hint_.count == 0) {
      fail("cannot tell the port count of this Touchstone 1.x file: the file name has no "
           "'.sNp' extension and no port count was given");
    }
    set_ports(hint_.count, hint_.origin);
    section_ = Section::network;
    setup_layout();
  }

  // --- option line -----------------------------------------------------------------------

  void handle_option_line(std::string_view rest) {
    if (option_line_ != 0) {
      fail("duplicate option line ('#'); the first one is on line " + std::to_string(option_line_));
    }
    if (first_data_line_ != 0) {
      fail("option line after the network data, which began on line " +
           std::to_string(first_data_line_));
    }
    if (section_ != Section::header && version_ == Version::v2) {
      fail("option line after [Network Data]");
    }
    option_line_ = line_;
    std::vector<std::string_view> tokens;
    split(rest, tokens);
    bool unit_seen = false, parameter_seen = false, format_seen = false, reference_seen = false;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const std::string token = lower(tokens[i]);
      if (token == "hz" || token == "khz" || token == "mhz" || token == "ghz") {
        once(unit_seen, "frequency unit");
        freq_scale_ = token == "hz" ? 1.0 : token == "khz" ? 1e3 : token == "mhz" ? 1e6 : 1e9;
      } else if (token == "s") {
        once(parameter_seen, "parameter type");
      } else if (token == "y" || token == "z" || token == "h" || token == "g") {
        fail("unsupported parameter " + shown(tokens[i]) +
             " in the option line: eyesweep reads S-parameters only");
      } else if (token == "ri" || token == "ma" || token == "db") {
        once(format_seen, "data format");
        format_ = token == "ri"   ? TouchstoneFormat::real_imag
                  : token == "ma" ? TouchstoneFormat::mag_angle
                                  : TouchstoneFormat::db_angle;
      } else if (token == "r") {
        once(reference_seen, "reference impedance R");
        if (i + 1 == tokens.size()) fail("option R needs a reference impedance after it");
        network_.reference_ohm = parse_reference(tokens[++i]);
      } else {
        fail("unknown option " + shown(tokens[i]) +
             " in the option line (expected Hz/kHz/MHz/GHz, S, RI/MA/DB, R <ohm>)");
      }
    }
  }

  void once(bool& seen, const char* what) const {
    if (seen) fail(std::string(what) + " given twice in the option line");
    seen = true;
  }

  double parse_reference(std::string_view token) const {
    const double ohm = number(token);
    if (!(ohm > 0.0)) fail("reference impedance must be positive, got " + shown(token));
    return ohm;
  }

  // --- version 2 keywords ----------------------------------------------------------------

  void handle_keyword(std::string_view line) {
    const std::size_t close = line.find(']');
    if (close == std::string_view::npos) fail("keyword " + shown(line) + " lacks its closing ']'");
    const std::string_view raw_name = line.substr(0, close + 1);
    const Keyword keyword = find_keyword(normalize_keyword(line.substr(1, close - 1)));
    if (version_ == Version::unknown && keyword == Keyword::version) {
      version_ = Version::v2;
    } else if (keyword == Keyword::unknown) {
      fail("unknown keyword " + shown(raw_name));
    } else if (keyword == Keyword::version) {
      fail("[Version] must be the first line that is not a comment");
    } else if (version_ != Version::v2) {
      fail("Touchstone 2.0 keyword " + shown(raw_name) +
           " in a file that does not begin with [Version] 2.0");
    }
    auto& seen = keyword_line_[static_cast<std::size_t>(keyword)];
    if (seen != 0) {
      fail("duplicate keyword " + shown(raw_name) + "; first given on line " + std::to_string(seen));
    }
    seen = line_;
    dispatch_keyword(keyword, raw_name, trim(line.substr(close + 1)));
  }

  void dispatch_keyword(Keyword keyword, std::string_view raw_name, std::string_view argument) {
    const bool in_header = section_ == Section::header;
    switch (keyword) {
      case Keyword::version: return read_version(argument);
      case Keyword::network_data: return begin_network_data(argument);
      case Keyword::noise_data: return begin_noise_data(argument);
      case Keyword::end: return end_data(argument);
      case Keyword::mixed_mode_order:
        fail("[Mixed-Mode Order] is not supported: give single-ended S-parameters; eyesweep "
             "does the mixed-mode conversion itself");
      default: break;
    }
    if (!in_header) fail("keyword " + shown(raw_name) + " must come before [Network Data]");
    const bool needs_ports = keyword == Keyword::two_port_data_order || keyword == Keyword::reference;
    if (needs_ports && ports_ == 0) {
      fail("keyword " + shown(raw_name) + " must come after [Number of Ports]");
    }
    switch (keyword) {
      case Keyword::number_of_ports: return read_number_of_ports(argument);
      case Keyword::two_port_data_order: return read_two_port_order(argument);
      case Keyword::number_of_frequencies: declared_freqs_ = count(argument, raw_name); return;
      case Keyword::number_of_noise_frequencies: declared_noise_ = count(argument, raw_name); return;
      case Keyword::reference: return add_reference_values(argument);
      case Keyword::matrix_format: return read_matrix_format(argument);
      default: ES_EXPECTS(false, "every keyword is handled above");
    }
  }

  void read_version(std::string_view argument) {
    double version = 0.0;
    if (!parse_number(argument, version).empty() || version != 2.0) {
      fail("unsupported [Version] " + shown(argument) +
           " (eyesweep reads Touchstone 1.x, which has no [Version], and 2.0)");
    }
  }

  std::size_t count(std::string_view argument, std::string_view raw_name) const {
    std::size_t value = 0;
    const char* end = argument.data() + argument.size();
    const auto [stop, ec] = std::from_chars(argument.data(), end, value);
    if (ec != std::errc{} || stop != end || value == 0) {
      fail(std::string(raw_name) + " needs a positive whole number, got " + shown(argument));
    }
    return value;
  }

  void read_number_of_ports(std::string_view argument) {
    const std::size_t ports = count(argument, "[Number of Ports]");
    if (ports > static_cast<std::size_t>(max_ports)) {
      fail("[Number of Ports] " + std::to_string(ports) + " is more than eyesweep's limit of " +
           std::to_string(max_ports));
    }
    if (hint_.count != 0 && static_cast<std::size_t>(hint_.count) != ports) {
      fail("port count mismatch: [Number of Ports] is " + std::to_string(ports) + " but " +
           hint_.origin + " says " + std::to_string(hint_.count));
    }
    set_ports(static_cast<int>(ports), "[Number of Ports]");
  }

  void read_two_port_order(std::string_view argument) {
    if (ports_ != 2) {
      fail("[Two-Port Data Order] applies to 2-port files only; this one has " +
           std::to_string(ports_) + " ports");
    }
    if (argument == "12_21") {
      two_port_21_12_ = false;
    } else if (argument != "21_12") {
      fail("[Two-Port Data Order] must be 12_21 or 21_12, got " + shown(argument));
    }
  }

  void read_matrix_format(std::string_view argument) {
    const std::string format = lower(argument);
    if (format == "full") {
      matrix_format_ = MatrixFormat::full;
    } else if (format == "lower") {
      matrix_format_ = MatrixFormat::lower;
    } else if (format == "upper") {
      matrix_format_ = MatrixFormat::upper;
    } else {
      fail("[Matrix Format] must be Full, Lower or Upper, got " + shown(argument));
    }
  }

  // [Reference] lists one impedance per port and may continue over the following lines.
  bool reference_pending() const {
    return keyword_line_[static_cast<std::size_t>(Keyword::reference)] != 0 &&
           references_.size() < static_cast<std::size_t>(ports_);
  }

  std::size_t reference_line() const {
    return keyword_line_[static_cast<std::size_t>(Keyword::reference)];
  }

  [[noreturn]] void fail_reference_count() const {
    fail("[Reference] on line " + std::to_string(reference_line()) + " lists " +
         count_of(references_.size(), "impedance") + ", expected one per port (" +
         std::to_string(ports_) + ")");
  }

  void add_reference_values(std::string_view text) {
    std::vector<std::string_view> tokens;
    split(text, tokens);
    for (const auto token : tokens) {
      if (!reference_pending()) fail("[Reference] lists more impedances than ports");
      references_.push_back(parse_reference(token));
    }
    if (reference_pending()) return;
    for (std::size_t port = 1; port < references_.size(); ++port) {
      if (references_[port] != references_[0]) {
        fail_at(name_, reference_line(),
                "[Reference] impedances are not all equal (port 1: " + number_text(references_[0]) +
                    " ohm, port " + std::to_string(port + 1) + ": " + number_text(references_[port]) +
                    " ohm); eyesweep's Network has one reference impedance for all ports");
      }
    }
    network_.reference_ohm = references_[0];
  }

  void begin_network_data(std::string_view argument) {
    expect_no_argument(argument, "[Network Data]");
    if (option_line_ == 0) fail("[Network Data] before the option line ('#')");
    if (ports_ == 0) fail("[Network Data] before the required [Number of Ports]");
    if (ports_ == 2 && keyword_line_[static_cast<std::size_t>(Keyword::two_port_data_order)] == 0) {
      fail("2-port Touchstone 2.0 file lacks the required [Two-Port Data Order] (12_21 or 21_12)");
    }
    if (declared_freqs_ == 0) fail("[Network Data] before the required [Number of Frequencies]");
    section_ = Section::network;
    setup_layout();
  }

  void begin_noise_data(std::string_view argument) {
    expect_no_argument(argument, "[Noise Data]");
    if (section_ != Section::network) fail("[Noise Data] must follow the network data");
    if (record_filled_ != 0) fail_truncated_record();
    if (declared_noise_ == 0) fail("[Noise Data] without the required [Number of Noise Frequencies]");
    section_ = Section::noise;
  }

  void end_data(std::string_view argument) {
    expect_no_argument(argument, "[End]");
    if (section_ == Section::header) fail("[End] before [Network Data]");
    if (record_filled_ != 0) fail_truncated_record();
    section_ = Section::end;
  }

  void expect_no_argument(std::string_view argument, const char* keyword) const {
    if (!argument.empty()) fail(std::string(keyword) + " takes no value, got " + shown(argument));
  }

  // --- data ------------------------------------------------------------------------------

  void set_ports(int ports, const std::string& origin) {
    if (ports < 1 || ports > max_ports) {
      fail("port count " + std::to_string(ports) + " from " + origin + " is outside 1.." +
           std::to_string(max_ports));
    }
    ports_ = ports;
    network_.num_ports = ports;
  }

  /// Where each value pair of a record goes in the row-major N x N matrix, and its mirror
  /// for the symmetric (Lower/Upper) matrix formats.
  void setup_layout() {
    const auto n = static_cast<std::size_t>(ports_);
    const bool symmetric = matrix_format_ != MatrixFormat::full;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t first = matrix_format_ == MatrixFormat::upper ? i : 0;
      const std::size_t last = matrix_format_ == MatrixFormat::lower ? i + 1 : n;
      for (std::size_t j = first; j < last; ++j) destination_.push_back({i * n + j, symmetric ? j * n + i : i * n + j});
    }
    // Touchstone 1.x (and 2.0 with 21_12) lists a 2-port as S11 S21 S12 S22.
    const bool column_order = version_ == Version::v1 || two_port_21_12_;
    if (n == 2 && matrix_format_ == MatrixFormat::full && column_order) {
      std::swap(destination_[1], destination_[2]);
    }
    values_per_record_ = 1 + 2 * destination_.size();
  }

  double number(std::string_view token) const {
    double value = 0.0;
    if (const std::string error = parse_number(token, value); !error.empty()) fail(error);
    return value;
  }

  void handle_values(std::string_view line) {
    if (version_ == Version::v2 && section_ == Section::header) {
      fail(option_line_ == 0 ? "network data before the option line ('#')"
                              : "network data before [Network Data]");
    }
    if (first_data_line_ == 0) first_data_line_ = line_;
    split(line, tokens_);
    values_.clear();
    for (const auto token : tokens_) values_.push_back(number(token));
    if (section_ == Section::network && record_filled_ == 0) start_record();
    if (section_ == Section::noise) {
      check_noise_line();
      return;
    }
    check_line_layout();
    for (const double value : values_) record_[record_filled_++] = value;
    if (record_filled_ == values_per_record_) finish_record();
  }

  /// A line that begins a record: its first value is the frequency.
  void start_record() {
    const double freq = values_.front();
    if (freq < 0.0) fail("negative frequency " + shown(tokens_.front()));
    if (!network_.freq_hz.empty() && freq <= last_freq_) {
      // Touchstone 1.x marks the start of 2-port noise parameters only by this.
      if (version_ == Version::v1 && ports_ == 2) {
        section_ = Section::noise;
        return;
      }
      fail("frequency " + shown(tokens_.front()) + " is not above the previous one (" +
           number_text(last_freq_) + " on line " + std::to_string(record_line_) +
           "); frequencies must increase");
    }
    if (version_ == Version::v2 && network_.freq_hz.size() == declared_freqs_) {
      fail("more frequencies than the " + std::to_string(declared_freqs_) +
           " declared by [Number of Frequencies]");
    }
    record_line_ = line_;
    record_.resize(values_per_record_);
    line_in_record_ = 0;
  }

  /// Records may wrap over lines, but every record must wrap like the first one: a line
  /// with a value too many or too few is caught where it is, not records later.
  void check_line_layout() {
    const std::size_t found = values_.size();
    if (network_.freq_hz.empty()) {
      if (record_filled_ + found > values_per_record_) {
        fail("the record that began on line " + std::to_string(record_line_) +
             " ends in the middle of this line (" +
             count_of(record_filled_ + found - values_per_record_, "value") +
             " too many); a record is the frequency and " + count_of(values_per_record_ - 1, "value") +
             ", and the next one must start a new line");
      }
      layout_.push_back(found);
    } else if (found != layout_[line_in_record_]) {
      fail("wrong value count: this line has " + count_of(found, "value") + ", expected " +
           std::to_string(layout_[line_in_record_]) + " as on line " +
           std::to_string(first_record_line_ + line_in_record_) + " of the first record (" +
           std::to_string(values_per_record_) + " values per frequency)");
    }
    ++line_in_record_;
  }

  void check_noise_line() {
    if (values_.size() != noise_values_per_line) {
      const std::string why =
          version_ == Version::v2
              ? "inside [Noise Data]"
              : "its frequency is not above the previous one, which in a 2-port Touchstone 1.x "
                "file starts the noise-parameter block";
      fail("wrong value count: noise-parameter line has " + count_of(values_.size(), "value") +
           ", expected " + std::to_string(noise_values_per_line) + " (" + why + ")");
    }
    ++noise_lines_;
  }

  void finish_record() {
    if (network_.freq_hz.empty()) first_record_line_ = record_line_;
    last_freq_ = record_[0];
    network_.freq_hz.push_back(record_[0] * freq_scale_);
    const auto n = static_cast<std::size_t>(ports_);
    const std::size_t base = network_.s.size();
    network_.s.resize(base + n * n);
    for (std::size_t k = 0; k < destination_.size(); ++k) {
      const auto value = to_complex(record_[1 + 2 * k], record_[2 + 2 * k]);
      network_.s[base + destination_[k].first] = value;
      network_.s[base + destination_[k].second] = value;
    }
    record_filled_ = 0;
  }

  std::complex<double> to_complex(double a, double b) const {
    if (format_ == TouchstoneFormat::real_imag) return {a, b};
    // A negative magnitude is most often RI data under an MA option line.
    if (format_ == TouchstoneFormat::mag_angle && a < 0.0) {
      fail("negative magnitude " + number_text(a) + " in MA data");
    }
    const double magnitude = format_ == TouchstoneFormat::mag_angle ? a : std::pow(10.0, a / 20.0);
    if (std::isinf(magnitude)) fail(number_text(a) + " dB is too large a magnitude for a double");
    return {magnitude * std::cos(b * degree), magnitude * std::sin(b * degree)};
  }

  [[noreturn]] void fail_truncated_record() const {
    fail("the record that began on line " + std::to_string(record_line_) + " is cut short: " +
         std::to_string(record_filled_) + " of " + std::to_string(values_per_record_) + " values");
  }

  // --- end of file -----------------------------------------------------------------------

  void finish() {
    if (reference_pending()) fail_reference_count();
    if (record_filled_ != 0) {
      fail("file ends in the middle of the record that began on line " +
           std::to_string(record_line_) + " (" + std::to_string(record_filled_) + " of " +
           std::to_string(values_per_record_) + " values): truncated file?");
    }
    if (network_.freq_hz.empty()) {
      fail(version_ == Version::v2 && section_ == Section::header
               ? "no [Network Data] in this Touchstone 2.0 file"
               : "no network data: the file holds only comments, keywords or the option line");
    }
    if (version_ == Version::v2) check_declared_counts();
  }

  void check_declared_counts() const {
    if (network_.freq_hz.size() != declared_freqs_) {
      fail_at(name_, keyword_line_[static_cast<std::size_t>(Keyword::number_of_frequencies)],
              "[Number of Frequencies] is " + std::to_string(declared_freqs_) + " but the file has " +
                  std::to_string(network_.freq_hz.size()));
    }
    if (declared_noise_ != 0 && noise_lines_ != declared_noise_) {
      fail_at(name_, keyword_line_[static_cast<std::size_t>(Keyword::number_of_noise_frequencies)],
              "[Number of Noise Frequencies] is " + std::to_string(declared_noise_) +
                  " but [Noise Data] has " + std::to_string(noise_lines_));
    }
  }

  std::string_view text_;
  std::string name_;
  PortHint hint_;
  std::size_t line_ = 0;

  Version version_ = Version::unknown;
  Section section_ = Section::header;
  std::size_t option_line_ = 0;  ///< 0 = no option line (yet)
  double freq_scale_ = 1e9;      ///< spec defaults: GHz S MA R 50
  TouchstoneFormat format_ = TouchstoneFormat::mag_angle;
  std::array<std::size_t, keyword_count> keyword_line_{};  ///< where each keyword was, 0 = absent
  int ports_ = 0;
  bool two_port_21_12_ = true;
  MatrixFormat matrix_format_ = MatrixFormat::full;
  std::size_t declared_freqs_ = 0;
  std::size_t declared_noise_ = 0;
  std::vector<double> references_;

  std::vector<std::pair<std::size_t, std::size_t>> destination_;
  std::size_t values_per_record_ = 0;
  std::vector<std::size_t> layout_;  ///< values on each line of the first record
  std::size_t first_record_line_ = 0;
  std::size_t first_data_line_ = 0;
  std::vector<double> record_;
  std::size_t record_filled_ = 0;
  std::size_t record_line_ = 0;
  std::size_t line_in_record_ = 0;
  double last_freq_ = 0.0;  ///< in the file's unit
  std::size_t noise_lines_ = 0;
  std::vector<std::string_view> tokens_;
  std::vector<double> values_;

  Network network_;
};

std::string read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  const std::string name = path.string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) fail_at(name, 0, "cannot open Touchstone file: " + ec.message());
  if (size > max_bytes) {
    fail_at(name, 0, "file is " + std::to_string(size) + " bytes, over the limit of " +
                         std::to_string(max_bytes) + " bytes (TouchstoneReadOptions::max_file_bytes)");
  }
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(name.c_str(), "rb"), &std::fclose);
  if (!file) fail_at(name, 0, "cannot open Touchstone file: " + std::generic_category().message(errno));
  std::string text(static_cast<std::size_t>(size), '\0');
  const std::size_t got = std::fread(text.data(), 1, text.size(), file.get());
  if (got != text.size() || std::ferror(file.get())) {
    fail_at(name, 0, "read error: got " + std::to_string(got) + " of " + std::to_string(size) + " bytes");
  }
  return text;
}

// --- writer ------------------------------------------------------------------------------

std::pair<double, double> written_pair(std::complex<double> s, TouchstoneFormat format) {
  ES_EXPECTS(std::isfinite(s.real()) && std::isfinite(s.imag()), "S-parameters must be finite to write");
  if (format == TouchstoneFormat::real_imag) return {s.real(), s.imag()};
  const double angle = std::arg(s) / degree;
  if (format == TouchstoneFormat::mag_angle) return {std::abs(s), angle};
  // log10(0) is -inf, which no reader accepts; the smallest normal double stands for 0.
  return {20.0 * std::log10(std::max(std::abs(s), std::numeric_limits<double>::min())), angle};
}

const char* format_name(TouchstoneFormat format) {
  if (format == TouchstoneFormat::real_imag) return "RI";
  return format == TouchstoneFormat::mag_angle ? "MA" : "DB";
}

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::string touchstone_2port_text(const Network& network, TouchstoneFormat format) {
  std::string out = "! Touchstone 1.1 file written by eyesweep\n";
  if (!network.source.empty()) out += "! network from: " + one_line(network.source) + "\n";
  out += "! 2-port column order: freq S11 S21 S12 S22\n";
  out += std::string("# GHz S ") + format_name(format) + " R " + number_text(network.reference_ohm) + "\n";
  // Touchstone 1.x column order for two ports: S11 S21 S12 S22, as (row, column).
  constexpr std::array<std::pair<int, int>, 4> order{{{0, 0}, {1, 0}, {0, 1}, {1, 1}}};
  for (std::size_t f = 0; f < network.num_freqs(); ++f) {
    out += number_text(network.freq_hz[f] / 1e9);
    for (const auto& [i, j] : order) {
      const auto [a, b] = written_pair(network.at(f, i, j), format);
      out += ' ' + number_text(a) + ' ' + number_text(b);
    }
    out += '\n';
  }
  return out;
}

}  // namespace

Network parse_touchstone(const std::string& text, const std::string& name, int num_ports) {
  return Parser(text, name, {num_ports, "the num_ports argument"}).run();
}

Network read_touchstone(const std::filesystem::path& path, const TouchstoneReadOptions& options) {
  const std::string text = read_file(path, options.max_file_bytes);
  PortHint hint{options.num_ports, "TouchstoneReadOptions::num_ports"};
  if (hint.count == 0) {
    hint = {ports_from_extension(path), "the file name extension " + shown(path.extension().string())};
  }
  return Parser(text, path.string(), std::move(hint)).run();
}

void write_touchstone_2port(const std::filesystem::path& path, const Network& network,
                            TouchstoneFormat format) {
  ES_EXPECTS(network.num_ports == 2, "write_touchstone_2port needs a 2-port network");
  ES_EXPECTS(network.s.size() == 4 * network.num_freqs(), "S-matrix size must match the frequencies");
  const std::string text = touchstone_2port_text(network, format);
  const std::string name = path.string();
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(name.c_str(), "wb"), &std::fclose);
  if (!file) fail_at(name, 0, "cannot write Touchstone file: " + std::generic_category().message(errno));
  if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size() || std::fflush(file.get()) != 0) {
    fail_at(name, 0, "cannot write Touchstone file: " + std::generic_category().message(errno));
  }
}

}  // namespace eyesweep
