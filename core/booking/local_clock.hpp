#pragma once
// Wall-clock time in one IANA time zone and back, with daylight saving spelled out: a local time
// that does not exist (02:30 on the night clocks spring forward) has no instant, and one that
// exists twice (01:30 on the night they fall back) means its first occurrence. Pure and
// callable from any thread.

#include <chrono>
#include <optional>
#include <string>

#include "core/org/schedule.hpp"

namespace date {
class time_zone;
}

namespace sonoria::booking {

using Instant = std::chrono::sys_seconds;

class LocalClock {
 public:
  // Throws sonoria::DataError naming the zone when it is not a known IANA time zone.
  explicit LocalClock(const std::string& timezone);

  // The instant of a local date and minute (minute 1440 is the next day's midnight); nullopt when
  // clocks skip it.
  std::optional<Instant> instant(const org::LocalDateTime& local) const;
  // As instant(), but a skipped time maps to the moment clocks skip to (a closing time of 02:30 on
  // a 02:00→03:00 night closes at 03:00).
  Instant instant_or_after(const org::LocalDateTime& local) const;
  // The local date and minute of an instant (seconds dropped).
  org::LocalDateTime local(Instant at) const;

 private:
  const date::time_zone* zone_;
};

// Parses "YYYY-MM-DD HH:MM" (or with a "T"); nullopt for anything else.
std::optional<org::LocalDateTime> parse_local_date_time(std::string_view text);
// "2026-03-10 10:00".
std::string format_local(const org::LocalDateTime& local);

}  // namespace sonoria::booking
