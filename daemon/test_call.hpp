#pragma once
// "Talk to your assistant": a call placed from the dashboard. The browser captures the
// microphone and speaks Twilio's Media Streams protocol (8 kHz µ-law, `start` carrying the
// call's token) over an authenticated WebSocket, so the call takes the same path as a phone
// call — admission, the engine pre-warmed while the page connects, the call core, tools and
// records — marked as a test call (`calls.test_by`). See daemon/dashboard_assets/talk.js.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/org/profile.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {

struct TestCallRequest {
  std::shared_ptr<const org::Profile> profile;
  std::string from;    // the caller's number the assistant sees ("" = withheld)
  std::string tester;  // the dashboard user placing it
};

struct TestCallStarted {
  std::string call_sid;  // "TE" + 32 hex digits
  std::string token;     // goes in the stream's start message, as in Twilio's <Parameter>
  std::string refused;   // why the call was not admitted (an admit_reason name); empty when started
};

// Any thread. `done` runs on the io_context once the call is registered (or refused); the
// stream must then arrive within calls.stream_timeout, as a Twilio stream must.
void start_test_call(Services& services, TestCallRequest request, std::function<void(TestCallStarted)> done);

// A test call's token starts with 't' (a phone call's is hex): each stream route takes its own
// kind only, so neither route can claim the other's calls.
inline bool is_test_call_token(std::string_view token) { return !token.empty() && token.front() == 't'; }

// The path the browser's stream connects to.
inline constexpr const char* k_test_call_stream_path = "/app/talk/media";

}  // namespace sonoria::daemon
