// The fast engines' steps around the per-point math; see fast_search.hpp.
#include "host/fast_search.hpp"

#include <algorithm>
#include <cmath>

#include "host/avx2_clones.hpp"
#include "host/parallel.hpp"
#include "host/windowed_pulse.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

/// a ranks before b: higher FOM, or equal FOM and earlier in the script's order.
bool ranks_before(const GridPointScore& a, const GridPointScore& b) {
  if (a.fom_dB != b.fom_dB) return a.fom_dB > b.fom_dB;
  return a.ctle_index != b.ctle_index ? a.ctle_index < b.ctle_index : a.tx_index < b.tx_index;
}

template <int kTaps>
[[ES_AVX2_CLONES]] void scan_points(const search::GridView& g, const search::VariantView& v, const BatchTables& tables,
                 std::size_t index, std::size_t first, std::size_t last, std::size_t n_tx, BestPoints& best) {
  std::size_t ctle = first / n_tx;
  search::CtleView c = tables.record(index, ctle);
  cpu::WindowedPulse<kTaps> y = cpu::window_around_peak<kTaps>(c, v);
  // Points that cannot reach the K-th best so far skip their DFE step (its power ratio, kept
  // in step with the threshold from the chunk's first point on).
  const auto power_ratio = [](double fom_dB) { return std::isfinite(fom_dB) ? std::pow(10.0, fom_dB / 10.0) : 0.0; };
  double threshold = best.threshold(), to_beat = power_ratio(threshold);
  for (std::size_t flat = first; flat < last; ++flat) {
    if (flat / n_tx != ctle) {
      ctle = flat / n_tx;
      c = tables.record(index, ctle);
      y = cpu::window_around_peak<kTaps>(c, v);
    }
    const std::size_t tx = flat % n_tx;
    y.compute(g.taps + tx * kTaps);
    const search::PointScore score = search::score_point<kTaps>(g, v, c, static_cast<long long>(tx), y, to_beat);
    if (score.fom_dB >= best.threshold()) {
      best.offer(score.fom_dB, ctle, tx);
      if (best.threshold() != threshold) {
        threshold = best.threshold();
        to_beat = power_ratio(threshold);
      }
    }
  }
}

}  // namespace

BatchTables build_tables(const std::vector<const PreparedVariant*>& variants, const SearchGrid& grid, unsigned threads,
                         const RecordContextSink& also) {
  BatchTables t;
  t.layout = table_layout(grid, variants);
  t.n_ctle = grid.ctle().size();
  const std::size_t records = variants.size() * t.n_ctle;
  const auto floats = static_cast<std::size_t>(t.layout.floats()), doubles = static_cast<std::size_t>(t.layout.doubles()),
             ints = static_cast<std::size_t>(t.layout.ints());
  t.floats.resize(records * floats);
  t.doubles.resize(records * doubles);
  t.ints.resize(records * ints);
  parallel_chunks(records, 1, worker_count(threads, records), [&](std::size_t first, std::size_t last, unsigned) {
    for (std::size_t r = first; r < last; ++r) {
      const PreparedVariant& variant = *variants[r / t.n_ctle];
      const CtleSetting& ctle = grid.ctle()[r % t.n_ctle];
      float* record_floats = t.floats.data() + r * floats;
      double* record_doubles = t.doubles.data() + r * doubles;
      int* record_ints = t.ints.data() + r * ints;
      if (also) {
        const CtleContext context = variant.evaluator().make_context(ctle);
        variant.fill_record(grid, t.layout, ctle, context.pulse, record_floats, record_doubles, record_ints);
        also(r / t.n_ctle, r % t.n_ctle, context);
      } else {
        variant.fill_record(grid, t.layout, ctle, variant.evaluator().ctle_pulse(ctle), record_floats, record_doubles,
                            record_ints);
      }
    }
  });
  return t;
}

std::size_t BatchTables::bytes_per_variant() const {
  return n_ctle * static_cast<std::size_t>(layout.floats() * 4 + layout.doubles() * 8 + layout.ints() * 4);
}

void BestPoints::offer(double fom_dB, std::size_t ctle, std::size_t tx) {
  const GridPointScore point{fom_dB, ctle, tx};
  if (points_.size() < keep_) {
    points_.push_back(point);
    std::push_heap(points_.begin(), points_.end(), ranks_before);
  } else if (ranks_before(point, points_.front())) {
    std::pop_heap(points_.begin(), points_.end(), ranks_before);
    points_.back() = point;
    std::push_heap(points_.begin(), points_.end(), ranks_before);
  }
}

void BestPoints::merge(const BestPoints& other) {
  for (const GridPointScore& p : other.points_) offer(p.fom_dB, p.ctle_index, p.tx_index);
}

std::vector<GridPointScore> BestPoints::sorted() const {
  std::vector<GridPointScore> out = points_;
  std::sort(out.begin(), out.end(), ranks_before);
  return out;
}

std::vector<GridPointScore> cpu_search(const PreparedVariant& variant, const SearchGrid& grid, const BatchTables& tables,
                                       std::size_t index, unsigned threads, std::size_t keep) {
  const search::GridView g = grid.view();
  const search::VariantView v = variant.view();
  const std::size_t n_tx = grid.tx().num_combinations(), total = grid.points();
  const unsigned workers = worker_count(threads, total / 4096 + 1);
  std::vector<BestPoints> best(workers, BestPoints(keep));
  parallel_chunks(total, 4096, workers, [&](std::size_t first, std::size_t last, unsigned worker) {
    const bool dispatched = search::dispatch_taps(g.num_taps, [&]<int kTaps>() {
      scan_points<kTaps>(g, v, tables, index, first, last, n_tx, best[worker]);
    });
    ES_EXPECTS(dispatched, "Tx tap count outside the fast engines' range");
  });
  for (std::size_t w = 1; w < best.size(); ++w) best[0].merge(best[w]);
  std::vector<GridPointScore> sorted = best[0].sorted();
  // Invalid points (no cursor) score -infinity and never win.
  std::erase_if(sorted, [](const GridPointScore& p) { return !std::isfinite(p.fom_dB); });
  return sorted;
}

VariantResult finish_variant(const PreparedVariant& variant, const SearchGrid& grid, std::vector<GridPointScore> best,
                             std::size_t top_k) {
  const FomEvaluator& evaluator = variant.evaluator();
  SearchResult search;
  search.grid_points = grid.points();
  VariantResult result;
  // The float search's winner, re-scored in double; should rounding make it no valid
  // receiver there (a cursor at the edge of validity), the next best point.
  for (const GridPointScore& candidate : best) {
    const CtleContext context = evaluator.make_context(grid.ctle()[candidate.ctle_index]);
    if (auto point = evaluator.evaluate(context, grid.tx().combination(candidate.tx_index), -INFINITY)) {
      search.found = true;
      search.ctle_index = candidate.ctle_index;
      search.tx_index = candidate.tx_index;
      search.best = std::move(*point);
      result.search_fom_dB = candidate.fom_dB;
      break;
    }
  }
  result.com = analyse_winner(variant.config(), evaluator, grid.tx(), grid.ctle(), search);
  result.com.lengths = variant.config().package_cases.front();
  if (best.size() > top_k) best.resize(top_k);
  result.best_points = std::move(best);
  result.ok = true;
  return result;
}

}  // namespace eyesweep
