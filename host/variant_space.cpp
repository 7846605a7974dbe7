// Decoding of variant indices into parameter values; see variant_space.hpp for the scheme.
#include "host/variant_space.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>

#include "kernels/common/error.hpp"
#include "kernels/common/philox.hpp"

namespace eyesweep {
namespace {

/// Philox counter word 3: which use of the generator a block belongs to, so the streams of
/// Monte-Carlo draws and Sobol shifts (and any later user) never overlap.
constexpr std::uint32_t stream_monte_carlo = 0;
constexpr std::uint32_t stream_sobol_shift = 1;

std::uint64_t philox64(std::uint64_t seed, std::uint64_t word01, std::uint32_t word2,
                       std::uint32_t stream) {
  const Philox4x32Counter counter{{static_cast<std::uint32_t>(word01),
                                   static_cast<std::uint32_t>(word01 >> 32), word2, stream}};
  const Philox4x32Key key{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  return philox_bits64(philox4x32_10(counter, key));
}

// ------------------------------------------------------------------------------------------
// Sobol sequence
// ------------------------------------------------------------------------------------------

/// Dimensions 2..53 of Joe and Kuo's new-joe-kuo-6.21201 (dimension 1 is van der Corput):
/// degree s of the primitive polynomial, its coefficients a, and the initial direction
/// numbers m_1..m_s.
struct SobolPolynomial {
  unsigned s;
  unsigned a;
  std::array<std::uint32_t, 8> m;
};

constexpr SobolPolynomial joe_kuo[] = {
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},
    {7, 50, {1, 3, 1, 3, 5, 53, 69}},
    {7, 55, {1, 1, 5, 5, 23, 33, 13}},
    {7, 56, {1, 1, 7, 7, 1, 61, 123}},
    {7, 59, {1, 1, 7, 9, 13, 61, 49}},
    {7, 62, {1, 3, 3, 5, 3, 55, 33}},
    {8, 14, {1, 3, 1, 15, 31, 13, 49, 245}},
    {8, 21, {1, 3, 5, 15, 31, 59, 63, 97}},
    {8, 22, {1, 3, 1, 11, 11, 11, 77, 249}},
    {8, 38, {1, 3, 1, 11, 27, 43, 71, 9}},
    {8, 47, {1, 1, 7, 15, 21, 11, 81, 45}},
    {8, 49, {1, 3, 7, 3, 25, 31, 65, 79}},
    {8, 50, {1, 3, 1, 1, 19, 11, 3, 205}},
    {8, 52, {1, 1, 5, 9, 19, 21, 29, 157}},
    {8, 56, {1, 3, 7, 11, 1, 33, 89, 185}},
    {8, 67, {1, 3, 3, 3, 15, 9, 79, 71}},
    {8, 70, {1, 3, 7, 11, 15, 39, 119, 27}},
    {8, 84, {1, 1, 3, 1, 11, 31, 97, 225}},
    {8, 97, {1, 1, 1, 3, 23, 43, 57, 177}},
    {8, 103, {1, 3, 7, 7, 17, 17, 37, 71}},
    {8, 115, {1, 3, 1, 5, 27, 63, 123, 213}},
    {8, 122, {1, 1, 3, 5, 11, 43, 53, 133}},
};
static_assert(std::size(joe_kuo) + 1 == max_low_discrepancy_dimensions,
              "io/sweep_spec.hpp's dimension limit matches the direction-number table");

constexpr int sobol_bits = 64;
using SobolDirections = std::array<std::array<std::uint64_t, sobol_bits>, max_low_discrepancy_dimensions>;

/// Direction numbers v_k = m_k / 2^k as 64-bit fractions, by the Bratley-Fox recurrence.
SobolDirections make_sobol_directions() {
  SobolDirections v{};
  for (int k = 0; k < sobol_bits; ++k) v[0][static_cast<std::size_t>(k)] = std::uint64_t{1} << (sobol_bits - 1 - k);
  for (std::size_t d = 1; d < max_low_discrepancy_dimensions; ++d) {
    const SobolPolynomial& p = joe_kuo[d - 1];
    auto& dv = v[d];
    for (unsigned k = 0; k < p.s; ++k) dv[k] = std::uint64_t{p.m[k]} << (sobol_bits - 1 - k);
    for (unsigned k = p.s; k < sobol_bits; ++k) {
      std::uint64_t x = dv[k - p.s] ^ (dv[k - p.s] >> p.s);
      for (unsigned j = 1; j < p.s; ++j) {
        if ((p.a >> (p.s - 1 - j)) & 1u) x ^= dv[k - j];
      }
      dv[k] = x;
    }
  }
  return v;
}

/// Coordinate d of Sobol point `index` in Gray-code order, as a 64-bit fraction.
std::uint64_t sobol_bits64(std::uint64_t index, std::size_t d) {
  static const SobolDirections directions = make_sobol_directions();
  std::uint64_t x = 0;
  std::size_t k = 0;
  for (std::uint64_t gray = index ^ (index >> 1); gray != 0; gray >>= 1, ++k) {
    if (gray & 1u) x ^= directions[d][k];
  }
  return x;
}

// ------------------------------------------------------------------------------------------
// Inverse CDFs
// ------------------------------------------------------------------------------------------

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

/// Index chosen by u in (0, 1) among `count` items with these weights (empty = equal).
std::size_t weighted_pick(const std::vector<double>& weights, std::size_t count, double u) {
  ES_EXPECTS(count > 0, "something to pick from");
  if (weights.empty()) return std::min(count - 1, static_cast<std::size_t>(u * static_cast<double>(count)));
  ES_EXPECTS(weights.size() == count, "one weight per item");
  double total = 0.0;
  for (const double w : weights) total += w;
  const double target = u * total;
  double cumulative = 0.0;
  std::size_t last_positive = 0;
  for (std::size_t k = 0; k < count; ++k) {
    if (weights[k] <= 0.0) continue;
    cumulative += weights[k];
    last_positive = k;
    if (target < cumulative) return k;
  }
  return last_positive;  // u * total rounded up to the total
}

double sample(const Distribution& d, double u) {
  switch (d.kind) {
    case DistributionKind::values:
    case DistributionKind::range:
    case DistributionKind::discrete:
      return d.values[weighted_pick(d.weights, d.values.size(), u)];
    case DistributionKind::uniform:
      return std::clamp(d.min + u * (d.max - d.min), d.min, d.max);
    case DistributionKind::log_uniform: {
      const double lo = std::log(d.min);
      return std::clamp(std::exp(lo + u * (std::log(d.max) - lo)), d.min, d.max);
    }
    case DistributionKind::normal:
      return d.mean + d.sigma * inverse_normal_cdf(u);
    case DistributionKind::truncated_normal: {
      // Invert on the side of the mean where the CDF keeps its relative precision: mirror an
      // interval that lies mostly above the mean.
      double a = (d.min - d.mean) / d.sigma;
      double b = (d.max - d.mean) / d.sigma;
      const bool mirror = a + b > 0.0;
      if (mirror) {
        const double lower = -b;
        b = -a;
        a = lower;
      }
      const double pa = normal_cdf(a);
      const double pb = normal_cdf(b);
      ES_EXPECTS(pb > pa, "truncated normal interval holds probability (checked on reading)");
      const double z = inverse_normal_cdf(pa + u * (pb - pa));
      return std::clamp(d.mean + d.sigma * (mirror ? -z : z), d.min, d.max);
    }
  }
  ES_EXPECTS(false, "known distribution kind");
  return 0.0;
}

}  // namespace

double inverse_normal_cdf(double p) {
  ES_EXPECTS(p > 0.0 && p < 1.0, "probability in (0, 1)");
  // Acklam's rational approximation (relative error < 1.15e-9) ...
  constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                          1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                          6.680131188771972e+01, -1.328068155288572e+01};
  constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                          -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                          3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  const auto tail = [&](double q) {
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  };
  double x = 0.0;
  if (p < p_low) {
    x = tail(std::sqrt(-2.0 * std::log(p)));
  } else if (p > 1.0 - p_low) {
    x = -tail(std::sqrt(-2.0 * std::log1p(-p)));
  } else {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  // ... refined by one Halley step on Phi(x) - p, with the tail that keeps relative precision.
  const double e = x < 0.0 ? normal_cdf(x) - p : (1.0 - p) - normal_cdf(-x);
  const double step = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
  return x - step / (1.0 + 0.5 * x * step);
}

std::vector<std::string> variant_columns(const SweepSpec& spec) {
  std::vector<std::string> columns;
  for (const Axis& axis : spec.axes) columns.push_back(axis.parameter);
  for (const CornerGroup& group : spec.corners) {
    columns.insert(columns.end(), group.parameters.begin(), group.parameters.end());
  }
  return columns;
}

VariantPoint decode_variant(const SweepSpec& spec, std::uint64_t index) {
  ES_EXPECTS(index < spec.num_variants(), "variant index " + std::to_string(index) + " within the sweep");
  // The file dimensions that exist, in order, and the member of VariantPoint each one sets.
  constexpr std::array kFileChoice{&VariantPoint::channel_set, &VariantPoint::tx_board, &VariantPoint::rx_board};
  std::vector<std::pair<FileDimension, int VariantPoint::*>> files;
  for (std::size_t k = 0; k < kFileChoice.size(); ++k) {
    if (const FileDimension d = spec.file_dimensions()[k]; !d.sets.empty()) files.emplace_back(d, kFileChoice[k]);
  }
  const std::size_t dimensions = spec.axes.size() + spec.corners.size() + files.size();

  // One choice per dimension: an item index (grid) or a uniform u in (0, 1) (sampled).
  std::vector<std::uint64_t> digits(dimensions);
  std::vector<double> u(dimensions);
  if (spec.sampling == Sampling::grid) {
    const auto size = [&](std::size_t dim) -> std::uint64_t {
      if (dim < spec.axes.size()) return spec.axes[dim].distribution.values.size();
      dim -= spec.axes.size();
      if (dim < spec.corners.size()) return spec.corners[dim].rows.size();
      return files[dim - spec.corners.size()].first.sets.size();
    };
    std::uint64_t rest = index;
    for (std::size_t dim = dimensions; dim-- > 0;) {  // the last dimension varies fastest
      digits[dim] = rest % size(dim);
      rest /= size(dim);
    }
  } else {
    ES_EXPECTS(spec.sampling != Sampling::low_discrepancy || dimensions <= max_low_discrepancy_dimensions,
               "dimension count checked on reading");
    for (std::size_t dim = 0; dim < dimensions; ++dim) {
      const auto d32 = static_cast<std::uint32_t>(dim);
      const std::uint64_t bits =
          spec.sampling == Sampling::monte_carlo
              ? philox64(spec.seed, index, d32, stream_monte_carlo)
              : sobol_bits64(index, dim) ^ philox64(spec.seed, 0, d32, stream_sobol_shift);
      u[dim] = open_unit_double(bits);
    }
  }
  const auto pick = [&](std::size_t dim, const std::vector<double>& weights, std::size_t count) {
    return spec.sampling == Sampling::grid ? static_cast<std::size_t>(digits[dim])
                                           : weighted_pick(weights, count, u[dim]);
  };

  VariantPoint point;
  point.index = index;
  std::size_t dim = 0;
  for (const Axis& axis : spec.axes) {
    const Distribution& d = axis.distribution;
    point.values.push_back(spec.sampling == Sampling::grid ? d.values[digits[dim]] : sample(d, u[dim]));
    ++dim;
  }
  for (const CornerGroup& group : spec.corners) {
    const std::vector<double>& row = group.rows[pick(dim++, group.weights, group.rows.size())];
    point.values.insert(point.values.end(), row.begin(), row.end());
  }
  for (const auto& [d, choice] : files) point.*choice = static_cast<int>(pick(dim++, d.weights, d.sets.size()));
  return point;
}

std::map<std::string, double> link_parameters(const SweepSpec& spec,
                                              std::span<const ParameterInfo> registry,
                                              const VariantPoint& point) {
  std::map<std::string, double> values;
  for (const ParameterInfo& info : registry) values[info.name] = info.default_value;
  for (const auto& [name, value] : spec.fixed) values[name] = value;
  const std::vector<std::string> columns = variant_columns(spec);
  ES_EXPECTS(point.values.size() == columns.size(), "one value per swept column");
  for (std::size_t k = 0; k < columns.size(); ++k) values[columns[k]] = point.values[k];
  return values;
}

}  // namespace eyesweep
