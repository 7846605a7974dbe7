// The figure of merit of one grid point with the MMSE Rx FFE receiver (802.3dj Annex 178A;
// com-reference.md section 3.1), from tables precomputed per (variant, CTLE setting): written
// once, called by the CPU engine's loops and by the CUDA MMSE kernel. It computes what
// FomEvaluator::evaluate computes for an Rx FFE configuration, rearranged so that a grid
// point costs a few thousand operations instead of passes over whole pulses:
//  - the equalised pulse's UI samples at a phase are linear in the Tx taps c, so everything
//    the solve needs from the whole pulse is quadratic in c: the autocorrelation hh(k) of the
//    victim's UI samples (H^T H = toeplitz(hh)), that of the jitter slopes (R_jn), and each
//    FEXT aggressor's per-phase energies (its worst phase) and autocorrelations (R_xn). Each
//    is a table per (CTLE setting, phase, lag) over the tap pairs c_a c_b (host/mmse_search.cpp
//    builds them), dotted with c_a c_b per point;
//  - h0 and Hb (the N_w + N_b UI samples around the cursor) are sampled directly;
//  - the cursor comes from the fast engines' float rule (kernels/search_point.hpp) on the
//    Tx-equalised pulse, as the DFE-only search finds it;
//  - the solve is solve_reduced_mmse (kernels/mmse_solve.hpp, double precision).
// Tables of the victim's autocorrelation and of the aggressors' phase energies are double,
// those of R_jn and R_xn float (a FOM within ~1e-5 dB of the reference's on the tests' grids).
#pragma once

#include <cmath>

#include "kernels/common/host_device.hpp"
#include "kernels/mmse_solve.hpp"
#include "kernels/search_point.hpp"

namespace eyesweep::search {

/// How the MMSE tables of one variant's CTLE settings lie in three flat arrays, one
/// fixed-size record per CTLE setting (P tap pairs in gram_index order, N_w lags, M phases,
/// G FEXT aggressors).
struct MmseLayout {
  int pulse_len = 0;  ///< N
  int pulse_pad = 0;  ///< circular extension on either side (the peak tables' pad)
  int M = 0;
  int pairs = 0;      ///< P
  int lags = 0;       ///< N_w
  int fext = 0;       ///< G

  ES_HD long long block() const { return static_cast<long long>(pairs) * lags; }  ///< one phase's table
  ES_HD long long pulse_doubles() const { return pulse_len + 2LL * pulse_pad; }
  // double record: extended pulse, hh [M][P][N_w], base noise [M][N_w], FEXT energies [G][P][M]
  ES_HD long long hh_at() const { return pulse_doubles(); }
  ES_HD long long base_noise_at() const { return hh_at() + M * block(); }
  ES_HD long long fext_energy_at() const { return base_noise_at() + static_cast<long long>(M) * lags; }
  ES_HD long long doubles() const { return fext_energy_at() + static_cast<long long>(fext) * pairs * M; }
  // float record: R_jn [M][P][N_w], R_xn [G][M][P][N_w]
  ES_HD long long fext_acf_at() const { return M * block(); }
  ES_HD long long floats() const { return fext_acf_at() + static_cast<long long>(fext) * M * block(); }
  // int record: jitter edges [M]
  ES_HD long long ints() const { return M; }
};

/// The MMSE tables of one (variant, CTLE setting).
struct MmseRecordView {
  const double* pulse = nullptr;        ///< p(s mod N) for -pad <= s < N + pad, at s = 0
  const double* hh = nullptr;           ///< [M][P][N_w]: the victim's UI samples' autocorrelation
  const double* base_noise = nullptr;   ///< [M][N_w]: R_rn + R_tn(phase) + NEXT
  const double* fext_energy = nullptr;  ///< [G][P][M]: each aggressor's UI-sample energy per phase
  const float* jitter = nullptr;        ///< [M][P][N_w]: R_jn per cursor phase (slopes before N)
  const float* fext_acf = nullptr;      ///< [G][M][P][N_w]: sigma_X^2 x its autocorrelation per phase
  /// [M]: the first late sample past N if it is N or N + 1 and the slopes have room
  /// (< num_ui_RXFF_noise), else -1
  const int* jitter_edge = nullptr;
};

/// The view of record `r`.
ES_HD inline MmseRecordView mmse_view(const MmseLayout& t, const double* doubles, const float* floats, const int* ints,
                                      long long r) {
  MmseRecordView v;
  const double* d = doubles + r * t.doubles();
  const float* f = floats + r * t.floats();
  v.pulse = d + t.pulse_pad;
  v.hh = d + t.hh_at();
  v.base_noise = d + t.base_noise_at();
  v.fext_energy = d + t.fext_energy_at();
  v.jitter = f;
  v.fext_acf = f + t.fext_acf_at();
  v.jitter_edge = ints + r * t.ints();
  return v;
}

/// out[k] (+)= sum over pairs of cc x table[pair][k], k < n: eight lags at a time, summed in
/// registers (the CPU's vector lanes).
template <int kPairs, typename T>
ES_HD inline void contract_pairs(const double* cc, const T* table, int n, double* out, bool add) {
  int k0 = 0;
  for (; k0 + 8 <= n; k0 += 8) {
    double sum[8] = {};
    for (int pr = 0; pr < kPairs; ++pr) {
      const T* row = table + static_cast<long long>(pr) * n + k0;
      for (int i = 0; i < 8; ++i) sum[i] += cc[pr] * static_cast<double>(row[i]);
    }
    for (int i = 0; i < 8; ++i) out[k0 + i] = (add ? out[k0 + i] : 0.0) + sum[i];
  }
  for (; k0 < n; ++k0) {
    double sum = 0.0;
    for (int pr = 0; pr < kPairs; ++pr) sum += cc[pr] * static_cast<double>(table[static_cast<long long>(pr) * n + k0]);
    out[k0] = (add ? out[k0] : 0.0) + sum;
  }
}

/// The MMSE FOM of Tx combination `tx` at one CTLE setting (-infinity where it gives no valid
/// receiver) and its cursor: `peak` is the setting's record of the peak search's tables,
/// `t` its MMSE tables, `sampler` the float Tx-equalised pulse of `peak` (as score_point's);
/// g.taps_exact must be set. N_w <= kMaxRxFfeTaps, N_b <= kMaxMmseDfeTaps.
template <int kTaps, typename Sampler>
ES_HD inline PointScore score_mmse_point(const GridView& g, const VariantView& v, const CtleView& peak,
                                         const MmseLayout& layout, const MmseRecordView& t, const RxFfeView& ffe,
                                         long long tx, const Sampler& sampler) {
  constexpr int kPairs = kTaps * (kTaps + 1) / 2;
  const PointScore invalid{-INFINITY, -1};
  const int M = v.M, N = v.N, nw = ffe.taps, nb = g.dfe_taps;

  // The cursor: the fast engines' rule on the float pulse.
  float peak_value = 0.0f;
  const int peak_at = find_peak(sampler, v, peak, peak_value);
  const int cursor = find_cursor(sampler, g, v, peak_at, peak_value);
  if (cursor < 0) return invalid;

  const double* c = g.taps_exact + tx * kTaps;
  double cc[kPairs];
  for (int a = 0, pr = 0; a < kTaps; ++a) {
    for (int b = a; b < kTaps; ++b) cc[pr++] = c[a] * c[b];
  }
  const auto y = [&](int s) {  // the equalised pulse in double, 0 <= s < N
    double sum = 0.0;
    for (int k = 0; k < kTaps; ++k) sum += c[k] * t.pulse[s - v.offset[k]];
    return sum;
  };

  const int r = cursor % M, u = cursor / M, samples = (N - r + M - 1) / M;
  const long long block = layout.block();
  double hh[kMaxRxFfeTaps], window[kMaxRxFfeTaps + kMaxMmseDfeTaps], noise[kMaxRxFfeTaps];
  contract_pairs<kPairs>(cc, t.hh + r * block, nw, hh, false);
  for (int i = 0; i < nw + nb; ++i) {
    const int n = u - ffe.post + i;
    window[i] = n >= 0 && n < samples ? y(r + n * M) : 0.0;
  }

  // R_n = R_rn + R_tn(phase) + NEXT + FEXT (each aggressor at its worst phase) + R_jn.
  contract_pairs<kPairs>(cc, t.jitter + r * block, nw, noise, false);
  if (const int edge = t.jitter_edge[r]; edge >= 0 && edge < cursor + 1 + M * (nb + 1)) {
    // The zero padding reaches one more slope, -(M / 2) y(edge - 2): its products with the
    // last N_w - 1 slopes before it (jitter_scale2 holds the (M / 2)^2).
    const double last = -y(edge - 2);
    for (int k = 0; k < nw; ++k) {
      const int late = edge - k * M;
      if (k > 0 && late - 2 < 0) break;
      const double slope = k == 0 ? last : y(late) - y(late - 2);
      noise[k] += v.jitter_scale2 * last * slope;
    }
  }
  const double* base = t.base_noise + static_cast<long long>(r) * nw;
  for (int k = 0; k < nw; ++k) noise[k] += base[k];
  for (int a = 0; a < layout.fext; ++a) {
    const double* energy = t.fext_energy + static_cast<long long>(a) * kPairs * M;
    int worst = 0;
    double worst_energy = -1.0;
    for (int m = 0; m < M; ++m) {
      double e = 0.0;
      for (int pr = 0; pr < kPairs; ++pr) e += cc[pr] * energy[static_cast<long long>(pr) * M + m];
      if (e > worst_energy) {
        worst_energy = e;
        worst = m;
      }
    }
    contract_pairs<kPairs>(cc, t.fext_acf + (static_cast<long long>(a) * M + worst) * block, nw, noise, true);
  }

  ReducedMmseProblem problem;
  problem.hh = hh;
  problem.window = window;
  problem.noise_acf = noise;
  problem.ffe = ffe;
  problem.dfe_taps = nb;
  problem.b_min = g.b_min;
  problem.b_max = g.b_max;
  problem.sigma_x2 = v.sx2;
  problem.samples_after_cursor = samples - 1 - u;
  MmseSolution solution;
  if (!solve_reduced_mmse(problem, solution)) return invalid;

  // sigma_e^2 in volts: the residual ISI and w^T toeplitz(R_n) w.
  const double* w = solution.taps;
  double total = solution.isi_V2;
  for (int k = 0; k < nw; ++k) {
    double rho = 0.0;
    for (int i = 0; i + k < nw; ++i) rho += w[i] * w[i + k];
    total += (k == 0 ? 1.0 : 2.0) * rho * noise[k];
  }
  const double A_s = v.as_per_cursor * solution.cursor_V;
  return {20.0 * log10(A_s / sqrt(total)), cursor};
}

/// The same, sampling the pulse directly (the GPU's way: no buffers).
template <int kTaps>
ES_HD inline PointScore score_mmse_point(const GridView& g, const VariantView& v, const CtleView& peak,
                                         const MmseLayout& layout, const MmseRecordView& t, const RxFfeView& ffe,
                                         long long tx) {
  return score_mmse_point<kTaps>(g, v, peak, layout, t, ffe, tx, equalized_pulse<kTaps>(g, v, peak, tx));
}

}  // namespace eyesweep::search
