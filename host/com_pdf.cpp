// Discrete voltage PDFs and the script's final COM noise analysis; see com_pdf.hpp for the
// rules reproduced and the script lines they come from.
#include "host/com_pdf.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <deque>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <utility>

#include "host/c2m_eye_contour.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {

// The binning of +-1/3 (not exactly symmetric in binary) matches the script's bit for bit only
// in its order of operations.
double pam_level(int i, int levels) {
  return (2.0 * static_cast<double>(i)) / static_cast<double>(levels - 1) - 1.0;
}

// MATLAB round() rounds halves away from zero, as std::round does.
std::int64_t bin_index(double value, double bin_size) {
  return static_cast<std::int64_t>(std::round(value / bin_size));
}

namespace {

// A PDF this long (2 GiB of doubles) means the bin is absurdly small for the interference
// range; refuse rather than exhaust memory. Nothing is ever truncated to fit.
constexpr std::int64_t max_bins = std::int64_t{1} << 28;

void expect_bins(std::int64_t bins) {
  ES_EXPECTS(bins >= 1 && bins <= max_bins,
             "a PDF of " + std::to_string(bins) + " bins: bin size too small for the range");
}

// The amplitudes get_pdf_from_sampled_signal keeps, largest first (lines 4782-4792). When
// the largest *signed* sample exceeds the bin, samples with |h| <= bin are dropped; otherwise
// only |h| < bin are zeroed (a zero sample is a delta at 0 and changes nothing), so |h| = bin
// then survives. The two branches differ only in that corner; both are kept as the script has
// them.
std::vector<double> kept_amplitudes(std::span<const double> samples, double bin_size) {
  std::vector<double> kept;
  if (samples.empty()) return kept;
  const bool max_above_bin = *std::max_element(samples.begin(), samples.end()) > bin_size;
  for (double h : samples) {
    const double a = std::abs(h);
    if (max_above_bin ? a > bin_size : a >= bin_size) kept.push_back(a);
  }
  std::sort(kept.begin(), kept.end(), std::greater<>());
  return kept;
}

// Binned offsets (ascending) and probabilities of the L-level variable amplitude * x; values
// that land in one bin are merged, as Init_PDF_Fast adds them (line 1762).
struct BinnedVariable {
  std::vector<std::int64_t> offsets;
  std::vector<double> probabilities;
};

BinnedVariable bin_pam_variable(double amplitude, int levels, double bin_size) {
  BinnedVariable v;
  const double p = 1.0 / static_cast<double>(levels);
  for (int i = 0; i < levels; ++i) {
    const std::int64_t k = bin_index(amplitude * pam_level(i, levels), bin_size);
    if (!v.offsets.empty() && v.offsets.back() == k) {
      v.probabilities.back() += p;
    } else {
      v.offsets.push_back(k);
      v.probabilities.push_back(p);
    }
  }
  return v;
}

PdfSummary summarise(const DiscretePdf& pdf) {
  return {pdf.first_voltage(), pdf.last_voltage(), pdf.size()};
}

// Above this many multiply-adds the FFT is several times faster than direct summation
// (measured on one core: 2000 x 2000 bins 0.85 ms direct, 0.12 ms by FFT; 4700 x 12000 bins
// 23 ms and 2 ms). Below it, direct summation keeps small PDFs exact at negligible cost.
constexpr double direct_work_limit = 1.0e6;

using cplx = std::complex<double>;

// std::complex's operator* guards against Inf/NaN through a library call; the FFT's operands
// are finite, so multiply plainly.
cplx mul(cplx a, cplx b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

// Iterative radix-2 FFT of one power-of-two size. Self-contained rather than FFTW: no planner
// state shared with the rest of the process, so any thread may call it. Twiddles are computed
// directly (not by recurrence), which keeps the rounding at O(eps log n), and stored stage by
// stage so that every pass reads them in order.
class Fft {
 public:
  explicit Fft(std::size_t n) : n_(n), twiddle_(n > 1 ? n - 1 : 0) {
    const double two_pi = 2.0 * std::acos(-1.0);
    for (std::size_t half = 1; half < n; half <<= 1) {
      for (std::size_t j = 0; j < half; ++j) {
        const double angle =
            -two_pi * static_cast<double>(j) / static_cast<double>(2 * half);
        twiddle_[half - 1 + j] = {std::cos(angle), std::sin(angle)};
      }
    }
  }

  std::size_t size() const { return n_; }

  void forward(std::vector<cplx>& x) const {
    for (std::size_t i = 1, j = 0; i < n_; ++i) {
      std::size_t bit = n_ >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      if (i < j) std::swap(x[i], x[j]);
    }
    for (std::size_t half = 1; half < n_; half <<= 1) {
      const cplx* w = twiddle_.data() + (half - 1);
      for (std::size_t i = 0; i < n_; i += 2 * half) {
        cplx* lo = x.data() + i;
        cplx* hi = lo + half;
        for (std::size_t j = 0; j < half; ++j) {
          const cplx u = lo[j];
          const cplx v = mul(hi[j], w[j]);
          lo[j] = u + v;
          hi[j] = u - v;
        }
      }
    }
  }

  // Real part of the inverse transform, through conj(FFT(conj(X))) / n.
  std::vector<double> inverse_real(std::vector<cplx>& x) const {
    for (cplx& v : x) v = std::conj(v);
    forward(x);
    std::vector<double> out(n_);
    for (std::size_t i = 0; i < n_; ++i) out[i] = x[i].real() / static_cast<double>(n_);
    return out;
  }

 private:
  std::size_t n_;
  std::vector<cplx> twiddle_;
};

// Transforms up to this size are kept per thread (16 MiB of twiddles at most per size): the
// analysis uses a handful of sizes, and the twiddles cost more sines and cosines than the
// transforms themselves. Larger ones are rare and built for the call.
constexpr std::size_t max_cached_fft = std::size_t{1} << 20;

const Fft& cached_fft(std::size_t n) {
  thread_local std::deque<Fft> cache;  // a deque keeps references valid as it grows
  for (const Fft& f : cache) {
    if (f.size() == n) return f;
  }
  cache.emplace_back(n);
  return cache.back();
}

// Linear convolution of several mass vectors by one zero-padded FFT: the transform length
// covers the whole linear support, so nothing wraps. Two real vectors share each complex
// transform (a + i b), whose halves separate by Hermitian symmetry.
std::vector<double> fft_convolve(const std::vector<const std::vector<double>*>& parts) {
  std::size_t support = 1;
  for (const auto* p : parts) support += p->size() - 1;
  std::size_t n = 1;
  while (n < support) n <<= 1;
  std::optional<Fft> uncached;
  const Fft& fft = n <= max_cached_fft ? cached_fft(n) : uncached.emplace(n);
  std::vector<cplx> product(n, cplx{1.0, 0.0});
  std::vector<cplx> z(n);
  for (std::size_t k = 0; k < parts.size(); k += 2) {
    const std::vector<double>& a = *parts[k];
    const std::vector<double>* b = k + 1 < parts.size() ? parts[k + 1] : nullptr;
    std::fill(z.begin(), z.end(), cplx{});
    for (std::size_t i = 0; i < a.size(); ++i) z[i] = {a[i], 0.0};
    if (b != nullptr) {
      for (std::size_t i = 0; i < b->size(); ++i) z[i] = {z[i].real(), (*b)[i]};
    }
    fft.forward(z);
    for (std::size_t i = 0; i < n; ++i) {
      const cplx zi = z[i];
      const cplx zc = std::conj(z[(n - i) & (n - 1)]);
      const cplx fa = 0.5 * (zi + zc);
      product[i] = mul(product[i], fa);
      if (b != nullptr) {
        const cplx d = zi - zc;
        product[i] = mul(product[i], cplx{0.5 * d.imag(), -0.5 * d.real()});  // d / 2i
      }
    }
  }
  std::vector<double> out = fft.inverse_real(product);
  out.resize(support);
  // Rounding leaves bins that should be zero at a few 1e-15 of the largest mass, either sign;
  // a negative mass would break the CDF's monotonicity, so those become 0.
  for (double& v : out) v = std::max(v, 0.0);
  return out;
}

std::vector<double> direct_convolve(const std::vector<double>& a, const std::vector<double>& b) {
  const bool a_shorter = a.size() <= b.size();
  const std::vector<double>& s = a_shorter ? a : b;
  const std::vector<double>& l = a_shorter ? b : a;
  std::vector<double> out(s.size() + l.size() - 1, 0.0);
  // The longer vector is walked in blocks that stay in L1 cache together with the slowly
  // sliding output window; within a block, each bin of the shorter one adds a scaled copy (an
  // axpy that vectorises). Empty bins of the shorter one, common in ISI PDFs, are skipped.
  constexpr std::size_t block = 1024;
  for (std::size_t j0 = 0; j0 < l.size(); j0 += block) {
    const std::size_t nj = std::min(block, l.size() - j0);
    const double* lj = l.data() + j0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const double si = s[i];
      if (si == 0.0) continue;
      double* o = out.data() + i + j0;
      for (std::size_t j = 0; j < nj; ++j) o[j] += si * lj[j];
    }
  }
  return out;
}

DiscretePdf convolve_pointers(std::span<const DiscretePdf* const> pdfs, double bin_size,
                              ConvolutionMethod method) {
  // The script refuses different bin sizes (conv_fct, line 2914); so do we.
  std::int64_t first_bin = 0;
  std::int64_t bins = 1;
  double direct_work = 0.0;  // multiply-adds of convolving one after the other
  double scale = 1.0;        // a one-bin PDF only shifts and scales
  std::vector<const std::vector<double>*> parts;
  for (const DiscretePdf* p : pdfs) {
    ES_EXPECTS(p->bin_size() == bin_size, "convolved PDFs must share their bin size");
    direct_work += static_cast<double>(bins) * static_cast<double>(p->size());
    first_bin += p->first_bin();
    bins += static_cast<std::int64_t>(p->size()) - 1;
    if (p->size() > 1) {
      parts.push_back(&p->probabilities());
    } else {
      scale *= p->probabilities()[0];
    }
  }
  expect_bins(bins);
  const bool automatic_fft =
      method == ConvolutionMethod::automatic && direct_work > direct_work_limit;
  const bool use_fft =
      parts.size() >= 2 && (method == ConvolutionMethod::fft || automatic_fft);
  std::vector<double> out;
  if (parts.empty()) {
    out = {1.0};
  } else if (use_fft) {
    out = fft_convolve(parts);
  } else {
    out = *parts[0];
    for (std::size_t k = 1; k < parts.size(); ++k) out = direct_convolve(out, *parts[k]);
  }
  if (scale != 1.0) {
    for (double& v : out) v *= scale;
  }
  return DiscretePdf(bin_size, first_bin, std::move(out));
}

}  // namespace

// --- DiscretePdf ------------------------------------------------------------------------------

DiscretePdf::DiscretePdf(double bin_size) : DiscretePdf(bin_size, 0, {1.0}) {}

DiscretePdf::DiscretePdf(double bin_size, std::int64_t first_bin,
                         std::vector<double> probabilities)
    : bin_size_(bin_size), first_bin_(first_bin), probabilities_(std::move(probabilities)) {
  ES_EXPECTS(bin_size_ > 0.0 && std::isfinite(bin_size_), "bin size must be positive");
  ES_EXPECTS(!probabilities_.empty(), "a PDF needs at least one bin");
}

DiscretePdf DiscretePdf::from_discrete(double bin_size, std::span<const double> values,
                                       std::span<const double> probabilities) {
  ES_EXPECTS(!values.empty() && values.size() == probabilities.size(),
             "one probability per value");
  ES_EXPECTS(bin_size > 0.0, "bin size must be positive");
  std::vector<std::int64_t> bins(values.size());
  std::transform(values.begin(), values.end(), bins.begin(),
                 [bin_size](double v) { return bin_index(v, bin_size); });
  const auto [lo, hi] = std::minmax_element(bins.begin(), bins.end());
  expect_bins(*hi - *lo + 1);
  std::vector<double> p(static_cast<std::size_t>(*hi - *lo + 1), 0.0);
  for (std::size_t i = 0; i < bins.size(); ++i) {
    p[static_cast<std::size_t>(bins[i] - *lo)] += probabilities[i];
  }
  return DiscretePdf(bin_size, *lo, std::move(p));
}

DiscretePdf DiscretePdf::truncated_gaussian(double sigma, double n_sigma, double bin_size) {
  ES_EXPECTS(sigma >= 0.0 && n_sigma >= 0.0, "sigma and its truncation must be >= 0");
  ES_EXPECTS(bin_size > 0.0, "bin size must be positive");
  const auto k_max = static_cast<std::int64_t>(std::round(n_sigma * sigma / bin_size));
  expect_bins(2 * k_max + 1);
  // eps in the denominator is the script's: it turns sigma = 0 into a delta instead of 0/0.
  const double denominator = 2.0 * (sigma * sigma) + std::numeric_limits<double>::epsilon();
  std::vector<double> p(static_cast<std::size_t>(2 * k_max + 1));
  for (std::int64_t k = -k_max; k <= k_max; ++k) {
    const double x = static_cast<double>(k) * bin_size;
    p[static_cast<std::size_t>(k + k_max)] = std::exp(-(x * x) / denominator);
  }
  const double sum = std::accumulate(p.begin(), p.end(), 0.0);
  for (double& v : p) v /= sum;
  return DiscretePdf(bin_size, -k_max, std::move(p));
}

DiscretePdf DiscretePdf::from_sampled_signal(std::span<const double> samples, int levels,
                                             double bin_size) {
  ES_EXPECTS(levels >= 2, "at least two levels");
  DiscretePdf pdf(bin_size);
  for (double a : kept_amplitudes(samples, bin_size)) pdf.convolve_pam_variable(a, levels);
  return pdf;
}

double DiscretePdf::total() const {
  return std::accumulate(probabilities_.begin(), probabilities_.end(), 0.0);
}

double DiscretePdf::mean() const {
  double m = 0.0;
  for (std::size_t i = 0; i < size(); ++i) m += voltage(i) * probabilities_[i];
  return m;
}

double DiscretePdf::sigma() const {
  // pdf2sgm (line 7752): no division by the total mass, which is 1 up to rounding anyway.
  const double m = mean();
  double s = 0.0;
  for (std::size_t i = 0; i < size(); ++i) {
    const double d = voltage(i) - m;
    s += d * d * probabilities_[i];
  }
  return std::sqrt(s);
}

std::vector<double> DiscretePdf::cdf() const {
  std::vector<double> c(size());
  std::partial_sum(probabilities_.begin(), probabilities_.end(), c.begin());
  return c;
}

std::size_t DiscretePdf::quantile_index(double p, CdfCrossing crossing) const {
  double c = 0.0;
  for (std::size_t i = 0; i < size(); ++i) {
    c += probabilities_[i];
    if (crossing == CdfCrossing::exceeds ? c > p : c >= p) return i;
  }
  return size() - 1;
}

double DiscretePdf::quantile_magnitude(double p, CdfCrossing crossing) const {
  return std::abs(voltage(quantile_index(p, crossing)));
}

void DiscretePdf::convolve_pam_variable(double amplitude, int levels) {
  ES_EXPECTS(levels >= 2, "at least two levels");
  const BinnedVariable v = bin_pam_variable(std::abs(amplitude), levels, bin_size_);
  const std::int64_t spread = v.offsets.back() - v.offsets.front();
  const std::size_t n = size();
  expect_bins(static_cast<std::int64_t>(n) + spread);
  // A few shifted, scaled copies: O(L n) instead of a dense convolution with a kernel that is
  // mostly zeros between its L spikes.
  std::vector<double> out(n + static_cast<std::size_t>(spread), 0.0);
  for (std::size_t l = 0; l < v.offsets.size(); ++l) {
    double* o = out.data() + (v.offsets[l] - v.offsets.front());
    const double* in = probabilities_.data();
    const double q = v.probabilities[l];
    for (std::size_t i = 0; i < n; ++i) o[i] += in[i] * q;
  }
  first_bin_ += v.offsets.front();
  probabilities_ = std::move(out);
}

DiscretePdf convolve(const DiscretePdf& a, const DiscretePdf& b, ConvolutionMethod method) {
  const DiscretePdf* pair[] = {&a, &b};
  return convolve_pointers(pair, a.bin_size(), method);
}

DiscretePdf convolve_all(std::span<const DiscretePdf> pdfs, double bin_size,
                         ConvolutionMethod method) {
  std::vector<const DiscretePdf*> pointers;
  for (const DiscretePdf& p : pdfs) pointers.push_back(&p);
  return convolve_pointers(pointers, bin_size, method);
}

// --- scalar helpers ---------------------------------------------------------------------------

double q_factor(double der) {
  ES_EXPECTS(der > 0.0 && der < 0.5, "DER must lie in (0, 0.5)");
  // Newton on g(x) = ln Q(x) - ln der, Q(x) = erfc(x / sqrt 2) / 2. ln Q is concave and
  // decreasing, so Newton converges monotonically from any start after the first step.
  const double ln_der = std::log(der);
  double x = 1.0;
  for (int it = 0; it < 100; ++it) {
    const double tail = 0.5 * std::erfc(x / std::sqrt(2.0));
    const double density = std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::acos(-1.0));
    const double step = (std::log(tail) - ln_der) * tail / density;
    x += step;
    if (std::abs(step) <= 4.0 * std::numeric_limits<double>::epsilon() * std::abs(x)) break;
  }
  return x;
}

double norm2(std::span<const double> v) {
  double s = 0.0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

double sigma_x(int levels) {
  const double l = static_cast<double>(levels);
  return std::sqrt((l * l - 1.0) / (3.0 * (l - 1.0) * (l - 1.0)));
}

double script_sigma_tx(int levels, double a_s, double r_lm, double snr_tx_db) {
  return static_cast<double>(levels - 1) * a_s / r_lm * std::pow(10.0, -snr_tx_db / 20.0);
}

// --- the samples the script feeds its PDF code ------------------------------------------------

std::vector<double> phase_samples(std::span<const double> pulse, int samples_per_ui,
                                  int phase) {
  ES_EXPECTS(samples_per_ui >= 1 && phase >= 0 && phase < samples_per_ui,
             "phase must lie in 0..M-1");
  const auto m = static_cast<std::size_t>(samples_per_ui);
  // nui = round(length / M); j = 1..nui-2 (get_pdf, lines 4736-4741). The last index,
  // M (nui - 2) + M - 1, stays inside the pulse because nui <= length / M + 1/2.
  const auto nui = static_cast<std::int64_t>(
      std::llround(static_cast<double>(pulse.size()) / static_cast<double>(m)));
  std::vector<double> out;
  for (std::int64_t j = 1; j <= nui - 2; ++j) {
    out.push_back(pulse[static_cast<std::size_t>(j) * m + static_cast<std::size_t>(phase)]);
  }
  return out;
}

std::vector<double> victim_residual_samples(std::span<const double> pulse, int samples_per_ui,
                                            std::size_t cursor_index,
                                            std::span<const double> dfe_taps) {
  ES_EXPECTS(samples_per_ui >= 1, "samples per UI must be >= 1");
  const auto m = static_cast<std::size_t>(samples_per_ui);
  ES_EXPECTS(cursor_index + dfe_taps.size() * m < pulse.size(),
             "the victim pulse must reach the last DFE tap");
  const auto phase = static_cast<int>(cursor_index % m);
  std::vector<double> out = phase_samples(pulse, samples_per_ui, phase);
  const double cursor = pulse[cursor_index];
  for (std::size_t j = 1; j <= out.size(); ++j) {
    const std::size_t index = j * m + static_cast<std::size_t>(phase);
    if (index < cursor_index) continue;
    const std::size_t n = (index - cursor_index) / m;
    // The cursor is cancelled exactly (its clip limits are h(t_s) itself, lines 4710-4711); DFE
    // taps cancel b(n) h(t_s).
    if (n == 0) {
      out[j - 1] = 0.0;
    } else if (n <= dfe_taps.size()) {
      out[j - 1] -= dfe_taps[n - 1] * cursor;
    }
  }
  return out;
}

int worst_aggressor_phase(std::span<const double> pulse, int samples_per_ui, int levels,
                          double bin_size) {
  ES_EXPECTS(levels >= 2, "at least two levels");
  // get_pdf ranks phases by sqrt(sum x^2 p) of each phase's binned PDF (line 4760). That is
  // the second moment of a sum of independent binned variables: the sum of their variances
  // plus the square of their summed means, computed here in units of bins.
  const double p = 1.0 / static_cast<double>(levels);
  int best_phase = 0;
  double best = -1.0;
  for (int phase = 0; phase < samples_per_ui; ++phase) {
    const std::vector<double> samples = phase_samples(pulse, samples_per_ui, phase);
    double mean_sum = 0.0;
    double var_sum = 0.0;
    for (double a : kept_amplitudes(samples, bin_size)) {
      double m1 = 0.0;
      double m2 = 0.0;
      for (int i = 0; i < levels; ++i) {
        const auto k = static_cast<double>(bin_index(a * pam_level(i, levels), bin_size));
        m1 += k * p;
        m2 += k * k * p;
      }
      mean_sum += m1;
      var_sum += m2 - m1 * m1;
    }
    const double second_moment = var_sum + mean_sum * mean_sum;
    if (second_moment > best) {  // strict: the first maximum wins, as MATLAB's max
      best = second_moment;
      best_phase = phase;
    }
  }
  return best_phase;
}

// --- the final analysis -----------------------------------------------------------------------

namespace {

double sum_of_magnitudes(std::span<const double> v) {
  double s = 0.0;
  for (double x : v) s += std::abs(x);
  return s;
}

// An upper bound (V) on |x| over the combined PDF, from the samples before any PDF is built: the
// peak distortion of the victim's residual and of each aggressor at its largest phase, the
// Gaussian's truncation and the dual-Dirac part's peak.
double combined_reach(const ComNoiseInputs& in, std::span<const double> isi_samples, double gaussian_reach) {
  const int m = in.samples_per_ui;
  double reach = sum_of_magnitudes(isi_samples) + gaussian_reach + in.a_dd_ui * sum_of_magnitudes(in.h_j);
  for (const Aggressor& agg : in.aggressors) {
    double largest = 0.0;
    for (int phase = 0; phase < m; ++phase) largest = std::max(largest, sum_of_magnitudes(phase_samples(agg.pulse, m, phase)));
    reach += largest;
  }
  return reach;
}

// The T_O != 0 lines of the script's main function (487-519): the eye opening of the C2M
// window replaces 2 (A_s - A_ni) as VEO, and A_ni = 2 A_s - VEO; every eye's width is reported.
// Deliberate difference: a closed eye (VEO <= 0) gives VEC = -20 log10(eps), as the T_O = 0
// lines do, where the script's 20 log10(max(2 A_s / VEO, eps)) gives its negative.
void apply_c2m_eye(const ComNoiseInputs& in, const DiscretePdf& crosstalk, ComNoiseResult& r) {
  C2mEyeAnalysis analysis = c2m_eye_analysis(in, crosstalk, r.bin_size, r.q);
  const C2mEyeOpening& eye = analysis.opening;
  r.c2m_enabled = true;
  r.c2m_eye_widths = std::move(analysis.widths);
  r.c2m_eye_top = eye.top;
  r.c2m_eye_bottom = eye.bottom;
  r.c2m_worst_eye = eye.worst_eye;
  r.c2m_window_samples = eye.half_width;
  r.veo = eye.opening();
  r.a_ni = 2.0 * in.a_s - r.veo;
  r.com_db = 20.0 * std::log10(2.0 * in.a_s / r.a_ni);
  r.vec_db = -20.0 * std::log10(std::max(r.veo / (2.0 * in.a_s), std::numeric_limits<double>::epsilon()));
}

}  // namespace

ComNoiseResult final_com_noise(const ComNoiseInputs& in) {
  ES_EXPECTS(in.levels >= 2, "at least two levels");
  ES_EXPECTS(in.der0 > 0.0 && in.der0 < 0.5, "DER_0 must lie in (0, 0.5)");
  ES_EXPECTS(in.a_s > 0.0 && std::isfinite(in.a_s), "A_s must be positive");
  ES_EXPECTS(in.samples_per_ui >= 1, "samples per UI must be >= 1");
  ES_EXPECTS(in.cursor_index < in.victim_pulse.size(), "cursor outside the victim pulse");
  ES_EXPECTS(in.pdf_bin_size > 0.0, "PDF bin size must be positive");
  ES_EXPECTS(in.sigma_tx >= 0.0 && in.sigma_n >= 0.0 && in.sigma_rj_ui >= 0.0 &&
                 in.a_dd_ui >= 0.0,
             "noise and jitter amplitudes must be >= 0");

  ComNoiseResult r;
  const int m = in.samples_per_ui;
  const std::vector<double> isi_samples = victim_residual_samples(in.victim_pulse, m, in.cursor_index, in.dfe_taps);
  const double h_j_norm = norm2(in.h_j);
  r.sigma_rj = in.sigma_rj_ui * sigma_x(in.levels) * h_j_norm;
  r.sigma_tx = in.sigma_tx;
  r.sigma_n = in.sigma_n;
  r.sigma_g = std::sqrt(r.sigma_rj * r.sigma_rj + in.sigma_n * in.sigma_n +
                        in.sigma_tx * in.sigma_tx);
  r.q = in.noise_crest_factor != 0.0 ? in.noise_crest_factor : q_factor(in.der0);

  // Lines 418-422: no coarser than A_s / 1000, and no coarser than the sheet's bin; then no
  // finer than the combined PDF's reach over kMaxCombinedBins (com_pdf.hpp).
  r.script_bin_size =
      in.force_pdf_bin_size ? in.pdf_bin_size : std::min(in.a_s / 1000.0, in.pdf_bin_size);
  r.bin_size = std::max(r.script_bin_size,
                        2.0 * combined_reach(in, isi_samples, r.sigma_g * r.q) / static_cast<double>(kMaxCombinedBins));
  const double bin = r.bin_size;

  // Self-channel interference (get_pdf on the THRU).
  r.victim_phase = static_cast<int>(in.cursor_index % static_cast<std::size_t>(m));
  const DiscretePdf isi = DiscretePdf::from_sampled_signal(isi_samples, in.levels, bin);

  // Co-channel interference: FEXT and NEXT chains in input order, then FEXT (x) NEXT, then
  // ISI (x) crosstalk (Create_Noise_PDF, lines 1244-1269).
  std::vector<DiscretePdf> fext_pdfs;
  std::vector<DiscretePdf> next_pdfs;
  for (const Aggressor& agg : in.aggressors) {
    const int phase = worst_aggressor_phase(agg.pulse, m, in.levels, bin);
    r.aggressor_phases.push_back(phase);
    (agg.kind == AggressorKind::next ? next_pdfs : fext_pdfs)
        .push_back(DiscretePdf::from_sampled_signal(phase_samples(agg.pulse, m, phase),
                                                    in.levels, bin));
  }
  const DiscretePdf fext = convolve_all(fext_pdfs, bin);
  const DiscretePdf next = convolve_all(next_pdfs, bin);
  const DiscretePdf crosstalk = convolve(fext, next);
  const DiscretePdf isi_xt = convolve(isi, crosstalk);

  // Noise (lines 1197-1228): truncated Gaussian (x) the L-level "dual-Dirac" PDF of A_DD h_J.
  const DiscretePdf gaussian = DiscretePdf::truncated_gaussian(r.sigma_g, r.q, bin);
  std::vector<double> dd_samples(in.h_j.size());
  std::transform(in.h_j.begin(), in.h_j.end(), dd_samples.begin(),
                 [&](double h) { return in.a_dd_ui * h; });
  const DiscretePdf dual_dirac = DiscretePdf::from_sampled_signal(dd_samples, in.levels, bin);
  const DiscretePdf noise = convolve(gaussian, dual_dirac);

  r.combined_pdf = convolve(isi_xt, noise);

  // Lines 477-478 and 520-527; the combination itself is line 1280.
  r.a_ni = r.combined_pdf.quantile_magnitude(in.der0, CdfCrossing::exceeds);
  r.com_db = 20.0 * std::log10(in.a_s / r.a_ni);
  r.veo = 2.0 * (in.a_s - r.a_ni);
  const double vec_arg =
      std::max((in.a_s - r.a_ni) / in.a_s, std::numeric_limits<double>::epsilon());
  r.vec_db = -20.0 * std::log10(vec_arg);
  if (in.c2m.enabled()) {
    apply_c2m_eye(in, crosstalk, r);
  } else if (in.c2m.eye_width) {
    r.c2m_eye_widths = c2m_eye_widths(in, crosstalk, r.bin_size, r.q);
  }

  // DER at the pass threshold (lines 481-483): CDF at the first bin above -A_s / 10^(t/20).
  const double threshold_v = -in.a_s / std::pow(10.0, in.pass_threshold_db / 20.0);
  r.threshold_der = 1.0;
  double c = 0.0;
  for (std::size_t i = 0; i < r.combined_pdf.size(); ++i) {
    c += r.combined_pdf.probabilities()[i];
    if (r.combined_pdf.voltage(i) > threshold_v) {
      r.threshold_der = c;
      break;
    }
  }

  r.sigma_isi = isi.sigma();
  r.sigma_xt = crosstalk.sigma();
  r.sigma_dd = dual_dirac.sigma();
  r.sigma_isi_xt = isi_xt.sigma();
  r.sigma_noise = noise.sigma();
  r.sigma_combined = r.combined_pdf.sigma();

  r.peak_isi = isi.quantile_magnitude(in.der0, CdfCrossing::reaches);
  r.peak_xt = crosstalk.quantile_magnitude(in.der0, CdfCrossing::reaches);
  r.peak_fext = fext.quantile_magnitude(in.der0, CdfCrossing::reaches);
  r.peak_next = next.quantile_magnitude(in.der0, CdfCrossing::reaches);
  r.peak_isi_xt = isi_xt.quantile_magnitude(in.der0, CdfCrossing::reaches);

  r.isi = summarise(isi);
  r.crosstalk = summarise(crosstalk);
  r.gaussian = summarise(gaussian);
  r.dual_dirac = summarise(dual_dirac);
  r.noise = summarise(noise);
  r.combined = summarise(r.combined_pdf);
  return r;
}

}  // namespace eyesweep
