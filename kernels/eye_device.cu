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

/// A new buffer holding a copy of the host vector.
template <typename T>
DeviceBuffer<T> upload_new(const std::vector<T>& host, cudaStream_t stream) {
  DeviceBuffer<T> buffer(host.size());
  buffer.upload(host.data(), host.size(), stream);
  return buffer;
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

/// Whether every value is a number (the outputs start as NaN).
template <typename T>
bool all_written(const std::vector<T>& values) {
  return std::all_of(values.begin(), values.end(), [](T x) { return !std::isnan(x); });
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

  ~Impl() {
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

std::size_t EyeDevice::max_shared_bytes() const { return impl_->max_shared_bytes; }

double EyeDevice::last_kernel_seconds() const { return impl_->last_kernel_ms * 1e-3; }

void EyeDevice::run(const EyeBatch& batch, EyeMaps& maps) {
  Impl& d = *impl_;
  ES_CUDA_TRY(cudaSetDevice(d.device));
  maps.ratio.clear();
  maps.means_V.clear();
  if (batch.eyes.empty()) return;
  ES_EXPECTS(batch.phases > 0 && batch.bins > 0, "an eye batch needs phases and bins");
  std::size_t shared = 0;
  for (const EyePhaseJob& job : batch.jobs) shared = std::max(shared, EyeBatch::shared_bytes(job));
  ES_EXPECTS(shared <= d.max_shared_bytes, "the eye engine checks the phases' shared memory before a batch");
  const int levels = batch.jobs.front().levels;
  const bool one_level_count = std::all_of(batch.jobs.begin(), batch.jobs.end(), [&](const EyePhaseJob& j) { return j.levels == levels; });

  const DeviceBuffer<EyePhaseJob> jobs = upload_new(batch.jobs, d.stream);
  const DeviceBuffer<EyeMapJob> eyes = upload_new(batch.eyes, d.stream);
  const DeviceBuffer<int> offsets = upload_new(batch.offsets, d.stream);
  const DeviceBuffer<double> means = upload_new(batch.means, d.stream);
  const DeviceBuffer<double> weights = upload_new(batch.weights, d.stream);
  // Outputs poisoned: every byte 0xFF is a NaN, in float and in double.
  DeviceBuffer<float> tails(batch.tail_floats());
  tails.fill_bytes(0xFF, d.stream);
  const std::size_t map_floats = batch.eyes.size() * static_cast<std::size_t>(batch.phases) * static_cast<std::size_t>(batch.bins);
  DeviceBuffer<float> ratio(map_floats);
  ratio.fill_bytes(0xFF, d.stream);
  DeviceBuffer<double> mixed_means(batch.mixed_means);
  mixed_means.fill_bytes(0xFF, d.stream);

  ES_CUDA_TRY(cudaEventRecord(d.kernel_start, d.stream));
  launch_phase_tails(one_level_count ? levels : 0, batch.jobs.size(), shared, d.stream, jobs.data(), offsets.data(),
                     means.data(), batch.bins, tails.data());
  const dim3 map_blocks(static_cast<unsigned>(batch.phases), static_cast<unsigned>(batch.eyes.size()));
  detail::eye_map_kernel<kMapThreads><<<map_blocks, kMapThreads, 0, d.stream>>>(
      eyes.data(), means.data(), weights.data(), tails.data(), batch.phases, batch.bins, ratio.data(), mixed_means.data());
  ES_CUDA_CHECK_LAUNCH();
  ES_CUDA_TRY(cudaEventRecord(d.kernel_stop, d.stream));

  maps.ratio.resize(map_floats);
  maps.means_V.resize(batch.mixed_means);
  ratio.download(maps.ratio.data(), map_floats, d.stream);
  mixed_means.download(maps.means_V.data(), batch.mixed_means, d.stream);
  ES_CUDA_TRY(cudaStreamSynchronize(d.stream));
  ES_CUDA_TRY(cudaEventElapsedTime(&d.last_kernel_ms, d.kernel_start, d.kernel_stop));
  if (!all_written(maps.ratio) || !all_written(maps.means_V)) {
    throw LogicError("the CUDA eye kernels left map entries unwritten (NaN): a bug in kernels/detail/eye_kernels.cuh");
  }
}

}  // namespace eyesweep::cuda
