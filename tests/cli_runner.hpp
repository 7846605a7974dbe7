// Runs the eyesweep binary of this build as a user would, for the command-line tests.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace eyesweep::test {

struct CommandResult {
  int status;
  std::string output;  // stdout and stderr
};

/// `eyesweep ARGUMENTS` through the shell; its exit status and everything it printed.
inline CommandResult run_eyesweep(const std::string& arguments) {
  const std::string command = std::string(EYESWEEP_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WEXITSTATUS(status), output};
}

}  // namespace eyesweep::test
