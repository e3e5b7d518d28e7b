// How the doctor's findings are shown: a line each, the fix under a failure, a summary; JSON.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/doctor/check.hpp"

using namespace sonoria::doctor;

namespace doctor_check_test {

TEST_CASE("text: one line per check, the fix under what failed, and a summary") {
  std::vector<Check> checks = {{"database", Status::ok, "schema version 15", ""},
                               {"engine.openai", Status::failed, "key refused", "check engines.openai.api_key"},
                               {"clock", Status::warning, "6 s behind", "synchronise the clock"}};
  const auto text = report_text(checks);
  CHECK(text.find("ok      database") == 0);
  CHECK(text.find("FAILED  engine.openai  key refused\n") != std::string::npos);
  CHECK(text.find("→ check engines.openai.api_key") != std::string::npos);
  CHECK(text.find("3 checks: 1 failed, 1 warning") != std::string::npos);
  CHECK_FALSE(all_passed(checks));
}

TEST_CASE("json: ok only when nothing failed; warnings and skipped checks do not fail") {
  std::vector<Check> checks = {{"clock", Status::warning, "6 s behind", "x"}, {"twilio.numbers", Status::skipped, "none", ""}};
  const auto j = report_json(checks);
  CHECK(j["ok"] == true);
  CHECK(j["checks"][0]["status"] == "warning");
  CHECK(j["checks"][1]["status"] == "skipped");
  checks.push_back({"database", Status::failed, "locked", ""});
  CHECK(report_json(checks)["checks"][2]["status"] == "failed");
  CHECK(report_json(checks)["ok"] == false);
}

}  // namespace doctor_check_test
