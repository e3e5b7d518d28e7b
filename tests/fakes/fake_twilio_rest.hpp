#pragma once
// A fake Twilio REST API (protocols.md §4.7) on http://127.0.0.1:<port>: Calls.json create,
// Calls/{CA}.json fetch and update, Messages.json create and list, Messages/{SM}.json fetch, the
// account itself ({AC}.json fetch), and the account's numbers (IncomingPhoneNumbers.json list with
// PhoneNumber/PageSize/Page, IncomingPhoneNumbers/{PN}.json fetch and update). It checks Basic auth
// (AccountSid:AuthToken, or an API key SK…:secret with the account in the path) and answers
// 401/20003 otherwise; parses form bodies keeping repeated keys; validates like Twilio
// (21201/21213/21205/21211/21219 for calls, 21604/21602/21603/21211/21608/21617 for messages,
// 20404 for unknown calls and numbers, 21220 for updates on ended calls, 21402/21502/21403 for bad
// URLs and methods on numbers) with Twilio-shaped error bodies; answers 201/200 with resources
// shaped like the conformance fixtures and Twilio's documented examples; and injects scripted
// faults (429/20429, 5xx with or without JSON, delay, dropped connection). Every request is
// recorded. Every answer carries a Date header (IMF-fixdate) from Twilio's clock: the system clock
// plus set_clock_offset().
//
// Calls created through the API are live ("queued") until updated. Calls Twilio created on its own
// (inbound calls from FakeTwilioCaller) are unknown to this fake until register_call(): updating an
// unregistered call answers 404/20404, as Twilio does for a SID of another account.
//
// The server runs on its own thread; every public member is thread-safe.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/twilio/form.hpp"

namespace sonoria::fakes {

struct RestRequest {
  std::string method;
  std::string target;              // path and query as received
  std::string authorization;       // the raw Authorization header ("" when absent)
  std::string auth_user;           // decoded Basic user name ("" when absent or malformed)
  bool authenticated = false;
  std::string content_type;
  std::string body;
  twilio::FormParams form;         // decoded body, repeated keys kept, in order
  int status = 0;                  // what the fake answered (0 = connection dropped)
  std::string response_body;
};

// A scripted failure, applied to the next matching requests before any validation.
struct RestFault {
  int times = 1;                   // how many matching requests it applies to
  std::string path_contains;       // empty = every request; e.g. "Messages.json"
  std::chrono::milliseconds delay{0};  // wait this long before answering (or dropping)
  bool drop = false;               // close the connection without an answer
  int http_status = 0;             // 0 = after the delay, answer normally
  std::optional<int> code;         // Twilio error code in the JSON body
  bool json_body = true;           // false: a plain-text body (Twilio's edge sometimes does that)
  std::string message;             // defaults to a message fitting the status
};

// A number the account owns (an IncomingPhoneNumber resource), as a test sets it up.
struct IncomingNumber {
  std::string sid;                 // PN + 32 hex; made up when empty
  std::string phone_number;        // E.164
  std::string friendly_name;       // Twilio's default when empty: the number formatted, "(555) 000-1000"
  std::string voice_url, voice_method = "POST";
  std::string status_callback, status_callback_method = "POST";
  std::string sms_url, sms_method = "POST";
};

class FakeTwilioRest {
 public:
  // Starts listening on 127.0.0.1 (ephemeral port). Throws std::runtime_error if it cannot bind.
  FakeTwilioRest(std::string account_sid, std::string auth_token);
  ~FakeTwilioRest();
  FakeTwilioRest(const FakeTwilioRest&) = delete;
  FakeTwilioRest& operator=(const FakeTwilioRest&) = delete;

  // "http://127.0.0.1:<port>/2010-04-01", the value for twilio.api_base_url.
  std::string base_url() const;
  unsigned short port() const;
  const std::string& account_sid() const;

  // Accept an API key (SK…) as Basic user with this secret, for the same account. A Standard key
  // (the default) may use everything but the Account resource ({AC}.json answers it 401/20003, as
  // Twilio's documentation says Standard keys cannot reach /Accounts); a Main key may.
  void add_api_key(const std::string& key_sid, const std::string& secret, bool main_key = false);
  // Twilio's clock = the system clock + `offset`: the Date header of every answer, and the
  // date_created/date_updated of the account and its numbers. 0 by default.
  void set_clock_offset(std::chrono::seconds offset);
  // Replaces the account's numbers (IncomingPhoneNumbers), in this order; made-up SIDs are kept
  // from then on.
  void set_incoming_numbers(std::vector<IncomingNumber> numbers);
  // The account's numbers as they stand now, after any updates through the API.
  std::vector<IncomingNumber> incoming_numbers() const;
  // Numbers a trial account may not call or text: 21219 for calls, 21608 for messages.
  void set_unverified_numbers(std::vector<std::string> numbers);
  // Makes a call Twilio created itself (an inbound call) known, e.g. with the caller's CallSid.
  void register_call(const std::string& call_sid, const std::string& status = "in-progress",
                     const std::string& from = "+14155551222", const std::string& to = "+15550001000",
                     const std::string& direction = "inbound");
  // Moves a known call to `status` (as if the callee answered, hung up, …). False if unknown.
  bool set_call_status(const std::string& call_sid, const std::string& status);
  // A text moves on (queued → sent → delivered, or undelivered/failed), as GET Messages/{SM}.json
  // then shows. False for an unknown SID.
  bool set_message_status(const std::string& message_sid, const std::string& status);
  std::optional<std::string> call_status(const std::string& call_sid) const;
  // The call resource as the API would return it now, or null.
  nlohmann::json call(const std::string& call_sid) const;

  // Faults, consumed in the order added.
  void add_fault(RestFault fault);
  void rate_limit_next(int times, const std::string& path_contains = {});           // 429 / 20429
  void fail_next(int times, int http_status, bool json_body = true, const std::string& path_contains = {});
  void delay_next(int times, std::chrono::milliseconds delay, const std::string& path_contains = {});
  void drop_next(int times, const std::string& path_contains = {});

  // Records.
  std::vector<RestRequest> requests() const;
  std::size_t request_count() const;
  std::vector<nlohmann::json> calls_created() const;     // 201 bodies of Calls.json, in order
  std::vector<nlohmann::json> messages_created() const;  // 201 bodies of Messages.json, in order
  std::vector<RestRequest> call_updates() const;         // requests to Calls/{CA}.json that were POSTs

  // Waits until `predicate` holds (re-checked whenever a request completes); false on timeout.
  bool wait_for(const std::function<bool()>& predicate,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sonoria::fakes
