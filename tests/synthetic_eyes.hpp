// Synthetic statistical-eye inputs for the eye engines' tests and benchmarks, analytic so that
// no data file is needed: an equalised victim pulse (a smooth main lobe, a pre-cursor, a long
// ringing post-cursor tail and a reflection) with a DFE that cancels its first post-cursors at
// t_s, and crosstalk pulses (bipolar main lobes and ringing tails) at a small fraction of its
// size, with Gaussian noise and jitter.
#pragma once

#include <cstdint>
#include <random>

#include "host/stat_eye.hpp"

namespace eyesweep::test {

struct SyntheticEye {
  int levels = 4;                  ///< L
  double r_lm = 1.0;
  double der0 = 1e-5;
  int samples_per_ui = 32;         ///< M
  int pulse_ui = 128;              ///< length of every pulse (UI)
  int precursor_ui = 6;            ///< UI of the pulse before the cursor
  double cursor_V = 0.2;           ///< peak of the main lobe
  double lobe_width_ui = 0.45;     ///< sigma of the main lobe's Gaussian shape
  double precursor = 0.06;         ///< pre-cursor tail, relative to the cursor
  double tail = 0.01;              ///< post-cursor tail at its onset, relative to the cursor
  double tail_decay_ui = 45.0;     ///< its exponential decay
  double ringing_period_ui = 7.0;  ///< and ripple
  double reflection = 0.03;        ///< a reflection, relative to the cursor ...
  double reflection_ui = 25.0;     ///< ... this many UI after the cursor
  int dfe_taps = 12;               ///< b(n) = h(n) / h(0), n = 1..N: no residual at t_s
  int aggressors = 6;
  double crosstalk = 0.015;        ///< aggressor main lobes relative to the cursor
  std::uint64_t crosstalk_seed = 1;  ///< the aggressors' shapes and delays
  double sigma_n_V = 0.002;
  double sigma_tx_V = 0.001;
  double a_dd_ui = 0.02;
  double sigma_rj_ui = 0.01;
};

/// The eye's inputs for `s`.
EyeInputs synthetic_eye(const SyntheticEye& s);

/// A random channel for the engine comparisons: NRZ or PAM4, R_LM in [0.8, 1], pulses of 20 to
/// 140 UI, 0 to 6 aggressors, noise, and jitter (A_DD, sigma_RJ) that is sometimes 0.
SyntheticEye random_synthetic_eye(std::mt19937_64& rng);

}  // namespace eyesweep::test
