// Tests of io/touchstone: every format variant parsing to the same network, the hand-written
// good files, the malformed corpus (tests/data/touchstone/bad), the writer's round trip, and
// the real channels under shared/channels with their published insertion losses.

#include "io/touchstone.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <complex>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "io/mixed_mode.hpp"
#include "kernels/common/error.hpp"
#include "tests/test_paths.hpp"

namespace eyesweep {
namespace {

namespace fs = std::filesystem;
using cd = std::complex<double>;

fs::path good_file(const std::string& name) { return test::data_dir() / "touchstone" / "good" / name; }
fs::path bad_file(const std::string& name) { return test::data_dir() / "touchstone" / "bad" / name; }

std::string shortest(double value) {
  std::array<char, 32> text{};
  const auto result = std::to_chars(text.data(), text.data() + text.size(), value);
  return {text.data(), result.ptr};
}

bool close(double a, double b, double rel) { return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b)); }
bool close(cd a, cd b, double rel) { return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b)); }

void expect_same_network(const Network& expected, const Network& actual, double rel) {
  ASSERT_EQ(actual.num_ports, expected.num_ports);
  ASSERT_EQ(actual.num_freqs(), expected.num_freqs());
  ASSERT_EQ(actual.s.size(), expected.s.size());
  EXPECT_EQ(actual.reference_ohm, expected.reference_ohm);
  for (std::size_t f = 0; f < expected.num_freqs(); ++f) {
    EXPECT_TRUE(close(actual.freq_hz[f], expected.freq_hz[f], rel))
        << "f[" << f << "] " << actual.freq_hz[f] << " vs " << expected.freq_hz[f];
  }
  for (std::size_t k = 0; k < expected.s.size(); ++k) {
    EXPECT_TRUE(close(actual.s[k], expected.s[k], rel)) << "s[" << k << "] " << actual.s[k] << " vs " << expected.s[k];
  }
}

// --- a network built in code, and a test-side writer for every format variant ---------------

/// Non-reciprocal when `symmetric` is false, so a swapped S21/S12 is caught; never zero, so
/// DB stays finite.
Network make_network(int ports, bool symmetric) {
  Network n;
  n.num_ports = ports;
  n.freq_hz = {0.0, 1e7, 2.5e7, 1.23456789e8, 1e9, 26.5625e9, 53.125e9};
  for (std::size_t f = 0; f < n.freq_hz.size(); ++f) {
    for (int i = 0; i < ports; ++i) {
      for (int j = 0; j < ports; ++j) {
        const int a = symmetric ? std::min(i, j) : i, b = symmetric ? std::max(i, j) : j;
        const double magnitude = 0.05 + 0.9 / (1.0 + a + 2.0 * b + 0.3 * static_cast<double>(f));
        const double phase = 0.7 * static_cast<double>(f) * (1 + a) - 1.3 * b + 0.1;
        n.s.push_back(std::polar(magnitude, phase));
      }
    }
  }
  return n;
}

enum class Matrix { full, lower, upper };

struct Variant {
  bool version2 = false;
  TouchstoneFormat format = TouchstoneFormat::real_imag;
  const char* unit = "GHz";
  double unit_hz = 1e9;
  bool order_12_21 = false;        ///< 2.0 2-port data order
  Matrix matrix = Matrix::full;    ///< 2.0 only
  std::size_t values_per_line = 8;  ///< S-parameter numbers per line (the frequency comes first)
  bool lower_case = false;
  bool write_option_line = true;   ///< 1.x only: rely on the defaults (GHz S MA R 50)

  std::string describe() const {
    return std::string(version2 ? "2.0" : "1.x") + " " + unit + " fmt" + std::to_string(static_cast<int>(format)) +
           (order_12_21 ? " 12_21" : "") + " matrix" + std::to_string(static_cast<int>(matrix)) + " wrap" +
           std::to_string(values_per_line) + (lower_case ? " lower" : "") + (write_option_line ? "" : " no#");
  }
};

std::string case_of(const Variant& v, std::string text) {
  if (v.lower_case) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

/// The (row, column) pairs of one record in the variant's order.
std::vector<std::pair<int, int>> record_order(int ports, const Variant& v) {
  std::vector<std::pair<int, int>> order;
  for (int i = 0; i < ports; ++i) {
    const int first = v.matrix == Matrix::upper ? i : 0;
    const int last = v.matrix == Matrix::lower ? i + 1 : ports;
    for (int j = first; j < last; ++j) order.emplace_back(i, j);
  }
  if (ports == 2 && v.matrix == Matrix::full && !(v.version2 && v.order_12_21)) std::swap(order[1], order[2]);
  return order;
}

std::array<double, 2> pair_of(cd s, TouchstoneFormat format) {
  const double degrees = std::arg(s) * 180.0 / std::numbers::pi;
  if (format == TouchstoneFormat::real_imag) return {s.real(), s.imag()};
  if (format == TouchstoneFormat::mag_angle) return {std::abs(s), degrees};
  return {20.0 * std::log10(std::abs(s)), degrees};
}

std::string write_variant(const Network& n, const Variant& v) {
  static constexpr std::array<const char*, 3> format_names{"RI", "MA", "DB"};
  std::string out = "! test network, variant " + v.describe() + "\n!\n";
  const std::string option = case_of(v, std::string("# ") + v.unit + " S " +
                                            format_names[static_cast<std::size_t>(v.format)] + " R 50") +
                             "   ! trailing comment\n";
  if (v.version2) {
    out += case_of(v, "[Version] 2.0\n") + option;
    out += "[Number of Ports] " + std::to_string(n.num_ports) + "\n";
    if (n.num_ports == 2) out += std::string("[Two-Port Data Order] ") + (v.order_12_21 ? "12_21" : "21_12") + "\n";
    out += "! a comment between keywords\n[Number of Frequencies] " + std::to_string(n.num_freqs()) + "\n";
    out += "[Reference]";
    for (int p = 0; p < n.num_ports; ++p) out += p == n.num_ports / 2 ? "\n 50" : " 50";
    out += "\n";
    if (v.matrix != Matrix::full) out += std::string("[Matrix Format] ") + (v.matrix == Matrix::lower ? "Lower" : "Upper") + "\n";
    out += "[Network Data]\n";
  } else if (v.write_option_line) {
    out += option;
  }
  const auto order = record_order(n.num_ports, v);
  for (std::size_t f = 0; f < n.num_freqs(); ++f) {
    std::vector<double> values;
    for (const auto& [i, j] : order) {
      const auto pair = pair_of(n.at(f, i, j), v.format);
      values.insert(values.end(), pair.begin(), pair.end());
    }
    out += shortest(n.freq_hz[f] / v.unit_hz);
    for (std::size_t k = 0; k < values.size(); ++k) {
      out += ' ';
      out += shortest(values[k]);
      const bool line_end = (k + 1) % v.values_per_line == 0 || k + 1 == values.size();
      if (line_end) out += f % 2 == 0 ? "\n" : "  ! comment after data\n";
    }
    if (f == 2) out += "! a whole-line comment between records\n\n";
  }
  if (v.version2) out += "[End]\n";
  return out;
}

std::vector<Variant> variants(int ports) {
  struct Unit {
    const char* name;
    double hz;
  };
  constexpr std::array<Unit, 4> units{{{"Hz", 1.0}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}}};
  constexpr std::array<TouchstoneFormat, 3> formats{TouchstoneFormat::real_imag, TouchstoneFormat::mag_angle,
                                                    TouchstoneFormat::db_angle};
  // 8 is the 1.x layout (4 pairs a line), 32 a 4-port record on one line, 3 and 5 split pairs.
  const std::vector<std::size_t> wraps = ports == 2 ? std::vector<std::size_t>{8, 3} : std::vector<std::size_t>{8, 32, 5};
  std::vector<Variant> out;
  bool lower_case = false;
  for (const auto& unit : units) {
    for (const auto format : formats) {
      for (const std::size_t wrap : wraps) {
        lower_case = !lower_case;
        const Variant base{.format = format, .unit = unit.name, .unit_hz = unit.hz, .values_per_line = wrap,
                           .lower_case = lower_case};
        out.push_back(base);
        for (const bool order_12_21 : {false, true}) {
          for (const Matrix matrix : {Matrix::full, Matrix::upper, Matrix::lower}) {
            if (matrix != Matrix::full && (ports == 2 || order_12_21)) continue;
            if (ports != 2 && order_12_21) continue;
            Variant v = base;
            v.version2 = true;
            v.order_12_21 = order_12_21;
            v.matrix = matrix;
            out.push_back(v);
          }
        }
      }
    }
  }
  out.push_back({.format = TouchstoneFormat::mag_angle, .write_option_line = false});
  return out;
}

void expect_all_variants_parse_to(const Network& expected) {
  const auto all = variants(expected.num_ports);
  for (const auto& v : all) {
    SCOPED_TRACE(v.describe());
    const std::string text = write_variant(expected, v);
    const Network parsed = parse_touchstone(text, "variant", v.version2 ? 0 : expected.num_ports);
    expect_same_network(expected, parsed, 1e-12);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "text of the failing variant:\n" << text;
      return;
    }
  }
}

TEST(TouchstoneVariants, EveryTwoPortFormatParsesToTheSameNetwork) {
  expect_all_variants_parse_to(make_network(2, false));
}

TEST(TouchstoneVariants, EveryFourPortFormatParsesToTheSameNetwork) {
  expect_all_variants_parse_to(make_network(4, true));
}

TEST(TouchstoneVariants, NonReciprocalFourPortFullMatrixKeepsRowsAndColumns) {
  const Network expected = make_network(4, false);
  for (const bool version2 : {false, true}) {
    const Variant v{.version2 = version2};
    expect_same_network(expected, parse_touchstone(write_variant(expected, v), "x", version2 ? 0 : 4), 1e-12);
  }
}

TEST(TouchstoneVariants, ThreePortAndOnePortParse) {
  for (const int ports : {1, 3}) {
    SCOPED_TRACE(ports);
    const Network expected = make_network(ports, false);
    const Variant v{.format = TouchstoneFormat::mag_angle, .unit = "MHz", .unit_hz = 1e6, .values_per_line = 4};
    expect_same_network(expected, parse_touchstone(write_variant(expected, v), "x", ports), 1e-12);
  }
}

// --- hand-written good files --------------------------------------------------------------

TEST(TouchstoneGoodFiles, DefaultsWithoutOptionLine) {
  const Network n = read_touchstone(good_file("defaults_no_option_line.s1p"));
  EXPECT_EQ(n.num_ports, 1);
  EXPECT_EQ(n.reference_ohm, 50.0);
  ASSERT_EQ(n.num_freqs(), 2u);
  EXPECT_EQ(n.freq_hz[0], 1e9);
  EXPECT_NEAR(std::abs(n.at(0, 0, 0) - cd(0.0, 0.5)), 0.0, 1e-15);
  EXPECT_NEAR(std::abs(n.at(1, 0, 0) - cd(-0.25, 0.0)), 0.0, 1e-15);
}

TEST(TouchstoneGoodFiles, VersionOneNoiseBlockEndsTheNetworkData) {
  const Network n = read_touchstone(good_file("noise_2port.s2p"));
  ASSERT_EQ(n.num_freqs(), 2u);
  EXPECT_EQ(n.freq_hz[1], 200e6);
  // 1.x column order S11 S21 S12 S22: the -1 dB / -90 degree pair is S21.
  EXPECT_TRUE(close(n.at(0, 1, 0), std::polar(std::pow(10.0, -1.0 / 20.0), -std::numbers::pi / 2), 1e-14));
  EXPECT_TRUE(close(n.at(0, 0, 1), std::polar(std::pow(10.0, -40.0 / 20.0), 10.0 * std::numbers::pi / 180), 1e-14));
}

TEST(TouchstoneGoodFiles, VersionTwoNoiseDataAndOrder12_21) {
  const Network n = read_touchstone(good_file("v2_noise.s2p"));
  ASSERT_EQ(n.num_freqs(), 2u);
  EXPECT_EQ(n.at(0, 1, 0), cd(0.9, 0.0));  // S21
  EXPECT_EQ(n.at(0, 0, 1), cd(0.01, 0.0));  // S12
  EXPECT_EQ(n.at(1, 1, 0), cd(0.8, 0.0));
}

TEST(TouchstoneGoodFiles, CrlfTabsPlusSignsAndUpperCaseExtension) {
  const Network n = read_touchstone(good_file("crlf_tabs.S2P"));
  EXPECT_EQ(n.num_ports, 2);
  ASSERT_EQ(n.num_freqs(), 2u);
  EXPECT_EQ(n.freq_hz[0], 1e9);
  EXPECT_EQ(n.at(0, 0, 0), cd(0.1, -0.2));
  EXPECT_EQ(n.at(0, 1, 0), cd(0.9, 0.0));
  EXPECT_EQ(n.at(0, 0, 1), cd(0.8, 0.0));
  EXPECT_EQ(n.at(0, 1, 1), cd(0.2, 0.0));
}

TEST(TouchstoneGoodFiles, LowerMatrixAndReferenceOverManyLines) {
  const Network n = read_touchstone(good_file("v2_lower_multiline_reference.s4p"));
  EXPECT_EQ(n.reference_ohm, 75.0);  // [Reference] overrides the option line's R 50
  ASSERT_EQ(n.num_freqs(), 2u);
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      const double expected = 0.1 * (std::max(i, j) + 1) + 0.01 * (std::min(i, j) + 1);
      EXPECT_NEAR(std::abs(n.at(1, i, j) - cd(expected, 0.1)), 0.0, 1e-15) << i << "," << j;
    }
  }
}

TEST(TouchstoneGoodFiles, NumPortsOptionOverridesTheExtension) {
  TouchstoneReadOptions options;
  options.num_ports = 2;
  const Network n = read_touchstone(bad_file("no_port_count.txt"), options);
  EXPECT_EQ(n.num_ports, 2);
  EXPECT_EQ(n.num_freqs(), 1u);
}

// --- the malformed corpus -----------------------------------------------------------------

struct BadCase {
  const char* file;
  int line;
  const char* phrase;
};

// Each file is in tests/data/touchstone/bad/ and states its defect in its first comment.
constexpr BadCase bad_cases[] = {
    {"non_numeric.s2p", 4, "non-numeric value 'abc'"},
    {"nan_value.s2p", 5, "NaN value 'NaN'"},
    {"inf_value.s2p", 4, "infinite value '-inf'"},
    {"out_of_range.s2p", 3, "out of the range of a double"},
    {"record_ends_mid_line.s4p", 7, "ends in the middle of this line (2 values too many)"},
    {"wrong_count_continuation.s4p", 9, "wrong value count: this line has 7 values, expected 8"},
    {"wrong_count_start.s2p", 5, "wrong value count: this line has 8 values, expected 9"},
    {"non_increasing_frequency.s4p", 11, "frequency '1.5' is not above the previous one"},
    {"truncated.s4p", 8, "file ends in the middle of the record that began on line 7"},
    {"unknown_option.s2p", 2, "unknown option 'XYZ'"},
    {"duplicate_option_line.s2p", 3, "duplicate option line"},
    {"unsupported_parameter.s2p", 2, "unsupported parameter 'Z'"},
    {"nonpositive_reference.s2p", 1, "reference impedance must be positive"},
    {"option_after_data.s2p", 3, "option line after the network data"},
    {"negative_frequency.s2p", 3, "negative frequency '-1.0'"},
    {"negative_magnitude.s2p", 3, "negative magnitude -0.9 in MA data"},
    {"bad_noise_line.s2p", 6, "noise-parameter line has 4 values, expected 5"},
    {"empty.s2p", 0, "file is empty"},
    {"comments_only.s2p", 5, "no network data"},
    {"option_line_only.s2p", 2, "no network data"},
    {"v2_keyword_without_version.s2p", 3, "does not begin with [Version] 2.0"},
    {"no_port_count.txt", 2, "cannot tell the port count"},
    {"v2_ports_vs_extension.s4p", 4, "port count mismatch: [Number of Ports] is 2 but the file name extension '.s4p' says 4"},
    {"v2_frequency_count.s2p", 6, "[Number of Frequencies] is 3 but the file has 2"},
    {"v2_too_many_frequencies.s2p", 9, "more frequencies than the 1 declared"},
    {"v2_bad_version.s2p", 2, "unsupported [Version] '3.0'"},
    {"v2_missing_two_port_order.s2p", 6, "lacks the required [Two-Port Data Order]"},
    {"v2_data_before_option_line.s2p", 3, "network data before the option line"},
    {"v2_reference_unequal.s4p", 6, "[Reference] impedances are not all equal (port 1: 50 ohm, port 3: 75 ohm)"},
    {"v2_reference_too_few.s4p", 7, "[Reference] on line 6 lists 2 impedances, expected one per port (4)"},
    {"v2_unknown_keyword.s2p", 5, "unknown keyword '[Frobnicate]'"},
    {"v2_mixed_mode_order.s4p", 6, "[Mixed-Mode Order] is not supported"},
    {"v2_missing_frequency_count.s2p", 6, "before the required [Number of Frequencies]"},
    {"v2_bad_matrix_format.s4p", 4, "[Matrix Format] must be Full, Lower or Upper, got 'Diagonal'"},
    {"v2_bad_two_port_order.s2p", 4, "[Two-Port Data Order] must be 12_21 or 21_12, got '11_22'"},
    {"v2_duplicate_keyword.s2p", 4, "duplicate keyword '[Number of Ports]'; first given on line 3"},
    {"v2_unterminated_keyword.s2p", 3, "lacks its closing ']'"},
    {"v2_non_increasing_frequency.s2p", 10, "frequency '2.0' is not above the previous one"},
    {"v2_no_network_data.s2p", 5, "no [Network Data]"},
    {"v2_truncated_before_end.s4p", 9, "the record that began on line 7 is cut short: 17 of 33 values"},
};

class TouchstoneBadFile : public ::testing::TestWithParam<BadCase> {};

TEST_P(TouchstoneBadFile, FailsWithFileLineAndReason) {
  const BadCase& c = GetParam();
  const fs::path path = bad_file(c.file);
  ASSERT_TRUE(fs::exists(path)) << path;
  try {
    read_touchstone(path);
    FAIL() << c.file << " was accepted";
  } catch (const InputError& e) {
    const std::string message = e.what();
    const std::string prefix = path.string() + ":" + std::to_string(c.line) + ": ";
    EXPECT_EQ(message.rfind(prefix, 0), 0u) << "message: " << message << "\nexpected prefix: " << prefix;
    EXPECT_NE(message.find(c.phrase), std::string::npos) << "message: " << message << "\nexpected phrase: " << c.phrase;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, TouchstoneBadFile, ::testing::ValuesIn(bad_cases),
                         [](const ::testing::TestParamInfo<BadCase>& test_case) {
                           std::string name = test_case.param.file;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(TouchstoneBadInput, EveryFileInTheCorpusHasACase) {
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(test::data_dir() / "touchstone" / "bad")) {
    const std::string name = entry.path().filename().string();
    const bool listed = std::any_of(std::begin(bad_cases), std::end(bad_cases),
                                    [&](const BadCase& c) { return name == c.file; });
    EXPECT_TRUE(listed) << name << " has no expected error in bad_cases";
    ++files;
  }
  EXPECT_GE(files, 15u);
}

TEST(TouchstoneBadInput, MissingFileNamesThePath) {
  const fs::path path = bad_file("does_not_exist.s4p");
  try {
    read_touchstone(path);
    FAIL() << "a missing file was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ":0: cannot open Touchstone file", 0), 0u) << e.what();
  }
}

TEST(TouchstoneBadInput, FileOverTheSizeLimit) {
  TouchstoneReadOptions options;
  options.max_file_bytes = 100;
  const fs::path path = good_file("noise_2port.s2p");
  ASSERT_GT(fs::file_size(path), 100u);
  try {
    read_touchstone(path, options);
    FAIL() << "a file over max_file_bytes was accepted";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path.string() + ":0: ", 0), 0u) << message;
    EXPECT_NE(message.find("over the limit of 100 bytes"), std::string::npos) << message;
  }
}

TEST(TouchstoneBadInput, ParseTouchstoneNamesTheGivenSource) {
  try {
    parse_touchstone("# GHz S RI R 50\n1 2 3 4\n", "memory-buffer", 1);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "memory-buffer:2: the record that began on line 2 ends in the middle of this "
                                     "line (1 value too many); a record is the frequency and 2 values, and the "
                                     "next one must start a new line")
        << e.what();
  }
}

TEST(TouchstoneBadInput, GarbageNeverCrashes) {
  // Binary junk and odd fragments: always an InputError, never a crash or an accepted network.
  const std::vector<std::string> inputs{std::string("\0\0\0\x01\xff", 5), "[", "]", "#", "# R", "[Version]",
                                        "[Version] 2.0\n[Reference] 50\n", "1 2", "\n\n\n", "!",
                                        "[Version] 2.0\n# GHz\n[Number of Ports] 99999999999999999999\n"};
  for (const auto& text : inputs) {
    EXPECT_THROW(parse_touchstone(text, "junk", 2), InputError) << text;
  }
  EXPECT_THROW(parse_touchstone("# GHz S RI\n1 1e-999x 0\n", "junk", 1), InputError);
  EXPECT_THROW(parse_touchstone("# GHz S DB\n1 1e300 0\n", "junk", 1), InputError);
  EXPECT_THROW(parse_touchstone("# GHz S RI\n1 2 3\n", "junk", -1), InputError);
  EXPECT_THROW(parse_touchstone("# GHz S RI\n1 2 3\n", "junk", 1 << 30), InputError);
}

// --- writer ------------------------------------------------------------------------------

fs::path temp_path(const std::string& name) {
  return fs::path(::testing::TempDir()) / ("eyesweep_test_touchstone_" + name);
}

std::string first_lines(const fs::path& path, int count) {
  std::ifstream in(path);
  std::string text, line;
  for (int k = 0; k < count && std::getline(in, line); ++k) text += line + "\n";
  return text;
}

TEST(TouchstoneWriter, RoundTripsEveryFormat) {
  Network n = make_network(2, false);
  n.reference_ohm = 42.5;
  n.source = "made in a test";
  const std::array<std::pair<TouchstoneFormat, const char*>, 3> formats{
      {{TouchstoneFormat::real_imag, "RI"}, {TouchstoneFormat::mag_angle, "MA"}, {TouchstoneFormat::db_angle, "DB"}}};
  for (const auto& [format, name] : formats) {
    SCOPED_TRACE(name);
    const fs::path path = temp_path(std::string(name) + ".s2p");
    write_touchstone_2port(path, n, format);
    const std::string head = first_lines(path, 4);
    EXPECT_NE(head.find("written by eyesweep"), std::string::npos) << head;
    EXPECT_NE(head.find(std::string("# GHz S ") + name + " R 42.5\n"), std::string::npos) << head;
    const Network back = read_touchstone(path);
    // RI values are written shortest-round-trip, so they come back bit for bit; MA and DB go
    // through trigonometry, and frequencies through the division to GHz.
    expect_same_network(n, back, format == TouchstoneFormat::real_imag ? 1e-15 : 1e-13);
    if (format == TouchstoneFormat::real_imag) {
      EXPECT_EQ(back.s, n.s);
    }
    fs::remove(path);
  }
}

TEST(TouchstoneWriter, ZeroInDbComesBackAsNegligible) {
  Network n = make_network(2, false);
  n.s[2] = 0.0;  // S21 at the first frequency
  const fs::path path = temp_path("zero.s2p");
  write_touchstone_2port(path, n, TouchstoneFormat::db_angle);
  const Network back = read_touchstone(path);
  EXPECT_LT(std::abs(back.at(0, 1, 0)), 1e-300);
  fs::remove(path);
}

TEST(TouchstoneWriter, RejectsFourPortsAndUnwritablePaths) {
  EXPECT_THROW(write_touchstone_2port(temp_path("four.s2p"), make_network(4, true)), LogicError);
  const fs::path path = temp_path("no_such_dir") / "x.s2p";
  try {
    write_touchstone_2port(path, make_network(2, false));
    FAIL() << "wrote into a missing directory";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ":0: cannot write", 0), 0u) << e.what();
  }
}

// --- real channels ------------------------------------------------------------------------

struct RealChannel {
  const char* file;
  std::size_t points;
  double last_hz;
  double il_freq_hz;
  double il_db;  ///< the IEEE COM script's printed |SDD21| loss
};

constexpr RealChannel real_channels[] = {
    {"channels/vita68_example2/example2_THRU.s4p", 4001, 40e9, 12.89e9, 23.45},
    {"channels/ieee8023ck_orthobp_12dB/DPO_4in_Meg7_THRU.s4p", 6001, 60e9, 26.56e9, 12.17},
    {"channels/ieee8023ck_ca_19p75dB/CA_19p75dB_thru.s4p", 6001, 60e9, 26.56e9, 19.75},
};

TEST(TouchstoneRealFiles, ParseAndMatchThePublishedInsertionLoss) {
  for (const auto& channel : real_channels) {
    SCOPED_TRACE(channel.file);
    const fs::path path = test::shared_file(channel.file);
    if (!fs::exists(path)) continue;  // shared_file has already failed the test
    const Network n = read_touchstone(path);
    EXPECT_EQ(n.num_ports, 4);
    EXPECT_EQ(n.reference_ohm, 50.0);
    ASSERT_EQ(n.num_freqs(), channel.points);
    EXPECT_EQ(n.freq_hz.front(), 0.0);
    EXPECT_NEAR(n.freq_hz.back(), channel.last_hz, 1e-3);
    const DifferentialNetwork d = to_differential(n, PortOrder::parse("1,3,2,4", "test"));
    std::size_t nearest = 0;
    for (std::size_t f = 0; f < d.freq_hz.size(); ++f) {
      if (std::abs(d.freq_hz[f] - channel.il_freq_hz) < std::abs(d.freq_hz[nearest] - channel.il_freq_hz)) nearest = f;
    }
    EXPECT_NEAR(d.freq_hz[nearest], channel.il_freq_hz, 1e3);
    EXPECT_NEAR(-20.0 * std::log10(std::abs(d.sdd21[nearest])), channel.il_db, 0.02);
  }
}

TEST(TouchstoneRealFiles, EverySharedChannelFileParses) {
  const fs::path root = test::shared_dir() / "channels";
  ASSERT_TRUE(fs::is_directory(root)) << "shared channels missing: " << root;
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".s4p" && ext != ".s2p") continue;
    SCOPED_TRACE(entry.path().string());
    const Network n = read_touchstone(entry.path());
    EXPECT_GE(n.num_freqs(), 4001u);
    EXPECT_EQ(n.num_ports, ext == ".s4p" ? 4 : 2);
    ++files;
  }
  EXPECT_GE(files, 44u);
}

}  // namespace
}  // namespace eyesweep
