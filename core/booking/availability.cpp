#include "core/booking/availability.hpp"

#include <algorithm>

namespace sonoria::booking {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

year_month_day add_days(year_month_day date, int n) { return year_month_day{sys_days{date} + days{n}}; }

bool closed_on(const org::Profile& profile, year_month_day date) {
  for (const org::Closure& closure : profile.closures) {
    const auto from = org::parse_date(closure.from);
    const auto to = org::parse_date(closure.to);
    if (from && to && !(date < *from) && !(*to < date)) return true;
  }
  return false;
}

// A day's ranges in order, overlapping or touching ones joined, empty or reversed ones dropped.
std::vector<org::TimeRange> merged(const std::vector<org::TimeRange>& day) {
  std::vector<org::TimeRange> ranges;
  for (const org::TimeRange& range : day)
    if (range.close_minute > range.open_minute) ranges.push_back(range);
  std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) { return a.open_minute < b.open_minute; });
  std::vector<org::TimeRange> out;
  for (const org::TimeRange& range : ranges) {
    if (!out.empty() && range.open_minute <= out.back().close_minute)
      out.back().close_minute = std::max(out.back().close_minute, range.close_minute);
    else
      out.push_back(range);
  }
  return out;
}

std::vector<org::TimeRange> intersect(const std::vector<org::TimeRange>& a, const std::vector<org::TimeRange>& b) {
  std::vector<org::TimeRange> out;
  for (const auto& x : a)
    for (const auto& y : b) {
      const int open = std::max(x.open_minute, y.open_minute);
      const int close = std::min(x.close_minute, y.close_minute);
      if (close > open) out.push_back({open, close});
    }
  return merged(out);
}

const org::WeeklyHours& location_hours(const org::Profile& profile, const std::string& location) {
  for (const org::Location& l : profile.organization.locations)
    if (l.name == location && l.hours) return *l.hours;
  return profile.hours;
}

// When the column takes appointments on `date` (not counting closures).
std::vector<org::TimeRange> column_ranges(const org::Profile& profile, const Column& column, year_month_day date) {
  const int weekday = org::weekday_index(date);
  auto ranges = merged(location_hours(profile, column.location).days[weekday]);
  if (column.hours) ranges = intersect(ranges, merged(column.hours->days[weekday]));
  return ranges;
}

const org::Service* find_service(const org::Profile& profile, const std::string& name) {
  for (const org::Service& service : profile.services)
    if (service.name == name) return &service;
  return nullptr;
}

bool performs(const org::TeamMember& member, const std::string& service) {
  return member.services.empty() || std::find(member.services.begin(), member.services.end(), service) != member.services.end();
}

// The end of the opening that `range` on `date` belongs to: a range closing at 24:00 goes on into
// the next day's range from 00:00 (an overnight practice), a week at most.
org::LocalDateTime opening_end(const org::Profile& profile, const Column& column, year_month_day date,
                               const org::TimeRange& range) {
  org::LocalDateTime end{date, range.close_minute};
  for (int hop = 0; hop < 7 && end.minute_of_day == org::k_minutes_per_day; ++hop) {
    const year_month_day next = add_days(end.date, 1);
    if (closed_on(profile, next)) break;
    const auto ranges = column_ranges(profile, column, next);
    if (ranges.empty() || ranges.front().open_minute != 0) break;
    end = {next, ranges.front().close_minute};
  }
  return end;
}

bool is_busy(const std::vector<Busy>& busy, const std::string& resource, Instant start, Instant until) {
  for (const Busy& b : busy)
    if (b.resource == resource && start < b.to && b.from < until) return true;
  return false;
}

}  // namespace

std::vector<Column> columns_for(const org::Profile& profile, const std::string& service) {
  std::vector<Column> columns;
  if (!find_service(profile, service)) return columns;
  const auto& locations = profile.organization.locations;
  if (!profile.team.empty()) {
    for (const org::TeamMember& member : profile.team) {
      if (!performs(member, service)) continue;
      const std::string resource = "member:" + member.name;
      if (member.schedule.empty()) {
        if (locations.empty()) columns.push_back({resource, member.name, "", nullptr});
        for (const org::Location& location : locations) columns.push_back({resource, member.name, location.name, nullptr});
        continue;
      }
      for (const org::WorkShift& shift : member.schedule) {
        std::string location = shift.location;
        if (location.empty() && locations.size() == 1) location = locations.front().name;
        columns.push_back({resource, member.name, location, &shift.hours});
      }
    }
    return columns;
  }
  if (locations.empty()) columns.push_back({"business", "", "", nullptr});
  for (const org::Location& location : locations) columns.push_back({"location:" + location.name, "", location.name, nullptr});
  return columns;
}

year_month_day local_today(const org::Profile& profile, Instant now) {
  return LocalClock(profile.organization.timezone).local(now).date;
}

int64_t local_day_start(const org::Profile& profile, year_month_day date, int day_offset) {
  return LocalClock(profile.organization.timezone).instant_or_after({add_days(date, day_offset), 0}).time_since_epoch().count();
}

Instant busy_until(const org::Profile& profile, Instant end) {
  return end + std::chrono::minutes{profile.booking.buffer_minutes};
}

std::vector<Slot> free_slots(const org::Profile& profile, const SlotQuery& query, const std::vector<Busy>& busy,
                             Instant now) {
  std::vector<Slot> slots;
  const org::Service* service = find_service(profile, query.service);
  if (!service || service->duration_minutes <= 0) return slots;
  const LocalClock clock(profile.organization.timezone);
  const year_month_day today = clock.local(now).date;
  const Instant earliest_start = now + std::chrono::hours{profile.booking.min_notice_hours};
  const auto duration = std::chrono::minutes{service->duration_minutes};
  const int step = std::max(1, profile.booking.slot_minutes);

  std::vector<Column> columns;
  for (Column& column : columns_for(profile, query.service)) {
    if (!query.team_member.empty() && column.team_member != query.team_member) continue;
    if (!query.location.empty() && column.location != query.location) continue;
    columns.push_back(std::move(column));
  }

  year_month_day date = query.first_day < today ? today : query.first_day;
  for (; !(query.last_day < date); date = add_days(date, 1)) {
    if (profile.booking.max_advance_days > 0 && add_days(today, profile.booking.max_advance_days) < date) break;
    if (closed_on(profile, date)) continue;
    for (const Column& column : columns) {
      for (const org::TimeRange& range : column_ranges(profile, column, date)) {
        const Instant close = clock.instant_or_after(opening_end(profile, column, date, range));
        for (int minute = range.open_minute; minute < range.close_minute; minute += step) {
          if (minute < query.earliest_minute || minute > query.latest_minute) continue;
          const org::LocalDateTime local{date, minute};
          const auto start = clock.instant(local);
          if (!start) continue;  // the clocks skip it
          const Instant end = *start + duration;
          if (end > close) break;
          if (*start < earliest_start) continue;
          if (is_busy(busy, column.resource, *start, busy_until(profile, end))) continue;
          slots.push_back({*start, end, local, column.resource, column.team_member, column.location});
        }
      }
    }
  }
  std::stable_sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.start < b.start; });
  return slots;
}

std::optional<Slot> free_at(const org::Profile& profile, const std::string& service, const org::LocalDateTime& start,
                            const std::string& team_member, const std::string& location,
                            const std::vector<Busy>& busy, Instant now) {
  SlotQuery query;
  query.service = service;
  query.first_day = query.last_day = start.date;
  query.team_member = team_member;
  query.location = location;
  query.earliest_minute = query.latest_minute = start.minute_of_day;
  const auto slots = free_slots(profile, query, busy, now);
  if (slots.empty()) return std::nullopt;
  return slots.front();
}

std::vector<Slot> one_per_start(const std::vector<Slot>& slots) {
  std::vector<Slot> unique;
  for (const Slot& slot : slots)
    if (unique.empty() || unique.back().start != slot.start) unique.push_back(slot);
  return unique;
}

std::vector<Slot> pick_for_caller(const std::vector<Slot>& slots, std::size_t limit) {
  const std::vector<Slot> unique = one_per_start(slots);
  if (limit == 0) return {};

  std::vector<std::vector<Slot>> by_day;
  for (const Slot& slot : unique) {
    if (by_day.empty() || by_day.back().front().local.date != slot.local.date) by_day.emplace_back();
    by_day.back().push_back(slot);
  }
  // A couple per day over the first days, or more of a single day; evenly spread within a day.
  const std::size_t per_day = by_day.size() <= 1 ? limit : std::max<std::size_t>(2, (limit + by_day.size() - 1) / by_day.size());
  std::vector<Slot> picked;
  for (const auto& day : by_day) {
    const std::size_t take = std::min({per_day, day.size(), limit - picked.size()});
    for (std::size_t i = 0; i < take; ++i) {
      const std::size_t index = take == 1 ? 0 : i * (day.size() - 1) / (take - 1);
      picked.push_back(day[index]);
    }
    if (picked.size() >= limit) break;
  }
  return picked;
}

}  // namespace sonoria::booking
