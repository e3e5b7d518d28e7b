#pragma once
// The session object of the fake OpenAI Realtime server (protocols.md §5.2–§5.4): the defaults a
// new connection reports in session.created, strict validation of session.update (GA rejects the
// whole update on any unknown field, a missing session.type, or a format given as a string), the
// merge that produces session.updated, and the few settings the fake's behaviour depends on.
// Pure functions; callable from any thread.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace sonoria::fakes {

enum class RealtimeDialect {
  ga,    // api.openai.com today: nested audio config, session.type required, GA event names
  beta,  // OpenAI-Beta: realtime=v1 / Azure: flat session fields, beta event names
};

// The `error` object of an error event.
struct RealtimeError {
  std::string type = "invalid_request_error";
  std::optional<std::string> code;   // "unknown_parameter", …; nullopt is sent as null
  std::string message;
  std::optional<std::string> param;  // "session.voice", …
};

// The session a new connection starts with: PCM 24 kHz both ways, server VAD, voice marin (GA) /
// alloy (beta). `expires_at` is epoch seconds.
nlohmann::json default_session(RealtimeDialect dialect, const std::string& model, const std::string& id,
                               std::int64_t expires_at);

// Why the `session` object of a session.update would be rejected, or nullopt if it is valid.
// GA: unknown fields anywhere (except free-form JSON such as tool parameters) → unknown_parameter
// naming the full path; no type → missing_required_parameter; wrong JSON type → invalid_type;
// value outside an enum or range → invalid_value. Beta: the flat field set, formats as strings.
std::optional<RealtimeError> validate_session_update(RealtimeDialect dialect, const nlohmann::json& session);

// `current` with a validated `update` applied: only present fields change, nested audio objects
// merge key by key, turn detection gets its defaults filled in.
nlohmann::json merge_session(RealtimeDialect dialect, const nlohmann::json& current, const nlohmann::json& update);

// What the fake does with audio, read from an effective session of either dialect.
struct RealtimeAudioSetup {
  std::string input_format = "audio/pcm";   // GA spelling: audio/pcm | audio/pcmu | audio/pcma
  std::string output_format = "audio/pcm";
  std::string voice;
  bool vad = true;                          // turn detection on
  int silence_duration_ms = 200;
  int prefix_padding_ms = 300;
  bool create_response = true;
  bool interrupt_response = true;
  bool transcription = false;               // input transcription configured
  bool text_only = false;                   // output modality is text

  static int bytes_per_ms(const std::string& format);  // 8 for G.711, 48 for PCM 24 kHz 16-bit
};

RealtimeAudioSetup audio_setup(RealtimeDialect dialect, const nlohmann::json& session);

}  // namespace sonoria::fakes
