#include "core/reports/local_time.hpp"

#include <doctest/doctest.h>

namespace sonoria::reports {
namespace local_time_test {

TEST_CASE("a stored UTC time is shown in the organization's zone with its offset, the same instant") {
  const TimeDisplay new_york("America/New_York");
  CHECK(new_york.show("2026-11-23T21:18:46.123Z") == "2026-11-23T16:18:46.123-05:00");
  CHECK(new_york.show("2026-07-01T12:00:00.000Z") == "2026-07-01T08:00:00.000-04:00");  // daylight saving time
  const TimeDisplay kolkata("Asia/Kolkata");
  CHECK(kolkata.show("2026-11-23T21:18:46.000Z") == "2026-11-24T02:48:46.000+05:30");
}

TEST_CASE("UTC, an unknown zone or something that is no timestamp is shown as stored") {
  CHECK(TimeDisplay().show("2026-11-23T21:18:46.123Z") == "2026-11-23T21:18:46.123Z");
  CHECK(TimeDisplay("UTC").is_utc());
  CHECK(TimeDisplay("Mars/Olympus_Mons").show("2026-11-23T21:18:46.123Z") == "2026-11-23T21:18:46.123Z");
  CHECK(TimeDisplay("Europe/Berlin").show("yesterday") == "yesterday");
}

}  // namespace local_time_test
}  // namespace sonoria::reports
