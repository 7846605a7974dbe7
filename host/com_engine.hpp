// The double-precision reference COM engine: for each package case, the exhaustive
// equaliser search (fom_search) and the final statistical analysis of the winner (com_pdf),
// reproducing the IEEE COM script v3.70. COM is the minimum over the package cases.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "host/case_responses.hpp"
#include "host/com_config.hpp"
#include "host/com_pdf.hpp"
#include "host/fom_search.hpp"

namespace eyesweep {

struct ComRunOptions {
  unsigned threads = 0;               ///< 0 = all cores
  /// Switch off floating DFE tap groups (N_bg > 0): the fixed taps only, e.g. to see what
  /// the floating taps gain.
  bool ignore_floating_taps = false;
  /// Follow the sheet's `Local Search` (> 0) as the IEEE script does: a sequential pruned
  /// search whose optimum need not be the global one (local_search.hpp).
  bool follow_local_search = false;
};

/// The chosen equaliser of one package case.
struct WinningEqualizer {
  CtleSetting ctle;
  int tx_first_offset = 0;            ///< UI offset of tx_taps[0]
  std::vector<double> tx_taps;        ///< main tap included
  std::vector<double> dfe_taps;       ///< b(1..span), relative to the cursor
  std::vector<int> floating_taps;     ///< 1-based taps of the floating groups
  std::vector<double> rx_ffe_taps;    ///< Rx FFE w(-pre .. post), main tap 1; empty without one
  std::size_t cursor_index = 0;       ///< sample index of t_s in the equalised pulse
  int sampling_phase = 0;             ///< t_s mod M (samples)
};

struct ComCaseResult {
  std::size_t package_case = 0;       ///< index into ComConfig::package_cases
  PackageCase lengths;
  double com_dB = 0.0;
  double fom_dB = 0.0;
  double A_s = 0.0;                   ///< V
  double A_ni = 0.0;                  ///< V
  double eye_height = 0.0;            ///< vertical eye opening at DER_0, 2 (A_s - A_ni) (V)
  double vec_dB = 0.0;
  FomPoint fom;                       ///< the FOM's own noise terms at the winner
  ComNoiseResult noise;               ///< the final analysis and its reported sigma terms
  WinningEqualizer equalizer;
  double unequalized_peak_V = 0.0;    ///< peak of the victim's pulse before equalisation
  std::size_t grid_points = 0;
  std::size_t legal_tx_combinations = 0;
  std::size_t ctle_settings = 0;
  double search_seconds = 0.0;
  double total_seconds = 0.0;
  /// Min_VEO_Test: no point's C2M eye cleared it, and the search ran again with 0 (as the script)
  bool min_veo_test_relaxed = false;
};

struct ComResult {
  std::vector<ComCaseResult> cases;
  std::size_t worst_case = 0;         ///< index into cases
  double com_dB = 0.0;                ///< minimum over cases
  std::vector<std::string> notes;     ///< warnings about inputs and configuration
  std::string engine = "reference";  ///< which engine searched ("reference", "cpu", "cuda")
  std::string device = "CPU, double precision";  ///< what it ran on
};

/// Runs COM for the channels (first the THRU, then aggressors). Throws InputError on bad
/// input.
ComResult run_com(const ComConfig& cfg, const std::vector<ChannelInput>& inputs,
                  const ComRunOptions& options = {});

/// Same on channels already loaded (benchmarks and tests reuse them across runs).
ComResult run_com(const ComConfig& cfg, const std::vector<LoadedChannel>& channels,
                  const ComRunOptions& options = {});

/// Refuses (InputError naming the configuration) what no engine supports: M > 256, L > 16,
/// N_b or N_f > 1000, floating groups without room, more than 10000 CTLE settings, an empty
/// Tx grid, no package case; adds notes about choices the engines do not follow (the sheet's
/// Local Search unless `follows_local_search`).
void check_supported(const ComConfig& cfg, std::vector<std::string>& notes, bool follows_local_search = false);

/// The IEEE script's warnings about a THRU's frequency points (band, first point, step), as
/// notes.
void note_band_coverage(const ComConfig& cfg, const LoadedChannel& thru, std::vector<std::string>& notes);

/// The final analysis of a search's winner on one package case (every engine's last step,
/// in double precision): the full-length equalised pulses, the PDF, A_ni, COM, the sigma
/// terms. Throws InputError when the search found no valid receiver or the pulse ends before
/// the DFE span. Leaves package_case, lengths and the timings to the caller.
ComCaseResult analyse_winner(const ComConfig& cfg, const FomEvaluator& evaluator, const TxGrid& tx_grid,
                             const std::vector<CtleSetting>& ctle_grid, const SearchResult& search);

/// The inputs of the final analysis for one equaliser (the CTLE setting's context from
/// `evaluator`, Tx taps laid out as `tx_grid`) and its FOM point: full-length equalised victim
/// and aggressor pulses, cursor, DFE taps, jitter slopes and noise terms. What analyse_winner
/// analyses and eyes are drawn from.
ComNoiseInputs winner_noise_inputs(const ComConfig& cfg, const FomEvaluator& evaluator, const TxGrid& tx_grid,
                                   const CtleContext& context, const double* taps, const FomPoint& best);

/// The FOM of one given equaliser (CTLE setting and Tx taps laid out as `tx_grid`) on one
/// package case: for scoring another tool's choice with this engine. Nothing when that
/// equaliser gives no valid receiver.
std::optional<FomPoint> score_equalizer(const ComConfig& cfg, const CaseResponses& responses,
                                        const CtleSetting& ctle, const std::vector<double>& tx_taps);

}  // namespace eyesweep
