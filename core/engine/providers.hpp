#pragma once
// Which engines sonoria speaks to, and how a call gets one: the adapter for a provider and the
// WebSocket request that reaches it, from the settings ([engines.*]). Plain functions; the adapter
// is the only part that knows the provider's wire format.
//
// Connecting a call to an engine, for any provider:
//   1. if create_request() gives a request (Ultravox: the session is created over REST first),
//      send it with an HTTP client and read the answer with parse_create_response(); on error the
//      attempt failed (the sentence says why: record it, try the next engine);
//   2. open the WebSocket of connect_request(), passing step 1's URL (or "" without step 1);
//   3. once it is open, the call's bridge calls Adapter::open(history).
// The history of step 1 must be the one step 3 gets (CallBridge::history() on a reconnect, none
// at first): engines created over REST take the conversation at creation, not on the socket. A
// session created in step 1 serves one connection: a reconnect goes through step 1 again.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config/settings.hpp"
#include "core/engine/adapter.hpp"
#include "core/engine/session_config.hpp"
#include "core/intern_table.hpp"

namespace sonoria::engine {

// `local` runs inside sonoria (core/engine/local): no network, no key, answers from the profile.
enum class Provider { openai, deepgram, ultravox, local };

// "openai", "deepgram", "ultravox", "local" → the provider; nullopt for anything else.
std::optional<Provider> parse_provider(std::string_view name);
std::string_view to_string(Provider provider);
// The names, in the order above (for messages listing what is allowed).
const std::vector<std::string>& provider_names();

// The WebSocket URL and headers of a session. Headers carry the secret: never log them.
struct ConnectRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
};
// `created_url`: what parse_create_response() gave, for providers with a creation step; ignored by
// the others. Ultravox without it: an empty url (nothing to connect to).
ConnectRequest connect_request(Provider provider, const SessionConfig& session, const config::Settings& settings,
                               std::string_view created_url = {});

// The HTTP request that creates a session before connecting, for providers that need one. Headers
// carry the secret: never log them (the body holds the prompt and the conversation: log its size).
struct CreateRequest {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};
// nullopt for providers that connect directly (OpenAI, Deepgram). Ultravox: POST
// <engines.ultravox.api_url>/calls creating a server-WebSocket call configured from `session`,
// seeded with `history`, limited a little beyond calls.max_duration (core/engine/ultravox/call_api.hpp).
std::optional<CreateRequest> create_request(Provider provider, const SessionConfig& session,
                                            const config::Settings& settings,
                                            const std::vector<HistoryLine>& history);

// The answer to a CreateRequest: the URL connect_request() takes, or why there is none.
struct CreateResult {
  std::string url;                  // "" on failure
  std::string error;                // a sentence for the record ("" on success); holds no secret
  bool audio_refused = false;       // refused for the audio format asked for: see wider_audio()
  bool ok() const { return error.empty(); }
};
// `status` and `body` of the HTTP answer; status 0 when none came (the HTTP client's own error
// text says more). Never throws.
CreateResult parse_create_response(Provider provider, int status, std::string_view body);

// The audio format to ask for after `refused` was refused (CreateResult::audio_refused), or nullopt
// when there is none left to try. Ultravox: 8 kHz both ways (the default, {0, 0}), then 16 kHz in
// and 24 kHz out, which its own clients use; the adapter resamples (session.pcm tells it the rates).
std::optional<PcmRates> wider_audio(Provider provider, const PcmRates& refused);

// The adapter of one call's engine; its frames go to `sink` (which must outlive it). `texts`
// shares identical configuration texts between calls (an organization's calls in one minute send
// the same OpenAI session.update); may be null.
std::unique_ptr<Adapter> make_adapter(Provider provider, const SessionConfig& session,
                                      const config::Settings& settings, FrameSink& sink,
                                      InternTable<std::string>* texts);

// Whether the settings hold what connecting to `provider` needs; the problem as a sentence
// ("engines.deepgram.api_key is not set"), or "".
std::string missing_settings(Provider provider, const config::Settings& settings);

}  // namespace sonoria::engine
