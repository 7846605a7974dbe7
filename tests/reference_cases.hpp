// The IEEE COM script's own results (v3.70, channels/reference-results.md) on the cases the
// reference engine must reproduce, and the channel sets they were computed on.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "host/case_responses.hpp"

namespace eyesweep::test {

/// One package case of one validation case, in the units of reference-results.md.
struct ScriptCaseResult {
  double com_dB, fom_dB, A_s_mV, A_ni_mV, veo_mV;
  double g_DC_dB, g_DC2_dB;
  std::vector<double> tx_taps;              ///< lowest offset first, main tap included
  std::vector<double> dfe_taps;             ///< first DFE taps as printed, relative to the cursor
  std::array<double, 6> sigma_mV;           ///< ISI, XT, TX, N, RJ, DD
  std::vector<int> floating_taps = {};      ///< UI positions of floating DFE taps (if any)
};

struct ValidationCase {
  std::string name;
  std::string config;                       ///< relative to the project root
  std::vector<ChannelInput> channels;       ///< THRU first
  std::vector<ScriptCaseResult> script;     ///< per package case
  bool local_search_rows = false;           ///< the script's rows come from its sheet's Local Search
};

/// Every validation case of reference-results.md (exhaustive search; the floating-tap sheets'
/// own Local Search rows, which the file states equal the exhaustive ones); channel paths
/// under `shared_dir`.
std::vector<ValidationCase> validation_cases(const std::string& shared_dir);

}  // namespace eyesweep::test
