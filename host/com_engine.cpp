// The reference COM engine; see com_engine.hpp.
#include "host/com_engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "host/impulse_response.hpp"
#include "host/local_search.hpp"
#include "host/tx_ffe.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

}  // namespace

void check_supported(const ComConfig& cfg, std::vector<std::string>& notes, bool follows_local_search) {
  // Bounds that keep memory and run time finite; the sheets use far smaller values.
  const auto refuse = [&](const std::string& what) { throw InputError(cfg.source + ": " + what); };
  if (cfg.M > 256) refuse("M = " + std::to_string(cfg.M) + ": at most 256 samples per UI are supported");
  if (cfg.L > 16) refuse("L = " + std::to_string(cfg.L) + ": at most 16 levels are supported");
  if (cfg.N_b > 1000) refuse("N_b = " + std::to_string(cfg.N_b) + ": at most 1000 DFE taps are supported");
  const FloatingTaps& ft = cfg.floating;
  if (ft.N_bg > 0) {
    if (ft.N_f > 1000) refuse("N_f = " + std::to_string(ft.N_f) + ": at most 1000 UI are supported");
    if (ft.N_bf < 1 || ft.N_f < cfg.N_b + ft.N_bf) {
      refuse("N_f = " + std::to_string(ft.N_f) + " leaves no room for a group of N_bf = " +
             std::to_string(ft.N_bf) + " floating taps after the N_b = " + std::to_string(cfg.N_b) + " fixed ones");
    }
    if (ft.N_f - cfg.N_b < ft.N_bg * ft.N_bf) {
      notes.push_back("N_bg x N_bf = " + std::to_string(ft.N_bg * ft.N_bf) + " floating taps do not fit in the " +
                      std::to_string(ft.N_f - cfg.N_b) + " taps between N_b and N_f: fewer are placed");
    }
  }
  if (cfg.rx_ffe.enabled() && ft.N_bg > 0) {
    refuse("an Rx FFE (ffe_pre_tap_len, ffe_post_tap_len) with floating DFE tap groups (N_bg = " +
           std::to_string(ft.N_bg) + ") is not supported yet");
  }
  if (cfg.rx_ffe.enabled() && cfg.c2m.constrains_search()) {
    refuse("an Rx FFE (ffe_pre_tap_len, ffe_post_tap_len) with Min_VEO_Test != 0 (the search scoring points by "
           "their C2M eye) is not supported yet");
  }
  if (cfg.local_search != 0 && follows_local_search) {
    notes.push_back("Local Search = " + std::to_string(cfg.local_search) +
                    " followed: the IEEE script's pruned search, whose optimum need not be the global one");
  } else if (cfg.local_search != 0) {
    notes.push_back("Local Search = " + std::to_string(cfg.local_search) +
                    " ignored: the search is exhaustive (its optimum is the global one; eyesweep com "
                    "--local-search follows it)");
  }
  if (cfg.package_cases.empty()) throw InputError(cfg.source + ": no package case selected");
  constexpr std::size_t kMaxCtleSettings = 10000;  // each holds a pulse; the sheets have <= 200
  if (const std::size_t n = build_ctle_grid(cfg).size(); n > kMaxCtleSettings) {
    throw InputError(cfg.source + ": g_DC x g_DC_HP give " + std::to_string(n) +
                     " CTLE settings; at most 10000 are supported (use coarser steps)");
  }
  if (build_tx_grid(cfg).num_combinations() == 0) {
    throw InputError(cfg.source + ": no Tx FFE combination satisfies c(0) >= " + std::to_string(cfg.c0_min));
  }
}

void note_band_coverage(const ComConfig& cfg, const LoadedChannel& thru, std::vector<std::string>& notes) {
  const std::vector<double>& f = thru.network.freq_hz;
  const std::string name = thru.input.path.string();
  if (f.back() * 1e-9 < cfg.f_b_GBd) {
    notes.push_back(name + ": the highest frequency, " + std::to_string(f.back() * 1e-9) +
                    " GHz, is below the signalling rate f_b; the response above it is extrapolated");
  }
  if (f.front() * 1e-9 > cfg.f_min_GHz) {
    notes.push_back(name + ": the first frequency, " + std::to_string(f.front() * 1e-9) +
                    " GHz, is above f_min = " + std::to_string(cfg.f_min_GHz) + " GHz");
  }
  if ((f[1] - f[0]) * 1e-9 > cfg.delta_f_GHz * (1.0 + 1e-9)) {
    notes.push_back(name + ": the frequency step, " + std::to_string((f[1] - f[0]) * 1e-9) +
                    " GHz, is larger than Delta_f = " + std::to_string(cfg.delta_f_GHz) + " GHz");
  }
}

namespace {

/// The equalised pulse of an aggressor: its CTLE, and the victim's Tx FFE for far-end ones.
std::vector<double> equalized_aggressor(const ChannelResponse& aggressor, const ComConfig& cfg,
                                        const CtleSetting& ctle, const TxGrid& grid,
                                        const double* taps) {
  const std::vector<double> pulse = pulse_from_impulse(
      ctle_filter_impulse(aggressor.impulse, ctle, cfg.f_b_GBd * cfg.M), cfg.M);
  if (aggressor.kind != ChannelKind::fext) return pulse;
  return CircularFfe(grid, cfg.M, pulse.size()).apply(pulse, taps);
}

ComCaseResult run_case(const ComConfig& cfg, const std::vector<LoadedChannel>& channels,
                       std::size_t package_case, const TxGrid& tx_grid,
                       const std::vector<CtleSetting>& ctle_grid, const ComRunOptions& options) {
  const auto start = clock_type::now();
  const CaseResponses responses = prepare_case(cfg, channels, package_case);
  const FomEvaluator evaluator(responses, cfg, tx_grid);
  // Scored by their C2M eye, points are pruned against the best so far by the script's
  // heuristic, which is not exact: the winner depends on the order, so the script's (one thread).
  const unsigned threads = evaluator.scores_by_eye() ? 1 : options.threads;
  const auto search_with = [&](const FomEvaluator& e) {
    return options.follow_local_search && cfg.local_search > 0
               ? search_equalizer_local(e, cfg, ctle_grid, tx_grid, cfg.local_search, threads)
               : search_equalizer(e, ctle_grid, tx_grid, threads);
  };
  const auto search_start = clock_type::now();
  SearchResult search = search_with(evaluator);
  // No eye cleared Min_VEO_Test: the script searches again with Min_VEO_Test = 0 (6406-6412).
  const bool min_veo_test_relaxed = !search.found && evaluator.scores_by_eye();
  if (min_veo_test_relaxed) search = search_with(evaluator.without_min_veo_test());
  const double search_seconds = seconds_since(search_start);
  ComCaseResult result = analyse_winner(cfg, evaluator, tx_grid, ctle_grid, search);
  result.min_veo_test_relaxed = min_veo_test_relaxed;
  result.package_case = package_case;
  result.lengths = cfg.package_cases[package_case];
  result.search_seconds = search_seconds;
  result.total_seconds = seconds_since(start);
  return result;
}

}  // namespace

ComNoiseInputs winner_noise_inputs(const ComConfig& cfg, const FomEvaluator& evaluator, const TxGrid& tx_grid,
                                   const CtleContext& context, const double* taps, const FomPoint& best) {
  const CaseResponses& responses = evaluator.responses();
  ComNoiseInputs in = point_noise_inputs(cfg, best);
  in.victim_pulse = apply_rx_ffe(cfg, best, evaluator.equalized_pulse(context, taps));
  for (const ChannelResponse& aggressor : responses.aggressors) {
    in.aggressors.push_back({aggressor.kind == ChannelKind::fext ? AggressorKind::fext : AggressorKind::next,
                             apply_rx_ffe(cfg, best, equalized_aggressor(aggressor, cfg, context.ctle, tx_grid, taps))});
  }
  in.h_j = jitter_slopes(in.victim_pulse, best.cursor_index, cfg.M, dfe_span(cfg));
  in.sigma_tx = script_sigma_tx(cfg.L, best.A_s, cfg.R_LM, cfg.SNR_TX_dB);
  in.pass_threshold_db = cfg.COM_pass_threshold_dB;
  return in;
}

ComCaseResult analyse_winner(const ComConfig& cfg, const FomEvaluator& evaluator, const TxGrid& tx_grid,
                             const std::vector<CtleSetting>& ctle_grid, const SearchResult& search) {
  const CaseResponses& responses = evaluator.responses();
  ComCaseResult result;
  const std::vector<double> unequalized = pulse_from_impulse(responses.thru.impulse, cfg.M);
  result.unequalized_peak_V = *std::max_element(unequalized.begin(), unequalized.end());
  result.legal_tx_combinations = tx_grid.num_combinations();
  result.ctle_settings = ctle_grid.size();

  result.grid_points = search.grid_points;
  if (!search.found) {
    throw InputError(responses.thru.name + ": equalisation failed for package case " +
                     std::to_string(responses.package_case + 1) +
                     ": no equaliser setting gives a pulse with a usable cursor");
  }

  const CtleSetting& ctle = ctle_grid[search.ctle_index];
  const double* taps = tx_grid.combination(search.tx_index);
  const CtleContext context = evaluator.make_context(ctle);
  const FomPoint& best = search.best;

  // The final analysis samples the pulse over the whole DFE span (the script would fail on an
  // index past its end; the search itself pads with zeros).
  const std::size_t dfe_end = best.cursor_index + static_cast<std::size_t>(dfe_span(cfg) * cfg.M);
  if (dfe_end >= context.pulse.size()) {
    throw InputError(responses.thru.name + ": the pulse response (" + std::to_string(context.pulse.size()) +
                     " samples) ends before the last DFE tap (sample " + std::to_string(dfe_end) +
                     "); lower the impulse response truncation threshold or the DFE length (N_b, N_f)");
  }

  result.noise = final_com_noise(winner_noise_inputs(cfg, evaluator, tx_grid, context, taps, best));

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
  result.equalizer.rx_ffe_taps = best.rx_ffe_taps;
  result.equalizer.cursor_index = best.cursor_index;
  result.equalizer.sampling_phase = static_cast<int>(best.cursor_index % static_cast<std::size_t>(cfg.M));
  return result;
}

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
  check_supported(cfg, result.notes, options.follow_local_search);
  for (const LoadedChannel& channel : channels) {
    result.notes.insert(result.notes.end(), channel.warnings.begin(), channel.warnings.end());
  }
  const TxGrid tx_grid = build_tx_grid(cfg);
  const std::vector<CtleSetting> ctle_grid = build_ctle_grid(cfg);
  note_band_coverage(cfg, channels.front(), result.notes);
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
