#pragma once
// The Deepgram Voice Agent API (V1, protocols.md §6) as plain functions (sans-I/O): server JSON
// messages → typed values, typed requests → client JSON messages, and the WebSocket connection.
// Audio travels in binary frames of raw μ-law 8 kHz both ways (no transcoding for Twilio) and is
// not handled here. Nothing here throws on peer input; callable from any thread.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/engine/adapter.hpp"
#include "core/engine/session_config.hpp"

namespace sonoria::engine::deepgram {

// ---- server messages --------------------------------------------------------------------------

struct Welcome {
  std::string request_id;
};
struct SettingsApplied {};
// A finalized utterance: role "user" (from speech recognition) or "assistant" (what the agent says).
struct ConversationText {
  std::string role;
  std::string content;
};
struct UserStartedSpeaking {};
struct AgentThinking {};
struct AgentStartedSpeaking {
  double total_latency = 0;          // seconds
};
struct AgentAudioDone {};
struct FunctionCall {
  std::string id;
  std::string name;
  std::string arguments;             // JSON text as the model wrote it
  bool client_side = true;
};
struct FunctionCallRequest {
  std::vector<FunctionCall> functions;
};
struct FunctionCallCancelled {
  std::vector<std::string> ids;
};
// InjectAgentMessage was refused (someone is mid-turn).
struct InjectionRefused {
  std::string message;
};
// `Error` is fatal (the connection closes next); `Warning` is not.
struct Problem {
  bool fatal = false;
  std::string code;
  std::string description;
};
// A well-formed message this mapping does not act on (History, LatencyReport, acks, new types).
struct Other {
  std::string type;
};

using AgentMessage = std::variant<Welcome, SettingsApplied, ConversationText, UserStartedSpeaking, AgentThinking,
                                  AgentStartedSpeaking, AgentAudioDone, FunctionCallRequest, FunctionCallCancelled,
                                  InjectionRefused, Problem, Other>;

// One text frame → a typed message. nullopt when it is not a JSON object with a string `type`, or
// a known type lacks what it cannot do without (FunctionCallRequest without `functions`). Unknown
// types → Other (Deepgram adds messages over time).
std::optional<AgentMessage> parse_agent_message(std::string_view json);

// ---- client messages --------------------------------------------------------------------------

// `Settings`, the first message on every connection: μ-law 8 kHz both ways (container none), the
// listen/think/speak providers, the prompt, the tools as client-side functions (those with a name;
// none → no `functions`), and `history` as the conversation context. No greeting: the call greets
// with InjectAgentMessage once the caller can hear it. `tags` (may be empty) label the session on Deepgram's side.
std::string settings(const SessionConfig& config, const std::vector<HistoryLine>& history,
                     const std::vector<std::string>& tags = {});

// A new stage of the call flow on a live agent: UpdateThink replaces the whole think config (the
// prompt and the functions, as in Settings; UpdatePrompt may append rather than replace, §6), and
// UpdateSpeak the voice.
std::string update_think(const SessionConfig& config);
std::string update_speak(const SessionConfig& config);
std::string function_call_response(std::string_view id, std::string_view name, std::string_view content);
std::string inject_agent_message(std::string_view message);
std::string inject_user_message(std::string_view content);
std::string keep_alive();

// ---- connection -------------------------------------------------------------------------------

struct Connect {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // contains the secret
};
// `Authorization: Token <key>` on the configured URL (wss://agent.deepgram.com/v1/agent/converse).
Connect connect_request(std::string_view url, std::string_view api_key);

}  // namespace sonoria::engine::deepgram
