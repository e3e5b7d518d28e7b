#pragma once
// Runs the built `sonoria` binary (SONORIA_BINARY) as a user would, in a clean environment
// whose HOME is a test's temp directory, and captures what it prints.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sonoria::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `env` is the whole environment (plus PATH); nothing leaks in from the test's own.
CommandResult run_sonoria(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);
// The same with `input` as what the command reads on stdin (else /dev/null).
CommandResult run_sonoria(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                          const std::optional<std::string>& input);
std::string sonoria_binary();

}  // namespace sonoria::test
