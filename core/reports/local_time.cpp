// date::parse trips a false -Wmaybe-uninitialized inside date.h at -O2 (GCC 12).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "core/reports/local_time.hpp"

#include <date/tz.h>

#include "core/db/timestamp.hpp"

namespace sonoria::reports {

TimeDisplay::TimeDisplay(const std::string& timezone) {
  if (timezone.empty() || timezone == "UTC" || timezone == "Etc/UTC") return;
  try {
    zone_ = date::locate_zone(timezone);
  } catch (const std::exception&) {
    zone_ = nullptr;  // validated on import; a zone the system lost shows UTC rather than nothing
  }
}

std::string TimeDisplay::show(std::string_view utc) const {
  if (!zone_) return std::string(utc);
  const auto at = db::parse_timestamp(utc);
  if (!at) return std::string(utc);
  const date::zoned_time<std::chrono::milliseconds> local(zone_, *at);
  return date::format("%FT%T%Ez", local);
}

}  // namespace sonoria::reports
