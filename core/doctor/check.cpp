#include "core/doctor/check.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace sonoria::doctor {

std::string_view to_string(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::warning: return "warning";
    case Status::failed: return "FAILED";
    case Status::skipped: return "skipped";
  }
  return "?";
}

std::string report_text(const std::vector<Check>& checks) {
  std::size_t width = 0;
  for (const auto& c : checks) width = std::max(width, c.name.size());
  std::string out;
  int failed = 0;
  int warnings = 0;
  for (const auto& c : checks) {
    std::string status(to_string(c.status));
    status.resize(8, ' ');
    std::string name = c.name;
    name.resize(width + 2, ' ');
    out += status + name + c.detail + "\n";
    if (!c.fix.empty() && (c.status == Status::failed || c.status == Status::warning))
      out += std::string(8 + width + 2, ' ') + "→ " + c.fix + "\n";
    failed += c.status == Status::failed;
    warnings += c.status == Status::warning;
  }
  out += "\n" + std::to_string(checks.size()) + " checks: " +
         (failed == 0 ? std::string("all passed") : std::to_string(failed) + " failed") +
         (warnings ? ", " + std::to_string(warnings) + (warnings == 1 ? " warning" : " warnings") : std::string()) + "\n";
  return out;
}

nlohmann::json report_json(const std::vector<Check>& checks) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : checks)
    list.push_back({{"name", c.name}, {"status", c.status == Status::failed ? "failed" : std::string(to_string(c.status))},
                    {"detail", c.detail}, {"fix", c.fix}});
  return {{"ok", all_passed(checks)}, {"checks", std::move(list)}};
}

bool all_passed(const std::vector<Check>& checks) {
  return std::none_of(checks.begin(), checks.end(), [](const Check& c) { return c.status == Status::failed; });
}

}  // namespace sonoria::doctor
