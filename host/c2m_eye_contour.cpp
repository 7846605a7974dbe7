// The C2M eye-contour analysis; see c2m_eye_contour.hpp for the script rules it reproduces.
#include "host/c2m_eye_contour.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "kernels/common/error.hpp"

namespace eyesweep {

std::vector<double> histogram_window_weights(HistogramWindow window, int half_width, double ql) {
  ES_EXPECTS(half_width >= 1, "the window needs at least one sample each side of t_s");
  const double t = static_cast<double>(half_width);
  std::vector<double> w;
  for (int i = -half_width; i <= half_width; ++i) {
    const double x = static_cast<double>(i);
    switch (window) {
      case HistogramWindow::rectangle: w.push_back(1.0); break;
      case HistogramWindow::triangle: w.push_back(1.0 - std::abs(x) / t); break;
      case HistogramWindow::gaussian: {
        const double sigma = t / ql;
        w.push_back(std::exp(-0.5 * (x / sigma) * (x / sigma)));
        break;
      }
      case HistogramWindow::dual_rayleigh: {
        // Two Rayleigh densities (u / s^2) exp(-u^2 / (2 s^2)) of scale s = T / QL, one rising
        // from each edge of the window: little weight at the edges and at t_s when QL is large.
        const double sigma = t / ql;
        const auto rayleigh = [sigma](double u) {
          return u / (sigma * sigma) * std::exp(-0.5 * (u / sigma) * (u / sigma));
        };
        w.push_back(rayleigh(x + t) - rayleigh(x - t));
        break;
      }
    }
  }
  if (window == HistogramWindow::dual_rayleigh) {
    const double peak = *std::max_element(w.begin(), w.end());
    for (double& v : w) v /= peak;
  }
  return w;
}

C2mPulse resample_around_cursor(std::span<const double> pulse, int samples_per_ui, std::size_t cursor_index,
                                int c2m_samples_per_ui) {
  ES_EXPECTS(samples_per_ui >= 1 && c2m_samples_per_ui >= 1, "samples per UI must be >= 1");
  ES_EXPECTS(cursor_index < pulse.size(), "cursor outside the pulse");
  // Grid times are exact rationals: sample k of the new grid lies at old index
  // cursor + k M / S. Integer arithmetic places every point, and the UI multiples of t_s, which
  // the script reaches through a floating-point colon range, on the old samples exactly.
  const auto m = static_cast<std::int64_t>(samples_per_ui);
  const auto s = static_cast<std::int64_t>(c2m_samples_per_ui);
  const auto c = static_cast<std::int64_t>(cursor_index);
  const auto last = static_cast<std::int64_t>(pulse.size()) - 1;
  const std::int64_t before = c * s / m;
  const std::int64_t after = (last - c) * s / m;
  C2mPulse out;
  out.cursor_index = static_cast<std::size_t>(before);
  for (std::int64_t k = -before; k <= after; ++k) {
    const std::int64_t position = c * s + k * m;  // old index times S
    const auto i = static_cast<std::size_t>(position / s);
    const std::int64_t remainder = position % s;
    if (remainder == 0) {
      out.samples.push_back(pulse[i]);
    } else {
      const double fraction = static_cast<double>(remainder) / static_cast<double>(s);
      out.samples.push_back(pulse[i] + fraction * (pulse[i + 1] - pulse[i]));
    }
  }
  return out;
}

namespace {

// The bins of der_contour, so that a level's contour is its interference's shifted by the
// level's signal in whole bins, as the shifted PDF's would be.
struct DerBins {
  std::int64_t lower = 0;
  std::int64_t upper = 0;
};

DerBins der_contour_bins(const DiscretePdf& pdf, double der) {
  const std::vector<double>& p = pdf.probabilities();
  std::vector<double> from_above(p.size());
  double sum = 0.0;
  for (std::size_t i = p.size(); i-- > 0;) {
    sum += p[i];
    from_above[i] = sum;
  }
  const std::vector<double> from_below = pdf.cdf();
  std::size_t first = p.size();
  std::size_t last = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (std::min(from_below[i], from_above[i]) > der) {
      first = std::min(first, i);
      last = i;
    }
  }
  ES_EXPECTS(first < p.size(), "no bin of the PDF reaches DER_0 from both sides");
  return {pdf.first_bin() + static_cast<std::int64_t>(first), pdf.first_bin() + static_cast<std::int64_t>(last)};
}

}  // namespace

DerContour der_contour(const DiscretePdf& pdf, double der) {
  const DerBins bins = der_contour_bins(pdf, der);
  return {static_cast<double>(bins.lower) * pdf.bin_size(), static_cast<double>(bins.upper) * pdf.bin_size()};
}

namespace {

// Weighted sum of shifted PDFs on one voltage axis (the script's combine_pdf_same_voltage_axis
// over the window), its support grown to the union of theirs.
class WindowHistogram {
 public:
  void add(const DiscretePdf& pdf, std::int64_t shift_bins, double weight) {
    const std::int64_t first = pdf.first_bin() + shift_bins;
    const std::int64_t last = pdf.last_bin() + shift_bins;
    if (mass_.empty()) {
      first_bin_ = first;
      mass_.assign(pdf.size(), 0.0);
    } else if (first < first_bin_ || last > last_bin()) {
      const std::int64_t lo = std::min(first, first_bin_);
      const std::int64_t hi = std::max(last, last_bin());
      std::vector<double> grown(static_cast<std::size_t>(hi - lo + 1), 0.0);
      std::copy(mass_.begin(), mass_.end(), grown.begin() + (first_bin_ - lo));
      mass_ = std::move(grown);
      first_bin_ = lo;
    }
    double* out = mass_.data() + (first - first_bin_);
    const std::vector<double>& p = pdf.probabilities();
    for (std::size_t i = 0; i < p.size(); ++i) out[i] += weight * p[i];
  }

  /// Divided by its total mass, as the script renormalises the window's histogram.
  DiscretePdf normalised(double bin_size) const {
    double total = 0.0;
    for (double v : mass_) total += v;
    ES_EXPECTS(total > 0.0, "the window's weights sum to zero");
    std::vector<double> p(mass_);
    for (double& v : p) v /= total;
    return DiscretePdf(bin_size, first_bin_, std::move(p));
  }

 private:
  std::int64_t last_bin() const { return first_bin_ + static_cast<std::int64_t>(mass_.size()) - 1; }

  std::int64_t first_bin_ = 0;
  std::vector<double> mass_;
};

// The victim on the C2M grid split as get_pdf_full splits it: the signal over the cursor's UI
// (R_LM h(t) for the outer levels +-1) and the residual the ISI PDFs are drawn from.
struct SignalAndResidual {
  std::vector<double> signal;    ///< per sample of the cursor UI, from t_s - centre
  std::vector<double> residual;  ///< the pulse, cursor UI zeroed, DFE taps removed per UI
};

SignalAndResidual split_victim(const C2mPulse& fine, const C2mEye& c2m, std::span<const double> dfe_taps,
                               double r_lm, int levels) {
  const auto ui = static_cast<std::size_t>(c2m.samples_per_ui);
  const auto centre = static_cast<std::size_t>(c2m.centre_sample());
  const std::size_t t0 = fine.cursor_index;
  ES_EXPECTS(t0 >= centre, "the pulse must start at least half a UI before the cursor");
  const std::size_t cursor_ui = t0 - centre;
  ES_EXPECTS(cursor_ui + (dfe_taps.size() + 1) * ui <= fine.samples.size(),
             "the victim pulse must reach past the last DFE tap's UI");
  SignalAndResidual out;
  out.residual = fine.samples;
  const double cursor = fine.samples[t0];
  const double per_level = static_cast<double>(levels - 1);
  for (std::size_t j = 0; j < ui; ++j) {
    // A_s_vec = R_LM h / (L - 1), then times (L - 1): the script's order of operations.
    out.signal.push_back(r_lm * fine.samples[cursor_ui + j] / per_level * per_level);
    out.residual[cursor_ui + j] = 0.0;
  }
  for (std::size_t n = 1; n <= dfe_taps.size(); ++n) {
    const double cancelled = dfe_taps[n - 1] * cursor;
    for (std::size_t j = 0; j < ui; ++j) out.residual[cursor_ui + n * ui + j] -= cancelled;
  }
  return out;
}

// h_J at one phase of the C2M grid (get_pdf_full's h_j_full): the centred difference
// (h(t + 1/S) - h(t - 1/S)) / 2 S at pulse[S j + phase], j = 1 .. round(len / S) - 2, skipping
// the first UI's sample when phase = 0 and the last one's when phase = S - 1 (their neighbour
// lies outside the UIs used).
std::vector<double> phase_jitter_slopes(std::span<const double> pulse, int s, int phase) {
  const auto ui = static_cast<std::size_t>(s);
  const auto nui = static_cast<std::size_t>(std::llround(static_cast<double>(pulse.size()) / static_cast<double>(s)));
  std::vector<double> slopes;
  if (nui < 3) return slopes;
  const std::size_t lo = ui;                // first sample of UI 1
  const std::size_t hi = ui * (nui - 1) - 1; // last sample of UI nui - 2
  for (std::size_t j = 1; j <= nui - 2; ++j) {
    const std::size_t i = j * ui + static_cast<std::size_t>(phase);
    if (i - 1 < lo || i + 1 > hi) continue;
    slopes.push_back((pulse[i + 1] - pulse[i - 1]) / 2.0 * static_cast<double>(s));
  }
  return slopes;
}

// Interference and noise at one phase of the C2M grid (COM_eye_width's per-sample loop): the
// residual's ISI (x) the main analysis' crosstalk (x) (truncated Gaussian of that phase's
// sigma_G (x) dual-Dirac PDF of A_DD h_J).
DiscretePdf phase_interference(const ComNoiseInputs& in, std::span<const double> residual,
                               std::span<const double> pulse, int phase, const DiscretePdf& crosstalk,
                               double bin_size, double q) {
  const int s = in.c2m.samples_per_ui;
  const DiscretePdf isi = DiscretePdf::from_sampled_signal(phase_samples(residual, s, phase), in.levels, bin_size);
  const std::vector<double> h_j = phase_jitter_slopes(pulse, s, phase);
  const double sigma_rj = in.sigma_rj_ui * sigma_x(in.levels) * norm2(h_j);
  const double sigma_g = std::sqrt(sigma_rj * sigma_rj + in.sigma_n * in.sigma_n + in.sigma_tx * in.sigma_tx);
  std::vector<double> dd_samples(h_j.size());
  std::transform(h_j.begin(), h_j.end(), dd_samples.begin(), [&](double h) { return in.a_dd_ui * h; });
  const DiscretePdf noise = convolve(DiscretePdf::truncated_gaussian(sigma_g, q, bin_size),
                                     DiscretePdf::from_sampled_signal(dd_samples, in.levels, bin_size));
  return convolve(convolve(isi, crosstalk), noise);
}

// The samples first .. last of the cursor's UI (sample j at t_s + (j - centre) / S): the
// signal there and the interference and noise PDF every level shares, which the signal shifts.
struct UiSamples {
  int first = 0;
  std::vector<double> signal;
  std::vector<DiscretePdf> interference;

  double signal_at(int j) const { return signal[static_cast<std::size_t>(j - first)]; }
  const DiscretePdf& interference_at(int j) const { return interference[static_cast<std::size_t>(j - first)]; }
};

UiSamples ui_samples(const ComNoiseInputs& in, const DiscretePdf& crosstalk, double bin_size, double q, int first,
                     int last) {
  const int s = in.c2m.samples_per_ui;
  const C2mPulse fine = resample_around_cursor(in.victim_pulse, in.samples_per_ui, in.cursor_index, s);
  const SignalAndResidual victim = split_victim(fine, in.c2m, in.dfe_taps, in.r_lm, in.levels);
  const int cursor_phase = static_cast<int>(fine.cursor_index % static_cast<std::size_t>(s));
  UiSamples out;
  out.first = first;
  for (int j = first; j <= last; ++j) {
    // Column of get_pdf_full's cursor-centred reshape that holds sample j.
    const int phase = ((cursor_phase + j - in.c2m.centre_sample()) % s + s) % s;
    out.interference.push_back(phase_interference(in, victim.residual, fine.samples, phase, crosstalk, bin_size, q));
    out.signal.push_back(victim.signal[static_cast<std::size_t>(j)]);
  }
  return out;
}

// T, checked to keep the window inside the cursor's UI.
int window_half_width(const ComNoiseInputs& in) {
  ES_EXPECTS(in.levels >= 2, "at least two levels");
  const int t = in.c2m.half_width();
  ES_EXPECTS(t >= 1 && t <= in.c2m.widest_half_width(),
             "T_O = " + std::to_string(in.c2m.T_O_mUI) + " mUI gives a window of " + std::to_string(t) +
                 " samples each side of t_s; it needs 1 .. " + std::to_string(in.c2m.widest_half_width()) +
                 " at samples_for_C2M = " + std::to_string(in.c2m.samples_per_ui));
  return t;
}

// The window's worst eye: per level, the weighted histogram of the window's samples and its
// DER_0 contours.
C2mEyeOpening window_opening(const ComNoiseInputs& in, const UiSamples& samples, double bin_size) {
  const int levels = in.levels;
  C2mEyeOpening eye;
  eye.half_width = window_half_width(in);
  const int centre = in.c2m.centre_sample();
  const std::vector<double> weights = histogram_window_weights(in.c2m.window, eye.half_width, in.c2m.QL);
  std::vector<WindowHistogram> level_histograms(static_cast<std::size_t>(levels));
  for (int k = -eye.half_width; k <= eye.half_width; ++k) {
    const double signal = samples.signal_at(centre + k);
    const double weight = weights[static_cast<std::size_t>(k + eye.half_width)];
    for (int n = 0; n < levels; ++n) {
      const std::int64_t shift = bin_index(signal * pam_level(n, levels), bin_size);
      level_histograms[static_cast<std::size_t>(n)].add(samples.interference_at(centre + k), shift, weight);
    }
  }

  std::vector<DerContour> contours;
  for (const WindowHistogram& h : level_histograms) contours.push_back(der_contour(h.normalised(bin_size), in.der0));
  for (int e = 0; e + 1 < levels; ++e) {
    const double top = contours[static_cast<std::size_t>(e + 1)].lower;
    const double bottom = contours[static_cast<std::size_t>(e)].upper;
    if (e == 0 || top - bottom < eye.opening()) {  // the first smallest, as MATLAB's min
      eye.top = top;
      eye.bottom = bottom;
      eye.worst_eye = e;
    }
  }
  return eye;
}

// Every eye's contours over the whole UI (samples.first = 0): each level's contour at a sample
// is the interference's, shifted by the level's signal in whole bins.
std::vector<C2mEyeContour> eye_contours(const ComNoiseInputs& in, const UiSamples& samples, double bin_size) {
  const int levels = in.levels;
  std::vector<C2mEyeContour> eyes(static_cast<std::size_t>(levels - 1));
  for (int j = 0; j < in.c2m.samples_per_ui; ++j) {
    const DerBins interference = der_contour_bins(samples.interference_at(j), in.der0);
    const auto shift = [&](int n) { return bin_index(samples.signal_at(j) * pam_level(n, levels), bin_size); };
    for (int e = 0; e + 1 < levels; ++e) {
      C2mEyeContour& eye = eyes[static_cast<std::size_t>(e)];
      eye.top.push_back(static_cast<double>(interference.lower + shift(e + 1)) * bin_size);
      eye.bottom.push_back(static_cast<double>(interference.upper + shift(e)) * bin_size);
    }
  }
  return eyes;
}

// One side of find_eye_width for one contour: walking from `centre` by `step` (-1 or +1), the
// distance in samples to where the contour first leaves the eye (`closed` is true there), the
// crossing of vref interpolated linearly between that sample and the one before it. 0 when the
// eye is closed at t_s; when it never closes, the distance to the UI's edge as the script
// counts it: centre + 1 samples on the left, S - 1 - centre on the right (one UI in all).
template <typename Closed>
double reach(std::span<const double> contour, int centre, int step, double vref, Closed closed) {
  const int s = static_cast<int>(contour.size());
  for (int j = centre; j >= 0 && j < s; j += step) {
    const double v = contour[static_cast<std::size_t>(j)];
    if (!closed(v)) continue;
    if (j == centre) return 0.0;
    const double inside = contour[static_cast<std::size_t>(j - step)];
    const double crossing = static_cast<double>(j - step) + step * (vref - inside) / (v - inside);
    return std::abs(crossing - static_cast<double>(centre));
  }
  return step < 0 ? static_cast<double>(centre + 1) : static_cast<double>(s - 1 - centre);
}

}  // namespace

C2mEyeWidth eye_width(const C2mEyeContour& eye, int centre) {
  const int s = static_cast<int>(eye.top.size());
  ES_EXPECTS(s >= 2 && eye.bottom.size() == eye.top.size(), "an eye contour needs a top and a bottom per sample");
  ES_EXPECTS(centre >= 0 && centre < s, "t_s outside the eye contour");
  // vref: the middle of the eye at t_s (non-zero for every eye but the middle one).
  const auto c = static_cast<std::size_t>(centre);
  const double vref = 0.5 * eye.top[c] + 0.5 * eye.bottom[c];
  const auto below = [vref](double v) { return v < vref; };
  const auto above = [vref](double v) { return v > vref; };
  const auto side = [&](int step) {
    return std::min(reach(eye.top, centre, step, vref, below), reach(eye.bottom, centre, step, vref, above));
  };
  const double left = side(-1);
  const double right = side(+1);
  return {left / s, right / s, std::floor(left + right) / s};
}

C2mEyeOpening c2m_eye_opening(const ComNoiseInputs& in, const DiscretePdf& crosstalk, double bin_size, double q) {
  ES_EXPECTS(crosstalk.bin_size() == bin_size, "the crosstalk PDF must use the analysis' bin");
  const int t = window_half_width(in);
  const int centre = in.c2m.centre_sample();
  return window_opening(in, ui_samples(in, crosstalk, bin_size, q, centre - t, centre + t), bin_size);
}

namespace {

UiSamples whole_ui(const ComNoiseInputs& in, const DiscretePdf& crosstalk, double bin_size, double q) {
  ES_EXPECTS(crosstalk.bin_size() == bin_size, "the crosstalk PDF must use the analysis' bin");
  return ui_samples(in, crosstalk, bin_size, q, 0, in.c2m.samples_per_ui - 1);
}

std::vector<C2mEyeWidth> eye_widths(const ComNoiseInputs& in, const UiSamples& samples, double bin_size) {
  std::vector<C2mEyeWidth> widths;
  for (const C2mEyeContour& eye : eye_contours(in, samples, bin_size)) {
    widths.push_back(eye_width(eye, in.c2m.centre_sample()));
  }
  return widths;
}

}  // namespace

C2mEyeAnalysis c2m_eye_analysis(const ComNoiseInputs& in, const DiscretePdf& crosstalk, double bin_size, double q) {
  const UiSamples samples = whole_ui(in, crosstalk, bin_size, q);
  return {window_opening(in, samples, bin_size), eye_widths(in, samples, bin_size)};
}

std::vector<C2mEyeWidth> c2m_eye_widths(const ComNoiseInputs& in, const DiscretePdf& crosstalk, double bin_size,
                                        double q) {
  return eye_widths(in, whole_ui(in, crosstalk, bin_size, q), bin_size);
}

}  // namespace eyesweep
