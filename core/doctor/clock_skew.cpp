#include "core/doctor/clock_skew.hpp"

#include <array>
#include <charconv>
#include <cstdlib>
#include <string>

namespace sonoria::doctor {

namespace {

constexpr std::array<std::string_view, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool number(std::string_view text, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view t) {
  // "Mon, 07 Dec 2026 05:30:00 GMT": fixed positions.
  if (t.size() != 29 || t[3] != ',' || t[4] != ' ' || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' || t[19] != ':' ||
      t[22] != ':' || t[25] != ' ' || t.substr(26) != "GMT")
    return std::nullopt;
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (!number(t.substr(5, 2), day) || !number(t.substr(12, 4), year) || !number(t.substr(17, 2), hour) ||
      !number(t.substr(20, 2), minute) || !number(t.substr(23, 2), second))
    return std::nullopt;
  unsigned month = 0;
  for (unsigned i = 0; i < k_months.size(); ++i)
    if (t.substr(8, 3) == k_months[i]) month = i + 1;
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (month == 0 || !date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return std::chrono::sys_days{date} + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second);
}

Check check_clock(std::optional<std::string_view> date_header, std::chrono::sys_seconds local_now,
                  std::chrono::milliseconds round_trip) {
  Check c{"clock", Status::ok, "", ""};
  const auto theirs = date_header ? parse_http_date(*date_header) : std::nullopt;
  if (!theirs) {
    c.status = Status::skipped;
    c.detail = "Twilio's answer carried no date to compare with";
    return c;
  }
  const auto slack = std::chrono::ceil<std::chrono::seconds>(round_trip) + std::chrono::seconds(1);
  const auto apart = std::chrono::abs(local_now - *theirs);
  const auto off = apart > slack ? apart - slack : std::chrono::seconds(0);
  if (off >= std::chrono::minutes(5)) c.status = Status::failed;
  else if (off >= std::chrono::seconds(5)) c.status = Status::warning;
  const std::string direction = local_now > *theirs ? "ahead of" : "behind";
  c.detail = off.count() == 0 ? "agrees with Twilio's to the second"
                              : "this machine's clock is about " + std::to_string(off.count()) + " s " + direction + " Twilio's";
  if (c.status != Status::ok) c.fix = "synchronise the clock (systemd-timesyncd or chrony: `timedatectl set-ntp true`)";
  return c;
}

}  // namespace sonoria::doctor
