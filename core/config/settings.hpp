#pragma once
// The effective configuration: built-in defaults, overlaid by the TOML file, then the
// environment, then command-line flags (see loader.hpp). Plain data.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sonoria::config {

using Duration = std::chrono::milliseconds;

struct ServerSettings {
  std::string listen = "127.0.0.1:8080";       // host:port the daemon binds
  std::string public_url = "http://127.0.0.1:8080";  // the URL Twilio sees (signatures, TwiML)
  std::string tls_cert;                         // PEM paths; both set = in-process TLS
  std::string tls_key;
  Duration drain_timeout = std::chrono::seconds(30);
  int threads = 0;                              // 0 = one per core
  // Reverse proxies whose X-Forwarded-For names the client (for limits per client address).
  std::vector<std::string> trusted_proxies;
  // What one client may send and hold, on every port (the dashboard's own too).
  int max_body_bytes = 64 * 1024;               // a request body; more → 413 (the API and the dashboard: their own)
  int max_header_bytes = 16 * 1024;             // the request line and header fields; more → 431
  int max_header_fields = 100;                  // header fields in one request; more → 431
  int max_websocket_message_bytes = 64 * 1024;  // one WebSocket message; more → closed with 1009
  Duration request_timeout = std::chrono::seconds(15);         // accept (or the last answer) → the whole request, TLS included
  Duration idle_timeout = std::chrono::seconds(60);            // a keep-alive connection waiting for its next request
  Duration websocket_idle_timeout = std::chrono::seconds(30);  // a silent WebSocket peer: pinged at half, dropped at all
  int max_waiting_per_address = 64;             // connections of one address waiting for a request; 0 = no limit
};

struct DatabaseSettings {
  std::string path;                             // empty = $XDG_DATA_HOME/sonoria/sonoria.db
  // postgresql://… selects PostgreSQL (secret: may hold a password). `path`'s directory still
  // holds this machine's own files: the write journal, recordings, the control socket.
  std::string url{};
  Duration busy_timeout = std::chrono::seconds(5);
};

struct TwilioSettings {
  std::string account_sid;
  std::string auth_token;                       // secret
  std::string api_key_sid;                      // optional SK… key instead of the auth token
  std::string api_key_secret;                   // secret
  std::string api_base_url = "https://api.twilio.com/2010-04-01";
  std::string from;                             // default sender for `sonoria sms`
  bool validate_signatures = true;
};

// OpenAI Realtime: [engines.openai] (or, as before engines were a choice, [engine]).
struct EngineSettings {
  std::string provider = "openai";
  std::string url = "wss://api.openai.com/v1/realtime";
  std::string model = "gpt-realtime";
  std::string api_key;                          // secret
  std::string protocol = "ga";                  // "ga" | "beta"
  std::string transcription_model = "gpt-4o-mini-transcribe";
  Duration connect_timeout = std::chrono::seconds(5);  // every engine's connect budget
  // A call moves to a fresh engine session after this long; 0 = shortly before the engine's own
  // limit (OpenAI 60 minutes, Deepgram 2 hours).
  Duration max_session = Duration::zero();
};

// Deepgram Voice Agent: [engines.deepgram].
struct DeepgramSettings {
  std::string url = "wss://agent.deepgram.com/v1/agent/converse";
  std::string api_key;                          // secret
  std::string listen_model = "nova-3";          // speech recognition
  std::string think_provider = "open_ai";       // the language model's provider
  std::string think_model = "gpt-4o-mini";
  std::string voice = "aura-2-thalia-en";       // default speech model; a profile may choose another
};

// Ultravox (server WebSocket mode): [engines.ultravox].
struct UltravoxSettings {
  std::string api_url = "https://api.ultravox.ai/api";
  std::string api_key;                          // secret
  std::string model;                            // "" = Ultravox's default
  std::string voice = "Mark";                   // default voice; a profile may choose another
};

// The local engine, inside sonoria with no network: [engines.local] (core/engine/local).
struct LocalEngineSettings {
  std::string acoustic_model = "/usr/share/pocketsphinx/model/en-us/en-us";     // pocketsphinx-en-us
  std::string dictionary = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
  std::string voice = "en-us";                  // an espeak-ng voice
  int words_per_minute = 165;
  int threads = 0;                              // the engines' worker threads; 0 = one per core
  // Every assistant's last failover, after its own engines: callers get hours, prices, FAQs and
  // message-taking rather than an apology when no cloud engine can be reached.
  bool last_resort = true;
};

// Where `sonoria call`, POST /api/calls and `sonoria sms` may reach (daemon/outbound.hpp): a
// listed number, or a number assigned in an allowed region with an allowed line type. Premium-rate
// and the like stay out unless listed; so do fictional ranges such as +1 555.
struct OutboundSettings {
  std::vector<std::string> allowed_numbers;     // E.164 (normalised when read): always allowed
  std::vector<std::string> allowed_regions;     // ISO 3166-1 alpha-2, e.g. "US"; empty = none
  std::vector<std::string> allowed_types = {"fixed_line", "mobile", "fixed_line_or_mobile"};  // phone::LineType names
  bool allow_us_canada = false;                 // the same as "US" and "CA" in allowed_regions
  Duration cooldown = std::chrono::minutes(5);
};

struct CallSettings {
  int max_concurrent = 20;
  Duration max_duration = std::chrono::minutes(30);
  Duration silence_timeout = std::chrono::seconds(60);
  Duration stream_timeout = std::chrono::seconds(20);   // webhook → media stream start
  int max_calls_per_caller_per_hour = 10;               // 0 = unlimited
  std::vector<std::string> blocked_callers;             // E.164 numbers refused politely
  std::string transfer_digit = "0";                     // DTMF that transfers at once; "" = off
  // New calls go to the fallback while the event loop runs later than this (calls in progress keep
  // their audio); 0 = never.
  Duration max_event_loop_lag = std::chrono::milliseconds(250);
  // New calls go to the fallback when one more would keep the I/O threads busy (running, or
  // waiting for a CPU) more than this share of the time, estimated from what calls in progress
  // cost (daemon/call_capacity.hpp); 0 = never.
  int max_io_load_percent = 80;
  // The queues of a call, in time of audio: caller audio waiting for the engine beyond this is
  // dropped, oldest first (stale by then); with more assistant audio than this waiting for Twilio,
  // the engine is not read until a quarter of it is left.
  Duration caller_audio_queue = std::chrono::milliseconds(1500);
  Duration assistant_audio_queue = std::chrono::seconds(5);
  // Tool calls an engine may make: in one call, and in one reply. Beyond either the call is handed
  // to the fallback (end reason tool_limit): a broken or hostile engine cannot send a thousand
  // texts. 0 = no limit.
  int max_tool_calls = 50;
  int max_tool_calls_per_reply = 10;
  OutboundSettings outbound;
};

struct ApiSettings {
  std::vector<std::string> tokens;              // bearer tokens (secrets); empty = API disabled
  std::vector<std::string> cors_origins;
  int max_body_bytes = 16 * 1024;               // a request body; more → 413
  // Each token may make `burst` requests at once and `requests_per_second` after that (429 with
  // Retry-After); failed authentications get the same allowance per client address.
  int burst = 30;
  int requests_per_second = 10;
};

// Engine prices in US dollars per million tokens, as decimal text ("32", "0.40") so sums stay
// exact; used for the estimated cost in `sonoria analytics`. Defaults: OpenAI gpt-realtime.
struct PricingSettings {
  std::string text_input = "4.00";
  std::string text_output = "16.00";
  std::string audio_input = "32.00";
  std::string audio_output = "64.00";
  std::string cached_input = "0.40";
  // Engines billed by the minute of conversation, US dollars per minute.
  std::string deepgram_per_minute = "0.08";
  std::string ultravox_per_minute = "0.05";
};

struct LogSettings {
  std::string level = "info";                   // debug | info | warn | error
  std::string format = "text";                  // text | json
};

// Delivering webhooks (a profile's [webhooks]): the first retry comes after retry_after, each next
// one after twice as long (at most an hour), until give_up_after since the call ended.
struct WebhookSettings {
  Duration retry_after = std::chrono::seconds(30);
  Duration give_up_after = std::chrono::hours(24);
  Duration timeout = std::chrono::seconds(10);   // per attempt
};

// The post-call summary: a text model behind an OpenAI-compatible chat completions API (OpenAI,
// Azure, a local server) reads each answered call's transcript. Off while model or api_key is "".
struct SummarySettings {
  std::string url = "https://api.openai.com/v1";  // the API's base; /chat/completions is added
  std::string api_key;
  std::string model;
  Duration timeout = std::chrono::seconds(30);
  bool enabled() const { return !model.empty() && !api_key.empty(); }
};

// Google Calendar for profiles with booking.mode = "google" (core/gcal): a service account's JSON
// key, with each calendar shared with its client_email.
struct GoogleSettings {
  std::string credentials_file;     // the service account key (JSON); $GOOGLE_APPLICATION_CREDENTIALS
  std::string api_url = "https://www.googleapis.com/calendar/v3";
  std::string token_url;            // "" = the key's token_uri
  Duration timeout = std::chrono::seconds(6);  // a tool's whole exchange with Google, retries included
  bool enabled() const { return !credentials_file.empty(); }
};

// The owner's dashboard (daemon/dashboard_routes.hpp). It answers only once a user exists
// (`sonoria user add`).
struct DashboardSettings {
  std::string listen;                           // "" = under /app/ on server.listen; else its own host:port
  Duration session_idle = std::chrono::hours(12);       // signed out after this long without a request
  Duration session_lifetime = std::chrono::hours(24 * 7);  // and after this long in any case
  std::string secure_cookies = "auto";          // auto (when TLS or an https public_url) | always | never
  int max_form_bytes = 1 << 20;                 // a form (a large profile); more → 413
  int max_upload_bytes = 5 << 20;               // a knowledge-base document in its multipart form; more → 413
};

// Several daemons sharing one database (daemon/cluster_lease.hpp).
struct ClusterSettings {
  std::string instance;                         // this daemon's name; "" = host name and port
  // This daemon's own base URL, where a load balancer sends it alone ("" = server.public_url):
  // a call's media stream and later webhooks come back to the daemon that answered it.
  std::string public_url;
  Duration lease = std::chrono::seconds(30);    // a daemon silent this long is dead: its calls are closed
};

struct Settings {
  // cluster.public_url, else server.public_url: where this daemon's own calls come back.
  const std::string& own_url() const { return cluster.public_url.empty() ? server.public_url : cluster.public_url; }
  ServerSettings server;
  DatabaseSettings database;
  TwilioSettings twilio;
  EngineSettings engine;                        // OpenAI Realtime, and the connect budget
  DeepgramSettings deepgram;
  UltravoxSettings ultravox;
  LocalEngineSettings local;
  CallSettings calls;
  ApiSettings api;
  PricingSettings pricing;
  LogSettings log;
  WebhookSettings webhooks;
  SummarySettings summary;
  GoogleSettings google;
  DashboardSettings dashboard;
  ClusterSettings cluster;
};

}  // namespace sonoria::config
