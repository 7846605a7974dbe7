// Comparing a fast eye engine's eyes with the reference's, one body for the CPU and CUDA
// engines' tests: the error-ratio maps in log10 over the open region, what is measured on them
// (heights, widths, thresholds, best phases, level means), and every field written.
//
// Tolerances, from the float arithmetic of kernels/eye/eye_phase.hpp and what it gives:
// - log10 of the error ratio: 1e-3 (0.23 %). Every mass and tail is a sum of non-negative
//   float terms, each relatively within (additions) x 2^-24 of the double value: about 1e3
//   variables + 1e3 Gaussian cells + 1e4 suffix terms give at most 7e-4, 3e-4 in log10. Measured
//   (CPU engine, 60 runs of 224 random eyes, and the VITA channel): at most 4.1e-7.
// - The open region: every bin where either map lies in [1e-15, 1e-1] (both floored at 1e-30,
//   so that a ratio one engine has and the other lacks is a failure, not a skip): the range the
//   contours, heights, widths and bathtubs are read from.
// - Heights and thresholds within a bin, widths and best phases within a phase step: the
//   measurements interpolate the maps, and ties (equal heights at two phases, runs of equal
//   lowest ratios) may fall either way on differences of a few ulps. Two equal lowest ratios
//   far apart (the mirror-image minima of a symmetric middle PAM4 sub-eye) are a tie too: a
//   threshold more than a bin away must sit where the reference's ratio is as low (within the
//   log10 tolerance). Where the reference's lowest ratio is below 1e-30, float has no digits
//   left to place the threshold (masses there are below its resolution, and the fast engines
//   drop the PDF's far edges below 1e-30, see eye_phase.hpp): the fast engine's lowest ratio
//   is then only required to be below 1e-30 too.
//   The edges of contours and bathtubs are interpolated in log ratio between the last bin or
//   phase above the target and the first below, both floored at kResolvedErrorRatio, and runs
//   of lowest ratios are found with ratios below it counting as equal: a reference ratio of
//   1e-40 where float has 0 moves neither an edge nor the threshold in the middle of the run.
//   (Before, float's longer runs of zeros moved the threshold of 2 in 1,000 eyes at 64 x 2048
//   by 10 bins and their widths by 1.1-1.2 phase steps, on the CPU and CUDA engines alike.)
// Measured (CPU engine, 2 x 1,000 eyes at 64 x 2048): heights within 3.4e-5 bins, widths
// within 1e-5 phase steps, thresholds 0 bins apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "host/eye_engine.hpp"
#include "host/stat_eye.hpp"

namespace eyesweep::test {

constexpr double kLog10RatioTolerance = 1e-3;
constexpr double kOpenRegionLowest = 1e-15, kOpenRegionHighest = 1e-1;

/// How far a fast engine's eye is from the reference's.
struct EyeDifference {
  double log10_ratio = 0.0;        ///< largest |log10 fast - log10 reference| over the open region
  std::size_t open_bins = 0;       ///< bins of the open region
  double height_bins = 0.0;        ///< largest height difference, any sub-eye and target (bins)
  double width_steps = 0.0;        ///< largest width difference (phase steps)
  double threshold_bins = 0.0;     ///< largest threshold difference where resolved (bins)
  double best_phase_steps = 0.0;   ///< largest best-phase difference (phase steps)
};

/// Checks `fast` against `reference` (same shapes, every field written, the differences within
/// the tolerances above); failures carry `what`. Returns the differences.
EyeDifference expect_same_eye(const StatEye& fast, const StatEye& reference, const std::string& what);

/// The largest of each difference (open bins add up).
void keep_worst(EyeDifference& worst, const EyeDifference& d);

/// The eyes of the VITA 68.2 channel shipped with eyesweep (configs/vita_kr4.toml, THRU, 2
/// FEXT, 3 NEXT) as COM equalises it, one per package case (run_com's winners): `engine`
/// against the reference, with synchronous crosstalk and phase-mixing jitter, and with COM's
/// worst-phase crosstalk and linearised jitter.
void compare_on_vita_channel(EyeEngine& engine);

/// `count` random synthetic eyes (random_synthetic_eye) from `seed`, a quarter under each
/// combination of crosstalk mode and jitter model, at phases x bins: `engine` against the
/// reference, `batch` eyes per call of each. Failures name the eye and the seed; returns the
/// worst differences.
EyeDifference compare_on_random_eyes(EyeEngine& engine, std::size_t count, int phases, int bins, std::uint64_t seed,
                                     std::size_t batch);

}  // namespace eyesweep::test
