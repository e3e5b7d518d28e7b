#pragma once
// Wall-clock text as written in profiles: "HH:MM", "HH:MM-HH:MM", "YYYY-MM-DD" and weekday
// names. Parsers return std::nullopt for anything that is not exactly that shape; they never
// throw. Pure functions, callable from any thread.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/org/profile.hpp"

namespace sonoria::org {

inline constexpr int k_minutes_per_day = 24 * 60;

// "09:30" → 570. Hours 00–23 and minutes 00–59, two digits each; "24:00" (the end of the day,
// for ranges that close at midnight) → 1440.
std::optional<int> parse_hhmm(std::string_view text);
// 570 → "09:30", 1440 → "24:00". Values outside the day are written as they are ("-0:05").
std::string format_hhmm(int minute_of_day);

// "09:00-12:30" → {540, 750}. Only the shape is checked here; that the range closes after it
// opens is a validation rule (profile_validate.hpp), so the message can say which rule failed.
std::optional<TimeRange> parse_time_range(std::string_view text);
std::string format_time_range(const TimeRange& range);

// "2026-12-24" → that date, if it exists on the calendar (no 2026-02-30).
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);
std::string format_date(std::chrono::year_month_day date);

// Index 0 = Monday … 6 = Sunday, as in WeeklyHours. Out-of-range indexes give "".
std::string_view weekday_name(int index);  // "Monday"
std::string_view weekday_key(int index);   // "monday", the key in [hours]
int weekday_index(std::chrono::year_month_day date);

}  // namespace sonoria::org
