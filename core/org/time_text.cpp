#include "core/org/time_text.hpp"

#include <array>
#include <cstdio>

namespace sonoria::org {
namespace {

constexpr std::array<std::string_view, 7> k_weekday_names = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 7> k_weekday_keys = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Digits only: "+1" or " 1" are not numbers in these formats.
std::optional<int> digits(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

std::optional<int> parse_hhmm(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const auto hours = digits(text.substr(0, 2));
  const auto minutes = digits(text.substr(3, 2));
  if (!hours || !minutes || *minutes > 59) return std::nullopt;
  if (*hours == 24 && *minutes == 0) return k_minutes_per_day;
  if (*hours > 23) return std::nullopt;
  return *hours * 60 + *minutes;
}

std::string format_hhmm(int minute_of_day) {
  if (minute_of_day < 0) return "-" + format_hhmm(-minute_of_day);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return buffer;
}

std::optional<TimeRange> parse_time_range(std::string_view text) {
  if (text.size() != 11 || text[5] != '-') return std::nullopt;
  const auto open = parse_hhmm(text.substr(0, 5));
  const auto close = parse_hhmm(text.substr(6, 5));
  if (!open || !close) return std::nullopt;
  return TimeRange{*open, *close};
}

std::string format_time_range(const TimeRange& range) {
  return format_hhmm(range.open_minute) + "-" + format_hhmm(range.close_minute);
}

std::optional<std::chrono::year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = digits(text.substr(0, 4));
  const auto month = digits(text.substr(5, 2));
  const auto day = digits(text.substr(8, 2));
  if (!year || !month || !day) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_date(std::chrono::year_month_day date) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

std::string_view weekday_name(int index) {
  return index >= 0 && index < 7 ? k_weekday_names[static_cast<std::size_t>(index)] : std::string_view{};
}

std::string_view weekday_key(int index) {
  return index >= 0 && index < 7 ? k_weekday_keys[static_cast<std::size_t>(index)] : std::string_view{};
}

int weekday_index(std::chrono::year_month_day date) {
  return static_cast<int>(std::chrono::weekday{std::chrono::sys_days{date}}.iso_encoding()) - 1;
}

}  // namespace sonoria::org
