// Cross-engine testing: random channel variants (parametric channels and the real sets, with
// random noise, jitter, amplitudes and package lengths) and the comparison of a fast engine's
// results with another engine's on the same batch. One body for every backend.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/com_config.hpp"
#include "host/engine.hpp"

namespace eyesweep::test {

/// `count` variants drawn from `seed`: about one in four on a real channel set of
/// ../shared/channels, the others on random parametric channels.
std::vector<ChannelVariant> random_variants(const ComConfig& spec, std::size_t count, std::uint64_t seed);

/// The seed of a randomised test: $EYESWEEP_TEST_SEED, else a fresh one (printed on failure).
std::uint64_t test_seed();

/// The configuration with every Tx tap range and the CTLE grids thinned to about `keep`
/// values each (first, last and evenly spaced ones between): a grid small enough for CI.
ComConfig thinned_grid(ComConfig spec, std::size_t keep);

/// Checks `fast` against `oracle` on `variants`: same status, COM within 0.05 dB, FOM
/// (final and the search's own) within 0.02 dB, the same winning g_DC, g_DC2 and Tx taps
/// unless the reference engine scores both winners within 0.01 dB (a tie), every field
/// written (finite, sized). Failures name the variant and the seed.
void expect_same_answers(const ComConfig& spec, const std::vector<ChannelVariant>& variants,
                         const std::vector<VariantResult>& fast, const std::vector<VariantResult>& oracle,
                         std::uint64_t seed);

/// EYESWEEP_REQUIRE_GPU=1: a GPU test must fail, not skip, without a GPU.
bool gpu_required();

/// Whether the CUDA engine can run here; where it cannot and a GPU is required, also adds
/// a failure saying why (the caller then skips).
bool gpu_available();

}  // namespace eyesweep::test
