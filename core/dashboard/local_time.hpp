#pragma once
// Times as an owner reads them: in the organization's time zone, with the weekday. Pure.

#include <string>

namespace sonoria::dashboard {

// A stored timestamp ("2026-12-05T14:03:07.120Z") in `timezone` as "Sat 05 Dec 2026 14:03"; UTC
// (marked " UTC") when the zone is empty or unknown; the text as it is when it is not a timestamp.
std::string local_time_text(const std::string& timestamp, const std::string& timezone);

}  // namespace sonoria::dashboard
