#pragma once
// What sonoria sends on a Media Stream (protocols.md §3.3), read the way Twilio reads it: `media`
// (audio to play), `mark` (a marker after the audio sent so far) and `clear` (drop buffered
// audio). Sans-I/O; any thread.
//
// Frames in the exact compact shape sonoria writes (core/twilio/media_message.hpp) take a scanning
// fast path that allocates nothing; anything else goes through nlohmann::json, so any valid JSON
// spelling is understood. A DaemonMessage is meant to be reused for every frame of a stream.

#include <string>
#include <string_view>

namespace sonoria::simulate {

struct DaemonMessage {
  enum class Kind { media, mark, clear, unknown };
  Kind kind = Kind::unknown;
  std::string_view event;       // as sent (unknown events are reported by name)
  std::string_view stream_sid;  // empty when absent
  bool has_stream_sid = false;
  std::string_view payload;     // media: base64 as sent, not yet checked
  std::string_view mark_name;   // mark

  // Views point into the parsed text, or into these when the slow path had to unescape.
  std::string owned_event;
  std::string owned_stream_sid;
  std::string owned_payload;
  std::string owned_mark_name;
};

// Reads one text frame into `out`. Returns "" on success, or why Twilio would reject the frame:
// "not a JSON object", "no \"event\" string", "`media` without media.payload string",
// "`mark` without mark.name string". An unknown event is not an error here (Kind::unknown); the
// stream sid is not checked here either.
std::string parse_daemon_message(std::string_view text, DaemonMessage& out);

}  // namespace sonoria::simulate
