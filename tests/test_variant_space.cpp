// Tests of host/variant_space and kernels/common/philox.hpp: Philox4x32-10 against Random123's
// known answers; variants as pure functions of (spec, seed, index); a grid enumerates its
// Cartesian product exactly once; Monte-Carlo draws follow their distributions (moments and
// frequencies within a few standard errors over 1e5 draws); low-discrepancy points are
// stratified where random ones are not; link_parameters layers defaults, [link] and the
// variant. The shipped LPO example decodes to values inside the link model's ranges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "host/com_config.hpp"
#include "host/lpo_link.hpp"
#include "host/variant_space.hpp"
#include "io/sweep_spec.hpp"
#include "kernels/common/error.hpp"
#include "kernels/common/philox.hpp"

namespace eyesweep {
namespace {

// ------------------------------------------------------------------------------------------
// Philox
// ------------------------------------------------------------------------------------------

struct PhiloxKat {
  Philox4x32Counter counter;
  Philox4x32Key key;
  Philox4x32Counter expected;
};

// Random123 kat_vectors, "philox4x32 10" lines: counter, key, expected output.
constexpr PhiloxKat philox_kats[] = {
    {{{0, 0, 0, 0}}, {{0, 0}}, {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}}},
    {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}},
     {{0xffffffff, 0xffffffff}},
     {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}}},
    {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}},
     {{0xa4093822, 0x299f31d0}},
     {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}},
};

static_assert(philox4x32_10(philox_kats[0].counter, philox_kats[0].key).v[0] == 0x6627e8d5,
              "Philox is usable in constant expressions (and so on the device)");

TEST(Philox, MatchesRandom123KnownAnswers) {
  for (const PhiloxKat& kat : philox_kats) {
    const Philox4x32Counter out = philox4x32_10(kat.counter, kat.key);
    for (int w = 0; w < 4; ++w) EXPECT_EQ(out.v[w], kat.expected.v[w]) << "word " << w;
  }
}

TEST(Philox, OpenUnitDoubleNeverReachesZeroOrOne) {
  EXPECT_EQ(open_unit_double(0), 0x1.0p-53);
  EXPECT_EQ(open_unit_double(~std::uint64_t{0}), 1.0 - 0x1.0p-53);
  EXPECT_EQ(open_unit_double(std::uint64_t{1} << 63), 0.5 + 0x1.0p-53);
}

// ------------------------------------------------------------------------------------------
// Inverse normal CDF
// ------------------------------------------------------------------------------------------

TEST(InverseNormalCdf, MatchesKnownQuantilesAndInvertsPhi) {
  EXPECT_NEAR(inverse_normal_cdf(0.975), 1.959963984540054, 1e-14);
  EXPECT_NEAR(inverse_normal_cdf(0.5), 0.0, 1e-15);
  EXPECT_NEAR(inverse_normal_cdf(1e-10), -6.361340902404056, 1e-12);
  EXPECT_NEAR(inverse_normal_cdf(0x1.0p-53), -8.2095361516013856, 1e-9);
  for (double p = 1e-300; p < 0.5; p *= 1.7) {
    const double x = inverse_normal_cdf(p);
    EXPECT_NEAR(0.5 * std::erfc(-x / std::sqrt(2.0)) / p, 1.0, 1e-12) << "p = " << p;
    const double q = 1.0 - p;  // the upper tail, where 1 - q is exact
    if (q < 1.0) {
      EXPECT_NEAR(inverse_normal_cdf(q), -inverse_normal_cdf(1.0 - q), 1e-13 * (1.0 + std::abs(x))) << "p = " << p;
    }
  }
  EXPECT_THROW(inverse_normal_cdf(0.0), LogicError);
  EXPECT_THROW(inverse_normal_cdf(1.0), LogicError);
}

// ------------------------------------------------------------------------------------------
// Variant decoding
// ------------------------------------------------------------------------------------------

/// "p<k>": the unit-range parameters of the test registry. (Appending, not "p" + ..., which
/// trips GCC 12's false -Wrestrict warning.)
std::string unit_parameter(int k) {
  std::string name = "p";
  name += std::to_string(k);
  return name;
}

std::vector<ParameterInfo> registry() {
  std::vector<ParameterInfo> r = {
      {"tx_board_loss_dB", "dB", 8.0, 0.0, 40.0, "Tx board loss", false},
      {"fiber_loss_dB", "dB", 1.5, 0.0, 20.0, "fiber loss", false},
      {"driver_snr_dB", "dB", 33.0, 10.0, 1000.0, "driver SNR", false},
      {"rin_dB_per_Hz", "dB/Hz", -145.0, -180.0, -110.0, "RIN", false},
      {"tx_sigma_rj_UI", "UI", 0.01, 0.0, 0.2, "random jitter", false},
      {"laser_er_dB", "dB", 4.5, 0.5, 20.0, "extinction ratio", false},
      {"drive_swing_Vppd", "Vppd", 2.0, 0.1, 10.0, "driver swing", true},
  };
  for (int k = 0; k < 60; ++k) r.push_back({unit_parameter(k), "1", 0.5, 0.0, 1.0, "unit", false});
  return r;
}

SweepSpec parse(const std::string& text) {
  return parse_sweep_spec(text, "/tmp/variant_space_test.toml", registry());
}

/// The example's distributions (no channel sets: those need files), Monte Carlo.
const std::string mc_spec = R"([sweep]
com_config = "c.toml"
variants = 100000
seed = 7
[link]
fiber_loss_dB = 2.0
[axes]
tx_board_loss_dB = { distribution = "uniform", min = 2.0, max = 10.0 }
driver_snr_dB = { distribution = "normal", mean = 33.0, sigma = 1.0 }
rin_dB_per_Hz = { distribution = "truncated_normal", mean = -145.0, sigma = 3.0, min = -147.0, max = -136.0 }
tx_sigma_rj_UI = { distribution = "log_uniform", min = 0.005, max = 0.02 }
laser_er_dB = { distribution = "discrete", values = [3.5, 4.5, 6.0], weights = [1, 2, 1] }
p0 = { values = [0.1, 0.2, 0.3, 0.4] }
[[corners]]
name = "vendor"
parameters = ["p1", "p2"]
values = [[0.1, 0.9], [0.2, 0.8], [0.3, 0.7]]
weights = [3, 1, 0]
)";

bool same(const VariantPoint& a, const VariantPoint& b) {
  return a.index == b.index && a.values == b.values && a.channel_set == b.channel_set && a.tx_board == b.tx_board &&
         a.rx_board == b.rx_board;
}

TEST(VariantSpace, ColumnsAreAxesThenCornerParameters) {
  EXPECT_EQ(variant_columns(parse(mc_spec)),
            (std::vector<std::string>{"tx_board_loss_dB", "driver_snr_dB", "rin_dB_per_Hz", "tx_sigma_rj_UI",
                                      "laser_er_dB", "p0", "p1", "p2"}));
}

TEST(VariantSpace, VariantsArePureFunctionsOfSeedAndIndex) {
  for (const char* sampling : {"monte_carlo", "low_discrepancy"}) {
    std::string text = mc_spec;
    text.replace(text.find("variants"), 0, std::string("sampling = \"") + sampling + "\"\n");
    const SweepSpec spec = parse(text);
    std::vector<VariantPoint> forward;
    for (std::uint64_t i = 0; i < 64; ++i) forward.push_back(decode_variant(spec, i));
    for (std::uint64_t i = 64; i-- > 0;) {
      EXPECT_TRUE(same(decode_variant(spec, i), forward[i])) << sampling << " variant " << i;
    }
    EXPECT_TRUE(same(decode_variant(parse(text), 99999), decode_variant(spec, 99999))) << "a fresh parse";
    EXPECT_EQ(forward[5].values.size(), variant_columns(spec).size());
    EXPECT_EQ(forward[5].index, 5u);
    EXPECT_EQ(forward[5].channel_set, -1);

    SweepSpec reseeded = spec;
    reseeded.seed = 8;
    int differing = 0;
    for (std::uint64_t i = 0; i < 64; ++i) differing += decode_variant(reseeded, i).values[0] != forward[i].values[0];
    EXPECT_EQ(differing, 64) << sampling << ": another seed draws other values";
    EXPECT_NE(forward[0].values[0], forward[1].values[0]);
    EXPECT_THROW(decode_variant(spec, spec.num_variants()), LogicError);
  }
}

TEST(VariantSpace, GridEnumeratesTheCartesianProductOnce) {
  const char* dir = "/tmp/eyesweep_variant_space_grid";
  std::filesystem::create_directories(dir);
  for (const char* name : {"a.s4p", "b.s4p"}) std::ofstream(std::string(dir) + "/" + name) << "!\n";
  const SweepSpec spec = parse(std::string(R"([sweep]
com_config = "c.toml"
sampling = "grid"
[axes]
p0 = { values = [0.1, 0.2, 0.3] }
p1 = { range = [0.0, 1.0], steps = 2 }
[[corners]]
name = "c"
parameters = ["p2", "p3"]
values = [[0.1, 0.9], [0.2, 0.8]]
[[channel_sets]]
label = "a"
thru = ")") + dir + R"(/a.s4p"
[[channel_sets]]
label = "b"
thru = ")" + dir + R"(/b.s4p"
)");
  ASSERT_EQ(spec.num_variants(), 3u * 2u * 2u * 2u);
  std::set<std::vector<double>> seen;
  for (std::uint64_t i = 0; i < spec.num_variants(); ++i) {
    const VariantPoint p = decode_variant(spec, i);
    std::vector<double> key = p.values;
    key.push_back(p.channel_set);
    EXPECT_TRUE(seen.insert(key).second) << "variant " << i << " repeats an earlier one";
  }
  EXPECT_EQ(seen.size(), spec.num_variants());
  // The first axis varies slowest, the channel set fastest.
  EXPECT_EQ(decode_variant(spec, 0).values, (std::vector<double>{0.1, 0.0, 0.1, 0.9}));
  EXPECT_EQ(decode_variant(spec, 0).channel_set, 0);
  EXPECT_EQ(decode_variant(spec, 1).channel_set, 1);
  EXPECT_EQ(decode_variant(spec, 2).values, (std::vector<double>{0.1, 0.0, 0.2, 0.8}));
  EXPECT_EQ(decode_variant(spec, 4).values, (std::vector<double>{0.1, 1.0, 0.1, 0.9}));
  EXPECT_EQ(decode_variant(spec, 8).values, (std::vector<double>{0.2, 0.0, 0.1, 0.9}));
  EXPECT_EQ(decode_variant(spec, 23).values, (std::vector<double>{0.3, 1.0, 0.2, 0.8}));
  std::filesystem::remove_all(dir);
}

double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }
double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// Chi-square statistic of observed counts against expected probabilities.
double chi_square(const std::vector<double>& counts, const std::vector<double>& probabilities, double n) {
  double chi2 = 0.0;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    if (probabilities[k] == 0.0) {
      EXPECT_EQ(counts[k], 0.0) << "an item of weight 0 was drawn";
      continue;
    }
    const double expected = n * probabilities[k];
    chi2 += (counts[k] - expected) * (counts[k] - expected) / expected;
  }
  return chi2;
}

TEST(VariantSpace, MonteCarloDrawsFollowTheirDistributions) {
  const SweepSpec spec = parse(mc_spec);
  const std::size_t n = 100000;
  const double dn = static_cast<double>(n);
  std::vector<std::vector<double>> columns(variant_columns(spec).size());
  for (std::uint64_t i = 0; i < n; ++i) {
    const VariantPoint p = decode_variant(spec, i);
    for (std::size_t c = 0; c < columns.size(); ++c) columns[c].push_back(p.values[c]);
  }
  const auto mean = [&](const std::vector<double>& x) {
    double s = 0.0;
    for (double v : x) s += v;
    return s / dn;
  };
  const auto variance = [&](const std::vector<double>& x) {
    const double m = mean(x);
    double s = 0.0;
    for (double v : x) s += (v - m) * (v - m);
    return s / (dn - 1.0);
  };
  const double k = 4.0;  // standard errors allowed

  // uniform(2, 10): mean 6, variance 64/12; SE of the variance sqrt((mu4 - sigma^4)/n).
  EXPECT_NEAR(mean(columns[0]), 6.0, k * std::sqrt(64.0 / 12.0 / dn));
  EXPECT_NEAR(variance(columns[0]), 64.0 / 12.0, k * std::sqrt((4096.0 / 80.0 - 4096.0 / 144.0) / dn));
  EXPECT_GE(*std::min_element(columns[0].begin(), columns[0].end()), 2.0);
  EXPECT_LE(*std::max_element(columns[0].begin(), columns[0].end()), 10.0);

  // normal(33, 1): SE of the mean sigma/sqrt(n), of the standard deviation sigma/sqrt(2n).
  EXPECT_NEAR(mean(columns[1]), 33.0, k / std::sqrt(dn));
  EXPECT_NEAR(std::sqrt(variance(columns[1])), 1.0, k / std::sqrt(2.0 * dn));

  // truncated normal(-145, 3) on [-147, -136]: inside the bounds, with the truncated mean.
  const double a = (-147.0 + 145.0) / 3.0, b = (-136.0 + 145.0) / 3.0;
  const double mass = normal_cdf(b) - normal_cdf(a);
  const double truncated_mean = -145.0 + 3.0 * (normal_pdf(a) - normal_pdf(b)) / mass;
  EXPECT_GE(*std::min_element(columns[2].begin(), columns[2].end()), -147.0);
  EXPECT_LE(*std::max_element(columns[2].begin(), columns[2].end()), -136.0);
  EXPECT_NEAR(mean(columns[2]), truncated_mean, k * 3.0 / std::sqrt(dn));

  // log-uniform(0.005, 0.02): half the draws below the geometric mean, inside the bounds.
  const double geometric_mean = std::sqrt(0.005 * 0.02);
  const double below = static_cast<double>(std::count_if(columns[3].begin(), columns[3].end(),
                                                         [&](double v) { return v < geometric_mean; }));
  EXPECT_NEAR(below / dn, 0.5, k * 0.5 / std::sqrt(dn));
  EXPECT_GE(*std::min_element(columns[3].begin(), columns[3].end()), 0.005);
  EXPECT_LE(*std::max_element(columns[3].begin(), columns[3].end()), 0.02);

  // Discrete values, equal values and corner rows: frequencies by chi-square. The 0.1 %
  // points of chi-square with 2 and 3 degrees of freedom are 13.8 and 16.3.
  const auto counts = [&](const std::vector<double>& x, const std::vector<double>& items) {
    std::vector<double> c(items.size(), 0.0);
    for (double v : x) {
      const auto it = std::find(items.begin(), items.end(), v);
      EXPECT_NE(it, items.end()) << v << " is not one of the values";
      if (it != items.end()) c[static_cast<std::size_t>(it - items.begin())] += 1.0;
    }
    return c;
  };
  EXPECT_LT(chi_square(counts(columns[4], {3.5, 4.5, 6.0}), {0.25, 0.5, 0.25}, dn), 13.8);
  EXPECT_LT(chi_square(counts(columns[5], {0.1, 0.2, 0.3, 0.4}), {0.25, 0.25, 0.25, 0.25}, dn), 16.3);
  EXPECT_LT(chi_square(counts(columns[6], {0.1, 0.2, 0.3}), {0.75, 0.25, 0.0}, dn), 10.8);  // 1 dof
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(columns[6][i] + columns[7][i], 1.0) << "a corner row stays whole";

  // Dimensions are independent: the uniform and the normal are uncorrelated.
  double covariance = 0.0;
  const double m0 = mean(columns[0]), m1 = mean(columns[1]);
  for (std::size_t i = 0; i < n; ++i) covariance += (columns[0][i] - m0) * (columns[1][i] - m1);
  const double correlation = covariance / (dn - 1.0) / std::sqrt(variance(columns[0]) * variance(columns[1]));
  EXPECT_NEAR(correlation, 0.0, k / std::sqrt(dn));
}

TEST(VariantSpace, BoardsAreDimensionsAfterTheAxes) {
  const char* dir = "/tmp/eyesweep_variant_space_boards";
  std::filesystem::create_directories(dir);
  for (const char* name : {"a.s4p", "b.s4p", "c.s4p"}) std::ofstream(std::string(dir) + "/" + name) << "!\n";
  const std::string boards = std::string("[[tx_boards]]\nlabel = \"a\"\nthru = \"") + dir + "/a.s4p\"\n" +
                             "[[tx_boards]]\nlabel = \"b\"\nthru = \"" + dir + "/b.s4p\"\n" +
                             "[[rx_boards]]\nlabel = \"c\"\nthru = \"" + dir + "/c.s4p\"\n" +
                             "[[rx_boards]]\nlabel = \"a\"\nthru = \"" + dir + "/a.s4p\"\n" +
                             "[[rx_boards]]\nlabel = \"b\"\nthru = \"" + dir + "/b.s4p\"\n";
  const SweepSpec grid =
      parse("[sweep]\ncom_config = \"c.toml\"\nsampling = \"grid\"\n[axes]\np0 = { values = [0.1, 0.2] }\n" + boards);
  ASSERT_EQ(grid.num_variants(), 2u * 2u * 3u);
  std::set<std::vector<int>> seen;
  for (std::uint64_t i = 0; i < grid.num_variants(); ++i) {
    const VariantPoint p = decode_variant(grid, i);
    EXPECT_EQ(p.channel_set, -1);
    EXPECT_TRUE(seen.insert({static_cast<int>(p.values[0] * 10.0), p.tx_board, p.rx_board}).second) << "variant " << i;
  }
  // The Rx-side board varies fastest, then the Tx-side board, then the axes.
  EXPECT_EQ(decode_variant(grid, 1).rx_board, 1);
  EXPECT_EQ(decode_variant(grid, 3).tx_board, 1);
  EXPECT_EQ(decode_variant(grid, 6).values[0], 0.2);

  const SweepSpec drawn = parse("[sweep]\ncom_config = \"c.toml\"\nvariants = 3000\n" + boards);
  std::vector<double> tx(2), rx(3);
  for (std::uint64_t i = 0; i < drawn.num_variants(); ++i) {
    const VariantPoint p = decode_variant(drawn, i);
    tx[static_cast<std::size_t>(p.tx_board)] += 1.0;
    rx[static_cast<std::size_t>(p.rx_board)] += 1.0;
  }
  // Equal weights: chi-square below its 99.9 % quantile (1 and 2 degrees of freedom).
  EXPECT_LT(chi_square(tx, {0.5, 0.5}, 3000.0), 10.83);
  EXPECT_LT(chi_square(rx, {1.0 / 3, 1.0 / 3, 1.0 / 3}, 3000.0), 13.82);
  std::filesystem::remove_all(dir);
}

TEST(VariantSpace, ChannelSetsAreDrawnByWeight) {
  const char* dir = "/tmp/eyesweep_variant_space_sets";
  std::filesystem::create_directories(dir);
  std::string text = "[sweep]\ncom_config = \"c.toml\"\nvariants = 20000\n";
  for (const char* name : {"a", "b", "c"}) {
    std::ofstream(std::string(dir) + "/" + name + ".s4p") << "!\n";
    text += std::string("[[channel_sets]]\nlabel = \"") + name + "\"\nthru = \"" + dir + "/" + name + ".s4p\"\n" +
            (name[0] == 'a' ? "weight = 2.0\n" : "");
  }
  const SweepSpec spec = parse(text);
  std::vector<double> counts(3, 0.0);
  for (std::uint64_t i = 0; i < spec.num_variants(); ++i) {
    const VariantPoint p = decode_variant(spec, i);
    ASSERT_GE(p.channel_set, 0);
    ASSERT_LT(p.channel_set, 3);
    EXPECT_TRUE(p.values.empty());
    counts[static_cast<std::size_t>(p.channel_set)] += 1.0;
  }
  EXPECT_LT(chi_square(counts, {0.5, 0.25, 0.25}, static_cast<double>(spec.num_variants())), 13.8);
  std::filesystem::remove_all(dir);
}

/// A spec of `dims` uniform(0, 1) axes sampled by `sampling`.
SweepSpec unit_cube(const std::string& sampling, int dims, std::uint64_t variants, std::uint64_t seed) {
  std::string text = "[sweep]\ncom_config = \"c.toml\"\nsampling = \"" + sampling + "\"\nvariants = " +
                     std::to_string(variants) + "\nseed = " + std::to_string(seed) + "\n[axes]\n";
  for (int k = 0; k < dims; ++k) text += unit_parameter(k) + " = { distribution = \"uniform\", min = 0.0, max = 1.0 }\n";
  return parse(text);
}

TEST(VariantSpace, LowDiscrepancyPointsAreStratified) {
  const int dims = static_cast<int>(max_low_discrepancy_dimensions);
  const std::uint64_t n = 1024;
  const SweepSpec sobol = unit_cube("low_discrepancy", dims, n, 3);
  std::vector<std::vector<double>> points;
  for (std::uint64_t i = 0; i < n; ++i) points.push_back(decode_variant(sobol, i).values);

  // Every dimension: the first 2^10 points fill each of the 1024 intervals [k/1024, (k+1)/1024)
  // exactly once (the digital shift permutes the intervals); none is 0 or 1, index 0 included.
  for (int d = 0; d < dims; ++d) {
    std::vector<int> hits(n, 0);
    for (const auto& p : points) {
      const double u = p[static_cast<std::size_t>(d)];
      ASSERT_GT(u, 0.0);
      ASSERT_LT(u, 1.0);
      ++hits[static_cast<std::size_t>(u * static_cast<double>(n))];
    }
    EXPECT_EQ(std::count(hits.begin(), hits.end(), 1), static_cast<long>(n)) << "dimension " << d + 1;
  }

  // Two-dimensional projections on a 16 x 16 grid (1024 points, 4 per cell). The digital
  // shift permutes these dyadic cells, so the counts are those of Joe and Kuo's unshifted
  // sequence: every pair of the first 8 dimensions is exactly even, and so are 85 % of all
  // 1378 pairs (a few pairs of high dimensions are poor at so few points, e.g. 21 and 32).
  // Random points are never exactly even, and their chi-square is near its 255 degrees of
  // freedom.
  const SweepSpec random = unit_cube("monte_carlo", dims, n, 3);
  std::vector<std::vector<double>> random_points;
  for (std::uint64_t i = 0; i < n; ++i) random_points.push_back(decode_variant(random, i).values);
  const auto grid_chi_square = [&](const std::vector<std::vector<double>>& pts, std::size_t d1, std::size_t d2) {
    std::vector<double> cells(256, 0.0);
    for (const auto& p : pts) cells[static_cast<std::size_t>(p[d1] * 16) * 16 + static_cast<std::size_t>(p[d2] * 16)] += 1.0;
    return chi_square(cells, std::vector<double>(256, 1.0 / 256.0), static_cast<double>(n));
  };
  double sobol_sum = 0.0, random_sum = 0.0;
  int sobol_even = 0, random_even = 0, pairs = 0;
  for (std::size_t d1 = 0; d1 < static_cast<std::size_t>(dims); ++d1) {
    for (std::size_t d2 = d1 + 1; d2 < static_cast<std::size_t>(dims); ++d2) {
      const double low = grid_chi_square(points, d1, d2);
      const double high = grid_chi_square(random_points, d1, d2);
      if (d2 < 8) {
        EXPECT_EQ(low, 0.0) << "dimensions " << d1 + 1 << " and " << d2 + 1;
      }
      sobol_sum += low;
      random_sum += high;
      sobol_even += low == 0.0;
      random_even += high == 0.0;
      ++pairs;
    }
  }
  EXPECT_GT(sobol_even, pairs * 8 / 10);
  EXPECT_EQ(random_even, 0);
  EXPECT_LT(sobol_sum, 0.75 * random_sum);
  EXPECT_NEAR(random_sum / pairs, 255.0, 10.0);

  // Points 1000 and 777 of the unshifted sequence in all 53 dimensions, in units of 2^-10, as
  // scipy.stats.qmc.Sobol(53, scramble=False) gives them: point 0 is 0, so the XOR of the
  // shifted points 0 and i is the unshifted point i.
  const auto top_bits = [](double u) { return static_cast<std::uint64_t>(u * 0x1.0p53) >> 1; };
  const std::vector<std::pair<std::uint64_t, std::vector<std::uint64_t>>> reference = {
      {1000, {225, 99,  531, 693, 287, 929, 47,  921, 513, 71,  87,  261, 165, 393, 147, 379, 737, 353,
              1015, 743, 535, 563, 973, 553, 597, 929, 41, 1003, 61, 349, 151, 149, 303, 607, 821, 789,
              869, 851, 315, 491, 935, 261, 983, 719, 861, 95,  893, 941, 1023, 491, 361, 529, 771}},
      {777, {709, 959, 167, 281, 651, 365, 195, 781, 357, 331, 763, 713, 393, 485, 583, 527, 413, 885,
             379, 771, 243, 279, 969, 493, 353, 149, 61,  799, 65,  113, 555, 921, 115, 3,   825, 969,
             473, 359, 351, 367, 739, 273, 971, 411, 329, 155, 385, 33,  795, 975, 85,  37,  631}}};
  for (const auto& [index, coordinates] : reference) {
    ASSERT_EQ(coordinates.size(), static_cast<std::size_t>(dims));
    for (std::size_t d = 0; d < coordinates.size(); ++d) {
      EXPECT_EQ(top_bits(points[0][d]) ^ top_bits(points[index][d]), coordinates[d] << 42)
          << "point " << index << ", dimension " << d + 1;
    }
  }
}

TEST(VariantSpace, LinkParametersLayerDefaultsFixedAndVariantValues) {
  const SweepSpec spec = parse(mc_spec);
  const std::vector<ParameterInfo> r = registry();
  const VariantPoint point = decode_variant(spec, 3);
  const std::map<std::string, double> values = link_parameters(spec, r, point);
  EXPECT_EQ(values.size(), r.size());
  EXPECT_EQ(values.at("drive_swing_Vppd"), 2.0);  // registry default
  EXPECT_EQ(values.at("p5"), 0.5);
  EXPECT_EQ(values.at("fiber_loss_dB"), 2.0);  // [link] over the default 1.5
  const std::vector<std::string> columns = variant_columns(spec);
  for (std::size_t c = 0; c < columns.size(); ++c) EXPECT_EQ(values.at(columns[c]), point.values[c]) << columns[c];
  EXPECT_NE(values.at("tx_board_loss_dB"), 8.0);
}

TEST(VariantSpace, ShippedLpoExamplesDecodeInsideTheModelRanges) {
  const std::vector<ParameterInfo> lpo = lpo_parameters(ComConfig{});
  for (const char* example : {"lpo_800g_dr8.toml", "lpo_1p6t_dr8.toml", "lpo_800g_measured_boards.toml"}) {
    const SweepSpec spec = load_sweep_spec(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "examples" / example, lpo);
    ASSERT_GT(spec.num_variants(), 0u) << example;
    for (std::uint64_t i = 0; i < std::min<std::uint64_t>(spec.num_variants(), 200); ++i) {
      const std::map<std::string, double> values = link_parameters(spec, lpo, decode_variant(spec, i));
      for (const ParameterInfo& info : lpo) {
        EXPECT_GE(values.at(info.name), info.min) << info.name << " of variant " << i << " of " << example;
        EXPECT_LE(values.at(info.name), info.max) << info.name << " of variant " << i << " of " << example;
      }
    }
  }
}

}  // namespace
}  // namespace eyesweep
