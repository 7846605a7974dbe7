// The fast engines' precomputation, in double on the host: from the reference engine's own
// responses and per-CTLE contexts to the grid, variant and per-(variant, CTLE) tables that
// kernels/search_point.hpp reads. One implementation for the CPU and CUDA engines.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "host/case_responses.hpp"
#include "host/com_config.hpp"
#include "host/eq_grid.hpp"
#include "host/filters.hpp"
#include "host/fom_search.hpp"
#include "kernels/ctle_record.hpp"
#include "kernels/search_layout.hpp"
#include "kernels/search_point.hpp"

namespace eyesweep {

/// The two fast engines. The CPU engine also searches floating DFE tap groups.
enum class FastEngine { cpu, cuda };

/// Why `engine` cannot search `spec`; empty when it can. The default asks for what both
/// fast engines search.
std::string fast_engine_limitation(const ComConfig& spec, FastEngine engine = FastEngine::cuda);

/// How the FOM's far-end crosstalk integral sum_f w(f) |H_ffe(f)| is computed: as a dot
/// product with the cosine series of |H_ffe| where that series converges fast (the default),
/// or always as the script's direct sum over frequencies.
enum class CrosstalkSum { automatic, direct };

/// The search specification in the fast engines' form, shared by every variant: float taps,
/// the cosine series of each combination's |H_ffe|, DFE limits and the cursor rule.
class SearchGrid {
 public:
  /// Throws InputError (naming the configuration) when `engine` cannot search it (the
  /// default: what both fast engines search).
  explicit SearchGrid(const ComConfig& spec, CrosstalkSum crosstalk = CrosstalkSum::automatic,
                      FastEngine engine = FastEngine::cuda);

  const TxGrid& tx() const { return tx_; }
  const std::vector<CtleSetting>& ctle() const { return ctle_; }
  std::size_t points() const { return ctle_.size() * tx_.num_combinations(); }
  int fext_terms() const { return fext_terms_; }

  /// The view with host pointers; the CUDA engine swaps in device copies of the arrays below.
  search::GridView view() const;
  /// What the per-(variant, CTLE) records take from the grid.
  search::RecordShape record_shape() const;
  const std::vector<float>& taps() const { return taps_; }
  const std::vector<double>& fext_coeff() const { return fext_coeff_; }
  const std::vector<double>& b_max() const { return b_max_; }
  const std::vector<double>& b_min() const { return b_min_; }

 private:
  TxGrid tx_;
  std::vector<CtleSetting> ctle_;
  std::vector<float> taps_;
  std::vector<double> fext_coeff_;
  int fext_terms_ = 0;
  float tap_abs_sum_max_ = 1.0f;
  search::Anchor anchor_ = search::Anchor::mueller_muller;
  std::vector<double> b_max_, b_min_;
  int tail_start_ = 0;
  double tail_rss_max_ = 0.0;
  search::FloatingGroups floating_;
};

/// One variant made ready for the search: its configuration and responses, the reference
/// evaluator on them (the winner is re-scored by it in double) and its view.
class PreparedVariant {
 public:
  /// `cfg` must have one package case (variant_config's). Throws InputError on bad input.
  PreparedVariant(ComConfig cfg, const std::vector<LoadedChannel>& channels, const SearchGrid& grid);
  PreparedVariant(const PreparedVariant&) = delete;
  PreparedVariant& operator=(const PreparedVariant&) = delete;

  const ComConfig& config() const { return cfg_; }
  const CaseResponses& responses() const { return responses_; }
  const FomEvaluator& evaluator() const { return *evaluator_; }
  /// Host pointers (lag_cos for the direct crosstalk sum).
  const search::VariantView& view() const { return view_; }
  int pulse_length() const { return view_.N; }
  int crosstalk_frequencies() const { return view_.n_xt; }
  /// What its records are built from (host pointers into this variant).
  search::TableSource table_source() const;

  /// Fills the record of CTLE setting `ctle` of the grid, from its pulse
  /// (evaluator().ctle_pulse), at the given record pointers, laid out as `layout`.
  void fill_record(const SearchGrid& grid, const search::TableLayout& layout, const CtleSetting& ctle,
                   const std::vector<double>& pulse, float* floats, double* doubles, int* ints) const;

 private:
  ComConfig cfg_;
  CaseResponses responses_;
  std::unique_ptr<FomEvaluator> evaluator_;
  search::VariantView view_;
  /// The noise and crosstalk integrals per CTLE power term (search::PowerSource): the FEXT
  /// weight's terms (kPowerTerms x n_xt) and, in the series form, their cosine moments.
  ctle::PowerIntegrals power_integrals_;
  std::vector<double> power_fext_, power_moments_;
};

/// The record layout of a batch whose longest pulse is `pulse_len` samples and whose
/// variants have at most `max_xt_frequencies` crosstalk frequencies.
search::TableLayout table_layout(const SearchGrid& grid, int samples_per_ui, int pulse_len, int max_xt_frequencies);

/// The record layout of a batch of `variants`: their longest pulse, their most crosstalk
/// frequencies.
search::TableLayout table_layout(const SearchGrid& grid, const std::vector<const PreparedVariant*>& variants);

}  // namespace eyesweep
