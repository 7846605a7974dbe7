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
/// x - trunc(x) is exact. The carry is integer arithmetic, not a branch: the fractional parts
/// are random, and their mispredictions cost more than the rest of the binning.
double round_half_away(double x) {
  if (!(std::abs(x) < 4503599627370496.0)) return x;  // 2^52 and above: already an integer
  const auto whole = static_cast<long long>(x);
  const double part = x - static_cast<double>(whole);
  return static_cast<double>(whole + (part >= 0.5) - (part <= -0.5));
}

/// The bin of the value amplitude x: round(amplitude x / bin) in double and in this order of
/// operations, exactly as the reference bins it.
double bin_of(double amplitude, double level, double bin) { return round_half_away(amplitude * level / bin); }

/// One thread's buffers for EyePlanner::plan, reused from phase to phase: fresh ones cost
/// allocations, and copies as they grow, at every phase. Not in EyePhasePlan: the CUDA engine
/// keeps a plan per phase of a batch, thousands of them.
struct PlanScratch {
  EyePhaseSamples samples;
  std::vector<double> binned;        ///< amplitudes x upper levels, unclipped
  std::vector<std::uint64_t> order;  ///< (reach << 32) | amplitude, for the variables kept
  std::vector<std::uint64_t> spare;  ///< sort_by_reach's other buffer
};

PlanScratch& plan_scratch() {
  thread_local PlanScratch scratch;
  return scratch;
}

/// Sorts keys (reach << 32) | index, whose indices ascend, as std::sort would: a stable counting
/// pass on the reach, one bucket per reach below 256 (nearly all of them: most variables reach a
/// few bins) and one for all larger reaches, which std::sort then orders. In a fraction of
/// std::sort's time on all of them.
void sort_by_reach(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& spare) {
  static constexpr std::uint64_t kLarge = 256;  // the bucket of the reaches from 256 on
  const auto bucket = [](std::uint64_t key) { return std::min(key >> 32, kLarge); };
  std::size_t start[kLarge + 2] = {};  // start[b + 1]: the keys in bucket b, then their prefix sums
  for (std::uint64_t key : keys) ++start[bucket(key) + 1];
  for (std::uint64_t b = 0; b <= kLarge; ++b) start[b + 1] += start[b];
  spare.resize(keys.size());
  for (std::uint64_t key : keys) spare[start[bucket(key)]++] = key;
  keys.swap(spare);
  // start[b] has moved on to where bucket b + 1 starts.
  std::sort(keys.begin() + static_cast<std::ptrdiff_t>(start[kLarge - 1]), keys.end());
}

/// SupportTracker's half width after it adds the (clipped) reach of each of the plan's variables
/// in order. add() takes a square root each time (several percent of the planning), for half
/// widths that only the kernels need variable by variable: the tracker gets the sums it keeps,
/// as add() makes them, of all but the last variable, then adds the last.
int final_half_width(const EyePhasePlan& plan) {
  eye::SupportTracker support;
  support.window = plan.window;
  const std::size_t variables = plan.variables();
  const auto L = static_cast<std::size_t>(plan.levels);
  const auto reach = [&](std::size_t v) { return std::abs(plan.offsets[v * L + L - 1]); };
  for (std::size_t v = 0; v + 1 < variables; ++v) {
    support.linear += reach(v);
    support.power += static_cast<double>(reach(v)) * static_cast<double>(reach(v));
  }
  if (variables > 0) support.add(reach(variables - 1));
  return support.half_width;
}

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
  PlanScratch& scratch = plan_scratch();
  const EyePhaseSamples& samples = scratch.samples;
  eye_phase_samples(*in_, *options_, grid_, extended_phase - grid_.pad - grid_.phases / 2, scratch.samples);
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
  // magnitude is the variable's reach. Every amplitude is binned (at its index among the
  // amplitudes, which is the variables' input order), in a loop of its own so that the divisions
  // and roundings of many amplitudes overlap. Then only the variables of reach > 0 get a key
  // (the others are the identity), without a branch: it would mispredict on a quarter of them.
  const int upper = L / 2;
  std::vector<double>& binned = scratch.binned;
  const std::size_t count = samples.level_variables_V.size() + samples.nominal_variables_V.size();
  binned.resize(count * static_cast<std::size_t>(upper));
  double* next = binned.data();
  const auto bin_all = [&](const std::vector<double>& amplitudes, const std::vector<double>& symbols) {
    for (double a : amplitudes) {
      for (int k = 0; k < upper; ++k) *next++ = bin_of(a, symbols[static_cast<std::size_t>(L - upper + k)], bin);
    }
  };
  bin_all(samples.level_variables_V, levels_);
  bin_all(samples.nominal_variables_V, nominal_);

  std::vector<std::uint64_t>& order = scratch.order;  // ascending reach, then input order
  order.resize(count);
  std::uint64_t* key = order.data();
  double linear = 0.0;
  for (std::uint64_t index = 0; index < count; ++index) {
    const double reach = std::abs(binned[(index + 1) * static_cast<std::size_t>(upper) - 1]);
    const auto key_reach = static_cast<std::uint32_t>(std::min(reach, kMaxWindowBins * 8.0));
    *key = static_cast<std::uint64_t>(key_reach) << 32 | index;
    key += reach != 0.0;
    linear += reach;
  }
  order.resize(static_cast<std::size_t>(key - order.data()));
  sort_by_reach(order, scratch.spare);

  const double least = read + plan.gaussian_reach + 1.0;
  const double window = std::max(least, std::min(std::ceil(0.5 * (linear + least)), 2.0 * least));
  plan.window = static_cast<int>(window);
  const double clip = 2.0 * window + 1.0;

  plan.offsets.assign(order.size() * static_cast<std::size_t>(L), 0);  // the middle level of an odd L bins to 0
  int largest = 0;
  for (std::size_t v = 0; v < order.size(); ++v) {
    const double* values = &binned[(order[v] & 0xFFFFFFFFu) * static_cast<std::size_t>(upper)];
    int* offsets = &plan.offsets[v * static_cast<std::size_t>(L)];
    for (int k = 0; k < upper; ++k) {
      const int offset = static_cast<int>(std::clamp(values[k], -clip, clip));
      offsets[L - upper + k] = offset;
      offsets[upper - 1 - k] = -offset;
    }
    largest = std::max(largest, std::abs(offsets[L - 1]));
  }
  plan.half_width = final_half_width(plan);
  plan.padding = std::max(largest, 2 * plan.gaussian_reach) + kVectorPadding;
}

}  // namespace eyesweep
