// The variant space of a sweep: which parameter values variant i of a SweepSpec has. A
// variant is a pure function of (spec, seed, index), so any batch, shard or retry recomputes
// exactly the same variants on any machine.
//
// Dimensions, in order: one per axis (file order), one per corner group, then one for each
// file dimension that has sets (channel sets, Tx-side boards, Rx-side boards).
// - grid: the index is a mixed-radix number over the dimensions' sizes, the first dimension
//   varying slowest (the last axis, corner group or channel set fastest).
// - monte_carlo: dimension d of variant i takes u in (0, 1) from Philox4x32-10 with key = seed
//   (low word first) and counter = (i low, i high, d, 0).
// - low_discrepancy: dimension d takes coordinate d of the Sobol point i (Gray-code order,
//   Joe-Kuo direction numbers, 64-bit), digitally shifted by the 64 bits Philox gives for key =
//   seed and counter = (0, 0, d, 1), so each seed is a different randomised Sobol sequence and
//   every prefix of 2^k points keeps its stratification.
// u is an odd multiple of 2^-53 (never 0 or 1) and maps through the dimension's inverse CDF:
// uniform and log-uniform in closed form, normal and truncated normal by an inverse normal
// CDF (Acklam's rational approximation plus one Halley step, ~1e-15), values, discrete
// values, corner rows and channel sets by their weighted inverse CDF (equal weights where none
// are given). The uniforms are integer functions of (seed, index, d); the transforms use only
// arithmetic, sqrt and the C library's log, exp and erfc, so they agree to the last bit
// wherever the same C library is used, and to an ulp or two elsewhere.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "io/sweep_spec.hpp"

namespace eyesweep {

/// The values of every swept column for one variant: a pure function of (spec, index) (spec
/// carries the seed).
struct VariantPoint {
  std::uint64_t index = 0;
  std::vector<double> values;  ///< one per variant_columns(spec) entry
  int channel_set = -1;        ///< index into spec.channel_sets, -1 when there are none
  int tx_board = -1;           ///< index into spec.tx_boards, -1 when there are none
  int rx_board = -1;           ///< index into spec.rx_boards, -1 when there are none
};

/// Names of the swept parameters in column order: axes in file order, then corner parameters
/// group by group.
std::vector<std::string> variant_columns(const SweepSpec& spec);

/// Variant `index` (< spec.num_variants()) of the sweep.
VariantPoint decode_variant(const SweepSpec& spec, std::uint64_t index);

/// Every parameter's value for a variant: registry defaults, then [link] fixed values, then the
/// variant's values. ([search] settings are left to the caller, which tries each.)
std::map<std::string, double> link_parameters(const SweepSpec& spec,
                                              std::span<const ParameterInfo> registry,
                                              const VariantPoint& point);

/// The standard normal quantile Phi^-1(p) for p in (0, 1), to about 1e-15 relative.
double inverse_normal_cdf(double p);

}  // namespace eyesweep
