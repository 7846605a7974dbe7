// The COM reference receiver's equaliser search (IEEE script optimize_fom): for every CTLE
// setting and legal Tx FFE combination, the cursor by the Mueller-Muller rule, the DFE within
// its limits and the figure of merit with its five noise terms; the best point wins.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "host/case_responses.hpp"
#include "host/com_config.hpp"
#include "host/com_pdf.hpp"
#include "host/eq_grid.hpp"
#include "host/filters.hpp"
#include "host/rx_ffe_noise.hpp"
#include "host/tx_ffe.hpp"

namespace eyesweep {

/// The figure of merit of one grid point and what it is made of (volts).
struct FomPoint {
  double fom_dB = 0.0;
  double A_s = 0.0;                 ///< R_LM h(t_s) / (L - 1)
  double cursor = 0.0;              ///< h(t_s)
  std::size_t cursor_index = 0;     ///< t_s as a sample index into the equalised pulse
  double sigma_tx = 0.0, sigma_isi = 0.0, sigma_j = 0.0, sigma_xt = 0.0, sigma_n = 0.0;
  std::vector<double> dfe_taps;     ///< b(1..span), relative to the cursor (see dfe_span)
  std::vector<int> floating_taps;   ///< 1-based taps of the floating groups, ascending
  std::vector<double> rx_ffe_taps;  ///< Rx FFE w(-pre .. post), main tap 1; empty without one
};

/// Taps the DFE spans: N_b, or N_f when floating tap groups (N_bg > 0) may reach that far
/// (between N_b and N_f only the floating taps are non-zero).
int dfe_span(const ComConfig& cfg);

/// The CTLE-dependent part of the search, computed once per CTLE setting.
struct CtleContext {
  CtleSetting ctle;
  std::vector<double> pulse;        ///< victim pulse after the CTLE (no Tx FFE)
  double sigma_n = 0.0;             ///< eta_0 and the THRU's output noise through H_r and the CTLE
  std::vector<double> fext_weight;  ///< per frequency up to f_b: FEXT power weight
  double next_power = 0.0;          ///< NEXT power sum (independent of the Tx FFE)
  RxFfeNoiseContext rx_ffe_noise;   ///< the MMSE noise terms it fixes (with an Rx FFE only)
};

/// Evaluates grid points of one package case.
class FomEvaluator {
 public:
  FomEvaluator(const CaseResponses& responses, const ComConfig& cfg, const TxGrid& tx_grid);

  CtleContext make_context(const CtleSetting& ctle) const;
  /// The victim's pulse after the CTLE (make_context's pulse alone).
  std::vector<double> ctle_pulse(const CtleSetting& ctle) const;

  /// The FOM of one combination at the best of its sampling points (the cursor rule's,
  /// offset by each of sample_adjustment; the first best in order of |offset|, earlier
  /// first), or nothing when no point is a valid receiver (no crossing to anchor the cursor,
  /// a non-positive cursor) or can beat `to_beat` dB (the script's exact pruning: residual
  /// ISI alone already limits it below `to_beat`; not with an Rx FFE, which changes the ISI).
  /// With an Rx FFE its taps and the DFE come from the MMSE (or PRZF) solve and the FOM is
  /// A_s over the RMS error sigma_e they leave.
  ///
  /// With Min_VEO_Test (cfg.c2m.constrains_search(), the script's do_C2M) a point that
  /// survives is judged by its own C2M eye instead (see score_by_eye): FOM = 20 log10(A_s / N_i),
  /// N_i = (2 A_s - EH) / 2. The pruning against `to_beat` is then the script's heuristic, no
  /// longer exact.
  std::optional<FomPoint> evaluate(const CtleContext& context, const double* tx_taps,
                                   double to_beat) const;
  /// True when points are scored by their C2M eye (do_C2M).
  bool scores_by_eye() const { return min_eye_V_.has_value(); }
  /// The script's second pass when no point's eye cleared Min_VEO_Test: the same evaluator with
  /// Min_VEO_Test = 0, still scoring by eye (do_C2M is not re-evaluated; optimize_fom 6406-6412).
  FomEvaluator without_min_veo_test() const;

  /// The equalised victim pulse of a combination (the script's sbr), full length.
  std::vector<double> equalized_pulse(const CtleContext& context, const double* tx_taps) const;

  const CaseResponses& responses() const { return responses_; }

  /// The window (inclusive sample indices) in which the cursor's peak is searched.
  std::size_t peak_window_lo() const { return peak_lo_; }
  std::size_t peak_window_hi() const { return peak_hi_; }
  /// The crosstalk integral's frequencies (the first of the files' points), cos(2 pi f d T)
  /// per tap lag d on them (lag-major), and its scale sigma_X^2 2 Delta_f / f_2.
  std::size_t crosstalk_frequencies() const { return n_xt_; }
  const std::vector<double>& lag_cos() const { return lag_cos_; }
  double crosstalk_scale() const { return xt_scale_; }
  /// What make_context's noise and crosstalk integrals read (pointers into the responses and
  /// this evaluator).
  ctle::SpectrumView spectrum() const;

 private:
  /// The sampling point per cfg.cursor_rule, given the pulse (`at`), its length and peak;
  /// nothing when the rule finds none (e.g. no crossing to anchor the MM search).
  /// The FOM with the cursor at `cursor_index` and the DFE alone.
  template <typename Sample>
  std::optional<FomPoint> evaluate_dfe(const CtleContext& context, const double* tx_taps, const Sample& at,
                                       std::ptrdiff_t cursor_index, double to_beat) const;
  /// The FOM with the cursor at `cursor_index`, Rx FFE and DFE by MMSE (or PRZF);
  /// `crosstalk_acf_sum` is the crosstalk's part of R_n, the same at every sampling point.
  std::optional<FomPoint> evaluate_rx_ffe(const CtleContext& context, const std::vector<double>& pulse,
                                        std::ptrdiff_t cursor_index, const std::vector<double>& noise_acf) const;

  /// do_C2M for a point the DFE search kept (optimize_fom lines 6322-6363): the Gaussian
  /// estimate EH_1st = 2 (A_s - Q total_rms) must exceed Min_VEO_Test - 1 mV, then the C2M eye
  /// over t_s +- T_O of the equalised pulse, without crosstalk, must exceed Min_VEO_Test.
  std::optional<FomPoint> score_by_eye(FomPoint point, const CtleContext& context, const double* tx_taps,
                                       double total_rms) const;
  template <typename Sample>
  std::optional<std::ptrdiff_t> cursor_anchor(const Sample& at, std::ptrdiff_t N, std::ptrdiff_t peak,
                                              double peak_value) const;

  const CaseResponses& responses_;
  const ComConfig& cfg_;
  const TxGrid& tx_grid_;
  CircularFfe ffe_;                        ///< the Tx FFE on pulses of the victim's length
  std::size_t peak_lo_ = 0, peak_hi_ = 0;  ///< window (inclusive) of the cursor peak search
  std::size_t n_xt_ = 0;                   ///< frequencies used in the crosstalk integral
  std::vector<double> sinc2_;              ///< sinc^2(f T) on those frequencies
  std::vector<double> aggressor_H_;        ///< aggressors x n_xt_, interleaved complex
  std::vector<double> aggressor_a2_;       ///< amplitude^2 per aggressor
  std::vector<unsigned char> aggressor_is_fext_;
  std::vector<double> lag_cos_;            ///< per tap lag d, cos(2 pi f d T) on those frequencies
  double xt_scale_ = 0.0;                  ///< sigma_X^2 2 Delta_f / f_2
  std::vector<int> sampling_offsets_;      ///< sample_adjustment, in order of |offset|
  std::optional<double> min_eye_V_;        ///< do_C2M: Min_VEO_Test (V) in force
  std::ptrdiff_t eye_early_samples_ = 0;   ///< do_C2M: T_O in samples of 1/M UI
};

/// The jitter slopes h_J(n) = (h(s_n + 1) - h(s_n - 1)) M / 2 of an equalised pulse at every
/// UI-spaced sampling point s_n of the cursor's phase, as the script takes them: from the
/// first such point past the first UI (1-based phase mod(t_s, M), plus M when <= 1) to the
/// end of the pulse zero-padded to cover the DFE span.
std::vector<double> jitter_slopes(const std::vector<double>& equalized_pulse, std::size_t cursor_index,
                                  int samples_per_ui, int dfe_taps);

/// The final analysis' inputs that follow from the configuration and the point alone (levels,
/// DER_0, A_s, cursor, DFE taps, jitter, sigma_N, R_LM, the C2M settings); the caller adds the
/// pulses, sigma_TX and what else its analysis needs.
ComNoiseInputs point_noise_inputs(const ComConfig& cfg, const FomPoint& point);

/// The pulse after the point's Rx FFE, applied as the script applies it (circularly, taps at
/// UI spacing); the pulse itself without one.
std::vector<double> apply_rx_ffe(const ComConfig& cfg, const FomPoint& point, std::vector<double> pulse);

/// The winner of a search and how many points were looked at.
struct SearchResult {
  std::size_t ctle_index = 0;
  std::size_t tx_index = 0;
  FomPoint best;
  std::size_t grid_points = 0;      ///< CTLE settings x legal Tx combinations
  bool found = false;               ///< false when no point was a valid receiver
};

/// Exhaustive search over every CTLE setting and legal Tx combination on `threads` threads
/// (0 = all cores). Ties resolve to the first point in the script's order.
SearchResult search_equalizer(const FomEvaluator& evaluator, const std::vector<CtleSetting>& ctle_grid,
                              const TxGrid& tx_grid, unsigned threads);

}  // namespace eyesweep
