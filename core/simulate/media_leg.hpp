#pragma once
// Twilio's side of one Media Stream (protocols.md §3), as a state object with no I/O: it writes the
// messages Twilio sends (connected, start, media, dtmf, mark echoes, stop) with Twilio's counters,
// and it "plays" what sonoria sends back the way Twilio does — audio queued and played in order at
// 8 bytes per ms, each mark echoed once the audio queued before it has played, `clear` dropping the
// queued audio and echoing every pending mark at once.
//
// Time is stream time in microseconds since `start` was sent, supplied by the caller (a wall clock
// in the simulator, a virtual one in tests). Audio that arrives while nothing is playing starts
// playing on arrival; later audio queues behind it. Messages Twilio would flag (wrong streamSid,
// invalid base64, unknown events, anything before `start`) are counted, described and ignored.
//
// Threading: one thread or strand at a time. write_* reuse the caller's buffer (cleared first), so
// a stream that keeps one buffer allocates nothing per frame.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/simulate/daemon_message.hpp"

namespace sonoria::simulate {

using Micros = std::int64_t;

inline constexpr Micros k_frame_us = 20'000;      // one 20 ms media frame
inline constexpr Micros k_us_per_byte = 125;      // 8 kHz μ-law: 8 bytes per ms

struct StreamIdentity {
  std::string account_sid;                        // "AC…"
  std::string call_sid;                           // "CA…"
  std::string stream_sid;                         // "MZ…"
  std::vector<std::pair<std::string, std::string>> custom_parameters;  // the TwiML <Parameter>s
};

struct LegCounters {
  std::int64_t messages_sent = 0;       // every message after `connected` (the sequenceNumber)
  std::int64_t frames_sent = 0;         // media messages (the chunk)
  std::int64_t media_received = 0;      // accepted media messages
  std::int64_t audio_bytes_received = 0;
  std::int64_t audio_frames_received = 0;  // received audio in 160-byte frames (a short tail counts)
  std::int64_t marks_received = 0;
  std::int64_t marks_echoed = 0;
  std::int64_t clears = 0;
  // clears that found nothing left to play: the caller had heard the reply to its end, and only
  // its marks were late (a turn that looked like a barge-in)
  std::int64_t empty_clears = 0;
  std::int64_t cleared_bytes = 0;       // audio dropped by clear before it played
  std::int64_t played_bytes = 0;        // audio played out
  std::int64_t rejected = 0;            // messages Twilio would flag and ignore
};

// What one message from sonoria was.
struct Received {
  enum class Kind { media, mark, clear, rejected };
  Kind kind = Kind::rejected;
  std::size_t audio_bytes = 0;          // media: decoded size
  std::size_t cleared_bytes = 0;        // clear: queued audio dropped
  std::string problem;                  // rejected: why, for a log
};

class MediaLegState {
 public:
  // `record` keeps the audio as heard (see heard()).
  MediaLegState(StreamIdentity identity, bool record);

  const StreamIdentity& identity() const { return identity_; }

  // ---- what Twilio sends ----
  // {"event":"connected","protocol":"Call","version":"1.0.0"}
  void write_connected(std::string& out) const;
  // `start` with sequenceNumber 1, tracks ["inbound"], audio/x-mulaw 8000 1, customParameters.
  void write_start(std::string& out);
  // One inbound media message: `payload_b64` is the base64 of 160 μ-law bytes. Chunk counts from 1
  // and timestamp is (chunk - 1) × 20 ms, as Twilio's stream clock.
  void write_media(std::string& out, std::string_view payload_b64);
  // A keypress (track "inbound_track").
  void write_dtmf(std::string& out, char digit);
  // The echo of mark `name`.
  void write_mark(std::string& out, std::string_view name);
  void write_stop(std::string& out);

  // ---- what sonoria sends ----
  // Handles one text message that arrived at `now`. Playback first catches up to `now`; the names
  // of marks due to be echoed (played, or flushed by a clear) are appended to `echo` in order.
  Received receive(std::string_view text, Micros now, std::vector<std::string>& echo);
  // Handles a binary message: Twilio accepts only text (warning 31950).
  Received receive_binary();
  // Plays queued audio up to `now`, appending marks that became due to `echo`.
  void play_until(Micros now, std::vector<std::string>& echo);

  // The decoded audio of the last accepted media message (valid until the next receive()).
  std::string_view last_audio() const { return audio_; }

  // True while audio is still queued to play at `now`.
  bool playing(Micros now) const { return playback_end_ > now; }
  // When the queued audio will have played out (never earlier than the last arrival).
  Micros playback_end() const { return playback_end_; }
  std::optional<Micros> first_audio_at() const { return first_audio_at_; }
  std::optional<Micros> last_audio_at() const { return last_audio_at_; }
  const LegCounters& counters() const { return counters_; }
  // The audio played so far, in playback order, without the audio a clear dropped (only when
  // recording; silence between replies is not included).
  const std::string& heard() const { return heard_; }

 private:
  struct Entry {
    Micros start = 0;         // audio: when it starts playing; mark: when it is due
    std::size_t bytes = 0;    // audio length
    std::string audio;        // when recording
    std::string mark;
    bool is_mark = false;
  };

  void begin(std::string& out, std::string_view event);
  void append_sequence(std::string& out);
  Received reject(std::string problem);
  void clear(Micros now, std::vector<std::string>& echo, Received& result);

  StreamIdentity identity_;
  bool record_;
  bool started_ = false;
  LegCounters counters_;
  std::deque<Entry> queue_;
  Micros playback_end_ = 0;
  std::optional<Micros> first_audio_at_;
  std::optional<Micros> last_audio_at_;
  DaemonMessage message_;
  std::string audio_;
  std::string heard_;
};

}  // namespace sonoria::simulate
