#pragma once
// Outbound calls (`sonoria call`, POST /api/calls): the policy checks before dialling and the
// Twilio request that makes the call stream back to this daemon exactly like an inbound one
// (Url = public_url/twilio/voice?org=ID, status callbacks with every event). Pure functions;
// the callers do the database reads and the REST call.

#include <chrono>
#include <optional>
#include <string>

#include "core/config/settings.hpp"
#include "core/db/timestamp.hpp"
#include "core/org/profile.hpp"
#include "core/twilio/rest_request.hpp"

namespace sonoria::daemon {

struct OutboundFacts {
  std::optional<db::TimePoint> last_call_to_number;  // most recent outbound call to the number
  int calls_in_progress = 0;
  db::TimePoint now;
};

// nullopt when the call may be placed, else a sentence saying why not and what to change. The
// checks, in order: E.164 form, allow-list (calls.outbound.allowed_numbers, or +1 numbers with
// allow_us_canada), cooldown (calls.outbound.cooldown), capacity (calls.max_concurrent).
std::optional<std::string> outbound_refusal(const config::Settings& settings, const std::string& number,
                                            const OutboundFacts& facts);

// The caller ID: the organization's first number, else twilio.from; "" when neither is set.
std::string outbound_caller_id(const config::Settings& settings, const org::Profile& profile);

// The Calls.json request for this organization's outbound call to `number`.
twilio::CreateCall outbound_call(const config::Settings& settings, const org::Profile& profile,
                                 const std::string& number, bool machine_detection);

}  // namespace sonoria::daemon
