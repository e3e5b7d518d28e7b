#pragma once
// Twilio REST requests as data (protocols.md §4.1–§4.4): the URL under the configured base, the
// Basic Authorization header (account SID + auth token, or an SK… API key with the account SID
// still in the path), and the form body with Twilio's PascalCase names. Sans-I/O: the async
// client (rest_client.hpp) only moves these bytes. Callable from any thread.

#include <optional>
#include <string>
#include <vector>

#include "core/config/settings.hpp"
#include "core/twilio/form.hpp"

namespace sonoria::twilio {

struct RestAccount {
  std::string base_url = "https://api.twilio.com/2010-04-01";  // no trailing slash
  std::string account_sid;          // AC…; always in the path
  std::string username;             // the account SID, or an API key SID (SK…)
  std::string password;             // secret: the auth token or the API key secret
};

// The account from the [twilio] settings: an API key when api_key_sid is set, else the auth
// token. Throws sonoria::DataError naming the setting and what to do when the account SID is
// missing or not AC…, or no secret is configured.
RestAccount rest_account_from(const config::TwilioSettings& settings);

struct RestRequest {
  std::string method;               // GET | POST
  std::string url;                  // full URL, query included
  std::string path;                 // path under the host, e.g. /2010-04-01/Accounts/AC…/Calls.json
  FormParams form;                  // POST body fields, in order (empty for GET)
  std::string authorization;        // "Basic …" (secret: never print it)

  std::string body() const { return encode_form(form); }
  // What a person may see: method, URL and form fields, Authorization redacted.
  std::string describe() const;
};

struct CreateCall {
  std::string to;
  std::string from;
  std::string url;                  // TwiML URL fetched when answered (POST)
  std::string twiml;                // or inline TwiML
  std::string status_callback;
  std::vector<std::string> status_callback_events;  // initiated, ringing, answered, completed
  std::optional<int> timeout_s;
  std::optional<int> time_limit_s;
  std::string machine_detection;    // "", Enable or DetectMessageEnd
};

struct UpdateCall {
  std::string twiml;                // replaces what the call runs (a transfer's <Dial>)
  std::string url;
  std::string status;               // "completed" | "canceled"
};

struct CreateMessage {
  std::string to;
  std::string from;
  std::string messaging_service_sid;  // instead of from
  std::string body;
  std::string status_callback;
};

RestRequest create_call_request(const RestAccount& account, const CreateCall& call);
RestRequest update_call_request(const RestAccount& account, const std::string& call_sid, const UpdateCall& update);
RestRequest fetch_call_request(const RestAccount& account, const std::string& call_sid);
RestRequest create_message_request(const RestAccount& account, const CreateMessage& message);
// Recent resources to a number, newest first: used to learn whether a create whose answer was
// lost took effect. `on_date` is the UTC day "YYYY-MM-DD" (Twilio filters by whole days); "" = the
// latest 50, sent or not (a message Twilio has queued but not sent has no DateSent yet).
RestRequest list_calls_request(const RestAccount& account, const std::string& to, const std::string& on_date);
// GET …/Messages/{SM}.json: where a text is now (queued, sent, delivered, undelivered, failed).
RestRequest fetch_message_request(const RestAccount& account, const std::string& message_sid);
// The account itself (GET Accounts/{sid}.json): whether the credentials are accepted.
RestRequest fetch_account_request(const RestAccount& account);
// The account's phone numbers, 1000 to a page, from page 0.
RestRequest list_incoming_numbers_request(const RestAccount& account, int page);
// Sets fields of one of them (VoiceUrl, VoiceMethod, StatusCallback, StatusCallbackMethod, …).
RestRequest update_incoming_number_request(const RestAccount& account, const std::string& number_sid, FormParams fields);
RestRequest list_messages_request(const RestAccount& account, const std::string& to, const std::string& on_date);

}  // namespace sonoria::twilio
