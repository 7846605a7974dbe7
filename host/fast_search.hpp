// The fast engines' steps around the per-point math of kernels/search_point.hpp: the tables
// of one variant, the CPU search over its grid points, the K best points, and the final
// double-precision analysis of the winner (shared by the CPU and CUDA engines).
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "host/engine.hpp"
#include "host/search_tables.hpp"

namespace eyesweep {

/// Every CTLE record of a batch of variants, one layout for all (record = variant x CTLE
/// settings + CTLE setting).
struct BatchTables {
  search::TableLayout layout;
  std::size_t n_ctle = 0;
  std::vector<float> floats;
  std::vector<double> doubles;
  std::vector<int> ints;
  search::CtleView record(std::size_t variant, std::size_t ctle) const {
    return search::ctle_view(layout, floats.data(), doubles.data(), ints.data(),
                             static_cast<long long>(variant * n_ctle + ctle));
  }
  /// Bytes of the tables per variant.
  std::size_t bytes_per_variant() const;
};

/// Called per record with the CTLE setting's context its tables came from: (variant index,
/// CTLE index, context), on the worker threads.
using RecordContextSink = std::function<void(std::size_t, std::size_t, const CtleContext&)>;

/// The tables of `variants` on `threads` threads (0 = all cores); `also` (if given) receives
/// each record's context, for tables of its own built in the same pass (the MMSE search's).
BatchTables build_tables(const std::vector<const PreparedVariant*>& variants, const SearchGrid& grid, unsigned threads,
                         const RecordContextSink& also = {});

/// The K best grid points seen: best first; of equal FOMs the earlier point (CTLE setting,
/// then Tx combination, in the script's order) ranks first, as the script's search keeps it.
class BestPoints {
 public:
  explicit BestPoints(std::size_t keep) : keep_(keep < 1 ? 1 : keep) {}
  void offer(double fom_dB, std::size_t ctle, std::size_t tx);
  void merge(const BestPoints& other);
  /// Best first.
  std::vector<GridPointScore> sorted() const;
  /// The K-th best FOM kept so far (-infinity until K points are kept): a point must beat it.
  double threshold() const { return points_.size() < keep_ ? -INFINITY : points_.front().fom_dB; }

 private:
  std::size_t keep_;
  std::vector<GridPointScore> points_;  ///< a heap, worst on top
};

/// Scores every grid point of variant `index` of the tables on `threads` CPU threads; the
/// `keep` best.
std::vector<GridPointScore> cpu_search(const PreparedVariant& variant, const SearchGrid& grid, const BatchTables& tables,
                                       std::size_t index, unsigned threads, std::size_t keep);

/// The final analysis of a fast search's best points (best first): the winner re-scored by
/// the reference evaluator in double (the next point if rounding made it invalid there),
/// then analyse_winner. Throws InputError when no point was a valid receiver.
VariantResult finish_variant(const PreparedVariant& variant, const SearchGrid& grid, std::vector<GridPointScore> best,
                             std::size_t top_k);

}  // namespace eyesweep
