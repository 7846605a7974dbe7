// The CPU engine's MMSE Rx FFE search; see mmse_search.hpp. Notation of rx_ffe_mmse.cpp:
// N_w FFE taps (pre before the main one), N_b DFE taps, h the UI samples of the Tx-equalised
// pulse at the cursor's phase.
#include "host/mmse_search.hpp"

#include <algorithm>
#include <cmath>

#include "host/com_pdf.hpp"
#include "host/fom_search.hpp"
#include "host/parallel.hpp"
#include "kernels/common/error.hpp"
#include "kernels/search_point.hpp"

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

/// x mod n in [0, n).
inline std::ptrdiff_t wrap(std::ptrdiff_t x, std::ptrdiff_t n) { return ((x % n) + n) % n; }

}  // namespace

/// What one CTLE setting fixes. P tap pairs (search::gram_index order), N_w lags, M phases,
/// G FEXT aggressors.
struct MmseSearch::Tables {
  std::vector<double> pulse;        ///< the CTLE'd victim pulse p(s mod N), -pad <= s < N + pad
  std::vector<double> hh;           ///< [M][P][N_w]: the victim's UI samples' autocorrelation
  std::vector<float> jitter;        ///< [M][P][N_w]: R_jn per cursor phase (slopes before N)
  std::vector<int> jitter_edge;     ///< [M]: the first late sample past N if it is N or N + 1 and
                                    ///< the slopes have room (< num_ui_RXFF_noise), else -1
  std::vector<double> base_noise;   ///< [M][N_w]: R_rn + R_tn(phase) + NEXT
  std::vector<double> fext_energy;  ///< [G][P][M]: each aggressor's UI-sample energy per phase
  std::vector<float> fext_acf;      ///< [G][M][P][N_w]: sigma_X^2 x its autocorrelation per phase
};

/// A worker's scratch.
struct MmseSearch::Scratch {
  std::vector<double> hh, window, noise, energy;
  MmseSolver solver;
  Scratch(int nw, int nb, int M)
      : hh(static_cast<std::size_t>(nw)), window(static_cast<std::size_t>(nw + nb)), noise(static_cast<std::size_t>(nw)),
        energy(static_cast<std::size_t>(M)), solver(nw, nb) {}
};

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
  const int pad = table_layout(grid, M, N, variant.crosstalk_frequencies()).pulse_pad;
  const std::size_t block = static_cast<std::size_t>(M) * static_cast<std::size_t>(pairs * nw);

  // The MMSE tables of each CTLE setting, from the context the peak tables are built from
  // (one context per setting: making one is the costly part of the tables).
  tables_.resize(grid.ctle().size());
  const auto fill_tables = [&](std::size_t, std::size_t ci, const CtleContext& context) {
    std::vector<double> acc;
    PairAcf ffe_acf(grid.tx().first_offset, taps, nw), ffe_energy(grid.tx().first_offset, taps, 1);
    const RxFfeNoiseContext& noise = context.rx_ffe_noise;
    const std::vector<double>& p = context.pulse;
    ES_EXPECTS(static_cast<int>(p.size()) == N, "pulse length differs from the variant's");
    Tables& t = tables_[ci];
    t.pulse.resize(static_cast<std::size_t>(N + 2 * pad));
    for (int s = -pad; s < N + pad; ++s) t.pulse[static_cast<std::size_t>(s + pad)] = p[static_cast<std::size_t>(wrap(s, N))];
    // A pulse at position `first` and i UI later, circularly.
    const auto chain = [M](const std::vector<double>& pulse, int start) {
      const auto n = static_cast<std::ptrdiff_t>(pulse.size());
      return [&pulse, start, n, M](int i) {
        return pulse[static_cast<std::size_t>(wrap(start + static_cast<std::ptrdiff_t>(i) * M, n))];
      };
    };
    t.hh.assign(block, 0.0);
    acc.assign(block, 0.0);
    t.jitter_edge.assign(static_cast<std::size_t>(M), -1);
    t.base_noise.assign(static_cast<std::size_t>(M * nw), 0.0);
    for (int r = 0; r < M; ++r) {
      const int len = (N - r + M - 1) / M;  // ui_samples(pulse, r, M, N)
      ffe_acf.add(chain(p, r), len, 1.0, t.hh.data() + static_cast<std::size_t>(r * pairs * nw));
      // Jitter slopes of a cursor at phase r: late samples from 1-based mod(t_s, M) (+ M
      // when <= 1), those before N here, the one just past it per point.
      int phase = (r + 1) % M;
      if (phase <= 1) phase += M;
      const int before_end = phase < N ? (N - phase + M - 1) / M : 0;
      const int slopes = std::min(before_end, noise_ui);
      const auto late = chain(p, phase), early = chain(p, phase - 2);
      ffe_acf.add([&](int i) { return late(i) - early(i); }, slopes, jitter_scale,
                  acc.data() + static_cast<std::size_t>(r * pairs * nw));
      const int edge = phase + before_end * M;
      if (before_end < noise_ui && edge <= N + 1) t.jitter_edge[static_cast<std::size_t>(r)] = edge;
      for (int k = 0; k < nw; ++k) {
        t.base_noise[static_cast<std::size_t>(r * nw + k)] =
            noise.rx_acf[static_cast<std::size_t>(k)] + noise.tx_acf[static_cast<std::size_t>(r * nw + k)] +
            noise.next_acf[static_cast<std::size_t>(k)];
      }
    }
    t.jitter.assign(acc.begin(), acc.end());

    // FEXT aggressors: the first num_ui_RXFF_noise UI samples of each phase.
    const std::size_t G = noise.fext_pulses.size();
    t.fext_energy.assign(G * static_cast<std::size_t>(pairs * M), 0.0);
    acc.assign(G * block, 0.0);
    for (std::size_t g = 0; g < G; ++g) {
      const std::vector<double>& f = noise.fext_pulses[g];
      const int n = static_cast<int>(f.size());
      std::vector<double> lag0(static_cast<std::size_t>(pairs));
      for (int m = 0; m < M; ++m) {
        const int len = m < n ? std::min(noise_ui, (n - m + M - 1) / M) : 0;
        std::fill(lag0.begin(), lag0.end(), 0.0);
        ffe_energy.add(chain(f, m), len, 1.0, lag0.data());
        for (int pr = 0; pr < pairs; ++pr) {
          t.fext_energy[(g * static_cast<std::size_t>(pairs) + static_cast<std::size_t>(pr)) * static_cast<std::size_t>(M) +
                        static_cast<std::size_t>(m)] = lag0[static_cast<std::size_t>(pr)];
        }
        ffe_acf.add(chain(f, m), len, sx2, acc.data() + g * block + static_cast<std::size_t>(m * pairs * nw));
      }
    }
    t.fext_acf.assign(acc.begin(), acc.end());
  };
  peak_tables_ = build_tables({&variant}, grid, threads, fill_tables);
  ES_EXPECTS(peak_tables_.layout.pulse_pad == pad, "the peak tables' layout is the one the MMSE tables assumed");
}

MmseSearch::~MmseSearch() = default;

std::size_t MmseSearch::table_bytes() const {
  std::size_t bytes = peak_tables_.bytes_per_variant();
  for (const Tables& t : tables_) {
    bytes += (t.pulse.size() + t.hh.size() + t.base_noise.size() + t.fext_energy.size()) * sizeof(double) +
             (t.jitter.size() + t.fext_acf.size()) * sizeof(float) + t.jitter_edge.size() * sizeof(int);
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------
// One grid point

template <int kTaps>
search::PointScore MmseSearch::score_point(std::size_t ctle, std::size_t tx, Scratch& scratch) const {
  constexpr int kPairs = kTaps * (kTaps + 1) / 2;
  const search::PointScore invalid{-INFINITY, -1};
  const ComConfig& cfg = variant_.config();
  const search::VariantView& v = variant_.view();
  const search::GridView& g = grid_view_;
  const search::CtleView view = peak_tables_.record(0, ctle);
  const Tables& t = tables_[ctle];
  const int M = v.M, N = v.N, nw = cfg.rx_ffe.num_taps(), nb = cfg.N_b;
  const int pad = peak_tables_.layout.pulse_pad;

  // The cursor: the fast engines' rule on the float pulse.
  search::EqualizedPulse<kTaps> sampler;
  sampler.pulse = view.pulse;
  for (int k = 0; k < kTaps; ++k) {
    sampler.offset[k] = v.offset[k];
    sampler.tap[k] = g.taps[static_cast<std::ptrdiff_t>(tx) * kTaps + k];
  }
  float peak_value = 0.0f;
  const int peak = search::find_peak(sampler, v, view, peak_value);
  const int cursor = search::find_cursor(sampler, g, v, peak, peak_value);
  if (cursor < 0) return invalid;

  const double* c = grid_.tx().combination(tx);
  double cc[kPairs];
  for (int a = 0, pr = 0; a < kTaps; ++a) {
    for (int b = a; b < kTaps; ++b) cc[pr++] = c[a] * c[b];
  }
  // out[k] (+)= sum over pairs of cc x table[pair][k], k < n: eight lags at a time, summed in
  // registers.
  const auto contract = [&](const auto* table, int n, double* out, bool add) {
    int k0 = 0;
    for (; k0 + 8 <= n; k0 += 8) {
      double sum[8] = {};
      for (int pr = 0; pr < kPairs; ++pr) {
        const auto* row = table + static_cast<std::ptrdiff_t>(pr) * n + k0;
        for (int i = 0; i < 8; ++i) sum[i] += cc[pr] * static_cast<double>(row[i]);
      }
      for (int i = 0; i < 8; ++i) out[k0 + i] = (add ? out[k0 + i] : 0.0) + sum[i];
    }
    for (; k0 < n; ++k0) {
      double sum = 0.0;
      for (int pr = 0; pr < kPairs; ++pr) sum += cc[pr] * static_cast<double>(table[static_cast<std::ptrdiff_t>(pr) * n + k0]);
      out[k0] = (add ? out[k0] : 0.0) + sum;
    }
  };
  const double* pulse = t.pulse.data() + pad;  // p(s mod N) for -pad <= s < N + pad
  const auto y = [&](int s) {                  // the equalised pulse in double, 0 <= s < N
    double sum = 0.0;
    for (int k = 0; k < kTaps; ++k) sum += c[k] * pulse[s - v.offset[k]];
    return sum;
  };

  const int r = cursor % M, u = cursor / M, samples = (N - r + M - 1) / M;
  const std::ptrdiff_t block = static_cast<std::ptrdiff_t>(kPairs) * nw;
  double* hh = scratch.hh.data();
  contract(t.hh.data() + r * block, nw, hh, false);
  const int post = cfg.rx_ffe.post_taps;
  for (int i = 0; i < nw + nb; ++i) {
    const int n = u - post + i;
    scratch.window[static_cast<std::size_t>(i)] = n >= 0 && n < samples ? y(r + n * M) : 0.0;
  }

  // R_n = R_rn + R_tn(phase) + NEXT + FEXT (each aggressor at its worst phase) + R_jn.
  double* noise = scratch.noise.data();
  contract(t.jitter.data() + r * block, nw, noise, false);
  if (const int edge = t.jitter_edge[static_cast<std::size_t>(r)]; edge >= 0 && edge < cursor + 1 + M * (nb + 1)) {
    // The zero padding reaches one more slope, -(M / 2) y(edge - 2): its products with the
    // last N_w - 1 slopes before it.
    const double scale = v.sx2 * (cfg.A_DD_UI * cfg.A_DD_UI + cfg.sigma_RJ_UI * cfg.sigma_RJ_UI);
    const double last = -y(edge - 2) * M / 2.0;
    for (int k = 0; k < nw; ++k) {
      const int late = edge - k * M;
      if (k > 0 && late - 2 < 0) break;
      const double slope = k == 0 ? last : (y(late) - y(late - 2)) * M / 2.0;
      noise[k] += scale * last * slope;
    }
  }
  const double* base = t.base_noise.data() + static_cast<std::ptrdiff_t>(r) * nw;
  for (int k = 0; k < nw; ++k) noise[k] += base[k];
  const std::size_t fext = t.fext_energy.size() / static_cast<std::size_t>(kPairs * M);
  double* energy = scratch.energy.data();
  for (std::size_t a = 0; a < fext; ++a) {
    contract(t.fext_energy.data() + a * static_cast<std::size_t>(kPairs * M), M, energy, false);
    int worst = 0;
    double worst_energy = -1.0;
    for (int m = 0; m < M; ++m) {
      if (energy[m] > worst_energy) {
        worst_energy = energy[m];
        worst = m;
      }
    }
    const float* table = t.fext_acf.data() + a * static_cast<std::size_t>(M) * static_cast<std::size_t>(block) +
                         static_cast<std::size_t>(worst) * static_cast<std::size_t>(block);
    contract(table, nw, noise, true);
  }

  ReducedMmseProblem problem;
  problem.hh = scratch.hh;
  problem.window = scratch.window;
  problem.noise_acf = scratch.noise;
  problem.ffe = &cfg.rx_ffe;
  problem.b_min = cfg.b_min;
  problem.b_max = cfg.b_max;
  problem.sigma_x2 = v.sx2;
  problem.samples_after_cursor = static_cast<std::size_t>(samples - 1 - u);
  MmseSolver& solver = scratch.solver;
  if (!solver.solve(problem)) return invalid;

  // sigma_e^2 in volts: the residual ISI and w^T toeplitz(R_n) w.
  const std::span<const double> w = solver.taps();
  double total = solver.isi_V2();
  for (int k = 0; k < nw; ++k) {
    double rho = 0.0;
    for (int i = 0; i + k < nw; ++i) rho += w[static_cast<std::size_t>(i)] * w[static_cast<std::size_t>(i + k)];
    total += (k == 0 ? 1.0 : 2.0) * rho * noise[k];
  }
  const double A_s = v.as_per_cursor * solver.cursor_V();
  return {20.0 * std::log10(A_s / std::sqrt(total)), cursor};
}

search::PointScore MmseSearch::score(std::size_t ctle, std::size_t tx) const {
  const ComConfig& cfg = variant_.config();
  Scratch scratch(cfg.rx_ffe.num_taps(), cfg.N_b, cfg.M);
  search::PointScore out{-INFINITY, -1};
  const bool dispatched = search::dispatch_taps(static_cast<int>(grid_.tx().num_taps),
                                                [&]<int kTaps>() { out = score_point<kTaps>(ctle, tx, scratch); });
  ES_EXPECTS(dispatched, "Tx tap count outside the fast engines' range");
  return out;
}

std::vector<GridPointScore> MmseSearch::search(unsigned threads, std::size_t keep, std::size_t first,
                                               std::size_t last) const {
  const ComConfig& cfg = variant_.config();
  const std::size_t n_tx = grid_.tx().num_combinations();
  last = std::min(last, grid_.points());
  if (first >= last) return {};
  const std::size_t total = last - first;
  constexpr std::size_t kChunk = 1024;
  const unsigned workers = worker_count(threads, total / kChunk + 1);
  std::vector<BestPoints> best(workers, BestPoints(keep));
  std::vector<Scratch> scratch(workers, Scratch(cfg.rx_ffe.num_taps(), cfg.N_b, cfg.M));
  parallel_chunks(total, kChunk, workers, [&](std::size_t lo, std::size_t hi, unsigned worker) {
    Scratch& local = scratch[worker];
    BestPoints& mine = best[worker];
    const bool dispatched = search::dispatch_taps(static_cast<int>(grid_.tx().num_taps), [&]<int kTaps>() {
      for (std::size_t flat = first + lo; flat < first + hi; ++flat) {
        const search::PointScore s = score_point<kTaps>(flat / n_tx, flat % n_tx, local);
        if (std::isfinite(s.fom_dB) && s.fom_dB >= mine.threshold()) mine.offer(s.fom_dB, flat / n_tx, flat % n_tx);
      }
    });
    ES_EXPECTS(dispatched, "Tx tap count outside the fast engines' range");
  });
  for (std::size_t w = 1; w < best.size(); ++w) best[0].merge(best[w]);
  return best[0].sorted();
}

}  // namespace eyesweep
