// See link_eye.hpp.
#include "host/link_eye.hpp"

#include <cmath>
#include <string>

#include "host/impulse_response.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {

LinkEyeInputs winner_eye_inputs(const ComConfig& cfg, const std::vector<LoadedChannel>& channels,
                                const ComCaseResult& result) {
  const CaseResponses responses = prepare_case(cfg, channels, result.package_case);
  const TxGrid tx_grid = build_tx_grid(cfg);
  const FomEvaluator sheet(responses, cfg, tx_grid);
  // A winner of the search's rerun with Min_VEO_Test = 0 (run_com) need not clear the sheet's.
  const FomEvaluator evaluator = result.min_veo_test_relaxed ? sheet.without_min_veo_test() : sheet;
  const WinningEqualizer& eq = result.equalizer;
  ES_EXPECTS(eq.tx_taps.size() == tx_grid.num_taps, "the winner's Tx taps are laid out as the configuration's grid");
  const CtleContext context = evaluator.make_context(eq.ctle);
  const std::optional<FomPoint> best = evaluator.evaluate(context, eq.tx_taps.data(), -INFINITY);
  if (!best) {
    throw InputError(responses.thru.name + ": the winning equaliser of package case " +
                     std::to_string(result.package_case + 1) + " gives no valid receiver: no eye");
  }
  LinkEyeInputs out;
  out.eye.channel = winner_noise_inputs(cfg, evaluator, tx_grid, context, eq.tx_taps.data(), *best);
  out.eye.r_lm = cfg.R_LM;
  out.unequalized_pulse_V = pulse_from_impulse(responses.thru.impulse, cfg.M);
  return out;
}

}  // namespace eyesweep
