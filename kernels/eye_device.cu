// The CUDA statistical eyes of a batch; see eye_device.hpp.
#include "kernels/eye_device.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/common/cuda_check.cuh"
#include "kernels/common/device_buffer.cuh"
#include "kernels/common/error.hpp"
#include "kernels/detail/eye_kernels.cuh"

namespace eyesweep::cuda {
namespace {

constexpr int kPhaseThreads = 256;
constexpr int kMapThreads = 256;

/// Room for `count` elements in `buffer`, reallocated only when it has less, then by a quarter
/// more at least, so that batches of slowly growing sizes do not reallocate every time.
template <typename T>
void grow(DeviceBuffer<T>& buffer, std::size_t count) {
  if (buffer.size() < count) {
    const std::size_t room = std::max(count, buffer.size() + buffer.size() / 4);
    buffer = DeviceBuffer<T>();  // freed first: the old and the new need not fit together
    buffer = DeviceBuffer<T>(room);
  }
}

/// host[0, count) into `buffer`, grown as needed.
template <typename T>
void upload_into(DeviceBuffer<T>& buffer, const T* host, std::size_t count, cudaStream_t stream) {
  grow(buffer, count);
  buffer.upload(host, count, stream);
}

/// Launches the phase kernel compiled for the batch's level count (2, 4, or any).
void launch_phase_tails(int levels, std::size_t jobs, std::size_t shared, cudaStream_t stream, const EyePhaseJob* job,
                        const int* offsets, const double* means, int bins, float* tails) {
  const auto launch = [&](auto kernel) {
    ES_CUDA_TRY(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(shared)));
    kernel<<<static_cast<unsigned>(jobs), kPhaseThreads, shared, stream>>>(job, offsets, means, bins, tails);
    ES_CUDA_CHECK_LAUNCH();
  };
  if (levels == 2) {
    launch(detail::phase_tails_kernel<2, kPhaseThreads>);
  } else if (levels == 4) {
    launch(detail::phase_tails_kernel<4, kPhaseThreads>);
  } else {
    launch(detail::phase_tails_kernel<0, kPhaseThreads>);
  }
}

}  // namespace

std::size_t EyeBatch::tail_floats() const {
  std::size_t floats = 0;
  for (const EyePhaseJob& job : jobs) floats += 2 * static_cast<std::size_t>(job.levels) * static_cast<std::size_t>(bins);
  return floats;
}

std::size_t EyeBatch::shared_bytes(const EyePhaseJob& job) {
  const auto buffers = 2 * (2 * static_cast<std::size_t>(job.buffer_reach) + 1);
  const auto gaussian = 2 * static_cast<std::size_t>(job.gaussian_reach) + 1;
  const auto table = static_cast<std::size_t>(job.variables) * static_cast<std::size_t>(job.levels);
  return (buffers + gaussian) * sizeof(float) + table * sizeof(int);
}

struct EyeDevice::Impl {
  int device = 0;
  cudaStream_t stream = nullptr;
  cudaEvent_t kernel_start = nullptr, kernel_stop = nullptr;
  std::size_t max_shared_bytes = 0;
  float last_kernel_ms = 0.0f;
  // Kept from batch to batch (see run).
  DeviceBuffer<EyePhaseJob> jobs;
  DeviceBuffer<EyeMapJob> eyes;
  DeviceBuffer<int> offsets;
  DeviceBuffer<double> means, weights, mixed_means;
  DeviceBuffer<float> tails, ratio;

  std::size_t held_bytes() const {
    return jobs.size() * sizeof(EyePhaseJob) + eyes.size() * sizeof(EyeMapJob) + offsets.size() * sizeof(int) +
           (means.size() + weights.size() + mixed_means.size()) * sizeof(double) +
           (tails.size() + ratio.size()) * sizeof(float);
  }

  ~Impl() {
    // Copies of a failed run may still be reading or writing the caller's page-locked arrays.
    if (stream) cudaStreamSynchronize(stream);
    if (kernel_start) cudaEventDestroy(kernel_start);
    if (kernel_stop) cudaEventDestroy(kernel_stop);
    if (stream) cudaStreamDestroy(stream);
  }
};

EyeDevice::EyeDevice(int device) : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.device = device;
  ES_CUDA_TRY(cudaSetDevice(device));
  ES_CUDA_TRY(cudaStreamCreateWithFlags(&d.stream, cudaStreamNonBlocking));
  ES_CUDA_TRY(cudaEventCreate(&d.kernel_start));
  ES_CUDA_TRY(cudaEventCreate(&d.kernel_stop));
  cudaDeviceProp prop{};
  ES_CUDA_TRY(cudaGetDeviceProperties(&prop, device));
  // 1 KB is left for the kernels' static shared memory (the scan's per-warp totals).
  d.max_shared_bytes = prop.sharedMemPerBlockOptin - 1024;
}

EyeDevice::~EyeDevice() = default;

std::string EyeDevice::device_name() const {
  cudaDeviceProp prop{};
  ES_CUDA_TRY(cudaGetDeviceProperties(&prop, impl_->device));
  return prop.name;
}

std::size_t EyeDevice::free_bytes() const {
  ES_CUDA_TRY(cudaSetDevice(impl_->device));
  std::size_t free = 0, total = 0;
  ES_CUDA_TRY(cudaMemGetInfo(&free, &total));
  return free;
}

std::size_t EyeDevice::held_bytes() const { return impl_->held_bytes(); }

std::size_t EyeDevice::max_shared_bytes() const { return impl_->max_shared_bytes; }

double EyeDevice::last_kernel_seconds() const { return impl_->last_kernel_ms * 1e-3; }

void EyeDevice::run(const EyeBatch& batch, EyeMaps& maps) {
  ES_CUDA_TRY(cudaSetDevice(impl_->device));
  try {
    compute(batch, maps);
  } catch (...) {
    // The copies already queued read and write the caller's page-locked arrays, which it may
    // reuse or free once this throws: they finish first (their own errors are the one thrown).
    cudaStreamSynchronize(impl_->stream);
    throw;
  }
}

void EyeDevice::compute(const EyeBatch& batch, EyeMaps& maps) {
  Impl& d = *impl_;
  maps.ratio.resize(0);
  maps.means_V.clear();
  if (batch.eyes.empty()) return;
  ES_EXPECTS(batch.phases > 0 && batch.bins > 0, "an eye batch needs phases and bins");
  std::size_t shared = 0;
  for (const EyePhaseJob& job : batch.jobs) shared = std::max(shared, EyeBatch::shared_bytes(job));
  ES_EXPECTS(shared <= d.max_shared_bytes, "the eye engine checks the phases' shared memory before a batch");
  const int levels = batch.jobs.front().levels;
  const bool one_level_count = std::all_of(batch.jobs.begin(), batch.jobs.end(), [&](const EyePhaseJob& j) { return j.levels == levels; });

  upload_into(d.jobs, batch.jobs.data(), batch.jobs.size(), d.stream);
  upload_into(d.eyes, batch.eyes.data(), batch.eyes.size(), d.stream);
  upload_into(d.offsets, batch.offsets.data(), batch.offsets.size(), d.stream);
  upload_into(d.means, batch.means.data(), batch.means.size(), d.stream);
  upload_into(d.weights, batch.weights.data(), batch.weights.size(), d.stream);
  // Outputs poisoned: every byte 0xFF is a NaN, in float and in double.
  const std::size_t tail_floats = batch.tail_floats();
  const std::size_t map_floats = batch.eyes.size() * static_cast<std::size_t>(batch.phases) * static_cast<std::size_t>(batch.bins);
  grow(d.tails, tail_floats);
  grow(d.ratio, map_floats);
  grow(d.mixed_means, batch.mixed_means);
  // The whole capacity, so that a read past a batch's entries finds NaN, not an earlier batch's.
  d.tails.fill_bytes(0xFF, d.stream);
  d.ratio.fill_bytes(0xFF, d.stream);
  d.mixed_means.fill_bytes(0xFF, d.stream);

  ES_CUDA_TRY(cudaEventRecord(d.kernel_start, d.stream));
  launch_phase_tails(one_level_count ? levels : 0, batch.jobs.size(), shared, d.stream, d.jobs.data(), d.offsets.data(),
                     d.means.data(), batch.bins, d.tails.data());
  const dim3 map_blocks(static_cast<unsigned>(batch.phases), static_cast<unsigned>(batch.eyes.size()));
  detail::eye_map_kernel<kMapThreads><<<map_blocks, kMapThreads, 0, d.stream>>>(
      d.eyes.data(), d.means.data(), d.weights.data(), d.tails.data(), batch.phases, batch.bins, d.ratio.data(),
      d.mixed_means.data());
  ES_CUDA_CHECK_LAUNCH();
  ES_CUDA_TRY(cudaEventRecord(d.kernel_stop, d.stream));

  maps.ratio.resize(map_floats);
  maps.means_V.resize(batch.mixed_means);
  d.ratio.download(maps.ratio.data(), map_floats, d.stream);
  d.mixed_means.download(maps.means_V.data(), batch.mixed_means, d.stream);
  ES_CUDA_TRY(cudaStreamSynchronize(d.stream));
  ES_CUDA_TRY(cudaEventElapsedTime(&d.last_kernel_ms, d.kernel_start, d.kernel_stop));
  if (std::any_of(maps.means_V.begin(), maps.means_V.end(), [](double x) { return std::isnan(x); })) {
    throw LogicError("the CUDA eye kernels left mixed means unwritten (NaN): a bug in kernels/detail/eye_kernels.cuh");
  }
}

}  // namespace eyesweep::cuda
