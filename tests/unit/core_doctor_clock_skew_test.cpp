// The doctor's clock check, from the Date header of a Twilio answer.
#include <doctest/doctest.h>

#include "core/doctor/clock_skew.hpp"

using namespace sonoria::doctor;
using namespace std::chrono;

namespace clock_skew_test {

const sys_seconds k_now = sys_days{year{2026} / 12 / 7} + hours(5) + minutes(30);

TEST_CASE("parse_http_date reads IMF-fixdate and nothing else") {
  CHECK(parse_http_date("Mon, 07 Dec 2026 05:30:00 GMT") == k_now);
  CHECK_FALSE(parse_http_date("Mon, 07 Dec 2026 05:30:00 UTC"));
  CHECK_FALSE(parse_http_date("Monday, 07-Dec-26 05:30:00 GMT"));  // RFC 850: obsolete
  CHECK_FALSE(parse_http_date("Mon, 31 Feb 2026 05:30:00 GMT"));
  CHECK_FALSE(parse_http_date("Mon, 07 Xyz 2026 05:30:00 GMT"));
  CHECK_FALSE(parse_http_date(""));
}

TEST_CASE("within a few seconds the clocks agree; from 5 s a warning; from 5 minutes a failure") {
  CHECK(check_clock("Mon, 07 Dec 2026 05:30:01 GMT", k_now, milliseconds(200)).status == Status::ok);
  const auto behind = check_clock("Mon, 07 Dec 2026 05:30:30 GMT", k_now, milliseconds(200));
  CHECK(behind.status == Status::warning);
  CHECK(behind.detail.find("behind") != std::string::npos);
  const auto ahead = check_clock("Mon, 07 Dec 2026 05:20:00 GMT", k_now, milliseconds(200));
  CHECK(ahead.status == Status::failed);
  CHECK(ahead.detail.find("ahead of") != std::string::npos);
  CHECK(ahead.fix.find("timedatectl") != std::string::npos);
}

TEST_CASE("a slow answer widens what counts as agreeing") {
  CHECK(check_clock("Mon, 07 Dec 2026 05:30:06 GMT", k_now, milliseconds(3000)).status == Status::ok);
}

TEST_CASE("no date to compare with: skipped, not failed") {
  CHECK(check_clock(std::nullopt, k_now, milliseconds(1)).status == Status::skipped);
  CHECK(check_clock("yesterday", k_now, milliseconds(1)).status == Status::skipped);
}

}  // namespace clock_skew_test
