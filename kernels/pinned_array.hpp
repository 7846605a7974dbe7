// Page-locked host memory for what crosses the bus in bulk. Copies from and to it run at the
// bus's speed; pageable memory goes through the driver's staging buffers at a fraction of it.
// Allocated with cudaMallocHost in kernels/pinned_memory.cu, so that host code needs no CUDA
// headers. Grown, never shrunk: a batch like the last one allocates nothing (pinning is slow,
// and fresh memory costs a page fault per 4 KB).
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace eyesweep::cuda {

/// `bytes` of page-locked host memory; throws CudaError when the runtime refuses.
void* allocate_pinned(std::size_t bytes);
/// Returns memory of allocate_pinned (nullptr is ignored); never throws.
void free_pinned(void* memory) noexcept;

/// An array of trivially copyable T in page-locked memory.
template <typename T>
class PinnedArray {
  static_assert(std::is_trivially_copyable_v<T>, "pinned arrays hold plain data");

 public:
  PinnedArray() = default;
  PinnedArray(const PinnedArray&) = delete;
  PinnedArray& operator=(const PinnedArray&) = delete;
  PinnedArray(PinnedArray&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  PinnedArray& operator=(PinnedArray&& other) noexcept {
    if (this != &other) {
      free_pinned(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  ~PinnedArray() { free_pinned(data_); }

  /// n elements. Their values are unspecified: a resize keeps no contents. Growing takes a
  /// quarter more than the last capacity at least, so that slowly growing sizes do not
  /// reallocate every time.
  void resize(std::size_t n) {
    if (n > capacity_) {
      const std::size_t room = n > capacity_ + capacity_ / 4 ? n : capacity_ + capacity_ / 4;
      free_pinned(std::exchange(data_, nullptr));
      size_ = capacity_ = 0;
      data_ = static_cast<T*>(allocate_pinned(room * sizeof(T)));
      capacity_ = room;
    }
    size_ = n;
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace eyesweep::cuda
