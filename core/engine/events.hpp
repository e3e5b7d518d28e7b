#pragma once
// Engine-neutral events: what any speech engine tells a call, as typed values. Each provider's
// adapter (core/engine/<provider>/) turns its wire messages into these; the call bridge
// (core/call/bridge.hpp) consumes them and knows no provider. Plain data, no behaviour.
//
// Ids are opaque strings. Engines that name their items (OpenAI) pass their ids through; the
// others get ids made up by their adapter, unique within the call. An absent string is "".

#include <cstdint>
#include <string>
#include <variant>

namespace sonoria::engine {

// Token usage of one reply (the billing record of token-priced engines), zero where the engine
// said nothing. Engines billed per minute leave it empty.
struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t input_audio_tokens = 0;
  int64_t output_audio_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t total = 0;

  Usage& operator+=(const Usage& o) {
    input_tokens += o.input_tokens;
    output_tokens += o.output_tokens;
    input_audio_tokens += o.input_audio_tokens;
    output_audio_tokens += o.output_audio_tokens;
    cached_tokens += o.cached_tokens;
    total += o.total;
    return *this;
  }
  bool operator==(const Usage&) const = default;
};

// The session is configured as asked (μ-law 8 kHz both ways, the prompt, the tools) and, on a
// reconnect, re-seeded with the conversation so far: the engine can take audio and speak.
struct Ready {};

// The engine refused the session configuration (or applied another audio format): the call
// cannot go on on this connection. `detail` is a sentence for the record.
struct Rejected {
  std::string detail;
};

// An error the engine reported. Fatal ones are followed by the connection closing.
struct Error {
  std::string code;                  // the engine's code ("invalid_value", "FAILED_TO_THINK", …)
  std::string message;
  std::string detail;                // more context (the offending parameter, …); may be ""
  bool fatal = false;
};

// The engine will end this session soon for its own limits (OpenAI's 60 minutes, Deepgram's two
// hours), or has just said so before closing.
struct SessionLimit {
  std::string message;
};

// The caller started speaking (the barge-in trigger). `audio_start_ms` is where in this
// connection's caller audio the speech began, -1 when the engine does not say.
struct CallerSpeechStarted {
  std::string turn_id;               // "" when the engine names caller turns later (or never)
  int64_t audio_start_ms = -1;
};

// The caller stopped speaking: the reply's latency is measured from here.
struct CallerSpeechStopped {};

// An item of the conversation and the one before it, for transcript order. Engines that report
// order for some items only (or none) rely on arrival order.
struct ItemPlaced {
  std::string item_id;
  std::string previous_item_id;      // "" = unknown / first
};

// The caller's speech became a turn of the conversation (its text may follow separately).
struct CallerTurn {
  std::string turn_id;
  std::string previous_item_id;
};

// What the caller said in a turn; or that it could not be transcribed.
struct CallerText {
  std::string turn_id;
  std::string text;
};
struct CallerTextFailed {
  std::string turn_id;
  std::string message;
};

// The engine started producing a reply (it may speak, call tools, or both).
struct ReplyStarted {
  std::string reply_id;
};

// A chunk of the assistant's speech: G.711 μ-law at 8 kHz, base64 (what Twilio takes).
struct AgentAudio {
  std::string reply_id;
  std::string item_id;               // one spoken turn of the assistant
  std::string audio_b64;
};

// No more audio will come for this item (also when the reply was cut short).
struct AgentAudioDone {
  std::string reply_id;
  std::string item_id;
};

// Everything the assistant generated for an item (what it meant to say; the bridge cuts it to
// what the caller heard).
struct AgentText {
  std::string item_id;
  std::string text;
};

// More of the text the assistant is generating for an item, as it streams (appended to what came
// before). AgentText settles it; until then it is what the call records of the item if the call
// or the session ends first (a hang-up mid-sentence keeps the words heard so far).
struct AgentTextDelta {
  std::string item_id;
  std::string delta;
};

// The engine's own word on where it cut an assistant item (after the bridge told it, with
// client-side truncation).
struct AgentCut {
  std::string item_id;
  int64_t audio_end_ms = 0;
};

// The model calls a tool. `arguments` is the JSON text as the model wrote it (maybe invalid).
struct ToolCall {
  std::string reply_id;
  std::string item_id;               // where in the conversation the call sits ("" = unknown)
  std::string call_id;
  std::string name;
  std::string arguments;
};

// The engine withdrew a tool call it had made (the caller spoke first): send no result for it.
struct ToolCallCancelled {
  std::string call_id;
};

// The reply is over: everything it said and called has been reported.
struct ReplyDone {
  std::string reply_id;
  bool failed = false;
  std::string error;                 // why it failed, compact JSON or a sentence; "" otherwise
  Usage usage;
};

using Event = std::variant<Ready, Rejected, Error, SessionLimit, CallerSpeechStarted, CallerSpeechStopped, ItemPlaced,
                           CallerTurn, CallerText, CallerTextFailed, ReplyStarted, AgentAudio, AgentAudioDone,
                           AgentText, AgentTextDelta, AgentCut, ToolCall, ToolCallCancelled, ReplyDone>;

}  // namespace sonoria::engine
