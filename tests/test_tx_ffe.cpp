// The circular Tx FFE against a direct modular implementation, including pulses shorter
// than the taps' shifts (where a single wrap is not enough).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "host/tx_ffe.hpp"

namespace eyesweep {
namespace {

std::vector<double> direct(const std::vector<double>& pulse, const std::vector<double>& taps, int first_offset, int M) {
  const auto N = static_cast<long>(pulse.size());
  std::vector<double> out(pulse.size(), 0.0);
  for (long n = 0; n < N; ++n) {
    for (std::size_t k = 0; k < taps.size(); ++k) {
      const long shift = (first_offset + static_cast<long>(k)) * M;
      out[static_cast<std::size_t>(n)] += taps[k] * pulse[static_cast<std::size_t>((((n - shift) % N) + N) % N)];
    }
  }
  return out;
}

TEST(CircularFfe, MatchesTheModularDefinitionForAnyPulseLength) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  TxGrid grid;
  grid.first_offset = -3;
  grid.num_taps = 5;
  const std::vector<double> taps{-0.02, 0.06, -0.22, 0.64, -0.06};
  for (std::size_t length : {1u, 5u, 31u, 32u, 95u, 96u, 97u, 500u}) {
    std::vector<double> pulse(length);
    for (double& v : pulse) v = u(rng);
    const CircularFfe ffe(grid, 32, length);
    const std::vector<double> expected = direct(pulse, taps, grid.first_offset, 32);
    const std::vector<double> got = ffe.apply(pulse, taps.data());
    for (std::size_t n = 0; n < length; ++n) {
      EXPECT_NEAR(got[n], expected[n], 1e-15) << "length " << length << " sample " << n;
      EXPECT_NEAR(ffe.at(pulse, taps.data(), static_cast<std::ptrdiff_t>(n)), expected[n], 1e-15);
    }
    if (length > 3) {
      std::vector<double> window(length - 3);
      ffe.window(pulse, taps.data(), 2, static_cast<std::ptrdiff_t>(length - 3), window.data());
      for (std::size_t j = 0; j < window.size(); ++j) EXPECT_NEAR(window[j], expected[j + 2], 1e-15);
    }
  }
}

}  // namespace
}  // namespace eyesweep
