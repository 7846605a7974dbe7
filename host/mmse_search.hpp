// The CPU engine's search of the MMSE Rx FFE receiver (802.3dj Annex 178A; com-reference.md
// section 3.1): what FomEvaluator::evaluate computes for an Rx FFE configuration, rearranged
// so that a grid point costs a few thousand operations instead of passes over whole pulses.
//  - The equalised pulse's UI samples at a phase are linear in the Tx taps c, so everything
//    the solve needs from the whole pulse is quadratic in c: the autocorrelation hh(k) of the
//    victim's UI samples (H^T H = toeplitz(hh)), that of the jitter slopes (R_jn), and each
//    FEXT aggressor's per-phase energies (its worst phase) and autocorrelations (R_xn). Each
//    is a table per (CTLE setting, phase, lag) over the tap pairs c_a c_b (MmseSearch builds
//    them from the reference evaluator's own per-CTLE context), dotted with c_a c_b per point.
//  - h0 and Hb (the N_w + N_b UI samples around the cursor) are sampled directly.
//  - The cursor comes from the fast engines' float rule (kernels/search_point.hpp) on the
//    Tx-equalised pulse, as the DFE-only search finds it.
//  - The solve is MmseSolver (host/mmse_solver.hpp, double precision): solve_mmse's results
//    to ~1e-11 from those numbers.
// Tables of the victim's autocorrelation and of the aggressors' phase energies are double,
// those of R_jn and R_xn float (a FOM within ~1e-5 dB of the reference's on the tests' grids).
// Searched: the MMSE solver with any cursor rule; not sample_adjustment, PRZF or floating DFE
// taps (fast_engine_limitation), and not on CUDA.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "host/com_config.hpp"
#include "host/engine.hpp"
#include "host/fast_search.hpp"
#include "host/mmse_solver.hpp"
#include "host/search_tables.hpp"

namespace eyesweep {

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

  struct Tables;  ///< per CTLE setting (mmse_search.cpp)
  struct Scratch;

 private:
  template <int kTaps>
  search::PointScore score_point(std::size_t ctle, std::size_t tx, Scratch& scratch) const;

  const PreparedVariant& variant_;
  const SearchGrid& grid_;
  search::GridView grid_view_;
  BatchTables peak_tables_;
  std::vector<Tables> tables_;
};

}  // namespace eyesweep
