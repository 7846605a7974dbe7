// Tests of host/lpo_link (the linear-drive link model) against closed forms: the end-to-end
// gain with and without the TIA's AGC, the module's output noise (white density, Butterworth
// noise bandwidth), compression as level mismatch (cubic and Mach-Zehnder), the power
// model; and of the noise path into the COM engines: noise at a THRU's output through a
// matched receiver side is exactly eta_0.
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdio>
#include <utility>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "host/com_engine.hpp"
#include "host/lpo_link.hpp"
#include "host/package.hpp"
#include "host/parametric_channel.hpp"
#include "host/two_port.hpp"
#include "io/config_toml.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

constexpr double kQ = 1.602176634e-19;

ComConfig host_config() {
  return load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" / "lpo_host_100g.toml");
}

/// A link whose only impairment is what a test switches on: lossless boards, the widest
/// bandwidths, no noise, no compression, no crosstalk.
LpoLink ideal_link(const ComConfig& host) {
  LpoLink link = lpo_link_from({}, host);
  link.tx_board_loss_dB = link.rx_board_loss_dB = 0.0;
  link.driver_bandwidth_GHz = link.modulator_bandwidth_GHz = link.tia_bandwidth_GHz = 0.0;  // flat
  link.driver_noise_nV_rtHz = link.tia_noise_pA_rtHz = 0.0;
  link.rin_oma_dB_per_Hz = -250.0;
  link.shot_noise = 0.0;
  link.driver_thd_pct = link.tia_thd_pct = 0.0;
  link.modulator_vpi_V = 0.0;
  link.optical_aggressors = link.tx_board_fext_aggressors = link.board_fext_aggressors = link.board_next_aggressors = 0.0;
  return link;
}

const LoadedChannel& thru_of(const LpoVariant& v) { return v.variant.channels->front(); }

TEST(LpoLink, DcGainIsTheAgcSwingOverTheHostSwing) {
  const ComConfig host = host_config();
  LpoLink link = ideal_link(host);
  const LpoVariant v = build_lpo_variant(link, host);
  ASSERT_EQ(v.variant.channels->size(), 1u);
  // The AGC sets the TIA output swing whatever the optics deliver.
  EXPECT_NEAR(std::abs(thru_of(v).network.sdd21.front()), link.tia_output_swing_Vppd / link.host_tx_swing_Vppd, 1e-12);
  EXPECT_EQ(thru_of(v).network.sdd12.front(), std::complex<double>(0.0));

  // With too little light the AGC runs out of gain: then the chain's own product.
  link.fiber_loss_dB = 15.0;
  link.tia_transimpedance_dBohm = 60.0;
  const LpoVariant weak = build_lpo_variant(link, host);
  const double er = std::pow(10.0, link.extinction_ratio_dB / 10.0);
  const double oma_ref = 2.0 * 1e-3 * std::pow(10.0, link.laser_power_dBm / 10.0) * (er - 1.0) / (er + 1.0);
  const double gain = link.drive_swing_Vppd / link.host_tx_swing_Vppd * oma_ref / link.drive_swing_ref_Vppd *
                      std::pow(10.0, -link.fiber_loss_dB / 10.0) * link.pd_responsivity_A_per_W * 1000.0;
  EXPECT_NEAR(std::abs(thru_of(weak).network.sdd21.front()), gain, 1e-12 * gain);
  EXPECT_NEAR(weak.module.tia_transimpedance_dBohm, 60.0, 1e-9);
  EXPECT_LT(std::abs(thru_of(weak).network.sdd21.front()), link.tia_output_swing_Vppd / link.host_tx_swing_Vppd);
}

TEST(LpoLink, BoardLossAtNyquistIsAsAsked) {
  const ComConfig host = host_config();
  LpoLink link = ideal_link(host);
  link.tx_board_loss_dB = 7.0;
  link.rx_board_loss_dB = 5.0;
  const LpoVariant lossy = build_lpo_variant(link, host);
  const LpoVariant clean = build_lpo_variant(ideal_link(host), host);
  const auto& f = thru_of(lossy).network.freq_hz;
  // The grid point nearest the Nyquist frequency (26.5625 GHz on a 10 MHz grid: 7.5 MHz off,
  // where the loss differs by about 0.003 dB).
  std::size_t nyquist = 0;
  while (f[nyquist] < host.f_b_GBd / 2.0 * 1e9) ++nyquist;
  ASSERT_NEAR(f[nyquist], host.f_b_GBd / 2.0 * 1e9, 1e7);
  const double loss = 20.0 * std::log10(std::abs(thru_of(clean).network.sdd21[nyquist]) /
                                        std::abs(thru_of(lossy).network.sdd21[nyquist]));
  EXPECT_NEAR(loss, 12.0, 0.01);  // matched 100 ohm lines: S21 is the line's propagation alone
}

TEST(LpoLink, DispersionFadesThePowerAsItsClosedForm) {
  const ComConfig host = host_config();
  const LpoVariant clean = build_lpo_variant(ideal_link(host), host);
  LpoLink link = ideal_link(host);
  link.fiber_length_km = 10.0;
  link.fiber_dispersion_ps_per_nm_km = 17.0;  // C band on 10 km: the first fading null is in band
  link.wavelength_nm = 1550.0;
  const LpoVariant chirp_free = build_lpo_variant(link, host);
  link.modulator_chirp = -1.0;
  const LpoVariant chirped = build_lpo_variant(link, host);
  const auto& f = thru_of(clean).network.freq_hz;
  const double c = 299792458.0, lambda = 1550e-9, D = 17e-6, L = 10e3;
  for (std::size_t i = 0; i < f.size(); i += 997) {
    const double theta = std::numbers::pi * lambda * lambda * D * L * f[i] * f[i] / c;
    const std::complex<double> reference = thru_of(clean).network.sdd21[i];
    EXPECT_NEAR(std::abs(thru_of(chirp_free).network.sdd21[i] - reference * std::cos(theta)), 0.0, 1e-12) << f[i];
    EXPECT_NEAR(std::abs(thru_of(chirped).network.sdd21[i] - reference * (std::cos(theta) + std::sin(theta))), 0.0,
                1e-12)
        << f[i];
  }
  // Null of the chirp-free response: theta = pi / 2 at f = sqrt(c / (2 lambda^2 D L)), 14.1 GHz.
  const double null_Hz = std::sqrt(c / (2.0 * lambda * lambda * D * L));
  std::size_t k = 0;
  while (f[k] < null_Hz) ++k;
  EXPECT_LT(std::abs(thru_of(chirp_free).network.sdd21[k]), 2e-3 * std::abs(thru_of(clean).network.sdd21[k]));
  // O band over 500 m (the LPO DR case): under 0.01 dB at the 100G Nyquist frequency.
  link = ideal_link(host);
  link.fiber_length_km = 0.5;
  link.fiber_dispersion_ps_per_nm_km = -2.3;
  const LpoVariant dr = build_lpo_variant(link, host);
  std::size_t nyquist = 0;
  while (f[nyquist] < 26.5625e9) ++nyquist;
  EXPECT_LT(-20.0 * std::log10(std::abs(thru_of(dr).network.sdd21[nyquist] / thru_of(clean).network.sdd21[nyquist])), 0.01);
}

TEST(LpoLink, TiaNoiseIsItsDensityTimesTheNoiseBandwidth) {
  const ComConfig host = host_config();
  LpoLink link = ideal_link(host);
  link.tia_noise_pA_rtHz = 20.0;
  link.tia_bandwidth_GHz = 30.0;
  link.shot_noise = 1.0;
  link.rin_oma_dB_per_Hz = -180.0;
  const LpoVariant v = build_lpo_variant(link, host);
  const double z_t = std::pow(10.0, v.module.tia_transimpedance_dBohm / 20.0);
  // The photocurrent's shot and RIN noise at the highest level ride along (RIN at -180 dB/Hz
  // is negligible, shot noise is not switched off).
  const double er = std::pow(10.0, link.extinction_ratio_dB / 10.0);
  const double p_avg = 1e-3 * std::pow(10.0, link.laser_power_dBm / 10.0) * std::pow(10.0, -link.fiber_loss_dB / 10.0);
  const double oma = 2.0 * p_avg * (er - 1.0) / (er + 1.0) * link.drive_swing_Vppd / link.drive_swing_ref_Vppd;
  const double i_max = link.pd_responsivity_A_per_W * (p_avg + oma / 2.0);
  const double i_oma = link.pd_responsivity_A_per_W * oma;
  const double density = (400e-24 + 2.0 * kQ * i_max + 1e-18 * i_oma * i_oma) * z_t * z_t * 1e9;  // V^2/GHz
  EXPECT_NEAR(thru_of(v).output_noise_V2_per_GHz.front(), density, 1e-9 * density);

  // Integral of a 2-pole Butterworth |H|^2 = 1 / (1 + (f/f0)^4) over the channel grid,
  // by Simpson's rule on a finer grid: the model sums the right-endpoint rule.
  const double f_max = thru_of(v).network.freq_hz.back() * 1e-9;
  const int n = 20000;
  double integral = 0.0;
  for (int k = 0; k <= n; ++k) {
    const double x = f_max * k / n / link.tia_bandwidth_GHz;
    const double w = (k == 0 || k == n) ? 1.0 : (k % 2 ? 4.0 : 2.0);
    integral += w / (1.0 + x * x * x * x);
  }
  integral *= f_max / n / 3.0;
  const double expected_mV = 1e3 * std::sqrt(density * integral);
  EXPECT_NEAR(v.module.module_noise_mV, expected_mV, 2e-3 * expected_mV);
}

TEST(LpoLink, CubicCompressionGivesTheClosedFormLevelMismatch) {
  const ComConfig host = host_config();
  LpoLink link = ideal_link(host);
  EXPECT_DOUBLE_EQ(build_lpo_variant(link, host).module.rlm_module, 1.0);
  link.driver_thd_pct = 3.0;
  link.drive_swing_Vppd = link.drive_swing_ref_Vppd;
  const LpoVariant v = build_lpo_variant(link, host);
  // y = x - a x^3 with a = 4 THD / (1 + 3 THD): levels -1+a, -1/3+a/27, ...; the outer
  // sub-eyes (2/3 - 26a/27) are the smallest, the mean sub-eye is (2 - 2a)/3.
  const double a = 4.0 * 0.03 / (1.0 + 3.0 * 0.03);
  EXPECT_NEAR(v.module.rlm_module, (2.0 / 3.0 - 26.0 * a / 27.0) / ((2.0 - 2.0 * a) / 3.0), 1e-12);
  EXPECT_NEAR(v.module.compression_scale, 1.0 - a, 1e-12);
  EXPECT_NEAR(*v.variant.scalars.R_LM, link.host_tx_rlm * v.module.rlm_module, 1e-12);
  EXPECT_NEAR(*v.variant.scalars.A_v, link.host_tx_swing_Vppd / 2.0 * (1.0 - a), 1e-12);

  // The distortion grows with the square of the swing.
  link.drive_swing_Vppd = 2.0 * link.drive_swing_ref_Vppd;
  const double a4 = 4.0 * a;
  EXPECT_NEAR(build_lpo_variant(link, host).module.rlm_module,
              (2.0 / 3.0 - 26.0 * a4 / 27.0) / ((2.0 - 2.0 * a4) / 3.0), 1e-12);
}

TEST(LpoLink, MachZehnderSineCompressesTheOuterEyes) {
  const ComConfig host = host_config();
  LpoLink link = ideal_link(host);
  link.modulator_vpi_V = 4.0;
  link.drive_swing_Vppd = 2.0;
  const double phi = std::numbers::pi / 2.0 * 2.0 / 4.0;
  const double l1 = std::sin(phi) / phi, l13 = std::sin(phi / 3.0) / phi;
  const LpoVariant v = build_lpo_variant(link, host);
  EXPECT_NEAR(v.module.rlm_module, (l1 - l13) / (2.0 * l1 / 3.0), 1e-12);
  EXPECT_NEAR(v.module.compression_scale, l1, 1e-12);
}

TEST(LpoLink, PowerModelAndAggressorCounts) {
  const ComConfig host = host_config();
  LpoLink link = lpo_link_from({}, host);
  link.drive_swing_Vppd = 1.5 * link.drive_swing_ref_Vppd;
  link.tia_ctle_dB = 4.0;
  link.laser_power_dBm = 6.0;
  const LpoVariant v = build_lpo_variant(link, host);
  const double expected = link.module_static_W +
                          link.module_lanes * (link.driver_W_per_lane * 1.5 + link.tia_W_per_lane * 1.2 +
                                               link.laser_W_per_lane * std::pow(10.0, 0.3));
  EXPECT_NEAR(v.module.module_power_W, expected, 1e-12);
  const std::size_t aggressors = static_cast<std::size_t>(link.optical_aggressors + link.tx_board_fext_aggressors +
                                                          link.board_fext_aggressors + link.board_next_aggressors);
  ASSERT_EQ(v.variant.channels->size(), 1 + aggressors);
  for (std::size_t k = 1; k < v.variant.channels->size(); ++k) {
    EXPECT_NE((*v.variant.channels)[k].input.kind, ChannelKind::thru);
  }
  // No coupling, no aggressors.
  link.tx_board_fext_coupling = 0.0;
  link.board_fext_coupling = 0.0;
  link.board_next_coupling = 0.0;
  EXPECT_EQ(build_lpo_variant(link, host).variant.channels->size(), 1 + static_cast<std::size_t>(link.optical_aggressors));
}

TEST(LpoLink, ParametersAreCheckedByName) {
  const ComConfig host = host_config();
  EXPECT_THROW(lpo_link_from({{"tia_bandwith_GHz", 30.0}}, host), InputError);
  try {
    lpo_link_from({{"fiber_loss_dB", -1.0}}, host);
    FAIL() << "a negative fiber loss must be refused";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("fiber_loss_dB"), std::string::npos) << e.what();
  }
  EXPECT_THROW(lpo_link_from({{"optical_aggressors", 1.5}}, host), InputError);
  // Host defaults come from the host sheet.
  const LpoLink link = lpo_link_from({}, host);
  EXPECT_DOUBLE_EQ(link.host_tx_swing_Vppd, 2.0 * host.A_v);
  EXPECT_DOUBLE_EQ(link.host_eta0_V2_per_GHz, host.eta_0_V2_per_GHz);
  EXPECT_DOUBLE_EQ(link.host_tx_package_mm, host.package_cases.front().z_p_tx_mm.front());
  ComConfig with_board = host;
  with_board.board.include = true;
  EXPECT_THROW(build_lpo_variant(link, with_board), InputError);
}

/// A receiver side that passes a wave unchanged: no package, die termination R0.
ComConfig matched_receiver(ComConfig cfg) {
  for (PackageSide* side : {&cfg.tx_package, &cfg.rx_package}) {
    for (double& c : side->C_d_nF) c = 0.0;
    for (double& l : side->L_s_nH) l = 0.0;
    side->C_b_nF = side->C_p_nF = 0.0;
    side->R_d_ohm = cfg.R_0_ohm;
  }
  for (double& z : cfg.package_cases.front().z_p_rx_mm) z = 0.0;
  return cfg;
}

ComConfig thinned_host() {
  return load_com_config(std::filesystem::path(EYESWEEP_TEST_DATA_DIR) / "sweep" / "lpo_host_small.toml");
}

ComCaseResult com_of(const ComConfig& host, const LpoLink& link) {
  const LpoVariant v = build_lpo_variant(link, host);
  return run_com(variant_config(host, v.variant), *v.variant.channels).cases.front();
}

/// COM of the LPO link and of its two boards cascaded as one passive channel.
std::pair<ComResult, ComResult> ideal_and_electrical(const ComConfig& host) {
  LpoLink link = ideal_link(host);
  link.tx_board_loss_dB = 6.0;
  link.rx_board_loss_dB = 9.0;
  link.tia_output_swing_Vppd = link.host_tx_swing_Vppd;  // unity gain end to end
  const LpoVariant v = build_lpo_variant(link, host);
  EXPECT_NEAR(std::abs(thru_of(v).network.sdd21.front()), 1.0, 1e-12);
  const ComConfig cfg = variant_config(host, v.variant);
  std::vector<double> f;
  for (double hz : thru_of(v).network.freq_hz) f.push_back(hz * 1e-9);
  const LineModel line = host.board.line;  // the model's board line: the host sheet's
  EXPECT_GT(line.a1, 0.0);
  const auto board = [&](double loss_dB) {
    const double dB_per_mm = 20.0 * std::log10(std::exp(1.0)) * line_gamma(host.f_b_GBd / 2.0, line).real();
    return transmission_line(f, line, link.board_impedance_ohm, loss_dB / dB_per_mm, host.R_0_ohm);
  };
  const std::vector<LoadedChannel> electrical{
      computed_channel("boards", ChannelKind::thru, f, cascade(board(6.0), board(9.0)))};
  return {run_com(cfg, *v.variant.channels), run_com(cfg, electrical)};
}

TEST(LpoLink, IdealOpticsGiveTheElectricalComOfTheCascadedBoards) {
  // Without package reflections the two are the same channel.
  const auto [lpo, plain] = ideal_and_electrical(matched_receiver(thinned_host()));
  EXPECT_NEAR(lpo.com_dB, plain.com_dB, 1e-9);
  EXPECT_NEAR(lpo.cases.front().fom_dB, plain.cases.front().fom_dB, 1e-9);
  // With the sheet's packages only the echo that crosses the whole channel twice differs:
  // the module's one-way S12 = 0 stops it, the passive cascade's S12 = S21 carries it.
  const auto [lpo_pkg, plain_pkg] = ideal_and_electrical(thinned_host());
  EXPECT_NEAR(lpo_pkg.com_dB, plain_pkg.com_dB, 0.03);
  EXPECT_NEAR(lpo_pkg.cases.front().fom_dB, plain_pkg.cases.front().fom_dB, 0.03);
  std::printf("ideal optics: COM %.4f dB (LPO) vs %.4f dB (cascaded boards); with packages %.4f vs %.4f dB\n",
              lpo.com_dB, plain.com_dB, lpo_pkg.com_dB, plain_pkg.com_dB);
}

TEST(LpoLink, ImpairmentsMoveTheMarginAsPhysicsSays) {
  const ComConfig host = thinned_host();
  LpoLink base = lpo_link_from({}, host);
  base.tx_board_loss_dB = base.rx_board_loss_dB = 4.0;
  base.tx_board_fext_aggressors = base.board_fext_aggressors = base.board_next_aggressors = base.optical_aggressors = 0.0;

  LpoLink quiet = base, noisy = base;
  quiet.rin_oma_dB_per_Hz = -155.0;
  noisy.rin_oma_dB_per_Hz = -138.0;
  const ComCaseResult q = com_of(host, quiet), n = com_of(host, noisy);
  EXPECT_GT(n.noise.sigma_n, q.noise.sigma_n);
  EXPECT_LT(n.com_dB, q.com_dB) << "more RIN, less margin";

  LpoLink slow = base, fast = base;
  slow.tia_bandwidth_GHz = 18.0;
  fast.tia_bandwidth_GHz = 45.0;
  slow.tia_noise_pA_rtHz = fast.tia_noise_pA_rtHz = 0.0;
  slow.rin_oma_dB_per_Hz = fast.rin_oma_dB_per_Hz = -250.0;
  EXPECT_LT(com_of(host, fast).fom.sigma_isi, com_of(host, slow).fom.sigma_isi) << "more TIA bandwidth, less ISI";

  LpoLink gentle = base, hard = base;
  gentle.drive_swing_Vppd = 1.0;
  hard.drive_swing_Vppd = 3.0;
  gentle.modulator_vpi_V = hard.modulator_vpi_V = 4.5;
  const LpoVariant g = build_lpo_variant(gentle, host), h = build_lpo_variant(hard, host);
  EXPECT_LT(h.module.rlm_module, g.module.rlm_module) << "more swing, more compression";
  EXPECT_LT(*h.variant.scalars.R_LM, *g.variant.scalars.R_LM);
  EXPECT_GT(h.module.oma_rx_dBm, g.module.oma_rx_dBm) << "and more light";

  LpoLink isolated = base, coupled = base;
  isolated.tx_board_fext_aggressors = coupled.tx_board_fext_aggressors = 3.0;
  isolated.tx_board_fext_coupling = 0.0;
  coupled.tx_board_fext_coupling = 0.05;
  const ComCaseResult i = com_of(host, isolated), c = com_of(host, coupled);
  EXPECT_EQ(i.noise.sigma_xt, 0.0);
  EXPECT_GT(c.noise.sigma_xt, 0.0);
  EXPECT_LT(c.com_dB, i.com_dB) << "more Tx-side board crosstalk, less margin";
}

TEST(LpoLink, RxSideTransferOfAMatchedReceiverIsOne) {
  const ComConfig cfg = matched_receiver(host_config());
  const std::vector<double> f{0.0, 10.0, 26.5625, 50.0};
  const std::vector<std::complex<double>> s22{0.3, {0.1, -0.2}, -0.4, {0.0, 0.5}};
  for (const std::complex<double>& h : rx_side_transfer(s22, f, cfg, 0)) EXPECT_NEAR(std::abs(h - 1.0), 0.0, 1e-12);
  // A real package attenuates the wave at high frequency.
  const ComConfig real = host_config();
  const auto h = rx_side_transfer(s22, f, real, 0);
  EXPECT_LT(std::abs(h.back()), 1.0);
}

TEST(LpoLink, WhiteOutputNoiseThroughAMatchedReceiverIsEta0) {
  ComConfig cfg = matched_receiver(host_config());
  for (TxTapRange& tap : cfg.tx_taps) {
    if (tap.values.size() > 3) tap.values = {tap.values.front(), tap.values[tap.values.size() / 2], tap.values.back()};
  }
  cfg.g_DC_dB = {-10.0, -6.0};
  cfg.g_DC_HP_dB = {0.0};
  ParametricChannel p;
  p.length_mm = 150.0;
  p.num_fext = p.num_next = 1;
  const double density = 5e-9;

  ComConfig with_eta0 = cfg;
  with_eta0.eta_0_V2_per_GHz = density;
  const ComResult by_eta0 = run_com(with_eta0, parametric_channel_set(p));

  ComConfig without = cfg;
  without.eta_0_V2_per_GHz = 0.0;
  std::vector<LoadedChannel> channels = parametric_channel_set(p);
  channels.front().output_noise_V2_per_GHz.assign(channels.front().network.freq_hz.size(), density);
  const ComResult by_output = run_com(without, channels);

  ASSERT_EQ(by_eta0.cases.size(), by_output.cases.size());
  EXPECT_GT(by_eta0.cases.front().noise.sigma_n, 0.0);
  EXPECT_NEAR(by_output.cases.front().noise.sigma_n, by_eta0.cases.front().noise.sigma_n,
              1e-12 * by_eta0.cases.front().noise.sigma_n);
  EXPECT_NEAR(by_output.com_dB, by_eta0.com_dB, 1e-9);
}

}  // namespace
}  // namespace eyesweep
