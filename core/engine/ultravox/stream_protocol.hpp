#pragma once
// Ultravox's data messages on a joined call (protocols.md §7.4) as plain functions (sans-I/O):
// server JSON text frames → typed values, typed requests → client JSON text frames. Audio is not
// handled here: it travels in binary frames of s16le PCM both ways (§7.3). Nothing here throws on
// peer input; callable from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace sonoria::engine::ultravox {

// ---- server messages --------------------------------------------------------------------------

// The call is live (the first message on a joined socket).
struct CallStarted {
  std::string call_id;
};
// The agent's state: "idle", "listening", "thinking", "speaking" (others may come: ignore them).
struct AgentState {
  std::string state;
};
// Text of one utterance, in pieces: either the whole text so far (`text`) or a piece to append
// (`delta`); `final` ends the utterance. `ordinal` orders utterances within the call (-1: absent).
struct Transcript {
  std::string role;                   // "user" | "agent"
  std::string medium;                 // "voice" | "text"
  std::optional<std::string> text;
  std::string delta;
  bool final = false;
  std::int64_t ordinal = -1;
};
// Run a client tool and answer with client_tool_result: the conversation waits until then.
struct ToolInvocation {
  std::string tool_name;
  std::string invocation_id;
  std::string parameters;             // JSON text (an object as Ultravox sends it; "{}" when absent)
};
// Barge-in: drop the agent audio buffered for playback, now.
struct PlaybackClearBuffer {};
struct Pong {
  double timestamp = 0;
};
struct Debug {
  std::string message;
};
// A well-formed message this mapping does not act on (threads, opt-in messages, new types).
struct Other {
  std::string type;
};

using ServerMessage =
    std::variant<CallStarted, AgentState, Transcript, ToolInvocation, PlaybackClearBuffer, Pong, Debug, Other>;

// One text frame → a typed message. nullopt when it is not a JSON object with a string `type`, or
// a known type lacks what it cannot do without (a transcript's `role`, a state's `state`, a tool
// invocation's `toolName` or `invocationId`). Unknown types → Other.
std::optional<ServerMessage> parse_server_message(std::string_view json);

// ---- client messages --------------------------------------------------------------------------

// What the agent does after a tool result: speak (the default), wait for the user, or speak once
// and then not again for this result.
enum class AgentReaction { speaks, listens, speaks_once };
// immediate: interrupts and generates now; soon: at the next opportunity; later: only considered
// at the next natural generation (user_text_message only).
enum class Urgency { immediate, soon, later };

// The answer to a ToolInvocation: `result` is what the model reads (often JSON text).
std::string client_tool_result(std::string_view invocation_id, std::string_view result,
                               AgentReaction reaction = AgentReaction::speaks);
// Text as the user's turn (replaces the older input_text_message).
// The answer to a transition tool: `stage` (call_api.hpp stage_definition) becomes the call's stage.
std::string client_tool_result_new_stage(std::string_view invocation_id, std::string_view stage);
std::string user_text_message(std::string_view text, Urgency urgency = Urgency::soon);
// The agent says `content` verbatim. `urgency` later is sent as soon (the message has no later).
std::string forced_agent_message(std::string_view content, Urgency urgency = Urgency::soon);
std::string ping(double timestamp);

}  // namespace sonoria::engine::ultravox
