// The linear-drive link model; see lpo_link.hpp and docs/lpo-model.md.
#include "host/lpo_link.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <memory>
#include <numbers>
#include <string>
#include <tuple>

#include "host/parametric_channel.hpp"
#include "host/two_port.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

using cd = std::complex<double>;
constexpr double kElectronCharge_C = 1.602176634e-19;
/// The channel grid: uniform from DC, fine enough for 50 ns of impulse response.
constexpr double kStep_GHz = 0.01;
/// Extra delay of each optical aggressor (ns), as the parametric sets skew theirs.
constexpr double kAggressorSkew_ns = 0.005;

/// One entry of the parameter table: the field it sets and what a sweep may do with it.
struct Field {
  const char* name;
  const char* units;
  double LpoLink::*member;
  double min, max;
  bool integral, searchable;
  const char* description;
};

// clang-format off
constexpr std::array kFields{
  Field{"host_tx_swing_Vppd", "Vppd", &LpoLink::host_tx_swing_Vppd, 0.05, 3.0, false, false, "host transmitter swing (2 A_v)"},
  Field{"host_tx_snr_dB", "dB", &LpoLink::host_tx_snr_dB, 10.0, 1000.0, false, false, "host transmitter SNDR (SNR_TX)"},
  Field{"host_tx_rlm", "1", &LpoLink::host_tx_rlm, 0.5, 1.0, false, false, "host transmitter level mismatch R_LM"},
  Field{"host_tx_rj_UI", "UI", &LpoLink::host_tx_rj_UI, 0.0, 0.2, false, false, "host transmitter random jitter sigma_RJ"},
  Field{"host_tx_dj_UI", "UI", &LpoLink::host_tx_dj_UI, 0.0, 0.3, false, false, "host transmitter dual-Dirac jitter A_DD"},
  Field{"host_tx_package_mm", "mm", &LpoLink::host_tx_package_mm, 0.0, 100.0, false, false, "host Tx package line length (first z_p segment)"},
  Field{"host_rx_package_mm", "mm", &LpoLink::host_rx_package_mm, 0.0, 100.0, false, false, "host Rx package line length (first z_p segment)"},
  Field{"host_eta0_V2_per_GHz", "V^2/GHz", &LpoLink::host_eta0_V2_per_GHz, 0.0, 1e-6, false, false, "host receiver input noise density eta_0"},
  Field{"tx_board_loss_dB", "dB", &LpoLink::tx_board_loss_dB, 0.0, 40.0, false, false, "host board + connector + module board loss at Nyquist, Tx side"},
  Field{"rx_board_loss_dB", "dB", &LpoLink::rx_board_loss_dB, 0.0, 40.0, false, false, "module board + connector + host board loss at Nyquist, Rx side"},
  Field{"board_impedance_ohm", "ohm", &LpoLink::board_impedance_ohm, 70.0, 130.0, false, false, "differential impedance of both boards"},
  Field{"drive_swing_Vppd", "Vppd", &LpoLink::drive_swing_Vppd, 0.1, 10.0, false, true, "module driver output swing"},
  Field{"drive_swing_ref_Vppd", "Vppd", &LpoLink::drive_swing_ref_Vppd, 0.1, 10.0, false, false, "swing at which extinction ratio and driver THD are given"},
  Field{"driver_bandwidth_GHz", "GHz", &LpoLink::driver_bandwidth_GHz, 0.0, 500.0, false, false, "driver -3 dB bandwidth (2-pole Butterworth); 0 = flat"},
  Field{"driver_ctle_dB", "dB", &LpoLink::driver_ctle_dB, 0.0, 15.0, false, true, "driver CTLE peaking"},
  Field{"driver_ctle_pole_GHz", "GHz", &LpoLink::driver_ctle_pole_GHz, 1.0, 200.0, false, false, "driver CTLE zero/pole frequency"},
  Field{"driver_noise_nV_rtHz", "nV/sqrt(Hz)", &LpoLink::driver_noise_nV_rtHz, 0.0, 500.0, false, false, "driver input-referred noise density"},
  Field{"driver_thd_pct", "%", &LpoLink::driver_thd_pct, 0.0, 25.0, false, false, "driver THD at drive_swing_ref_Vppd (cubic compression)"},
  Field{"modulator_bandwidth_GHz", "GHz", &LpoLink::modulator_bandwidth_GHz, 0.0, 500.0, false, false, "modulator/laser -3 dB bandwidth; 0 = flat"},
  Field{"modulator_poles", "1", &LpoLink::modulator_poles, 1.0, 2.0, true, false, "modulator response: 1 pole or 2-pole Butterworth"},
  Field{"modulator_vpi_V", "V", &LpoLink::modulator_vpi_V, 0.0, 50.0, false, false, "Mach-Zehnder V_pi (sine transfer); 0 = linear"},
  Field{"laser_power_dBm", "dBm", &LpoLink::laser_power_dBm, -15.0, 20.0, false, false, "average launched optical power"},
  Field{"extinction_ratio_dB", "dB", &LpoLink::extinction_ratio_dB, 0.5, 20.0, false, false, "extinction ratio at drive_swing_ref_Vppd"},
  Field{"rin_oma_dB_per_Hz", "dB/Hz", &LpoLink::rin_oma_dB_per_Hz, -250.0, -110.0, false, false, "laser RIN relative to OMA (RIN_xOMA), reflection (MPI) noise included"},
  Field{"fiber_loss_dB", "dB", &LpoLink::fiber_loss_dB, 0.0, 20.0, false, false, "fiber and connector optical loss"},
  Field{"fiber_length_km", "km", &LpoLink::fiber_length_km, 0.0, 40.0, false, false, "fiber length (for its dispersion; its loss is fiber_loss_dB)"},
  Field{"fiber_dispersion_ps_per_nm_km", "ps/(nm km)", &LpoLink::fiber_dispersion_ps_per_nm_km, -30.0, 30.0, false, false, "chromatic dispersion D at the wavelength"},
  Field{"wavelength_nm", "nm", &LpoLink::wavelength_nm, 800.0, 1700.0, false, false, "optical wavelength"},
  Field{"modulator_chirp", "1", &LpoLink::modulator_chirp, -5.0, 5.0, false, false, "modulator chirp factor alpha (0 = chirp-free)"},
  Field{"shot_noise", "1", &LpoLink::shot_noise, 0.0, 1.0, true, false, "photocurrent shot noise: 1 = on, 0 = off (ideal-optics checks)"},
  Field{"pd_responsivity_A_per_W", "A/W", &LpoLink::pd_responsivity_A_per_W, 0.1, 1.5, false, false, "photodiode responsivity"},
  Field{"tia_transimpedance_dBohm", "dBohm", &LpoLink::tia_transimpedance_dBohm, 40.0, 90.0, false, false, "TIA maximum transimpedance"},
  Field{"tia_output_swing_Vppd", "Vppd", &LpoLink::tia_output_swing_Vppd, 0.05, 2.0, false, false, "TIA AGC output swing target"},
  Field{"tia_bandwidth_GHz", "GHz", &LpoLink::tia_bandwidth_GHz, 0.0, 500.0, false, false, "TIA -3 dB bandwidth (2-pole Butterworth); 0 = flat"},
  Field{"tia_noise_pA_rtHz", "pA/sqrt(Hz)", &LpoLink::tia_noise_pA_rtHz, 0.0, 200.0, false, false, "TIA input-referred noise current density"},
  Field{"tia_ctle_dB", "dB", &LpoLink::tia_ctle_dB, 0.0, 15.0, false, true, "TIA CTLE peaking"},
  Field{"tia_ctle_pole_GHz", "GHz", &LpoLink::tia_ctle_pole_GHz, 1.0, 200.0, false, false, "TIA CTLE zero/pole frequency"},
  Field{"tia_thd_pct", "%", &LpoLink::tia_thd_pct, 0.0, 25.0, false, false, "TIA THD at its output swing (cubic compression)"},
  Field{"optical_xtalk_dB", "dB", &LpoLink::optical_xtalk_dB, -80.0, -5.0, false, false, "optical power coupled from each adjacent lane"},
  Field{"optical_aggressors", "1", &LpoLink::optical_aggressors, 0.0, 7.0, true, false, "number of optical aggressor lanes"},
  Field{"tx_board_fext_coupling", "1", &LpoLink::tx_board_fext_coupling, 0.0, 0.5, false, false, "Tx-side board FEXT at Nyquist relative to the board's THRU"},
  Field{"tx_board_fext_aggressors", "1", &LpoLink::tx_board_fext_aggressors, 0.0, 8.0, true, false, "number of host transmitters coupling FEXT into the module's input"},
  Field{"board_fext_coupling", "1", &LpoLink::board_fext_coupling, 0.0, 0.5, false, false, "Rx-side board FEXT at Nyquist relative to the board's THRU"},
  Field{"board_fext_aggressors", "1", &LpoLink::board_fext_aggressors, 0.0, 8.0, true, false, "number of Rx-side board FEXT aggressors"},
  Field{"host_fext_amplitude_V", "V", &LpoLink::host_fext_amplitude_V, 0.0, 2.0, false, false, "FEXT aggressor amplitude (A_fe)"},
  Field{"board_next_coupling", "1", &LpoLink::board_next_coupling, 0.0, 0.5, false, false, "Rx-side board NEXT (saturated value) from host Tx lanes"},
  Field{"board_next_aggressors", "1", &LpoLink::board_next_aggressors, 0.0, 8.0, true, false, "number of host NEXT aggressors"},
  Field{"host_next_amplitude_V", "V", &LpoLink::host_next_amplitude_V, 0.0, 2.0, false, false, "NEXT aggressor amplitude (A_ne)"},
  Field{"module_lanes", "1", &LpoLink::module_lanes, 1.0, 16.0, true, false, "lanes per module (power model)"},
  Field{"module_static_W", "W", &LpoLink::module_static_W, 0.0, 20.0, false, false, "module static power"},
  Field{"driver_W_per_lane", "W", &LpoLink::driver_W_per_lane, 0.0, 5.0, false, false, "driver power per lane at the reference swing"},
  Field{"tia_W_per_lane", "W", &LpoLink::tia_W_per_lane, 0.0, 5.0, false, false, "TIA power per lane"},
  Field{"laser_W_per_lane", "W", &LpoLink::laser_W_per_lane, 0.0, 5.0, false, false, "laser power per lane at 3 dBm"},
};
// clang-format on

double from_dB(double dB) { return std::pow(10.0, dB / 20.0); }       // amplitude ratio
double from_dB_power(double dB) { return std::pow(10.0, dB / 10.0); } // power ratio

/// A bandwidth of 0 is an ideal, flat block.
cd butterworth2(double f_GHz, double f_3dB_GHz) {
  if (f_3dB_GHz == 0.0) return 1.0;
  const double x = f_GHz / f_3dB_GHz;
  return 1.0 / cd{1.0 - x * x, std::numbers::sqrt2 * x};
}
/// Small-signal intensity response of a dispersive fiber to a modulator with chirp alpha:
/// cos(theta) - alpha sin(theta), theta = pi lambda^2 D L f^2 / c (the power fading of IM/DD
/// links; a constant group delay is left out).
double dispersion_response(double f_GHz, const LpoLink& link) {
  constexpr double kSpeedOfLight_m_per_s = 299792458.0;
  const double lambda_m = link.wavelength_nm * 1e-9;
  const double D_s_per_m2 = link.fiber_dispersion_ps_per_nm_km * 1e-6;  // ps/(nm km) = 1e-6 s/m^2
  const double f_Hz = f_GHz * 1e9;
  const double theta = std::numbers::pi * lambda_m * lambda_m * D_s_per_m2 * link.fiber_length_km * 1e3 * f_Hz *
                       f_Hz / kSpeedOfLight_m_per_s;
  return std::cos(theta) - link.modulator_chirp * std::sin(theta);
}

cd single_pole(double f_GHz, double f_3dB_GHz) {
  return f_3dB_GHz == 0.0 ? cd{1.0} : 1.0 / cd{1.0, f_GHz / f_3dB_GHz};
}

/// Zero and pole at f_pz with the DC gain lowered by `peaking_dB`: flat at high frequency.
cd module_ctle(double f_GHz, double peaking_dB, double f_pz_GHz) {
  const double x = f_GHz / f_pz_GHz;
  return cd{1.0 / from_dB(peaking_dB), x} / cd{1.0, x};
}

/// Cubic coefficient a of y = x - a x^3 whose full-scale sine gives this THD (third
/// harmonic a/4 over fundamental 1 - 3a/4).
double cubic_from_thd(double thd_pct) {
  const double thd = thd_pct / 100.0;
  return 4.0 * thd / (1.0 + 3.0 * thd);
}

/// The PAM4 levels through the module's static nonlinearities, each normalised to a unit
/// small-signal slope: driver cubic (growing with the square of the swing), the
/// Mach-Zehnder sine, the TIA cubic at its AGC swing.
struct Compression {
  double scale = 1.0;   ///< (L_3 - L_0) / 2: the outer levels against a linear chain
  double rlm = 1.0;     ///< smallest sub-eye over the mean sub-eye
};

Compression compression_of(const LpoLink& link) {
  const double swing_ratio = link.drive_swing_Vppd / link.drive_swing_ref_Vppd;
  const double a_driver = cubic_from_thd(link.driver_thd_pct) * swing_ratio * swing_ratio;
  const double phi = link.modulator_vpi_V > 0.0
                         ? 0.5 * std::numbers::pi * link.drive_swing_Vppd / link.modulator_vpi_V
                         : 0.0;
  const auto driver = [&](double x) { return x - a_driver * x * x * x; };
  const auto modulator = [&](double x) { return phi > 0.0 ? std::sin(phi * x) / phi : x; };
  const double full_scale = modulator(driver(1.0));
  const double a_tia = cubic_from_thd(link.tia_thd_pct) / (full_scale * full_scale);
  const auto tia = [&](double x) { return x - a_tia * x * x * x; };

  std::array<double, 4> level{};
  const std::array<double, 4> symbol{-1.0, -1.0 / 3.0, 1.0 / 3.0, 1.0};
  for (std::size_t k = 0; k < 4; ++k) level[k] = tia(modulator(driver(symbol[k])));
  const double swing = level[3] - level[0];
  const double smallest = std::min({level[1] - level[0], level[2] - level[1], level[3] - level[2]});
  // A transfer folded over (a sub-eye at or below zero) closes the eye: R_LM near zero makes
  // COM very negative instead of undefined.
  return {swing / 2.0, std::max(smallest / (swing / 3.0), 1e-3)};
}

/// A channel of the one-way module: nothing returns from the receiver to the transmitter.
LoadedChannel one_way_channel(const std::string& name, ChannelKind kind, const std::vector<double>& f_GHz,
                              const std::vector<cd>& s11, std::vector<cd> s21, const std::vector<cd>& s22) {
  const std::size_t n = f_GHz.size();
  return computed_channel(name, kind, f_GHz, TwoPort{s11, std::vector<cd>(n, 0.0), std::move(s21), s22});
}

/// The boards' line: the host sheet's board line when it has one, else the Annex 93A
/// reference trace of the parametric channels.
LineModel board_line(const ComConfig& host) {
  const LineModel& line = host.board.line;
  return (line.a1 > 0.0 || line.a2 > 0.0) ? line : ParametricChannel{}.line;
}

/// Length (mm) of `line` with this insertion loss at f_GHz.
double length_for_loss(const LineModel& line, double loss_dB, double f_GHz) {
  const double dB_per_mm = 20.0 * std::log10(std::exp(1.0)) * line_gamma(f_GHz, line).real();
  return loss_dB / dB_per_mm;
}

/// Insertion loss (dB) of S21 at f_GHz on the uniform grid f (|S21| interpolated linearly).
double loss_at(const std::vector<cd>& s21, const std::vector<double>& f, double f_GHz) {
  const double x = f_GHz / (f[1] - f[0]);
  const auto k = std::min(static_cast<std::size_t>(x), f.size() - 2);
  const double t = x - static_cast<double>(k);
  return -20.0 * std::log10((1.0 - t) * std::abs(s21[k]) + t * std::abs(s21[k + 1]));
}

/// One side's board: its S-parameters on the link's grid, and the length of the host's line
/// with the same loss at Nyquist (where the parametric crosstalk laws run).
struct Board {
  TwoPort s;
  double line_mm = 0.0;
};

Board board_of(const MeasuredBoard* measured, double loss_dB, double impedance_ohm, const LineModel& line,
               const std::vector<double>& f, double f_nyquist, double R0) {
  if (measured != nullptr) {
    ES_EXPECTS(measured->thru.size() == f.size(), "a measured board resampled onto the link's grid");
    return {measured->thru, length_for_loss(line, std::max(0.0, loss_at(measured->thru.s21, f, f_nyquist)), f_nyquist)};
  }
  const double mm = length_for_loss(line, loss_dB, f_nyquist);
  return {transmission_line(f, line, impedance_ohm, mm, R0), mm};
}

/// The parametric FEXT and NEXT aggressors of a board (host/parametric_channel.hpp's laws on
/// `line_mm` of the host's line), named lpo_<side>_fext1 .., lpo_<side>_next1 ..
std::vector<LoadedChannel> parametric_crosstalk(const std::string& side, double line_mm, int n_fext, double fext,
                                                int n_next, double next, const LineModel& line, double impedance_ohm,
                                                double R0, double f_nyquist, double f_max) {
  if (line_mm <= 0.0 || n_fext + n_next == 0) return {};
  ParametricChannel board;
  board.length_mm = line_mm;
  board.line = line;
  board.Z_c_ohm = impedance_ohm;
  board.R0_ohm = R0;
  board.num_fext = n_fext;
  board.num_next = n_next;
  board.fext_coupling = fext;
  board.next_coupling = next;
  board.f_ref_GHz = f_nyquist;
  board.f_step_GHz = kStep_GHz;
  board.f_max_GHz = f_max;
  std::vector<LoadedChannel> set = parametric_channel_set(board);
  set.erase(set.begin());  // the board's own THRU
  for (LoadedChannel& channel : set) {
    channel.input.path = "lpo_" + side + "_" + channel.input.path.string().substr(std::string("parametric_").size());
    channel.network.source = channel.input.path.string();
  }
  return set;
}

}  // namespace

std::vector<ParameterInfo> lpo_parameters(const ComConfig& host) {
  LpoLink defaults;
  defaults.host_tx_swing_Vppd = 2.0 * host.A_v;
  defaults.host_tx_snr_dB = host.SNR_TX_dB;
  defaults.host_tx_rlm = host.R_LM;
  defaults.host_tx_rj_UI = host.sigma_RJ_UI;
  defaults.host_tx_dj_UI = host.A_DD_UI;
  defaults.host_eta0_V2_per_GHz = host.eta_0_V2_per_GHz;
  defaults.host_fext_amplitude_V = host.A_fe;
  defaults.host_next_amplitude_V = host.A_ne;
  if (!host.package_cases.empty()) {
    const PackageCase& first = host.package_cases.front();
    if (!first.z_p_tx_mm.empty()) defaults.host_tx_package_mm = first.z_p_tx_mm.front();
    if (!first.z_p_rx_mm.empty()) defaults.host_rx_package_mm = first.z_p_rx_mm.front();
  }
  std::vector<ParameterInfo> out;
  for (const Field& field : kFields) {
    out.push_back(ParameterInfo{field.name, field.units, defaults.*field.member, field.min, field.max,
                                field.description, field.searchable});
  }
  return out;
}

LpoLink lpo_link_from(const std::map<std::string, double>& values, const ComConfig& host) {
  LpoLink link;
  for (const ParameterInfo& info : lpo_parameters(host)) {
    const auto field = std::find_if(kFields.begin(), kFields.end(),
                                    [&](const Field& f) { return info.name == f.name; });
    link.*(field->member) = info.default_value;
  }
  for (const auto& [name, value] : values) {
    const auto field = std::find_if(kFields.begin(), kFields.end(),
                                    [&](const Field& f) { return name == f.name; });
    if (field == kFields.end()) throw InputError("LPO link: unknown parameter '" + name + "'");
    if (!(value >= field->min && value <= field->max)) {
      throw InputError("LPO link: " + name + " = " + std::to_string(value) + " is outside [" +
                       std::to_string(field->min) + ", " + std::to_string(field->max) + "] " + field->units);
    }
    if (field->integral && value != std::round(value)) {
      throw InputError("LPO link: " + name + " must be a whole number, got " + std::to_string(value));
    }
    link.*(field->member) = value;
  }
  return link;
}

ChannelVariant host_variant(const LpoLink& link, const ComConfig& host,
                            std::shared_ptr<const std::vector<LoadedChannel>> channels) {
  if (host.package_cases.empty()) throw InputError(host.source + ": no package case");
  ChannelVariant variant;
  variant.channels = std::move(channels);
  variant.package = host.package_cases.front();
  if (!variant.package.z_p_tx_mm.empty()) variant.package.z_p_tx_mm.front() = link.host_tx_package_mm;
  if (!variant.package.z_p_rx_mm.empty()) variant.package.z_p_rx_mm.front() = link.host_rx_package_mm;
  VariantScalars& scalars = variant.scalars;
  scalars.A_v = link.host_tx_swing_Vppd / 2.0;
  scalars.A_fe = link.host_fext_amplitude_V;
  scalars.A_ne = link.host_next_amplitude_V;
  scalars.R_LM = link.host_tx_rlm;
  scalars.SNR_TX_dB = link.host_tx_snr_dB;
  scalars.sigma_RJ_UI = link.host_tx_rj_UI;
  scalars.A_DD_UI = link.host_tx_dj_UI;
  scalars.eta_0_V2_per_GHz = link.host_eta0_V2_per_GHz;
  return variant;
}

bool is_host_parameter(const std::string& name) { return name.rfind("host_", 0) == 0; }

std::vector<double> lpo_frequencies_GHz(const ComConfig& host) {
  const double f_max = std::max(50.0, host.f_b_GBd);
  const auto points = static_cast<std::size_t>(std::floor(f_max / kStep_GHz + 1e-9)) + 1;
  std::vector<double> f(points);
  for (std::size_t k = 0; k < points; ++k) f[k] = static_cast<double>(k) * kStep_GHz;
  return f;
}

LpoVariant build_lpo_variant(const LpoLink& link, const ComConfig& host, const LinkBoards& boards) {
  if (host.board.include) {
    throw InputError(host.source + ": Include PCB = 1: the LPO link model brings its own boards "
                     "(tx_board_loss_dB, rx_board_loss_dB); set Include PCB = 0");
  }
  const double f_nyquist = host.f_b_GBd / 2.0;
  const std::vector<double> f = lpo_frequencies_GHz(host);
  const std::size_t points = f.size();

  // Boards: matched module ports make the chain one-way, so each board's S-parameters act
  // alone (no reflections between a board and the module).
  const LineModel line = board_line(host);
  const double R0 = host.R_0_ohm;
  const Board tx = board_of(boards.tx, link.tx_board_loss_dB, link.board_impedance_ohm, line, f, f_nyquist, R0);
  const Board rx = board_of(boards.rx, link.rx_board_loss_dB, link.board_impedance_ohm, line, f, f_nyquist, R0);
  const TwoPort& tx_board = tx.s;
  const TwoPort& rx_board = rx.s;

  // The module's linear gains (V -> W -> A -> V), set at the operating point.
  const double driver_gain = link.drive_swing_Vppd / link.host_tx_swing_Vppd;            // V/V
  const double er = from_dB_power(link.extinction_ratio_dB);
  const double p_avg_W = 1e-3 * from_dB_power(link.laser_power_dBm);
  const double oma_ref_W = 2.0 * p_avg_W * (er - 1.0) / (er + 1.0);
  const double modulator_gain = oma_ref_W / link.drive_swing_ref_Vppd;                    // W/V
  const double fiber = 1.0 / from_dB_power(link.fiber_loss_dB);
  const double oma_rx_W = modulator_gain * link.drive_swing_Vppd * fiber;
  const double R = link.pd_responsivity_A_per_W;
  const double z_t = std::min(from_dB(link.tia_transimpedance_dBohm),
                              link.tia_output_swing_Vppd / (R * oma_rx_W));               // V/A

  // Noise at the TIA input (A^2/Hz): its own; the laser's RIN, relative to the OMA as the
  // 802.3 optical specifications state it (RIN_xOMA); the photocurrent's shot noise at the
  // highest PAM4 level (the worst level); and the driver's (V^2/Hz at its input) through
  // the whole module.
  const double i_oma = R * oma_rx_W;
  const double i_max = R * (p_avg_W * fiber + oma_rx_W / 2.0);
  const double i_tia = link.tia_noise_pA_rtHz * 1e-12;
  const double S_i = i_tia * i_tia + from_dB_power(link.rin_oma_dB_per_Hz) * i_oma * i_oma +
                     link.shot_noise * 2.0 * kElectronCharge_C * i_max;
  const double v_drv = link.driver_noise_nV_rtHz * 1e-9;

  std::vector<cd> s21(points), module_s21(points);
  std::vector<double> noise(points);
  double module_noise_V2 = 0.0;
  for (std::size_t i = 0; i < points; ++i) {
    const cd modulator = link.modulator_poles > 1.5 ? butterworth2(f[i], link.modulator_bandwidth_GHz)
                                                    : single_pole(f[i], link.modulator_bandwidth_GHz);
    const cd tia = z_t * butterworth2(f[i], link.tia_bandwidth_GHz) *
                   module_ctle(f[i], link.tia_ctle_dB, link.tia_ctle_pole_GHz);
    const cd module = driver_gain * butterworth2(f[i], link.driver_bandwidth_GHz) *
                      module_ctle(f[i], link.driver_ctle_dB, link.driver_ctle_pole_GHz) *
                      modulator_gain * modulator * fiber * dispersion_response(f[i], link) * R * tia;
    module_s21[i] = module;
    s21[i] = tx_board.s21[i] * module * rx_board.s21[i];
    const double at_module_output = (S_i * std::norm(tia) + v_drv * v_drv * std::norm(module)) * 1e9;
    if (i > 0) module_noise_V2 += at_module_output * (f[i] - f[i - 1]);
    noise[i] = at_module_output * std::norm(rx_board.s21[i]);
  }

  const Compression compression = compression_of(link);
  const double A_v = link.host_tx_swing_Vppd / 2.0 * compression.scale;
  auto channels = std::make_shared<std::vector<LoadedChannel>>();
  channels->push_back(one_way_channel("lpo_thru", ChannelKind::thru, f, tx_board.s11, s21, rx_board.s22));
  channels->front().output_noise_V2_per_GHz = std::move(noise);

  // Crosstalk driven by the host's other transmitters passes the whole module, as the
  // victim does (compression included): at the module's output it carries the victim's A_v,
  // so its transfer is scaled by A_v / A_fe (the engines drive FEXT aggressors at A_fe).
  const double host_aggressor_scale = link.host_fext_amplitude_V > 0.0 ? A_v / link.host_fext_amplitude_V : 0.0;
  const auto through_module = [&](const std::string& name, const std::vector<cd>& coupled, double scale, double skew_ns) {
    std::vector<cd> aggressor(points);
    for (std::size_t i = 0; i < points; ++i) {
      aggressor[i] = scale * coupled[i] * module_s21[i] * rx_board.s21[i] *
                     std::exp(cd{0.0, -2.0 * std::numbers::pi * f[i] * skew_ns});
    }
    channels->push_back(one_way_channel(name, ChannelKind::fext, f, tx_board.s11, std::move(aggressor), rx_board.s22));
  };

  // Optical crosstalk: an adjacent lane's light on the victim's photodiode is the victim's
  // chain scaled by the coupled power.
  const double optical_scale = from_dB_power(link.optical_xtalk_dB) * host_aggressor_scale;
  for (int k = 1; optical_scale > 0.0 && k <= static_cast<int>(link.optical_aggressors); ++k) {
    through_module("lpo_optical_fext" + std::to_string(k), tx_board.s21, optical_scale, kAggressorSkew_ns * k);
  }

  // Tx-side board: FEXT from other host transmitters into the module's input, measured or
  // the parametric law.
  if (boards.tx != nullptr && !boards.tx->fext.empty()) {
    for (std::size_t k = 0; k < boards.tx->fext.size(); ++k) {
      through_module("lpo_tx_board_fext" + std::to_string(k + 1), boards.tx->fext[k].s21, host_aggressor_scale, 0.0);
    }
  } else if (link.tx_board_fext_coupling > 0.0) {
    for (const LoadedChannel& coupled :
         parametric_crosstalk("tx_board", tx.line_mm, static_cast<int>(link.tx_board_fext_aggressors),
                              link.tx_board_fext_coupling, 0, 0.0, line, link.board_impedance_ohm, R0, f_nyquist, f.back())) {
      through_module(coupled.input.path.string(), coupled.network.sdd21, host_aggressor_scale, 0.0);
    }
  }

  // Rx-side board: FEXT from other module outputs and NEXT from the host's transmitters, at
  // the host receiver; measured files or the parametric laws, per kind. An aggressor without
  // coupling is no aggressor (and its zero response no channel).
  const bool measured_fext = boards.rx != nullptr && !boards.rx->fext.empty();
  const bool measured_next = boards.rx != nullptr && !boards.rx->next.empty();
  if (boards.rx != nullptr) {
    for (const auto& [paths, kind, name] : {std::tuple{&boards.rx->fext, ChannelKind::fext, "fext"},
                                            std::tuple{&boards.rx->next, ChannelKind::next, "next"}}) {
      for (std::size_t k = 0; k < paths->size(); ++k) {
        channels->push_back(computed_channel("lpo_rx_board_" + std::string(name) + std::to_string(k + 1) + " (" +
                                                 boards.rx->label + ")",
                                             kind, f, (*paths)[k]));
      }
    }
  }
  const int n_fext = !measured_fext && link.board_fext_coupling > 0.0 ? static_cast<int>(link.board_fext_aggressors) : 0;
  const int n_next = !measured_next && link.board_next_coupling > 0.0 ? static_cast<int>(link.board_next_aggressors) : 0;
  for (LoadedChannel& channel : parametric_crosstalk("host", rx.line_mm, n_fext, link.board_fext_coupling, n_next,
                                                     link.board_next_coupling, line, link.board_impedance_ohm, R0,
                                                     f_nyquist, f.back())) {
    channels->push_back(std::move(channel));
  }
  LpoVariant out;
  out.variant = host_variant(link, host, std::move(channels));
  out.variant.scalars.A_v = A_v;
  out.variant.scalars.R_LM = link.host_tx_rlm * compression.rlm;

  LpoModuleReport& report = out.module;
  const double swing_ratio = link.drive_swing_Vppd / link.drive_swing_ref_Vppd;
  report.module_power_W =
      link.module_static_W +
      link.module_lanes * (link.driver_W_per_lane * swing_ratio * (1.0 + 0.05 * link.driver_ctle_dB) +
                           link.tia_W_per_lane * (1.0 + 0.05 * link.tia_ctle_dB) +
                           link.laser_W_per_lane * from_dB_power(link.laser_power_dBm - 3.0));
  report.rlm_module = compression.rlm;
  report.compression_scale = compression.scale;
  report.oma_rx_dBm = 10.0 * std::log10(oma_rx_W * 1e3);
  report.tia_transimpedance_dBohm = 20.0 * std::log10(z_t);
  report.module_noise_mV = 1e3 * std::sqrt(module_noise_V2);
  return out;
}

}  // namespace eyesweep
