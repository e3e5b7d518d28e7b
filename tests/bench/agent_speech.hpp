#pragma once
// One agent utterance at a time for the Deepgram and Ultravox conversations, paced as the OpenAI
// one paces its responses: `reply_ms` of probe-stamped tone (agent_audio.hpp) in `delta_ms` chunks,
// due on an absolute schedule from the utterance's start (a late timer sends several at once), and
// its words cut into one transcript piece per k_deltas_per_piece chunks. Every chunk is counted in
// EngineStats (audio_deltas, and late_deltas when sent over k_late_ns after its time). The probe
// sequence runs on across the utterances of a connection (stream = the connection number).
//
// With `pcm_safe_probes` (Ultravox, whose audio sonoria re-encodes to μ-law), no probe holds a 0x7F
// byte, which sonoria's encoder cannot produce (agent_audio.hpp): a stream carries sequences 0 to
// 126 and the next frame starts a new stream (pcm_safe_stream: the simulator checks each stream
// from 0, so nothing counts as lost), and a chunk whose send time holds a 0x7F byte (about 3 in 100
// from the low bytes; every chunk for 4.3 s in each 18 min of uptime from byte 4) is sent as plain
// tone, counted in EngineStats::unprobed_frames — a sample left out, not a bias.
// Pure; not thread-safe (one per connection).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/bench/engine_protocol.hpp"
#include "tests/bench/engine_stats.hpp"

namespace sonoria::bench {

// What every bench engine says, whatever the protocol.
inline constexpr std::string_view k_reply_text =
    "Thanks for calling the studio. We are open every day from seven in the morning until nine at night, "
    "and I can text you a link to book a class whenever you like.";
inline constexpr std::string_view k_caller_transcript = "What time do you open on Saturday?";
inline constexpr std::string_view k_function_name = "send_booking_link";
inline constexpr int k_deltas_per_piece = 5;

class SpeechPlayer {
 public:
  // Where probes' send times come from: the monotonic clock the simulator compares them with
  // (tests pass their own, so that which send times hold a 0x7F byte does not depend on uptime).
  using Clock = std::uint64_t (*)();

  // `options` and `stats` must outlive the player; `number` is the connection's (its probe stream).
  SpeechPlayer(const EngineOptions& options, EngineStats& stats, std::uint32_t number, bool pcm_safe_probes = false,
               Clock clock = nullptr);

  // The probe stream of `generation` on connection `number` in pcm_safe_probes mode: both in base
  // 127 (digits 0–126, so no byte is 0x7F), the number modulo 127² in bytes 0–1, the generation in 2–3.
  static std::uint32_t pcm_safe_stream(std::uint32_t number, std::uint32_t generation);

  // Starts an utterance of `text` (reply_ms of audio) whose first chunk is due at `now_ns`; one
  // already under way is dropped.
  void start(std::uint64_t now_ns, std::string_view text);
  bool speaking() const { return total_ > 0; }
  std::optional<std::uint64_t> next_due_ns() const;

  struct Chunk {
    std::string_view audio;  // delta_ms of probe-stamped μ-law (valid until the next call)
    std::string_view words;  // the transcript piece that goes with it, "" for none
    bool last = false;       // the utterance is complete with this chunk
  };
  // The next chunk when it is due by `now_ns` (its probes stamped with the time now), else nullopt.
  std::optional<Chunk> next(std::uint64_t now_ns);

  // Ends the utterance early (barge-in). What it said stays in spoken().
  void stop() { total_ = 0; }

  const std::string& text() const { return text_; }        // the current (or last) utterance's words
  const std::string& spoken() const { return spoken_; }    // the pieces of them sent so far
  std::int64_t audio_ms() const { return static_cast<std::int64_t>(sent_) * options_.delta_ms; }

 private:
  const EngineOptions& options_;
  EngineStats& stats_;
  const std::uint32_t number_;
  const bool pcm_safe_;
  const Clock clock_;
  std::uint32_t generation_ = 0;
  std::uint32_t stream_;
  std::uint32_t sequence_ = 0;
  int total_ = 0;  // chunks of the utterance under way; 0 = silent
  int sent_ = 0;
  std::uint64_t start_ns_ = 0;
  std::string text_;
  std::vector<std::string> pieces_;
  std::string spoken_;
  std::string audio_;  // reused: one chunk of μ-law
};

}  // namespace sonoria::bench
