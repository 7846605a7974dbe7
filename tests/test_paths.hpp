// Where tests find their data: the project's own tests/data and the shared real channels.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace eyesweep::test {

/// tests/data of this checkout.
inline std::filesystem::path data_dir() { return EYESWEEP_TEST_DATA_DIR; }

/// The shared data folder: $EYESWEEP_SHARED_DIR, else ../shared next to the project root.
inline std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("EYESWEEP_SHARED_DIR"); env && *env) return env;
  return std::filesystem::path(EYESWEEP_SOURCE_DIR) / ".." / "shared";
}

/// A file under shared/; fails the calling test (does not skip) when it is missing.
inline std::filesystem::path shared_file(const std::string& relative) {
  const auto path = shared_dir() / relative;
  if (!std::filesystem::exists(path)) {
    ADD_FAILURE() << "required shared data file missing: " << path
                  << " (set EYESWEEP_SHARED_DIR to the folder holding channels/)";
  }
  return path;
}

}  // namespace eyesweep::test
