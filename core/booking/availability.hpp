#pragma once
// When a service can be booked: computed from the profile (opening hours, each location's hours,
// closures, the service's duration, who performs it and when they work, the buffer after each
// appointment, min_notice_hours, max_advance_days) and what is already busy, never guessed.
//
// The book has columns: a team member (busy wherever they work), or, for a business without a
// team, each location (or the business itself when it has no locations). An appointment starts
// on the slot grid (booking.slot_minutes from each opening time, wall clock) and lasts the
// service's duration in real minutes, so across a daylight-saving change it ends at the right
// instant; a start time the clocks skip is not offered, one they repeat is its first occurrence.
// A range that closes at 24:00 continues into one that opens at 00:00 the next day.
//
// Pure functions of their arguments, callable from any thread.

#include <optional>
#include <string>
#include <vector>

#include "core/booking/local_clock.hpp"
#include "core/org/profile.hpp"

namespace sonoria::booking {

// One column of the book able to perform a service at one location.
struct Column {
  std::string resource;            // what is busy: "member:<name>", "location:<name>" or "business"
  std::string team_member;         // "" when the column is a location
  std::string location;            // "" when the business has no locations
  const org::WeeklyHours* hours;   // the member's shift there, or null (the location's hours)

  bool operator==(const Column&) const = default;
};

// Something already in the book (or an external calendar): `resource` is busy over [from, to).
struct Busy {
  std::string resource;
  Instant from;
  Instant to;                      // the appointment's end plus the buffer after it

  bool operator==(const Busy&) const = default;
};

struct Slot {
  Instant start;
  Instant end;
  org::LocalDateTime local;        // the start on the organization's wall clock
  std::string resource;
  std::string team_member;
  std::string location;

  bool operator==(const Slot&) const = default;
};

struct SlotQuery {
  std::string service;             // a [[services]] name, exactly
  std::chrono::year_month_day first_day;  // local dates, inclusive
  std::chrono::year_month_day last_day;
  std::string team_member;         // "" = anyone
  std::string location;            // "" = anywhere
  int earliest_minute = 0;         // a start within [earliest, latest] on the wall clock
  int latest_minute = org::k_minutes_per_day;

  bool operator==(const SlotQuery&) const = default;
};

// The service's columns, in profile order (members in [[team]] order, each at their locations in
// [[organization.locations]] order). Empty when the service is unknown.
std::vector<Column> columns_for(const org::Profile& profile, const std::string& service);

// The local date `now` falls on.
std::chrono::year_month_day local_today(const org::Profile& profile, Instant now);
// When a local date begins on the organization's clock, `day_offset` days on (1 = when it ends),
// as Unix seconds: the bounds of "appointments on these days".
int64_t local_day_start(const org::Profile& profile, std::chrono::year_month_day date, int day_offset = 0);

// Every free start of the query's service, in start order (columns in order for the same start).
// `busy` may hold anything; only the columns' resources matter. Throws DataError for an unknown
// time zone.
std::vector<Slot> free_slots(const org::Profile& profile, const SlotQuery& query, const std::vector<Busy>& busy,
                             Instant now);

// The free column for exactly `start` (the requested member or location, else the first free one
// in column order); nullopt when none is free or `start` is not a start the book offers.
std::optional<Slot> free_at(const org::Profile& profile, const std::string& service, const org::LocalDateTime& start,
                            const std::string& team_member, const std::string& location,
                            const std::vector<Busy>& busy, Instant now);

// The first slot of each start time (slots in start order), dropping the same start in other columns.
std::vector<Slot> one_per_start(const std::vector<Slot>& slots);

// A few slots a person can choose between on the phone: one per start time (the first column),
// spread over the day(s) rather than the first `limit` of the morning, at most `limit`, in order.
std::vector<Slot> pick_for_caller(const std::vector<Slot>& slots, std::size_t limit);

// The busy span an appointment of the service holds from `start` (its end plus the buffer).
Instant busy_until(const org::Profile& profile, Instant end);

}  // namespace sonoria::booking
