#include "core/dashboard/local_time.hpp"

#include <date/tz.h>

#include "core/db/timestamp.hpp"

namespace sonoria::dashboard {

std::string local_time_text(const std::string& timestamp, const std::string& timezone) {
  const auto t = db::parse_timestamp(timestamp);
  if (!t) return timestamp;
  const auto minutes = std::chrono::floor<std::chrono::minutes>(*t);
  const date::time_zone* zone = nullptr;
  if (!timezone.empty()) {
    try {
      zone = date::locate_zone(timezone);
    } catch (const std::exception&) {
      zone = nullptr;
    }
  }
  if (!zone) return date::format("%a %d %b %Y %H:%M UTC", minutes);
  return date::format("%a %d %b %Y %H:%M", date::make_zoned(zone, minutes));
}

}  // namespace sonoria::dashboard
