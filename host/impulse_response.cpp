// Impulse and pulse responses; see impulse_response.hpp.
#include "host/impulse_response.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "host/avx2_clones.hpp"
#include "host/band_extension.hpp"
#include "kernels/ctle_response.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

struct FftwFree {
  void operator()(void* p) const { fftw_free(p); }
};

/// One complex-to-real plan per transform length, made once and kept for the process: making
/// a plan computes its twiddle factors, which cost more than the transform itself when every
/// channel of every variant planned its own. FFTW's planner is not thread-safe, so plans are
/// made under a lock; executing one on new arrays (fftw_execute_dft_c2r) is thread-safe, and
/// fftw_alloc_* gives every array the alignment the plan was made with.
class InversePlans {
 public:
  ~InversePlans() {
    for (auto& [n, plan] : plans_) fftw_destroy_plan(plan);
  }
  fftw_plan for_length(std::size_t n) {
    std::lock_guard lock(mutex_);
    fftw_plan& plan = plans_[n];
    if (plan == nullptr) {
      std::unique_ptr<fftw_complex[], FftwFree> in(fftw_alloc_complex(n / 2 + 1));
      std::unique_ptr<double[], FftwFree> out(fftw_alloc_real(n));
      ES_EXPECTS(in && out, "FFTW allocation failed");
      plan = fftw_plan_dft_c2r_1d(static_cast<int>(n), in.get(), out.get(), FFTW_ESTIMATE);
      ES_EXPECTS(plan != nullptr, "FFTW could not plan an inverse transform");
    }
    return plan;
  }

 private:
  std::mutex mutex_;
  std::map<std::size_t, fftw_plan> plans_;
};

/// An FFTW array of at least `count` elements, kept by the calling thread from call to call:
/// the transforms of every channel of every variant reuse it instead of faulting in megabytes
/// of fresh pages each time.
template <typename T>
T* thread_array(std::unique_ptr<T[], FftwFree>& array, std::size_t& capacity, std::size_t count) {
  if (capacity < count) {
    array.reset(static_cast<T*>(fftw_malloc(count * sizeof(T))));
    ES_EXPECTS(array != nullptr, "FFTW allocation failed");
    capacity = count;
  }
  return array.get();
}

/// n x the real signal of length n = 2 (N - 1) whose spectrum's first N bins are `half`
/// (MATLAB: real(ifft([X(1); X(2:end-1); X(end); conj(flip(X(2:end-1)))]))), unscaled, in an
/// array of the calling thread valid until its next call.
std::span<const double> inverse_real_fft(const std::vector<std::complex<double>>& half) {
  static InversePlans plans;
  thread_local std::unique_ptr<fftw_complex[], FftwFree> in;
  thread_local std::unique_ptr<double[], FftwFree> out;
  thread_local std::size_t in_capacity = 0, out_capacity = 0;
  const std::size_t n_half = half.size();
  const std::size_t n = 2 * (n_half - 1);
  const fftw_plan plan = plans.for_length(n);
  fftw_complex* spectrum = thread_array(in, in_capacity, n_half);
  double* signal = thread_array(out, out_capacity, n);
  for (std::size_t k = 0; k < n_half; ++k) {
    spectrum[k][0] = half[k].real();
    spectrum[k][1] = half[k].imag();
  }
  spectrum[0][1] = 0.0;           // DC and Nyquist bins of a real signal are real
  spectrum[n_half - 1][1] = 0.0;
  fftw_execute_dft_c2r(plan, spectrum, signal);
  return {signal, n};
}

/// The analysis grid 0 .. f_max in n_steps steps, kept by the calling thread while the two
/// stay the same (every channel of a variant, and usually every variant, shares it).
const std::vector<double>& analysis_grid(double f_max, std::size_t n_steps) {
  thread_local std::vector<double> grid;
  thread_local double grid_f_max = 0.0;
  if (grid.size() != n_steps + 1 || grid_f_max != f_max) {
    grid.resize(n_steps + 1);
    for (std::size_t k = 0; k <= n_steps; ++k) grid[k] = f_max * static_cast<double>(k) / static_cast<double>(n_steps);
    grid_f_max = f_max;
  }
  return grid;
}

}  // namespace

ImpulseResponse impulse_response(std::span<const std::complex<double>> H,
                                 std::span<const double> f_GHz, double dt_ns,
                                 BandExtension policy, double truncation_threshold,
                                 const char* what) {
  ES_EXPECTS(f_GHz.size() >= 12, "need at least 12 frequency points");
  const double f_max = 1.0 / (2.0 * dt_ns);
  // The script takes the file's step from its 2nd and 3rd points and rounds the number of
  // steps to f_max to an integer.
  const double file_step = f_GHz[2] - f_GHz[1];
  const double steps = std::round(f_max / file_step);
  if (!(steps >= 2.0) || steps > 16777216.0) {
    throw InputError(std::string(what) + ": frequency step " + std::to_string(file_step) +
                     " GHz against the analysis band 0 .. f_b M / 2 = " + std::to_string(f_max) +
                     " GHz gives " + std::to_string(steps) +
                     " steps; between 2 and 2^24 are supported (check f_b, M and the file's step)");
  }
  const auto n_steps = static_cast<std::size_t>(steps);
  const std::vector<std::complex<double>> on_grid =
      extend_to_grid(H, f_GHz, analysis_grid(f_max, n_steps), policy, what);

  // h[i] = fft[i] / n, formed where it is read, so that only the kept samples are stored.
  const std::span<const double> fft = inverse_real_fft(on_grid);
  const double scale = 1.0 / static_cast<double>(fft.size());
  const auto h = [&](std::size_t i) { return fft[i] * scale; };
  // The largest |h| in four running maxima (a maximum is exact in any order: four chains
  // instead of one long one), then the last sample above the threshold, four at a time.
  double peaks[4] = {0.0, 0.0, 0.0, 0.0};
  std::size_t i = 0;
  for (; i + 4 <= fft.size(); i += 4) {
    for (std::size_t l = 0; l < 4; ++l) peaks[l] = std::max(peaks[l], std::abs(h(i + l)));
  }
  for (; i < fft.size(); ++i) peaks[0] = std::max(peaks[0], std::abs(h(i)));
  const double peak = std::max(std::max(peaks[0], peaks[1]), std::max(peaks[2], peaks[3]));
  const double limit = peak * truncation_threshold;
  std::size_t end = fft.size();  // h[end ..) are all at or below the limit
  while (end >= 4 && !(std::abs(h(end - 1)) > limit || std::abs(h(end - 2)) > limit || std::abs(h(end - 3)) > limit ||
                       std::abs(h(end - 4)) > limit)) {
    end -= 4;
  }
  while (end > 0 && !(std::abs(h(end - 1)) > limit)) --end;

  ImpulseResponse result;
  result.dt_ns = dt_ns;
  result.samples.resize(std::max<std::size_t>(end, 1));
  for (std::size_t k = 0; k < result.samples.size(); ++k) result.samples[k] = h(k);
  return result;
}

[[ES_AVX2_CLONES]] std::vector<double> pulse_from_impulse(std::span<const double> impulse, int samples_per_ui) {
  const auto N = static_cast<long long>(impulse.size());
  const long long M = samples_per_ui;
  std::vector<double> pulse(impulse.size());
  // The first M - 1 samples sum fewer terms; from sample M - 1 on, four samples at a time,
  // each lane summing its own M terms in pulse_sample's order (so bit for bit the same), the
  // lanes in one AVX2 or two SSE2 registers (GCC's vector extension; written as an array loop,
  // GCC vectorised the sum over m instead and added the lanes one by one).
  constexpr int kLanes = 4;
  using Lanes = double __attribute__((vector_size(8 * kLanes)));
  long long n = 0;
  for (; n < std::min(N, M - 1); ++n) pulse[static_cast<std::size_t>(n)] = ctle::pulse_sample(impulse.data(), n, samples_per_ui);
  for (; n + kLanes <= N; n += kLanes) {
    const double* first = impulse.data() + (n - M + 1);
    Lanes sum = {};
    for (long long m = 0; m < M; ++m) {
      Lanes x;
      std::memcpy(&x, first + m, sizeof x);
      sum += x;
    }
    std::memcpy(pulse.data() + n, &sum, sizeof sum);
  }
  for (; n < N; ++n) pulse[static_cast<std::size_t>(n)] = ctle::pulse_sample(impulse.data(), n, samples_per_ui);
  return pulse;
}

}  // namespace eyesweep
