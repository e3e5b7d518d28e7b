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
#include "core/phone/phone_number.hpp"
#include "core/twilio/rest_request.hpp"

namespace sonoria::daemon {

struct OutboundFacts {
  std::optional<db::TimePoint> last_call_to_number;  // most recent outbound call to the number
  int calls_in_progress = 0;
  db::TimePoint now;
};

// `typed` as a person wrote it, read in the organization's country (org::default_region), or
// for no organization in twilio.from's: the number, or why it is none.
phone::Parsed read_destination(const config::Settings& settings, const org::Profile* profile, std::string_view typed);

// nullopt when calls.outbound lets sonoria call or text `number`, else why not and which setting
// to change: listed in allowed_numbers, or valid in a region of allowed_regions (allow_us_canada
// adds US and CA) with a type of allowed_types. For `sonoria sms` as well as calls.
std::optional<std::string> destination_refusal(const config::OutboundSettings& outbound, const phone::Number& number);

// nullopt when sonoria may text `to` on behalf of `profile` without anyone asking: the caller of a
// call (a link, a confirmation, a message for them), a customer's reminder or cancellation. A
// number destination_refusal allows, or an ordinary line in the organization's own country (a
// line type of calls.outbound.allowed_types); anything else (a foreign caller ID, premium rate, a
// fictional range) only when listed or its region allowed, since a caller chooses the number a
// text goes to, and texts to costly destinations are how SMS pumping fraud is paid. Else why not.
std::optional<std::string> text_refusal(const config::Settings& settings, const org::Profile& profile,
                                        std::string_view to);

// nullopt when the call may be placed, else a sentence saying why not and what to change. The
// checks, in order: destination_refusal, cooldown (calls.outbound.cooldown), capacity
// (calls.max_concurrent).
std::optional<std::string> outbound_refusal(const config::Settings& settings, const phone::Number& number,
                                            const OutboundFacts& facts);

// The caller ID: the organization's first number, else twilio.from; "" when neither is set.
std::string outbound_caller_id(const config::Settings& settings, const org::Profile& profile);

// The Calls.json request for this organization's outbound call to `number`.
twilio::CreateCall outbound_call(const config::Settings& settings, const org::Profile& profile,
                                 const std::string& number, bool machine_detection);

}  // namespace sonoria::daemon
