// Band extension of measured transfer functions; see band_extension.hpp.
#include "host/band_extension.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <string>

#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

/// Least-squares line through (x, y); returns {slope, intercept}. Centred for conditioning.
std::pair<double, double> fit_line(std::span<const double> x, std::span<const double> y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxx = 0.0, sxy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const double slope = sxy / sxx;
  return {slope, my - slope * mx};
}

/// MATLAB interp1(x, y, xq, 'linear', 'extrap') for increasing x and xq.
std::vector<double> interp_linear_extrap(std::span<const double> x, std::span<const double> y,
                                         std::span<const double> xq) {
  std::vector<double> out(xq.size());
  std::size_t k = 0;  // segment [k, k+1]
  const std::size_t last = x.size() - 2;
  for (std::size_t i = 0; i < xq.size(); ++i) {
    while (k < last && xq[i] > x[k + 1]) ++k;
    const double t = (xq[i] - x[k]) / (x[k + 1] - x[k]);
    out[i] = y[k] + t * (y[k + 1] - y[k]);
  }
  return out;
}

/// MATLAB unwrap(): every step between neighbours of more than pi is reduced by 2 pi k.
std::vector<double> unwrapped_phase(std::span<const std::complex<double>> H) {
  constexpr double pi = std::numbers::pi;
  std::vector<double> phase(H.size());
  double correction = 0.0;
  double previous = H.empty() ? 0.0 : std::arg(H[0]);
  for (std::size_t i = 0; i < H.size(); ++i) {
    const double p = std::arg(H[i]);
    if (i > 0) {
      const double step = p - previous;
      if (std::abs(step) >= pi) {
        double reduced = std::fmod(step + pi, 2.0 * pi);
        if (reduced < 0.0) reduced += 2.0 * pi;
        reduced -= pi;
        if (reduced == -pi && step > 0.0) reduced = pi;
        correction += reduced - step;
      }
    }
    previous = p;
    phase[i] = p + correction;
  }
  return phase;
}

/// The script's robust average of group delays: the mean of those within one standard
/// deviation of the median.
double robust_mean(std::vector<double> v) {
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  const double median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(n);
  double ss = 0.0;
  for (double g : v) ss += (g - mean) * (g - mean);
  const double sigma = std::sqrt(ss / static_cast<double>(n - 1));
  double sum = 0.0;
  int count = 0;
  for (double g : v) {
    if (std::abs(g - median) < sigma) {
      sum += g;
      ++count;
    }
  }
  return count ? sum / count : median;
}

std::vector<double> magnitude_matlab_trend(std::span<const double> mag, std::span<const double> f_in,
                                           std::span<const double> f_out) {
  std::vector<double> fx(f_in.begin(), f_in.end());
  std::vector<double> mx(mag.begin(), mag.end());
  if (f_in.front() > 0.0) {
    const std::size_t n = std::min<std::size_t>(10, f_in.size());
    const double intercept = fit_line(f_in.first(n), mag.first(n)).second;
    fx.insert(fx.begin(), 0.0);
    mx.insert(mx.begin(), intercept);
  }
  if (f_in.back() < f_out.back()) {
    // MATLAB: mid_freq_ind = round(length(fin)/2), 1-based
    const std::size_t mid = static_cast<std::size_t>(std::lround(static_cast<double>(f_in.size()) / 2.0)) - 1;
    const auto [slope, intercept] = fit_line(f_in.subspan(mid), mag.subspan(mid));
    double trend = intercept + slope * f_out.back();
    if (trend > mag.back()) {
      trend = mag.back();
    } else if (trend < kEps) {
      trend = kEps;
    }
    fx.push_back(f_out.back());
    mx.push_back(trend);
  }
  return interp_linear_extrap(fx, mx, f_out);
}

std::vector<double> phase_matlab_trend(std::vector<double> phase, std::span<const double> f_in,
                                       std::span<const double> f_out) {
  if (f_in.front() == 0.0) return interp_linear_extrap(f_in, phase, f_out);
  // Data not starting at DC: straighten the first 10 points along the low-frequency group
  // delay trend, and continue above the band along the high-frequency trend.
  const std::size_t n = f_in.size();
  std::vector<double> group_delay(n - 1);
  for (std::size_t i = 0; i + 1 < n; ++i) group_delay[i] = -(phase[i + 1] - phase[i]) / (f_in[i + 1] - f_in[i]);
  const std::size_t n_lf = std::min<std::size_t>(50, group_delay.size());
  const double lf_trend = robust_mean({group_delay.begin(), group_delay.begin() + static_cast<std::ptrdiff_t>(n_lf)});
  for (std::size_t k = std::min<std::size_t>(10, n - 1); k-- > 0;) {
    phase[k] = phase[k + 1] + lf_trend * (f_in[k + 1] - f_in[k]);
  }
  std::vector<double> out = interp_linear_extrap(f_in, phase, f_out);
  const std::size_t n_hf = std::min<std::size_t>(51, group_delay.size());
  const double hf_trend = -robust_mean({group_delay.end() - static_cast<std::ptrdiff_t>(n_hf), group_delay.end()});
  const auto first_above = std::upper_bound(f_out.begin(), f_out.end(), f_in.back()) - f_out.begin();
  if (first_above > 0 && static_cast<std::size_t>(first_above) < f_out.size()) {
    const std::size_t last_in = static_cast<std::size_t>(first_above) - 1;
    for (std::size_t i = last_in + 1; i < f_out.size(); ++i) {
      out[i] = out[last_in] + (f_out[i] - f_out[last_in]) * hf_trend;
    }
  }
  return out;
}

std::vector<std::complex<double>> hold_and_taper(std::span<const std::complex<double>> H,
                                                 std::span<const double> f_in,
                                                 std::span<const double> f_out,
                                                 std::span<const double> mag,
                                                 std::span<const double> phase) {
  const auto in_band = static_cast<std::size_t>(
      std::upper_bound(f_out.begin(), f_out.end(), f_in.back()) - f_out.begin());
  std::vector<double> m = magnitude_matlab_trend(mag, f_in, f_out.first(in_band));
  std::vector<double> p = interp_linear_extrap(f_in, phase, f_out.first(in_band));
  std::vector<std::complex<double>> out(f_out.size());
  for (std::size_t i = 0; i < in_band; ++i) {
    const double w = 0.5 * (1.0 + std::cos(std::numbers::pi * static_cast<double>(i) / static_cast<double>(in_band)));
    out[i] = w * m[i] * std::exp(std::complex<double>(0.0, p[i]));
  }
  const std::complex<double> held = in_band ? out[in_band - 1] : H.back();
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(in_band), out.end(), held);
  return out;
}

/// exp(j p[i]) for every i, where p is affine in i from `affine_from` on. That tail (the
/// extrapolation above the measured band, nine tenths of a grid that reaches M f_b / 2) is
/// evaluated in blocks of 64: exp(j p) at the block's first point times exp(j k step), whose
/// 64 values serve every block; one sincos per grid point was a sixth of a sweep's time. Each
/// phasor is one complex product of correctly rounded factors away from exp(j p[i]).
std::vector<std::complex<double>> unit_phasors(std::span<const double> p, std::size_t affine_from) {
  constexpr std::size_t block = 64;
  const std::size_t n = p.size();
  std::vector<std::complex<double>> out(n);
  const std::size_t exact_until = n - affine_from < 2 * block ? n : affine_from;
  for (std::size_t i = 0; i < exact_until; ++i) out[i] = std::polar(1.0, p[i]);
  if (exact_until == n) return out;
  const double step = (p[n - 1] - p[affine_from]) / static_cast<double>(n - 1 - affine_from);
  std::array<double, block> rotation_re, rotation_im;
  for (std::size_t k = 0; k < block; ++k) {
    rotation_re[k] = std::cos(static_cast<double>(k) * step);
    rotation_im[k] = std::sin(static_cast<double>(k) * step);
  }
  for (std::size_t start = affine_from; start < n; start += block) {
    const double anchor_re = std::cos(p[start]);
    const double anchor_im = std::sin(p[start]);
    const std::size_t count = std::min(block, n - start);
    // Written out rather than std::complex's operator*, whose NaN handling keeps it scalar.
    for (std::size_t k = 0; k < count; ++k) {
      out[start + k] = {anchor_re * rotation_re[k] - anchor_im * rotation_im[k],
                        anchor_re * rotation_im[k] + anchor_im * rotation_re[k]};
    }
  }
  return out;
}

}  // namespace

std::vector<std::complex<double>> extend_to_grid(std::span<const std::complex<double>> H,
                                                 std::span<const double> f_in,
                                                 std::span<const double> f_out,
                                                 BandExtension policy, const char* what) {
  ES_EXPECTS(H.size() == f_in.size() && f_in.size() >= 12, "need at least 12 frequency points");
  std::vector<double> mag(H.size());
  for (std::size_t i = 0; i < H.size(); ++i) mag[i] = std::max(std::abs(H[i]), kEps);
  std::vector<double> phase = unwrapped_phase(H);
  if ((phase.back() - phase.front()) / static_cast<double>(phase.size() - 1) > 0.0) {
    throw InputError(std::string(what) +
                     ": anti-causal response (phase rises with frequency); a finer frequency "
                     "step is required for this channel");
  }
  if (policy == BandExtension::hold_and_taper) return hold_and_taper(H, f_in, f_out, mag, phase);
  const std::vector<double> m = magnitude_matlab_trend(mag, f_in, f_out);
  const std::vector<double> p = phase_matlab_trend(std::move(phase), f_in, f_out);
  // Above the measured band both trends extrapolate the phase along a line in f.
  const auto above_band = static_cast<std::size_t>(
      std::upper_bound(f_out.begin(), f_out.end(), f_in.back()) - f_out.begin());
  std::vector<std::complex<double>> out = unit_phasors(p, above_band);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] *= m[i];
  return out;
}

}  // namespace eyesweep
