#pragma once
// The system prompt the engine gets at the start of a call, built from the business profile
// and a point in time. Deterministic: the same profile, `now` and options give the same text.
// Pure functions, callable from any thread.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/org/profile.hpp"

namespace sonoria::prompt {

struct PromptOptions {
  bool outbound = false;  // the assistant placed the call: it introduces itself as an AI
  // The tools the engine is given; guidance is written only for these.
  std::vector<std::string> tools = {"send_booking_link", "send_reschedule_link", "send_cancellation_link",
                                    "notify_owner",      "transfer_call",        "end_call"};
  int closure_horizon_days = 60;
};

// Throws sonoria::DataError when the profile's time zone is unknown.
std::string build_system_prompt(const org::Profile& profile, std::chrono::sys_seconds now,
                                const PromptOptions& options = {});

// The instruction for the first response (the assistant speaks first): the profile's greeting,
// or one built from the names.
std::string greeting_instruction(const org::Profile& profile, bool outbound);

// A transfer to a person was not answered (`dial_status` is Twilio's DialCallStatus: busy,
// no-answer, failed, canceled) and the caller is back with the assistant. `earlier` is the
// conversation so far as (speaker, text) pairs. The first is appended to the system prompt (what
// happened, the conversation so far, and: take a message with notify_owner, then end the call);
// the second is how the assistant resumes speaking.
std::string after_unanswered_transfer(const org::Profile& profile, std::string_view dial_status,
                                      const std::vector<std::pair<std::string, std::string>>& earlier);
std::string after_unanswered_transfer_greeting(const org::Profile& profile);

}  // namespace sonoria::prompt
