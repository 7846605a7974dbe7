// The MMSE Rx FFE search's tables and the CPU engine's search; see mmse_search.hpp. Notation
// of rx_ffe_mmse.cpp: N_w FFE taps (pre before the main one), N_b DFE taps, h the UI samples of
// the Tx-equalised pulse at the cursor's phase.
#include "host/mmse_search.hpp"

#include <algorithm>
#include <cmath>

#include "host/com_pdf.hpp"
#include "host/fom_search.hpp"
#include "host/parallel.hpp"
#include "host/windowed_pulse.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {

namespace {

/// The tap-pair autocorrelations of a Tx-equalised UI sequence. Tap a (at UI offset
/// o_a = o_min + a) brings q_a(j) = G(j - o_a), j < len, where G(i) is the unequalised pulse
/// at the sequence's phase and i UI later, circularly (as CircularFfe shifts the pulse), so
/// the autocorrelation of sum_a c_a q_a at lag k is sum over pairs a <= b of c_a c_b S_ab(k),
/// S_ab(k) = sum_j q_a(j) q_b(j + k) (+ the same with a and b swapped when a != b)
///         = sum_{i = -o_a}^{len - 1 - k - o_a} G(i) G(i + k + o_a - o_b):
/// windows of G's own products at a few lags, read off prefix sums (one pass per lag instead
/// of one per pair and lag).
class PairAcf {
 public:
  PairAcf(int first_offset, int taps, int lags) : o_min_(first_offset), taps_(taps), lags_(lags) {}

  /// Adds scale x S_ab(k) to out[pair x lags + k] (pairs a <= b in search::gram_index order).
  template <typename T, typename Chain>
  void add(const Chain& G, int len, double scale, T* out) {
    if (len <= 0) return;
    const int o_max = o_min_ + taps_ - 1;
    const int l_min = o_min_ - o_max, l_max = lags_ - 1 + o_max - o_min_;
    const int i_lo = -o_max, i_hi = len - 1 - o_min_, span = i_hi - i_lo + 1;
    const int g_min = i_lo + l_min, g_max = i_hi + l_max;
    g_.resize(static_cast<std::size_t>(g_max - g_min + 1));
    for (int i = g_min; i <= g_max; ++i) g_[static_cast<std::size_t>(i - g_min)] = G(i);
    const auto stride = static_cast<std::size_t>(span + 1);
    prefix_.resize(static_cast<std::size_t>(l_max - l_min + 1) * stride);
    for (int L = l_min; L <= l_max; ++L) {
      double* P = prefix_.data() + static_cast<std::size_t>(L - l_min) * stride;
      const double* x = g_.data() + (i_lo - g_min);
      const double* y = x + L;
      P[0] = 0.0;
      for (int n = 0; n < span; ++n) P[n + 1] = P[n] + x[n] * y[n];
    }
    const auto window = [&](int L, int lo, int hi) {  // sum_{i = lo}^{hi} G(i) G(i + L)
      if (hi < lo) return 0.0;
      const double* P = prefix_.data() + static_cast<std::size_t>(L - l_min) * stride;
      return P[hi - i_lo + 1] - P[lo - i_lo];
    };
    int pair = 0;
    for (int a = 0; a < taps_; ++a) {
      for (int b = a; b < taps_; ++b, ++pair) {
        const int oa = o_min_ + a, ob = o_min_ + b;
        for (int k = 0; k < lags_; ++k) {
          double sum = window(k + oa - ob, -oa, len - 1 - k - oa);
          if (a != b) sum += window(k + ob - oa, -ob, len - 1 - k - ob);
          out[static_cast<std::ptrdiff_t>(pair) * lags_ + k] += static_cast<T>(scale * sum);
        }
      }
    }
  }

 private:
  int o_min_, taps_, lags_;
  std::vector<double> g_, prefix_;
};


}  // namespace

MmseSearch::MmseSearch(const PreparedVariant& variant, const SearchGrid& grid, unsigned threads)
    : variant_(variant), grid_(grid), grid_view_(grid.view()) {
  const ComConfig& cfg = variant.config();
  if (const std::string why = fast_engine_limitation(cfg, FastEngine::cpu); !why.empty()) {
    throw InputError(cfg.source + ": " + why);
  }
  ES_EXPECTS(cfg.rx_ffe.enabled(), "the MMSE search needs an Rx FFE");
  const int M = cfg.M, N = variant.pulse_length(), nw = cfg.rx_ffe.num_taps();
  const int taps = static_cast<int>(grid.tx().num_taps), pairs = taps * (taps + 1) / 2;
  const int noise_ui = cfg.rx_ffe.noise_ui;
  const double sx2 = std::pow(sigma_x(cfg.L), 2);
  const double jitter_scale = sx2 * (cfg.A_DD_UI * cfg.A_DD_UI + cfg.sigma_RJ_UI * cfg.sigma_RJ_UI) * (M / 2.0) * (M / 2.0);
  receiver_.taps = nw;
  receiver_.pre = cfg.rx_ffe.pre_taps;
  receiver_.post = cfg.rx_ffe.post_taps;
  receiver_.pre1_max = cfg.rx_ffe.pre_tap1_max;
  receiver_.post1_max = cfg.rx_ffe.post_tap1_max;
  receiver_.tapn_max = cfg.rx_ffe.tapn_max;

  search::MmseLayout& L = tables_.layout;
  L.pulse_len = N;
  L.pulse_pad = table_layout(grid, M, N, variant.crosstalk_frequencies()).pulse_pad;
  L.M = M;
  L.pairs = pairs;
  L.lags = nw;
  L.fext = static_cast<int>(std::count_if(variant.responses().aggressors.begin(), variant.responses().aggressors.end(),
                                          [](const ChannelResponse& a) { return a.kind == ChannelKind::fext; }));
  const std::size_t n_ctle = grid.ctle().size();
  tables_.doubles.assign(n_ctle * static_cast<std::size_t>(L.doubles()), 0.0);
  tables_.floats.assign(n_ctle * static_cast<std::size_t>(L.floats()), 0.0f);
  tables_.ints.assign(n_ctle * static_cast<std::size_t>(L.ints()), -1);
  const auto block = static_cast<std::size_t>(L.block());

  // The MMSE tables of each CTLE setting, from the context the peak tables are built from
  // (one context per setting: making one is the costly part of the tables).
  const auto fill_tables = [&](std::size_t, std::size_t ci, const CtleContext& context) {
    std::vector<double> acc;
    PairAcf ffe_acf(grid.tx().first_offset, taps, nw), ffe_energy(grid.tx().first_offset, taps, 1);
    const RxFfeNoiseContext& noise = context.rx_ffe_noise;
    const std::vector<double>& p = context.pulse;
    ES_EXPECTS(static_cast<int>(p.size()) == N, "pulse length differs from the variant's");
    const std::size_t G = noise.fext_pulses.size();
    ES_EXPECTS(G == static_cast<std::size_t>(L.fext), "FEXT pulses differ from the variant's FEXT aggressors");
    double* record = tables_.doubles.data() + ci * static_cast<std::size_t>(L.doubles());
    float* record_floats = tables_.floats.data() + ci * static_cast<std::size_t>(L.floats());
    int* jitter_edge = tables_.ints.data() + ci * static_cast<std::size_t>(L.ints());
    double* pulse = record + L.pulse_pad;
    double* hh = record + L.hh_at();
    double* base_noise = record + L.base_noise_at();
    double* fext_energy = record + L.fext_energy_at();
    for (int s = -L.pulse_pad; s < N + L.pulse_pad; ++s) pulse[s] = p[static_cast<std::size_t>(search::wrap_index(s, N))];
    // A pulse at position `first` and i UI later, circularly.
    const auto chain = [M](const std::vector<double>& seq, int start) {
      const auto n = static_cast<std::ptrdiff_t>(seq.size());
      return [&seq, start, n, M](int i) {
        return seq[static_cast<std::size_t>(search::wrap_index(start + static_cast<std::ptrdiff_t>(i) * M, n))];
      };
    };
    acc.assign(static_cast<std::size_t>(M) * block, 0.0);
    for (int r = 0; r < M; ++r) {
      const int len = (N - r + M - 1) / M;  // ui_samples(pulse, r, M, N)
      ffe_acf.add(chain(p, r), len, 1.0, hh + static_cast<std::size_t>(r) * block);
      // Jitter slopes of a cursor at phase r: late samples from 1-based mod(t_s, M) (+ M
      // when <= 1), those before N here, the one just past it per point.
      int phase = (r + 1) % M;
      if (phase <= 1) phase += M;
      const int before_end = phase < N ? (N - phase + M - 1) / M : 0;
      const int slopes = std::min(before_end, noise_ui);
      const auto late = chain(p, phase), early = chain(p, phase - 2);
      ffe_acf.add([&](int i) { return late(i) - early(i); }, slopes, jitter_scale,
                  acc.data() + static_cast<std::size_t>(r) * block);
      const int edge = phase + before_end * M;
      if (before_end < noise_ui && edge <= N + 1) jitter_edge[r] = edge;
      for (int k = 0; k < nw; ++k) {
        base_noise[r * nw + k] = noise.rx_acf[static_cast<std::size_t>(k)] +
                                 noise.tx_acf[static_cast<std::size_t>(r * nw + k)] +
                                 noise.next_acf[static_cast<std::size_t>(k)];
      }
    }
    std::copy(acc.begin(), acc.end(), record_floats);

    // FEXT aggressors: the first num_ui_RXFF_noise UI samples of each phase.
    acc.assign(G * static_cast<std::size_t>(M) * block, 0.0);
    std::vector<double> lag0(static_cast<std::size_t>(pairs));
    for (std::size_t g = 0; g < G; ++g) {
      const std::vector<double>& f = noise.fext_pulses[g];
      const int n = static_cast<int>(f.size());
      for (int m = 0; m < M; ++m) {
        const int len = m < n ? std::min(noise_ui, (n - m + M - 1) / M) : 0;
        std::fill(lag0.begin(), lag0.end(), 0.0);
        ffe_energy.add(chain(f, m), len, 1.0, lag0.data());
        for (int pr = 0; pr < pairs; ++pr) {
          fext_energy[(g * static_cast<std::size_t>(pairs) + static_cast<std::size_t>(pr)) * static_cast<std::size_t>(M) +
                      static_cast<std::size_t>(m)] = lag0[static_cast<std::size_t>(pr)];
        }
        ffe_acf.add(chain(f, m), len, sx2, acc.data() + (g * static_cast<std::size_t>(M) + static_cast<std::size_t>(m)) * block);
      }
    }
    std::copy(acc.begin(), acc.end(), record_floats + L.fext_acf_at());
  };
  peak_tables_ = build_tables({&variant}, grid, threads, fill_tables);
  ES_EXPECTS(peak_tables_.layout.pulse_pad == L.pulse_pad, "the peak tables' layout is the one the MMSE tables assumed");
}

MmseSearch::~MmseSearch() = default;

std::size_t MmseSearch::table_bytes() const {
  return peak_tables_.bytes_per_variant() + tables_.doubles.size() * sizeof(double) +
         tables_.floats.size() * sizeof(float) + tables_.ints.size() * sizeof(int);
}

search::PointScore MmseSearch::score(std::size_t ctle, std::size_t tx) const {
  search::PointScore out{-INFINITY, -1};
  const bool dispatched = search::dispatch_taps(grid_view_.num_taps, [&]<int kTaps>() {
    out = search::score_mmse_point<kTaps>(grid_view_, variant_.view(), peak_tables_.record(0, ctle), tables_.layout,
                                          tables_.record(ctle), receiver_, static_cast<long long>(tx));
  });
  ES_EXPECTS(dispatched, "Tx tap count outside the fast engines' range");
  return out;
}

std::vector<GridPointScore> MmseSearch::search(unsigned threads, std::size_t keep, std::size_t first,
                                               std::size_t last) const {
  const std::size_t n_tx = grid_.tx().num_combinations();
  last = std::min(last, grid_.points());
  if (first >= last) return {};
  const std::size_t total = last - first;
  constexpr std::size_t kChunk = 1024;
  const unsigned workers = worker_count(threads, total / kChunk + 1);
  std::vector<BestPoints> best(workers, BestPoints(keep));
  const search::VariantView& v = variant_.view();
  parallel_chunks(total, kChunk, workers, [&](std::size_t lo, std::size_t hi, unsigned worker) {
    BestPoints& mine = best[worker];
    const bool dispatched = search::dispatch_taps(grid_view_.num_taps, [&]<int kTaps>() {
      // The cursor from the DFE search's vectorised sampler, one per CTLE setting.
      std::size_t ctle = (first + lo) / n_tx;
      search::CtleView peak = peak_tables_.record(0, ctle);
      cpu::WindowedPulse<kTaps> y = cpu::window_around_peak<kTaps>(peak, v);
      for (std::size_t flat = first + lo; flat < first + hi; ++flat) {
        if (flat / n_tx != ctle) {
          ctle = flat / n_tx;
          peak = peak_tables_.record(0, ctle);
          y = cpu::window_around_peak<kTaps>(peak, v);
        }
        const std::size_t tx = flat % n_tx;
        y.compute(grid_view_.taps + tx * kTaps);
        const search::PointScore s = search::score_mmse_point<kTaps>(
            grid_view_, v, peak, tables_.layout, tables_.record(ctle), receiver_, static_cast<long long>(tx), y);
        if (std::isfinite(s.fom_dB) && s.fom_dB >= mine.threshold()) mine.offer(s.fom_dB, ctle, tx);
      }
    });
    ES_EXPECTS(dispatched, "Tx tap count outside the fast engines' range");
  });
  for (std::size_t w = 1; w < best.size(); ++w) best[0].merge(best[w]);
  return best[0].sorted();
}

}  // namespace eyesweep
