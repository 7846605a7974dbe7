// The statistical eye's definitions shared by every eye engine: levels, grid, the jitter's
// timing weights, and the measurements (contours, openings, bathtubs, thresholds, VEC) made
// on an engine's error-ratio map. See stat_eye.hpp.
#include "host/stat_eye.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "kernels/common/error.hpp"

namespace eyesweep {

EyeCrosstalk parse_eye_crosstalk(std::string_view text, std::string_view option) {
  if (text == "synchronous") return EyeCrosstalk::synchronous;
  if (text == "worst_phase") return EyeCrosstalk::worst_phase;
  throw InputError(std::string(option) + ": '" + std::string(text) +
                   "' is not a crosstalk mode (synchronous, worst_phase)");
}

EyeJitter parse_eye_jitter(std::string_view text, std::string_view option) {
  if (text == "phase_mixing") return EyeJitter::phase_mixing;
  if (text == "linearised") return EyeJitter::linearised;
  throw InputError(std::string(option) + ": '" + std::string(text) +
                   "' is not a jitter model (phase_mixing, linearised)");
}

std::string_view to_string(EyeCrosstalk mode) {
  return mode == EyeCrosstalk::synchronous ? "synchronous" : "worst_phase";
}

std::string_view to_string(EyeJitter mode) {
  return mode == EyeJitter::phase_mixing ? "phase_mixing" : "linearised";
}

std::vector<double> eye_levels(int levels, double r_lm) {
  ES_EXPECTS(levels >= 2, "at least two levels");
  if (!(r_lm > 0.0 && r_lm <= 1.0)) {
    throw InputError("R_LM = " + std::to_string(r_lm) + " is outside (0, 1]: no eye levels for it");
  }
  std::vector<double> x(static_cast<std::size_t>(levels));
  for (int i = 0; i < levels; ++i) x[static_cast<std::size_t>(i)] = 2.0 * i / (levels - 1) - 1.0;
  if (levels == 4) {
    // ES1 = ES2 = a and R_LM = min(3 a, 2 - 3 a): compression moves the inner levels out.
    const double a = (2.0 - r_lm) / 3.0;
    x = {-1.0, -a, a, 1.0};
  }
  return x;
}

std::vector<double> eye_targets(const EyeOptions& options, double der0) {
  check_eye_options(options);
  std::vector<double> targets = options.target_ratios;
  if (std::find(targets.begin(), targets.end(), der0) == targets.end()) targets.push_back(der0);
  std::sort(targets.begin(), targets.end(), std::greater<>());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  return targets;
}

double pulse_at(std::span<const double> pulse, double position) {
  if (!(position >= 0.0) || position > static_cast<double>(pulse.size() - 1)) return 0.0;
  // Through a signed integer: the same truncation on [0, size - 1], in fewer instructions than
  // size_t's (the planners interpolate a thousand samples per phase).
  const auto whole = static_cast<long long>(position);
  const auto i = static_cast<std::size_t>(whole);
  if (i + 1 >= pulse.size()) return pulse[i];
  const double t = position - static_cast<double>(whole);
  return pulse[i] + t * (pulse[i + 1] - pulse[i]);
}

namespace {

// E[(t - X)+] for X ~ N(mu, s): the ramp whose second difference is the hat function.
double ramp_expectation(double t, double mu, double s) {
  if (s == 0.0) return std::max(t - mu, 0.0);
  const double z = (t - mu) / s;
  const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
  return (t - mu) * cdf + s * pdf;
}

// Weights of the phase offsets m = -pad..pad for a timing offset X (in phase steps): the
// expectation of the hat function centred on m, i.e. X's mass shared linearly between its two
// neighbouring phases. Mixing tails with these weights is exact for tails linear between phases.
std::vector<double> timing_weights(double a_dd_steps, double sigma_steps, int pad) {
  std::vector<double> w(static_cast<std::size_t>(2 * pad + 1), 0.0);
  for (double mu : {-a_dd_steps, a_dd_steps}) {
    for (int m = -pad; m <= pad; ++m) {
      const double hat = ramp_expectation(m + 1.0, mu, sigma_steps) - 2.0 * ramp_expectation(m, mu, sigma_steps) +
                         ramp_expectation(m - 1.0, mu, sigma_steps);
      w[static_cast<std::size_t>(m + pad)] += 0.5 * std::max(hat, 0.0);
    }
  }
  double sum = 0.0;
  for (double v : w) sum += v;
  for (double& v : w) v /= sum;
  return w;
}

}  // namespace

void check_eye_options(const EyeOptions& options) {
  if (options.phases < 2 || options.phases > 4096 || options.phases % 2 != 0) {
    throw InputError("eye phases (--phases) = " + std::to_string(options.phases) + ": must be even, 2 to 4096");
  }
  if (options.voltage_bins < 16 || options.voltage_bins > 65536 || options.voltage_bins % 2 != 0) {
    throw InputError("eye voltage bins (--bins) = " + std::to_string(options.voltage_bins) + ": must be even, 16 to 65536");
  }
  if (!(options.voltage_half_range >= 0.0) || !std::isfinite(options.voltage_half_range)) {
    throw InputError("eye voltage range (--voltage-range) must be a finite voltage >= 0 (0 = automatic)");
  }
  for (double t : options.target_ratios) {
    if (!(t >= kSmallestTargetRatio && t < 0.5)) {
      throw InputError("eye target error ratio (--targets) " + std::to_string(t) +
                       " is outside [1e-20, 0.5): the maps resolve ratios down to about 1e-30");
    }
  }
}

EyeGrid make_eye_grid(const EyeInputs& in, const EyeOptions& options) {
  const ComNoiseInputs& ch = in.channel;
  check_eye_options(options);
  ES_EXPECTS(ch.samples_per_ui >= 1 && ch.cursor_index < ch.victim_pulse.size(), "cursor inside the victim pulse");
  ES_EXPECTS(ch.a_dd_ui >= 0.0 && ch.sigma_rj_ui >= 0.0, "jitter must be >= 0");

  EyeGrid grid;
  grid.phases = options.phases;
  grid.bins = options.voltage_bins;
  double half_range = options.voltage_half_range;
  if (half_range == 0.0) {
    double largest = 0.0;
    for (int j = 0; j < grid.phases; ++j) {
      const double position = static_cast<double>(ch.cursor_index) + grid.phase_UI(j) * ch.samples_per_ui;
      largest = std::max(largest, std::abs(pulse_at(ch.victim_pulse, position)));
    }
    if (largest == 0.0) throw InputError("the equalised pulse is zero across the UI: no eye to draw");
    half_range = 1.25 * largest;
  }
  grid.bin_V = 2.0 * half_range / grid.bins;

  const bool mixing = options.jitter == EyeJitter::phase_mixing && (ch.a_dd_ui > 0.0 || ch.sigma_rj_ui > 0.0);
  if (mixing) {
    const double a = ch.a_dd_ui * grid.phases;
    const double s = ch.sigma_rj_ui * grid.phases;
    // Beyond 9 sigma the Gaussian's mass is below 1e-19: nothing a contour can see.
    grid.pad = static_cast<int>(std::ceil(a + 9.0 * s)) + 1;
    if (grid.pad > 8 * grid.phases) {
      throw InputError("jitter (A_DD + 9 sigma_RJ) spans more than 8 UI: no eye is open");
    }
    grid.timing_weights = timing_weights(a, s, grid.pad);
  } else {
    grid.timing_weights = {1.0};
  }
  if (options.crosstalk == EyeCrosstalk::worst_phase) {
    for (const Aggressor& aggressor : ch.aggressors) {
      grid.aggressor_phases.push_back(worst_aggressor_phase(aggressor.pulse, ch.samples_per_ui, ch.levels, grid.bin_V));
    }
  }
  return grid;
}

namespace {

// Where eye_phase_samples puts each amplitude it samples: at `out` (which then moves on), or,
// below a quarter bin (binned, it would be a delta at 0), into `variance` by its variance. The
// samples are written through a pointer into room made beforehand, as they are sampled, and
// without a branch (which samples are small follows no pattern): push_back's bookkeeping and a
// second pass that folded the small ones took about a third of the fast engines' planning.
struct AmplitudeSink {
  double small;      ///< a quarter bin
  double power;      ///< the variance of the symbols the amplitudes multiply
  double* out;
  /// Adds up in the order of the amplitudes, as the reference adds them. Held here, not by
  /// reference: the writes through `out` could alias it, which would keep it in memory.
  double variance;

  void take(double a) {
    const bool folded = std::abs(a) < small;
    const double folded_a = folded ? a : 0.0;  // adds +0.0 to a variance >= 0 when kept: the same sum
    variance += power * folded_a * folded_a;
    *out = a;
    out += !folded;
  }
};

// Samples of `pulse` every UI through `position` (fractional sample index), in UI order, into
// `sink`: at most pulse.size() / samples_per_ui + 2 of them.
void samples_through(std::span<const double> pulse, int samples_per_ui, double position, AmplitudeSink& sink) {
  const double m = samples_per_ui;
  const double last = static_cast<double>(pulse.size() - 1);
  for (double p = position - m * std::floor(position / m); p <= last; p += m) {
    if (p >= 0.0) sink.take(pulse_at(pulse, p));
  }
}

}  // namespace

EyePhaseSamples eye_phase_samples(const EyeInputs& in, const EyeOptions& options, const EyeGrid& grid,
                                  int phase_steps) {
  EyePhaseSamples s;
  eye_phase_samples(in, options, grid, phase_steps, s);
  return s;
}

void eye_phase_samples(const EyeInputs& in, const EyeOptions& options, const EyeGrid& grid, int phase_steps,
                       EyePhaseSamples& s) {
  const ComNoiseInputs& ch = in.channel;
  const int m = ch.samples_per_ui;
  const double offset = static_cast<double>(phase_steps) / grid.phases * m;
  const double cursor_position = static_cast<double>(ch.cursor_index) + offset;
  const double cursor_at_ts = ch.victim_pulse[ch.cursor_index];
  const double last = static_cast<double>(ch.victim_pulse.size() - 1);
  s.cursor_V = pulse_at(ch.victim_pulse, cursor_position);

  const std::vector<double> levels = eye_levels(ch.levels, in.r_lm);
  double level_power = 0.0;
  for (double x : levels) level_power += x * x / ch.levels;
  const double sx = sigma_x(ch.levels);
  double variance = ch.sigma_tx * ch.sigma_tx + ch.sigma_n * ch.sigma_n;

  // Before the level variables: the small ones' variances add up after the random jitter's.
  s.nominal_variables_V.clear();
  if (options.jitter == EyeJitter::linearised) {
    // COM's slope h_J = (h(s + 1) - h(s - 1)) M / 2 at every UI through the sampling point.
    for (double p = cursor_position - m * std::floor(cursor_position / m); p <= last; p += m) {
      const double h_j = (pulse_at(ch.victim_pulse, p + 1.0) - pulse_at(ch.victim_pulse, p - 1.0)) * m / 2.0;
      variance += ch.sigma_rj_ui * ch.sigma_rj_ui * sx * sx * h_j * h_j;
      if (ch.a_dd_ui > 0.0) s.nominal_variables_V.push_back(ch.a_dd_ui * h_j);
    }
  }

  std::vector<double>& variables = s.level_variables_V;
  std::size_t room = ch.victim_pulse.size() / static_cast<std::size_t>(m) + 2;
  for (const Aggressor& aggressor : ch.aggressors) room += aggressor.pulse.size() / static_cast<std::size_t>(m) + 2;
  variables.resize(room);
  const double small = 0.25 * grid.bin_V;
  AmplitudeSink level{small, level_power, variables.data(), variance};
  // The victim: every UI of the pulse except the cursor, the DFE's b(n) h(t_s) removed.
  for (double n = -std::floor(cursor_position / m); cursor_position + n * m <= last; n += 1.0) {
    if (n == 0.0) continue;
    double h = pulse_at(ch.victim_pulse, cursor_position + n * m);
    if (n >= 1.0 && n <= static_cast<double>(ch.dfe_taps.size())) {
      h -= ch.dfe_taps[static_cast<std::size_t>(n) - 1] * cursor_at_ts;
    }
    level.take(h);
  }
  for (std::size_t a = 0; a < ch.aggressors.size(); ++a) {
    const double position = grid.aggressor_phases.empty() ? cursor_position : grid.aggressor_phases[a];
    samples_through(ch.aggressors[a].pulse, m, position, level);
  }
  variables.resize(static_cast<std::size_t>(level.out - variables.data()));

  std::vector<double>& nominal = s.nominal_variables_V;
  AmplitudeSink dual_dirac{small, sx * sx, nominal.data(), level.variance};
  for (double a : nominal) dual_dirac.take(a);  // in place: it writes at or before what it reads
  nominal.resize(static_cast<std::size_t>(dual_dirac.out - nominal.data()));
  s.gaussian_sigma_V = std::sqrt(dual_dirac.variance);
}

EyeMap assemble_eye_map(const EyeGrid& grid, int levels, std::span<const double> above,
                        std::span<const double> below, std::span<const double> means) {
  const int P = grid.phases, B = grid.bins, L = levels;
  const std::size_t rows = static_cast<std::size_t>(P + 2 * grid.pad) * L;
  ES_EXPECTS(above.size() == rows * B && below.size() == rows * B && means.size() == rows, "eye tail shapes");
  EyeMap map;
  map.levels = L;
  for (int j = 0; j < P; ++j) map.phase_UI.push_back(grid.phase_UI(j));
  for (int b = 0; b < B; ++b) map.voltage_V.push_back(grid.voltage_V(b));
  map.ratio.assign(static_cast<std::size_t>(P) * B, 0.0);
  map.level_means_V.assign(static_cast<std::size_t>(P) * L, 0.0);
  const std::size_t W = grid.timing_weights.size();
  for (int j = 0; j < P; ++j) {
    // Jitter: the timing distribution's average of the phases around j (rows j .. j + 2 pad).
    double* mean = &map.level_means_V[static_cast<std::size_t>(j) * L];
    for (std::size_t m = 0; m < W; ++m) {
      for (int k = 0; k < L; ++k) mean[k] += grid.timing_weights[m] * means[(static_cast<std::size_t>(j) + m) * L + static_cast<std::size_t>(k)];
    }
    // Each bin reads two tails (level k above v, level k + 1 below v), k the highest level whose
    // mean is below v (-1: none): only those are mixed, a run of bins with the same k at a time
    // so that the sums stream through contiguous rows.
    double* ratio = &map.ratio[static_cast<std::size_t>(j) * B];
    for (int first = 0; first < B;) {
      int k = 0;
      while (k < L && mean[k] < grid.voltage_V(first)) ++k;
      --k;
      int last = first + 1;  // one past the run
      const double upper_mean = k + 1 < L ? mean[k + 1] : INFINITY;
      while (last < B && grid.voltage_V(last) <= upper_mean) ++last;
      for (std::size_t m = 0; m < W; ++m) {
        const double w = grid.timing_weights[m];
        const std::size_t row = (static_cast<std::size_t>(j) + m) * L;
        if (k >= 0) {
          const double* up = &above[(row + static_cast<std::size_t>(k)) * B];
          for (int bin = first; bin < last; ++bin) ratio[bin] += w * up[bin];
        }
        if (k + 1 < L) {
          const double* down = &below[(row + static_cast<std::size_t>(k + 1)) * B];
          for (int bin = first; bin < last; ++bin) ratio[bin] += w * down[bin];
        }
      }
      first = last;
    }
  }
  return map;
}

namespace {

// Where `target` lies between bin a (ratio ra > target) and its neighbour b (rb <= target):
// the fraction of the way from a to b, interpolated in log ratio.
double log_crossing(double ra, double rb, double target) {
  const double la = std::log10(std::max(ra, kResolvedErrorRatio));
  const double lb = std::log10(std::max(rb, kResolvedErrorRatio));
  const double lt = std::log10(target);
  return la == lb ? 0.5 : std::clamp((la - lt) / (la - lb), 0.0, 1.0);
}

struct PhaseOpening {
  bool empty = true;     // no bin between the two means
  double min_ratio = 1.0;  // the lowest ratio of the run
  double centre = 0.0;   // fractional bin of the middle of the run of lowest (resolved) ratios
  int low = 0, high = 0; // first and last bin of the region between the means
  int argmin = 0;
};

class EyeMeasurer {
 public:
  EyeMeasurer(const EyeMap& map) : map_(map), P_(static_cast<int>(map.phase_UI.size())),
                                   B_(static_cast<int>(map.voltage_V.size())), L_(map.levels) {}

  double ratio(int j, int b) const { return map_.ratio[static_cast<std::size_t>(j) * B_ + b]; }
  double mean(int j, int k) const { return map_.level_means_V[static_cast<std::size_t>(j) * L_ + k]; }
  double bin_V() const { return B_ > 1 ? map_.voltage_V[1] - map_.voltage_V[0] : 1.0; }
  double voltage(double fractional_bin) const { return map_.voltage_V[0] + fractional_bin * bin_V(); }

  PhaseOpening opening(int j, int k) const {
    PhaseOpening o;
    const double lo_v = mean(j, k), hi_v = mean(j, k + 1);
    if (!(hi_v > lo_v)) return o;
    const double v0 = map_.voltage_V[0], dv = bin_V();
    o.low = std::max(0, static_cast<int>(std::floor((lo_v - v0) / dv)) + 1);
    o.high = std::min(B_ - 1, static_cast<int>(std::ceil((hi_v - v0) / dv)) - 1);
    if (o.low > o.high) return o;
    o.empty = false;
    // Ratios below what the maps resolve count as equal, so that the run of lowest ratios (and
    // the threshold in its middle) is the same whichever engine made the map.
    const auto resolved = [&](int b) { return std::max(ratio(j, b), kResolvedErrorRatio); };
    o.argmin = o.low;
    for (int b = o.low; b <= o.high; ++b) {
      if (resolved(b) < resolved(o.argmin)) o.argmin = b;
    }
    o.min_ratio = ratio(j, o.argmin);
    int last = o.argmin;
    while (last + 1 <= o.high && resolved(last + 1) <= resolved(o.argmin)) {
      ++last;
      o.min_ratio = std::min(o.min_ratio, ratio(j, last));
    }
    o.centre = 0.5 * (o.argmin + last);
    return o;
  }

  // Edges of the region around the opening's lowest ratio where the ratio stays <= target.
  bool edges(int j, const PhaseOpening& o, double target, double& lower, double& upper) const {
    if (o.empty || o.min_ratio > target) return false;
    int b = o.argmin;
    while (b - 1 >= 0 && ratio(j, b - 1) <= target) --b;
    lower = b == 0 ? voltage(0) : voltage(b - 1 + log_crossing(ratio(j, b - 1), ratio(j, b), target));
    b = o.argmin;
    while (b + 1 < B_ && ratio(j, b + 1) <= target) ++b;
    upper = b == B_ - 1 ? voltage(b) : voltage(b + 1 - log_crossing(ratio(j, b + 1), ratio(j, b), target));
    return true;
  }

  // The ratio at voltage v on phase j, interpolated in log ratio between the two nearest bins
  // (0 where it falls below what the maps resolve).
  double ratio_at(int j, double v) const {
    const double x = std::clamp((v - map_.voltage_V[0]) / bin_V(), 0.0, static_cast<double>(B_ - 1));
    const int b = std::min(static_cast<int>(x), B_ - 2);
    const double t = x - b;
    const double la = std::log10(std::max(ratio(j, b), kResolvedErrorRatio));
    const double lb = std::log10(std::max(ratio(j, b + 1), kResolvedErrorRatio));
    const double r = std::pow(10.0, la + t * (lb - la));
    return r <= kResolvedErrorRatio ? 0.0 : r;
  }

  int phases() const { return P_; }
  int bins() const { return B_; }

 private:
  const EyeMap& map_;
  int P_, B_, L_;
};

// Visits phases from t_s outwards (P/2, P/2 - 1, P/2 + 1, ...), so that ties go to the nearest.
template <typename Visit>
void phases_from_centre(int P, Visit&& visit) {
  visit(P / 2);
  for (int d = 1; d <= P / 2; ++d) {
    if (P / 2 - d >= 0) visit(P / 2 - d);
    if (P / 2 + d < P) visit(P / 2 + d);
  }
}

SubEye measure_sub_eye(const EyeMeasurer& m, int k, std::span<const double> targets, std::size_t der0_index) {
  const int P = m.phases(), B = m.bins();
  const std::size_t T = targets.size();
  SubEye s;
  s.height_V.assign(T, 0.0);
  s.width_UI.assign(T, 0.0);
  s.contour_lower_V.assign(T * P, std::numeric_limits<double>::quiet_NaN());
  s.contour_upper_V.assign(T * P, std::numeric_limits<double>::quiet_NaN());

  std::vector<PhaseOpening> openings(static_cast<std::size_t>(P));
  std::vector<double> height_der0(static_cast<std::size_t>(P), 0.0);
  for (int j = 0; j < P; ++j) {
    openings[j] = m.opening(j, k);
    for (std::size_t t = 0; t < T; ++t) {
      double lower = 0.0, upper = 0.0;
      if (!m.edges(j, openings[j], targets[t], lower, upper)) continue;
      s.contour_lower_V[t * P + j] = lower;
      s.contour_upper_V[t * P + j] = upper;
      s.height_V[t] = std::max(s.height_V[t], upper - lower);
      if (t == der0_index) height_der0[j] = upper - lower;
    }
  }

  int best = -1;
  phases_from_centre(P, [&](int j) {
    if (height_der0[j] > 0.0 && (best < 0 || height_der0[j] > height_der0[best])) best = j;
  });
  if (best < 0) {  // closed at DER_0 everywhere: the phase of the lowest ratio
    phases_from_centre(P, [&](int j) {
      if (!openings[j].empty && (best < 0 || openings[j].min_ratio < openings[best].min_ratio)) best = j;
    });
  }
  if (best < 0) best = P / 2;  // the levels never separate: report the centre, all closed

  const PhaseOpening& o = openings[best];
  s.best_phase_UI = static_cast<double>(best - P / 2) / P;
  s.threshold_V = o.empty ? 0.5 * (m.mean(best, k) + m.mean(best, k + 1)) : m.voltage(o.centre);
  s.min_ratio = o.empty ? 1.0 : o.min_ratio;
  s.vertical_bathtub.resize(static_cast<std::size_t>(B));
  for (int b = 0; b < B; ++b) s.vertical_bathtub[b] = m.ratio(best, b);
  s.horizontal_bathtub.resize(static_cast<std::size_t>(P));
  for (int j = 0; j < P; ++j) s.horizontal_bathtub[j] = m.ratio_at(j, s.threshold_V);

  const std::vector<double>& tub = s.horizontal_bathtub;
  for (std::size_t t = 0; t < T; ++t) {
    if (tub[best] > targets[t]) continue;
    int left = best, right = best;
    while (left - 1 >= 0 && tub[left - 1] <= targets[t]) --left;
    while (right + 1 < P && tub[right + 1] <= targets[t]) ++right;
    const double l = left == 0 ? 0.0 : left - 1 + log_crossing(tub[left - 1], tub[left], targets[t]);
    const double r = right == P - 1 ? P - 1.0 : right + 1 - log_crossing(tub[right + 1], tub[right], targets[t]);
    s.width_UI[t] = (r - l) / P;
  }

  s.height_der0_V = height_der0[best];
  const double separation = m.mean(best, k + 1) - m.mean(best, k);
  const double eps = std::numeric_limits<double>::epsilon();
  s.vec_dB = separation > 0.0 ? -20.0 * std::log10(std::max(s.height_der0_V / separation, eps))
                              : -20.0 * std::log10(eps);
  return s;
}

}  // namespace

StatEye measure_eye(EyeMap map, std::span<const double> targets, double der0, double r_lm) {
  const std::size_t P = map.phase_UI.size(), B = map.voltage_V.size(), L = static_cast<std::size_t>(map.levels);
  ES_EXPECTS(map.levels >= 2 && P >= 2 && B >= 2, "an eye map needs phases, bins and levels");
  ES_EXPECTS(map.ratio.size() == P * B && map.level_means_V.size() == P * L, "eye map shapes");
  const auto der0_at = std::find(targets.begin(), targets.end(), der0);
  ES_EXPECTS(der0_at != targets.end(), "DER_0 among the eye targets");

  StatEye eye;
  eye.r_lm = r_lm;
  eye.der0 = der0;
  eye.targets.assign(targets.begin(), targets.end());
  const EyeMeasurer measurer(map);
  eye.height_der0_V = std::numeric_limits<double>::infinity();
  for (int k = 0; k + 1 < map.levels; ++k) {
    eye.sub_eyes.push_back(measure_sub_eye(measurer, k, targets, static_cast<std::size_t>(der0_at - targets.begin())));
    eye.height_der0_V = std::min(eye.height_der0_V, eye.sub_eyes.back().height_der0_V);
    eye.vec_dB = std::max(eye.vec_dB, eye.sub_eyes.back().vec_dB);
  }
  eye.map = std::move(map);
  return eye;
}

}  // namespace eyesweep
