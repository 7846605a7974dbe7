// Philox4x32-10, the counter-based generator of Salmon et al. (SC'11, Random123), and the
// conversion of its output to a double in (0, 1): one header for host and device code.
// A counter-based generator is a pure function of (key, counter), so any variant, batch or
// shard draws the same numbers on any machine and any backend without carrying state.
#pragma once

#include <cstdint>

#include "kernels/common/host_device.hpp"

namespace eyesweep {

struct Philox4x32Counter {
  std::uint32_t v[4];
};
struct Philox4x32Key {
  std::uint32_t v[2];
};

namespace detail {
constexpr std::uint32_t philox_m0 = 0xD2511F53u;  // round multipliers
constexpr std::uint32_t philox_m1 = 0xCD9E8D57u;
constexpr std::uint32_t philox_w0 = 0x9E3779B9u;  // key schedule (Weyl) increments
constexpr std::uint32_t philox_w1 = 0xBB67AE85u;

ES_HD constexpr Philox4x32Counter philox_round(Philox4x32Counter c, Philox4x32Key k) {
  const std::uint64_t p0 = std::uint64_t{philox_m0} * c.v[0];
  const std::uint64_t p1 = std::uint64_t{philox_m1} * c.v[2];
  const auto hi0 = static_cast<std::uint32_t>(p0 >> 32);
  const auto lo0 = static_cast<std::uint32_t>(p0);
  const auto hi1 = static_cast<std::uint32_t>(p1 >> 32);
  const auto lo1 = static_cast<std::uint32_t>(p1);
  return {{hi1 ^ c.v[1] ^ k.v[0], lo1, hi0 ^ c.v[3] ^ k.v[1], lo0}};
}
}  // namespace detail

/// Philox4x32 with 10 rounds: the Random123 reference algorithm (its known-answer vectors
/// are in tests/test_variant_space.cpp).
ES_HD constexpr Philox4x32Counter philox4x32_10(Philox4x32Counter counter, Philox4x32Key key) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key.v[0] += detail::philox_w0;
      key.v[1] += detail::philox_w1;
    }
    counter = detail::philox_round(counter, key);
  }
  return counter;
}

/// The first 64 bits of a Philox block (word 0 low, word 1 high).
ES_HD constexpr std::uint64_t philox_bits64(Philox4x32Counter block) {
  return (std::uint64_t{block.v[1]} << 32) | block.v[0];
}

/// A double in the open interval (0, 1) from the top 52 bits of `bits`: an odd multiple of
/// 2^-53 (exact, and the set is symmetric about 1/2), so inverse CDFs never see 0 or 1.
ES_HD constexpr double open_unit_double(std::uint64_t bits) {
  return static_cast<double>((bits >> 11) | 1u) * 0x1.0p-53;
}

}  // namespace eyesweep
