#pragma once
// The tools that text someone during a call, from the organization's SMS templates:
//   send_booking_link(customer_name?, service?)        → SendSms to the caller (booking_url)
//   send_reschedule_link(customer_name?, service?)     → SendSms to the caller (portal_url)
//   send_cancellation_link(customer_name?, service?)   → SendSms to the caller (portal_url)
//   notify_owner(caller_name, message, callback_number?) → SendSms to the owner's phone
// A tool is offered only when it can work: its link (or the owner's phone) is in the profile (the
// links only with booking.mode = "link") and
// the caller's number is known (for texts to the caller). An empty template falls back to a
// built-in text. Placeholders are those of org/templates.hpp; unknown ones were already refused
// at `org import`.
//
// The handlers only decide and render; the daemon sends the text (SendSms effect) and then calls
// finish_sms_outcome() to tell the model what really happened.

#include <optional>
#include <string>

#include "core/db/records.hpp"
#include "core/org/profile.hpp"
#include "core/tools/registry.hpp"

namespace sonoria::tools {

struct CallParties {
  std::string caller_number;         // E.164 of the person on the line ("" when withheld)
  std::string business_number;       // the organization's number on this call
};

// Adds the messaging tools that can work for `profile` on this call; `profile` must outlive the
// registry (the handlers read it). Throws std::invalid_argument
// only if one is already registered.
void add_messaging_tools(Registry& registry, const org::Profile& profile, const CallParties& parties);

// The placeholder values for a text on this call; `arguments` supplies customer_name, service,
// message (any may be missing).
std::map<std::string, std::string> template_values(const org::Profile& profile, const CallParties& parties,
                                                    const nlohmann::json& arguments);

// The model's output once the text was sent (message_sid set) or failed (error set: a sentence
// for the model, e.g. Twilio's explanation). Keeps the outcome's repeat_key; ok follows success.
// The record of a text to store: who, what and why from `sms`, sent `from` now; the sender fills in
// what Twilio said (message_sid, status, error).
db::MessageRecord text_record(std::optional<int64_t> organization_id, const SendSms& sms, const std::string& from);

ToolOutcome finish_sms_outcome(const ToolOutcome& provisional, const SendSms& sms,
                               const std::optional<std::string>& message_sid, const std::string& error);

}  // namespace sonoria::tools
