// The statistical half of COM (IEEE 802.3 Annex 93A.1.7): discrete voltage PDFs on a uniform
// grid, and the final noise and interference analysis of the chosen equaliser (A_ni, COM, VEO
// and the reported sigma terms), reproducing the IEEE COM script v3.70 for T_O = 0 sheets.
//
// Script rules reproduced (line numbers of com_ieee8023_93a_370.m):
// - bin size delta_y = min(A_s / 1000, `PDF bin size`), or `PDF bin size` when `Force PDF bin
//   size` is set (418-422); every PDF shares it.
// - a value v lands in bin round(v / delta_y), half away from zero (Init_PDF_Fast, 1724); a
//   PDF holds every bin between its lowest and highest (1751) and convolution keeps the full
//   linear support (conv_fct, 2913): nothing is ever trimmed or wrapped. (The script sums
//   directly; large dense products here go through an FFT, which agrees to ~1e-18 per bin.)
// - get_pdf_from_sampled_signal (4771-4813): each sample h with |h| above the bin becomes the
//   L-level variable |h| x, x = 2i/(L-1) - 1 with probability 1/L; samples at or below the bin
//   are dropped; the variables are convolved (largest first).
// - get_pdf (4686): the victim's residual is its equalised pulse minus the cursor and the DFE
//   cancellation b(n) h(t_s), n = 1..N; the samples fed to the PDF are pulse[M j + p],
//   j = 1 .. round(len / M) - 2 (0-based index, p the phase): the first UI and the tail are
//   not used. The victim uses the cursor's phase; each aggressor uses, of its M phases, the one
//   whose binned PDF has the largest RMS (first on ties).
// - Create_Noise_PDF (1173-1284): Gaussian sigma_G = |(sigma_RJ sigma_X |h_J|, sigma_N, sigma_TX)|,
//   truncated at +-Q sigma_G, Q = sqrt(2) erfcinv(2 DER_0) (normal_dist, 5697); the dual-Dirac
//   part p_DD is get_pdf_from_sampled_signal(A_DD h_J, L) (an L-level variable per h_J sample,
//   not a Gaussian equivalent); noise = Gauss (x) p_DD; crosstalk = (FEXT aggressors in order)
//   (x) (NEXT aggressors in order); combined = (ISI (x) crosstalk) (x) noise.
// - A_ni = |x| at the first bin whose CDF from the bottom exceeds DER_0, one-sided and with no
//   level factor (477-478); COM = 20 log10(A_s / A_ni); VEO = 2 (A_s - A_ni);
//   VEC = -20 log10(max((A_s - A_ni) / A_s, eps)) (520-527).
// - reported sigmas (Output_Arg_Fill, 1775): s_isi, s_xt and s_dd are the RMS about the mean of
//   the ISI, crosstalk and p_DD PDFs (pdf2sgm); s_tx, s_n, s_rj = sigma_RJ sigma_X |h_J| are the
//   inputs of the Gaussian.
// Deliberate difference: a bin coarser than the script's where the combined PDF would exceed
// kMaxCombinedBins bins (below); it is reported (bin_size against script_bin_size).
// C2M sheets (T_O != 0) replace A_ni, COM, VEO and VEC by the eye-contour variant of
// c2m_eye_contour.hpp, which reuses this file's ISI, crosstalk and noise PDFs.
// Not covered: the Rx-calibration broadband-noise term (RX_CALIBRATION); SNR_TXwC0 is the
// caller's choice of sigma_TX.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "host/com_config.hpp"

namespace eyesweep {

/// Bin of a value: round(value / bin_size), halves away from zero (MATLAB's round).
std::int64_t bin_index(double value, double bin_size);

/// Level i of the L-level alphabet, 2 i / (L - 1) - 1, in the script's order of operations
/// (so that +-1/3 bins as it does).
double pam_level(int i, int levels);

/// Which crossing of the CDF a quantile takes; the script uses both.
enum class CdfCrossing {
  exceeds,  ///< first bin with CDF > p: A_ni (script line 477)
  reaches,  ///< first bin with CDF >= p: the reported peak interferences (1238-1275)
};

/// A probability mass function on the voltage grid x_i = (first_bin + i) * bin_size.
/// Masses are kept as built (the script never renormalises after construction).
class DiscretePdf {
 public:
  /// Unit mass at 0 V: the identity of convolution.
  explicit DiscretePdf(double bin_size);
  DiscretePdf(double bin_size, std::int64_t first_bin, std::vector<double> probabilities);

  /// A discrete variable: each value goes to bin round(value / bin_size); masses in one bin
  /// add. Values need not be sorted; probabilities are taken as given.
  static DiscretePdf from_discrete(double bin_size, std::span<const double> values,
                                   std::span<const double> probabilities);
  /// The script's normal_dist: bins -K..K, K = round(n_sigma sigma / bin_size), mass
  /// proportional to exp(-x^2 / (2 sigma^2 + eps)), normalised to 1. sigma = 0 gives a delta.
  static DiscretePdf truncated_gaussian(double sigma, double n_sigma, double bin_size);
  /// The script's get_pdf_from_sampled_signal: the sum of independent L-level variables
  /// |h| x, x in {2i/(L-1) - 1}, one per sample h above the bin size (see the file comment).
  static DiscretePdf from_sampled_signal(std::span<const double> samples, int levels,
                                         double bin_size);

  double bin_size() const { return bin_size_; }
  std::int64_t first_bin() const { return first_bin_; }
  std::int64_t last_bin() const {
    return first_bin_ + static_cast<std::int64_t>(probabilities_.size()) - 1;
  }
  std::size_t size() const { return probabilities_.size(); }
  double voltage(std::size_t i) const {
    return static_cast<double>(first_bin_ + static_cast<std::int64_t>(i)) * bin_size_;
  }
  double first_voltage() const { return voltage(0); }
  double last_voltage() const { return voltage(size() - 1); }
  const std::vector<double>& probabilities() const { return probabilities_; }

  double total() const;
  double mean() const;
  /// RMS about the mean (the script's pdf2sgm).
  double sigma() const;
  /// Cumulative sum from the lowest voltage up (one-sided, as the script's A_ni uses it).
  std::vector<double> cdf() const;
  /// Index of the first bin whose CDF crosses p; the last bin if none does.
  std::size_t quantile_index(double p, CdfCrossing crossing) const;
  /// |voltage| at quantile_index(p, crossing).
  double quantile_magnitude(double p, CdfCrossing crossing) const;

  /// Convolves in place with the L-level variable amplitude * x, x in {2i/(L-1) - 1}, each
  /// with probability 1/L, binned as the script bins it: L shifted copies, O(L size()).
  void convolve_pam_variable(double amplitude, int levels);

 private:
  double bin_size_;
  std::int64_t first_bin_;
  std::vector<double> probabilities_;
};

/// How dense PDFs are convolved. Both give the full linear support (no wrap, no truncation).
enum class ConvolutionMethod {
  automatic,  ///< direct up to about a million multiply-adds, FFT above
  direct,     ///< exact summation: masses non-negative, and zero where they are zero
  fft,        ///< zero-padded FFT: each mass within ~1e-14 of the largest (about 1e-18
              ///< absolute for COM PDFs); rounding that comes out negative is set to 0
};

/// Linear convolution: first bins add and the support is the sum of the supports. Both PDFs
/// must have the same bin size.
DiscretePdf convolve(const DiscretePdf& a, const DiscretePdf& b,
                     ConvolutionMethod method = ConvolutionMethod::automatic);
/// Convolution of all of them (a unit mass at 0 V when empty); by FFT, one transform each.
DiscretePdf convolve_all(std::span<const DiscretePdf> pdfs, double bin_size,
                         ConvolutionMethod method = ConvolutionMethod::automatic);

/// sigma_X = sqrt((L^2 - 1) / (3 (L - 1)^2)): RMS of the L-level symbol alphabet {2i/(L-1) - 1}.
/// Euclidean norm of a sequence, e.g. of the jitter slopes h_J.
double norm2(std::span<const double> v);

double sigma_x(int levels);

/// Q = sqrt(2) erfcinv(2 der): the one-sided Gaussian tail quantile, 0 < der < 0.5.
double q_factor(double der);

/// sigma_TX of the script (93A-30, line 1200): (L - 1) A_s / R_LM 10^(-SNR_TX / 20),
/// i.e. h(t_s) 10^(-SNR_TX / 20).
double script_sigma_tx(int levels, double a_s, double r_lm, double snr_tx_db);

/// The samples the script's get_pdf feeds to its PDF code at one phase:
/// pulse[M j + phase], j = 1 .. round(pulse.size() / M) - 2 (0-based indices).
std::vector<double> phase_samples(std::span<const double> pulse, int samples_per_ui, int phase);

/// The victim's residual ISI samples as get_pdf builds them: the pulse with the cursor and
/// b(n) h(t_s), n = 1..dfe_taps.size(), removed, at the cursor's phase. dfe_taps are the DFE
/// coefficients as applied (clipped to b_min..b_max, normalised to h(t_s)).
std::vector<double> victim_residual_samples(std::span<const double> pulse, int samples_per_ui,
                                            std::size_t cursor_index,
                                            std::span<const double> dfe_taps);

/// The phase get_pdf uses for a crosstalk pulse: the one whose binned PDF has the largest
/// RMS, the first on ties. Computed from the binned moments, without building M PDFs.
int worst_aggressor_phase(std::span<const double> pulse, int samples_per_ui, int levels,
                          double bin_size);

enum class AggressorKind { fext, next };

/// One crosstalk aggressor: its equalised pulse response (chdata(k).eq_pulse_response:
/// FEXT with the victim's Tx FFE, NEXT without), M samples per UI, whole length.
struct Aggressor {
  AggressorKind kind = AggressorKind::fext;
  std::vector<double> pulse;
};

/// What the script's final analysis reads, for one package case and the chosen equaliser.
/// All pulses are at samples_per_ui samples per UI and as long as the script has them: the
/// UI count round(length / M) decides which tail samples are used.
struct ComNoiseInputs {
  int levels = 2;              ///< L
  double der0 = 1e-5;          ///< DER_0 (specBER)
  double a_s = 0.0;            ///< A_s = R_LM h(t_s) / (L - 1) (V): fom_result.A_s
  int samples_per_ui = 32;     ///< M

  /// Victim's equalised pulse response (chdata(1).eq_pulse_response) (V).
  std::vector<double> victim_pulse;
  std::size_t cursor_index = 0;  ///< t_s as a 0-based index into victim_pulse
  /// DFE coefficients as applied, b(1..N): N = N_b, or N_bmax with floating taps.
  std::vector<double> dfe_taps;
  std::vector<Aggressor> aggressors;

  /// Jitter slope fom_result.h_J (V/UI), lines 6238-6253: (h(s + 1) - h(s - 1)) M / 2 at
  /// s = o + k M, k = 0, 1, ... while s + 1 is in the pulse, o = t_s mod M (1-based indices,
  /// o + M when o <= 1): every UI of the pulse, not only the DFE span.
  std::vector<double> h_j;
  double a_dd_ui = 0.0;        ///< A_DD (UI)
  double sigma_rj_ui = 0.0;    ///< sigma_RJ (UI)
  double sigma_tx = 0.0;       ///< sigma_TX (V): see script_sigma_tx
  double sigma_n = 0.0;        ///< sigma_N (V): fom_result.sigma_N for the chosen equaliser

  double pdf_bin_size = 1e-5;       ///< `PDF bin size` (V): cap on delta_y
  bool force_pdf_bin_size = false;  ///< `Force PDF bin size`: delta_y = pdf_bin_size
  double noise_crest_factor = 0.0;  ///< `Noise_Crest_Factor`: Q of the Gaussian if non-zero
  double pass_threshold_db = 3.0;   ///< `COM Pass threshold`, for threshold_der only

  double r_lm = 1.0;                ///< R_LM: the C2M eye's signal levels are R_LM h(t) x
  C2mEye c2m;                       ///< T_O != 0: the C2M eye-contour variant (c2m_eye_contour)
};

/// Support of one PDF, for diagnostics.
struct PdfSummary {
  double first_voltage = 0.0;
  double last_voltage = 0.0;
  std::size_t bins = 0;
};

/// Bins of the combined PDF at most: where the script's bin would need more (the interference
/// reaches over about 500 A_s, COM below about -50 dB), the bin is coarsened to the combined
/// PDF's reach over this many bins. A_ni then moves by at most a bin, under 2e-6 of that reach,
/// and a variant's PDFs stay under 8 MB each instead of growing without bound as A_s shrinks.
constexpr std::int64_t kMaxCombinedBins = std::int64_t{1} << 20;

/// One C2M eye's width (the script's find_eye_width and EW_UI; see c2m_eye_contour.hpp).
struct C2mEyeWidth {
  double left_ui = 0.0;   ///< Left_EW / S: from t_s back to where the eye closes (UI)
  double right_ui = 0.0;  ///< Right_EW / S: from t_s on to where it closes (UI)
  double width_ui = 0.0;  ///< EW_UI = floor(Left_EW + Right_EW) / S, Left_EW and Right_EW in samples
};

struct ComNoiseResult {
  double bin_size = 0.0;        ///< delta_y (V) used
  double script_bin_size = 0.0; ///< the script's delta_y (V); bin_size is coarser where it would
                                ///< need more than kMaxCombinedBins
  double q = 0.0;               ///< truncation of the Gaussian, in sigma
  double a_ni = 0.0;            ///< noise and interference amplitude at DER_0 (V); C2M: 2 A_s - VEO
  double com_db = 0.0;          ///< 20 log10(A_s / A_ni); C2M: 20 log10(2 A_s / A_ni)
  double veo = 0.0;             ///< vertical eye opening 2 (A_s - A_ni) (V); C2M: the window's worst eye
  double vec_db = 0.0;          ///< vertical eye closure (dB); C2M: 20 log10(2 A_s / VEO)
  double threshold_der = 0.0;   ///< CDF at -A_s / 10^(pass_threshold / 20) (DER_thresh)

  // The sigma terms the script reports (V).
  double sigma_isi = 0.0;       ///< s_isi: RMS of the ISI PDF
  double sigma_xt = 0.0;        ///< s_xt: RMS of the crosstalk PDF
  double sigma_tx = 0.0;        ///< s_tx
  double sigma_n = 0.0;         ///< s_n
  double sigma_rj = 0.0;        ///< s_rj = sigma_RJ sigma_X |h_J|
  double sigma_dd = 0.0;        ///< s_dd: RMS of p_DD
  double sigma_g = 0.0;         ///< sigma_G of the truncated Gaussian
  double sigma_isi_xt = 0.0;    ///< RMS of ISI (x) crosstalk
  double sigma_noise = 0.0;     ///< RMS of Gauss (x) p_DD
  double sigma_combined = 0.0;  ///< RMS of the combined PDF

  // Peak interference at DER_0 (CDF >= DER_0), as the script reports it (V).
  double peak_isi = 0.0;
  double peak_xt = 0.0;
  double peak_fext = 0.0;
  double peak_next = 0.0;
  double peak_isi_xt = 0.0;

  // The C2M eye-contour variant (c2m_enabled; see c2m_eye_contour.hpp). a_ni, com_db, veo and
  // vec_db above are then the script's T_O != 0 values.
  bool c2m_enabled = false;
  double c2m_eye_top = 0.0;            ///< lower DER_0 contour of the level above the worst eye (V)
  double c2m_eye_bottom = 0.0;         ///< upper DER_0 contour of the level below it (V)
  int c2m_worst_eye = 0;               ///< 0-based: the eye between levels k and k + 1
  int c2m_window_samples = 0;          ///< T: the window is t_s +- T samples of 1/samples_for_C2M UI
  std::vector<C2mEyeWidth> c2m_eye_widths;  ///< per eye, the lowest first (EW_UI_est); empty unless c2m.eye_width

  int victim_phase = 0;                ///< phase (0..M-1) of the victim's samples
  std::vector<int> aggressor_phases;   ///< worst phase of each aggressor, input order

  PdfSummary isi, crosstalk, gaussian, dual_dirac, noise, combined;
  DiscretePdf combined_pdf{1.0};       ///< the final PDF (for bathtub curves)
};

/// The script's final noise and interference analysis (get_pdf, Create_Noise_PDF and the
/// A_ni / COM / VEO lines of its main function); with in.c2m enabled, A_ni, COM, VEO and VEC
/// come from the C2M eye contour (COM_eye_width) instead.
ComNoiseResult final_com_noise(const ComNoiseInputs& in);

}  // namespace eyesweep
