// Tests of host/parametric_channel: the THRU against the Annex 93A line it is built from and
// basic physics (passivity, loss growing with length and frequency), the closed-form FEXT
// and NEXT laws, the set's layout, input validation, and that the COM engine takes the set
// as it takes Touchstone files.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "host/com_engine.hpp"
#include "host/impulse_response.hpp"
#include "host/parametric_channel.hpp"
#include "host/two_port.hpp"
#include "io/config_toml.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

using cd = std::complex<double>;

std::vector<double> f_GHz_of(const LoadedChannel& c) {
  std::vector<double> f(c.network.freq_hz.size());
  for (std::size_t k = 0; k < f.size(); ++k) f[k] = c.network.freq_hz[k] * 1e-9;
  return f;
}

/// A small grid keeps the element-by-element tests fast and their failures readable.
ParametricChannel small_grid() {
  ParametricChannel p;
  p.f_step_GHz = 0.25;
  p.f_max_GHz = 60.0;
  return p;
}

TEST(ParametricChannel, LayoutKindsNamesAndFrequencyGrid) {
  const ParametricChannel p;  // defaults: 0 .. 50 GHz every 10 MHz, 3 FEXT, 3 NEXT
  const std::vector<LoadedChannel> set = parametric_channel_set(p);
  ASSERT_EQ(set.size(), 7u);
  const char* names[] = {"parametric_thru",  "parametric_fext1", "parametric_fext2", "parametric_fext3",
                         "parametric_next1", "parametric_next2", "parametric_next3"};
  const ChannelKind kinds[] = {ChannelKind::thru, ChannelKind::fext, ChannelKind::fext, ChannelKind::fext,
                               ChannelKind::next, ChannelKind::next, ChannelKind::next};
  for (std::size_t c = 0; c < set.size(); ++c) {
    EXPECT_EQ(set[c].input.path.string(), names[c]);
    EXPECT_EQ(set[c].input.path.stem().string(), names[c]);  // the engines' report name
    EXPECT_EQ(set[c].network.source, names[c]);
    EXPECT_EQ(set[c].input.kind, kinds[c]);
    EXPECT_TRUE(set[c].warnings.empty());
    const DifferentialNetwork& n = set[c].network;
    EXPECT_EQ(n.freq_hz, set[0].network.freq_hz);  // aggressors share the THRU's axis
    EXPECT_EQ(n.sdd11.size(), n.freq_hz.size());
    EXPECT_EQ(n.sdd12.size(), n.freq_hz.size());
    EXPECT_EQ(n.sdd21.size(), n.freq_hz.size());
    EXPECT_EQ(n.sdd22.size(), n.freq_hz.size());
    EXPECT_EQ(n.sdd12, n.sdd21);  // reciprocal
  }
  const std::vector<double>& f = set[0].network.freq_hz;
  ASSERT_EQ(f.size(), 5001u);  // 50 / 0.01 + 1: f_max itself is kept despite rounding
  EXPECT_EQ(f.front(), 0.0);
  EXPECT_NEAR(f.back(), 50e9, 1e-3);
  for (std::size_t k = 1; k < f.size(); ++k) EXPECT_NEAR(f[k] - f[k - 1], 1e7, 1e-3);

  ParametricChannel none = small_grid();
  none.num_fext = 0;
  none.num_next = 2;
  const std::vector<LoadedChannel> two = parametric_channel_set(none);
  ASSERT_EQ(two.size(), 3u);
  EXPECT_EQ(two[1].input.kind, ChannelKind::next);
  EXPECT_EQ(two[1].input.path.string(), "parametric_next1");
}

TEST(ParametricChannel, ThruIsPassiveFromBothPorts) {
  ParametricChannel p = small_grid();
  p.Z_c_ohm = 85.0;       // mismatched line ...
  p.via_C_nF = 2.5e-4;    // ... with 0.25 pF vias: strong reflections
  const DifferentialNetwork n = parametric_channel_set(p)[0].network;
  double worst_reflection = 0.0;
  for (std::size_t k = 0; k < n.freq_hz.size(); ++k) {
    EXPECT_LE(std::norm(n.sdd21[k]) + std::norm(n.sdd11[k]), 1.0 + 1e-12) << "f = " << n.freq_hz[k];
    EXPECT_LE(std::norm(n.sdd12[k]) + std::norm(n.sdd22[k]), 1.0 + 1e-12) << "f = " << n.freq_hz[k];
    worst_reflection = std::max(worst_reflection, std::abs(n.sdd11[k]));
  }
  EXPECT_GT(worst_reflection, 0.1);  // the check above is not vacuous
}

TEST(ParametricChannel, MatchedThruWithoutViasIsTheBareLine) {
  const ParametricChannel p = small_grid();  // Z_c = 2 R0, via_C = 0
  const LoadedChannel thru = parametric_channel_set(p)[0];
  // The generator's own grid, k step: freq_hz * 1e-9 differs from it in the last bit.
  std::vector<double> f(thru.network.freq_hz.size());
  for (std::size_t k = 0; k < f.size(); ++k) f[k] = static_cast<double>(k) * p.f_step_GHz;
  for (std::size_t k = 0; k < f.size(); ++k) {
    const SMatrix2 line = transmission_line_at(f[k], p.line, p.Z_c_ohm, p.length_mm, p.R0_ohm);
    // Bit for bit: shunt capacitances of 0 nF are exact identities in the cascade.
    EXPECT_EQ(thru.network.sdd21[k], line.s21) << "f = " << f[k];
    EXPECT_EQ(thru.network.sdd11[k], line.s11) << "f = " << f[k];
    EXPECT_EQ(thru.network.sdd22[k], line.s22) << "f = " << f[k];
    EXPECT_EQ(std::abs(thru.network.sdd11[k]), 0.0);
    const double expected = std::abs(std::exp(-line_gamma(f[k], p.line) * p.length_mm));
    EXPECT_NEAR(std::abs(thru.network.sdd21[k]), expected, 1e-12 * expected) << "f = " << f[k];
  }
}

TEST(ParametricChannel, InsertionLossGrowsWithLengthAndFrequency) {
  ParametricChannel p = small_grid();
  std::vector<std::vector<cd>> s21;
  for (const double length : {100.0, 200.0, 400.0}) {
    p.length_mm = length;
    s21.push_back(parametric_channel_set(p)[0].network.sdd21);
  }
  for (std::size_t k = 1; k < s21[0].size(); ++k) {
    for (std::size_t l = 0; l < s21.size(); ++l) {
      EXPECT_LT(std::abs(s21[l][k]), std::abs(s21[l][k - 1])) << "length " << l << ", point " << k;
    }
    EXPECT_LT(std::abs(s21[1][k]), std::abs(s21[0][k]));
    EXPECT_LT(std::abs(s21[2][k]), std::abs(s21[1][k]));
  }
  // The default line at the 802.3ck Nyquist frequency: about 0.11 dB/mm.
  p.length_mm = 250.0;
  p.f_step_GHz = 26.5625 / 20.0;
  const LoadedChannel thru = parametric_channel_set(p)[0];
  const double il_dB = -20.0 * std::log10(std::abs(thru.network.sdd21[20]));
  EXPECT_NEAR(thru.network.freq_hz[20], 26.5625e9, 1.0);
  EXPECT_GT(il_dB, 25.0);
  EXPECT_LT(il_dB, 31.0);
}

TEST(ParametricChannel, FextIsTheThruTimesALinearCoupling) {
  ParametricChannel p = small_grid();
  p.via_C_nF = 1.5e-4;  // the law holds relative to the whole THRU, vias included
  p.f_ref_GHz = 25.0;   // on the grid
  const std::vector<LoadedChannel> set = parametric_channel_set(p);
  const std::vector<cd>& thru = set[0].network.sdd21;
  const std::vector<double> f = f_GHz_of(set[0]);
  for (int i = 1; i <= 3; ++i) {
    const double k_f = p.fext_coupling / (1.0 + 0.3 * (i - 1));
    const std::vector<cd>& fext = set[static_cast<std::size_t>(i)].network.sdd21;
    EXPECT_EQ(std::abs(fext[0]), 0.0);  // no far-end coupling at DC
    for (std::size_t k = 1; k < f.size(); ++k) {
      const double ratio = std::abs(fext[k]) / std::abs(thru[k]);
      EXPECT_NEAR(ratio, k_f * f[k] / p.f_ref_GHz, 1e-12 * ratio) << "FEXT" << i << " at " << f[k] << " GHz";
    }
    EXPECT_NEAR(std::abs(fext[100]) / std::abs(thru[100]), k_f, 1e-14);  // f[100] = f_ref
  }
}

TEST(ParametricChannel, NextSaturatesAtItsCoupling) {
  const ParametricChannel p = small_grid();
  const std::vector<LoadedChannel> set = parametric_channel_set(p);
  const std::vector<double> f = f_GHz_of(set[0]);
  for (int i = 1; i <= 3; ++i) {
    const double k_n = p.next_coupling / (1.0 + 0.3 * (i - 1));
    const std::vector<cd>& next = set[static_cast<std::size_t>(3 + i)].network.sdd21;
    for (std::size_t k = 0; k < f.size(); ++k) {
      const double expected = k_n * std::abs(1.0 - std::exp(-2.0 * line_gamma(f[k], p.line) * p.length_mm));
      EXPECT_NEAR(std::abs(next[k]), expected, 1e-12 * k_n);
      // Above 40 GHz the round trip over 250 mm is lossy enough (> 8 Np) to leave the plateau.
      if (f[k] >= 40.0) {
        EXPECT_NEAR(std::abs(next[k]), k_n, 1e-3 * k_n) << "NEXT" << i << " at " << f[k];
      }
    }
    // It starts from nothing at DC (gamma_0 = 0: no loss to end the round trip), and well
    // below 1 / (2 pi x the round trip of 3 ns), at 10 MHz, it is still far from the plateau.
    EXPECT_EQ(std::abs(next[0]), 0.0);
    const ParametricChannel fine;  // 10 MHz steps
    EXPECT_LT(std::abs(parametric_channel_set(fine)[static_cast<std::size_t>(3 + i)].network.sdd21[1]), 0.5 * k_n);
  }
}

TEST(ParametricChannel, AggressorsDifferAndEveryChannelIsCausal) {
  const ParametricChannel p;  // the default 10 MHz grid, as the engines see it
  const std::vector<LoadedChannel> set = parametric_channel_set(p);
  // Aggressors 1 and 2 of a kind differ by more than a scale: their phases differ.
  for (const std::size_t first : {1u, 4u}) {
    const std::vector<cd>& a = set[first].network.sdd21;
    const std::vector<cd>& b = set[first + 1].network.sdd21;
    EXPECT_GT(std::abs(std::arg(a[2000] / b[2000])), 0.1);
  }
  // Each bare channel (no package) passes the impulse response's causality check.
  const std::vector<double> f = f_GHz_of(set[0]);
  for (const LoadedChannel& c : set) {
    const std::string what = c.input.path.string();
    const ImpulseResponse h = impulse_response(c.network.sdd21, f, 1.0 / (53.125 * 32), BandExtension::matlab_trend,
                                               1e-3, what.c_str());
    EXPECT_FALSE(h.samples.empty()) << what;
  }
}

TEST(ParametricChannel, InvalidParametersNameTheField) {
  const auto expect_rejected = [](const char* field, auto&& change) {
    ParametricChannel p = small_grid();
    change(p);
    try {
      parametric_channel_set(p);
      ADD_FAILURE() << field << ": no InputError";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  expect_rejected("length_mm", [](ParametricChannel& p) { p.length_mm = 0.0; });
  expect_rejected("length_mm", [](ParametricChannel& p) { p.length_mm = -5.0; });
  expect_rejected("length_mm", [](ParametricChannel& p) { p.length_mm = NAN; });
  expect_rejected("line.a1", [](ParametricChannel& p) { p.line.a1 = -1e-3; });
  expect_rejected("line.a2", [](ParametricChannel& p) { p.line.a2 = -1e-4; });
  expect_rejected("line.gamma0_per_mm", [](ParametricChannel& p) { p.line.gamma0_per_mm = -1e-4; });
  expect_rejected("line.tau_ns_per_mm", [](ParametricChannel& p) { p.line.tau_ns_per_mm = -1.0; });
  expect_rejected("Z_c_ohm", [](ParametricChannel& p) { p.Z_c_ohm = 0.0; });
  expect_rejected("via_C_nF", [](ParametricChannel& p) { p.via_C_nF = -1e-4; });
  expect_rejected("R0_ohm", [](ParametricChannel& p) { p.R0_ohm = 0.0; });
  expect_rejected("num_fext", [](ParametricChannel& p) { p.num_fext = -1; });
  expect_rejected("num_next", [](ParametricChannel& p) { p.num_next = -1; });
  expect_rejected("fext_coupling", [](ParametricChannel& p) { p.fext_coupling = -0.01; });
  expect_rejected("next_coupling", [](ParametricChannel& p) { p.next_coupling = -0.01; });
  expect_rejected("f_ref_GHz", [](ParametricChannel& p) { p.f_ref_GHz = 0.0; });
  expect_rejected("f_step_GHz", [](ParametricChannel& p) { p.f_step_GHz = 0.0; });
  expect_rejected("f_step_GHz", [](ParametricChannel& p) { p.f_step_GHz = -0.01; });
  expect_rejected("f_max_GHz", [](ParametricChannel& p) { p.f_max_GHz = 12.0 * p.f_step_GHz; });
  expect_rejected("f_max_GHz", [](ParametricChannel& p) { p.f_max_GHz = INFINITY; });

  // The limits themselves are accepted: zero couplings and counts, the fewest points.
  ParametricChannel edge = small_grid();
  edge.num_fext = edge.num_next = 0;
  edge.fext_coupling = edge.next_coupling = 0.0;
  edge.f_max_GHz = 13.0 * edge.f_step_GHz;
  const std::vector<LoadedChannel> set = parametric_channel_set(edge);
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set[0].network.freq_hz.size(), 14u);
}

/// At most three values per Tx tap (both ends and the middle), so that a COM run takes
/// seconds: the test compares two lengths, not the optimum itself.
void thin_tx_grid(ComConfig& cfg) {
  for (TxTapRange& tap : cfg.tx_taps) {
    const std::vector<double> v = tap.values;
    if (v.size() > 3) tap.values = {v.front(), v[v.size() / 2], v.back()};
  }
}

TEST(ParametricChannel, ComEngineRunsOnTheSetAndPenalisesLength) {
  ComConfig cfg = load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" / "ieee8023ck_c2c.toml");
  thin_tx_grid(cfg);
  ComRunOptions options;
  options.threads = 0;
  ParametricChannel p;
  p.length_mm = 100.0;
  const ComResult short_line = run_com(cfg, parametric_channel_set(p), options);
  p.length_mm = 400.0;
  const ComResult long_line = run_com(cfg, parametric_channel_set(p), options);
  EXPECT_TRUE(std::isfinite(short_line.com_dB));
  EXPECT_TRUE(std::isfinite(long_line.com_dB));
  EXPECT_LT(long_line.com_dB, short_line.com_dB);
  EXPECT_EQ(short_line.cases.size(), cfg.package_cases.size());
  std::printf("COM (C2C sheet, thinned Tx grid): 100 mm %.3f dB, 400 mm %.3f dB\n", short_line.com_dB,
              long_line.com_dB);
}

}  // namespace
}  // namespace eyesweep
