#include "core/booking/local_clock.hpp"

#include <date/tz.h>

#include "core/error.hpp"
#include "core/org/time_text.hpp"

namespace sonoria::booking {
namespace {

date::local_seconds local_seconds_of(const org::LocalDateTime& local) {
  return date::local_seconds{std::chrono::seconds{std::chrono::sys_days{local.date}.time_since_epoch()} +
                             std::chrono::minutes{local.minute_of_day}};
}

}  // namespace

LocalClock::LocalClock(const std::string& timezone) {
  try {
    zone_ = date::locate_zone(timezone);
  } catch (const std::exception& error) {
    throw DataError("organization.timezone: \"" + timezone + "\" is not a known IANA time zone (" + error.what() + ")");
  }
}

std::optional<Instant> LocalClock::instant(const org::LocalDateTime& local) const {
  const auto info = zone_->get_info(local_seconds_of(local));
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:
      return std::chrono::time_point_cast<std::chrono::seconds>(
          Instant{local_seconds_of(local).time_since_epoch() - info.first.offset});
    case date::local_info::nonexistent:
      break;
  }
  return std::nullopt;
}

Instant LocalClock::instant_or_after(const org::LocalDateTime& local) const {
  return zone_->to_sys(local_seconds_of(local), date::choose::earliest);
}

org::LocalDateTime LocalClock::local(Instant at) const {
  const auto here = zone_->to_local(at);
  const auto midnight = date::floor<date::days>(here);
  const std::chrono::sys_days day{std::chrono::days{midnight.time_since_epoch().count()}};
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(here - midnight);
  return {std::chrono::year_month_day{day}, static_cast<int>(minutes.count())};
}

std::optional<org::LocalDateTime> parse_local_date_time(std::string_view text) {
  if (text.size() != 16 || (text[10] != ' ' && text[10] != 'T')) return std::nullopt;
  const auto date = org::parse_date(text.substr(0, 10));
  const auto minute = org::parse_hhmm(text.substr(11, 5));
  if (!date || !minute || *minute >= org::k_minutes_per_day) return std::nullopt;
  return org::LocalDateTime{*date, *minute};
}

std::string format_local(const org::LocalDateTime& local) {
  return org::format_date(local.date) + " " + org::format_hhmm(local.minute_of_day);
}

}  // namespace sonoria::booking
