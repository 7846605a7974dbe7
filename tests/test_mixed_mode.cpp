// Tests of io/mixed_mode: Port Order parsing, the mixed-mode transform against an explicit
// T S T^-1, the port-order semantics, the pairing check on the real channels, and the
// orthogonal-backplane crosstalk files whose port direction is reversed.

#include "io/mixed_mode.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "io/touchstone.hpp"
#include "kernels/common/error.hpp"
#include "tests/test_paths.hpp"

namespace eyesweep {
namespace {

namespace fs = std::filesystem;
using cd = std::complex<double>;

// --- PortOrder ------------------------------------------------------------------------------

TEST(PortOrder, DefaultIsTheIeeeSheetsDefault) {
  EXPECT_EQ(PortOrder{}.ports, (std::array<int, 4>{1, 3, 2, 4}));
  EXPECT_EQ(PortOrder{}.str(), "[1 3 2 4]");
}

TEST(PortOrder, ParsesEveryAcceptedSpelling) {
  for (const char* text : {"1,3,2,4", "1 3 2 4", "[1 3 2 4]", " [ 1, 3 ,2,4 ] ", "\t1  3\t2 4\n", "[1,3,2,4]"}) {
    EXPECT_EQ(PortOrder::parse(text, "test").ports, (std::array<int, 4>{1, 3, 2, 4})) << text;
  }
  EXPECT_EQ(PortOrder::parse("4 2 3 1", "test").ports, (std::array<int, 4>{4, 2, 3, 1}));
}

TEST(PortOrder, StrParsesBack) {
  const PortOrder order = PortOrder::parse("2,4,1,3", "test");
  EXPECT_EQ(order.str(), "[2 4 1 3]");
  EXPECT_EQ(PortOrder::parse(order.str(), "test").ports, order.ports);
}

TEST(PortOrder, RejectsAnythingButAPermutationOfOneToFour) {
  const std::array<std::pair<const char*, const char*>, 12> cases{{
      {"1 2 3", "3 entries, not 4"},
      {"1 2 3 4 5", "5 entries, not 4"},
      {"", "0 entries, not 4"},
      {"1 1 2 3", "port 1 appears twice"},
      {"0 1 2 3", "port 0 is not in 1..4"},
      {"1 2 3 5", "port 5 is not in 1..4"},
      {"a b c d", "a is not a port number"},
      {"1.0 2 3 4", "1.0 is not a port number"},
      {"1,2,,3", "is not a port number"},
      {"1,2,3,4,", "5 entries, not 4"},
      {"[1 2 3 4", "'[' without a closing ']'"},
      {"-1 2 3 4", "port -1 is not in 1..4"},
  }};
  for (const auto& [text, phrase] : cases) {
    try {
      PortOrder::parse(text, "channels.thru.port_order");
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const InputError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind("channels.thru.port_order: ", 0), 0u) << message;
      EXPECT_NE(message.find(std::string("'") + text + "'"), std::string::npos) << message;
      EXPECT_NE(message.find(phrase), std::string::npos) << message << "\nexpected: " << phrase;
    }
  }
}

// --- to_differential ------------------------------------------------------------------------

/// A non-reciprocal random 4-port: any transposed index shows up as a wrong value.
Network random_four_port(std::size_t freqs, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  Network n;
  n.source = "random seed " + std::to_string(seed);
  n.num_ports = 4;
  for (std::size_t f = 0; f < freqs; ++f) {
    n.freq_hz.push_back(1e7 * static_cast<double>(f + 1));
    for (int k = 0; k < 16; ++k) n.s.emplace_back(uniform(rng), uniform(rng));
  }
  return n;
}

using Matrix = std::array<std::array<cd, 4>, 4>;

/// The IEEE script's route: S reordered so that new port k is file port ports[k], then
/// W = T S T^-1 with T = [1 1 0 0; 1 -1 0 0; 0 0 1 1; 0 0 1 -1]; SDD11 = W(2,2),
/// SDD12 = W(2,4), SDD21 = W(4,2), SDD22 = W(4,4) (1-based).
std::array<cd, 4> sdd_by_matrices(const Network& n, std::size_t f, const PortOrder& order) {
  const Matrix t{{{1, 1, 0, 0}, {1, -1, 0, 0}, {0, 0, 1, 1}, {0, 0, 1, -1}}};
  Matrix t_inverse{};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) t_inverse[i][j] = t[i][j] / 2.0;  // T T / 2 = I
  }
  Matrix s{}, ts{}, w{};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) s[i][j] = n.at(f, order.ports[i] - 1, order.ports[j] - 1);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) {
      for (std::size_t k = 0; k < 4; ++k) ts[i][j] += t[i][k] * s[k][j];
    }
  }
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) {
      for (std::size_t k = 0; k < 4; ++k) w[i][j] += ts[i][k] * t_inverse[k][j];
    }
  }
  return {w[1][1], w[1][3], w[3][1], w[3][3]};
}

TEST(ToDifferential, MatchesTheMatrixTransformForManyOrders) {
  const Network n = random_four_port(5, 12345);
  for (const char* text : {"1 3 2 4", "1 2 3 4", "2 4 1 3", "3 1 4 2", "4 2 3 1", "2 3 4 1"}) {
    SCOPED_TRACE(text);
    const PortOrder order = PortOrder::parse(text, "test");
    const DifferentialNetwork d = to_differential(n, order);
    ASSERT_EQ(d.freq_hz, n.freq_hz);
    EXPECT_EQ(d.source, n.source);
    for (std::size_t f = 0; f < n.num_freqs(); ++f) {
      const auto expected = sdd_by_matrices(n, f, order);
      EXPECT_NEAR(std::abs(d.sdd11[f] - expected[0]), 0.0, 1e-15);
      EXPECT_NEAR(std::abs(d.sdd12[f] - expected[1]), 0.0, 1e-15);
      EXPECT_NEAR(std::abs(d.sdd21[f] - expected[2]), 0.0, 1e-15);
      EXPECT_NEAR(std::abs(d.sdd22[f] - expected[3]), 0.0, 1e-15);
    }
  }
}

TEST(ToDifferential, PortOrderNamesInputPlusMinusThenOutputPlusMinus) {
  // Port Order [a b c d]: the input pair is (a+, b-), the output pair (c+, d-), so
  // SDD21 = (S_ca - S_cb - S_da + S_db) / 2 in the file's own numbering.
  const Network n = random_four_port(3, 777);
  for (const std::array<int, 4> ports : {std::array<int, 4>{1, 3, 2, 4}, {3, 1, 4, 2}, {2, 4, 1, 3}, {4, 1, 2, 3}}) {
    PortOrder order;
    order.ports = ports;
    const DifferentialNetwork d = to_differential(n, order);
    const auto s = [&](std::size_t f, int i, int j) { return n.at(f, i - 1, j - 1); };
    const auto [a, b, c, dd] = ports;
    for (std::size_t f = 0; f < n.num_freqs(); ++f) {
      const cd sdd21 = 0.5 * (s(f, c, a) - s(f, c, b) - s(f, dd, a) + s(f, dd, b));
      const cd sdd11 = 0.5 * (s(f, a, a) - s(f, a, b) - s(f, b, a) + s(f, b, b));
      EXPECT_NEAR(std::abs(d.sdd21[f] - sdd21), 0.0, 1e-15) << order.str();
      EXPECT_NEAR(std::abs(d.sdd11[f] - sdd11), 0.0, 1e-15) << order.str();
    }
  }
}

TEST(ToDifferential, SwappingPlusAndMinusOfBothPairsChangesNothing) {
  // [3 1 4 2] is [1 3 2 4] with P and N swapped on both sides: the same channel. (Version
  // 3.70 of the IEEE script inverted the permutation first, which for an order that is not
  // its own inverse such as this one meant [2 4 1 3], the reversed direction; later versions
  // dropped that inversion, and eyesweep follows them and its own documentation.)
  const Network n = random_four_port(4, 99);
  const DifferentialNetwork standard = to_differential(n, PortOrder{});
  const DifferentialNetwork swapped = to_differential(n, PortOrder::parse("3 1 4 2", "test"));
  const DifferentialNetwork reversed = to_differential(n, PortOrder::parse("2 4 1 3", "test"));
  for (std::size_t f = 0; f < n.num_freqs(); ++f) {
    EXPECT_NEAR(std::abs(swapped.sdd21[f] - standard.sdd21[f]), 0.0, 1e-15);
    EXPECT_NEAR(std::abs(swapped.sdd12[f] - standard.sdd12[f]), 0.0, 1e-15);
    EXPECT_NEAR(std::abs(reversed.sdd21[f] - standard.sdd12[f]), 0.0, 1e-15);
    EXPECT_NEAR(std::abs(reversed.sdd11[f] - standard.sdd22[f]), 0.0, 1e-15);
    EXPECT_GT(std::abs(standard.sdd21[f] - standard.sdd12[f]), 1e-3);  // the test can tell them apart
  }
}

TEST(ToDifferential, RejectsOtherPortCountsAndBadOrders) {
  Network two_port;
  two_port.source = "cable.s2p";
  two_port.num_ports = 2;
  two_port.freq_hz = {1e9};
  two_port.s.assign(4, cd(0.5, 0.0));
  try {
    to_differential(two_port, PortOrder{});
    FAIL() << "converted a 2-port";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("cable.s2p: differential conversion needs a 4-port network", 0), 0u)
        << e.what();
  }
  EXPECT_THROW(check_pairing(two_port, PortOrder{}), InputError);
  PortOrder bad;
  bad.ports = {1, 1, 2, 3};
  EXPECT_THROW(to_differential(random_four_port(1, 1), bad), InputError);
}

// --- the pairing check ------------------------------------------------------------------------

Network read_shared(const std::string& relative) {
  const fs::path path = test::shared_file(relative);
  return read_touchstone(path);
}

TEST(CheckPairing, WarnsOnTheWrongPairingOfTheOrthogonalBackplaneThru) {
  const Network thru = read_shared("channels/ieee8023ck_orthobp_12dB/DPO_4in_Meg7_THRU.s4p");
  EXPECT_EQ(check_pairing(thru, PortOrder::parse("1,3,2,4", "test")), "");
  const std::string warning = check_pairing(thru, PortOrder::parse("1,2,3,4", "test"));
  EXPECT_NE(warning.find("port order [1 2 3 4] looks wrong"), std::string::npos) << warning;
  EXPECT_NE(warning.find("two ends of one line"), std::string::npos) << warning;
  EXPECT_NE(warning.find("[1 3 2 4]"), std::string::npos) << warning;
  EXPECT_NE(warning.find("DPO_4in_Meg7_THRU.s4p"), std::string::npos) << warning;
}

TEST(CheckPairing, SharedChannelsAcceptTheirRealPairsAndFlagTheOthers) {
  // A thru, a FEXT and a NEXT file of every set: the heuristic must hold for each kind.
  for (const char* file : {"vita68_example2/example2_THRU.s4p", "vita68_example2/example2_FEXT1.s4p",
                           "vita68_example2/example2_NEXT1.s4p", "ieee8023ck_ca_19p75dB/CA_19p75dB_thru.s4p",
                           "ieee8023ck_ca_19p75dB/CA_19p75dB_fext1.s4p", "ieee8023ck_ca_19p75dB/CA_19p75dB_next2.s4p",
                           "ieee8023ck_orthobp_12dB/DPO_4in_Meg7_FENG89.s4p",
                           "ieee8023ck_orthobp_12dB/DPO_4in_Meg7_NENF89.s4p",
                           "ieee8023ck_orthobp_24dB/DPO_10in_Meg7_THRU.s4p",
                           "ieee8023ck_orthobp_24dB/DPO_10in_Meg7_FENH1112.s4p",
                           "ieee8023ck_orthobp_24dB/DPO_10in_Meg7_NENF1415.s4p"}) {
    SCOPED_TRACE(file);
    const Network n = read_shared(std::string("channels/") + file);
    for (const char* right : {"1 3 2 4", "2 4 1 3", "3 1 4 2"}) {
      EXPECT_EQ(check_pairing(n, PortOrder::parse(right, "test")), "") << right;
    }
    for (const char* wrong : {"1 2 3 4", "1 4 2 3", "2 1 4 3"}) {
      EXPECT_NE(check_pairing(n, PortOrder::parse(wrong, "test")), "") << wrong;
    }
  }
}

TEST(CheckPairing, SaysNothingWithoutLowFrequencyData) {
  Network n = random_four_port(3, 5);
  for (auto& f : n.freq_hz) f += 2e9;  // nothing at or below 1 GHz
  EXPECT_EQ(check_pairing(n, PortOrder::parse("1 2 3 4", "test")), "");
}

// --- orthogonal-backplane crosstalk files (ports 1,3 at the victim receiver) --------------

TEST(OrthogonalBackplaneCrosstalk, ReversedFilesConvertAndAreReciprocal) {
  const std::string dir = "channels/ieee8023ck_orthobp_12dB/";
  const Network thru = read_shared(dir + "DPO_4in_Meg7_THRU.s4p");
  for (const char* name : {"DPO_4in_Meg7_FENG1415.s4p", "DPO_4in_Meg7_FENG89.s4p", "DPO_4in_Meg7_FENH1112.s4p",
                           "DPO_4in_Meg7_FENH1415.s4p", "DPO_4in_Meg7_FENH89.s4p"}) {
    SCOPED_TRACE(name);
    const Network fext = read_shared(dir + name);
    ASSERT_EQ(fext.num_freqs(), thru.num_freqs());
    // The README's reading of the data: S11, S33 of a FEXT file are the THRU's S22, S44.
    for (std::size_t f = 0; f < fext.num_freqs(); ++f) {
      ASSERT_EQ(fext.at(f, 0, 0), thru.at(f, 1, 1)) << f;
      ASSERT_EQ(fext.at(f, 2, 2), thru.at(f, 3, 3)) << f;
    }
    EXPECT_EQ(check_pairing(fext, PortOrder{}), "");
    const DifferentialNetwork d = to_differential(fext, PortOrder{});
    ASSERT_EQ(d.sdd21.size(), fext.num_freqs());
    double largest = 0.0;
    for (std::size_t f = 0; f < d.sdd21.size(); ++f) {
      // Relative to the single-ended pair-to-pair terms that enter SDD21: near a null of
      // SDD21 itself, rounding in those terms is all that is left.
      double scale = 0.0;
      for (const int i : {0, 2}) {
        for (const int j : {1, 3}) scale = std::max({scale, std::abs(fext.at(f, i, j)), std::abs(fext.at(f, j, i))});
      }
      EXPECT_LE(std::abs(d.sdd21[f] - d.sdd12[f]), 1e-9 * scale) << "f = " << d.freq_hz[f];
      largest = std::max(largest, std::abs(d.sdd21[f]));
    }
    EXPECT_GT(largest, 1e-4);  // real crosstalk, not an all-zero conversion
  }
}

}  // namespace
}  // namespace eyesweep
