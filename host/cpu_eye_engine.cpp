// The CPU eye engine; see cpu_eye_engine.hpp.
#include "host/cpu_eye_engine.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "host/eye_phase_plan.hpp"
#include "host/parallel.hpp"
#include "kernels/eye/eye_phase.hpp"

#if defined(__SSE2__)
#include <pmmintrin.h>
#endif

namespace eyesweep {
namespace {

/// Eyes in flight per worker thread: their tails (P + 2 pad) x L x B x 2 doubles each, ~11 MB at
/// 64 x 2048 PAM4 with jitter, are assembled and measured once all their phases are done.
constexpr std::size_t kEyesPerThread = 2;

/// Bins of the Gaussian convolution per call: two 4-lane float vectors.
constexpr int kGaussianWidth = 8;

/// Float masses and products below 2^-126 (the Gaussian's far cells times the PDF's far edges)
/// would be denormal, slow on x86 (7 % of the engine's time on bench_eyes' channel); they are
/// far below anything an eye shows, so they flush to 0 while a worker convolves.
class FlushDenormals {
 public:
#if defined(__SSE2__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }  // FTZ | DAZ
  ~FlushDenormals() { _mm_setcsr(saved_); }
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  unsigned saved_;
#endif
};

/// A zeroed buffer for bins [-reach, reach + extra], addressed by bin.
float* bins_around_zero(std::vector<float>& buffer, int reach, int extra = 0) {
  buffer.assign(static_cast<std::size_t>(2 * reach + 1 + extra), 0.0f);
  return buffer.data() + reach;
}

/// One worker's buffers, reused from phase to phase.
struct PhaseScratch {
  EyePhasePlan plan;
  std::vector<float> pdf, spare, gaussian, smoothed, above;
};

/// The PDF of the plan's variables, one pass of L shifted reads each; `pdf` holds the unit mass
/// at 0 and `spare` zeros, both on [-buffer_reach, buffer_reach]. Returns the one holding it.
template <int kLevels>
float* convolve_variables(const EyePhasePlan& plan, float* pdf, float* spare) {
  const int L = plan.levels;
  const float p = 1.0f / static_cast<float>(L);
  const std::size_t n = plan.variables();
  eye::SupportTracker support;
  support.window = plan.window;
  for (std::size_t v = 0; v < n; ++v) {
    const int* offsets = &plan.offsets[v * static_cast<std::size_t>(L)];
    const int h_old = support.half_width;
    support.add(std::abs(offsets[0]));
    const int h = support.half_width;
    const float* __restrict in = pdf;
    float* __restrict out = spare;
    for (int i = 0; i <= h; ++i) out[i] = p * eye::level_sum<kLevels>(in, i, offsets, L);
    if (support.piles) out[h] = p * eye::edge_mass(in, h_old, offsets, L, h, 0, 1);
    // The even PDF below 0, as far as the next reads reach: the next variable's offsets, or the
    // Gaussian's after the last. (Bins further down are never read.)
    const int next = v + 1 < n ? std::abs(plan.offsets[(v + 1) * static_cast<std::size_t>(L)]) : plan.gaussian_reach;
    for (int i = 1, last = std::min(h, next); i <= last; ++i) out[-i] = out[i];
    std::swap(pdf, spare);
  }
  return pdf;
}

/// Extended phase `e` of an eye: its plan, PDF and tails; writes P(level k lands above / below
/// v) for every map voltage into above/below rows [k][b] and the level means into means[k].
void phase_tails(const EyePlanner& eye, int e, PhaseScratch& s, double* above, double* below, double* means) {
  eye.plan(e, s.plan);
  const EyePhasePlan& plan = s.plan;
  const int buffer = plan.buffer_reach();
  float* pdf = bins_around_zero(s.pdf, buffer);
  float* spare = bins_around_zero(s.spare, buffer);
  pdf[0] = 1.0f;
  switch (plan.levels) {
    case 2: pdf = convolve_variables<2>(plan, pdf, spare); break;
    case 4: pdf = convolve_variables<4>(plan, pdf, spare); break;
    default: pdf = convolve_variables<0>(plan, pdf, spare); break;
  }

  // The cell-integrated Gaussian, then the even PDF after it on [-R, R].
  const int K = plan.gaussian_reach;
  float* g = bins_around_zero(s.gaussian, K);
  for (int k = 0; k <= K; ++k) {
    g[k] = g[-k] = K == 0 ? 1.0f : static_cast<float>(eye::gaussian_cell_mass(k, plan.gaussian_scale));
  }
  const int R = plan.tail_reach();
  float* f = bins_around_zero(s.smoothed, R, kGaussianWidth);
  for (int i = 0; i <= R; i += kGaussianWidth) eye::gaussian_sums<kGaussianWidth>(pdf, g, K, i, f + i);
  for (int i = 1; i <= R; ++i) f[-i] = f[i];

  // Suffix sums from the top: above_sum[c] = sum_{j >= c} f[j], the small tails summed first.
  float* above_sum = bins_around_zero(s.above, R, 1);
  for (int c = R; c >= -R; --c) above_sum[c] = above_sum[c + 1] + f[c];

  const int B = eye.grid().bins;
  for (int k = 0; k < plan.levels; ++k) {
    const eye::LevelCells cells = eye::level_cells(plan.means_V[static_cast<std::size_t>(k)], eye.grid().bin_V, B);
    double* up = above + static_cast<std::ptrdiff_t>(k) * B;
    double* down = below + static_cast<std::ptrdiff_t>(k) * B;
    for (int b = 0; b < B; ++b) {
      up[b] = eye::tail(f, above_sum, R, cells.first + b, cells.t);
      down[b] = eye::tail(f, above_sum, R, cells.mirror_first - b, cells.mirror_t);
    }
    means[k] = plan.means_V[static_cast<std::size_t>(k)];
  }
}

/// One eye's per-phase tails, [e][k][b], and level means, [e][k], as assemble_eye_map takes them.
struct EyeTails {
  std::vector<double> above, below, means;
};

}  // namespace

std::string CpuEyeEngine::device() const {
  return "CPU, " + std::to_string(worker_count(threads_, 1u << 20)) + " threads, float";
}

std::vector<StatEye> CpuEyeEngine::run(std::span<const EyeInputs> eyes, const EyeOptions& options) {
  check_eye_options(options);
  std::vector<EyePlanner> planners;
  planners.reserve(eyes.size());
  for (const EyeInputs& in : eyes) planners.emplace_back(in, options);

  const unsigned threads = worker_count(threads_, 1u << 20);
  std::vector<PhaseScratch> scratch(threads);
  std::vector<StatEye> results(eyes.size());
  const std::size_t group = kEyesPerThread * threads;
  std::vector<EyeTails> tails(std::min(group, eyes.size()));  // reused from group to group
  for (std::size_t first = 0; first < eyes.size(); first += group) {
    const std::size_t last = std::min(eyes.size(), first + group);
    // Every (eye, extended phase) of the group is one work item.
    std::vector<std::size_t> item_start{0};
    for (std::size_t i = first; i < last; ++i) {
      const EyeGrid& grid = planners[i].grid();
      const auto rows = static_cast<std::size_t>(planners[i].extended_phases()) * static_cast<std::size_t>(eyes[i].channel.levels);
      EyeTails& t = tails[i - first];
      t.above.resize(rows * static_cast<std::size_t>(grid.bins));
      t.below.resize(t.above.size());
      t.means.resize(rows);
      item_start.push_back(item_start.back() + static_cast<std::size_t>(planners[i].extended_phases()));
    }
    parallel_chunks(item_start.back(), 1, threads, [&](std::size_t lo, std::size_t hi, unsigned worker) {
      const FlushDenormals flush;
      for (std::size_t item = lo; item < hi; ++item) {
        const auto eye = static_cast<std::size_t>(std::upper_bound(item_start.begin(), item_start.end(), item) - item_start.begin() - 1);
        const int e = static_cast<int>(item - item_start[eye]);
        const std::size_t L = static_cast<std::size_t>(eyes[first + eye].channel.levels);
        const std::size_t row = static_cast<std::size_t>(e) * L;
        const std::size_t B = static_cast<std::size_t>(planners[first + eye].grid().bins);
        EyeTails& t = tails[eye];
        phase_tails(planners[first + eye], e, scratch[worker], &t.above[row * B], &t.below[row * B], &t.means[row]);
      }
    });
    parallel_chunks(last - first, 1, threads, [&](std::size_t lo, std::size_t hi, unsigned) {
      for (std::size_t i = lo; i < hi; ++i) {
        const EyePlanner& eye = planners[first + i];
        const EyeTails& t = tails[i];
        results[first + i] = eye.measure(assemble_eye_map(eye.grid(), eye.inputs().channel.levels, t.above, t.below, t.means), name());
      }
    });
  }
  return results;
}

}  // namespace eyesweep
