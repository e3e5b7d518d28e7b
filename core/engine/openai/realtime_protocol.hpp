#pragma once
// The OpenAI Realtime wire protocol as plain functions (sans-I/O): server event JSON → typed
// openai::RealtimeEvent, typed requests → client event JSON, and the WebSocket connection parameters.
// Two shapes exist (protocols.md §5): GA (api.openai.com, the default) and beta (Azure and
// "OpenAI-compatible" servers). Parsing accepts both name sets whatever the mode; builders that
// differ take the protocol. Nothing here throws on peer input; everything is callable from any
// thread (no shared state).

#include "core/engine/openai/realtime_events.hpp"
#include "core/engine/session_config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonoria::engine::openai {

enum class OpenAiProtocol { ga, beta };

// "ga" / "beta" → the protocol; nullopt for anything else (config validation names the value).
std::optional<OpenAiProtocol> parse_openai_protocol(std::string_view text);

// ---- server events ----------------------------------------------------------------------------

// One server event (a WebSocket text frame) → a typed event. Unknown but well-formed types →
// Ignored{type}. nullopt when the text is not JSON, not an object, has no string `type`, or a known
// type lacks a field the event cannot do without (e.g. an audio delta without `delta`). Never throws.
// Audio deltas are parsed once and their base64 moved out, never re-serialised.
std::optional<RealtimeEvent> parse_openai_event(std::string_view json);

// ---- client events (each returns one JSON text frame) -----------------------------------------

// `session.update` for a phone call: μ-law in and out, server VAD from the config, caller
// transcription, tools with tool_choice "auto". GA: §5.2 shape (session.type "realtime", formats
// as objects, voice under audio.output, no temperature). Beta: §5.3 flat shape (g711_ulaw strings,
// modalities ["text","audio"], temperature).
std::string session_update(const SessionConfig& config, OpenAiProtocol protocol);
// A session.update of a live session that changes only its instructions and tools (a new stage of
// the call flow): audio formats, turn detection and the voice stay as they are (the voice cannot
// change once the model has spoken, protocols.md §5).
std::string session_update_prompt_and_tools(const SessionConfig& config, OpenAiProtocol protocol);

// Replaces `out` with an `input_audio_buffer.append` carrying `payload_b64` verbatim. Reuses out's
// capacity: no allocation once it has grown to a frame's size. Returns false (and leaves `out`
// empty) when the payload contains anything but base64 characters, so peer text can never break
// out of the JSON string.
bool write_input_audio_append(std::string& out, std::string_view payload_b64);
// The base64 audio of an event exactly as write_input_audio_append writes it; nullopt for any
// other text.
std::optional<std::string_view> input_audio_append_payload(std::string_view event);

// `conversation.item.truncate` of content 0 at audio_end_ms (the caller heard that much).
std::string conversation_item_truncate(std::string_view item_id, int64_t audio_end_ms);

// `conversation.item.create` with a function_call_output; `output` is the tool's JSON text.
std::string function_call_output(std::string_view call_id, std::string_view output);

// `response.create` with no overrides.
std::string response_create();

// `response.create` whose instructions replace the session instructions for this response only.
std::string response_create_with_instructions(std::string_view instructions);

// Message items (input_text content), e.g. the greeting directive, "the caller pressed 1", or a
// transcript re-seeded into a fresh session.
std::string conversation_item_user_text(std::string_view text);
std::string conversation_item_system_text(std::string_view text);

// An assistant message item for re-seeding (GA content type output_text, beta text).
std::string conversation_item_assistant_text(std::string_view text, OpenAiProtocol protocol);

// ---- connection -------------------------------------------------------------------------------

struct OpenAiConnect {
  std::string url;                                          // with model= in the query
  std::vector<std::pair<std::string, std::string>> headers; // name, value; contains the secret
};

// The WebSocket URL and headers for a session. `model` is appended as a percent-encoded `model=`
// query parameter after any existing query (Azure's api-version/deployment), unless the URL already
// names one or model is "". Azure hosts (*.azure.com) get `api-key`, others `Authorization: Bearer`;
// beta adds `OpenAI-Beta: realtime=v1`. A #fragment is dropped (WebSocket URIs have none).
OpenAiConnect openai_connect_request(std::string_view url, std::string_view model, std::string_view api_key,
                                     OpenAiProtocol protocol);

}  // namespace sonoria::engine::openai
