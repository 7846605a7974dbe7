// The CUDA statistical eyes of a batch, behind a plain C++ API (no CUDA headers): the host
// plans every (eye, extended phase) (host/eye_phase_plan.hpp) into the flat arrays of an
// EyeBatch; one thread block per phase convolves its variables in shared memory with the float
// arithmetic of kernels/eye/eye_phase.hpp and writes its tails; one block per (eye, phase)
// then mixes the tails over the jitter's timing weights into the error-ratio map, as
// assemble_eye_map does on the host. The maps come back for measure_eye.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "kernels/pinned_array.hpp"

namespace eyesweep::cuda {

/// Levels an eye may have on the GPU (the mixed means of a phase live in shared memory).
constexpr int kMaxEyeLevels = 16;

/// One (eye, extended phase): where its plan lies in the batch's arrays and its sizes.
struct EyePhaseJob {
  long long offsets_begin = 0;   ///< its variables' offsets: variables x levels ints from here
  long long means_begin = 0;     ///< its level means: levels doubles from here
  long long tails_begin = 0;     ///< its tails: above [k][b] then below [k][b], 2 x levels x bins floats
  int variables = 0;
  int levels = 2;
  int window = 0;                ///< E
  int buffer_reach = 0;          ///< buffers hold bins [-buffer_reach, buffer_reach]
  int gaussian_reach = 0;        ///< K
  double gaussian_scale = 0.0;   ///< bin / (sigma sqrt 2)
  double bin_V = 0.0;
};

/// One eye: its phases' tails and means (its jobs are consecutive: extended phase e's tails
/// start e x 2 x levels x bins floats after the first's, its means e x levels doubles after),
/// its jitter's timing weights, and where its mixed means go.
struct EyeMapJob {
  long long tails_begin = 0;
  long long means_begin = 0;
  long long weights_begin = 0;   ///< 2 pad + 1 timing weights from here
  long long mixed_means_begin = 0;  ///< phases x levels mixed means from here in EyeMaps::means_V
  int weights = 1;
  int levels = 2;
  double bin_V = 0.0;
};

/// A batch: every eye shares the phase count P and the bin count B.
struct EyeBatch {
  int phases = 0;
  int bins = 0;
  std::vector<EyePhaseJob> jobs;
  std::vector<EyeMapJob> eyes;
  PinnedArray<int> offsets;      ///< the bulk of the upload (page-locked)
  std::vector<double> means;     ///< per job, levels
  std::vector<double> weights;   ///< per eye, 2 pad + 1

  std::size_t mixed_means = 0;   ///< doubles of all eyes' mixed means

  /// Tail floats of all jobs.
  std::size_t tail_floats() const;
  /// Shared memory bytes the phase kernel needs for `job`.
  static std::size_t shared_bytes(const EyePhaseJob& job);
};

/// The maps of a batch.
struct EyeMaps {
  /// [eye][phase][bin], page-locked. Unchecked: an entry the kernels failed to write is NaN, and
  /// the consumer checks its eyes' entries on its own threads (one thread took milliseconds).
  PinnedArray<float> ratio;
  std::vector<double> means_V;   ///< per eye from its mixed_means_begin: [phase][level], mixed over the timing weights
};

class EyeDevice {
 public:
  explicit EyeDevice(int device);
  ~EyeDevice();
  EyeDevice(const EyeDevice&) = delete;
  EyeDevice& operator=(const EyeDevice&) = delete;

  std::string device_name() const;
  /// Free device memory now (bytes).
  std::size_t free_bytes() const;
  /// Device memory this object keeps between runs (bytes): free_bytes() + held_bytes() is what
  /// its batches may use.
  std::size_t held_bytes() const;
  /// Shared memory one block may use (bytes), after opting in.
  std::size_t max_shared_bytes() const;

  /// The maps of `batch` into `maps` (its arrays are reused). Every output starts poisoned
  /// (NaN); the mixed means are checked written here (an unwritten one throws LogicError), the
  /// ratio map by the consumer (EyeMaps). The device buffers are kept for the next batch and
  /// grown only when it needs more (cudaFree synchronises the whole device).
  /// Not reentrant: one run at a time per object.
  void run(const EyeBatch& batch, EyeMaps& maps);
  /// The last run's kernel time on the device (CUDA events; copies excluded), seconds.
  double last_kernel_seconds() const;

 private:
  void compute(const EyeBatch& batch, EyeMaps& maps);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eyesweep::cuda
