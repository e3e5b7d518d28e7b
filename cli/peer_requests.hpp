#pragma once
// Blocking requests to peers from the CLI, each on a private io_context (Asio stays in
// peer_requests.cpp): a text through Twilio, and removing an appointment's Google Calendar event.

#include <string>

#include "core/config/settings.hpp"
#include "core/twilio/rest_client.hpp"

namespace sonoria::cli {

twilio::MessageResult send_text_message(const twilio::RestAccount& account, const twilio::CreateMessage& message);

// Deletes the event (an event already gone counts as deleted); "" on success, else what went wrong.
std::string delete_calendar_event(const config::GoogleSettings& settings, const std::string& calendar_id,
                                  const std::string& event_id);

}  // namespace sonoria::cli
