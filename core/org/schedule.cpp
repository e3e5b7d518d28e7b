#include "core/org/schedule.hpp"

#include <date/tz.h>

#include <algorithm>

#include "core/error.hpp"

namespace sonoria::org {
namespace {

using std::chrono::sys_days;
using std::chrono::year_month_day;

const date::time_zone* zone_of(const Profile& profile) {
  try {
    return date::locate_zone(profile.organization.timezone);
  } catch (const std::exception& error) {
    throw DataError("organization.timezone: \"" + profile.organization.timezone +
                    "\" is not a known IANA time zone (" + error.what() + ")");
  }
}

struct LocalNow {
  year_month_day date;
  int minute_of_day = 0;
};

LocalNow local_now(const date::time_zone& zone, std::chrono::sys_seconds now) {
  const auto local = zone.to_local(now);
  const auto local_midnight = date::floor<date::days>(local);
  // Days since 1970-01-01 on the local calendar; std::chrono's calendar does the rest.
  const sys_days day{std::chrono::days{local_midnight.time_since_epoch().count()}};
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(local - local_midnight);
  return {year_month_day{day}, static_cast<int>(minutes.count())};
}

std::chrono::sys_seconds instant_of(const date::time_zone& zone, const LocalDateTime& when) {
  const auto local_seconds = std::chrono::seconds{sys_days{when.date}.time_since_epoch()} +
                             std::chrono::minutes{when.minute_of_day};
  return zone.to_sys(date::local_seconds{local_seconds}, date::choose::earliest);
}

struct DateSpan {
  year_month_day from;
  year_month_day to;
  const Closure* closure;
};

// Closures with usable dates; the rest are validation's business.
std::vector<DateSpan> closure_spans(const Profile& profile) {
  std::vector<DateSpan> spans;
  for (const Closure& closure : profile.closures) {
    const auto from = parse_date(closure.from);
    const auto to = parse_date(closure.to);
    if (from && to && !(*to < *from)) spans.push_back({*from, *to, &closure});
  }
  return spans;
}

const Closure* closure_on(const std::vector<DateSpan>& spans, year_month_day date) {
  for (const DateSpan& span : spans) {
    if (!(date < span.from) && !(span.to < date)) return span.closure;
  }
  return nullptr;
}

// The day's openings in order, with overlapping or touching ranges joined.
std::vector<TimeRange> openings(const WeeklyHours& hours, int weekday) {
  std::vector<TimeRange> ranges;
  for (const TimeRange& range : hours.days[weekday]) {
    if (range.close_minute > range.open_minute) ranges.push_back(range);
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const TimeRange& a, const TimeRange& b) { return a.open_minute < b.open_minute; });
  std::vector<TimeRange> merged;
  for (const TimeRange& range : ranges) {
    if (!merged.empty() && range.open_minute <= merged.back().close_minute) {
      merged.back().close_minute = std::max(merged.back().close_minute, range.close_minute);
    } else {
      merged.push_back(range);
    }
  }
  return merged;
}

}  // namespace

DayStatus day_status(const Profile& profile, std::chrono::sys_seconds now) {
  const date::time_zone& zone = *zone_of(profile);
  const LocalNow here = local_now(zone, now);
  const std::vector<DateSpan> spans = closure_spans(profile);

  DayStatus status;
  status.local_date = format_date(here.date);
  status.local_time = format_hhmm(here.minute_of_day);
  status.weekday = std::string(weekday_name(weekday_index(here.date)));
  if (const Closure* closure = closure_on(spans, here.date)) status.closed_for = *closure;

  if (!status.closed_for) {
    for (const TimeRange& opening : openings(profile.hours, weekday_index(here.date))) {
      if (opening.open_minute <= here.minute_of_day && here.minute_of_day < opening.close_minute) {
        status.open_now = true;
        status.open_until = LocalTime{opening.close_minute};
      }
    }
  }

  for (int offset = 0; offset <= k_next_opening_search_days && !status.next_opening; ++offset) {
    const year_month_day date{sys_days{here.date} + std::chrono::days{offset}};
    if (closure_on(spans, date)) continue;
    for (const TimeRange& opening : openings(profile.hours, weekday_index(date))) {
      if (offset == 0 && opening.open_minute <= here.minute_of_day) continue;
      status.next_opening = LocalDateTime{date, opening.open_minute};
      status.next_opening_at = instant_of(zone, *status.next_opening);
      break;
    }
  }
  return status;
}

std::vector<Closure> upcoming_closures(const Profile& profile, std::chrono::sys_seconds now, int days) {
  const date::time_zone& zone = *zone_of(profile);
  const year_month_day today = local_now(zone, now).date;
  const year_month_day last{sys_days{today} + std::chrono::days{days - 1}};
  std::vector<DateSpan> spans = closure_spans(profile);
  std::stable_sort(spans.begin(), spans.end(), [](const DateSpan& a, const DateSpan& b) { return a.from < b.from; });
  std::vector<Closure> upcoming;
  if (days <= 0) return upcoming;
  for (const DateSpan& span : spans) {
    if (!(span.to < today) && !(last < span.from)) upcoming.push_back(*span.closure);
  }
  return upcoming;
}

std::string format_local_date_time(const LocalDateTime& when) {
  return std::string(weekday_name(weekday_index(when.date))) + " " + format_date(when.date) + " " +
         format_hhmm(when.minute_of_day);
}

}  // namespace sonoria::org
