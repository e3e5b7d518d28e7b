#include "core/reports/time_spec.hpp"

#include "core/config/duration.hpp"
#include "core/error.hpp"

namespace sonoria::reports {

std::optional<db::TimePoint> parse_time_spec(std::string_view text, db::TimePoint now) {
  if (text.empty()) return std::nullopt;
  if (auto t = db::parse_timestamp(text)) return t;
  if (auto d = config::parse_duration(text)) return now - *d;
  return std::nullopt;
}

db::TimePoint time_spec_or_throw(const std::string& flag, std::string_view text, db::TimePoint now) {
  if (auto t = parse_time_spec(text, now)) return *t;
  throw UserError(flag + " \"" + std::string(text) +
                      "\" is not a time (expected YYYY-MM-DD, an ISO time like 2026-11-01T09:30:00Z, "
                      "or a duration ago like 7d or 12h)",
                  ExitCode::usage);
}

}  // namespace sonoria::reports
