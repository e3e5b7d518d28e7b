#pragma once
// Whether this machine's clock agrees with Twilio's: the Date header of a Twilio answer against
// the local time. A clock far off breaks TLS certificate checks and makes every timestamp in the
// records wrong. Pure.

#include <chrono>
#include <optional>
#include <string_view>

#include "core/doctor/check.hpp"

namespace sonoria::doctor {

// An HTTP date, IMF-fixdate (RFC 7231 §7.1.1.1): "Mon, 07 Dec 2026 05:30:00 GMT". nullopt for
// anything else.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text);

// A warning from 5 s apart, a failure from 5 minutes; `round_trip` (how long the request took)
// is allowed on top, as the header was written somewhere within it.
Check check_clock(std::optional<std::string_view> date_header, std::chrono::sys_seconds local_now,
                  std::chrono::milliseconds round_trip);

}  // namespace sonoria::doctor
