#include "daemon/log.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/stderr_capture.hpp"

namespace sonoria::daemon {
namespace log_test {

using sonoria::test::stderr_of;

TEST_CASE("JSON logs write numbers as numbers, and text as text") {
  Log::configure("info", "json");
  const std::string line = stderr_of([] {
    const std::size_t turns = 12;
    log_info("call.finished", "CA0123", "call ended",
             {{"duration_ms", int64_t{61000}}, {"turns", turns}, {"org", "lotus-yoga"}, {"to", std::string("+15550001000")},
              {"retried", false}, {"load", 0.25}});
  });
  Log::configure("info", "text");
  const auto j = nlohmann::json::parse(line);
  CHECK(j["event"] == "call.finished");
  CHECK(j["call_sid"] == "CA0123");
  CHECK(j["duration_ms"].is_number_integer());
  CHECK(j["duration_ms"] == 61000);
  CHECK(j["turns"] == 12);
  CHECK(j["org"] == "lotus-yoga");
  CHECK(j["to"] == "+15550001000");  // a phone number stays text
  CHECK(j["retried"] == false);
  CHECK(j["load"] == 0.25);
}

TEST_CASE("text logs print the same fields as key=value") {
  Log::configure("info", "text");
  const std::string line = stderr_of([] {
    log_warn("db.retry", "", "retrying", {{"records", 3}, {"journal", "/var/lib/sonoria/journal"}, {"note", "two words"}});
  });
  CHECK(line.find(" warn db.retry retrying records=3 journal=/var/lib/sonoria/journal note=\"two words\"\n") !=
        std::string::npos);
}

}  // namespace log_test
}  // namespace sonoria::daemon
