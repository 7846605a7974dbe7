// The COM configuration: every parameter of an IEEE COM configuration sheet that eyesweep
// uses, in the sheet's units (GHz, GBd, ns, mm, nF, nH, V, V^2/GHz, UI, dB), plus eyesweep's
// own options. Filled and validated by io/config_toml; consumed by the channel model and the
// COM engines. Field comments give the sheet's parameter name.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace eyesweep {

/// How S-parameters are extended beyond the measured band (com-reference.md section 1).
enum class BandExtension {
  matlab_trend,     ///< IEEE script: magnitude trend fitted to the upper half of the band, linear to DC
  hold_and_taper,   ///< PyChOpMarg: hold the last value, raised-cosine taper over the band
};

/// Which sampling point is the cursor (com-reference.md section 2).
/// (The sheet's ts_anchor 0, 1, 2 in this order.)
enum class CursorRule {
  mueller_muller,   ///< IEEE script: h(t - T) = max(h(t + T) - b_max(1) h(t), 0) rule
  peak,             ///< the maximum of the pulse
  max_slope_step,   ///< the maximum of h(t) - h(t - T)
};

/// One Tx FFE tap position and the values the search tries for it.
struct TxTapRange {
  int offset = 0;                 ///< k in c(k): -3, -2, -1, 1, ...
  std::vector<double> values;     ///< enumerated with integer steps from the sheet's range
};

/// One side (Tx or Rx) of the Annex 93A package: die ladder, bump, line, board pad.
struct PackageSide {
  std::vector<double> C_d_nF;     ///< C_d: die capacitance per ladder element (nF)
  std::vector<double> L_s_nH;     ///< L_s: series inductance per ladder element (nH); may be empty
  double C_b_nF = 0.0;            ///< C_b: bump capacitance (nF)
  double C_p_nF = 0.0;            ///< C_p: package-to-board pad capacitance (nF)
  double R_d_ohm = 50.0;          ///< R_d: die termination (ohm, single-ended)
  std::vector<double> Z_c_ohm;    ///< package_Z_c: impedance of each line segment (ohm, diff.)
};

/// Parameters of an Annex 93A transmission line (per unit length).
struct LineModel {
  double gamma0_per_mm = 0.0;     ///< gamma_0 (1/mm)
  double a1 = 0.0;                ///< a_1 (sqrt(ns)/mm)
  double a2 = 0.0;                ///< a_2 (ns/mm)
  double tau_ns_per_mm = 0.0;     ///< tau (ns/mm)
};

/// Line lengths of one package case (one column of the sheet's z_p tables), per segment (mm).
struct PackageCase {
  std::vector<double> z_p_tx_mm;   ///< z_p (TX)
  std::vector<double> z_p_next_mm; ///< z_p (NEXT)
  std::vector<double> z_p_fext_mm; ///< z_p (FEXT)
  std::vector<double> z_p_rx_mm;   ///< z_p (RX)
  int sheet_case = 1;              ///< its 1-based column in the z_p tables (`z_p select` value)
};

/// Host-board lines added when `Include PCB` = 1 (sheet Table 92-12 parameters).
struct BoardModel {
  bool include = false;           ///< Include PCB
  LineModel line;                 ///< board_tl_gamma0_a1_a2, board_tl_tau
  double Z_c_ohm = 100.0;         ///< board_Z_c
  double z_bp_tx_mm = 0.0;        ///< z_bp (TX)
  double z_bp_next_mm = 0.0;      ///< z_bp (NEXT)
  double z_bp_fext_mm = 0.0;      ///< z_bp (FEXT)
  double z_bp_rx_mm = 0.0;        ///< z_bp (RX)
  double C_0_nF = 0.0;            ///< C_0: capacitance at the device end of the board line
  double C_1_nF = 0.0;            ///< C_1: capacitance at the connector end of the board line
};

/// Floating DFE tap groups (802.3ck KR, CR/CA): N_bg groups of N_bf taps placed between tap
/// N_b + 1 and N_f.
struct FloatingTaps {
  int N_bg = 0;                   ///< number of groups (0 = none)
  int N_bf = 0;                   ///< taps per group
  int N_f = 0;                    ///< UI span in which groups float
  double bmaxg = 0.0;             ///< limit of a floating tap
  double B_float_RSS_MAX = 0.0;   ///< RSS limit of the tail taps
  int N_tail_start = 0;           ///< UI where the RSS tail limit starts
};

/// How the Rx FFE's taps are chosen at each grid point.
enum class RxFfeSolver {
  mmse,   ///< minimum mean-square error, jointly with the DFE (802.3dj Annex 178A)
  przf,   ///< pulse-response zero forcing around the cursor and after the DFE
};

/// The receiver's feed-forward equaliser (802.3dj, Annex 178A): taps at UI spacing around the
/// main tap, solved per grid point by MMSE jointly with the DFE (com-reference.md section 3.1).
struct RxFfe {
  int pre_taps = 0;               ///< ffe_pre_tap_len: taps before the main tap
  int post_taps = 0;              ///< ffe_post_tap_len: taps after it
  double pre_tap1_max = 0.7;      ///< ffe_pre_tap1_max: |w(-1)| limit, relative to the main tap
  double post_tap1_max = 0.7;     ///< ffe_post_tap1_max: |w(1)| limit, relative to the main tap
  double tapn_max = 0.7;          ///< ffe_tapn_max: limit of every other tap, relative to the main tap
  int noise_ui = 2048;            ///< num_ui_RXFF_noise: UI of the noise sequences behind R_n
  RxFfeSolver solver = RxFfeSolver::mmse;  ///< [eyesweep] rx_ffe_solver

  bool enabled() const { return pre_taps + post_taps > 0; }
  int num_taps() const { return pre_taps + 1 + post_taps; }
};

/// How the per-sample histograms of the C2M window are weighted (Histogram_Window_Weight).
enum class HistogramWindow {
  rectangle,      ///< every sample alike (the script's default)
  gaussian,       ///< exp(-x^2 / (2 s^2)), s = T / QL ("gaussian", "norm", "normal", "guassian")
  triangle,       ///< 1 - |x| / T: zero at the window's edges
  dual_rayleigh,  ///< two Rayleigh densities of scale T / QL from the edges, peak 1
};

/// The C2M eye-contour variant of the final analysis (PMD_type = C2M with T_O != 0; the IEEE
/// script's COM_eye_width): the eye opening is read from histograms collected over t_s +- T_O
/// on a finer time grid instead of at t_s alone.
struct C2mEye {
  double T_O_mUI = 0.0;           ///< T_O (or T_h): half-width of the window (mUI); 0 = off (C2C)
  int samples_per_ui = 100;       ///< samples_for_C2M: time grid of the window (samples per UI)
  HistogramWindow window = HistogramWindow::rectangle;  ///< Histogram_Window_Weight
  double QL = 2.5;                ///< QL: window half-width over the Gaussian / Rayleigh scale;
                                  ///< the sheet's default is T_O / (1000 sigma_r)
  double min_veo_test_mV = 0.0;   ///< Min_VEO_Test (EH_min_test): non-zero, the equaliser search
                                  ///< scores points by their C2M eye and skips eyes not above it
  bool eye_width = false;         ///< EW (the script's OP.EW, forced on for C2M): each eye's width
                                  ///< at DER_0 on the samples_for_C2M grid, whatever T_O

  bool enabled() const { return T_O_mUI != 0.0; }
  /// The script's do_C2M (line 397): the search itself judges each point's C2M eye.
  bool constrains_search() const { return enabled() && min_veo_test_mV != 0.0; }
  /// T: the window's half-width in grid samples, floor((T_O / 1000) samples_for_C2M), the
  /// script's order of operations.
  int half_width() const {
    return static_cast<int>(std::floor((T_O_mUI / 1000.0) * static_cast<double>(samples_per_ui)));
  }
  /// The UI's centre on the grid, 0-based: the sample k / S closest to 1/2, the earlier one on
  /// ties (get_center_of_UI).
  int centre_sample() const { return samples_per_ui / 2; }
  /// The widest T whose window stays inside the cursor's UI.
  int widest_half_width() const { return samples_per_ui - 1 - centre_sample(); }
};

struct ComConfig {
  std::string name;               ///< free text, e.g. the sheet it came from
  std::string source;             ///< file it was loaded from (for messages)
  std::string note;               ///< [eyesweep] note: free text shown with results
  /// Keys accepted but without effect on COM (I/O, plotting, TDR/ERL, ICN controls, and
  /// script switches left at their defaults), in file order; the CLI prints them as a note.
  std::vector<std::string> ignored_keys;
  /// Port Order: default single-ended port order [tx+ tx- rx+ rx-] of the channel files,
  /// e.g. "1 3 2 4"; a port order given per file on the command line overrides it.
  std::string port_order = "1 3 2 4";

  // --- signalling (Table 93A-1) ---
  double f_b_GBd = 0.0;           ///< f_b
  double f_min_GHz = 0.05;        ///< f_min: recommended highest first frequency of a file (noted)
  double delta_f_GHz = 0.01;      ///< Delta_f: recommended largest frequency step (noted)
  int L = 4;                      ///< L: signal levels
  int M = 32;                     ///< M: samples per UI
  double DER_0 = 1e-4;            ///< DER_0: target detector error ratio
  double R_LM = 1.0;              ///< R_LM: level separation mismatch ratio
  double A_v = 0.4;               ///< A_v: victim amplitude (V, peak)
  double A_fe = 0.4;              ///< A_fe: FEXT aggressor amplitude (V)
  double A_ne = 0.6;              ///< A_ne: NEXT aggressor amplitude (V)

  // --- transmitter ---
  double c0_min = 0.0;            ///< c(0): minimum main tap
  std::vector<TxTapRange> tx_taps;///< c(-3) .. c(-1), c(1) ...: ranges, sorted by offset
  double T_r_ns = 0.0;            ///< T_r: 20-80 % transition time of the Gaussian source
  bool FORCE_TR = false;          ///< FORCE_TR: apply the T_r filter in the signal path
  double SNR_TX_dB = 1000.0;      ///< SNR_TX
  double sigma_RJ_UI = 0.0;       ///< sigma_RJ
  double A_DD_UI = 0.0;           ///< A_DD

  // --- package and board ---
  double R_0_ohm = 50.0;          ///< R_0: single-ended reference impedance
  PackageSide tx_package;         ///< first entries of C_d, L_s, C_b, C_p, R_d, package_Z_c
  PackageSide rx_package;         ///< second entries
  LineModel package_line;         ///< package_tl_gamma0_a1_a2, package_tl_tau
  std::vector<PackageCase> package_cases; ///< z_p tables, columns chosen by `z_p select`
  BoardModel board;

  // --- receiver ---
  double eta_0_V2_per_GHz = 0.0;  ///< eta_0: one-sided noise density at the Rx input
  /// f_2: the IEEE script v3.70 normalises its frequency-domain crosstalk term of the FOM by
  /// 2 Delta_f / f_2 (an ICN parameter of the sheet); 0 = f_b, the script's default.
  double f_2_GHz = 0.0;
  double f_r = 0.75;              ///< f_r: Butterworth AFE -3 dB point in units of f_b
  bool Butterworth = true;        ///< Butterworth: include the 4th-order AFE
  bool Bessel_Thomson = false;    ///< Bessel_Thomson: add a 4th-order Bessel-Thomson stage
  bool Raised_Cosine = false;     ///< Raised_Cosine: add a raised-cosine window ...
  double RC_start_GHz = 0.0;      ///< RC_Start: ... starting here ...
  double RC_end_GHz = 0.0;        ///< RC_end: ... and reaching zero here
  std::vector<double> g_DC_dB;    ///< g_DC: CTLE DC gains searched
  std::vector<double> g_DC_HP_dB; ///< g_DC_HP (g_DC2): low-frequency stage gains; {0} if absent
  double f_z_GHz = 0.0;           ///< f_z
  double f_p1_GHz = 0.0;          ///< f_p1
  double f_p2_GHz = 0.0;          ///< f_p2
  double f_HP_PZ_GHz = 0.0;       ///< f_HP_PZ (f_LF); 0 = single-stage CTLE
  int N_b = 0;                    ///< N_b: DFE taps
  std::vector<double> b_max;      ///< b_max(1), b_max(2..N_b): size N_b
  std::vector<double> b_min;      ///< b_min(1), b_min(2..N_b): size N_b, default -b_max
  FloatingTaps floating;
  RxFfe rx_ffe;
  /// sample_adjustment: the sampling point is also tried at these offsets (samples, inclusive)
  /// from the cursor rule's point, and the best FOM wins; {0, 0} = the rule's point only.
  int sample_adjustment_lo = 0;
  int sample_adjustment_hi = 0;
  int local_search = 0;           ///< Local Search: heuristic Tx/CTLE search step; 0 = full grid

  // --- reporting ---
  double COM_pass_threshold_dB = 3.0;  ///< COM Pass threshold
  C2mEye c2m;                          ///< PMD_type = C2M: the eye-contour COM

  // --- eyesweep options (not in the IEEE sheets) ---
  BandExtension band_extension = BandExtension::matlab_trend;
  CursorRule cursor_rule = CursorRule::mueller_muller;
  double impulse_truncation_threshold = 1e-3; ///< Impulse response truncation threshold
};

}  // namespace eyesweep
