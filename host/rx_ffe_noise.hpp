// The noise an Rx FFE sees, as the autocorrelation R_n(k) = R_rn + R_tn + R_xn + R_jn of the
// MMSE solve (802.3dj Annex 178A; com-reference.md section 3.1), in the time domain: each
// term's PSD on the 2048-UI grid is |FFT of a UI-spaced sequence|^2 / f_b, whose inverse FFT
// times f_b is that sequence's autocorrelation, so no FFT is needed (the sequences are
// zero-padded to num_ui_RXFF_noise UI, so the circular and the linear one agree).
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

#include "host/case_responses.hpp"
#include "host/com_config.hpp"
#include "host/filters.hpp"

namespace eyesweep {

/// The terms of R_n(0 .. Nw - 1) that one CTLE setting fixes (V^2).
struct RxFfeNoiseContext {
  /// R_rn: eta_0 (and the THRU's own output noise) through H_r and the CTLE, as sigma_N is
  /// integrated; R_rn(0) = sigma_N^2.
  std::vector<double> rx_acf;
  /// R_tn per sampling phase (M rows of Nw): sigma_X^2 10^(-SNR_TX/10) times the
  /// autocorrelation of the victim's UI samples after the CTLE, before the Tx FFE.
  std::vector<double> tx_acf;
  /// R_xn of the NEXT aggressors, each at its phase of largest energy.
  std::vector<double> next_acf;
  /// The FEXT aggressors' pulses after the CTLE; the victim's Tx FFE is applied per point.
  std::vector<std::vector<double>> fext_pulses;
};

/// The context of one CTLE setting; `H_ctf` on responses.f_GHz, `victim_pulse` after the CTLE.
RxFfeNoiseContext make_rx_ffe_noise_context(const ComConfig& cfg, const CaseResponses& responses,
                                            const CtleSetting& ctle, std::span<const std::complex<double>> H_ctf,
                                            const std::vector<double>& victim_pulse);

/// pulse[phase + j M] for j = 0, 1, ..., at most `count` of them.
std::vector<double> ui_samples(std::span<const double> pulse, std::size_t phase, int samples_per_ui,
                               std::size_t count);

/// sigma_X^2 times the autocorrelation (`lags` lags) of an aggressor's UI samples at its
/// phase of largest energy (the first on ties), over its first `noise_ui` UI.
std::vector<double> crosstalk_acf(std::span<const double> pulse, int samples_per_ui, std::size_t lags,
                                  std::size_t noise_ui, double sigma_x2);

}  // namespace eyesweep
