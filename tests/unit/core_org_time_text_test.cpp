#include "core/org/time_text.hpp"

#include <doctest/doctest.h>

using namespace sonoria::org;

TEST_CASE("HH:MM times parse to minutes since midnight, with 24:00 as the end of the day") {
  CHECK(parse_hhmm("00:00") == 0);
  CHECK(parse_hhmm("09:30") == 570);
  CHECK(parse_hhmm("23:59") == 1439);
  CHECK(parse_hhmm("24:00") == 1440);
}

TEST_CASE("times that are not exactly HH:MM on a clock are rejected") {
  for (const char* bad : {"9:30", "09:60", "24:01", "25:00", "0930", "09:3", " 9:30", "09:30 ", "+9:30", "ab:cd", ""}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_hhmm(bad).has_value());
  }
}

TEST_CASE("minutes format back to HH:MM") {
  CHECK(format_hhmm(0) == "00:00");
  CHECK(format_hhmm(570) == "09:30");
  CHECK(format_hhmm(1440) == "24:00");
}

TEST_CASE("a time range parses both ends without judging their order") {
  CHECK(parse_time_range("09:00-12:30") == TimeRange{540, 750});
  CHECK(parse_time_range("18:00-24:00") == TimeRange{1080, 1440});
  CHECK(parse_time_range("12:00-09:00") == TimeRange{720, 540});
  CHECK_FALSE(parse_time_range("9:60-12:00").has_value());
  CHECK_FALSE(parse_time_range("09:00 - 12:00").has_value());
  CHECK_FALSE(parse_time_range("09:00").has_value());
  CHECK(format_time_range({540, 750}) == "09:00-12:30");
}

TEST_CASE("dates must exist on the calendar") {
  CHECK(parse_date("2026-12-24") ==
        std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::month{12}, std::chrono::day{24}});
  CHECK(parse_date("2028-02-29").has_value());
  CHECK_FALSE(parse_date("2026-02-29").has_value());
  CHECK_FALSE(parse_date("2026-13-01").has_value());
  CHECK_FALSE(parse_date("2026-1-01").has_value());
  CHECK_FALSE(parse_date("2026/12/24").has_value());
  CHECK(format_date(*parse_date("2026-07-04")) == "2026-07-04");
}

TEST_CASE("weekdays are numbered from Monday") {
  CHECK(weekday_name(0) == "Monday");
  CHECK(weekday_key(6) == "sunday");
  CHECK(weekday_name(7).empty());
  CHECK(weekday_index(*parse_date("2026-03-02")) == 0);  // a Monday
  CHECK(weekday_index(*parse_date("2026-03-08")) == 6);  // a Sunday
}
