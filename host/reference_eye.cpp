// The reference statistical eye in double precision: at each phase the interference PDF is
// the exact discrete convolution of every binned variable with the cell-integrated Gaussian,
// with the full linear support (nothing clipped); tails are read from it with each bin's
// mass spread uniformly over its cell, summed from the far end so that 1e-15 keeps its digits.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "host/com_pdf.hpp"
#include "host/stat_eye.hpp"

namespace eyesweep {
namespace {

// Convolves `pdf` in place with the variable amplitude * x, x over `levels`, each 1/L.
void convolve_variable(std::vector<double>& pdf, std::int64_t& first, double amplitude,
                       const std::vector<double>& levels, double bin) {
  std::vector<std::int64_t> offsets;
  for (double x : levels) offsets.push_back(static_cast<std::int64_t>(std::round(amplitude * x / bin)));
  const auto [lo, hi] = std::minmax_element(offsets.begin(), offsets.end());
  std::vector<double> out(pdf.size() + static_cast<std::size_t>(*hi - *lo), 0.0);
  const double p = 1.0 / static_cast<double>(levels.size());
  for (std::int64_t offset : offsets) {
    double* target = out.data() + (offset - *lo);
    for (std::size_t i = 0; i < pdf.size(); ++i) target[i] += p * pdf[i];
  }
  pdf = std::move(out);
  first += *lo;
}

// The Gaussian's mass in each cell [(k - 1/2) bin, (k + 1/2) bin], |k| <= K, by erfc
// differences (exact in the far tails); K covers 9.5 sigma.
DiscretePdf cell_gaussian(double sigma, double bin) {
  if (sigma == 0.0) return DiscretePdf(bin);
  const auto K = static_cast<std::int64_t>(std::ceil(9.5 * sigma / bin)) + 1;
  std::vector<double> p(static_cast<std::size_t>(2 * K + 1));
  const double scale = bin / (sigma * std::sqrt(2.0));
  for (std::int64_t k = 0; k <= K; ++k) {
    const auto x = static_cast<double>(k);
    const double mass = k == 0 ? std::erf(0.5 * scale)
                               : 0.5 * (std::erfc((x - 0.5) * scale) - std::erfc((x + 0.5) * scale));
    p[static_cast<std::size_t>(K + k)] = mass;
    p[static_cast<std::size_t>(K - k)] = mass;
  }
  return DiscretePdf(bin, -K, std::move(p));
}

// One-sided tails of a binned PDF whose masses are spread uniformly over their cells.
class CellTails {
 public:
  explicit CellTails(const DiscretePdf& pdf)
      : bin_(pdf.bin_size()), first_(pdf.first_bin()), p_(pdf.probabilities()),
        below_(p_.size() + 1, 0.0), above_(p_.size() + 1, 0.0) {
    for (std::size_t i = 0; i < p_.size(); ++i) below_[i + 1] = below_[i] + p_[i];
    for (std::size_t i = p_.size(); i-- > 0;) above_[i] = above_[i + 1] + p_[i];
  }
  /// P(I < u)
  double below(double u) const {
    double t = 0.0;
    const std::ptrdiff_t cell = locate(u, t);
    if (cell < 0) return 0.0;
    if (cell >= static_cast<std::ptrdiff_t>(p_.size())) return below_.back();
    return below_[cell] + t * p_[cell];
  }
  /// P(I > u)
  double above(double u) const {
    double t = 0.0;
    const std::ptrdiff_t cell = locate(u, t);
    if (cell < 0) return above_.front();
    if (cell >= static_cast<std::ptrdiff_t>(p_.size())) return 0.0;
    return above_[cell + 1] + (1.0 - t) * p_[cell];
  }

 private:
  // The cell holding u and u's fraction t across it.
  std::ptrdiff_t locate(double u, double& t) const {
    const double x = u / bin_ + 0.5 - static_cast<double>(first_);
    const double cell = std::floor(x);
    t = x - cell;
    return static_cast<std::ptrdiff_t>(std::clamp(cell, -1.0, static_cast<double>(p_.size())));
  }
  double bin_;
  std::int64_t first_;
  std::vector<double> p_;
  std::vector<double> below_, above_;
};

}  // namespace

StatEye reference_eye(const EyeInputs& in, const EyeOptions& options) {
  const ComNoiseInputs& ch = in.channel;
  const EyeGrid grid = make_eye_grid(in, options);
  const std::vector<double> targets = eye_targets(options, ch.der0);
  const std::vector<double> levels = eye_levels(ch.levels, in.r_lm);
  std::vector<double> nominal(static_cast<std::size_t>(ch.levels));
  for (int i = 0; i < ch.levels; ++i) nominal[static_cast<std::size_t>(i)] = 2.0 * i / (ch.levels - 1) - 1.0;

  const int P = grid.phases, B = grid.bins, L = ch.levels;
  const int extended = P + 2 * grid.pad;
  // Per extended phase: each level's tails at every map voltage, and its mean.
  std::vector<double> above(static_cast<std::size_t>(extended) * L * B);
  std::vector<double> below(above.size());
  std::vector<double> means(static_cast<std::size_t>(extended) * L);
  for (int e = 0; e < extended; ++e) {
    const EyePhaseSamples s = eye_phase_samples(in, options, grid, e - grid.pad - P / 2);
    std::vector<double> pdf{1.0};
    std::int64_t first = 0;
    for (double a : s.level_variables_V) convolve_variable(pdf, first, a, levels, grid.bin_V);
    for (double a : s.nominal_variables_V) convolve_variable(pdf, first, a, nominal, grid.bin_V);
    const DiscretePdf interference = convolve(DiscretePdf(grid.bin_V, first, std::move(pdf)),
                                              cell_gaussian(s.gaussian_sigma_V, grid.bin_V), ConvolutionMethod::direct);
    const CellTails tails(interference);
    for (int k = 0; k < L; ++k) {
      const double mean = s.cursor_V * levels[static_cast<std::size_t>(k)];
      means[static_cast<std::size_t>(e) * L + k] = mean;
      const std::size_t row = (static_cast<std::size_t>(e) * L + k) * B;
      for (int b = 0; b < B; ++b) {
        above[row + b] = tails.above(grid.voltage_V(b) - mean);
        below[row + b] = tails.below(grid.voltage_V(b) - mean);
      }
    }
  }

  StatEye eye = measure_eye(assemble_eye_map(grid, L, above, below, means), targets, ch.der0, in.r_lm);
  eye.engine = "reference";
  return eye;
}

}  // namespace eyesweep
