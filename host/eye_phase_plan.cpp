// Plans of one phase for the fast eye engines; see eye_phase_plan.hpp.
#include "host/eye_phase_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "kernels/common/error.hpp"
#include "kernels/eye/eye_phase.hpp"

namespace eyesweep {
namespace {

/// Reads beyond this many bins are refused: windows (at most twice that), offsets and indices
/// stay far inside an int.
constexpr double kMaxWindowBins = 1 << 26;

/// round(x), half away from zero, to the same integer as std::round, without its library call
/// (x86-64's baseline has no rounding instruction, and a phase rounds a thousand values):
/// x - trunc(x) is exact.
double round_half_away(double x) {
  if (!(std::abs(x) < 4503599627370496.0)) return x;  // 2^52 and above: already an integer
  const double whole = static_cast<double>(static_cast<long long>(x));
  const double part = x - whole;
  return part >= 0.5 ? whole + 1.0 : (part <= -0.5 ? whole - 1.0 : whole);
}

/// The bin of the value amplitude x: round(amplitude x / bin) in double and in this order of
/// operations, exactly as the reference bins it.
double bin_of(double amplitude, double level, double bin) { return round_half_away(amplitude * level / bin); }

}  // namespace

EyePlanner::EyePlanner(const EyeInputs& in, const EyeOptions& options)
    : in_(&in), options_(&options), grid_(make_eye_grid(in, options)), targets_(eye_targets(options, in.channel.der0)),
      levels_(eye_levels(in.channel.levels, in.r_lm)) {
  const int L = in.channel.levels;
  for (int i = 0; i < L; ++i) nominal_.push_back(2.0 * i / (L - 1) - 1.0);
}

StatEye EyePlanner::measure(EyeMap map, std::string_view engine) const {
  StatEye eye = measure_eye(std::move(map), targets_, in_->channel.der0, in_->r_lm);
  eye.engine = std::string(engine);
  return eye;
}

void EyePlanner::plan(int extended_phase, EyePhasePlan& plan) const {
  const EyePhaseSamples samples = eye_phase_samples(*in_, *options_, grid_, extended_phase - grid_.pad - grid_.phases / 2);
  const int L = in_->channel.levels;
  const double bin = grid_.bin_V;
  plan.levels = L;
  const double read = grid_.bins / 2 + std::ceil(std::abs(samples.cursor_V) / bin) + 1.0;
  if (!(read + eye::kGaussianSigmas * samples.gaussian_sigma_V / bin <= kMaxWindowBins)) {
    throw InputError("eye: the cursor (" + std::to_string(samples.cursor_V) + " V) or the Gaussian noise (sigma " +
                     std::to_string(samples.gaussian_sigma_V) + " V) spans more than 2^26 bins of " +
                     std::to_string(bin) + " V: the eye's voltage range is too small");
  }
  plan.gaussian_reach = eye::gaussian_reach(samples.gaussian_sigma_V, bin);
  plan.gaussian_scale = samples.gaussian_sigma_V > 0.0 ? bin / (samples.gaussian_sigma_V * std::sqrt(2.0)) : 0.0;
  plan.means_V.resize(static_cast<std::size_t>(L));
  for (int k = 0; k < L; ++k) plan.means_V[static_cast<std::size_t>(k)] = samples.cursor_V * levels_[static_cast<std::size_t>(k)];

  // Each variable's values binned in double as the reference bins them, for the levels above 0
  // only: the lower ones are their mirror images (the symbols are symmetric about 0 up to the
  // rounding of 2i / (L - 1) - 1, and round() is odd), which keeps the PDF exactly even. (The
  // reference rounds both sides itself: a product within 1e-16 of a half-integer could land one
  // bin apart from its mirror there.) The top level is 1 in both symbol sets, so its bin's
  // magnitude is the variable's reach.
  const int upper = L / 2;
  std::vector<double> binned;  // variables x upper, unclipped
  std::vector<std::uint64_t> order;  // (reach << 32) | variable: ascending reach, then input order
  binned.reserve((samples.level_variables_V.size() + samples.nominal_variables_V.size()) * static_cast<std::size_t>(upper));
  double linear = 0.0;
  const auto collect = [&](const std::vector<double>& amplitudes, const std::vector<double>& symbols) {
    for (double a : amplitudes) {
      const std::uint64_t variable = binned.size() / static_cast<std::size_t>(upper);
      for (int k = L - upper; k < L; ++k) binned.push_back(bin_of(a, symbols[static_cast<std::size_t>(k)], bin));
      const double reach = std::abs(binned.back());
      if (reach == 0.0) {  // every value in bin 0: the identity
        binned.resize(binned.size() - static_cast<std::size_t>(upper));
        continue;
      }
      order.push_back(static_cast<std::uint64_t>(std::min(reach, kMaxWindowBins * 8.0)) << 32 | variable);
      linear += reach;
    }
  };
  collect(samples.level_variables_V, levels_);
  collect(samples.nominal_variables_V, nominal_);
  std::sort(order.begin(), order.end());

  const double least = read + plan.gaussian_reach + 1.0;
  const double window = std::max(least, std::min(std::ceil(0.5 * (linear + least)), 2.0 * least));
  plan.window = static_cast<int>(window);
  const double clip = 2.0 * window + 1.0;

  plan.offsets.assign(order.size() * static_cast<std::size_t>(L), 0);  // the middle level of an odd L bins to 0
  eye::SupportTracker support;
  support.window = plan.window;
  int largest = 0;
  for (std::size_t v = 0; v < order.size(); ++v) {
    const double* values = &binned[(order[v] & 0xFFFFFFFFu) * static_cast<std::size_t>(upper)];
    int* offsets = &plan.offsets[v * static_cast<std::size_t>(L)];
    for (int k = 0; k < upper; ++k) {
      const int offset = static_cast<int>(std::clamp(values[k], -clip, clip));
      offsets[L - upper + k] = offset;
      offsets[upper - 1 - k] = -offset;
    }
    const int reach = std::abs(offsets[L - 1]);
    support.add(reach);
    largest = std::max(largest, reach);
  }
  plan.half_width = support.half_width;
  plan.padding = std::max(largest, 2 * plan.gaussian_reach) + kVectorPadding;
}

}  // namespace eyesweep
