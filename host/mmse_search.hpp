// The MMSE Rx FFE receiver's search of one variant (802.3dj Annex 178A; com-reference.md
// section 3.1): the tables of kernels/mmse_point.hpp for every CTLE setting of the grid, built
// from the reference evaluator's own per-CTLE context, and the CPU engine's search over them;
// the CUDA engine searches the same tables on the device (kernels/search_device.hpp).
// Searched: the MMSE solver with any cursor rule; not sample_adjustment, PRZF or floating DFE
// taps (fast_engine_limitation).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "host/com_config.hpp"
#include "host/engine.hpp"
#include "host/fast_search.hpp"
#include "host/search_tables.hpp"
#include "kernels/mmse_point.hpp"

namespace eyesweep {

/// The MMSE tables of one variant's CTLE settings (record = CTLE setting).
struct MmseTables {
  search::MmseLayout layout;
  std::vector<double> doubles;
  std::vector<float> floats;
  std::vector<int> ints;
  search::MmseRecordView record(std::size_t ctle) const {
    return search::mmse_view(layout, doubles.data(), floats.data(), ints.data(), static_cast<long long>(ctle));
  }
};

/// The MMSE search of one prepared variant: the fast engines' peak-search records and the
/// MMSE tables of every CTLE setting of the grid (built on construction).
class MmseSearch {
 public:
  /// `grid` must outlive the search. Throws InputError where the cpu engine cannot search
  /// the variant's configuration (fast_engine_limitation).
  MmseSearch(const PreparedVariant& variant, const SearchGrid& grid, unsigned threads);
  ~MmseSearch();
  MmseSearch(const MmseSearch&) = delete;
  MmseSearch& operator=(const MmseSearch&) = delete;

  /// The FOM of one grid point (-infinity where it gives no valid receiver) and its cursor.
  search::PointScore score(std::size_t ctle, std::size_t tx) const;

  /// The `keep` best of the grid points [first, last) (flat index ctle x n_tx + tx, the
  /// script's order) on `threads` threads (0 = all cores), best first; invalid points left out.
  std::vector<GridPointScore> search(unsigned threads, std::size_t keep, std::size_t first = 0,
                                     std::size_t last = SIZE_MAX) const;

  /// Bytes of the tables (peak-search records and MMSE tables).
  std::size_t table_bytes() const;

  /// What the CUDA engine copies to the device: the peak search's records (one variant), the
  /// MMSE tables and the receiver's shape.
  const BatchTables& peak_tables() const { return peak_tables_; }
  const MmseTables& tables() const { return tables_; }
  const search::RxFfeView& receiver() const { return receiver_; }

 private:
  const PreparedVariant& variant_;
  const SearchGrid& grid_;
  search::GridView grid_view_;
  search::RxFfeView receiver_;
  BatchTables peak_tables_;
  MmseTables tables_;
};

}  // namespace eyesweep
