// The IEEE script's `Local Search` pruning of the equaliser search (optimize_fom with
// LOCAL_SEARCH > 0, the sheets' "Local Search"), reproduced so that eyesweep can make the
// script's choice where that pruned search misses the global optimum. eyesweep's own search
// stays exhaustive unless asked (`eyesweep com --local-search`).
#pragma once

#include <vector>

#include "host/com_config.hpp"
#include "host/eq_grid.hpp"
#include "host/fom_search.hpp"

namespace eyesweep {

/// The grid in the script's order (g_DC, then g_DC_HP, then the Tx combinations), one point
/// after another, skipping, once a best point exists:
/// - a Tx combination in which a swept tap is more than `steps` values away from the best
///   point's while the tap before it in the script's list c(-P) .. c(-1), c(1) .. c(Q)
///   (P >= 4, Q >= 3; for the first, the g_DC_HP loop) is past its first value;
/// - every point whose g_DC_HP is more than `steps` values from the best point's, after the
///   first g_DC.
/// The first strictly best point wins. Sequential, since each skip depends on the best so far;
/// grid_points counts the points evaluated.
SearchResult search_equalizer_local(const FomEvaluator& evaluator, const ComConfig& cfg,
                                    const std::vector<CtleSetting>& ctle_grid, const TxGrid& tx_grid, int steps,
                                    unsigned threads);

}  // namespace eyesweep
