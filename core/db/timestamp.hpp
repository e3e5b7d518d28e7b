#pragma once
// Stored times: ISO-8601 UTC with milliseconds, "2026-11-23T21:18:46.123Z".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sonoria::db {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

TimePoint now_ms();
std::string format_timestamp(TimePoint t);
// Accepts the stored form, and also "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SSZ". nullopt otherwise.
std::optional<TimePoint> parse_timestamp(std::string_view text);

}  // namespace sonoria::db
