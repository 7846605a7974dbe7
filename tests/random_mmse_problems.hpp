// Random pulses and noise, and the problems they make, for the MMSE solver tests (tests/test_rx_ffe.cpp,
// tests/test_mmse_engine.cpp).
#pragma once

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include "host/rx_ffe_mmse.hpp"

namespace eyesweep::test {

/// A pulse of n UI samples, 1 at `cursor`, random pre- and post-cursors of scale `spread`
/// decaying away from it.
inline std::vector<double> random_pulse(std::mt19937& rng, std::size_t n, std::size_t cursor, double spread = 0.3) {
  std::normal_distribution<double> normal;
  std::vector<double> h(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double distance = std::abs(static_cast<double>(i) - static_cast<double>(cursor));
    h[i] = spread * normal(rng) * std::exp(-0.4 * distance);
  }
  h[cursor] = 1.0;
  return h;
}

/// A positive semi-definite autocorrelation: sigma^2 times that of a random short sequence.
inline std::vector<double> random_noise_acf(std::mt19937& rng, std::size_t lags, double sigma2) {
  std::normal_distribution<double> normal;
  std::vector<double> x(6);
  for (double& v : x) v = normal(rng);
  std::vector<double> acf = autocorrelation(x, lags);
  const double r0 = acf[0];
  for (double& r : acf) r *= sigma2 / r0;
  return acf;
}

/// The MMSE problem of these numbers (spans into the caller's vectors, which must outlive it).
inline MmseProblem mmse_problem(const std::vector<double>& h, std::size_t cursor, const RxFfe& ffe,
                                const std::vector<double>& acf, const std::vector<double>& b_min,
                                const std::vector<double>& b_max, double sigma_x2) {
  MmseProblem p;
  p.h = h;
  p.cursor = cursor;
  p.noise_acf = acf;
  p.ffe = &ffe;
  p.b_min = b_min;
  p.b_max = b_max;
  p.sigma_x2 = sigma_x2;
  return p;
}

}  // namespace eyesweep::test
