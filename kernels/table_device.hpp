// The search tables of a batch built on the device, behind a plain C++ API (no CUDA
// headers): each variant's impulse response and spectra cross the bus (about 1 MB for a
// KR-size variant, against 12 MB of finished tables), and every (variant, CTLE setting)
// record is built there by the functions the host builds it with (kernels/ctle_response.hpp,
// kernels/ctle_record.hpp). The records stay on the device for SearchDevice::search_resident.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "kernels/ctle_record.hpp"
#include "kernels/ctle_response.hpp"
#include "kernels/search_layout.hpp"

namespace eyesweep::cuda {

class TableDevice {
 public:
  /// The grid's CTLE settings and what its records take from the Tx grid, on `device`.
  TableDevice(int device, const std::vector<CtleSetting>& ctle, const search::RecordShape& shape);
  ~TableDevice();
  TableDevice(const TableDevice&) = delete;
  TableDevice& operator=(const TableDevice&) = delete;

  /// Builds the records of `sources.size()` variants x the CTLE settings, laid out as `layout`
  /// (record = variant x settings + setting), from the sources' host arrays. Device memory is
  /// kept from build to build and grown when a batch needs more.
  void build(const search::TableLayout& layout, const std::vector<search::TableSource>& sources);

  /// Device memory a variant of `source` takes in a build of `layout` (records, scratch and
  /// inputs), to size batches by: a build strides its per-variant crosstalk scratch by the
  /// batch's most crosstalk frequencies, so take the largest figure of a batch's variants.
  std::size_t bytes_per_variant(const search::TableLayout& layout, const search::TableSource& source) const;

  /// Device memory this builder's batch buffers hold now (kept from build to build and reused
  /// by the next; the grid's CTLE settings, a few kB, not counted), bytes.
  std::size_t held_bytes() const;

  /// The last build's records: device pointers, valid until the next build.
  const float* floats() const;
  const double* doubles() const;
  const int* ints() const;
  std::size_t records() const;

  /// The last build's records copied into host arrays of records() x the layout's sizes.
  void download(float* floats, double* doubles, int* ints) const;

  /// The last build's time on the device (CUDA events: kernels and the input copies), seconds.
  double last_build_seconds() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eyesweep::cuda
