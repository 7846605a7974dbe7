// Touchstone 1.x / 2.0 reader and a 2-port writer. Owns the in-memory network representation.
// Every malformed input raises eyesweep::InputError whose message starts "FILE:LINE: "
// (LINE 0 when the defect is the file as a whole: missing, empty, too large).
#pragma once

#include <complex>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace eyesweep {

/// An N-port network in S-parameters, frequencies in Hz, strictly increasing.
struct Network {
  std::string source;             ///< file it came from (for messages)
  int num_ports = 0;
  double reference_ohm = 50.0;    ///< port reference impedance (all ports equal)
  std::vector<double> freq_hz;
  /// S-parameters, index ((f * num_ports) + i) * num_ports + j holds S_{i+1, j+1} at freq_hz[f].
  std::vector<std::complex<double>> s;

  std::size_t num_freqs() const { return freq_hz.size(); }
  std::complex<double> at(std::size_t f, int i, int j) const {
    return s[(f * static_cast<std::size_t>(num_ports) + static_cast<std::size_t>(i)) *
                 static_cast<std::size_t>(num_ports) +
             static_cast<std::size_t>(j)];
  }
};

struct TouchstoneReadOptions {
  /// Port count when the file name does not say it (".sNp"); 0 = take it from the name.
  int num_ports = 0;
  /// Refuse files larger than this (bytes); protects against a wrong path to a huge file.
  std::size_t max_file_bytes = std::size_t{1} << 31;
};

/// Reads a Touchstone 1.x or 2.0 file. Throws InputError naming file and line on any defect.
Network read_touchstone(const std::filesystem::path& path, const TouchstoneReadOptions& options = {});

/// Parses Touchstone text already in memory; `name` is used in error messages.
Network parse_touchstone(const std::string& text, const std::string& name, int num_ports);

enum class TouchstoneFormat { real_imag, mag_angle, db_angle };

/// Writes a 2-port network as Touchstone 1.1 (`# GHz S <format> R <ref>`), full precision
/// (shortest round-trip digits). In DB an exact zero is written as the dB value of the
/// smallest normal double, since -inf is not a number any reader accepts.
void write_touchstone_2port(const std::filesystem::path& path, const Network& network,
                            TouchstoneFormat format = TouchstoneFormat::real_imag);

}  // namespace eyesweep
