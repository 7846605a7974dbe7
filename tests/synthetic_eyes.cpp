// Synthetic statistical-eye inputs; see synthetic_eyes.hpp.
#include "tests/synthetic_eyes.hpp"

#include <cmath>
#include <numbers>

namespace eyesweep::test {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

/// The victim's pulse at t UI from the cursor.
double victim_pulse(const SyntheticEye& s, double t) {
  const double lobe = std::exp(-0.5 * (t / s.lobe_width_ui) * (t / s.lobe_width_ui));
  // The tails rise smoothly from the main lobe's edges (no step for the interpolation to see).
  const double onset = 1.0 - std::exp(-std::abs(t) / 0.7);
  const double post = t > 0.0 ? s.tail * onset * std::exp(-t / s.tail_decay_ui) *
                                    (1.0 + 0.4 * std::sin(kTwoPi * t / s.ringing_period_ui))
                              : 0.0;
  const double pre = t < 0.0 ? -s.precursor * onset * std::exp(t / 1.5) : 0.0;
  const double r = (t - s.reflection_ui) / 1.2;
  const double reflection = s.reflection * std::exp(-0.5 * r * r) * (1.0 - 0.6 * r);
  return s.cursor_V * (lobe + post + pre + reflection);
}

/// One aggressor: a bipolar main lobe (the derivative of a Gaussian, as coupling through a
/// capacitance or inductance gives) `delay` UI from the victim's cursor, and a ringing tail.
struct CrosstalkShape {
  double amplitude, delay, width, tail, decay, period;
  double at(double t) const {
    const double x = (t - delay) / width;
    const double lobe = -x * std::exp(0.5 - 0.5 * x * x);  // peak +-1 at x = -+1
    const double after = t - delay;
    const double ring = after > 0.0 ? tail * (1.0 - std::exp(-after / 0.7)) * std::exp(-after / decay) *
                                          std::sin(kTwoPi * after / period)
                                    : 0.0;
    return amplitude * (lobe + ring);
  }
};

}  // namespace

EyeInputs synthetic_eye(const SyntheticEye& s) {
  EyeInputs in;
  in.r_lm = s.r_lm;
  ComNoiseInputs& ch = in.channel;
  ch.levels = s.levels;
  ch.der0 = s.der0;
  ch.samples_per_ui = s.samples_per_ui;
  ch.cursor_index = static_cast<std::size_t>(s.precursor_ui * s.samples_per_ui);
  const int samples = s.pulse_ui * s.samples_per_ui;
  const auto time_ui = [&](int i) { return static_cast<double>(i - static_cast<int>(ch.cursor_index)) / s.samples_per_ui; };
  for (int i = 0; i < samples; ++i) ch.victim_pulse.push_back(victim_pulse(s, time_ui(i)));
  const double h0 = ch.victim_pulse[ch.cursor_index];
  for (int n = 1; n <= s.dfe_taps; ++n) {
    const std::size_t at = ch.cursor_index + static_cast<std::size_t>(n * s.samples_per_ui);
    if (at < ch.victim_pulse.size()) ch.dfe_taps.push_back(ch.victim_pulse[at] / h0);
  }

  std::mt19937_64 rng(s.crosstalk_seed);
  const auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  for (int a = 0; a < s.aggressors; ++a) {
    const CrosstalkShape shape{s.crosstalk * s.cursor_V * uniform(0.3, 1.0), uniform(-2.0, 6.0), uniform(0.4, 1.2),
                               uniform(0.1, 0.5), uniform(10.0, 40.0), uniform(3.0, 11.0)};
    Aggressor aggressor;
    aggressor.kind = a % 2 == 0 ? AggressorKind::fext : AggressorKind::next;
    for (int i = 0; i < samples; ++i) aggressor.pulse.push_back(shape.at(time_ui(i)));
    ch.aggressors.push_back(std::move(aggressor));
  }
  ch.sigma_n = s.sigma_n_V;
  ch.sigma_tx = s.sigma_tx_V;
  ch.a_dd_ui = s.a_dd_ui;
  ch.sigma_rj_ui = s.sigma_rj_ui;
  return in;
}

SyntheticEye random_synthetic_eye(std::mt19937_64& rng) {
  const auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  const auto integer = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  SyntheticEye s;
  s.levels = integer(0, 1) == 0 ? 2 : 4;
  s.r_lm = s.levels == 4 && integer(0, 2) > 0 ? uniform(0.8, 1.0) : 1.0;
  s.der0 = std::pow(10.0, -integer(4, 8));
  s.samples_per_ui = integer(0, 1) == 0 ? 16 : 32;
  s.pulse_ui = integer(20, 140);
  s.precursor_ui = integer(2, 8);
  s.cursor_V = uniform(0.05, 0.4);
  s.lobe_width_ui = uniform(0.3, 0.7);
  s.precursor = uniform(0.0, 0.1);
  s.tail_decay_ui = uniform(3.0, 40.0);
  s.tail = uniform(0.03, 0.6) / s.tail_decay_ui;  // the tail's area: from a clean to a closed eye
  s.ringing_period_ui = uniform(3.0, 15.0);
  s.reflection = uniform(0.0, 0.05);
  s.reflection_ui = uniform(5.0, 0.8 * s.pulse_ui);
  s.dfe_taps = integer(0, 16);
  s.aggressors = integer(0, 6);
  s.crosstalk = uniform(0.003, 0.03);
  s.crosstalk_seed = rng();
  s.sigma_n_V = s.cursor_V * (integer(0, 5) == 0 ? 0.0 : uniform(0.002, 0.02));
  s.sigma_tx_V = s.cursor_V * (integer(0, 2) == 0 ? 0.0 : uniform(0.001, 0.01));
  s.a_dd_ui = integer(0, 3) == 0 ? 0.0 : uniform(0.0, 0.05);
  s.sigma_rj_ui = integer(0, 3) == 0 ? 0.0 : uniform(0.0, 0.02);
  return s;
}

}  // namespace eyesweep::test
