// The CUDA eye engine; see cuda_eye_engine.hpp.
#include "host/cuda_eye_engine.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "host/eye_phase_plan.hpp"
#include "host/parallel.hpp"
#include "kernels/common/error.hpp"
#include "kernels/eye_device.hpp"

namespace eyesweep {
namespace {

/// Eyes per device batch at most: small enough that the host plans the next batch and measures
/// the last one while the device computes this one, large enough to fill the device (82 blocks
/// per eye at 64 phases with jitter).
constexpr std::size_t kMaxBatchEyes = 256;

/// A batch of eyes: its first and last (exclusive) eye, its phases' plans and the device's
/// arrays. Reused from batch to batch: fresh memory costs a page fault per 4 KB.
struct PlannedBatch {
  std::size_t first = 0, last = 0;
  std::vector<EyePhasePlan> plans;
  cuda::EyeBatch device;
};

class CudaEyeEngine final : public EyeEngine {
 public:
  CudaEyeEngine(int device, unsigned threads) : device_(device), threads_(threads) {}
  std::string_view name() const override { return "cuda"; }
  std::string device() const override { return device_name_.empty() ? "CUDA device " + std::to_string(device_) : device_name_; }
  std::vector<StatEye> run(std::span<const EyeInputs> eyes, const EyeOptions& options) override;

 private:
  void plan_batch(const std::vector<EyePlanner>& planners, std::size_t first, std::size_t last,
                  std::size_t max_shared_bytes, PlannedBatch& batch) const;
  void measure_batch(const std::vector<EyePlanner>& planners, const PlannedBatch& batch, const cuda::EyeMaps& maps,
                     std::vector<StatEye>& results) const;

  int device_;
  unsigned threads_;
  std::string device_name_;
  // Kept from call to call, like the batches within a call: the two pipeline slots' page-locked
  // arrays (pinning memory is slow) and the device's buffers. gpu_ is declared last so that it
  // is destroyed first: its stream finishes before the arrays it copies are freed.
  std::mutex running_;  // one run at a time: the calls share all of these
  std::array<PlannedBatch, 2> batches_;
  std::array<cuda::EyeMaps, 2> maps_;
  std::unique_ptr<cuda::EyeDevice> gpu_;
};

/// Plans every (eye, extended phase) of eyes [first, last) on the host threads into `batch` and
/// lays the plans out as the device reads them.
void CudaEyeEngine::plan_batch(const std::vector<EyePlanner>& planners, std::size_t first, std::size_t last,
                               std::size_t max_shared_bytes, PlannedBatch& batch) const {
  batch.first = first;
  batch.last = last;
  cuda::EyeBatch& b = batch.device;
  const EyeGrid& grid0 = planners[first].grid();
  b.phases = grid0.phases;
  b.bins = grid0.bins;
  b.eyes.clear();
  b.weights.clear();
  b.mixed_means = 0;
  const auto B = static_cast<std::size_t>(b.bins);

  std::vector<std::size_t> first_job{0};
  for (std::size_t i = first; i < last; ++i) first_job.push_back(first_job.back() + static_cast<std::size_t>(planners[i].extended_phases()));
  const std::size_t jobs = first_job.back();
  std::vector<EyePhasePlan>& plans = batch.plans;
  plans.resize(jobs);
  parallel_chunks(jobs, 4, worker_count(threads_, jobs), [&](std::size_t lo, std::size_t hi, unsigned) {
    for (std::size_t job = lo; job < hi; ++job) {
      const auto eye = static_cast<std::size_t>(std::upper_bound(first_job.begin(), first_job.end(), job) - first_job.begin() - 1);
      planners[first + eye].plan(static_cast<int>(job - first_job[eye]), plans[job]);
    }
  });

  // Each eye's jobs consecutive: its tails and means follow one another (see EyeMapJob).
  std::size_t offsets = 0, means = 0, tails = 0;
  b.jobs.resize(jobs);
  for (std::size_t i = first; i < last; ++i) {
    const EyeGrid& grid = planners[i].grid();
    const int L = planners[i].inputs().channel.levels;
    cuda::EyeMapJob eye;
    eye.tails_begin = static_cast<long long>(tails);
    eye.means_begin = static_cast<long long>(means);
    eye.weights_begin = static_cast<long long>(b.weights.size());
    eye.mixed_means_begin = static_cast<long long>(b.mixed_means);
    eye.weights = static_cast<int>(grid.timing_weights.size());
    eye.levels = L;
    eye.bin_V = grid.bin_V;
    b.eyes.push_back(eye);
    b.weights.insert(b.weights.end(), grid.timing_weights.begin(), grid.timing_weights.end());
    b.mixed_means += static_cast<std::size_t>(grid.phases) * static_cast<std::size_t>(L);
    for (std::size_t job = first_job[i - first]; job < first_job[i - first + 1]; ++job) {
      const EyePhasePlan& plan = plans[job];
      cuda::EyePhaseJob& j = b.jobs[job];
      j.offsets_begin = static_cast<long long>(offsets);
      j.means_begin = static_cast<long long>(means);
      j.tails_begin = static_cast<long long>(tails);
      j.variables = static_cast<int>(plan.variables());
      j.levels = L;
      j.window = plan.window;
      j.buffer_reach = plan.buffer_reach();
      j.gaussian_reach = plan.gaussian_reach;
      j.gaussian_scale = plan.gaussian_scale;
      j.bin_V = grid.bin_V;
      if (cuda::EyeBatch::shared_bytes(j) > max_shared_bytes) {
        throw InputError("eye: a phase needs " + std::to_string(cuda::EyeBatch::shared_bytes(j) / 1024) +
                         " KB of the GPU's shared memory (a window of " + std::to_string(2 * j.buffer_reach + 1) +
                         " bins), more than its " + std::to_string(max_shared_bytes / 1024) +
                         " KB: use fewer voltage bins, or the cpu engine");
      }
      offsets += plan.offsets.size();
      means += static_cast<std::size_t>(L);
      tails += 2 * static_cast<std::size_t>(L) * B;
    }
  }
  b.offsets.resize(offsets);
  b.means.resize(means);
  parallel_chunks(jobs, 16, worker_count(threads_, jobs), [&](std::size_t lo, std::size_t hi, unsigned) {
    for (std::size_t job = lo; job < hi; ++job) {
      std::copy(plans[job].offsets.begin(), plans[job].offsets.end(), b.offsets.begin() + b.jobs[job].offsets_begin);
      std::copy(plans[job].means_V.begin(), plans[job].means_V.end(), b.means.begin() + b.jobs[job].means_begin);
    }
  });
}

/// measure_eye on each map of a batch, on the host threads.
void CudaEyeEngine::measure_batch(const std::vector<EyePlanner>& planners, const PlannedBatch& batch,
                                  const cuda::EyeMaps& maps, std::vector<StatEye>& results) const {
  const std::size_t n = batch.last - batch.first;
  parallel_chunks(n, 1, worker_count(threads_, n), [&](std::size_t lo, std::size_t hi, unsigned) {
    for (std::size_t i = lo; i < hi; ++i) {
      const EyePlanner& planner = planners[batch.first + i];
      const EyeGrid& grid = planner.grid();
      const auto P = static_cast<std::size_t>(grid.phases), B = static_cast<std::size_t>(grid.bins);
      EyeMap map;
      map.levels = planner.inputs().channel.levels;
      for (int j = 0; j < grid.phases; ++j) map.phase_UI.push_back(grid.phase_UI(j));
      for (int b = 0; b < grid.bins; ++b) map.voltage_V.push_back(grid.voltage_V(b));
      const float* ratio = maps.ratio.data() + i * P * B;
      if (std::any_of(ratio, ratio + P * B, [](float x) { return std::isnan(x); })) {
        throw LogicError("the CUDA eye kernels left map entries unwritten (NaN): a bug in kernels/detail/eye_kernels.cuh");
      }
      map.ratio.assign(ratio, ratio + P * B);
      const auto means = maps.means_V.begin() + batch.device.eyes[i].mixed_means_begin;
      map.level_means_V.assign(means, means + static_cast<std::ptrdiff_t>(P * static_cast<std::size_t>(map.levels)));
      results[batch.first + i] = planner.measure(std::move(map), name());
    }
  });
}

std::vector<StatEye> CudaEyeEngine::run(std::span<const EyeInputs> eyes, const EyeOptions& options) {
  check_eye_options(options);
  std::vector<EyePlanner> planners;
  planners.reserve(eyes.size());
  for (const EyeInputs& in : eyes) {
    if (in.channel.levels > cuda::kMaxEyeLevels) {
      throw InputError("eye: " + std::to_string(in.channel.levels) + " levels: the cuda engine draws eyes of up to " +
                       std::to_string(cuda::kMaxEyeLevels) + " levels (use the cpu engine)");
    }
    planners.emplace_back(in, options);
  }
  std::vector<StatEye> results(eyes.size());
  if (eyes.empty()) return results;
  const std::lock_guard lock(running_);
  if (!gpu_) {
    gpu_ = std::make_unique<cuda::EyeDevice>(device_);
    device_name_ = gpu_->device_name();
  }
  cuda::EyeDevice& gpu = *gpu_;

  // Batches sized to half the device memory free or already held by `gpu` (and kMaxBatchEyes).
  std::size_t tail_bytes = 1;
  for (const EyePlanner& p : planners) {
    tail_bytes = std::max(tail_bytes, static_cast<std::size_t>(p.extended_phases()) * 2 *
                                          static_cast<std::size_t>(p.inputs().channel.levels) *
                                          static_cast<std::size_t>(p.grid().bins) * sizeof(float));
  }
  const std::size_t per_batch =
      std::clamp<std::size_t>((gpu.free_bytes() + gpu.held_bytes()) / 2 / tail_bytes, 1, kMaxBatchEyes);

  // A pipeline over two slots of batches and maps: the device computes batch c while the host
  // plans batch c + 1 into the other slot, then measures batch c while the device computes
  // batch c + 1.
  const std::size_t max_shared = gpu.max_shared_bytes();
  std::array<PlannedBatch, 2>& batches = batches_;
  std::array<cuda::EyeMaps, 2>& maps = maps_;
  const auto compute = [&](std::size_t slot) {
    return std::async(std::launch::async, [&, slot] { gpu.run(batches[slot].device, maps[slot]); });
  };
  std::size_t slot = 0;
  plan_batch(planners, 0, std::min(per_batch, eyes.size()), max_shared, batches[slot]);
  std::future<void> in_flight = compute(slot);
  while (true) {
    const PlannedBatch& done = batches[slot];
    const bool more = done.last < eyes.size();
    if (more) plan_batch(planners, done.last, std::min(done.last + per_batch, eyes.size()), max_shared, batches[1 - slot]);
    in_flight.get();
    if (more) in_flight = compute(1 - slot);
    measure_batch(planners, done, maps[slot], results);
    if (!more) break;
    slot = 1 - slot;
  }
  return results;
}

}  // namespace

std::unique_ptr<EyeEngine> make_cuda_eye_engine(int device, unsigned threads) {
  return std::make_unique<CudaEyeEngine>(device, threads);
}

}  // namespace eyesweep
