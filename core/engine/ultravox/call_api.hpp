#pragma once
// Creating an Ultravox call over REST (protocols.md §7.1, §7.3, §7.5) as plain functions
// (sans-I/O): the POST that creates a call in server-WebSocket mode from a call's SessionConfig,
// the answer read into the URL to join (or a sentence saying why not), and that URL made ready
// for the WebSocket. Ultravox takes the whole configuration here, before any socket exists: the
// prompt, voice, model, tools and, on a reconnect or a failover, the conversation so far. Nothing
// here throws on peer input; callable from any thread.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/settings.hpp"
#include "core/engine/adapter.hpp"
#include "core/engine/session_config.hpp"

namespace sonoria::engine::ultravox {

// Audio both ways: s16le mono at Twilio's rate, so that no resampling is needed (only G.711).
inline constexpr int k_sample_rate = 8000;
// Where 8 kHz is refused: the rates Ultravox's own clients use (its SDKs send 16 kHz and play
// 24 kHz; protocols.md §7.3), resampled to and from Twilio's 8 kHz.
inline constexpr int k_wide_input_rate = 16000;
inline constexpr int k_wide_output_rate = 24000;
// Agent audio Ultravox may send ahead of playback; it says playback_clear_buffer at a barge-in.
inline constexpr int k_client_buffer_ms = 30000;
// Ultravox's own time limit lies this far beyond the call's, so that the call's wrap-up comes first.
inline constexpr std::chrono::seconds k_max_duration_grace{120};

struct CreateCallRequest {
  std::string method = "POST";
  std::string url;                                           // <api_url>/calls
  std::vector<std::pair<std::string, std::string>> headers;  // X-API-Key: the secret; never log them
  std::string body;                                          // JSON
};

// The body of POST /calls: systemPrompt, voice, model and languageHint when set; medium
// serverWebSocket at `session.pcm`'s rates (8 kHz both ways where they are 0) with the data messages the adapter reads switched on; the
// user speaks first (firstSpeakerSettings {"user":{}}: the call greets, with forced_agent_message,
// once the caller can hear it); `history` as initialMessages (a reconnect continues the
// conversation instead of starting over); the tools of `session.tools` (OpenAI-style function
// schemas) as client temporaryTools whose properties become body dynamicParameters; maxDuration
// `max_call_duration` + k_max_duration_grace when `max_call_duration` > 0, else Ultravox's default.
nlohmann::json create_call_body(const SessionConfig& session, const config::UltravoxSettings& settings,
                                const std::vector<HistoryLine>& history,
                                std::chrono::milliseconds max_call_duration = {});
CreateCallRequest create_call_request(const SessionConfig& session, const config::UltravoxSettings& settings,
                                      const std::vector<HistoryLine>& history,
                                      std::chrono::milliseconds max_call_duration = {});

// A new stage of the call flow on a live call (§7.6): the JSON a client tool returns with
// responseType "new-stage" — the stage's systemPrompt, its selectedTools (as in create_call_body,
// always present so that the earlier stage's do not stay) and its voice. The conversation carries over.
std::string stage_definition(const SessionConfig& session);

// Ultravox's answer to POST /calls: the call's joinUrl, or why there is none.
struct CreateCallResult {
  std::string join_url;   // "" on failure
  std::string error;      // a sentence for a log or a person ("" on success); never the key
  bool sample_rate_refused = false;  // a 4xx naming inputSampleRate or outputSampleRate
  bool ok() const { return error.empty(); }
};
// `status` 0 means no answer came (the transport failed). A 2xx with a ws:// or wss:// joinUrl is
// success; anything else is an error naming the status and Ultravox's own words (its "detail", or
// DRF field errors as "medium.serverWebSocket.inputSampleRate: This field is required.").
CreateCallResult parse_create_call_response(int status, std::string_view body);

// The URL to open the WebSocket on: the joinUrl with apiVersion=1 (as Ultravox's own client does)
// unless it already names an apiVersion. The joinUrl is the credential: no headers are needed.
std::string join_url_for_socket(std::string_view join_url);

}  // namespace sonoria::engine::ultravox
