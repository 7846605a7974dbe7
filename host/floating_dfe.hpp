// Placement of floating DFE tap groups (802.3ck KR and CR/CA reference receivers): N_bg groups
// of N_bf consecutive taps anywhere from tap N_b + 1 to tap N_f, chosen per grid point the way
// the IEEE COM script v3.70 chooses them (floatingDFE_DEVELOPMENT / findbankloc_DEVELOPMENT).
#pragma once

#include <span>
#include <vector>

#include "host/com_config.hpp"

namespace eyesweep {

/// The 1-based tap (UI) positions of the floating taps, ascending, all in N_b + 1 .. N_f.
/// `postcursors` are h(t_s + n T), n = 1, 2, ..., at least N_f of them (missing ones count as
/// zero); `cursor` is h(t_s). The script ranks every window of N_bf taps by the ISI energy a
/// group there would remove (each tap limited to bmaxg h(t_s)), takes the best greedily and
/// resolves overlaps between neighbouring windows with its own rules, reproduced here.
std::vector<int> place_floating_taps(std::span<const double> postcursors, double cursor,
                                     const ComConfig& cfg);

}  // namespace eyesweep
