// When a service can be booked: hours, location hours, shifts, services per person, buffers,
// closures, notice and advance limits, daylight saving, overnight openings, and what a caller
// is offered.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/booking/availability.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::booking;
using namespace std::chrono_literals;
using std::chrono::year_month_day;

namespace {

org::Profile clinic() { return org::load_profile_file(test::source_dir() / "examples" / "physio-clinic.toml"); }

year_month_day day(const char* text) { return *org::parse_date(text); }

Instant utc_time(const char* date, int hour, int minute = 0) {
  return Instant{std::chrono::sys_days{day(date)}} + std::chrono::hours{hour} + std::chrono::minutes{minute};
}

// Sunday 2026-12-06, noon in New York.
const Instant k_sunday_noon = utc_time("2026-12-06", 17);

SlotQuery on(const char* date, const char* service, const char* member = "") {
  SlotQuery q;
  q.service = service;
  q.first_day = q.last_day = day(date);
  q.team_member = member;
  return q;
}

std::vector<std::string> starts(const std::vector<Slot>& slots) {
  std::vector<std::string> out;
  for (const Slot& s : slots) out.push_back(format_local(s.local) + " " + s.team_member + "@" + s.location);
  return out;
}

}  // namespace

TEST_CASE("a practitioner's shift within the location's hours, on the slot grid, long enough for the service") {
  const auto profile = clinic();
  // Monday: Dr. Park at Midtown 08:00-16:00; Tom does no assessments.
  const auto slots = free_slots(profile, on("2026-12-07", "Initial assessment"), {}, k_sunday_noon);
  REQUIRE(slots.size() == 15);
  CHECK(starts(slots).front() == "2026-12-07 08:00 Dr. Elena Park@Midtown");
  CHECK(starts(slots).back() == "2026-12-07 15:00 Dr. Elena Park@Midtown");
  CHECK(slots.front().end - slots.front().start == 60min);
  CHECK(slots.front().resource == "member:Dr. Elena Park");
}

TEST_CASE("a service only some people perform is offered only with them, where and when they work") {
  const auto profile = clinic();
  // Sports massage: Tom only, at Brooklyn; not on Tuesdays.
  CHECK(free_slots(profile, on("2026-12-08", "Sports massage"), {}, k_sunday_noon).empty());
  const auto monday = free_slots(profile, on("2026-12-07", "Sports massage"), {}, k_sunday_noon);
  REQUIRE(!monday.empty());
  CHECK(starts(monday).front() == "2026-12-07 12:00 Tom Reyes@Brooklyn");
  CHECK(starts(monday).back() == "2026-12-07 18:00 Tom Reyes@Brooklyn");  // 18:30 + 45 min is past 19:00
  // Follow-ups: both, each at their own location, same start listed for each.
  const auto follow_ups = free_slots(profile, on("2026-12-07", "Follow-up treatment"), {}, k_sunday_noon);
  const auto at_noon = std::count_if(follow_ups.begin(), follow_ups.end(),
                                     [](const Slot& s) { return s.local.minute_of_day == 12 * 60; });
  CHECK(at_noon == 2);
  CHECK(free_slots(profile, on("2026-12-07", "Follow-up treatment", "Tom Reyes"), {}, k_sunday_noon).front().team_member ==
        "Tom Reyes");
  CHECK(free_slots(profile, on("2026-12-07", "No such service"), {}, k_sunday_noon).empty());
}

TEST_CASE("an appointment and the buffer after it keep the column busy, and only that column") {
  const auto profile = clinic();  // buffer 10 minutes
  // Dr. Park has 09:00-10:00 on Monday (14:00Z-15:00Z), busy until 10:10.
  const std::vector<Busy> busy = {{"member:Dr. Elena Park", utc_time("2026-12-07", 14), utc_time("2026-12-07", 15, 10)}};
  const auto slots = free_slots(profile, on("2026-12-07", "Initial assessment"), busy, k_sunday_noon);
  // 08:00 would end at 09:00 and need its own 10 minutes after: it touches 09:00. First free: 10:30.
  REQUIRE(!slots.empty());
  CHECK(starts(slots).front() == "2026-12-07 10:30 Dr. Elena Park@Midtown");
  // Someone else's busy time does not matter.
  const std::vector<Busy> other = {{"member:Tom Reyes", utc_time("2026-12-07", 13), utc_time("2026-12-07", 23)}};
  CHECK(free_slots(profile, on("2026-12-07", "Initial assessment"), other, k_sunday_noon).size() == 15);
}

TEST_CASE("closures, notice and the advance limit") {
  auto profile = clinic();
  CHECK(free_slots(profile, on("2026-12-24", "Follow-up treatment"), {}, k_sunday_noon).empty());  // Christmas
  // Two hours' notice: on Monday at 09:10 the first start is 11:30.
  const Instant monday_morning = utc_time("2026-12-07", 14, 10);
  CHECK(starts(free_slots(profile, on("2026-12-07", "Initial assessment"), {}, monday_morning)).front() ==
        "2026-12-07 11:30 Dr. Elena Park@Midtown");
  // The past is never offered.
  CHECK(free_slots(profile, on("2026-12-04", "Initial assessment"), {}, k_sunday_noon).empty());
  // 60 days ahead: 2027-02-04 is the last bookable day.
  CHECK(!free_slots(profile, on("2027-02-03", "Initial assessment"), {}, k_sunday_noon).empty());
  CHECK(free_slots(profile, on("2027-02-05", "Initial assessment"), {}, k_sunday_noon).empty());
  profile.booking.max_advance_days = 0;  // no limit
  CHECK(!free_slots(profile, on("2027-06-02", "Initial assessment"), {}, k_sunday_noon).empty());
}

TEST_CASE("daylight saving: a 90-minute service starting 01:30 on the nights the clocks change") {
  org::Profile profile;
  profile.organization.timezone = "America/New_York";
  profile.services = {{"Night shift exam", 90, 0, "USD", ""}};
  profile.booking.slot_minutes = 30;
  profile.hours.days[6] = {{0, 6 * 60}};  // Sundays 00:00-06:00
  const Instant long_ago = utc_time("2026-01-01", 0);

  SUBCASE("clocks fall back (2026-11-01, 02:00 EDT → 01:00 EST): 01:30 is its first occurrence, 90 real minutes") {
    const auto slots = free_slots(profile, on("2026-11-01", "Night shift exam"), {}, long_ago);
    const auto it = std::find_if(slots.begin(), slots.end(), [](const Slot& s) { return s.local.minute_of_day == 90; });
    REQUIRE(it != slots.end());
    CHECK(it->start == utc_time("2026-11-01", 5, 30));  // 01:30 EDT
    CHECK(it->end == utc_time("2026-11-01", 7, 0));     // 02:00 EST on the wall
    CHECK(LocalClock("America/New_York").local(it->end).minute_of_day == 120);
    // Wall-clock starts 00:00 … 04:30: the last one ends at 06:00 sharp.
    CHECK(slots.size() == 10);
    CHECK(slots.back().local.minute_of_day == 4 * 60 + 30);
  }
  SUBCASE("clocks spring forward (2026-03-08, 02:00 EST → 03:00 EDT): 02:00 and 02:30 do not exist") {
    const auto slots = free_slots(profile, on("2026-03-08", "Night shift exam"), {}, long_ago);
    std::vector<int> minutes;
    for (const Slot& s : slots) minutes.push_back(s.local.minute_of_day);
    CHECK(minutes == std::vector<int>{0, 30, 60, 90, 180, 210, 240, 270});
    const Slot& half_past_one = slots[3];
    CHECK(half_past_one.end - half_past_one.start == 90min);
    CHECK(LocalClock("America/New_York").local(half_past_one.end).minute_of_day == 4 * 60);  // 04:00 EDT
  }
  SUBCASE("00:00-03:00 on the wall that night is two real hours: the last 90-minute start is 00:30") {
    profile.hours.days[6] = {{0, 3 * 60}};
    const auto slots = free_slots(profile, on("2026-03-08", "Night shift exam"), {}, long_ago);
    REQUIRE(!slots.empty());
    CHECK(slots.back().local.minute_of_day == 30);  // ends 03:00 EDT; 01:00 EST would end 03:30 EDT
  }
}

TEST_CASE("an opening to 24:00 goes on into the next day's from 00:00") {
  org::Profile profile;
  profile.organization.timezone = "Europe/Berlin";
  profile.services = {{"Overnight", 90, 0, "USD", ""}};
  profile.booking.slot_minutes = 30;
  profile.hours.days[4] = {{20 * 60, 24 * 60}};  // Friday 20:00-24:00
  profile.hours.days[5] = {{0, 4 * 60}};         // Saturday 00:00-04:00
  const auto slots = free_slots(profile, on("2026-12-11", "Overnight"), {}, utc_time("2026-12-01", 0));
  REQUIRE(!slots.empty());
  CHECK(slots.back().local.minute_of_day == 23 * 60 + 30);
  profile.closures = {{"2026-12-12", "2026-12-12", "inventory"}};
  CHECK(free_slots(profile, on("2026-12-11", "Overnight"), {}, utc_time("2026-12-01", 0)).back().local.minute_of_day ==
        22 * 60 + 30);
}

TEST_CASE("a business without a team books each location as one column") {
  org::Profile profile;
  profile.organization.timezone = "UTC";
  profile.organization.locations = {{"North", "", "", "", std::nullopt, ""}, {"South", "", "", "", std::nullopt, ""}};
  profile.services = {{"Fitting", 30, 0, "USD", ""}};
  profile.hours.days[0] = {{9 * 60, 10 * 60}};
  const auto columns = columns_for(profile, "Fitting");
  REQUIRE(columns.size() == 2);
  CHECK(columns[0].resource == "location:North");
  const std::vector<Busy> busy = {{"location:North", utc_time("2026-12-07", 9), utc_time("2026-12-07", 10)}};
  const auto slots = free_slots(profile, on("2026-12-07", "Fitting"), busy, k_sunday_noon);
  CHECK(starts(slots) == std::vector<std::string>{"2026-12-07 09:00 @South", "2026-12-07 09:30 @South"});
  profile.organization.locations.clear();
  CHECK(columns_for(profile, "Fitting").front().resource == "business");
}

TEST_CASE("free_at: the exact start, with the person asked for or the first free one") {
  const auto profile = clinic();
  const org::LocalDateTime noon{day("2026-12-07"), 12 * 60};
  CHECK(free_at(profile, "Follow-up treatment", noon, "", "", {}, k_sunday_noon)->team_member == "Dr. Elena Park");
  CHECK(free_at(profile, "Follow-up treatment", noon, "Tom Reyes", "", {}, k_sunday_noon)->location == "Brooklyn");
  const std::vector<Busy> park_busy = {{"member:Dr. Elena Park", utc_time("2026-12-07", 17), utc_time("2026-12-07", 18)}};
  CHECK(free_at(profile, "Follow-up treatment", noon, "", "", park_busy, k_sunday_noon)->team_member == "Tom Reyes");
  CHECK(!free_at(profile, "Follow-up treatment", {day("2026-12-07"), 12 * 60 + 10}, "", "", {}, k_sunday_noon));  // off the grid
}

TEST_CASE("pick_for_caller: one per start, spread over the day or a couple per day") {
  const auto profile = clinic();
  const auto one_day = pick_for_caller(free_slots(profile, on("2026-12-07", "Initial assessment"), {}, k_sunday_noon), 4);
  CHECK(starts(one_day) == std::vector<std::string>{"2026-12-07 08:00 Dr. Elena Park@Midtown",
                                                     "2026-12-07 10:00 Dr. Elena Park@Midtown",
                                                     "2026-12-07 12:30 Dr. Elena Park@Midtown",
                                                     "2026-12-07 15:00 Dr. Elena Park@Midtown"});
  SlotQuery week = on("2026-12-07", "Follow-up treatment");
  week.last_day = day("2026-12-13");
  const auto picked = pick_for_caller(free_slots(profile, week, {}, k_sunday_noon), 6);
  REQUIRE(picked.size() == 6);
  CHECK(picked[0].local.date == day("2026-12-07"));
  CHECK(picked[2].local.date == day("2026-12-08"));
  CHECK(picked[4].local.date == day("2026-12-09"));
}
