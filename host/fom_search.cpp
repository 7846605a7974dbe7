// The COM reference receiver's equaliser search; see fom_search.hpp. Indices in comments
// that quote the IEEE script are its 1-based ones; the code is 0-based.
#include "host/fom_search.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "host/c2m_eye_contour.hpp"
#include "host/com_pdf.hpp"
#include "host/floating_dfe.hpp"
#include "host/impulse_response.hpp"
#include "host/parallel.hpp"
#include "host/rx_ffe_mmse.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

/// Calls fn(h_J(n)) for every jitter slope (see jitter_slopes); `at(n)` gives the equalised
/// pulse with zeros past its end.
template <typename Sample, typename Fn>
void for_each_jitter_slope(const Sample& at, std::ptrdiff_t length, std::ptrdiff_t cursor_index,
                           std::ptrdiff_t M, std::ptrdiff_t dfe_taps, Fn&& fn) {
  const std::ptrdiff_t padded_length = std::max(length, cursor_index + 1 + M * (dfe_taps + 1));
  std::ptrdiff_t phase = (cursor_index + 1) % M;  // the script's mod(cursor_i, M), 1-based
  if (phase <= 1) phase += M;
  // 1-based late sample phase + 1 is 0-based `phase`; the early one is two samples before.
  for (std::ptrdiff_t late = phase; late < padded_length; late += M) {
    fn((at(late) - at(late - 2)) / 2.0 * static_cast<double>(M));
  }
}


}  // namespace

FomEvaluator::FomEvaluator(const CaseResponses& responses, const ComConfig& cfg,
                           const TxGrid& tx_grid)
    : responses_(responses), cfg_(cfg), tx_grid_(tx_grid), ffe_(tx_grid, cfg.M, responses.thru.impulse.size()) {
  const std::size_t M = static_cast<std::size_t>(cfg.M);
  // The peak of the cursor is searched within +-20 UI of the unequalised pulse's peak.
  const std::vector<double> unequalized = pulse_from_impulse(responses.thru.impulse, cfg.M);
  ES_EXPECTS(!unequalized.empty(), "empty victim response");
  const std::size_t init_max = static_cast<std::size_t>(
      std::max_element(unequalized.begin(), unequalized.end()) - unequalized.begin());
  peak_lo_ = init_max > 20 * M ? init_max - 20 * M : 0;
  peak_hi_ = std::min(unequalized.size() - 1, init_max + 20 * M);

  // Crosstalk in the FOM is the script's frequency-domain form: frequencies up to the first
  // one above f_b, weighted by sinc^2(f T), normalised by 2 Delta_f / f_2.
  const std::vector<double>& f = responses.f_GHz;
  ES_EXPECTS(f.size() > 10, "too few frequency points");
  const auto above = std::upper_bound(f.begin(), f.end(), cfg.f_b_GBd);
  n_xt_ = above == f.end() ? f.size() : static_cast<std::size_t>(above - f.begin()) + 1;
  sinc2_.resize(n_xt_);
  for (std::size_t i = 0; i < n_xt_; ++i) {
    const double x = std::numbers::pi * std::max(f[i] / cfg.f_b_GBd, 1e-20 / std::numbers::pi);
    sinc2_[i] = std::pow(std::sin(x) / x, 2);
  }
  for (const ChannelResponse& aggressor : responses.aggressors) {
    ES_EXPECTS(aggressor.H.size() >= n_xt_, "an aggressor's response is shorter than the frequency grid");
    for (std::size_t i = 0; i < n_xt_; ++i) {
      aggressor_H_.push_back(aggressor.H[i].real());
      aggressor_H_.push_back(aggressor.H[i].imag());
    }
    aggressor_a2_.push_back(aggressor.amplitude_V * aggressor.amplitude_V);
    aggressor_is_fext_.push_back(aggressor.kind == ChannelKind::fext ? 1 : 0);
  }
  // |H_ffe(f)|^2 = r_0 + 2 sum_d r_d cos(2 pi f d T), r_d the taps' autocorrelation: one
  // cosine table per lag instead of a complex exponential per tap.
  const std::size_t lags = tx_grid.num_taps;
  lag_cos_.resize(lags * n_xt_);
  for (std::size_t d = 0; d < lags; ++d) {
    for (std::size_t i = 0; i < n_xt_; ++i) {
      lag_cos_[d * n_xt_ + i] = std::cos(2.0 * std::numbers::pi * f[i] * static_cast<double>(d) / cfg.f_b_GBd);
    }
  }
  const double delta_f = f[10] - f[9];  // the script's faxis(11) - faxis(10)
  const double f_2 = cfg.f_2_GHz > 0.0 ? cfg.f_2_GHz : cfg.f_b_GBd;
  const double sx = sigma_x(cfg.L);
  xt_scale_ = sx * sx * 2.0 * delta_f / f_2;

  for (int offset = cfg.sample_adjustment_lo; offset <= cfg.sample_adjustment_hi; ++offset) sampling_offsets_.push_back(offset);
  std::stable_sort(sampling_offsets_.begin(), sampling_offsets_.end(),
                   [](int a, int b) { return std::abs(a) < std::abs(b); });

  if (cfg.c2m.constrains_search()) {
    min_eye_V_ = cfg.c2m.min_veo_test_mV / 1000.0;
    eye_early_samples_ = static_cast<std::ptrdiff_t>(std::floor(cfg.c2m.T_O_mUI / 1000.0 * cfg.M));  // line 5826
  }
}

FomEvaluator FomEvaluator::without_min_veo_test() const {
  FomEvaluator relaxed(*this);
  if (relaxed.min_eye_V_) relaxed.min_eye_V_ = 0.0;
  return relaxed;
}

ctle::SpectrumView FomEvaluator::spectrum() const {
  ctle::SpectrumView s;
  s.n_f = static_cast<int>(responses_.f_GHz.size());
  s.f_GHz = responses_.f_GHz.data();
  s.H_r = reinterpret_cast<const double*>(responses_.H_r.data());  // std::complex: (re, im) pairs
  s.rx_noise = responses_.rx_noise_V2_per_GHz.empty() ? nullptr : responses_.rx_noise_V2_per_GHz.data();
  s.n_xt = static_cast<int>(n_xt_);
  s.sinc2 = sinc2_.data();
  s.n_aggressors = static_cast<int>(aggressor_a2_.size());
  s.aggressor_H = aggressor_H_.data();
  s.aggressor_a2 = aggressor_a2_.data();
  s.aggressor_is_fext = aggressor_is_fext_.data();
  return s;
}

std::vector<double> FomEvaluator::ctle_pulse(const CtleSetting& ctle) const {
  return pulse_from_impulse(ctle_filter_impulse(responses_.thru.impulse, ctle, cfg_.f_b_GBd * cfg_.M), cfg_.M);
}

CtleContext FomEvaluator::make_context(const CtleSetting& ctle) const {
  CtleContext context;
  context.ctle = ctle;
  context.pulse = ctle_pulse(ctle);

  // sigma_N^2 = eta_0 sum_k |H_r H_ctf|^2 (f_k - f_{k-1}) plus the noise an active THRU adds
  // at the Rx die (rx_noise) through the same filters and rule; the FEXT weights and the
  // NEXT power on the crosstalk integral's frequencies.
  const ctle::SpectrumView spectrum = this->spectrum();
  const ctle::Response response(ctle);
  ctle::Integrals integrals;
  context.fext_weight.resize(n_xt_);
  for (int i = 0; i < spectrum.n_f; ++i) {
    const ctle::FrequencyTerms terms = ctle::frequency_terms(spectrum, response, i);
    integrals.add(terms);
    if (i < spectrum.n_xt) context.fext_weight[static_cast<std::size_t>(i)] = terms.fext;
  }
  context.sigma_n = std::sqrt(integrals.noise2(cfg_.eta_0_V2_per_GHz));
  context.next_power = integrals.next_power;
  if (cfg_.rx_ffe.enabled()) {
    const std::vector<std::complex<double>> H_ctf = ctle_response(responses_.f_GHz, ctle);
    context.rx_ffe_noise = make_rx_ffe_noise_context(cfg_, responses_, ctle, H_ctf, context.pulse);
  }
  return context;
}

std::vector<double> FomEvaluator::equalized_pulse(const CtleContext& context,
                                                  const double* tx_taps) const {
  return ffe_.apply(context.pulse, tx_taps);
}

template <typename Sample>
std::optional<std::ptrdiff_t> FomEvaluator::cursor_anchor(const Sample& at, std::ptrdiff_t N,
                                                          std::ptrdiff_t peak, double peak_value) const {
  const std::ptrdiff_t M = cfg_.M;
  switch (cfg_.cursor_rule) {
    case CursorRule::peak:
      return peak;
    case CursorRule::max_slope_step: {
      // The point within +-1 UI of the peak where h(t) - h(t - T) is largest.
      if (peak - 2 * M < 0 || peak + M >= N) return std::nullopt;
      std::ptrdiff_t best = peak;
      double best_step = -INFINITY;
      for (std::ptrdiff_t t = peak - M; t <= peak + M; ++t) {
        const double step = at(t) - at(t - M);
        if (step > best_step) {
          best_step = step;
          best = t;
        }
      }
      return best;
    }
    case CursorRule::mueller_muller:
      break;
  }
  // The script's rule: anchor at the last upward crossing of 1 % of the peak within 4 UI
  // before it, then take the point in the next 2 UI where
  // h(t - T) = max(h(t + T) - b_max(1) h(t), 0) holds best.
  const std::ptrdiff_t search_start = std::max<std::ptrdiff_t>(0, peak - 4 * M);
  const double level = 0.01 * peak_value;
  const auto sign = [](double x) { return (x > 0.0) - (x < 0.0); };
  std::ptrdiff_t crossing = -1;
  int previous = sign(at(search_start) - level);
  for (std::ptrdiff_t n = search_start; n < peak; ++n) {
    const int next = sign(at(n + 1) - level);
    if (next - previous >= 1) crossing = n;
    previous = next;
  }
  if (crossing < 0) return std::nullopt;
  if (crossing - M < 0 || crossing + 3 * M >= N) return std::nullopt;
  const double b1 = cfg_.N_b > 0 ? cfg_.b_max[0] : 0.0;
  std::ptrdiff_t cursor_index = crossing;
  double best_metric = INFINITY;
  for (std::ptrdiff_t m = 0; m <= 2 * M; ++m) {
    const std::ptrdiff_t t = crossing + m;
    const double metric = std::abs(at(t - M) - std::max(at(t + M) - b1 * at(t), 0.0));
    if (metric < best_metric) {
      best_metric = metric;
      cursor_index = t;
    }
  }
  return cursor_index;
}

std::optional<FomPoint> FomEvaluator::evaluate(const CtleContext& context, const double* taps,
                                               double to_beat) const {
  const std::vector<double>& pulse = context.pulse;
  const auto N = static_cast<std::ptrdiff_t>(pulse.size());
  const auto at = [&](std::ptrdiff_t n) { return ffe_.at(pulse, taps, n); };

  // The equalised pulse over the peak-search window, one contiguous (vectorisable) pass per
  // tap; then the peak within it (first maximum).
  thread_local std::vector<double> window;
  const auto lo = static_cast<std::ptrdiff_t>(peak_lo_);
  const auto width = static_cast<std::ptrdiff_t>(peak_hi_ - peak_lo_ + 1);
  window.resize(static_cast<std::size_t>(width));
  ffe_.window(pulse, taps, lo, width, window.data());
  const auto peak_it = std::max_element(window.begin(), window.end());
  const std::ptrdiff_t peak = lo + (peak_it - window.begin());
  const std::optional<std::ptrdiff_t> anchor = cursor_anchor(at, N, peak, *peak_it);
  if (!anchor) return std::nullopt;

  // With an Rx FFE: the whole equalised pulse, and the crosstalk's share of the noise (the
  // same at every sampling point), once.
  const bool mmse = cfg_.rx_ffe.enabled();
  std::vector<double> equalized, crosstalk_acf_sum;
  if (mmse) {
    equalized = ffe_.apply(pulse, taps);
    crosstalk_acf_sum = context.rx_ffe_noise.next_acf;
    const double sx2 = std::pow(sigma_x(cfg_.L), 2);
    for (const std::vector<double>& fext : context.rx_ffe_noise.fext_pulses) {
      const std::vector<double> acf =
          crosstalk_acf(CircularFfe(tx_grid_, cfg_.M, fext.size()).apply(fext, taps), cfg_.M,
                        crosstalk_acf_sum.size(), static_cast<std::size_t>(cfg_.rx_ffe.noise_ui), sx2);
      for (std::size_t k = 0; k < acf.size(); ++k) crosstalk_acf_sum[k] += acf[k];
    }
  }
  std::optional<FomPoint> best;
  for (const int offset : sampling_offsets_) {
    const std::ptrdiff_t cursor_index = *anchor + offset;
    if (cursor_index < 0 || cursor_index >= N) continue;
    std::optional<FomPoint> point =
        mmse ? evaluate_rx_ffe(context, equalized, cursor_index, crosstalk_acf_sum)
             : evaluate_dfe(context, taps, at, cursor_index, best ? std::max(to_beat, best->fom_dB) : to_beat);
    if (point && (!best || point->fom_dB > best->fom_dB)) best = std::move(point);
  }
  return best;
}

std::optional<FomPoint> FomEvaluator::evaluate_rx_ffe(const CtleContext& context, const std::vector<double>& pulse,
                                                    std::ptrdiff_t cursor_index,
                                                    const std::vector<double>& crosstalk_acf_sum) const {
  const RxFfeNoiseContext& noise = context.rx_ffe_noise;
  const auto M = static_cast<std::size_t>(cfg_.M);
  const auto lags = static_cast<std::size_t>(cfg_.rx_ffe.num_taps());
  const auto noise_ui = static_cast<std::size_t>(cfg_.rx_ffe.noise_ui);
  const auto index = static_cast<std::size_t>(cursor_index);
  const std::size_t phase = index % M;
  const double sx2 = std::pow(sigma_x(cfg_.L), 2);

  // R_jn from the jitter slopes at this sampling point; R_tn of its phase.
  std::vector<double> slopes = jitter_slopes(pulse, index, cfg_.M, dfe_span(cfg_));
  if (slopes.size() > noise_ui) slopes.resize(noise_ui);
  std::vector<double> jitter_acf = autocorrelation(slopes, lags);
  for (double& r : jitter_acf) r *= sx2 * (cfg_.A_DD_UI * cfg_.A_DD_UI + cfg_.sigma_RJ_UI * cfg_.sigma_RJ_UI);
  const std::span<const double> tx_acf(noise.tx_acf.data() + phase * lags, lags);
  std::vector<double> noise_acf(lags);
  for (std::size_t k = 0; k < lags; ++k) {
    noise_acf[k] = noise.rx_acf[k] + tx_acf[k] + crosstalk_acf_sum[k] + jitter_acf[k];
  }

  const std::vector<double> h = ui_samples(pulse, phase, cfg_.M, pulse.size());
  MmseProblem problem;
  problem.h = h;
  problem.cursor = index / M;
  problem.noise_acf = noise_acf;
  problem.ffe = &cfg_.rx_ffe;
  problem.b_min = cfg_.b_min;
  problem.b_max = cfg_.b_max;
  problem.sigma_x2 = sx2;
  const std::optional<MmseSolution> solution =
      cfg_.rx_ffe.solver == RxFfeSolver::przf ? solve_przf(problem) : solve_mmse(problem);
  if (!solution) return std::nullopt;

  FomPoint point;
  point.cursor = solution->cursor_V;
  point.cursor_index = index;
  point.A_s = cfg_.R_LM * point.cursor / (cfg_.L - 1);
  const std::vector<double>& w = solution->taps;
  point.sigma_isi = std::sqrt(solution->isi_V2);
  point.sigma_n = std::sqrt(toeplitz_form(noise.rx_acf, w));
  point.sigma_tx = std::sqrt(toeplitz_form(tx_acf, w));
  point.sigma_xt = std::sqrt(toeplitz_form(crosstalk_acf_sum, w));
  point.sigma_j = std::sqrt(toeplitz_form(jitter_acf, w));
  point.dfe_taps = solution->dfe;
  point.rx_ffe_taps = w;
  // sigma_e^2 of com-reference.md 3.1 in volts: the residual ISI and w^T R_n w.
  const double total2 = point.sigma_isi * point.sigma_isi + point.sigma_j * point.sigma_j +
                        point.sigma_xt * point.sigma_xt + point.sigma_n * point.sigma_n +
                        point.sigma_tx * point.sigma_tx;
  point.fom_dB = 20.0 * std::log10(point.A_s / std::sqrt(total2));
  return point;
}

template <typename Sample>
std::optional<FomPoint> FomEvaluator::evaluate_dfe(const CtleContext& context, const double* taps, const Sample& at,
                                                   std::ptrdiff_t cursor_index, double to_beat) const {
  const auto N = static_cast<std::ptrdiff_t>(context.pulse.size());
  const std::ptrdiff_t M = cfg_.M;
  const double cursor = at(cursor_index);
  if (!(cursor > 0.0)) return std::nullopt;

  FomPoint point;
  point.cursor = cursor;
  point.cursor_index = static_cast<std::size_t>(cursor_index);
  point.A_s = cfg_.R_LM * cursor / (cfg_.L - 1);
  const double sx = sigma_x(cfg_.L);
  const std::ptrdiff_t span = dfe_span(cfg_);

  // Residual ISI: every precursor, the part of the DFE span beyond its limits, and every
  // cursor after the DFE span (computed on the unpadded pulse, as the script does). With
  // do_C2M the last two are read T_O earlier, at the window's early edge (lines 6133, 6193).
  const std::ptrdiff_t late_start = cursor_index - (min_eye_V_ ? eye_early_samples_ : 0);
  double isi2 = 0.0;
  for (std::ptrdiff_t n = cursor_index - M; n >= 0; n -= M) isi2 += std::pow(at(n), 2);
  for (std::ptrdiff_t n = late_start + M * (span + 1); n < N; n += M) isi2 += std::pow(at(n), 2);
  if (20.0 * std::log10(point.A_s / (sx * std::sqrt(isi2))) < to_beat) return std::nullopt;

  // Beyond the pulse the script pads with zeros.
  const auto padded = [&](std::ptrdiff_t n) { return n < N ? at(n) : 0.0; };
  std::vector<double> dfe_cursors(static_cast<std::size_t>(span));
  for (std::ptrdiff_t k = 0; k < span; ++k) dfe_cursors[static_cast<std::size_t>(k)] = padded(cursor_index + M * (k + 1));
  // Limits per tap: the fixed taps' own, then +-bmaxg where floating groups land, 0 elsewhere.
  std::vector<double> b_max = cfg_.b_max, b_min = cfg_.b_min;
  b_max.resize(dfe_cursors.size(), 0.0);
  b_min.resize(dfe_cursors.size(), 0.0);
  if (cfg_.floating.N_bg > 0) {
    point.floating_taps = place_floating_taps(dfe_cursors, cursor, cfg_);
    for (int t : point.floating_taps) {
      b_max[static_cast<std::size_t>(t - 1)] = cfg_.floating.bmaxg;
      b_min[static_cast<std::size_t>(t - 1)] = -cfg_.floating.bmaxg;
    }
  }
  const auto clip = [&](std::vector<double>& taps_out) {
    for (std::size_t k = 0; k < dfe_cursors.size(); ++k) {
      taps_out[k] = std::clamp(dfe_cursors[k], cursor * b_min[k], cursor * b_max[k]);
    }
  };
  std::vector<double> applied(dfe_cursors.size());
  clip(applied);
  // RSS limit on the tail taps from N_tail_start (1-based) on.
  const std::size_t tail_start = static_cast<std::size_t>(cfg_.floating.N_tail_start);
  if (tail_start != 0 && applied.size() >= tail_start) {
    double rss = 0.0;
    for (std::size_t k = tail_start - 1; k < applied.size(); ++k) rss += std::pow(applied[k] / cursor, 2);
    rss = std::sqrt(rss);
    const double limit = cfg_.floating.B_float_RSS_MAX;
    if (rss != 0.0 && rss >= limit) {
      for (std::size_t k = tail_start - 1; k < applied.size(); ++k) {
        const double share = std::min(rss, limit) * std::abs(applied[k] / cursor) / rss;
        b_max[k] = share;
        b_min[k] = -share;
      }
      clip(applied);
    }
  }
  for (std::size_t k = 0; k < applied.size(); ++k) {
    isi2 += std::pow(padded(late_start + M * static_cast<std::ptrdiff_t>(k + 1)) - applied[k], 2);
  }
  point.sigma_isi = sx * std::sqrt(isi2);
  if (20.0 * std::log10(point.A_s / point.sigma_isi) < to_beat) return std::nullopt;
  point.dfe_taps.resize(applied.size());
  for (std::size_t k = 0; k < applied.size(); ++k) point.dfe_taps[k] = applied[k] / cursor;

  double slope2 = 0.0;
  for_each_jitter_slope(padded, N, cursor_index, M, span, [&](double d) { slope2 += d * d; });
  point.sigma_j = std::hypot(cfg_.A_DD_UI, cfg_.sigma_RJ_UI) * sx * std::sqrt(slope2);
  point.sigma_tx = script_sigma_tx(cfg_.L, point.A_s, cfg_.R_LM, cfg_.SNR_TX_dB);
  point.sigma_n = context.sigma_n;

  // Far-end crosstalk is weighted by |H_ffe(f)| (the script's power weight function).
  const std::size_t n_taps = tx_grid_.num_taps;
  double r[kMaxTxTaps];
  for (std::size_t d = 0; d < n_taps; ++d) {
    r[d] = 0.0;
    for (std::size_t k = 0; k + d < n_taps; ++k) r[d] += taps[k] * taps[k + d];
    if (d > 0) r[d] *= 2.0;
  }
  double fext = 0.0;
  for (std::size_t i = 0; i < n_xt_; ++i) {
    double h2 = r[0];
    for (std::size_t d = 1; d < n_taps; ++d) h2 += r[d] * lag_cos_[d * n_xt_ + i];
    fext += context.fext_weight[i] * std::sqrt(std::max(h2, 0.0));
  }
  point.sigma_xt = std::sqrt(xt_scale_ * (fext + context.next_power));

  const double total2 = point.sigma_isi * point.sigma_isi + point.sigma_j * point.sigma_j +
                        point.sigma_xt * point.sigma_xt + point.sigma_n * point.sigma_n +
                        point.sigma_tx * point.sigma_tx;
  point.fom_dB = 20.0 * std::log10(point.A_s / std::sqrt(total2));
  if (min_eye_V_) return score_by_eye(std::move(point), context, taps, std::sqrt(total2));
  return point;
}

std::optional<FomPoint> FomEvaluator::score_by_eye(FomPoint point, const CtleContext& context, const double* taps,
                                                   double total_rms) const {
  const double min_eye = *min_eye_V_;
  const double q = q_factor(cfg_.DER_0);
  if (2.0 * (point.A_s - q * total_rms) <= min_eye - 1e-3) return std::nullopt;

  ComNoiseInputs in = point_noise_inputs(cfg_, point);
  // The script's sbr, zero-padded to one UI past the DFE span (lines 6159-6161).
  in.victim_pulse = ffe_.apply(context.pulse, taps);
  const std::size_t covered = point.cursor_index + static_cast<std::size_t>(cfg_.M * (dfe_span(cfg_) + 1)) + 1;
  in.victim_pulse.resize(std::max(in.victim_pulse.size(), covered), 0.0);
  in.sigma_tx = point.sigma_tx;
  // delta_y as the final analysis' (lines 6328-6332); crosstalk and NEXT noise enter as unit
  // masses (normal_dist of sigma 0, lines 6333-6334).
  const double bin = std::min(point.A_s / 1000.0, in.pdf_bin_size);
  const double eye = c2m_eye_opening(in, DiscretePdf(bin), bin, q).opening();
  if (eye <= min_eye) return std::nullopt;
  point.fom_dB = 20.0 * std::log10(point.A_s / ((2.0 * point.A_s - eye) / 2.0));
  return point;
}

ComNoiseInputs point_noise_inputs(const ComConfig& cfg, const FomPoint& point) {
  ComNoiseInputs in;
  in.levels = cfg.L;
  in.der0 = cfg.DER_0;
  in.a_s = point.A_s;
  in.samples_per_ui = cfg.M;
  in.cursor_index = point.cursor_index;
  in.dfe_taps = point.dfe_taps;
  in.a_dd_ui = cfg.A_DD_UI;
  in.sigma_rj_ui = cfg.sigma_RJ_UI;
  in.sigma_n = point.sigma_n;
  in.r_lm = cfg.R_LM;
  in.c2m = cfg.c2m;
  return in;
}

std::vector<double> apply_rx_ffe(const ComConfig& cfg, const FomPoint& point, std::vector<double> pulse) {
  if (point.rx_ffe_taps.empty()) return pulse;
  return CircularFfe(-cfg.rx_ffe.pre_taps, point.rx_ffe_taps.size(), cfg.M, pulse.size())
      .apply(pulse, point.rx_ffe_taps.data());
}

int dfe_span(const ComConfig& cfg) {
  return cfg.floating.N_bg > 0 ? std::max(cfg.N_b, cfg.floating.N_f) : cfg.N_b;
}

std::vector<double> jitter_slopes(const std::vector<double>& equalized_pulse, std::size_t cursor_index,
                                  int samples_per_ui, int dfe_taps) {
  const auto N = static_cast<std::ptrdiff_t>(equalized_pulse.size());
  const auto padded = [&](std::ptrdiff_t n) { return n < N ? equalized_pulse[static_cast<std::size_t>(n)] : 0.0; };
  std::vector<double> slopes;
  for_each_jitter_slope(padded, N, static_cast<std::ptrdiff_t>(cursor_index), samples_per_ui, dfe_taps,
                        [&](double d) { slopes.push_back(d); });
  return slopes;
}

SearchResult search_equalizer(const FomEvaluator& evaluator, const std::vector<CtleSetting>& ctle_grid,
                              const TxGrid& tx_grid, unsigned threads) {
  const std::size_t n_ctle = ctle_grid.size();
  const std::size_t n_tx = tx_grid.num_combinations();
  threads = worker_count(threads, n_ctle);

  std::vector<CtleContext> contexts(n_ctle);
  parallel_chunks(n_ctle, 1, threads, [&](std::size_t first, std::size_t last, unsigned) {
    for (std::size_t i = first; i < last; ++i) contexts[i] = evaluator.make_context(ctle_grid[i]);
  });

  struct Best {
    double fom = -INFINITY;
    std::size_t flat = 0;
    std::optional<FomPoint> point;
  };
  const std::size_t total = n_ctle * n_tx;
  std::vector<Best> best(threads);
  parallel_chunks(total, 256, threads, [&](std::size_t first, std::size_t last, unsigned t) {
    Best& mine = best[t];
    for (std::size_t flat = first; flat < last; ++flat) {
      const std::size_t c = flat / n_tx, x = flat % n_tx;
      auto point = evaluator.evaluate(contexts[c], tx_grid.combination(x), mine.fom);
      // Strictly better only: within a worker points come in increasing order, so the first
      // of equal points stays, as in the script.
      if (point && point->fom_dB > mine.fom) {
        mine.fom = point->fom_dB;
        mine.flat = flat;
        mine.point = std::move(point);
      }
    }
  });
  SearchResult result;
  result.grid_points = total;
  const Best* winner = nullptr;
  for (const Best& b : best) {
    if (!b.point) continue;
    if (!winner || b.fom > winner->fom || (b.fom == winner->fom && b.flat < winner->flat)) winner = &b;
  }
  if (winner) {
    result.found = true;
    result.ctle_index = winner->flat / n_tx;
    result.tx_index = winner->flat % n_tx;
    result.best = *winner->point;
  }
  return result;
}

}  // namespace eyesweep
