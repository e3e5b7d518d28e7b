#pragma once
// Opening hours in time: is the business open at a given instant, until when, and when does it
// next open, all in the organization's IANA time zone (daylight saving included). Weekly hours
// are wall-clock times; a closure covers whole local dates and overrides them. Each range belongs
// to one day: a range ending at 24:00 and one starting at 00:00 the next day are two openings.
//
// Everything here is a pure function of the profile and `now`, callable from any thread, so the
// prompt built for a call is reproducible in tests. The formatting helpers callers need alongside
// (format_hhmm, weekday_name, format_date, format_price) come with this header.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/org/money.hpp"
#include "core/org/profile.hpp"
#include "core/org/time_text.hpp"

namespace sonoria::org {

// A wall-clock time in the organization's zone: minutes since local midnight, 0–1440.
struct LocalTime {
  int minute_of_day = 0;

  bool operator==(const LocalTime&) const = default;
};

// A wall-clock date and time in the organization's zone.
struct LocalDateTime {
  std::chrono::year_month_day date;
  int minute_of_day = 0;

  bool operator==(const LocalDateTime&) const = default;
};

struct DayStatus {
  bool open_now = false;
  // While open: when the current opening ends (ranges that touch, 09:00-12:00 and 12:00-15:00,
  // count as one opening). Empty while closed.
  std::optional<LocalTime> open_until;
  // The next time the doors open after `now` (not the current opening), skipping closures;
  // empty if there is none within 370 days. next_opening_at is the same moment as an instant.
  // An opening time that does not exist because clocks spring forward maps to the moment of
  // the change (02:30 on a 02:00→03:00 day is 03:00).
  std::optional<LocalDateTime> next_opening;
  std::optional<std::chrono::sys_seconds> next_opening_at;
  // The closure that covers today's local date, if any; open_now is then false all day.
  std::optional<Closure> closed_for;
  std::string local_date;  // "2026-03-08"
  std::string local_time;  // "14:05"
  std::string weekday;     // "Sunday"

  bool operator==(const DayStatus&) const = default;
};

inline constexpr int k_next_opening_search_days = 370;

// The business at `now`. Throws sonoria::DataError if the profile's time zone is unknown;
// closures whose dates do not parse and ranges that do not close after they open are ignored
// (validation reports them).
DayStatus day_status(const Profile& profile, std::chrono::sys_seconds now);

// Closures that cover any local date from today through today + days - 1, including one in
// progress, ordered by start date. Throws sonoria::DataError if the time zone is unknown.
std::vector<Closure> upcoming_closures(const Profile& profile, std::chrono::sys_seconds now, int days);

// "Monday 2026-03-09 09:00".
std::string format_local_date_time(const LocalDateTime& when);

}  // namespace sonoria::org
