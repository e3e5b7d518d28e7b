#pragma once
// The HTTP requests Twilio makes for one inbound call (protocols.md §1.1, §1.5, §2): the voice
// webhook, the <Connect action> when the stream ends, the status callback — form-encoded, with the
// parameters Twilio sends and an X-Twilio-Signature over the public URL as written. Also where a
// request goes: to the URL itself, or, like `curl --connect-to`, to another address that serves
// the same paths (a daemon behind a proxy or a tunnel). Sans-I/O; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/net/http_client.hpp"
#include "core/twilio/form.hpp"

namespace sonoria::simulate {

struct CallParty {
  std::string account_sid;   // "AC…"
  std::string call_sid;      // "CA…"
  std::string from;          // the caller, E.164
  std::string to;            // the number called
};

// The voice webhook's parameters (CallStatus=ringing, Direction=inbound, ApiVersion, Caller/Called
// and the geographic fields, empty where Twilio would know nothing), sorted by name as Twilio does.
twilio::FormParams voice_params(const CallParty& party);
// The same with CallStatus=in-progress: what Twilio posts to <Connect action> when the stream ends.
twilio::FormParams connect_action_params(const CallParty& party);
// A call status callback: the voice parameters with `status`, CallDuration (and Duration in
// minutes) when known, SequenceNumber, Timestamp (RFC 2822) and CallbackSource.
twilio::FormParams status_callback_params(const CallParty& party, std::string_view status,
                                          std::optional<std::int64_t> duration_s, int sequence);

// `--connect` as an origin: "HOST:PORT" means plain "http://HOST:PORT"; "http://…" and "https://…"
// origins are kept (without a trailing slash). nullopt with `error` for anything else (a path,
// no port).
std::optional<std::string> parse_connect_origin(std::string_view spec, std::string& error);

// Where a request for public `url` goes: `url` itself when `connect_origin` is empty, else the
// same path and query at that origin. For a WebSocket URL the origin's scheme becomes ws/wss.
std::string delivery_url(std::string_view url, std::string_view connect_origin);

// `reference` (a URL in TwiML, absolute or relative) resolved against `base`; `reference` as
// given when it cannot be resolved.
std::string resolve_url(std::string_view base, std::string_view reference);

// The request Twilio makes to public `url` with `params` (delivered per delivery_url): a form POST,
// or for `method` GET the parameters in the query string. X-Twilio-Signature is computed with
// `auth_token` over the URL and parameters as Twilio does (§2.1) — left out when `auth_token` is
// empty — and every request carries a fresh I-Twilio-Idempotency-Token.
net::HttpRequest twilio_request(std::string_view method, std::string_view url, const twilio::FormParams& params,
                                std::string_view auth_token, std::string_view connect_origin);

// `prefix` + 32 random lowercase hex digits ("CA…", "MZ…"). Thread-safe.
std::string random_sid(std::string_view prefix);

// The load generator's caller for call `index`: a San Francisco number, "+1 415", an exchange
// from 200 and four digits, all from the index, so that every simulated caller has its own number
// (and its own per-caller rate limit) for 8,000,000 calls, and an ordinary US line, as Twilio's
// caller IDs are (a text to the caller goes out, as it would to a real one).
std::string caller_number(std::uint32_t index);

}  // namespace sonoria::simulate
