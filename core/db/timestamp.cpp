// date::parse trips a false -Wmaybe-uninitialized inside date.h at -O2 (GCC 12).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "core/db/timestamp.hpp"

#include <date/date.h>
#include <sstream>

namespace sonoria::db {

TimePoint now_ms() { return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

std::string format_timestamp(TimePoint t) { return date::format("%FT%TZ", t); }

std::optional<TimePoint> parse_timestamp(std::string_view text) {
  for (const char* fmt : {"%FT%TZ", "%FT%T", "%F %T", "%F"}) {
    std::istringstream in{std::string(text)};
    TimePoint t;
    in >> date::parse(fmt, t);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) return t;
  }
  return std::nullopt;
}

}  // namespace sonoria::db
