#pragma once
// Times as an organization reads them: the database keeps UTC ("2026-11-23T21:18:46.123Z");
// `calls list`, `calls show` and exports show them in the organization's time zone with its
// offset ("2026-11-23T16:18:46.123-05:00"), the same instant in ISO 8601, or as stored with --utc.

#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace sonoria::reports {

class TimeDisplay {
 public:
  TimeDisplay() = default;  // UTC: times as stored
  // An IANA zone ("America/New_York"); "" or a zone the system does not know means UTC.
  explicit TimeDisplay(const std::string& timezone);

  // `utc` as stored, in this zone with its offset; unchanged in UTC or when it is not a timestamp.
  std::string show(std::string_view utc) const;
  bool is_utc() const { return zone_ == nullptr; }

 private:
  const date::time_zone* zone_ = nullptr;
};

}  // namespace sonoria::reports
