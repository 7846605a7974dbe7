// The linear-drive (LPO) link as one channel variant for the COM engines: host boards, the
// module's linear driver, modulator and laser, fiber, photodiode and TIA composed into one
// end-to-end linear THRU, the module's noise carried to the host receiver, compression as
// level mismatch, electrical and optical crosstalk as aggressors, and the module's power.
// See docs/lpo-model.md for the equations and their units.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "host/engine.hpp"
#include "host/two_port.hpp"
#include "io/sweep_spec.hpp"

namespace eyesweep {

/// Every parameter of the link, in the units its name ends with. The host_* defaults that
/// COM sheets define are taken from the host configuration (see lpo_parameters).
struct LpoLink {
  // host transmitter and packages (1, 2)
  double host_tx_swing_Vppd = 0.8;
  double host_tx_snr_dB = 33.0;
  double host_tx_rlm = 0.98;
  double host_tx_rj_UI = 0.01;
  double host_tx_dj_UI = 0.02;
  double host_tx_package_mm = 12.0;
  double host_rx_package_mm = 12.0;
  double host_eta0_V2_per_GHz = 1.64e-8;
  // boards and connectors, Tx side (3) and Rx side (10): insertion loss at the Nyquist
  // frequency of the host's line model, and their impedance
  double tx_board_loss_dB = 8.0;
  double rx_board_loss_dB = 8.0;
  double board_impedance_ohm = 100.0;
  // module linear driver (4)
  double drive_swing_Vppd = 2.0;          ///< searched: driver output swing
  double drive_swing_ref_Vppd = 2.0;      ///< swing at which ER and the driver THD are specified
  double driver_bandwidth_GHz = 38.0;
  double driver_ctle_dB = 0.0;            ///< searched: peaking of the driver's CTLE
  double driver_ctle_pole_GHz = 30.0;
  double driver_noise_nV_rtHz = 15.0;     ///< input-referred
  double driver_thd_pct = 2.0;            ///< at drive_swing_ref_Vppd
  // modulator and laser (5, 6)
  double modulator_bandwidth_GHz = 45.0;
  double modulator_poles = 1.0;          ///< 1: single pole, 2: 2-pole Butterworth
  double modulator_vpi_V = 0.0;           ///< Mach-Zehnder sine transfer; 0 = linear (EML/DML)
  double laser_power_dBm = 3.0;           ///< average optical power launched
  double extinction_ratio_dB = 4.5;       ///< at drive_swing_ref_Vppd
  double rin_oma_dB_per_Hz = -145.0;      ///< laser RIN relative to the OMA (RIN_xOMA), MPI included
  // fiber (7) and photodiode (8)
  double fiber_loss_dB = 1.5;
  double fiber_length_km = 0.0;           ///< 0: dispersion has no effect
  double fiber_dispersion_ps_per_nm_km = 0.0;  ///< D at the wavelength (O band: about -2.3 .. 1.5)
  double wavelength_nm = 1310.0;
  double modulator_chirp = 0.0;           ///< alpha (Henry factor): 0 for a push-pull Mach-Zehnder
  double pd_responsivity_A_per_W = 0.8;
  double shot_noise = 1.0;                ///< 1: photocurrent shot noise on; 0: off (ideal optics)
  // TIA (9)
  double tia_transimpedance_dBohm = 67.0; ///< maximum; the AGC lowers it to reach the output swing
  double tia_output_swing_Vppd = 0.6;     ///< AGC target
  double tia_bandwidth_GHz = 33.0;
  double tia_noise_pA_rtHz = 18.0;        ///< input-referred current noise density
  double tia_ctle_dB = 0.0;               ///< searched: peaking of the TIA's CTLE
  double tia_ctle_pole_GHz = 30.0;
  double tia_thd_pct = 2.0;               ///< at the AGC's output swing
  // crosstalk (12)
  double optical_xtalk_dB = -30.0;        ///< optical power coupled from each adjacent lane
  double optical_aggressors = 2.0;
  double tx_board_fext_coupling = 0.02;    ///< Tx-side board FEXT at Nyquist, relative to its THRU
  double tx_board_fext_aggressors = 3.0;  ///< other host transmitters coupling into the module's input
  double board_fext_coupling = 0.02;       ///< Rx-side board FEXT at Nyquist, relative to its THRU
  double board_fext_aggressors = 3.0;
  double host_fext_amplitude_V = 0.3;
  double board_next_coupling = 0.01;       ///< Rx-side board NEXT (saturated), from host Tx lanes
  double board_next_aggressors = 3.0;
  double host_next_amplitude_V = 0.6;
  // module power model
  double module_lanes = 8.0;
  double module_static_W = 1.5;
  double driver_W_per_lane = 0.25;        ///< at drive_swing_ref_Vppd, no peaking
  double tia_W_per_lane = 0.12;           ///< no peaking
  double laser_W_per_lane = 0.2;          ///< at 3 dBm
};

/// The parameters a sweep may fix or sweep, with units, defaults, physical ranges and
/// descriptions; the host_* defaults are those of `host` (the COM sheet of the host's
/// receiver: A_v, SNR_TX, R_LM, sigma_RJ, A_DD, eta_0, first package case).
std::vector<ParameterInfo> lpo_parameters(const ComConfig& host);

/// The link with the given parameters (names from lpo_parameters; missing ones keep their
/// defaults). Throws InputError naming an unknown parameter or a value out of range.
LpoLink lpo_link_from(const std::map<std::string, double>& values, const ComConfig& host);

/// The frequency grid (GHz) of the link's transfer functions for the host configuration: from
/// DC in 10 MHz steps to max(50 GHz, f_b).
std::vector<double> lpo_frequencies_GHz(const ComConfig& host);

/// A board measured in Touchstone files, resampled onto lpo_frequencies_GHz (see
/// measured_board.hpp): its THRU and its crosstalk paths, differential 2-ports.
struct MeasuredBoard {
  std::string label;
  TwoPort thru;
  std::vector<TwoPort> fext, next;
};

/// Measured boards in place of the line model, per side; null keeps the line model.
struct LinkBoards {
  const MeasuredBoard* tx = nullptr;
  const MeasuredBoard* rx = nullptr;
};

/// What the module contributes to one variant, for results and reports.
struct LpoModuleReport {
  double module_power_W = 0.0;
  double rlm_module = 1.0;                ///< level mismatch from compression (driver, MZ, TIA)
  double compression_scale = 1.0;         ///< outer PAM4 level relative to a linear chain
  double oma_rx_dBm = 0.0;                ///< optical modulation amplitude at the photodiode
  double tia_transimpedance_dBohm = 0.0;  ///< after the AGC
  double module_noise_mV = 0.0;           ///< RMS of the module's noise at its output (no host filtering)
};

/// One link variant as the COM engines take it, and the module's report.
struct LpoVariant {
  ChannelVariant variant;
  LpoModuleReport module;
};

/// The host's part of a variant from the link's host_* parameters: package lengths (first
/// z_p segment of the host sheet's first case), transmitter scalars, eta_0 and aggressor
/// amplitudes, around `channels`. Measured channel sets (Touchstone files) take only this.
ChannelVariant host_variant(const LpoLink& link, const ComConfig& host,
                            std::shared_ptr<const std::vector<LoadedChannel>> channels);

/// Whether a parameter is one of the host's (applies to measured channel sets too).
bool is_host_parameter(const std::string& name);

/// Builds the end-to-end channel set (THRU with the module's output noise; optical FEXT; FEXT
/// of the Tx-side board through the module; FEXT and NEXT of the Rx-side board), the package
/// case and the scalars of `link` for the host configuration `host`. A measured board of
/// `boards` replaces that side's line model (tx_board_loss_dB / rx_board_loss_dB and
/// board_impedance_ohm then do not apply to it), and its FEXT (NEXT) files replace that
/// side's parametric FEXT (NEXT) law, which otherwise runs on a line of the board's loss at
/// Nyquist. Throws InputError when `host` cannot carry the model (Include PCB = 1: the model
/// brings its own boards).
LpoVariant build_lpo_variant(const LpoLink& link, const ComConfig& host, const LinkBoards& boards = {});

}  // namespace eyesweep
