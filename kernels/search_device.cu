// The CUDA search of a batch; see search_device.hpp.
#include "kernels/search_device.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/common/cuda_check.cuh"
#include "kernels/common/device_buffer.cuh"
#include "kernels/detail/mmse_kernel.cuh"
#include "kernels/detail/search_kernel.cuh"

namespace eyesweep::cuda {
namespace {

constexpr int kBlock = 128;
constexpr int kMaxTilesPerRecord = 64;  ///< blocks per record; threads loop over the rest

/// A new buffer holding a copy of `count` host elements.
template <typename T>
DeviceBuffer<T> upload_new(const T* host, std::size_t count, cudaStream_t stream) {
  DeviceBuffer<T> buffer(count);
  buffer.upload(host, count, stream);
  return buffer;
}

/// Launches the kernel instantiated for the grid's tap count.
struct Launch {
  cudaStream_t stream;
  search::GridView grid;
  dim3 blocks;
  std::size_t shared;
  const search::VariantView* views;
  const search::TableLayout& layout;
  const float* floats;
  const double* doubles;
  const int* ints;
  int n_ctle;
  bool in_shared;
  unsigned long long* best;
  template <int kTaps>
  void operator()() const {
    auto kernel = detail::search_kernel<kTaps, kBlock>;
    ES_CUDA_TRY(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(shared)));
    kernel<<<blocks, kBlock, shared, stream>>>(grid, views, layout, floats, doubles, ints, n_ctle, in_shared, best);
    ES_CUDA_CHECK_LAUNCH();
  }
};

/// Launches the MMSE kernel instantiated for the grid's tap count.
struct MmseLaunch {
  cudaStream_t stream;
  search::GridView grid;
  dim3 blocks;
  search::VariantView variant;
  const search::TableLayout& peak_layout;
  const float* peak_floats;
  const double* peak_doubles;
  const int* peak_ints;
  const search::MmseLayout& layout;
  const double* doubles;
  const float* floats;
  const int* ints;
  search::RxFfeView ffe;
  unsigned long long* best;
  template <int kTaps>
  void operator()() const {
    detail::mmse_kernel<kTaps, kBlock><<<blocks, kBlock, 0, stream>>>(grid, variant, peak_layout, peak_floats,
                                                                       peak_doubles, peak_ints, layout, doubles,
                                                                       floats, ints, ffe, best);
    ES_CUDA_CHECK_LAUNCH();
  }
};

/// Blocks of Tx tiles per record.
unsigned tiles_per_record(long long num_tx) {
  return static_cast<unsigned>(std::min<long long>(kMaxTilesPerRecord, (num_tx + kBlock - 1) / kBlock));
}
}  // namespace

double BestKey::fom_dB(std::uint64_t key) {
  if (key == 0) return -INFINITY;
  const auto ordered = static_cast<std::uint32_t>(key >> 32);
  const std::uint32_t bits = (ordered & 0x80000000u) ? (ordered & 0x7FFFFFFFu) : ~ordered;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

struct SearchDevice::Impl {
  int device = 0;
  cudaStream_t stream = nullptr;
  search::GridView grid;  // device pointers
  DeviceBuffer<float> taps;
  DeviceBuffer<double> fext_coeff, b_max, b_min;
  DeviceBuffer<double> taps_exact;  // where the grid gives them (the MMSE search)
  std::size_t max_shared_bytes = 0;
  cudaEvent_t kernel_start = nullptr, kernel_stop = nullptr;
  float last_kernel_ms = 0.0f;

  /// Runs `launch` (tap-count dispatch) between the timing events and returns the keys of
  /// `records` records from `best`.
  template <typename Launch>
  std::vector<std::uint64_t> run(const Launch& launch, DeviceBuffer<unsigned long long>& best, std::size_t records) {
    ES_CUDA_TRY(cudaEventRecord(kernel_start, stream));
    if (!search::dispatch_taps(grid.num_taps, launch)) throw CudaError("search kernel: Tx tap count outside 1..8");
    ES_CUDA_TRY(cudaEventRecord(kernel_stop, stream));
    std::vector<std::uint64_t> keys(records);
    static_assert(sizeof(unsigned long long) == sizeof(std::uint64_t));
    best.download(reinterpret_cast<unsigned long long*>(keys.data()), records, stream);
    ES_CUDA_TRY(cudaStreamSynchronize(stream));
    ES_CUDA_TRY(cudaEventElapsedTime(&last_kernel_ms, kernel_start, kernel_stop));
    return keys;
  }

  ~Impl() {
    if (kernel_start) cudaEventDestroy(kernel_start);
    if (kernel_stop) cudaEventDestroy(kernel_stop);
    if (stream) cudaStreamDestroy(stream);
  }
};

SearchDevice::SearchDevice(int device, const search::GridView& grid) : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.device = device;
  ES_CUDA_TRY(cudaSetDevice(device));
  ES_CUDA_TRY(cudaStreamCreateWithFlags(&d.stream, cudaStreamNonBlocking));
  ES_CUDA_TRY(cudaEventCreate(&d.kernel_start));
  ES_CUDA_TRY(cudaEventCreate(&d.kernel_stop));
  cudaDeviceProp prop{};
  ES_CUDA_TRY(cudaGetDeviceProperties(&prop, device));
  d.max_shared_bytes = prop.sharedMemPerBlockOptin;
  d.grid = grid;
  // A record's key holds the Tx index in 32 bits.
  if (grid.num_tx >= 0xFFFFFFFFLL) throw CudaError("search: more Tx combinations than a record's key can index");
  const auto n_tx = static_cast<std::size_t>(grid.num_tx);
  d.taps = upload_new(grid.taps, n_tx * static_cast<std::size_t>(grid.num_taps), d.stream);
  d.fext_coeff = upload_new(grid.fext_coeff, n_tx * static_cast<std::size_t>(grid.fext_terms), d.stream);
  d.b_max = upload_new(grid.b_max, static_cast<std::size_t>(grid.dfe_taps), d.stream);
  d.b_min = upload_new(grid.b_min, static_cast<std::size_t>(grid.dfe_taps), d.stream);
  if (grid.taps_exact != nullptr) d.taps_exact = upload_new(grid.taps_exact, n_tx * static_cast<std::size_t>(grid.num_taps), d.stream);
  d.grid.taps = d.taps.data();
  d.grid.taps_exact = grid.taps_exact != nullptr ? d.taps_exact.data() : nullptr;
  d.grid.fext_coeff = d.fext_coeff.data();
  d.grid.b_max = d.b_max.data();
  d.grid.b_min = d.b_min.data();
  ES_CUDA_TRY(cudaStreamSynchronize(d.stream));
}

SearchDevice::~SearchDevice() = default;

std::string SearchDevice::device_name() const {
  cudaDeviceProp prop{};
  ES_CUDA_TRY(cudaGetDeviceProperties(&prop, impl_->device));
  return prop.name;
}

double SearchDevice::last_kernel_seconds() const { return impl_->last_kernel_ms * 1e-3; }

std::size_t SearchDevice::free_bytes() const {
  ES_CUDA_TRY(cudaSetDevice(impl_->device));
  std::size_t free = 0, total = 0;
  ES_CUDA_TRY(cudaMemGetInfo(&free, &total));
  return free;
}

std::vector<std::uint64_t> SearchDevice::search(const search::TableLayout& layout,
                                                const std::vector<search::VariantView>& variants, std::size_t n_ctle,
                                                const float* floats, const double* doubles, const int* ints) {
  Impl& d = *impl_;
  ES_CUDA_TRY(cudaSetDevice(d.device));
  const std::size_t records = variants.size() * n_ctle;
  if (records == 0) return {};
  const DeviceBuffer<float> dev_floats = upload_new(floats, records * static_cast<std::size_t>(layout.floats()), d.stream);
  const DeviceBuffer<double> dev_doubles = upload_new(doubles, records * static_cast<std::size_t>(layout.doubles()), d.stream);
  const DeviceBuffer<int> dev_ints = upload_new(ints, records * static_cast<std::size_t>(layout.ints()), d.stream);
  return search_resident(layout, variants, n_ctle, dev_floats.data(), dev_doubles.data(), dev_ints.data());
}

std::vector<std::uint64_t> SearchDevice::search_resident(const search::TableLayout& layout,
                                                         const std::vector<search::VariantView>& variants,
                                                         std::size_t n_ctle, const float* floats, const double* doubles,
                                                         const int* ints) {
  Impl& d = *impl_;
  ES_CUDA_TRY(cudaSetDevice(d.device));
  const std::size_t records = variants.size() * n_ctle;
  if (records == 0) return {};

  // The direct crosstalk sum needs each variant's cosine table on the device.
  std::vector<search::VariantView> views = variants;
  std::size_t lag_total = 0;
  for (const search::VariantView& v : views) lag_total += v.lag_cos ? static_cast<std::size_t>(d.grid.num_taps) * v.n_xt : 0;
  DeviceBuffer<double> lag_cos(lag_total);
  for (std::size_t i = 0, at = 0; i < views.size(); ++i) {
    if (!views[i].lag_cos || d.grid.fext_terms > 0) {
      views[i].lag_cos = nullptr;
      continue;
    }
    const std::size_t n = static_cast<std::size_t>(d.grid.num_taps) * views[i].n_xt;
    ES_CUDA_TRY(cudaMemcpyAsync(lag_cos.data() + at, views[i].lag_cos, n * sizeof(double), cudaMemcpyHostToDevice, d.stream));
    views[i].lag_cos = lag_cos.data() + at;
    at += n;
  }
  DeviceBuffer<search::VariantView> dev_views = upload_new(views.data(), views.size(), d.stream);
  DeviceBuffer<unsigned long long> best(records);
  best.fill_bytes(0, d.stream);

  // The pulse goes to shared memory when it fits.
  const std::size_t pulse_bytes = static_cast<std::size_t>(layout.pulse_floats()) * sizeof(float);
  const bool in_shared = pulse_bytes <= std::min<std::size_t>(d.max_shared_bytes, 96 * 1024);
  const std::size_t shared = in_shared ? pulse_bytes : 0;
  const dim3 blocks(static_cast<unsigned>(records), tiles_per_record(d.grid.num_tx));
  const Launch launch{d.stream, d.grid, blocks, shared, dev_views.data(), layout, floats, doubles,
                      ints, static_cast<int>(n_ctle), in_shared, best.data()};
  return d.run(launch, best, records);
}

std::vector<std::uint64_t> SearchDevice::search_mmse(const search::VariantView& variant, std::size_t n_ctle,
                                                     const search::TableLayout& peak_layout, const float* peak_floats,
                                                     const double* peak_doubles, const int* peak_ints,
                                                     const search::MmseLayout& layout, const double* doubles,
                                                     const float* floats, const int* ints,
                                                     const search::RxFfeView& ffe) {
  Impl& d = *impl_;
  ES_CUDA_TRY(cudaSetDevice(d.device));
  if (n_ctle == 0) return {};
  if (d.grid.taps_exact == nullptr) throw CudaError("MMSE search: the device was given no double Tx taps");
  // The kernel's fixed-size arrays and the tables' strides rest on these.
  const int taps = d.grid.num_taps;
  if (layout.pairs != taps * (taps + 1) / 2 || layout.lags != ffe.taps || ffe.taps < 1 ||
      ffe.taps > search::kMaxRxFfeTaps || d.grid.dfe_taps > search::kMaxMmseDfeTaps || layout.M != variant.M ||
      layout.M != peak_layout.M || layout.pulse_pad != peak_layout.pulse_pad || layout.pulse_len != variant.N) {
    throw CudaError("MMSE search: the tables do not match the grid, the variant or the receiver");
  }
  search::VariantView v = variant;
  v.lag_cos = nullptr;  // a host pointer; the MMSE score reads no crosstalk series
  const DeviceBuffer<float> dev_peak_floats = upload_new(peak_floats, n_ctle * static_cast<std::size_t>(peak_layout.floats()), d.stream);
  const DeviceBuffer<double> dev_peak_doubles = upload_new(peak_doubles, n_ctle * static_cast<std::size_t>(peak_layout.doubles()), d.stream);
  const DeviceBuffer<int> dev_peak_ints = upload_new(peak_ints, n_ctle * static_cast<std::size_t>(peak_layout.ints()), d.stream);
  const DeviceBuffer<double> dev_doubles = upload_new(doubles, n_ctle * static_cast<std::size_t>(layout.doubles()), d.stream);
  const DeviceBuffer<float> dev_floats = upload_new(floats, n_ctle * static_cast<std::size_t>(layout.floats()), d.stream);
  const DeviceBuffer<int> dev_ints = upload_new(ints, n_ctle * static_cast<std::size_t>(layout.ints()), d.stream);
  DeviceBuffer<unsigned long long> best(n_ctle);
  best.fill_bytes(0, d.stream);
  const dim3 blocks(static_cast<unsigned>(n_ctle), tiles_per_record(d.grid.num_tx));
  const MmseLaunch launch{d.stream, d.grid, blocks, v, peak_layout, dev_peak_floats.data(), dev_peak_doubles.data(),
                          dev_peak_ints.data(), layout, dev_doubles.data(), dev_floats.data(), dev_ints.data(), ffe,
                          best.data()};
  return d.run(launch, best, n_ctle);
}

}  // namespace eyesweep::cuda
