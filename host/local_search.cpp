// The script's Local Search; see local_search.hpp.
#include "host/local_search.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "host/parallel.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

/// Per Tx combination, the 1-based value index of every tap of the script's list
/// c(-P) .. c(-1), c(1) .. c(Q) (1 for taps that are not swept), and which of them are swept.
struct ScriptTapIndices {
  std::size_t cells = 0;
  std::vector<int> index;      ///< combinations x cells
  std::vector<bool> swept;     ///< per cell: more than one value
};

ScriptTapIndices script_tap_indices(const ComConfig& cfg, const TxGrid& grid) {
  const int last = grid.first_offset + static_cast<int>(grid.num_taps) - 1;
  const int P = std::max(4, -grid.first_offset), Q = std::max(3, last);
  std::vector<int> offsets;
  for (int k = -P; k <= Q; ++k) {
    if (k != 0) offsets.push_back(k);
  }
  ScriptTapIndices out;
  out.cells = offsets.size();
  out.swept.assign(out.cells, false);
  std::vector<const std::vector<double>*> values(out.cells, nullptr);
  for (std::size_t c = 0; c < out.cells; ++c) {
    for (const TxTapRange& tap : cfg.tx_taps) {
      if (tap.offset == offsets[c] && tap.values.size() > 1) {
        values[c] = &tap.values;
        out.swept[c] = true;
      }
    }
  }
  const std::size_t n = grid.num_combinations();
  out.index.assign(n * out.cells, 1);
  for (std::size_t x = 0; x < n; ++x) {
    const double* taps = grid.combination(x);
    for (std::size_t c = 0; c < out.cells; ++c) {
      if (!values[c]) continue;
      const double tap = taps[static_cast<std::size_t>(offsets[c] - grid.first_offset)];
      const auto it = std::find(values[c]->begin(), values[c]->end(), tap);
      ES_EXPECTS(it != values[c]->end(), "a Tx tap value of the grid is in its range");
      out.index[x * out.cells + c] = static_cast<int>(it - values[c]->begin()) + 1;
    }
  }
  return out;
}

}  // namespace

SearchResult search_equalizer_local(const FomEvaluator& evaluator, const ComConfig& cfg,
                                    const std::vector<CtleSetting>& ctle_grid, const TxGrid& tx_grid, int steps,
                                    unsigned threads) {
  ES_EXPECTS(steps > 0, "Local Search needs a positive step");
  const std::size_t n_ctle = ctle_grid.size(), n_tx = tx_grid.num_combinations();
  const std::size_t n_g2 = std::max<std::size_t>(cfg.g_DC_HP_dB.size(), 1);
  std::vector<CtleContext> contexts(n_ctle);
  parallel_chunks(n_ctle, 1, worker_count(threads, n_ctle), [&](std::size_t first, std::size_t last, unsigned) {
    for (std::size_t i = first; i < last; ++i) contexts[i] = evaluator.make_context(ctle_grid[i]);
  });
  const ScriptTapIndices taps = script_tap_indices(cfg, tx_grid);

  SearchResult result;
  double best_fom = -INFINITY;
  const int* best_index = nullptr;
  std::size_t best_g2 = 0;
  for (std::size_t c = 0; c < n_ctle; ++c) {
    const std::size_t g_dc = c / n_g2, g2 = c % n_g2;  // the script's ctle_index and g_LP_index, 0-based
    for (std::size_t x = 0; x < n_tx; ++x) {
      if (best_index) {
        const int* index = &taps.index[x * taps.cells];
        bool skip = false;
        for (std::size_t k = 0; k < taps.cells && !skip; ++k) {
          if (!taps.swept[k]) continue;
          const bool outer_moved = k == 0 ? g2 > 0 : index[k - 1] > 1;
          skip = outer_moved && std::abs(index[k] - best_index[k]) > steps;
        }
        if (skip || (g_dc > 0 && std::abs(static_cast<int>(g2) - static_cast<int>(best_g2)) > steps)) continue;
      }
      ++result.grid_points;
      std::optional<FomPoint> point = evaluator.evaluate(contexts[c], tx_grid.combination(x), best_fom);
      if (point && point->fom_dB > best_fom) {
        best_fom = point->fom_dB;
        best_index = &taps.index[x * taps.cells];
        best_g2 = g2;
        result.found = true;
        result.ctle_index = c;
        result.tx_index = x;
        result.best = std::move(*point);
      }
    }
  }
  return result;
}

}  // namespace eyesweep
