// printf-style formatting of one number for the text reports.
#pragma once

#include <cstdio>
#include <string>

namespace eyesweep {

/// `value` formatted by the printf format `fmt` (one conversion, result under 64 characters).
inline std::string format_number(const char* fmt, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, fmt, value);
  return buffer;
}

}  // namespace eyesweep
