// Device memory as a move-only RAII buffer of T (rmm device_uvector style): allocated with
// cudaMalloc, freed in the destructor (which never throws), copies on a given stream.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <utility>

#include "kernels/common/cuda_check.cuh"

namespace eyesweep {

template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count) : count_(count) {
    if (count_ > 0) ES_CUDA_TRY(cudaMalloc(reinterpret_cast<void**>(&data_), count_ * sizeof(T)));
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept : data_(std::exchange(other.data_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      release();
      data_ = std::exchange(other.data_, nullptr);
      count_ = std::exchange(other.count_, 0);
    }
    return *this;
  }
  ~DeviceBuffer() { release(); }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return count_; }

  /// Host -> device, `count` elements from the start.
  void upload(const T* host, std::size_t count, cudaStream_t stream) {
    if (count > 0) ES_CUDA_TRY(cudaMemcpyAsync(data_, host, count * sizeof(T), cudaMemcpyHostToDevice, stream));
  }
  /// Device -> host.
  void download(T* host, std::size_t count, cudaStream_t stream) const {
    if (count > 0) ES_CUDA_TRY(cudaMemcpyAsync(host, data_, count * sizeof(T), cudaMemcpyDeviceToHost, stream));
  }
  /// Every byte set to `byte` (poisoning, or zeroing for a max-reduction).
  void fill_bytes(int byte, cudaStream_t stream) {
    if (count_ > 0) ES_CUDA_TRY(cudaMemsetAsync(data_, byte, count_ * sizeof(T), stream));
  }

 private:
  void release() noexcept {
    if (data_) cudaFree(data_);  // an error here (e.g. a dead context) cannot be reported
    data_ = nullptr;
    count_ = 0;
  }
  T* data_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace eyesweep
