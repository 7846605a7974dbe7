// Presentation of COM results: the human-readable report and the JSON document
// (`eyesweep com --json`), with units in every name.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/case_responses.hpp"
#include "host/com_config.hpp"
#include "host/com_engine.hpp"

namespace eyesweep {

/// Writes the text report: per package case COM, FOM, A_s, A_ni, eye height, the sigma
/// breakdown and the winning equaliser, then the worst case.
void print_com_report(std::ostream& out, const ComConfig& cfg, const std::vector<ChannelInput>& inputs,
                      const ComResult& result);

/// The same content as JSON.
nlohmann::json com_result_json(const ComConfig& cfg, const std::vector<ChannelInput>& inputs,
                               const ComResult& result);

}  // namespace eyesweep
