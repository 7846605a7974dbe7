// Error types shared by every layer, and the checking macros that throw them.
// InputError is for bad user input (files, configurations, options): its message names the
// file and line or the configuration key. LogicError is for broken internal invariants.
#pragma once

#include <stdexcept>
#include <string>

namespace eyesweep {

/// Bad input from the user: a file, configuration key or command-line option.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A violated internal invariant: a bug in eyesweep, not in the user's input.
class LogicError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {
[[noreturn]] inline void throw_logic_error(const char* condition, const std::string& message,
                                           const char* file, int line) {
  throw LogicError(std::string(file) + ":" + std::to_string(line) + ": expected " + condition +
                   ": " + message);
}
}  // namespace detail

}  // namespace eyesweep

/// Checks an internal precondition; throws eyesweep::LogicError carrying file:line.
#define ES_EXPECTS(cond, msg)                                                     \
  do {                                                                            \
    if (!(cond)) ::eyesweep::detail::throw_logic_error(#cond, (msg), __FILE__, __LINE__); \
  } while (0)
