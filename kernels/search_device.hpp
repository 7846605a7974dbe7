// The CUDA search of a batch, behind a plain C++ API (no CUDA headers): the grid's arrays
// live on the device for the engine's life; each batch's tables are copied in, every
// (variant, CTLE, Tx) point is scored by one thread, and each (variant, CTLE) record keeps its
// best point as a packed key (FOM, then the lower Tx index on ties). The DFE receiver's
// search takes many variants per call, the MMSE Rx FFE receiver's one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/mmse_point.hpp"
#include "kernels/search_layout.hpp"
#include "kernels/search_point.hpp"

namespace eyesweep::cuda {

/// The best point of a record: the FOM (as float) in the high word, the bitwise complement of
/// the Tx index in the low word, so that the largest key is the best point and, of equal
/// FOMs, the first. 0: no point was scored.
struct BestKey {
  static double fom_dB(std::uint64_t key);
  static std::size_t tx_index(std::uint64_t key) { return 0xFFFFFFFFu - static_cast<std::uint32_t>(key & 0xFFFFFFFFu); }
};

class SearchDevice {
 public:
  /// Uploads the grid (host pointers in `grid`, sizes from it) to `device`; its taps_exact
  /// only where given (the MMSE search needs them, the DFE search not).
  SearchDevice(int device, const search::GridView& grid);
  ~SearchDevice();
  SearchDevice(const SearchDevice&) = delete;
  SearchDevice& operator=(const SearchDevice&) = delete;

  std::string device_name() const;
  /// Free device memory now (bytes).
  std::size_t free_bytes() const;

  /// Scores every point of `variants.size()` variants x `n_ctle` records laid out as
  /// `layout` (host arrays, record r = variant * n_ctle + ctle); returns one key per record.
  /// Variant views carry host pointers (lag_cos), replaced by device copies here.
  /// The last search's kernel time on the device (CUDA events; without the copies), seconds.
  double last_kernel_seconds() const;

  std::vector<std::uint64_t> search(const search::TableLayout& layout, const std::vector<search::VariantView>& variants,
                                    std::size_t n_ctle, const float* floats, const double* doubles, const int* ints);
  /// The same on records already on the device (device pointers; TableDevice's).
  std::vector<std::uint64_t> search_resident(const search::TableLayout& layout,
                                             const std::vector<search::VariantView>& variants, std::size_t n_ctle,
                                             const float* floats, const double* doubles, const int* ints);

  /// The MMSE Rx FFE search of one variant (the grid given with taps_exact): its `n_ctle`
  /// peak-search records laid out as `peak_layout` and its MMSE tables (one record per CTLE
  /// setting, host arrays; MmseSearch builds both); returns one key per CTLE setting.
  std::vector<std::uint64_t> search_mmse(const search::VariantView& variant, std::size_t n_ctle,
                                         const search::TableLayout& peak_layout, const float* peak_floats,
                                         const double* peak_doubles, const int* peak_ints,
                                         const search::MmseLayout& layout, const double* doubles, const float* floats,
                                         const int* ints, const search::RxFfeView& ffe);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eyesweep::cuda
