// A parallel loop over indices on a few worker threads: dynamic scheduling in chunks, and
// the first exception a worker throws stops the others and is rethrown to the caller
// (an exception escaping a std::thread would call std::terminate).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace eyesweep {

/// Worker threads for a request: 0 = all cores, never more than `work_items` (at least 1).
inline unsigned worker_count(unsigned requested, std::size_t work_items) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned wanted = requested == 0 ? cores : requested;
  return static_cast<unsigned>(std::clamp<std::size_t>(work_items, 1, wanted));
}

/// Calls body(first, last, worker) over [0, n) in chunks of `chunk` indices on `threads`
/// workers (worker in [0, threads)); with one thread it runs inline.
template <typename Body>
void parallel_chunks(std::size_t n, std::size_t chunk, unsigned threads, Body&& body) {
  if (threads <= 1) {
    for (std::size_t first = 0; first < n; first += chunk) body(first, std::min(n, first + chunk), 0u);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        try {
          for (std::size_t first; !stop && (first = next.fetch_add(chunk)) < n;) body(first, std::min(n, first + chunk), t);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
          stop = true;
        }
      });
    }
  }  // joins
  if (failure) std::rethrow_exception(failure);
}

}  // namespace eyesweep
