// Single-ended 4-port to differential (mixed-mode) 2-port conversion with a per-file port order.
#pragma once

#include <array>
#include <complex>
#include <string>
#include <vector>

#include "io/touchstone.hpp"

namespace eyesweep {

/// The IEEE COM sheets' `Port Order [a b c d]`: single-ended ports a, b form the input
/// differential pair (a = +, b = -) and c, d the output pair (c = +, d = -). 1-based.
/// (Version 3.70 of the IEEE script inverted the permutation first; later versions do not.
/// The two readings agree for every order that is its own inverse, [1 3 2 4] included.)
struct PortOrder {
  std::array<int, 4> ports{1, 3, 2, 4};
  /// Parses "1,3,2,4" or "1 3 2 4"; throws InputError naming `what` on a bad order.
  static PortOrder parse(const std::string& text, const std::string& what);
  std::string str() const;
};

/// Differential-mode 2-port S-parameters of a 4-port channel (reference 2 x R0 differential).
struct DifferentialNetwork {
  std::string source;
  std::vector<double> freq_hz;
  std::vector<std::complex<double>> sdd11, sdd12, sdd21, sdd22;
};

/// Converts a single-ended 4-port to its differential 2-port with the given port order.
/// Throws InputError if the network does not have 4 ports.
DifferentialNetwork to_differential(const Network& network, const PortOrder& order);

/// A warning (empty if none) when the diagonal terms suggest the given pairing is not the
/// real one: e.g. the "pairs" are strongly coupled to each other at low frequency.
std::string check_pairing(const Network& network, const PortOrder& order);

}  // namespace eyesweep
