// The contents of a sweep's HDF5 file: its columns (swept parameters, results, winning
// settings), the rows of a batch of computed variants, and the summary group; and the
// summary of a file's rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "host/com_config.hpp"
#include "host/engine.hpp"
#include "host/lpo_link.hpp"
#include "host/sweep_summary.hpp"
#include "host/variant_space.hpp"
#include "io/results_store.hpp"
#include "io/sweep_spec.hpp"

namespace eyesweep {

/// The module settings a sweep searches per variant: every combination of its [search]
/// lists (one empty combination when there are none), names in alphabetical order.
struct ModuleSearch {
  std::vector<std::string> names;
  std::vector<std::vector<double>> settings;
};
ModuleSearch module_search_of(const SweepSpec& spec);

/// The columns of one sweep and where each result field goes.
struct SweepLayout {
  std::vector<ColumnSpec> columns;
  std::vector<std::string> parameters;     ///< swept parameters, in column order
  ModuleSearch search;
  std::size_t tx_taps = 0, dfe_taps = 0;
  std::size_t rx_ffe_taps = 0;           ///< 0 = the host has no Rx FFE (and no column)
  bool module = true;                      ///< the LPO model's module columns
};

/// The columns of a sweep of `spec` on the host receiver `host`.
SweepLayout sweep_layout(const SweepSpec& spec, const ComConfig& host);

/// The best of a variant's module settings (highest COM; the first on ties).
struct VariantOutcome {
  VariantPoint point;
  std::size_t setting = 0;
  bool ok = false;
  std::string error;
  VariantResult result;
  LpoModuleReport module;
};

/// The rows of `outcomes`, in order, as one block of the layout's columns.
RowBlock sweep_rows(const SweepLayout& layout, std::span<const VariantOutcome> outcomes);

/// The summary of every row of a sweep file (summarize_sweep over its swept parameters),
/// reading the margin, ok and variant index columns and then one parameter column at a time:
/// a sweep keeps nothing per row in memory while it runs and summarises its file at the end.
SweepSummary summarize_sweep_rows(const ResultsFile& file, std::span<const double> thresholds_dB, std::size_t worst_k);

/// Writes (or replaces) the /summary group.
void write_summary(ResultsStore& store, const SweepSummary& summary);

}  // namespace eyesweep
