#pragma once
// OpenAI Realtime's server events (GA and beta), as typed values: what realtime_protocol.hpp
// parses and realtime_adapter.hpp turns into the neutral events of core/engine/events.hpp.
// Private to the OpenAI adapter. Plain data, no behaviour.
//
// Ids are the engine's own (item_…, resp_…, call_…); an absent optional string field is "".

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/engine/events.hpp"

namespace sonoria::engine::openai {

// The engine accepted the socket and created a session with its defaults.
struct SessionCreated {
  std::string session_id;
  int64_t expires_at = 0;            // epoch seconds; 0 = not given
};

// The engine applied a session update. Formats are as the engine spells them: GA "audio/pcmu"
// (the `type` of the format object), beta "g711_ulaw"; "" when absent. See is_pcmu().
struct SessionUpdated {
  std::string output_format;
  std::string input_format;
};

// An `error` event. Most are not fatal to the session (see protocols.md §5.11).
struct EngineError {
  std::string type;                  // invalid_request_error, server_error, …
  std::string code;                  // unknown_parameter, … ; "" when null
  std::string message;
  std::string param;                 // the offending field, e.g. "session.audio.input.format"
  std::string client_event_id;       // event_id of the client event that failed, if it had one
};

// The session hit its maximum duration (error code session_expired); the socket closes next.
struct SessionExpired {
  std::string message;
};

// Server VAD: the caller started talking. The barge-in trigger.
struct SpeechStarted {
  std::string item_id;
  int64_t audio_start_ms = 0;        // offset into all audio appended in this session
};

struct SpeechStopped {
  std::string item_id;
  int64_t audio_end_ms = 0;
};

// The caller's audio turn became a conversation item.
struct InputCommitted {
  std::string item_id;
  std::string previous_item_id;
};

// An item entered the conversation (GA conversation.item.added, beta conversation.item.created).
struct ItemAdded {
  std::string item_id;
  std::string previous_item_id;
  std::string role;                  // user, assistant, system; "" for non-message items
  std::string item_type;             // message, function_call, function_call_output, …
};

// A chunk of assistant audio in the session's output format, base64 exactly as received.
struct AudioDelta {
  std::string response_id;
  std::string item_id;
  std::string delta_b64;
};

// No more audio will come for this item (also sent when the response was cut short).
struct AudioDone {
  std::string response_id;
  std::string item_id;
};

struct AssistantTranscriptDelta {
  std::string item_id;
  std::string text;
};

// The full transcript of what the model generated for an assistant audio item.
struct AssistantTranscriptDone {
  std::string item_id;
  std::string text;
};

struct InputTranscriptCompleted {
  std::string item_id;
  std::string transcript;
};

struct InputTranscriptFailed {
  std::string item_id;
  std::string message;
};

// The model finished a function call. `arguments` is the JSON text as the model wrote it (it may be
// invalid). `name` can be "" when the engine did not repeat it (beta arguments.done); the same call
// is then reported again with its name from the output item.
struct FunctionCallDone {
  std::string response_id;
  std::string item_id;
  std::string call_id;
  std::string name;
  std::string arguments;
};

struct ResponseCreated {
  std::string response_id;
};

struct ResponseDone {
  std::string response_id;
  std::string status;                // completed, cancelled, failed, incomplete
  std::string reason;                // status_details.reason: turn_detected, client_cancelled, …
  std::string error;                 // status_details.error as compact JSON when failed, else ""
  Usage usage;
};

// The engine cut an assistant item's audio (and transcript) at audio_end_ms.
struct ItemTruncated {
  std::string item_id;
  int64_t audio_end_ms = 0;
};

// A well-formed event this mapping does not act on (rate_limits.updated, deltas we ignore, new types).
struct Ignored {
  std::string type;
};

using RealtimeEvent = std::variant<SessionCreated, SessionUpdated, EngineError, SessionExpired, SpeechStarted,
                           SpeechStopped, InputCommitted, ItemAdded, AudioDelta, AudioDone,
                           AssistantTranscriptDelta, AssistantTranscriptDone, InputTranscriptCompleted,
                           InputTranscriptFailed, FunctionCallDone, ResponseCreated, ResponseDone,
                           ItemTruncated, Ignored>;

// True for G.711 μ-law as OpenAI names it ("audio/pcmu" in GA, "g711_ulaw" in beta).
inline bool is_pcmu(std::string_view format) {
  return format == "audio/pcmu" || format == "g711_ulaw" || format == "mulaw";
}

}  // namespace sonoria::engine::openai
