#pragma once
// `sonoria doctor`: the checks of an installation, one line each, with what to do about a failure.
// Plain data and its two renderings (text for a person, JSON for a machine). The checks themselves
// are in installation.hpp (the ones that reach the network and the disk) and in the pure
// decisions beside it (twilio_numbers.hpp, clock_skew.hpp).

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace sonoria::doctor {

enum class Status {
  ok,
  warning,   // works, but something deserves attention
  failed,    // calls are or will be affected
  skipped,   // could not be checked (nothing to check, or an earlier check failed)
};

struct Check {
  std::string name;     // "twilio.credentials", "engine.openai", "number +15550001000", …
  Status status = Status::ok;
  std::string detail;   // what was found, a sentence; never a secret
  std::string fix;      // what to do about it; "" when nothing is to be done
};

std::string_view to_string(Status status);

// One line per check: "ok      twilio.credentials   account AC… (Full, active)", the fix indented
// under a failure or warning; then a summary line.
std::string report_text(const std::vector<Check>& checks);
// {"ok": bool, "checks": [{"name", "status", "detail", "fix"}]}.
nlohmann::json report_json(const std::vector<Check>& checks);
// Every check passed (skipped ones count as passed only when nothing failed).
bool all_passed(const std::vector<Check>& checks);

}  // namespace sonoria::doctor
