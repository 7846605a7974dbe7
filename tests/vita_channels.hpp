// The VITA 68.2 channel set shipped in data/channels (THRU, 2 FEXT, 3 NEXT) and its KR4
// configuration, for tests that run COM and eyes on a real channel.
#pragma once

#include <filesystem>
#include <vector>

#include "host/case_responses.hpp"
#include "host/com_config.hpp"
#include "io/config_toml.hpp"

namespace eyesweep::test {

inline ComConfig vita_config() {
  return load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs/vita_kr4.toml");
}

inline std::vector<LoadedChannel> vita_channels() {
  const std::filesystem::path dir = std::filesystem::path(EYESWEEP_SOURCE_DIR) / "data/channels/vita68_example2";
  std::vector<ChannelInput> set{{dir / "example2_THRU.s4p", ChannelKind::thru, {}}};
  for (const char* f : {"example2_FEXT1.s4p", "example2_FEXT2.s4p"}) set.push_back({dir / f, ChannelKind::fext, {}});
  for (const char* f : {"example2_NEXT1.s4p", "example2_NEXT2.s4p", "example2_NEXT3.s4p"}) {
    set.push_back({dir / f, ChannelKind::next, {}});
  }
  return load_channels(set);
}

}  // namespace eyesweep::test
