#pragma once
// Server events of the OpenAI Realtime GA protocol (protocols.md §5.6) as the bench engine sends
// them, in the shapes of the test fake (tests/fakes/realtime_response.cpp). Everything per
// response or per session is built with nlohmann::json; the one event sent many times a second,
// the audio delta, is written by hand into a reused string. Pure; callable from any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sonoria::bench {

// The session a new connection reports in session.created: PCM 24 kHz both ways and server VAD,
// as OpenAI's defaults are (a client that never switches to μ-law notices).
nlohmann::json default_session(std::string_view id, std::string_view model, std::int64_t expires_at);

// `base` with `update` applied: the audio, audio.input and audio.output containers merge key by key;
// any other value (a format, turn detection, null) replaces the old one whole, as OpenAI does.
void merge_session(nlohmann::json& base, const nlohmann::json& update);

// An `error` event (protocols.md §5.11). `code` "" is sent as null; `client_event_id` echoes the
// client event's event_id when it had one.
std::string error_event(std::string_view event_id, std::string_view code, std::string_view message,
                        std::string_view param = {}, const nlohmann::json& client_event_id = nullptr);

// Appends standard padded base64 of `bytes` to `out` (no intermediate string).
void append_base64(std::string& out, std::string_view bytes);

// Replaces `out` with a response.output_audio.delta carrying `audio` (raw μ-law) base64-encoded.
// Reuses out's capacity.
void write_audio_delta(std::string& out, std::string_view event_id, std::string_view response_id,
                       std::string_view item_id, std::string_view audio);

// Deterministic stand-in token counts for response.done (20 audio tokens per second of output,
// ~1 token per 4 characters of text).
nlohmann::json response_usage(std::int64_t audio_ms, std::size_t text_chars, std::int64_t input_audio_ms);

// The `response` object of response.created / response.done.
nlohmann::json response_object(std::string_view id, std::string_view conversation_id, std::string_view status,
                               const nlohmann::json& status_details, const nlohmann::json& output,
                               const nlohmann::json& usage);

// `text` cut at spaces into `parts` pieces whose concatenation is `text` (transcript deltas).
std::vector<std::string> split_words(std::string_view text, int parts);

}  // namespace sonoria::bench
