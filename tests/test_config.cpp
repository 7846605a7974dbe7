// Tests of io/config_toml: the shipped configurations hold exactly the IEEE sheets' values
// (configs/*.toml against the sheet dumps), the IEEE script's defaults fill absent keys, ranges
// enumerate with integer steps, and every class of bad configuration is refused with an
// InputError naming the file and the key.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "host/eq_grid.hpp"
#include "io/config_toml.hpp"
#include "kernels/common/error.hpp"
#include "tests/test_paths.hpp"

namespace eyesweep {
namespace {

std::filesystem::path shipped(const std::string& name) {
  return std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" / name;
}

/// min + k*step for k = 0 .. count-1: the values a sheet range stands for.
std::vector<double> steps(double min, double step, int count) {
  std::vector<double> values;
  for (int k = 0; k < count; ++k) values.push_back(min + k * step);
  return values;
}

std::vector<double> repeat(double value, int count) {
  return std::vector<double>(static_cast<std::size_t>(count), value);
}

void expect_values(const std::vector<double>& actual, const std::vector<double>& expected,
                   const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (std::abs(expected[i]) < 1e-12) {
      EXPECT_EQ(actual[i], 0.0) << what << " [" << i << "] must be exactly 0";
    } else {
      EXPECT_DOUBLE_EQ(actual[i], expected[i]) << what << " [" << i << "]";
    }
  }
}

const std::vector<double>& tap_values(const ComConfig& cfg, int offset) {
  for (const auto& tap : cfg.tx_taps) {
    if (tap.offset == offset) return tap.values;
  }
  static const std::vector<double> none;
  ADD_FAILURE() << "no tap c(" << offset << ")";
  return none;
}

std::vector<int> tap_offsets(const ComConfig& cfg) {
  std::vector<int> offsets;
  for (const auto& tap : cfg.tx_taps) offsets.push_back(tap.offset);
  return offsets;
}

/// The message of the InputError that `parse` throws; fails the test when none is thrown.
std::string error_message(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const InputError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return {};
}

// ------------------------------------------------------------------------------------------
// The shipped configurations
// ------------------------------------------------------------------------------------------

TEST(ShippedConfig, VitaKr4HoldsEveryValueOfThe100GbaseKr4Sheet) {
  const ComConfig cfg = load_com_config(shipped("vita_kr4.toml"));
  EXPECT_EQ(cfg.source, shipped("vita_kr4.toml").string());
  // Table 93A-1
  EXPECT_DOUBLE_EQ(cfg.f_b_GBd, 25.78125);
  EXPECT_DOUBLE_EQ(cfg.f_min_GHz, 0.05);
  EXPECT_DOUBLE_EQ(cfg.delta_f_GHz, 0.01);
  EXPECT_EQ(cfg.tx_package.C_d_nF, std::vector<double>{2.5e-4});
  EXPECT_EQ(cfg.rx_package.C_d_nF, std::vector<double>{2.5e-4});
  EXPECT_EQ(cfg.tx_package.C_p_nF, 1.8e-4);
  EXPECT_EQ(cfg.rx_package.C_p_nF, 1.8e-4);
  EXPECT_EQ(cfg.R_0_ohm, 50.0);
  EXPECT_EQ(cfg.tx_package.R_d_ohm, 55.0);
  EXPECT_EQ(cfg.rx_package.R_d_ohm, 55.0);
  EXPECT_DOUBLE_EQ(cfg.f_r, 0.75);
  EXPECT_DOUBLE_EQ(cfg.c0_min, 0.62);
  EXPECT_EQ(tap_offsets(cfg), (std::vector<int>{-1, 1}));
  expect_values(tap_values(cfg, -1), steps(-0.18, 0.02, 10), "c(-1)");
  expect_values(tap_values(cfg, 1), steps(-0.38, 0.02, 20), "c(1)");
  expect_values(cfg.g_DC_dB, steps(-12, 1, 13), "g_DC");
  EXPECT_DOUBLE_EQ(cfg.f_z_GHz, 6.4453125);
  EXPECT_DOUBLE_EQ(cfg.f_p1_GHz, 6.4453125);
  EXPECT_DOUBLE_EQ(cfg.f_p2_GHz, 25.78125);
  EXPECT_DOUBLE_EQ(cfg.A_v, 0.4);
  EXPECT_DOUBLE_EQ(cfg.A_fe, 0.4);
  EXPECT_DOUBLE_EQ(cfg.A_ne, 0.6);
  EXPECT_EQ(cfg.L, 2);
  EXPECT_EQ(cfg.M, 32);
  EXPECT_EQ(cfg.N_b, 14);
  EXPECT_EQ(cfg.b_max, repeat(1.0, 14));
  EXPECT_EQ(cfg.b_min, repeat(-1.0, 14));  // no b_min keys: -b_max
  EXPECT_DOUBLE_EQ(cfg.sigma_RJ_UI, 0.01);
  EXPECT_DOUBLE_EQ(cfg.A_DD_UI, 0.05);
  EXPECT_DOUBLE_EQ(cfg.eta_0_V2_per_GHz, 5.2e-8);
  EXPECT_DOUBLE_EQ(cfg.SNR_TX_dB, 27.0);
  EXPECT_DOUBLE_EQ(cfg.R_LM, 1.0);
  EXPECT_DOUBLE_EQ(cfg.DER_0, 1e-5);
  EXPECT_DOUBLE_EQ(cfg.COM_pass_threshold_dB, 3.0);
  EXPECT_FALSE(cfg.board.include);
  // z_p tables: one segment, two cases, both selected
  ASSERT_EQ(cfg.package_cases.size(), 2u);
  const double tx[] = {12, 30}, next[] = {12, 12}, fext[] = {12, 30}, rx[] = {12, 30};
  for (std::size_t c = 0; c < 2; ++c) {
    EXPECT_EQ(cfg.package_cases[c].z_p_tx_mm, std::vector<double>{tx[c]});
    EXPECT_EQ(cfg.package_cases[c].z_p_next_mm, std::vector<double>{next[c]});
    EXPECT_EQ(cfg.package_cases[c].z_p_fext_mm, std::vector<double>{fext[c]});
    EXPECT_EQ(cfg.package_cases[c].z_p_rx_mm, std::vector<double>{rx[c]});
  }
  EXPECT_DOUBLE_EQ(cfg.T_r_ns, 0.008);
  EXPECT_EQ(cfg.port_order, "1 3 2 4");
  // Table 93A-2
  EXPECT_DOUBLE_EQ(cfg.package_line.tau_ns_per_mm, 0.006141);
  EXPECT_EQ(cfg.package_line.gamma0_per_mm, 0.0);
  EXPECT_DOUBLE_EQ(cfg.package_line.a1, 1.734e-3);
  EXPECT_DOUBLE_EQ(cfg.package_line.a2, 1.455e-4);
  EXPECT_EQ(cfg.tx_package.Z_c_ohm, std::vector<double>{78.2});
  EXPECT_EQ(cfg.rx_package.Z_c_ohm, std::vector<double>{78.2});
  // Table 92-12
  EXPECT_DOUBLE_EQ(cfg.board.line.tau_ns_per_mm, 0.006191);
  EXPECT_EQ(cfg.board.line.gamma0_per_mm, 0.0);
  EXPECT_DOUBLE_EQ(cfg.board.line.a1, 4.114e-4);
  EXPECT_DOUBLE_EQ(cfg.board.line.a2, 2.547e-4);
  EXPECT_DOUBLE_EQ(cfg.board.Z_c_ohm, 109.8);
  EXPECT_EQ(cfg.board.z_bp_tx_mm, 151.0);
  EXPECT_EQ(cfg.board.z_bp_next_mm, 72.0);
  EXPECT_EQ(cfg.board.z_bp_fext_mm, 72.0);
  EXPECT_EQ(cfg.board.z_bp_rx_mm, 151.0);
  // Absent from the sheet: the IEEE script's defaults
  EXPECT_FALSE(cfg.FORCE_TR);
  EXPECT_EQ(cfg.tx_package.L_s_nH, std::vector<double>{0.0});
  EXPECT_EQ(cfg.rx_package.L_s_nH, std::vector<double>{0.0});
  EXPECT_EQ(cfg.tx_package.C_b_nF, 0.0);
  EXPECT_EQ(cfg.rx_package.C_b_nF, 0.0);
  EXPECT_EQ(cfg.g_DC_HP_dB, std::vector<double>{0.0});
  EXPECT_EQ(cfg.f_HP_PZ_GHz, 0.0);
  EXPECT_TRUE(cfg.Butterworth);
  EXPECT_FALSE(cfg.Bessel_Thomson);
  EXPECT_FALSE(cfg.Raised_Cosine);
  EXPECT_EQ(cfg.floating.N_bg, 0);
  EXPECT_EQ(cfg.local_search, 0);
  EXPECT_EQ(cfg.f_2_GHz, 25.78125);  // f_2 defaults to f_b
  EXPECT_EQ(cfg.impulse_truncation_threshold, 1e-3);
  EXPECT_EQ(cfg.band_extension, BandExtension::matlab_trend);
  EXPECT_EQ(cfg.cursor_rule, CursorRule::mueller_muller);
  // I/O control keys are accepted and reported, in file order
  EXPECT_EQ(
      cfg.ignored_keys,
      (std::vector<std::string>{"DIAGNOSTICS", "DISPLAY_WINDOW", "Display frequency domain",
                                "CSV_REPORT", "SAVE_FIGURE_to_CSV", "RESULT_DIR", "SAVE_FIGURES",
                                "RX_CALIBRATION", "Sigma BBN step", "IDEAL_TX_TERM", "INC_PACKAGE",
                                "IDEAL_RX_TERM", "INCLUDE_CTLE", "INCLUDE_TX_RX_FILTER"}));
}

/// Values shared by the three 802.3ck sheets (C2C, KR, CR/CA).
void expect_common_802_3ck_values(const ComConfig& cfg) {
  EXPECT_DOUBLE_EQ(cfg.f_b_GBd, 53.125);
  EXPECT_DOUBLE_EQ(cfg.f_min_GHz, 0.05);
  EXPECT_DOUBLE_EQ(cfg.delta_f_GHz, 0.01);
  EXPECT_EQ(cfg.tx_package.C_d_nF, std::vector<double>{1.2e-4});
  EXPECT_EQ(cfg.rx_package.C_d_nF, std::vector<double>{1.2e-4});
  EXPECT_EQ(cfg.tx_package.L_s_nH, std::vector<double>{0.12});
  EXPECT_EQ(cfg.rx_package.L_s_nH, std::vector<double>{0.12});
  EXPECT_EQ(cfg.tx_package.C_b_nF, 0.3e-4);
  EXPECT_EQ(cfg.rx_package.C_b_nF, 0.3e-4);
  EXPECT_EQ(cfg.tx_package.C_p_nF, 0.87e-4);
  EXPECT_EQ(cfg.rx_package.C_p_nF, 0.87e-4);
  EXPECT_EQ(cfg.R_0_ohm, 50.0);
  EXPECT_EQ(cfg.tx_package.R_d_ohm, 50.0);
  EXPECT_EQ(cfg.rx_package.R_d_ohm, 50.0);
  EXPECT_DOUBLE_EQ(cfg.A_v, 0.413);
  EXPECT_DOUBLE_EQ(cfg.A_fe, 0.413);
  EXPECT_DOUBLE_EQ(cfg.A_ne, 0.608);
  EXPECT_EQ(cfg.L, 4);
  EXPECT_EQ(cfg.M, 32);
  EXPECT_DOUBLE_EQ(cfg.f_r, 0.75);
  EXPECT_DOUBLE_EQ(cfg.c0_min, 0.54);
  expect_values(cfg.g_DC_dB, steps(-20, 1, 21), "g_DC");
  EXPECT_DOUBLE_EQ(cfg.f_z_GHz, 21.25);
  EXPECT_DOUBLE_EQ(cfg.f_p1_GHz, 21.25);
  EXPECT_DOUBLE_EQ(cfg.f_p2_GHz, 53.125);
  EXPECT_DOUBLE_EQ(cfg.f_HP_PZ_GHz, 0.6640625);
  EXPECT_DOUBLE_EQ(cfg.COM_pass_threshold_dB, 3.0);
  EXPECT_DOUBLE_EQ(cfg.T_r_ns, 0.0075);
  EXPECT_TRUE(cfg.FORCE_TR);
  EXPECT_EQ(cfg.local_search, 2);
  EXPECT_DOUBLE_EQ(cfg.sigma_RJ_UI, 0.01);
  EXPECT_DOUBLE_EQ(cfg.A_DD_UI, 0.02);
  EXPECT_DOUBLE_EQ(cfg.R_LM, 0.95);
  EXPECT_EQ(cfg.port_order, "1 3 2 4");
  EXPECT_EQ(cfg.package_line.gamma0_per_mm, 0.0);
  EXPECT_DOUBLE_EQ(cfg.package_line.a1, 0.0009909);
  EXPECT_DOUBLE_EQ(cfg.package_line.a2, 0.0002772);
  EXPECT_DOUBLE_EQ(cfg.package_line.tau_ns_per_mm, 6.141e-3);
  EXPECT_EQ(cfg.tx_package.Z_c_ohm, (std::vector<double>{87.5, 92.5}));
  EXPECT_EQ(cfg.rx_package.Z_c_ohm, (std::vector<double>{87.5, 92.5}));
  EXPECT_EQ(cfg.board.line.gamma0_per_mm, 0.0);
  EXPECT_DOUBLE_EQ(cfg.board.line.a1, 3.8206e-04);
  EXPECT_DOUBLE_EQ(cfg.board.line.a2, 9.5909e-05);
  EXPECT_DOUBLE_EQ(cfg.board.line.tau_ns_per_mm, 5.79e-3);
  EXPECT_EQ(cfg.board.Z_c_ohm, 100.0);
  EXPECT_DOUBLE_EQ(cfg.board.z_bp_tx_mm, 110.3);
  EXPECT_DOUBLE_EQ(cfg.board.z_bp_next_mm, 110.3);
  EXPECT_DOUBLE_EQ(cfg.board.z_bp_fext_mm, 110.3);
  EXPECT_DOUBLE_EQ(cfg.board.z_bp_rx_mm, 110.3);
  EXPECT_DOUBLE_EQ(cfg.board.C_0_nF, 0.29e-4);
  EXPECT_DOUBLE_EQ(cfg.board.C_1_nF, 0.19e-4);
  EXPECT_EQ(cfg.floating.N_bf, 3);
  EXPECT_EQ(cfg.floating.N_f, 40);
  EXPECT_DOUBLE_EQ(cfg.floating.B_float_RSS_MAX, 0.02);
  EXPECT_EQ(cfg.floating.N_tail_start, 25);
  EXPECT_EQ(cfg.f_2_GHz, 40.0);
  EXPECT_TRUE(cfg.Butterworth);  // not in the sheets: the script's default
  EXPECT_FALSE(cfg.Bessel_Thomson);
}

/// The z_p tables [tx_case1 tx_case2; 1.8 1.8] etc., both cases selected.
void expect_two_segment_cases(const ComConfig& cfg, double tx1, double tx2, double rx1,
                              double rx2) {
  ASSERT_EQ(cfg.package_cases.size(), 2u);
  const double tx[] = {tx1, tx2}, rx[] = {rx1, rx2};
  for (std::size_t c = 0; c < 2; ++c) {
    const auto& pc = cfg.package_cases[c];
    EXPECT_EQ(pc.z_p_tx_mm, (std::vector<double>{tx[c], 1.8}));
    EXPECT_EQ(pc.z_p_next_mm, (std::vector<double>{rx[c], 1.8}));
    EXPECT_EQ(pc.z_p_fext_mm, (std::vector<double>{tx[c], 1.8}));
    EXPECT_EQ(pc.z_p_rx_mm, (std::vector<double>{rx[c], 1.8}));
  }
}

TEST(ShippedConfig, C2cHoldsEveryValueOfThe3ckC2cSheet) {
  const ComConfig cfg = load_com_config(shipped("ieee8023ck_c2c.toml"));
  expect_common_802_3ck_values(cfg);
  expect_two_segment_cases(cfg, 13, 31, 11, 29);
  EXPECT_EQ(tap_offsets(cfg), (std::vector<int>{-3, -2, -1, 1}));
  expect_values(tap_values(cfg, -1), steps(-0.28, 0.02, 15), "c(-1)");
  expect_values(tap_values(cfg, -2), steps(0.0, 0.02, 6), "c(-2)");
  expect_values(tap_values(cfg, -3), steps(-0.04, 0.02, 3), "c(-3)");
  expect_values(tap_values(cfg, 1), steps(-0.1, 0.02, 6), "c(1)");
  expect_values(cfg.g_DC_HP_dB, steps(-4, 1, 5), "g_DC_HP");
  EXPECT_EQ(cfg.N_b, 6);
  EXPECT_EQ(cfg.b_max, (std::vector<double>{0.65, 0.15, 0.1, 0.1, 0.1, 0.1}));
  EXPECT_EQ(cfg.b_min, (std::vector<double>{0.3, 0.05, -0.04, -0.04, -0.04, -0.04}));
  EXPECT_DOUBLE_EQ(cfg.DER_0, 1e-5);
  EXPECT_DOUBLE_EQ(cfg.eta_0_V2_per_GHz, 2e-8);
  EXPECT_DOUBLE_EQ(cfg.SNR_TX_dB, 33);
  EXPECT_FALSE(cfg.board.include);
  EXPECT_EQ(cfg.floating.N_bg, 0);
  EXPECT_DOUBLE_EQ(cfg.floating.bmaxg, 0.05);
  EXPECT_EQ(cfg.name, "IEEE 802.3ck C2C (3ck_SA_120F_C2C_08_17_2022)");
  for (const char* key : {"AC_CM_RMS", "RESULT_DIR", "RUNTAG", "ERL Pass threshold", "TDR",
                          "Tukey_Window", "fixture delay time", "f_v", "A_nt", "Sigma BBN step"}) {
    EXPECT_NE(std::find(cfg.ignored_keys.begin(), cfg.ignored_keys.end(), key),
              cfg.ignored_keys.end())
        << key;
  }
}

/// What the KR and CR/CA sheets share beyond expect_common_802_3ck_values.
void expect_kr_family_values(const ComConfig& cfg) {
  expect_common_802_3ck_values(cfg);
  expect_two_segment_cases(cfg, 12, 31, 12, 29);
  EXPECT_EQ(tap_offsets(cfg), (std::vector<int>{-3, -2, -1, 1}));
  expect_values(tap_values(cfg, -1), steps(-0.34, 0.02, 18), "c(-1)");
  expect_values(tap_values(cfg, -2), steps(0.0, 0.02, 7), "c(-2)");
  expect_values(tap_values(cfg, -3), steps(-0.06, 0.02, 4), "c(-3)");
  expect_values(tap_values(cfg, 1), steps(-0.2, 0.02, 11), "c(1)");
  expect_values(cfg.g_DC_HP_dB, steps(-6, 1, 7), "g_DC_HP");
  EXPECT_EQ(cfg.N_b, 12);
  std::vector<double> b_max{0.85, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1};
  std::vector<double> b_min{0.3, 0.05};
  b_min.resize(12, -0.03);
  EXPECT_EQ(cfg.b_max, b_max);
  EXPECT_EQ(cfg.b_min, b_min);
  EXPECT_DOUBLE_EQ(cfg.DER_0, 1e-4);
  EXPECT_EQ(cfg.floating.N_bg, 3);
  EXPECT_EQ(cfg.floating.N_bf, 3);
  EXPECT_EQ(cfg.floating.N_f, 40);
  EXPECT_DOUBLE_EQ(cfg.floating.B_float_RSS_MAX, 0.02);
  EXPECT_EQ(cfg.floating.N_tail_start, 25);
}

TEST(ShippedConfig, KrHoldsTheKrSheetIncludingFloatingTaps) {
  const ComConfig cfg = load_com_config(shipped("ieee8023ck_kr.toml"));
  expect_kr_family_values(cfg);
  EXPECT_DOUBLE_EQ(cfg.eta_0_V2_per_GHz, 8.2e-9);
  EXPECT_DOUBLE_EQ(cfg.SNR_TX_dB, 33);
  EXPECT_DOUBLE_EQ(cfg.floating.bmaxg, 0.05);
  EXPECT_FALSE(cfg.board.include);
}

TEST(ShippedConfig, CrCaHoldsTheCrCaSheetIncludingHostBoards) {
  const ComConfig cfg = load_com_config(shipped("ieee8023ck_cr_ca.toml"));
  expect_kr_family_values(cfg);
  EXPECT_DOUBLE_EQ(cfg.eta_0_V2_per_GHz, 9e-9);
  EXPECT_DOUBLE_EQ(cfg.SNR_TX_dB, 32.5);
  EXPECT_DOUBLE_EQ(cfg.floating.bmaxg, 0.03);
  EXPECT_TRUE(cfg.board.include);
}

TEST(ShippedConfig, Ieee8023djHoldsTheComReferenceSetAndItsGridSizes) {
  const ComConfig cfg = load_com_config(shipped("ieee8023dj.toml"));
  EXPECT_DOUBLE_EQ(cfg.f_b_GBd, 106.25);
  EXPECT_DOUBLE_EQ(cfg.DER_0, 2e-4);
  EXPECT_DOUBLE_EQ(cfg.f_r, 0.58);
  EXPECT_DOUBLE_EQ(cfg.eta_0_V2_per_GHz, 6e-9);
  EXPECT_DOUBLE_EQ(cfg.A_ne, 0.45);
  EXPECT_EQ(cfg.rx_ffe.pre_taps, 5);
  EXPECT_EQ(cfg.rx_ffe.num_taps(), 16);
  EXPECT_DOUBLE_EQ(cfg.rx_ffe.tapn_max, 0.7);
  EXPECT_EQ(cfg.N_b, 1);
  EXPECT_EQ(cfg.tx_package.C_d_nF, (std::vector<double>{0.4e-4, 0.9e-4, 1.1e-4}));
  // com-reference.md section 5: 794,640 legal Tx combinations x 176 CTLE settings.
  EXPECT_EQ(build_tx_grid(cfg).num_combinations(), 794640u);
  EXPECT_EQ(build_ctle_grid(cfg).size(), 176u);
}

TEST(ShippedConfig, TheDjComparisonSheetLoadsWithItsRxFfeAndSamplingSweep) {
  const ComConfig cfg = load_com_config(shipped("ieee8023dj_pychopmarg.toml"));
  EXPECT_EQ(cfg.rx_ffe.pre_taps, 5);
  EXPECT_EQ(cfg.rx_ffe.post_taps, 10);
  EXPECT_DOUBLE_EQ(cfg.rx_ffe.tapn_max, 1.0);
  EXPECT_EQ(cfg.cursor_rule, CursorRule::peak);
  EXPECT_EQ(cfg.sample_adjustment_lo, -16);
  EXPECT_EQ(cfg.sample_adjustment_hi, 16);
  EXPECT_TRUE(cfg.Raised_Cosine);
  EXPECT_EQ(build_tx_grid(cfg).num_combinations(), 1u);  // no Tx FFE, no CTLE: one grid point
  EXPECT_EQ(build_ctle_grid(cfg).size(), 1u);
}

TEST(ShippedConfig, The200gExploratorySheetsHoldTheirFloatingTapsFilterAndPackage) {
  for (const char* name : {"ieee8023df_200g_ca_kr.toml", "ieee8023df_200g_c2c.toml"}) {
    SCOPED_TRACE(name);
    const ComConfig cfg = load_com_config(shipped(name));
    EXPECT_DOUBLE_EQ(cfg.f_b_GBd, 106.25);
    EXPECT_EQ(cfg.N_b, 24);
    EXPECT_EQ(cfg.floating.N_bg, 6);
    EXPECT_EQ(cfg.floating.N_f, 120);
    EXPECT_DOUBLE_EQ(cfg.floating.bmaxg, 0.2);
    EXPECT_TRUE(cfg.Raised_Cosine);
    EXPECT_DOUBLE_EQ(cfg.RC_start_GHz, 67.0);
    EXPECT_DOUBLE_EQ(cfg.RC_end_GHz, 79.6875);
    EXPECT_EQ(cfg.package_cases.size(), 3u);
    EXPECT_EQ(cfg.package_cases[2].z_p_tx_mm, (std::vector<double>{45, 1, 0.1, 0.58}));
    EXPECT_EQ(cfg.tx_package.Z_c_ohm, (std::vector<double>{92, 70, 80, 100}));
    EXPECT_EQ(build_tx_grid(cfg).num_combinations(), 2965u);  // com-reference.md section 5
  }
  EXPECT_EQ(build_ctle_grid(load_com_config(shipped("ieee8023df_200g_ca_kr.toml"))).size(), 98u);
  EXPECT_EQ(build_ctle_grid(load_com_config(shipped("ieee8023df_200g_c2c.toml"))).size(), 95u);
}

// ------------------------------------------------------------------------------------------
// A small valid configuration that the remaining tests edit
// ------------------------------------------------------------------------------------------

/// "key = value" lines of a minimal valid configuration (the required keys only), plus an
/// optional [eyesweep] table; tests replace, add or remove single keys.
class ConfigText {
 public:
  ConfigText& set(const std::string& key, const std::string& value) {
    for (auto& line : lines_) {
      if (line.first == key) {
        line.second = value;
        return *this;
      }
    }
    lines_.emplace_back(key, value);
    return *this;
  }
  ConfigText& erase(const std::string& key) {
    std::erase_if(lines_, [&](const auto& line) { return line.first == key; });
    return *this;
  }
  ConfigText& option(const std::string& key, const std::string& value) {
    options_.emplace_back(key, value);
    return *this;
  }
  /// 1-based line of `key` in str().
  std::size_t line_of(const std::string& key) const {
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].first == key) return i + 1;
    }
    return 0;
  }
  std::string str() const {
    std::string text;
    for (const auto& [key, value] : lines_) text += "\"" + key + "\" = " + value + "\n";
    if (!options_.empty()) text += "[eyesweep]\n";
    for (const auto& [key, value] : options_) text += key + " = " + value + "\n";
    return text;
  }
  ComConfig parse() const { return parse_com_config(str(), "inline.toml"); }

  static const std::vector<std::string>& required_keys() {
    static const std::vector<std::string> keys = [] {
      std::vector<std::string> names;
      for (const auto& line : ConfigText().lines_) names.push_back(line.first);
      return names;
    }();
    return keys;
  }

 private:
  std::vector<std::pair<std::string, std::string>> lines_ = {
      {"f_b", "25.78125"},
      {"f_min", "0.05"},
      {"Delta_f", "0.01"},
      {"L", "2"},
      {"DER_0", "1e-5"},
      {"R_LM", "1"},
      {"A_v", "0.4"},
      {"A_fe", "0.4"},
      {"A_ne", "0.6"},
      {"c(0)", "0.62"},
      {"SNR_TX", "27"},
      {"sigma_RJ", "0.01"},
      {"A_DD", "0.05"},
      {"C_d", "[2.5e-4, 2.5e-4]"},
      {"C_p", "[1.8e-4, 1.8e-4]"},
      {"R_d", "[55, 55]"},
      {"z_p (TX)", "[12, 30]"},
      {"z_p (NEXT)", "[12, 12]"},
      {"z_p (FEXT)", "[12, 30]"},
      {"z_p (RX)", "[12, 30]"},
      {"Include PCB", "0"},
      {"eta_0", "5.2e-8"},
      {"g_DC", "\"[-12:1:0]\""},
      {"N_b", "14"},
      {"b_max(1)", "1"},
  };
  std::vector<std::pair<std::string, std::string>> options_;
};

TEST(ConfigDefaults, AbsentKeysTakeTheIeeeScriptDefaults) {
  const ComConfig cfg = ConfigText().parse();
  EXPECT_EQ(cfg.name, "inline");
  EXPECT_EQ(cfg.M, 32);
  EXPECT_EQ(cfg.R_0_ohm, 50.0);
  EXPECT_EQ(cfg.T_r_ns, 8e-3);
  EXPECT_FALSE(cfg.FORCE_TR);
  EXPECT_TRUE(cfg.tx_taps.empty());
  EXPECT_EQ(cfg.tx_package.C_b_nF, 0.0);
  EXPECT_EQ(cfg.tx_package.L_s_nH, std::vector<double>{0.0});
  EXPECT_EQ(cfg.package_line.a1, 1.734e-3);
  EXPECT_EQ(cfg.package_line.tau_ns_per_mm, 6.141e-3);
  EXPECT_EQ(cfg.tx_package.Z_c_ohm, std::vector<double>{78.2});
  ASSERT_EQ(cfg.package_cases.size(), 1u);  // z_p select defaults to case 1
  EXPECT_EQ(cfg.package_cases[0].z_p_tx_mm, std::vector<double>{12});
  EXPECT_EQ(cfg.board.Z_c_ohm, 109.8);
  EXPECT_EQ(cfg.board.z_bp_tx_mm, 151.0);
  EXPECT_EQ(cfg.board.z_bp_next_mm, 72.0);
  EXPECT_EQ(cfg.board.C_0_nF, 0.0);
  EXPECT_EQ(cfg.f_r, 4.0);
  EXPECT_EQ(cfg.f_2_GHz, 25.78125);
  EXPECT_EQ(cfg.f_z_GHz, 25.78125 / 4);
  EXPECT_EQ(cfg.f_p1_GHz, 25.78125 / 4);
  EXPECT_EQ(cfg.f_p2_GHz, 25.78125);
  EXPECT_EQ(cfg.g_DC_HP_dB, std::vector<double>{0.0});
  EXPECT_EQ(cfg.f_HP_PZ_GHz, 0.0);
  EXPECT_EQ(cfg.RC_start_GHz, 25.78125 / 2);
  EXPECT_EQ(cfg.RC_end_GHz, 25.78125 * 4.0);
  std::vector<double> b_max(14, 0.2);
  b_max[0] = 1.0;
  EXPECT_EQ(cfg.b_max, b_max);
  for (auto& b : b_max) b = -b;
  EXPECT_EQ(cfg.b_min, b_max);
  EXPECT_EQ(cfg.floating.N_bg, 0);
  EXPECT_EQ(cfg.floating.N_bf, 6);
  EXPECT_EQ(cfg.floating.N_f, 14);
  EXPECT_EQ(cfg.floating.bmaxg, 0.2);
  EXPECT_EQ(cfg.COM_pass_threshold_dB, 0.0);
  EXPECT_EQ(cfg.port_order, "1 3 2 4");
  EXPECT_EQ(cfg.impulse_truncation_threshold, 1e-3);
  EXPECT_TRUE(cfg.ignored_keys.empty());
}

TEST(ConfigDefaults, NoDfeNeedsNoDfeLimits) {
  const ComConfig cfg = ConfigText().set("N_b", "0").erase("b_max(1)").parse();
  EXPECT_TRUE(cfg.b_max.empty());
  EXPECT_TRUE(cfg.b_min.empty());
}

// ------------------------------------------------------------------------------------------
// Value forms
// ------------------------------------------------------------------------------------------

std::vector<double> g_dc_of(const std::string& value) {
  return ConfigText().set("g_DC", value).parse().g_DC_dB;
}

TEST(ConfigRanges, EnumerateWithIntegerSteps) {
  expect_values(g_dc_of("\"[-20:1:0]\""), steps(-20, 1, 21), "[-20:1:0]");
  expect_values(g_dc_of("\"[0:0.02:0.12]\""), steps(0, 0.02, 7), "[0:0.02:0.12]");
  expect_values(g_dc_of("\" [ -0.06 : 0.02 : 0 ] \""), steps(-0.06, 0.02, 4), "spaces");
  expect_values(g_dc_of("\"-0.34:0.02:0\""), steps(-0.34, 0.02, 18), "no brackets");
  expect_values(g_dc_of("\"[-3:0]\""), steps(-3, 1, 4), "[min:max] steps by 1");
  expect_values(g_dc_of("\"[0:0.4:1]\""), steps(0, 0.4, 3), "stops below max");
  expect_values(g_dc_of("\"[2:1:2]\""), {2.0}, "one value");
}

TEST(ConfigRanges, ZeroIsExactWhereTheRangeCrossesIt) {
  for (const char* range : {"\"[-0.34:0.02:0]\"", "\"[-0.18:0.02:0.1]\"", "\"[-0.3:0.1:0.3]\""}) {
    const auto values = g_dc_of(range);
    EXPECT_EQ(std::count(values.begin(), values.end(), 0.0), 1) << range;
    for (const double v : values) EXPECT_FALSE(v == 0.0 && std::signbit(v)) << range;
  }
}

TEST(ConfigRanges, ArraysAndScalarsAreValueListsToo) {
  expect_values(g_dc_of("[-2, -1, 0]"), {-2, -1, 0}, "array");
  expect_values(g_dc_of("-3"), {-3}, "scalar");
  const ComConfig cfg = ConfigText().set("c(-1)", "[-0.04, -0.02, 0]").parse();
  expect_values(tap_values(cfg, -1), {-0.04, -0.02, 0}, "c(-1) array");
}

TEST(ConfigForms, LogicalKeysTakeBooleansOrZeroOne) {
  EXPECT_TRUE(ConfigText().set("FORCE_TR", "true").parse().FORCE_TR);
  EXPECT_TRUE(ConfigText().set("FORCE_TR", "1").parse().FORCE_TR);
  EXPECT_FALSE(ConfigText().set("FORCE_TR", "0.0").parse().FORCE_TR);
  EXPECT_TRUE(ConfigText().set("Include PCB", "1").parse().board.include);
}

TEST(ConfigForms, KeysAreCaseInsensitiveAsInTheIeeeScript) {
  const ComConfig cfg = ConfigText().erase("f_b").set("F_B", "53.125").set("c(+1)", "-0.1").parse();
  EXPECT_EQ(cfg.f_b_GBd, 53.125);
  EXPECT_EQ(tap_offsets(cfg), std::vector<int>{1});
}

TEST(ConfigForms, DfeTailIsBroadcastFromAScalar) {
  const ComConfig cfg = ConfigText().set("N_b", "3").set("b_max(2..N_b)", "0.5").parse();
  EXPECT_EQ(cfg.b_max, (std::vector<double>{1.0, 0.5, 0.5}));
  EXPECT_EQ(cfg.b_min, (std::vector<double>{-1.0, -0.5, -0.5}));
}

TEST(ConfigForms, PackageLaddersSegmentsAndCaseSelection) {
  const ComConfig cfg = ConfigText()
                            .set("C_d", "[[4e-5, 9e-5, 1.1e-4], [4e-5, 9e-5, 1.2e-4]]")
                            .set("L_s", "[[0.12, 0.15, 0.14], [0.12, 0.15, 0.14]]")
                            .set("C_b", "3e-5")
                            .set("z_p (TX)", "[[12, 31, 45], [1, 1, 1]]")
                            .set("z_p (NEXT)", "[[12, 29, 45], [1, 1, 1]]")
                            .set("z_p (FEXT)", "[[12, 31, 45], [1, 1, 1]]")
                            .set("z_p (RX)", "[[12, 29, 45], [1, 1, 1]]")
                            .set("package_Z_c", "[[92, 90], [70, 70]]")
                            .set("z_p select", "[3, 1]")
                            .parse();
  EXPECT_EQ(cfg.tx_package.C_d_nF, (std::vector<double>{4e-5, 9e-5, 1.1e-4}));
  EXPECT_EQ(cfg.rx_package.C_d_nF, (std::vector<double>{4e-5, 9e-5, 1.2e-4}));
  EXPECT_EQ(cfg.rx_package.L_s_nH, (std::vector<double>{0.12, 0.15, 0.14}));
  EXPECT_EQ(cfg.rx_package.C_b_nF, 3e-5);
  EXPECT_EQ(cfg.tx_package.Z_c_ohm, (std::vector<double>{92, 70}));
  EXPECT_EQ(cfg.rx_package.Z_c_ohm, (std::vector<double>{90, 70}));
  ASSERT_EQ(cfg.package_cases.size(), 2u);  // selected cases, in the order selected
  EXPECT_EQ(cfg.package_cases[0].z_p_tx_mm, (std::vector<double>{45, 1}));
  EXPECT_EQ(cfg.package_cases[1].z_p_rx_mm, (std::vector<double>{12, 1}));
}

TEST(ConfigForms, RaisedCosineCornersAreGivenInHzAsInTheSheets) {
  const ComConfig cfg = ConfigText()
                            .set("Raised_Cosine", "1")
                            .set("RC_Start", "67000000000")
                            .set("RC_end", "79687500000")
                            .parse();
  EXPECT_TRUE(cfg.Raised_Cosine);
  EXPECT_DOUBLE_EQ(cfg.RC_start_GHz, 67.0);
  EXPECT_DOUBLE_EQ(cfg.RC_end_GHz, 79.6875);
}

TEST(ConfigForms, PortOrderAndEyesweepOptions) {
  const ComConfig cfg = ConfigText()
                            .set("Port Order", "\"[1 2 3 4]\"")
                            .option("band_extension", "\"hold_and_taper\"")
                            .option("cursor_rule", "\"max_slope_step\"")
                            .option("impulse_truncation_threshold", "1e-4")
                            .option("note", "\"a note\"")
                            .option("name", "\"a name\"")
                            .parse();
  EXPECT_EQ(cfg.port_order, "1 2 3 4");
  EXPECT_EQ(cfg.band_extension, BandExtension::hold_and_taper);
  EXPECT_EQ(cfg.cursor_rule, CursorRule::max_slope_step);
  EXPECT_EQ(cfg.impulse_truncation_threshold, 1e-4);
  EXPECT_EQ(cfg.note, "a note");
  EXPECT_EQ(cfg.name, "a name");
  EXPECT_EQ(ConfigText()
                .set("Impulse response truncation threshold", "1e-5")
                .parse()
                .impulse_truncation_threshold,
            1e-5);
}

TEST(ConfigForms, RxFfeSamplingPointAndCtleType) {
  const ComConfig plain = ConfigText().parse();
  EXPECT_FALSE(plain.rx_ffe.enabled());
  EXPECT_EQ(plain.sample_adjustment_lo, 0);
  EXPECT_EQ(plain.sample_adjustment_hi, 0);
  const ComConfig cfg = ConfigText()
                            .set("ffe_pre_tap_len", "5")
                            .set("ffe_post_tap_len", "10")
                            .set("ffe_pre_tap1_max", "0.6")
                            .set("ffe_post_tap1_max", "0.5")
                            .set("ffe_tapn_max", "0.4")
                            .set("FFE_OPT_METHOD", "\"MMSE\"")
                            .set("ffe_tap_step_size", "0")
                            .set("ts_anchor", "1")
                            .set("sample_adjustment", "\"[-16 16]\"")
                            .set("CTLE_type", "\"CL120d\"")
                            .parse();
  EXPECT_TRUE(cfg.rx_ffe.enabled());
  EXPECT_EQ(cfg.rx_ffe.num_taps(), 16);
  EXPECT_EQ(cfg.rx_ffe.pre_tap1_max, 0.6);
  EXPECT_EQ(cfg.rx_ffe.post_tap1_max, 0.5);
  EXPECT_EQ(cfg.rx_ffe.tapn_max, 0.4);
  EXPECT_EQ(cfg.rx_ffe.noise_ui, 2048);
  EXPECT_EQ(cfg.cursor_rule, CursorRule::peak);
  EXPECT_EQ(cfg.sample_adjustment_lo, -16);
  EXPECT_EQ(cfg.sample_adjustment_hi, 16);
  EXPECT_EQ(cfg.ignored_keys, (std::vector<std::string>{"ffe_tap_step_size"}));
  // The script's rule for one value: [0 v].
  const ComConfig one = ConfigText().set("sample_adjustment", "3").parse();
  EXPECT_EQ(one.sample_adjustment_lo, 0);
  EXPECT_EQ(one.sample_adjustment_hi, 3);
  EXPECT_EQ(cfg.rx_ffe.solver, RxFfeSolver::mmse);
  EXPECT_EQ(ConfigText().set("ffe_pre_tap_len", "2").option("rx_ffe_solver", "\"przf\"").parse().rx_ffe.solver,
            RxFfeSolver::przf);
  const std::string solvers = error_message([] {
    ConfigText().set("FFE_OPT_METHOD", "\"MMSE\"").option("rx_ffe_solver", "\"przf\"").parse();
  });
  EXPECT_NE(solvers.find("also given as the sheet key \"FFE_OPT_METHOD\""), std::string::npos) << solvers;
  const std::string both =
      error_message([] { ConfigText().set("ts_anchor", "2").option("cursor_rule", "\"peak\"").parse(); });
  EXPECT_NE(both.find("also given as the sheet key \"ts_anchor\""), std::string::npos) << both;
}

TEST(ConfigForms, ScriptSwitchesAtTheirDefaultsAreAcceptedAndReported) {
  const ComConfig cfg = ConfigText()
                            .set("INC_PACKAGE", "true")
                            .set("CTLE_type", "\"cl93\"")
                            .set("G_Qual", "[]")
                            .set("TDR", "1")
                            .parse();
  EXPECT_EQ(cfg.ignored_keys,
            (std::vector<std::string>{"INC_PACKAGE", "G_Qual", "TDR"}));
}

// ------------------------------------------------------------------------------------------
// Bad configurations
// ------------------------------------------------------------------------------------------

TEST(ConfigErrors, EveryRequiredKeyIsNamedWhenMissing) {
  for (const auto& key : ConfigText::required_keys()) {
    const std::string message = error_message([&] { ConfigText().erase(key).parse(); });
    EXPECT_NE(message.find("inline.toml: missing required key \"" + key + "\""), std::string::npos)
        << key << ": " << message;
  }
}

struct BadValue {
  std::string key;       ///< key edited, and expected in the message
  std::string value;     ///< its new TOML value
  std::string fragment;  ///< expected in the message too
};

void PrintTo(const BadValue& bad, std::ostream* out) {
  *out << bad.key << " = " << bad.value;
}

class ConfigBadValue : public ::testing::TestWithParam<BadValue> {};

TEST_P(ConfigBadValue, IsRefusedNamingFileLineAndKey) {
  const BadValue& bad = GetParam();
  const ConfigText text = ConfigText().set(bad.key, bad.value);
  const std::string message = error_message([&] { text.parse(); });
  const std::string location = "inline.toml:" + std::to_string(text.line_of(bad.key)) + ": ";
  EXPECT_NE(message.find(location + "key \"" + bad.key + "\""), std::string::npos) << message;
  EXPECT_NE(message.find(bad.fragment), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Values, ConfigBadValue,
    ::testing::Values(
        // wrong types
        BadValue{"f_b", "\"fast\"", "expected a number, got a string"},
        BadValue{"L", "2.5", "expected an integer"},
        BadValue{"FORCE_TR", "2", "expected true/false or 0/1"},
        BadValue{"C_d", "\"1e-4\"", "expected a number or an array of numbers"},
        BadValue{"z_p (TX)", "[12, \"30\"]", "element 2: expected a number"},
        BadValue{"f_b", "nan", "finite"},
        // out-of-range values
        BadValue{"f_b", "0", "must be > 0"}, BadValue{"Delta_f", "-0.01", "must be > 0"},
        BadValue{"L", "1", "must be >= 2"}, BadValue{"M", "1", "must be >= 2"},
        BadValue{"DER_0", "0.5", "must be in (0, 0.5)"},
        BadValue{"R_LM", "1.2", "must be in (0, 1]"}, BadValue{"A_ne", "-0.6", "must be > 0"},
        BadValue{"c(0)", "0", "must be in (0, 1]"},
        BadValue{"c(1)", "[-1.5, 0]", "must be in [-1, 1]"},
        BadValue{"c(20)", "0", "limited to c(-16) .. c(16)"},
        BadValue{"C_p", "[-1.8e-4, 1.8e-4]", "must be >= 0"},
        BadValue{"L_s", "[-0.1, 0.1]", "must be >= 0"}, BadValue{"R_d", "[0, 55]", "must be > 0"},
        BadValue{"z_p (TX)", "[-12, 30]", "must be >= 0"},
        BadValue{"z_bp (RX)", "-1", "must be >= 0"}, BadValue{"N_b", "-1", "must be >= 0"},
        BadValue{"sigma_RJ", "-0.01", "must be >= 0"},
        BadValue{"f_2", "0", "must be > 0"},
        BadValue{"Include PCB", "2", "not supported"},
        BadValue{"Impulse response truncation threshold", "1", "must be in (0, 1)"},
        // ranges
        BadValue{"g_DC", "\"[0:1:-3]\"", "empty range [0:1:-3] (min > max)"},
        BadValue{"g_DC", "\"[-12:0:0]\"", "step must be > 0"},
        BadValue{"g_DC", "\"[-12:-1:0]\"", "step must be > 0"},
        BadValue{"g_DC", "\"[-12:one:0]\"", "expected a numeric range"},
        BadValue{"g_DC", "\"[-12:1:0:1]\"", "expected a numeric range"},
        BadValue{"g_DC", "\"[0:1e-9:1]\"", "more than"}, BadValue{"g_DC", "[]", "empty array"},
        BadValue{"c(-1)", "\"[-2:1:0]\"", "must be in [-1, 1]"},
        // shapes
        BadValue{"z_p (NEXT)", "[12, 12, 12]", "must have the same shape"},
        BadValue{"z_p (RX)", "[[12, 30], [1.8, 1.8]]", "must have the same shape"},
        BadValue{"z_p (TX)", "[[12, 30], [1.8]]", "row 2 has 1 values"},
        BadValue{"z_p (TX)", "[[12, 30], 1.8]", "mixes numbers and arrays"},
        BadValue{"package_Z_c", "[[78.2, 78.2], [90, 90]]", "one [TX, RX] row per segment"},
        BadValue{"package_Z_c", "[78.2, 78.2, 78.2]", "each segment row must be [TX, RX]"},
        BadValue{"C_d", "[1e-4, 1e-4, 1e-4]", "[[TX ladder...], [RX ladder...]]"},
        BadValue{"L_s", "[[0.1, 0.1], [0.1, 0.1]]", "C_d has 1"},
        BadValue{"R_d", "[50, 50, 50]", "[TX, RX] pair"},

        BadValue{"package_tl_gamma0_a1_a2", "[0, 1e-3]", "expected [gamma_0, a_1, a_2]"},
        BadValue{"z_p select", "[1, 3]", "case 3 does not exist"},
        BadValue{"z_p select", "0", "case 0 does not exist"},
        BadValue{"z_p select", "[1, 1]", "selected twice"},
        BadValue{"b_max(2..N_b)", "[1, 1]", "needs 13 (taps 2..N_b)"},
        BadValue{"b_min(2..N_b)", "[-1, -1]", "needs 13 (taps 2..N_b)"},
        BadValue{"b_min(1)", "2", "b_min(1) = 2 is above b_max(1) = 1"},
        BadValue{"b_min(2..N_b)", "0.5", "b_min(2) = 0.5 is above b_max(2) = 0.2"},
        BadValue{"g_DC_HP", "\"[-4:1:0]\"", "needs the low-frequency pole-zero \"f_HP_PZ\""},
        BadValue{"Port Order", "[1, 2, 2, 4]", "order of the ports 1, 2, 3, 4"},
        BadValue{"Port Order", "\"[1 x 2 4]\"", "expected numbers such as \"[1 3 2 4]\""},
        // script switches eyesweep implements only at their defaults
        BadValue{"INC_PACKAGE", "0", "only the IEEE script's default (1)"},
        BadValue{"CTLE_type", "\"CL120e\"", "is not supported; use \"CL93\" or \"CL120d\""},
        BadValue{"ts_anchor", "3", "is not 0 (Mueller-Muller)"},
        BadValue{"sample_adjustment", "\"[4 -4]\"", "integer range [lo hi]"},
        BadValue{"sample_adjustment", "\"[a b]\"", "expected numbers such as"},
        BadValue{"FFE_OPT_METHOD", "\"FV-LMS\"", "eyesweep solves the Rx FFE by MMSE"},
        BadValue{"ffe_pre_tap_len", "-1", "must be >= 0"},
        BadValue{"f_HP_Z", "[1, 2]", "absent or []"},
        BadValue{"RX_CALIBRATION", "1", "only the IEEE script's default (0)"}));

TEST(ConfigErrors, UnknownKeySuggestsTheClosestName) {
  const std::string message = error_message([] { ConfigText().set("Delta_ff", "0.01").parse(); });
  EXPECT_NE(message.find("unknown key \"Delta_ff\" (did you mean \"Delta_f\"?)"), std::string::npos)
      << message;
  const std::string far = error_message([] { ConfigText().set("wibble_wobble", "1").parse(); });
  EXPECT_NE(far.find("unknown key \"wibble_wobble\""), std::string::npos) << far;
}

TEST(ConfigErrors, KeyGivenTwiceInDifferentCase) {
  const std::string message = error_message([] { ConfigText().set("F_B", "53.125").parse(); });
  EXPECT_NE(message.find("key \"f_b\": given twice"), std::string::npos) << message;
}

TEST(ConfigErrors, BoardValuesMustAgreeBetweenSidesWhenTheBoardIsUsed) {
  const ConfigText text = ConfigText().set("C_0", "[2e-5, 0]");
  EXPECT_EQ(text.parse().board.C_0_nF, 2e-5);  // Include PCB = 0: unused
  const std::string message =
      error_message([&] { ConfigText(text).set("Include PCB", "1").parse(); });
  EXPECT_NE(message.find("key \"C_0\": different TX and RX values"), std::string::npos) << message;
}

TEST(ConfigErrors, RaisedCosineCornersOutOfOrder) {
  const std::string message = error_message([] {
    ConfigText().set("Raised_Cosine", "1").set("RC_Start", "8e10").set("RC_end", "7e10").parse();
  });
  EXPECT_NE(message.find("key \"RC_end\": must be above RC_Start"), std::string::npos) << message;
}

TEST(ConfigErrors, FloatingTapSpanGivenUnderBothNames) {
  const std::string message =
      error_message([] { ConfigText().set("N_f", "40").set("N_bmax", "40").parse(); });
  EXPECT_NE(message.find("key \"N_bmax\""), std::string::npos) << message;
}

TEST(ConfigErrors, EyesweepOptions) {
  const std::string bad_choice =
      error_message([] { ConfigText().option("band_extension", "\"cubic\"").parse(); });
  EXPECT_NE(bad_choice.find("key \"eyesweep.band_extension\": \"cubic\" is not one of"),
            std::string::npos)
      << bad_choice;
  const std::string unknown =
      error_message([] { ConfigText().option("cursor", "\"peak\"").parse(); });
  EXPECT_NE(unknown.find("unknown key \"eyesweep.cursor\" (did you mean \"cursor_rule\"?)"),
            std::string::npos)
      << unknown;
  const std::string both = error_message([] {
    ConfigText()
        .set("Impulse response truncation threshold", "1e-4")
        .option("impulse_truncation_threshold", "1e-4")
        .parse();
  });
  EXPECT_NE(both.find("key \"eyesweep.impulse_truncation_threshold\""), std::string::npos) << both;
  const std::string not_table =
      error_message([] { parse_com_config(ConfigText().str() + "eyesweep = 1\n", "inline.toml"); });
  EXPECT_NE(not_table.find("key \"eyesweep\": expected a table"), std::string::npos) << not_table;
}

TEST(ConfigErrors, TomlSyntaxErrorGivesFileLineAndColumn) {
  const std::string message =
      error_message([] { parse_com_config("f_b = 25.78\nL = = 2\n", "s.toml"); });
  EXPECT_NE(message.find("s.toml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("TOML syntax error"), std::string::npos) << message;
}

TEST(ConfigErrors, UnreadableFileIsNamed) {
  const auto path = test::data_dir() / "config" / "no_such_file.toml";
  const std::string message = error_message([&] { load_com_config(path); });
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
}

/// The bad configurations kept as files in tests/data/config/.
struct BadFile {
  std::string file;
  std::vector<std::string> fragments;
};

void PrintTo(const BadFile& bad, std::ostream* out) {
  *out << bad.file;
}

class ConfigBadFile : public ::testing::TestWithParam<BadFile> {};

TEST_P(ConfigBadFile, IsRefusedNamingFileAndKey) {
  const auto path = test::data_dir() / "config" / GetParam().file;
  const std::string message = error_message([&] { load_com_config(path); });
  EXPECT_EQ(message.rfind(path.string(), 0), 0u) << message;
  for (const auto& fragment : GetParam().fragments) {
    EXPECT_NE(message.find(fragment), std::string::npos) << fragment << " in: " << message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Files, ConfigBadFile,
    ::testing::Values(
        BadFile{"syntax_error.toml", {"syntax_error.toml:5:", "TOML syntax error"}},
        BadFile{"unknown_key.toml",
                {"unknown_key.toml:3: unknown key \"Delta_ff\"", "\"Delta_f\""}},
        BadFile{"missing_required.toml", {"missing required key \"f_b\""}},
        BadFile{"empty_range.toml",
                {"empty_range.toml:24: key \"g_DC\": empty range [0:1:-3] (min > max)"}},
        BadFile{"zp_shape_mismatch.toml", {"key \"z_p (NEXT)\"", "same shape"}},
        BadFile{"wrong_type.toml", {"key \"N_b\": expected a number, got a string"}}));

}  // namespace
}  // namespace eyesweep
