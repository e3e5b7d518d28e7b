#pragma once
// Reading Twilio REST answers (protocols.md §4.2–§4.6): the Call and Message resources, the
// error body {code, message, more_info, status} turned into an error that names the code and says
// what to do, and the retry policy (429 with full-jitter backoff; 5xx on a create only after
// checking it did not take effect). Sans-I/O, pure functions; callable from any thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::twilio {

struct CallResource {
  std::string sid;
  std::string status;               // queued, ringing, in-progress, completed, busy, failed, no-answer, canceled
  std::string to;
  std::string from;
  std::string direction;
  std::string answered_by;
  std::string date_created;         // RFC 2822 as Twilio sends it
};

struct MessageResource {
  std::string sid;
  std::string status;               // queued, accepted, sending, sent, failed, …
  std::string to;
  std::string from;
  std::string body;
  std::string date_created;
  std::optional<int64_t> error_code;
  std::string error_message;
};

// Parsed from a 2xx body; nullopt when it is not a JSON object with a string "sid".
std::optional<CallResource> parse_call_resource(std::string_view body);
std::optional<MessageResource> parse_message_resource(std::string_view body);
// The items of a list page ("calls" / "messages"); unreadable items are skipped.
std::vector<CallResource> parse_call_list(std::string_view body);
std::vector<MessageResource> parse_message_list(std::string_view body);

struct RestError {
  int http_status = 0;              // 0: no answer (transport failure)
  std::optional<int64_t> code;      // Twilio's error code, when the body carried one
  std::string message;              // Twilio's message, or what failed in transport
  std::string more_info;
  std::string advice;               // what to do about it, for a person (may be empty)

  // "Twilio error 21211 (HTTP 400): The 'To' number … is not valid. Check the number: …"
  std::string describe() const;
  bool rate_limited() const { return http_status == 429 || code == 20429; }
  // A server-side or transport failure: the request may or may not have taken effect.
  bool outcome_unknown() const { return http_status == 0 || http_status >= 500; }
  // Callers of end-the-call treat these as done: the call is already over or unknown.
  bool call_already_ended() const { return code == 21220 || code == 20404; }
};

// The error for a non-2xx answer (a body that is not Twilio's JSON gives
// "[HTTP <status>] Failed to execute request", as twilio-node does).
RestError parse_rest_error(int http_status, std::string_view body);
// A transport failure (nothing, or nothing complete, came back).
RestError transport_error(std::string_view what);
// What to do about a Twilio error code, "" for codes without specific advice.
std::string advice_for(int64_t code);

// Full-jitter backoff for retry `attempt` (0-based): uniform in [0, min(cap, base × 2^attempt)].
// A Retry-After header (seconds) raises the floor to that value, still bounded by `cap`.
std::chrono::milliseconds backoff_delay(int attempt, std::minstd_rand& rng,
                                        std::optional<std::string_view> retry_after = std::nullopt,
                                        std::chrono::milliseconds base = std::chrono::milliseconds(100),
                                        std::chrono::milliseconds cap = std::chrono::milliseconds(3000));

// Seconds since the epoch of an RFC 2822 date ("Tue, 31 Aug 2010 20:36:28 +0000"), or nullopt.
std::optional<int64_t> parse_rfc2822(std::string_view text);

}  // namespace sonoria::twilio
