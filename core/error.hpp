#pragma once
// Errors that reach a person. Thrown inside core for bad input (config, profiles, database
// state) and caught once, in cli/main.cpp, which prints the message and picks the exit code.
// Inside the daemon they are caught at the call-session boundary and never escape it.

#include <stdexcept>
#include <string>

namespace sonoria {

enum class ExitCode : int {
  ok = 0,
  failure = 1,      // runtime failure: a peer refused, the network failed, …
  usage = 2,        // bad command line
  data = 3,         // bad configuration, profile or database state
  refused = 4,      // a policy refused the action (cooldown, allow-list, capacity)
};

// A failure with a message written for the person running sonoria:
// "profiles/yoga.toml:14: hours.monday[1].close "9:60" is not a time (expected HH:MM)".
class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message, ExitCode code = ExitCode::failure)
      : std::runtime_error(message), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

// Bad configuration or data: exit code 3.
class DataError : public UserError {
 public:
  explicit DataError(const std::string& message) : UserError(message, ExitCode::data) {}
};

}  // namespace sonoria
