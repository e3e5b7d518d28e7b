#pragma once
// Twilio Media Streams messages (protocols.md §3.2–3.3): parsing what Twilio sends on the media
// WebSocket and writing what sonoria sends back. Sans-I/O; callable from any thread.
//
// `media` frames arrive 50 times a second per call, so they take a fast path that scans the JSON
// text by hand, allocates nothing, and returns views into the frame. Everything else (and any
// media frame the fast path is unsure about) goes through nlohmann::json.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sonoria::twilio {

// First frame after the upgrade.
struct Connected {
  std::string protocol{};  // "Call"
  std::string version{};   // "1.0.0"
};

struct MediaFormat {
  std::string encoding{};  // "audio/x-mulaw"
  int sample_rate = 0;   // 8000
  int channels = 0;      // 1
};

// Exactly once, after `connected`. customParameters are the TwiML <Parameter>s.
struct Start {
  std::string stream_sid{};
  std::string call_sid{};
  std::string account_sid{};
  std::vector<std::string> tracks{};  // ["inbound"] for a bidirectional stream
  std::map<std::string, std::string> custom_parameters{};
  MediaFormat media_format{};
  std::int64_t sequence_number = 0;
};

// Caller audio. The views point INTO the text given to parse_media_message: they are valid only
// while that text is alive and unchanged.
struct Media {
  std::string_view stream_sid{};
  std::string_view track{};    // "inbound"
  std::string_view payload{};  // base64 µ-law, already checked to be valid base64
  std::int64_t chunk = 0;         // per-track counter from 1
  std::int64_t timestamp_ms = 0;  // stream-relative presentation time: the call's clock
  std::int64_t sequence_number = 0;
};

// A keypress; `track` is "inbound_track" in practice.
struct Dtmf {
  std::string stream_sid{};
  std::string digit{};
  std::string track{};
  std::int64_t sequence_number = 0;
};

// Echo of a mark sonoria sent: played, or flushed by a `clear`.
struct Mark {
  std::string stream_sid{};
  std::string name{};
  std::int64_t sequence_number = 0;
};

// The stream ended; Twilio closes the socket next.
struct Stop {
  std::string stream_sid{};
  std::string account_sid{};
  std::string call_sid{};
  std::int64_t sequence_number = 0;
};

// Not Twilio's: words typed into a test call by `sonoria chat` ({"event":"sonoria_text","text":…}),
// the caller's turn in text. The daemon honours it on test calls only (signed with the local test
// key, or the dashboard's); from Twilio it never comes.
struct TypedText {
  std::string text{};
};

// A well-formed message with an event sonoria does not know: ignore it (protocols.md §9.15).
struct Unknown {
  std::string event{};
};

using InboundMessage = std::variant<Connected, Start, Media, Dtmf, Mark, Stop, TypedText, Unknown>;

// Parses one text frame. Returns nullopt, never throws, for anything malformed: not a JSON object,
// no string `event`, a required field missing, any known field of the wrong type, a string-number
// ("sequenceNumber", "chunk", "timestamp") that is not a JSON string of decimal digits fitting in
// int64 (a bare JSON number is wrong too), or a media payload that is not valid base64.
// Required beyond `event`:
//   start:  sequenceNumber, start.callSid, start.accountSid, and start.streamSid (or streamSid)
//   media:  sequenceNumber, streamSid, media.track, media.chunk, media.timestamp, media.payload
//   dtmf:   sequenceNumber, streamSid, dtmf.digit
//   mark:   sequenceNumber, streamSid, mark.name
//   stop:   sequenceNumber, streamSid
//   sonoria_text: text
// Other documented fields default to empty when absent (start.tracks, start.customParameters,
// start.mediaFormat, connected.protocol/version, …). mediaFormat's sampleRate/channels may be JSON
// integers or string-numbers. Unknown fields and events are not errors. A media frame that spells
// its streamSid, track or payload with JSON escapes (Twilio never does; "\/" is legal JSON) can be
// nullopt, because its views must point into `text`.
std::optional<InboundMessage> parse_media_message(std::string_view text);

// Outbound messages (protocols.md §3.3), written into `out`, which is cleared first: reuse one
// buffer per connection and it stops allocating once it has grown to the largest frame. Strings
// are JSON-escaped; `payload_b64` is written as given (the caller supplies valid base64).
void write_media(std::string& out, std::string_view stream_sid, std::string_view payload_b64);
void write_mark(std::string& out, std::string_view stream_sid, std::string_view name);
void write_clear(std::string& out, std::string_view stream_sid);

}  // namespace sonoria::twilio
