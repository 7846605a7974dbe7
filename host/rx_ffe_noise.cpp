// See rx_ffe_noise.hpp.
#include "host/rx_ffe_noise.hpp"

#include <cmath>
#include <numbers>

#include "host/com_pdf.hpp"
#include "host/impulse_response.hpp"
#include "host/rx_ffe_mmse.hpp"

namespace eyesweep {

std::vector<double> ui_samples(std::span<const double> pulse, std::size_t phase, int samples_per_ui,
                               std::size_t count) {
  std::vector<double> out;
  const auto M = static_cast<std::size_t>(samples_per_ui);
  for (std::size_t n = phase; n < pulse.size() && out.size() < count; n += M) out.push_back(pulse[n]);
  return out;
}

std::vector<double> crosstalk_acf(std::span<const double> pulse, int samples_per_ui, std::size_t lags,
                                  std::size_t noise_ui, double sigma_x2) {
  std::size_t worst = 0;
  double worst_energy = -1.0;
  for (std::size_t phase = 0; phase < static_cast<std::size_t>(samples_per_ui); ++phase) {
    double energy = 0.0;
    for (const double v : ui_samples(pulse, phase, samples_per_ui, noise_ui)) energy += v * v;
    if (energy > worst_energy) {
      worst_energy = energy;
      worst = phase;
    }
  }
  std::vector<double> acf = autocorrelation(ui_samples(pulse, worst, samples_per_ui, noise_ui), lags);
  for (double& r : acf) r *= sigma_x2;
  return acf;
}

RxFfeNoiseContext make_rx_ffe_noise_context(const ComConfig& cfg, const CaseResponses& responses,
                                            const CtleSetting& ctle, std::span<const std::complex<double>> H_ctf,
                                            const std::vector<double>& victim_pulse) {
  const std::size_t lags = static_cast<std::size_t>(cfg.rx_ffe.num_taps());
  const auto noise_ui = static_cast<std::size_t>(cfg.rx_ffe.noise_ui);
  const double sx2 = std::pow(sigma_x(cfg.L), 2);
  RxFfeNoiseContext context;

  // R_rn(k) = integral of the one-sided PSD times cos(2 pi f k T), by sigma_N's own rule
  // (right endpoints from the second point), so that R_rn(0) = sigma_N^2.
  const std::vector<double>& f = responses.f_GHz;
  const std::vector<double>& rx_noise = responses.rx_noise_V2_per_GHz;
  context.rx_acf.assign(lags, 0.0);
  for (std::size_t i = 1; i < f.size(); ++i) {
    const double density = cfg.eta_0_V2_per_GHz + (rx_noise.empty() ? 0.0 : rx_noise[i]);
    const double power = density * std::norm(responses.H_r[i] * H_ctf[i]) * (f[i] - f[i - 1]);
    for (std::size_t k = 0; k < lags; ++k) {
      context.rx_acf[k] += power * std::cos(2.0 * std::numbers::pi * f[i] * static_cast<double>(k) / cfg.f_b_GBd);
    }
  }

  const double tx_scale = sx2 * std::pow(10.0, -cfg.SNR_TX_dB / 10.0);
  context.tx_acf.reserve(static_cast<std::size_t>(cfg.M) * lags);
  for (std::size_t phase = 0; phase < static_cast<std::size_t>(cfg.M); ++phase) {
    for (const double r : autocorrelation(ui_samples(victim_pulse, phase, cfg.M, noise_ui), lags)) {
      context.tx_acf.push_back(tx_scale * r);
    }
  }

  context.next_acf.assign(lags, 0.0);
  const double sample_rate_GHz = cfg.f_b_GBd * cfg.M;
  for (const ChannelResponse& aggressor : responses.aggressors) {
    std::vector<double> pulse = pulse_from_impulse(ctle_filter_impulse(aggressor.impulse, ctle, sample_rate_GHz), cfg.M);
    if (aggressor.kind == ChannelKind::fext) {
      context.fext_pulses.push_back(std::move(pulse));
      continue;
    }
    const std::vector<double> acf = crosstalk_acf(pulse, cfg.M, lags, noise_ui, sx2);
    for (std::size_t k = 0; k < lags; ++k) context.next_acf[k] += acf[k];
  }
  return context;
}

}  // namespace eyesweep
