// The reference COM engine; see com_engine.hpp.
#include "host/com_engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "host/impulse_response.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// Notes about configuration choices the engine does not follow.
void check_supported(const ComConfig& cfg, std::vector<std::string>& notes) {
  if (cfg.local_search != 0) {
    notes.push_back("Local Search = " + std::to_string(cfg.local_search) +
                    " ignored: the search is exhaustive (its optimum is the global one)");
  }
  if (cfg.package_cases.empty()) throw InputError(cfg.source + ": no package case selected");
}

/// The equalised pulse of an aggressor: its CTLE, and the victim's Tx FFE for far-end ones.
std::vector<double> equalized_aggressor(const ChannelResponse& aggressor, const ComConfig& cfg,
                                        const CtleSetting& ctle, const TxGrid& grid,
                                        const double* taps) {
  const std::vector<double> pulse = pulse_from_impulse(
      ctle_filter_impulse(aggressor.impulse, ctle, cfg.f_b_GBd * cfg.M), cfg.M);
  if (aggressor.kind != ChannelKind::fext) return pulse;
  const auto N = static_cast<std::ptrdiff_t>(pulse.size());
  std::vector<double> out(pulse.size(), 0.0);
  for (std::size_t k = 0; k < grid.num_taps; ++k) {
    const std::ptrdiff_t shift = (grid.first_offset + static_cast<std::ptrdiff_t>(k)) * cfg.M;
    for (std::ptrdiff_t n = 0; n < N; ++n) {
      std::ptrdiff_t idx = (n - shift) % N;
      if (idx < 0) idx += N;
      out[static_cast<std::size_t>(n)] += taps[k] * pulse[static_cast<std::size_t>(idx)];
    }
  }
  return out;
}

ComCaseResult run_case(const ComConfig& cfg, const std::vector<LoadedChannel>& channels,
                       std::size_t package_case, const TxGrid& tx_grid,
                       const std::vector<CtleSetting>& ctle_grid, const ComRunOptions& options) {
  const auto start = clock_type::now();
  const CaseResponses responses = prepare_case(cfg, channels, package_case);
  const FomEvaluator evaluator(responses, cfg, tx_grid);

  ComCaseResult result;
  result.package_case = package_case;
  result.lengths = cfg.package_cases[package_case];
  const std::vector<double> unequalized = pulse_from_impulse(responses.thru.impulse, cfg.M);
  result.unequalized_peak_V = *std::max_element(unequalized.begin(), unequalized.end());
  result.legal_tx_combinations = tx_grid.num_combinations();
  result.ctle_settings = ctle_grid.size();

  const auto search_start = clock_type::now();
  const SearchResult search = search_equalizer(evaluator, ctle_grid, tx_grid, options.threads);
  result.search_seconds = seconds_since(search_start);
  result.grid_points = search.grid_points;
  if (!search.found) {
    throw InputError(responses.thru.name + ": equalisation failed for package case " +
                     std::to_string(package_case + 1) +
                     ": no equaliser setting gives a pulse with a usable cursor");
  }

  const CtleSetting& ctle = ctle_grid[search.ctle_index];
  const double* taps = tx_grid.combination(search.tx_index);
  const CtleContext context = evaluator.make_context(ctle);
  const FomPoint& best = search.best;

  ComNoiseInputs in;
  in.levels = cfg.L;
  in.der0 = cfg.DER_0;
  in.a_s = best.A_s;
  in.samples_per_ui = cfg.M;
  in.victim_pulse = evaluator.equalized_pulse(context, taps);
  in.cursor_index = best.cursor_index;
  in.dfe_taps = best.dfe_taps;
  for (const ChannelResponse& aggressor : responses.aggressors) {
    in.aggressors.push_back({aggressor.kind == ChannelKind::fext ? AggressorKind::fext : AggressorKind::next,
                             equalized_aggressor(aggressor, cfg, ctle, tx_grid, taps)});
  }
  in.h_j = jitter_slopes(in.victim_pulse, best.cursor_index, cfg.M, dfe_span(cfg));
  in.a_dd_ui = cfg.A_DD_UI;
  in.sigma_rj_ui = cfg.sigma_RJ_UI;
  in.sigma_tx = script_sigma_tx(cfg.L, best.A_s, cfg.R_LM, cfg.SNR_TX_dB);
  in.sigma_n = best.sigma_n;
  in.pass_threshold_db = cfg.COM_pass_threshold_dB;
  result.noise = final_com_noise(in);

  result.com_dB = result.noise.com_db;
  result.fom_dB = best.fom_dB;
  result.A_s = best.A_s;
  result.A_ni = result.noise.a_ni;
  result.eye_height = result.noise.veo;
  result.vec_dB = result.noise.vec_db;
  result.fom = best;
  result.equalizer.ctle = ctle;
  result.equalizer.tx_first_offset = tx_grid.first_offset;
  result.equalizer.tx_taps.assign(taps, taps + tx_grid.num_taps);
  result.equalizer.dfe_taps = best.dfe_taps;
  result.equalizer.floating_taps = best.floating_taps;
  result.equalizer.cursor_index = best.cursor_index;
  result.equalizer.sampling_phase = static_cast<int>(best.cursor_index % static_cast<std::size_t>(cfg.M));
  result.total_seconds = seconds_since(start);
  return result;
}

}  // namespace

ComResult run_com(const ComConfig& cfg, const std::vector<ChannelInput>& inputs,
                  const ComRunOptions& options) {
  return run_com(cfg, load_channels(inputs), options);
}

ComResult run_com(const ComConfig& sheet, const std::vector<LoadedChannel>& channels,
                  const ComRunOptions& options) {
  ComResult result;
  ComConfig cfg = sheet;
  if (options.ignore_floating_taps && cfg.floating.N_bg > 0) {
    result.notes.push_back("floating DFE taps (N_bg = " + std::to_string(cfg.floating.N_bg) +
                           ") switched off: fixed taps only, the result is not the sheet's COM");
    cfg.floating.N_bg = 0;
  }
  check_supported(cfg, result.notes);
  for (const LoadedChannel& channel : channels) {
    for (const std::string& warning : channel.warnings) {
      result.notes.push_back(channel.input.path.string() + ": " + warning);
    }
  }
  const TxGrid tx_grid = build_tx_grid(cfg);
  const std::vector<CtleSetting> ctle_grid = build_ctle_grid(cfg);
  if (tx_grid.num_combinations() == 0) {
    throw InputError(cfg.source + ": no Tx FFE combination satisfies c(0) >= " + std::to_string(cfg.c0_min));
  }
  for (std::size_t c = 0; c < cfg.package_cases.size(); ++c) {
    result.cases.push_back(run_case(cfg, channels, c, tx_grid, ctle_grid, options));
  }
  const auto worst = std::min_element(result.cases.begin(), result.cases.end(),
                                      [](const ComCaseResult& a, const ComCaseResult& b) { return a.com_dB < b.com_dB; });
  result.worst_case = static_cast<std::size_t>(worst - result.cases.begin());
  result.com_dB = worst->com_dB;
  return result;
}

std::optional<FomPoint> score_equalizer(const ComConfig& cfg, const CaseResponses& responses,
                                        const CtleSetting& ctle, const std::vector<double>& tx_taps) {
  const TxGrid tx_grid = build_tx_grid(cfg);
  ES_EXPECTS(tx_taps.size() == tx_grid.num_taps, "Tx taps must be laid out as the configuration's grid");
  const FomEvaluator evaluator(responses, cfg, tx_grid);
  return evaluator.evaluate(evaluator.make_context(ctle), tx_taps.data(), -INFINITY);
}

}  // namespace eyesweep
