// The fast engines' precomputation; see search_tables.hpp.
#include "host/search_tables.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "host/com_pdf.hpp"
#include "host/parallel.hpp"
#include "kernels/common/error.hpp"
#include "kernels/mmse_solve.hpp"

namespace eyesweep {
namespace {

// |H_ffe(theta)| of a combination, theta = 2 pi f T, is even and 2 pi-periodic: a cosine
// series. It is sampled at kSeriesSamples points of the period; the series keeps the terms
// that make every combination's dropped tail below kSeriesTolerance of its mean, and is used
// only when that takes at most kMaxSeriesTerms terms (smooth |H_ffe|: c(0) > 1/2 keeps it
// away from zero, and the 802.3ck grids, where |H_ffe| >= 2 c(0) - 1 = 0.08, need under 60);
// otherwise the crosstalk integral is the script's direct sum. A tail of 1e-6 of the mean is
// a relative error of at most 1e-6 in the FEXT term.
constexpr int kSeriesSamples = 256;
constexpr int kMaxSeriesTerms = 120;
constexpr double kSeriesTolerance = 1e-6;
constexpr std::size_t kMaxSeriesBytes = std::size_t{1} << 30;  // coefficients of a whole grid

/// a_0 .. a_{Q/2} of |H_ffe(theta)| for taps c: |H|^2 = sum_d r_d cos(d theta).
std::vector<double> ffe_magnitude_series(const double* c, std::size_t num_taps, const std::vector<double>& cos_table) {
  constexpr int half = kSeriesSamples / 2;
  std::vector<double> r(num_taps, 0.0);
  for (std::size_t d = 0; d < num_taps; ++d) {
    for (std::size_t k = 0; k + d < num_taps; ++k) r[d] += c[k] * c[k + d];
    if (d > 0) r[d] *= 2.0;
  }
  // cos_table[m * Q + q] = cos(2 pi m q / Q); g_q for q = 0 .. Q/2 (even: the rest mirrors)
  std::vector<double> g(half + 1);
  for (int q = 0; q <= half; ++q) {
    double h2 = 0.0;
    for (std::size_t d = 0; d < num_taps; ++d) h2 += r[d] * cos_table[d * kSeriesSamples + static_cast<std::size_t>(q)];
    g[static_cast<std::size_t>(q)] = std::sqrt(std::max(h2, 0.0));
  }
  std::vector<double> a(half + 1);
  for (int m = 0; m <= half; ++m) {
    // sum over the whole period, folded: q and Q - q contribute alike
    double sum = g[0] + g[half] * cos_table[static_cast<std::size_t>(m) * kSeriesSamples + half];
    for (int q = 1; q < half; ++q) sum += 2.0 * g[static_cast<std::size_t>(q)] * cos_table[static_cast<std::size_t>(m) * kSeriesSamples + q];
    a[static_cast<std::size_t>(m)] = sum / kSeriesSamples * (m == 0 || m == half ? 1.0 : 2.0);
  }
  return a;
}

}  // namespace

std::string fast_engine_limitation(const ComConfig& spec, FastEngine engine) {
  const FloatingTaps& ft = spec.floating;
  if (ft.N_bg > 0 && engine == FastEngine::cuda) {
    return "floating DFE tap groups (N_bg = " + std::to_string(ft.N_bg) +
           ") are searched by the reference and cpu engines only, not by cuda";
  }
  if (ft.N_bg > 0 && (ft.N_f - spec.N_b < ft.N_bf || ft.N_f - spec.N_b > search::kMaxFloatingSpan ||
                      ft.N_bg * ft.N_bf > search::kMaxFloatingTaps)) {
    return "floating DFE tap groups need N_bf <= N_f - N_b <= " + std::to_string(search::kMaxFloatingSpan) +
           " and N_bg x N_bf <= " + std::to_string(search::kMaxFloatingTaps) + " in the fast engines";
  }
  if (spec.rx_ffe.enabled() && spec.rx_ffe.num_taps() > search::kMaxRxFfeTaps) {
    return "the Rx FFE has " + std::to_string(spec.rx_ffe.num_taps()) + " taps; the fast engines take at most " +
           std::to_string(search::kMaxRxFfeTaps) + " Rx FFE taps";
  }
  if (spec.rx_ffe.enabled() && spec.N_b > search::kMaxMmseDfeTaps) {
    return "N_b = " + std::to_string(spec.N_b) + " DFE taps beside an Rx FFE; the fast engines take at most " +
           std::to_string(search::kMaxMmseDfeTaps);
  }
  if (spec.rx_ffe.enabled() && spec.rx_ffe.solver != RxFfeSolver::mmse) {
    return "the Rx FFE by pulse-response zero forcing (rx_ffe_solver = \"przf\") is searched by the reference "
           "engine only";
  }
  if (spec.c2m.constrains_search()) {
    return "Min_VEO_Test (the search scoring each point by its C2M eye) is searched by the reference engine only; "
           "use --backend reference";
  }
  if (spec.sample_adjustment_lo != 0 || spec.sample_adjustment_hi != 0) {
    return "sample_adjustment (sampling points around the cursor rule's) is searched by the reference engine only";
  }
  const TxGrid tx = build_tx_grid(spec);
  if (tx.num_taps > static_cast<std::size_t>(search::kMaxTaps)) {
    return "the Tx FFE spans " + std::to_string(tx.num_taps) + " taps; the fast engines take at most " +
           std::to_string(search::kMaxTaps);
  }
  if (tx.num_combinations() == 0) return "no Tx FFE combination satisfies c(0) >= " + std::to_string(spec.c0_min);
  return {};
}

SearchGrid::SearchGrid(const ComConfig& spec, CrosstalkSum crosstalk, FastEngine engine)
    : tx_(build_tx_grid(spec)), ctle_(build_ctle_grid(spec)) {
  if (const std::string why = fast_engine_limitation(spec, engine); !why.empty()) {
    throw InputError(spec.source + ": " + why);
  }
  const std::size_t n_tx = tx_.num_combinations(), n_taps = tx_.num_taps;
  taps_.assign(tx_.taps.begin(), tx_.taps.end());
  double abs_sum_max = 0.0;
  for (std::size_t x = 0; x < n_tx; ++x) {
    double sum = 0.0;
    for (std::size_t k = 0; k < n_taps; ++k) sum += std::abs(static_cast<double>(taps_[x * n_taps + k]));
    abs_sum_max = std::max(abs_sum_max, sum);
  }
  tap_abs_sum_max_ = static_cast<float>(abs_sum_max);

  std::vector<double> cos_table(static_cast<std::size_t>(kSeriesSamples / 2 + 1) * kSeriesSamples);
  for (std::size_t m = 0; m <= kSeriesSamples / 2; ++m) {
    for (std::size_t q = 0; q < kSeriesSamples; ++q) {
      cos_table[m * kSeriesSamples + q] =
          std::cos(2.0 * std::numbers::pi * static_cast<double>((m * q) % kSeriesSamples) / kSeriesSamples);
    }
  }
  // Two passes over the combinations (in parallel): the terms every one needs, then the
  // coefficients straight into place; the series is dropped for the direct sum when its
  // coefficients would pass kMaxSeriesBytes.
  const auto terms_needed = [&](const std::vector<double>& a) {  // the fewest with a small tail
    double tail = 0.0;
    int needed = static_cast<int>(a.size());
    while (needed > 1 && tail + std::abs(a[static_cast<std::size_t>(needed - 1)]) <= kSeriesTolerance * a[0]) {
      tail += std::abs(a[static_cast<std::size_t>(needed - 1)]);
      --needed;
    }
    return needed;
  };
  const unsigned threads = worker_count(0, n_tx / 256 + 1);
  std::vector<int> worker_terms(threads, 1);
  if (crosstalk == CrosstalkSum::automatic) {
    parallel_chunks(n_tx, 256, threads, [&](std::size_t first, std::size_t last, unsigned worker) {
      for (std::size_t x = first; x < last && worker_terms[worker] <= kMaxSeriesTerms; ++x) {
        worker_terms[worker] = std::max(worker_terms[worker], terms_needed(ffe_magnitude_series(tx_.combination(x), n_taps, cos_table)));
      }
    });
  }
  const int terms = *std::max_element(worker_terms.begin(), worker_terms.end());
  const bool fits = n_tx * static_cast<std::size_t>(terms) * sizeof(double) <= kMaxSeriesBytes;
  if (crosstalk == CrosstalkSum::automatic && terms <= kMaxSeriesTerms && fits) {
    fext_terms_ = terms;
    fext_coeff_.resize(n_tx * static_cast<std::size_t>(terms));
    parallel_chunks(n_tx, 256, threads, [&](std::size_t first, std::size_t last, unsigned) {
      for (std::size_t x = first; x < last; ++x) {
        const std::vector<double> a = ffe_magnitude_series(tx_.combination(x), n_taps, cos_table);
        std::copy_n(a.begin(), terms, fext_coeff_.begin() + static_cast<std::ptrdiff_t>(x * static_cast<std::size_t>(terms)));
      }
    });
  }

  switch (spec.cursor_rule) {
    case CursorRule::mueller_muller: anchor_ = search::Anchor::mueller_muller; break;
    case CursorRule::peak: anchor_ = search::Anchor::peak; break;
    case CursorRule::max_slope_step: anchor_ = search::Anchor::max_slope_step; break;
  }
  // The DFE spans the floating groups' reach too; taps no group lands on correct nothing.
  b_max_ = spec.b_max;
  b_min_ = spec.b_min;
  b_max_.resize(static_cast<std::size_t>(dfe_span(spec)), 0.0);
  b_min_.resize(static_cast<std::size_t>(dfe_span(spec)), 0.0);
  tail_start_ = spec.floating.N_tail_start;
  tail_rss_max_ = spec.floating.B_float_RSS_MAX;
  if (spec.floating.N_bg > 0) {
    floating_ = {spec.floating.N_bg, spec.floating.N_bf, spec.N_b + 1, spec.floating.N_f, spec.floating.bmaxg};
  }
}

search::RecordShape SearchGrid::record_shape() const {
  search::RecordShape r;
  r.num_taps = static_cast<int>(tx_.num_taps);
  r.first_offset = tx_.first_offset;
  r.tap_abs_sum_max = tap_abs_sum_max_;
  r.dfe_taps = static_cast<int>(b_max_.size());
  r.fext_terms = fext_terms_;
  return r;
}

search::GridView SearchGrid::view() const {
  search::GridView g;
  g.num_taps = static_cast<int>(tx_.num_taps);
  g.num_tx = static_cast<long long>(tx_.num_combinations());
  g.taps = taps_.data();
  g.taps_exact = tx_.taps.data();
  g.fext_terms = fext_terms_;
  g.fext_coeff = fext_coeff_.empty() ? nullptr : fext_coeff_.data();
  g.tap_abs_sum_max = tap_abs_sum_max_;
  g.anchor = anchor_;
  g.b1 = b_max_.empty() ? 0.0 : b_max_[0];
  g.dfe_taps = static_cast<int>(b_max_.size());
  g.b_max = b_max_.data();
  g.b_min = b_min_.data();
  g.tail_start = tail_start_;
  g.tail_rss_max = tail_rss_max_;
  g.floating = floating_;
  return g;
}

PreparedVariant::PreparedVariant(ComConfig cfg, const std::vector<LoadedChannel>& channels, const SearchGrid& grid)
    : cfg_(std::move(cfg)) {
  ES_EXPECTS(cfg_.package_cases.size() == 1, "a variant has one package case");
  responses_ = prepare_case(cfg_, channels, 0);
  evaluator_ = std::make_unique<FomEvaluator>(responses_, cfg_, grid.tx());
  const TxGrid& tx = grid.tx();
  const int N = static_cast<int>(responses_.thru.impulse.size());
  const int M = cfg_.M;
  view_.N = N;
  view_.M = M;
  for (std::size_t k = 0; k < tx.num_taps; ++k) {
    view_.offset[k] = (tx.first_offset + static_cast<int>(k)) * M;
  }
  view_.full_lo = static_cast<int>(evaluator_->peak_window_lo());
  view_.full_hi = static_cast<int>(evaluator_->peak_window_hi());
  const double sx = sigma_x(cfg_.L);
  view_.as_per_cursor = cfg_.R_LM / (cfg_.L - 1);
  view_.sx2 = sx * sx;
  view_.tx_noise_per_cursor = std::pow(10.0, -cfg_.SNR_TX_dB / 20.0);
  view_.jitter_scale2 = (cfg_.A_DD_UI * cfg_.A_DD_UI + cfg_.sigma_RJ_UI * cfg_.sigma_RJ_UI) * sx * sx * (M / 2.0) * (M / 2.0);
  view_.xt_scale = evaluator_->crosstalk_scale();
  view_.n_xt = static_cast<int>(evaluator_->crosstalk_frequencies());
  view_.lag_cos = evaluator_->lag_cos().data();

  // Every setting of the grid shares its poles and zeros (build_ctle_grid), hence the power
  // terms whose integrals give each record's noise and crosstalk fields.
  ES_EXPECTS(!grid.ctle().empty(), "a CTLE grid of at least one setting");
  const CtleSetting& poles = grid.ctle().front();
  for (const CtleSetting& s : grid.ctle()) ES_EXPECTS(ctle::same_poles(s, poles), "one pole set per CTLE grid");
  const ctle::SpectrumView spectrum = evaluator_->spectrum();
  const auto n_xt = static_cast<std::size_t>(spectrum.n_xt);
  power_fext_.resize(ctle::kPowerTerms * n_xt);
  for (int i = 0; i < spectrum.n_f; ++i) {
    const ctle::PowerFrequencyTerms terms = ctle::power_frequency_terms(spectrum, poles, i);
    power_integrals_.add(terms);
    if (i >= spectrum.n_xt) continue;
    for (std::size_t k = 0; k < ctle::kPowerTerms; ++k) power_fext_[k * n_xt + static_cast<std::size_t>(i)] = terms.fext[k];
  }
  if (grid.fext_terms() > 0) {  // term-major cosines: each moment is one contiguous dot product
    std::vector<double> series_cos(static_cast<std::size_t>(grid.fext_terms()) * n_xt);
    for (std::size_t i = 0; i < n_xt; ++i) {
      search::series_cosines(std::cos(2.0 * std::numbers::pi * responses_.f_GHz[i] / cfg_.f_b_GBd), grid.fext_terms(),
                             series_cos.data() + i, static_cast<long long>(n_xt));
    }
    for (int m = 0; m < grid.fext_terms(); ++m) {
      for (int k = 0; k < ctle::kPowerTerms; ++k) {
        power_moments_.push_back(search::power_moment(series_cos.data(), power_fext_.data(), spectrum.n_xt, m, k));
      }
    }
  }
}

search::TableSource PreparedVariant::table_source() const {
  search::TableSource s;
  s.view = view_;
  s.impulse = responses_.thru.impulse.data();
  s.spectrum = evaluator_->spectrum();
  s.f_b_GBd = cfg_.f_b_GBd;
  s.sample_rate_GHz = cfg_.f_b_GBd * cfg_.M;
  s.eta_0_V2_per_GHz = cfg_.eta_0_V2_per_GHz;
  return s;
}

void PreparedVariant::fill_record(const SearchGrid& grid, const search::TableLayout& layout, const CtleSetting& ctle,
                                  const std::vector<double>& p, float* floats, double* doubles, int* ints) const {
  const int N = view_.N, M = view_.M, pad = layout.pulse_pad;
  ES_EXPECTS(static_cast<int>(p.size()) == N && N <= layout.pulse_len, "pulse longer than the layout's");
  const search::RecordShape shape = grid.record_shape();
  thread_local std::vector<double> extended;
  extended.resize(static_cast<std::size_t>(N + 2 * pad));
  for (int i = -pad; i < N + pad; ++i) extended[static_cast<std::size_t>(i + pad)] = search::extended_sample(p.data(), N, i);
  const double* pulse = extended.data() + pad;
  const search::TapSamples samples{pulse, view_, shape.num_taps};

  std::fill_n(floats, layout.floats(), 0.0f);
  std::fill_n(doubles, layout.doubles(), 0.0);
  std::fill_n(ints, layout.ints(), 0);
  for (int i = -pad; i < N + pad; ++i) search::fill_pulse_sample(layout, pulse, floats, i);
  search::fill_peak_fields(layout, shape, samples, floats, ints);
  ES_EXPECTS(layout.gram == shape.num_taps * (shape.num_taps + 1) / 2, "the layout's Gram size is the grid's");
  const bool dispatched = search::dispatch_taps(shape.num_taps, [&]<int kTaps>() {
    for (int r = 0; r < std::min(M, ints[search::kBlockLen]); ++r) {
      search::fill_isi_phase<kTaps>(layout, samples, shape.dfe_taps, ints, doubles, r);
    }
    for (int r = 0; r < M; ++r) search::fill_jitter_phase<kTaps>(layout, samples, doubles, ints, r);
  });
  ES_EXPECTS(dispatched, "Tx tap count outside the fast engines' range");

  // Crosstalk: cosine moments of the FEXT spectrum (series form) or the spectrum itself.
  const search::PowerSource power{power_integrals_, shape.fext_terms > 0 ? power_moments_.data() : power_fext_.data(),
                                  view_.n_xt};
  search::fill_crosstalk(layout, shape, power, ctle::Response(ctle), cfg_.eta_0_V2_per_GHz, doubles);
}

search::TableLayout table_layout(const SearchGrid& grid, int samples_per_ui, int pulse_len, int max_xt_frequencies) {
  search::TableLayout t;
  const int n_taps = static_cast<int>(grid.tx().num_taps);
  t.pulse_len = pulse_len;
  t.pulse_pad = std::max(std::abs(grid.tx().first_offset), grid.tx().first_offset + n_taps - 1) * samples_per_ui;
  t.M = samples_per_ui;
  t.block_len = (n_taps + 7) * samples_per_ui;  // (o_max - o_min + 8) UI, see fill_record
  t.gram = n_taps * (n_taps + 1) / 2;
  t.fext_len = grid.fext_terms() > 0 ? grid.fext_terms() : max_xt_frequencies;
  return t;
}

search::TableLayout table_layout(const SearchGrid& grid, const std::vector<const PreparedVariant*>& variants) {
  int pulse_len = 1, max_xt = 0;
  for (const PreparedVariant* v : variants) {
    pulse_len = std::max(pulse_len, v->pulse_length());
    max_xt = std::max(max_xt, v->crosstalk_frequencies());
  }
  return table_layout(grid, variants.empty() ? 1 : variants.front()->config().M, pulse_len, max_xt);
}

}  // namespace eyesweep
