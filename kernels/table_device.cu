// The search tables built on the device; see table_device.hpp.
#include "kernels/table_device.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>

#include "kernels/common/cuda_check.cuh"
#include "kernels/common/device_buffer.cuh"
#include "kernels/detail/table_kernels.cuh"
#include "kernels/pinned_array.hpp"

namespace eyesweep::cuda {
namespace {

constexpr int kFlatBlock = 256;    ///< threads per block of the per-element kernels
constexpr int kRecordBlock = 64;   ///< threads per block of the one-thread-per-record kernels
constexpr int kIntegralBlock = 128;
constexpr unsigned kMaxBlocks = 1u << 16;  ///< the kernels loop over the rest

/// Blocks for `count` items of `block` threads each (the kernels stride over any excess).
unsigned blocks_for(long long count, int block) {
  const long long blocks = (count + block - 1) / block;
  return static_cast<unsigned>(std::clamp<long long>(blocks, 1, kMaxBlocks));
}

/// Launches the Gram forms' kernel instantiated for the grid's tap count.
struct GramLaunch {
  const detail::BuildArgs& args;
  unsigned blocks;
  cudaStream_t stream;
  template <int kTaps>
  void operator()() const {
    detail::gram_kernel<kTaps><<<blocks, kRecordBlock, 0, stream>>>(args);
    ES_CUDA_CHECK_LAUNCH();
  }
};

/// `buffer` holds at least `count` elements afterwards (contents not kept): grown by a
/// quarter at least, never shrunk, so that batches like the last allocate nothing.
template <typename T>
void reserve(DeviceBuffer<T>& buffer, std::size_t count) {
  if (buffer.size() < count) buffer = DeviceBuffer<T>(std::max(count, buffer.size() + buffer.size() / 4));
}

/// The doubles of one variant's inputs that cross the bus, in the order they are packed.
std::size_t input_doubles(const search::TableSource& s) {
  const ctle::SpectrumView& f = s.spectrum;
  return static_cast<std::size_t>(s.view.N) + 3 * static_cast<std::size_t>(f.n_f) + (f.rx_noise ? f.n_f : 0) +
         static_cast<std::size_t>(f.n_xt) * (1 + 2 * static_cast<std::size_t>(f.n_aggressors)) + f.n_aggressors;
}

}  // namespace

struct TableDevice::Impl {
  int device = 0;
  cudaStream_t stream = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  float last_ms = 0.0f;
  search::RecordShape shape;
  int n_ctle = 0;
  DeviceBuffer<CtleSetting> ctle;

  search::TableLayout layout;
  std::size_t records = 0;
  PinnedArray<double> staged;             // every variant's inputs, packed
  PinnedArray<unsigned char> staged_kinds;
  PinnedArray<search::TableSource> staged_sources;  // with device pointers
  DeviceBuffer<double> inputs, series, impulse, pulse, power_fext, power_moments, doubles;
  DeviceBuffer<ctle::PowerIntegrals> power_integrals;
  DeviceBuffer<unsigned char> kinds;
  DeviceBuffer<search::TableSource> sources;
  DeviceBuffer<float> floats;
  DeviceBuffer<int> ints;

  ~Impl() {
    if (start) cudaEventDestroy(start);
    if (stop) cudaEventDestroy(stop);
    if (stream) cudaStreamDestroy(stream);
  }
};

TableDevice::TableDevice(int device, const std::vector<CtleSetting>& ctle, const search::RecordShape& shape)
    : impl_(std::make_unique<Impl>()) {
  // The records' noise and crosstalk fields come from one set of power terms per variant.
  for (const CtleSetting& s : ctle) {
    if (!ctle::same_poles(s, ctle.front())) throw CudaError("table build: CTLE settings with different poles or zeros");
  }
  Impl& d = *impl_;
  d.device = device;
  ES_CUDA_TRY(cudaSetDevice(device));
  ES_CUDA_TRY(cudaStreamCreateWithFlags(&d.stream, cudaStreamNonBlocking));
  ES_CUDA_TRY(cudaEventCreate(&d.start));
  ES_CUDA_TRY(cudaEventCreate(&d.stop));
  d.shape = shape;
  d.n_ctle = static_cast<int>(ctle.size());
  d.ctle = DeviceBuffer<CtleSetting>(ctle.size());
  d.ctle.upload(ctle.data(), ctle.size(), d.stream);
  ES_CUDA_TRY(cudaStreamSynchronize(d.stream));
}

TableDevice::~TableDevice() = default;

std::size_t TableDevice::bytes_per_variant(const search::TableLayout& layout, const search::TableSource& source) const {
  const Impl& d = *impl_;
  const auto n_xt = static_cast<std::size_t>(source.view.n_xt);
  const std::size_t per_record = static_cast<std::size_t>(layout.floats()) * sizeof(float) +
                                 static_cast<std::size_t>(layout.doubles()) * sizeof(double) +
                                 static_cast<std::size_t>(layout.ints()) * sizeof(int) +
                                 static_cast<std::size_t>(layout.pulse_len + layout.pulse_floats()) * sizeof(double);
  const std::size_t power = (ctle::kPowerTerms * n_xt + static_cast<std::size_t>(d.shape.fext_terms) * ctle::kPowerTerms) *
                                sizeof(double) +
                            sizeof(ctle::PowerIntegrals);
  return static_cast<std::size_t>(d.n_ctle) * per_record + input_doubles(source) * sizeof(double) +
         static_cast<std::size_t>(d.shape.fext_terms) * n_xt * sizeof(double) + power + sizeof(search::TableSource) +
         static_cast<std::size_t>(source.spectrum.n_aggressors);
}

void TableDevice::build(const search::TableLayout& layout, const std::vector<search::TableSource>& sources) {
  Impl& d = *impl_;
  ES_CUDA_TRY(cudaSetDevice(d.device));
  const std::size_t variants = sources.size();
  // The kernels write within each record only where the layout has room for these.
  const bool series = d.shape.fext_terms > 0;
  if (series && layout.fext_len != d.shape.fext_terms) throw CudaError("table build: the layout has no room for the moments");
  if (layout.gram != d.shape.num_taps * (d.shape.num_taps + 1) / 2) {
    throw CudaError("table build: the layout's Gram size is not the grid's");
  }
  std::size_t total = 0, total_kinds = 0;
  int max_xt = 1;
  for (const search::TableSource& s : sources) {
    if (s.view.N > layout.pulse_len || s.view.M != layout.M || s.spectrum.n_xt != s.view.n_xt ||
        (!series && s.view.n_xt > layout.fext_len)) {
      throw CudaError("table build: a variant does not fit the layout");
    }
    total += input_doubles(s);
    total_kinds += static_cast<std::size_t>(s.spectrum.n_aggressors);
    max_xt = std::max(max_xt, s.view.n_xt);
  }
  d.layout = layout;
  d.records = variants * static_cast<std::size_t>(d.n_ctle);
  if (d.records == 0) return;

  // Pack the inputs; the device copies of the sources point into them.
  const auto series_stride = static_cast<long long>(d.shape.fext_terms) * max_xt;
  reserve(d.inputs, total);
  reserve(d.kinds, std::max<std::size_t>(total_kinds, 1));
  reserve(d.series, std::max<std::size_t>(variants * static_cast<std::size_t>(series_stride), 1));
  d.staged.resize(total);
  d.staged_kinds.resize(std::max<std::size_t>(total_kinds, 1));
  d.staged_sources.resize(variants);
  std::size_t at = 0, at_kinds = 0;
  const auto pack = [&](const double* host, std::size_t count) -> const double* {
    if (host == nullptr) return nullptr;
    std::memcpy(d.staged.data() + at, host, count * sizeof(double));
    const double* on_device = d.inputs.data() + at;
    at += count;
    return on_device;
  };
  for (std::size_t v = 0; v < variants; ++v) {
    const search::TableSource& s = sources[v];
    const ctle::SpectrumView& f = s.spectrum;
    search::TableSource& out = d.staged_sources[v];
    out = s;
    out.view.lag_cos = nullptr;  // the search's, not the build's
    out.impulse = pack(s.impulse, static_cast<std::size_t>(s.view.N));
    out.spectrum.f_GHz = pack(f.f_GHz, static_cast<std::size_t>(f.n_f));
    out.spectrum.H_r = pack(f.H_r, 2 * static_cast<std::size_t>(f.n_f));
    out.spectrum.rx_noise = pack(f.rx_noise, static_cast<std::size_t>(f.n_f));
    out.spectrum.sinc2 = pack(f.sinc2, static_cast<std::size_t>(f.n_xt));
    out.spectrum.aggressor_H = pack(f.aggressor_H, 2 * static_cast<std::size_t>(f.n_aggressors) * f.n_xt);
    out.spectrum.aggressor_a2 = pack(f.aggressor_a2, static_cast<std::size_t>(f.n_aggressors));
    if (f.n_aggressors > 0) {
      std::memcpy(d.staged_kinds.data() + at_kinds, f.aggressor_is_fext, static_cast<std::size_t>(f.n_aggressors));
    }
    out.spectrum.aggressor_is_fext = d.kinds.data() + at_kinds;
    at_kinds += static_cast<std::size_t>(f.n_aggressors);
    out.series_cos = d.shape.fext_terms > 0 ? d.series.data() + static_cast<long long>(v) * series_stride : nullptr;
  }
  reserve(d.sources, variants);

  // Scratch and records.
  const auto records = static_cast<long long>(d.records);
  reserve(d.impulse, d.records * static_cast<std::size_t>(layout.pulse_len));
  reserve(d.pulse, d.records * static_cast<std::size_t>(layout.pulse_floats()));
  const auto power_fext_stride = static_cast<long long>(ctle::kPowerTerms) * max_xt;
  reserve(d.power_fext, variants * static_cast<std::size_t>(power_fext_stride));
  reserve(d.power_moments, std::max<std::size_t>(variants * static_cast<std::size_t>(d.shape.fext_terms) * ctle::kPowerTerms, 1));
  reserve(d.power_integrals, variants);
  reserve(d.floats, d.records * static_cast<std::size_t>(layout.floats()));
  reserve(d.doubles, d.records * static_cast<std::size_t>(layout.doubles()));
  reserve(d.ints, d.records * static_cast<std::size_t>(layout.ints()));

  ES_CUDA_TRY(cudaEventRecord(d.start, d.stream));
  d.inputs.upload(d.staged.data(), total, d.stream);
  d.kinds.upload(d.staged_kinds.data(), total_kinds, d.stream);
  d.sources.upload(d.staged_sources.data(), variants, d.stream);
  // Records start zeroed, as the host's (fill_record).
  ES_CUDA_TRY(cudaMemsetAsync(d.floats.data(), 0, d.records * layout.floats() * sizeof(float), d.stream));
  ES_CUDA_TRY(cudaMemsetAsync(d.doubles.data(), 0, d.records * layout.doubles() * sizeof(double), d.stream));
  ES_CUDA_TRY(cudaMemsetAsync(d.ints.data(), 0, d.records * layout.ints() * sizeof(int), d.stream));

  detail::BuildArgs a;
  a.layout = layout;
  a.shape = d.shape;
  a.sources = d.sources.data();
  a.ctle = d.ctle.data();
  a.n_ctle = d.n_ctle;
  a.records = records;
  a.impulse = d.impulse.data();
  a.pulse = d.pulse.data();
  a.power_integrals = d.power_integrals.data();
  a.power_fext = d.power_fext.data();
  a.power_fext_stride = power_fext_stride;
  a.power_moments = d.power_moments.data();
  a.floats = d.floats.data();
  a.doubles = d.doubles.data();
  a.ints = d.ints.data();
  cudaStream_t s = d.stream;
  if (d.shape.fext_terms > 0) {
    detail::series_kernel<<<blocks_for(static_cast<long long>(variants) * max_xt, kFlatBlock), kFlatBlock, 0, s>>>(
        a.sources, static_cast<int>(variants), d.shape.fext_terms, max_xt, d.series.data(), series_stride);
    ES_CUDA_CHECK_LAUNCH();
  }
  detail::filter_kernel<<<blocks_for(records, kRecordBlock), kRecordBlock, 0, s>>>(a);
  ES_CUDA_CHECK_LAUNCH();
  detail::pulse_kernel<<<blocks_for(records * layout.pulse_floats(), kFlatBlock), kFlatBlock, 0, s>>>(a);
  ES_CUDA_CHECK_LAUNCH();
  detail::peak_kernel<<<blocks_for(records, kRecordBlock), kRecordBlock, 0, s>>>(a);
  ES_CUDA_CHECK_LAUNCH();
  const GramLaunch gram{a, blocks_for(records * 2 * layout.M, kRecordBlock), s};
  if (!search::dispatch_taps(d.shape.num_taps, gram)) throw CudaError("table build: Tx tap count outside 1..8");
  const auto n_variants = static_cast<int>(variants);
  detail::power_kernel<kIntegralBlock>
      <<<static_cast<unsigned>(std::min<long long>(n_variants, kMaxBlocks)), kIntegralBlock, 0, s>>>(a, n_variants);
  ES_CUDA_CHECK_LAUNCH();
  if (d.shape.fext_terms > 0) {
    const long long moments = static_cast<long long>(n_variants) * d.shape.fext_terms * ctle::kPowerTerms;
    detail::power_moments_kernel<<<blocks_for(moments, kFlatBlock), kFlatBlock, 0, s>>>(a, n_variants);
    ES_CUDA_CHECK_LAUNCH();
  }
  detail::crosstalk_kernel<<<blocks_for(records, kRecordBlock), kRecordBlock, 0, s>>>(a);
  ES_CUDA_CHECK_LAUNCH();
  ES_CUDA_TRY(cudaEventRecord(d.stop, s));
  ES_CUDA_TRY(cudaStreamSynchronize(s));
  ES_CUDA_TRY(cudaEventElapsedTime(&d.last_ms, d.start, d.stop));
}

std::size_t TableDevice::held_bytes() const {
  const Impl& d = *impl_;
  return (d.inputs.size() + d.series.size() + d.impulse.size() + d.pulse.size() + d.power_fext.size() +
          d.power_moments.size() + d.doubles.size()) *
             sizeof(double) +
         d.power_integrals.size() * sizeof(ctle::PowerIntegrals) + d.floats.size() * sizeof(float) +
         d.ints.size() * sizeof(int) + d.kinds.size() + d.sources.size() * sizeof(search::TableSource);
}

const float* TableDevice::floats() const { return impl_->floats.data(); }
const double* TableDevice::doubles() const { return impl_->doubles.data(); }
const int* TableDevice::ints() const { return impl_->ints.data(); }
std::size_t TableDevice::records() const { return impl_->records; }
double TableDevice::last_build_seconds() const { return impl_->last_ms * 1e-3; }

void TableDevice::download(float* floats, double* doubles, int* ints) const {
  const Impl& d = *impl_;
  ES_CUDA_TRY(cudaSetDevice(d.device));
  d.floats.download(floats, d.records * static_cast<std::size_t>(d.layout.floats()), d.stream);
  d.doubles.download(doubles, d.records * static_cast<std::size_t>(d.layout.doubles()), d.stream);
  d.ints.download(ints, d.records * static_cast<std::size_t>(d.layout.ints()), d.stream);
  ES_CUDA_TRY(cudaStreamSynchronize(d.stream));
}

}  // namespace eyesweep::cuda
