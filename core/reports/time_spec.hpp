#pragma once
// Points in time as operators type them on the command line or in an API query:
// "2026-11-01" (midnight UTC), "2026-11-01T09:30:00Z" (ISO time, milliseconds optional), or a
// duration meaning "that long ago": "7d", "12h", "90m", "1h30m". Pure; any thread.

#include <optional>
#include <string>
#include <string_view>

#include "core/db/timestamp.hpp"

namespace sonoria::reports {

// nullopt for anything else.
std::optional<db::TimePoint> parse_time_spec(std::string_view text, db::TimePoint now);

// The same, for a command-line flag: throws UserError (exit code 2, usage) naming the flag and
// the value: `--since "yesterday" is not a time (expected YYYY-MM-DD, an ISO time like …)`.
db::TimePoint time_spec_or_throw(const std::string& flag, std::string_view text, db::TimePoint now);

}  // namespace sonoria::reports
