#include "core/org/schedule.hpp"

#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria::org;
using namespace std::chrono;

namespace {

sys_seconds utc(int y, unsigned mo, unsigned d, int h, int mi) {
  return sys_days{year_month_day{year{y}, month{mo}, day{d}}} + hours{h} + minutes{mi};
}

year_month_day ymd(int y, unsigned mo, unsigned d) { return year_month_day{year{y}, month{mo}, day{d}}; }

// Lotus Yoga, America/New_York: weekdays 07:00-12:00 and 16:00-21:00 (Friday to 20:00),
// Saturday 08:00-14:00, Sunday 09:00-13:00; closed 2026-07-04 and 2026-12-24..26.
const Profile& yoga() {
  static const Profile profile =
      load_profile_file(sonoria::test::source_dir() / "examples" / "yoga-studio.toml");
  return profile;
}

Profile with_hours(const std::string& zone, const std::string& hours) {
  return parse_profile_toml("[organization]\nslug = \"t\"\nname = \"T\"\ntimezone = \"" + zone +
                                "\"\nphone_numbers = [\"+15550001000\"]\n[hours]\n" + hours,
                            "test.toml");
}

}  // namespace

TEST_CASE("during a morning range the business is open until the range ends") {
  // Monday 2026-03-02 10:30 EST.
  const DayStatus s = day_status(yoga(), utc(2026, 3, 2, 15, 30));
  CHECK(s.open_now);
  CHECK(s.open_until == LocalTime{12 * 60});
  CHECK(s.local_date == "2026-03-02");
  CHECK(s.local_time == "10:30");
  CHECK(s.weekday == "Monday");
  CHECK_FALSE(s.closed_for.has_value());
  // The next opening is after the lunch break, not the opening already under way.
  CHECK(s.next_opening == LocalDateTime{ymd(2026, 3, 2), 16 * 60});
  CHECK(s.next_opening_at == utc(2026, 3, 2, 21, 0));
}

TEST_CASE("between two ranges the business is closed until the second one") {
  const DayStatus s = day_status(yoga(), utc(2026, 3, 2, 17, 30));  // 12:30 EST
  CHECK_FALSE(s.open_now);
  CHECK_FALSE(s.open_until.has_value());
  CHECK(s.next_opening == LocalDateTime{ymd(2026, 3, 2), 16 * 60});
}

TEST_CASE("a range is open from its first minute and closed at its last") {
  CHECK(day_status(yoga(), utc(2026, 3, 2, 12, 0)).open_now);        // 07:00 EST
  CHECK_FALSE(day_status(yoga(), utc(2026, 3, 2, 17, 0)).open_now);  // 12:00 EST
  const DayStatus before = day_status(yoga(), utc(2026, 3, 2, 11, 59) + seconds{59});
  CHECK_FALSE(before.open_now);
  CHECK(before.next_opening == LocalDateTime{ymd(2026, 3, 2), 7 * 60});
}

TEST_CASE("the local date is the organization's, not UTC's") {
  // 04:30 UTC on Tuesday is still Monday 23:30 in New York.
  const DayStatus s = day_status(yoga(), utc(2026, 3, 3, 4, 30));
  CHECK(s.local_date == "2026-03-02");
  CHECK(s.local_time == "23:30");
  CHECK(s.weekday == "Monday");
  CHECK_FALSE(s.open_now);
  CHECK(s.next_opening == LocalDateTime{ymd(2026, 3, 3), 7 * 60});
  CHECK(s.next_opening_at == utc(2026, 3, 3, 12, 0));
}

TEST_CASE("on the day clocks spring forward the hours follow the new offset") {
  // Sunday 2026-03-08: New York moves from UTC-5 to UTC-4 at 02:00. 13:30 UTC is 09:30 EDT (open);
  // a fixed UTC-5 offset would say 08:30 (closed).
  const DayStatus s = day_status(yoga(), utc(2026, 3, 8, 13, 30));
  CHECK(s.local_time == "09:30");
  CHECK(s.open_now);
  CHECK(s.open_until == LocalTime{13 * 60});
}

TEST_CASE("the next opening across the spring-forward change is at the new offset") {
  // Saturday 2026-03-07 20:00 EST; Sunday opens 09:00 EDT, which is 13:00 UTC, not 14:00.
  const DayStatus s = day_status(yoga(), utc(2026, 3, 8, 1, 0));
  CHECK(s.weekday == "Saturday");
  CHECK_FALSE(s.open_now);
  CHECK(s.next_opening == LocalDateTime{ymd(2026, 3, 8), 9 * 60});
  CHECK(s.next_opening_at == utc(2026, 3, 8, 13, 0));
}

TEST_CASE("on the day clocks fall back the hours follow the old offset again") {
  // Sunday 2026-11-01: back to UTC-5 at 02:00. 13:30 UTC is 08:30 EST (closed; opens 09:00).
  const DayStatus s = day_status(yoga(), utc(2026, 11, 1, 13, 30));
  CHECK(s.local_time == "08:30");
  CHECK_FALSE(s.open_now);
  CHECK(s.next_opening_at == utc(2026, 11, 1, 14, 0));
}

TEST_CASE("an opening time skipped by the clock change maps to the moment of the change") {
  const Profile p = with_hours("America/New_York", "sunday = [\"02:30-04:00\"]\n");
  const DayStatus s = day_status(p, utc(2026, 3, 7, 17, 0));  // Saturday noon EST
  CHECK(s.next_opening == LocalDateTime{ymd(2026, 3, 8), 150});
  CHECK(s.next_opening_at == utc(2026, 3, 8, 7, 0));  // 03:00 EDT
}

TEST_CASE("a closure overrides the weekly hours and the next opening skips it") {
  // Thursday 2026-12-24 10:00 EST, during the holiday break (24th to 26th).
  const DayStatus s = day_status(yoga(), utc(2026, 12, 24, 15, 0));
  CHECK_FALSE(s.open_now);
  REQUIRE(s.closed_for.has_value());
  CHECK(s.closed_for->reason == "Holiday break");
  CHECK(s.next_opening == LocalDateTime{ymd(2026, 12, 27), 9 * 60});  // Sunday
  CHECK(s.next_opening_at == utc(2026, 12, 27, 14, 0));
  CHECK(format_local_date_time(*s.next_opening) == "Sunday 2026-12-27 09:00");
}

TEST_CASE("the day before a closure, the next opening jumps over it") {
  // Wednesday 2026-12-23 21:30 EST, after closing.
  const DayStatus s = day_status(yoga(), utc(2026, 12, 24, 2, 30));
  CHECK(s.local_date == "2026-12-23");
  CHECK_FALSE(s.closed_for.has_value());
  CHECK(s.next_opening == LocalDateTime{ymd(2026, 12, 27), 9 * 60});
}

TEST_CASE("touching ranges count as one opening") {
  const Profile p = with_hours("UTC", "monday = [\"12:00-15:00\", \"09:00-12:00\"]\n");
  const DayStatus s = day_status(p, utc(2026, 3, 2, 10, 0));
  CHECK(s.open_now);
  CHECK(s.open_until == LocalTime{15 * 60});
  CHECK(s.next_opening == LocalDateTime{ymd(2026, 3, 9), 9 * 60});
}

TEST_CASE("a business with no hours has no next opening") {
  const DayStatus s = day_status(with_hours("Europe/Berlin", ""), utc(2026, 3, 2, 10, 0));
  CHECK_FALSE(s.open_now);
  CHECK_FALSE(s.next_opening.has_value());
  CHECK_FALSE(s.next_opening_at.has_value());
  CHECK(s.local_time == "11:00");
}

TEST_CASE("the next opening is found up to a year ahead past a long closure") {
  Profile p = with_hours("UTC", "monday = [\"09:00-17:00\"]\n");
  p.closures.push_back({"2026-03-01", "2027-02-28", "Renovation"});
  const DayStatus s = day_status(p, utc(2026, 3, 2, 10, 0));
  CHECK(s.closed_for.has_value());
  CHECK(s.next_opening == LocalDateTime{ymd(2027, 3, 1), 9 * 60});
}

TEST_CASE("an unknown time zone is a data error") {
  Profile p = yoga();
  p.organization.timezone = "Mars/Olympus";
  CHECK_THROWS_AS(day_status(p, utc(2026, 3, 2, 10, 0)), sonoria::DataError);
  CHECK_THROWS_AS(upcoming_closures(p, utc(2026, 3, 2, 10, 0), 30), sonoria::DataError);
}

TEST_CASE("upcoming closures cover the coming days, including one in progress, in date order") {
  CHECK(upcoming_closures(yoga(), utc(2026, 12, 20, 15, 0), 3).empty());  // 20th to 22nd
  const auto week = upcoming_closures(yoga(), utc(2026, 12, 20, 15, 0), 7);
  REQUIRE(week.size() == 1);
  CHECK(week[0].reason == "Holiday break");
  CHECK(upcoming_closures(yoga(), utc(2026, 12, 26, 15, 0), 1).size() == 1);
  CHECK(upcoming_closures(yoga(), utc(2026, 12, 27, 15, 0), 30).empty());
  const auto year = upcoming_closures(yoga(), utc(2026, 1, 1, 15, 0), 365);
  REQUIRE(year.size() == 2);
  CHECK(year[0].reason == "Independence Day");  // listed second in the file, but earlier
  CHECK(year[1].reason == "Holiday break");
  CHECK(upcoming_closures(yoga(), utc(2026, 12, 20, 15, 0), 0).empty());
}

TEST_CASE("the answer depends only on the profile and the instant") {
  const sys_seconds now = utc(2026, 6, 15, 18, 45);
  CHECK(day_status(yoga(), now) == day_status(yoga(), now));
}
