#include <doctest/doctest.h>

#include "core/config/duration.hpp"

using namespace sonoria::config;
using namespace std::chrono_literals;

TEST_CASE("durations are read the way people write them") {
  CHECK(parse_duration("30s") == 30s);
  CHECK(parse_duration("15m") == 15min);
  CHECK(parse_duration("2h") == 2h);
  CHECK(parse_duration("7d") == std::chrono::hours(24 * 7));
  CHECK(parse_duration("500ms") == 500ms);
  CHECK(parse_duration("1h30m") == 90min);
  CHECK(parse_duration("0s") == 0ms);
}

TEST_CASE("a duration without a unit, with a bad unit or negative is refused") {
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("30"));
  CHECK_FALSE(parse_duration("30 s"));
  CHECK_FALSE(parse_duration("-5s"));
  CHECK_FALSE(parse_duration("5w"));
  CHECK_FALSE(parse_duration("s"));
  CHECK_FALSE(parse_duration("99999999999999999999d"));
}

TEST_CASE("durations print in their shortest exact spelling") {
  CHECK(format_duration(90s) == "1m30s");
  CHECK(format_duration(0ms) == "0s");
  CHECK(format_duration(1500ms) == "1s500ms");
  CHECK(format_duration(48h) == "2d");
  CHECK(parse_duration(format_duration(3723004ms)) == 3723004ms);
}
