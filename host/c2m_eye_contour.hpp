// The C2M eye-contour variant of the final COM analysis (PMD_type = C2M, T_O != 0), after the
// IEEE COM script v3.70's COM_eye_width, get_pdf_full and the T_O branch of its main function
// (com_ieee8023_93a_370.m lines 506-519, 982-1150, 2785-2870, 4674, 4815-4960, 7759; the same
// code in v4.50):
// - the equalised victim pulse is linearly interpolated onto a grid of samples_for_C2M (S)
//   samples per UI whose time 0 is t_s (get_pdf_full's interp1);
// - on that grid the cursor's whole UI, centred on t_s, is the signal: level x of the L-level
//   alphabet is R_LM h(t) x at each sample t of it; the residual is the pulse with that UI set
//   to zero and b(n) h(t_s) removed over the whole of UI n = 1..N (the DFE holds its decision
//   for a UI);
// - for each sample t_s + k / S, k = -T..T, T = floor(T_O / 1000 S): the residual's ISI PDF at
//   that phase (com_pdf's get_pdf rules), the crosstalk PDF of the main analysis (aggressors at
//   their worst phase, not re-sampled), a truncated Gaussian of sigma_G(k) = |(sigma_RJ
//   sigma_X |h_J(k)|, sigma_N, sigma_TX)| and the L-level PDF of A_DD h_J(k), where h_J(k) are
//   that phase's centred-difference slopes; one PDF per level, shifted by its signal;
// - per level, the PDFs of the window are summed with the weights of Histogram_Window_Weight
//   and normalised; each level's DER_0 contour is where min(CDF from below, CDF from above)
//   exceeds DER_0 (cdf_to_ber_contour); eye k lies between the lower contour of level k + 1
//   and the upper contour of level k, and the smallest of the L - 1 eyes is reported;
// - the caller then sets VEO = eye opening, A_ni = 2 A_s - VEO, COM = 20 log10(2 A_s / A_ni),
//   VEC = 20 log10(2 A_s / VEO);
// - the eye width (COM_eye_width's full-UI pass and find_eye_width, lines 1042-1083, 3262-3324,
//   10408, and EW_UI at 489): at every sample of the cursor's UI (no window, no weights) each
//   level's own DER_0 contours give each eye a top and a bottom contour; vref is the middle of
//   the eye at t_s; walking out from t_s, each side's reach is where the top contour first falls
//   below vref or the bottom one first rises above it, linearly interpolated between the two
//   samples around the crossing, the smaller of the two (0 when the eye is closed at t_s, the
//   UI edge when it never crosses); EW_UI = floor(left + right) / S, one per eye.
// With Min_VEO_Test the equaliser search scores each point by c2m_eye_opening (fom_search.hpp).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "host/com_config.hpp"
#include "host/com_pdf.hpp"

namespace eyesweep {

/// The weights w(-T..T) of Histogram_Window_Weight over the window's 2 T + 1 samples
/// (unnormalised; the combined histogram is normalised afterwards). ql is used by the Gaussian
/// and dual-Rayleigh windows only.
std::vector<double> histogram_window_weights(HistogramWindow window, int half_width, double ql);

/// A pulse on the C2M grid: samples at t_s + k / S UI, cursor_index the sample of t_s.
struct C2mPulse {
  std::vector<double> samples;
  std::size_t cursor_index = 0;
};

/// Linear interpolation of `pulse` (samples_per_ui samples per UI, t_s at cursor_index) onto
/// the grid t_s + k / c2m_samples_per_ui, over the pulse's whole time span.
C2mPulse resample_around_cursor(std::span<const double> pulse, int samples_per_ui, std::size_t cursor_index,
                                int c2m_samples_per_ui);

/// Voltages at which a level's PDF reaches DER_0 from below and from above (cdf_to_ber_contour):
/// the first and the last bin where min(CDF from below, CDF from above) exceeds der.
struct DerContour {
  double lower = 0.0;
  double upper = 0.0;
};
DerContour der_contour(const DiscretePdf& pdf, double der);

/// The worst eye of the window.
struct C2mEyeOpening {
  int half_width = 0;          ///< T
  double top = 0.0;            ///< lower contour of the level above the eye (V)
  double bottom = 0.0;         ///< upper contour of the level below it (V)
  int worst_eye = 0;           ///< 0-based: the eye between levels k and k + 1
  double opening() const { return top - bottom; }
};

/// One eye's DER_0 contours at every sample t_s + (j - centre) / S, j = 0 .. S - 1, of the
/// cursor's UI (V).
struct C2mEyeContour {
  std::vector<double> top;     ///< lower contour of the level above the eye
  std::vector<double> bottom;  ///< upper contour of the level below it
};

/// find_eye_width on one eye's contours, `centre` the sample of t_s (0-based): the reaches left
/// and right of t_s where the eye closes at the height of its middle at t_s, and EW_UI.
C2mEyeWidth eye_width(const C2mEyeContour& eye, int centre);

/// The eye opening of the window for one package case: in.victim_pulse, cursor, DFE taps,
/// noise terms and in.c2m; `crosstalk` is the main analysis' FEXT (x) NEXT PDF, `bin_size` and
/// `q` (Gaussian truncation in sigma) are the main analysis' as well. Only the window's samples
/// are analysed (the script's pdf_range_flag = 1).
C2mEyeOpening c2m_eye_opening(const ComNoiseInputs& in, const DiscretePdf& crosstalk, double bin_size, double q);

/// The final analysis' C2M eye (pdf_range_flag = 0): the window's opening and, from every sample
/// of the UI, each eye's width.
struct C2mEyeAnalysis {
  C2mEyeOpening opening;
  std::vector<C2mEyeWidth> widths;  ///< one per eye, the lowest eye first
};
C2mEyeAnalysis c2m_eye_analysis(const ComNoiseInputs& in, const DiscretePdf& crosstalk, double bin_size, double q);

/// Each eye's width alone, for sheets that ask for it (EW) with T_O = 0, where the script's
/// COM_eye_width runs the same full-UI pass.
std::vector<C2mEyeWidth> c2m_eye_widths(const ComNoiseInputs& in, const DiscretePdf& crosstalk, double bin_size,
                                        double q);

}  // namespace eyesweep
