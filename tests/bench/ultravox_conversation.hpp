#pragma once
// One bench-engine connection's side of a joined Ultravox call in server-WebSocket mode
// (protocols.md §7.3, §7.4), in the shapes of tests/fakes/fake_ultravox.cpp but built for load. The
// call was created over REST first (ultravox_rest.hpp); on join: call_started, state listening.
// Caller audio is s16le PCM 8 kHz in binary frames, re-encoded into 160-byte μ-law frames whose
// probes give caller→engine latency and sequence checks and whose speech flag drives the VAD
// (caller_input.hpp, pcm_probe.hpp). Speech while the agent speaks barges in (playback_clear_buffer,
// the agent transcript's final text as far as it got, state listening); 500 ms of silence ends the
// caller's turn (a final user transcript, state thinking, the agent's turn). The agent's turns are
// counted as the OpenAI conversation counts responses: every `function_every`-th is a
// client_tool_invocation of send_booking_link with {} parameters, after whose client_tool_result
// the agent goes on by itself (unless told agentReaction "listens"); the others are state speaking,
// agent transcript deltas, `reply_ms` of probe-stamped audio as s16le PCM in binary frames of
// `delta_ms` paced in real time (agent_speech.hpp; every μ-law byte sent as a sample sonoria encodes
// back to it, and probes kept free of the one byte it cannot: agent_audio.hpp), the final agent
// transcript and state listening.
// forced_agent_message (the greeting) is spoken as a turn, after the one under way if any;
// user_text_message is a user turn (urgency "later": recorded only); ping → pong. Anything else is
// counted as an error; the connection stays open.
//
// Not thread-safe: one per connection, used on the engine's one I/O thread.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tests/bench/agent_speech.hpp"
#include "tests/bench/caller_input.hpp"
#include "tests/bench/engine_protocol.hpp"
#include "tests/bench/engine_stats.hpp"

namespace sonoria::bench {

class UltravoxConversation final : public Protocol {
 public:
  // `number` names the connection: its probe stream and its ids; `call_id` the call it joined.
  // `options` and `stats` must outlive the conversation.
  // `clock` stamps the probes (default: the monotonic clock); tests fix it, since a chunk sent
  // while a byte of the clock is 0x7F goes out unprobed.
  UltravoxConversation(const EngineOptions& options, EngineStats& stats, std::uint32_t number, std::string call_id,
                       SpeechPlayer::Clock clock = nullptr);

  std::string_view engine() const override { return "ultravox"; }
  void open(Outbox& out) override;
  void on_message(std::string_view data, bool binary, std::uint64_t now_ns, Outbox& out) override;
  std::optional<std::uint64_t> next_due_ns() const override { return speech_.next_due_ns(); }
  void on_due(std::uint64_t now_ns, Outbox& out) override;

  static constexpr std::size_t k_max_waiting = 4;  // turns queued behind the one under way

 private:
  // A turn waiting for the agent to be free: an agent turn (reply) or given words (forced message).
  struct Waiting {
    bool reply = false;
    std::string words;
  };

  void on_text(std::string_view text, std::uint64_t now_ns, Outbox& out);
  void user_started(Outbox& out);
  void user_turn(std::string_view text, std::string_view medium, std::uint64_t now_ns, Outbox& out);
  void agent_turn(std::uint64_t now_ns, Outbox& out);
  void speak(std::string_view words, std::uint64_t now_ns, Outbox& out);
  void finish_utterance(Outbox& out);
  void tool_result(const nlohmann::json& message, std::uint64_t now_ns, Outbox& out);
  void wait_or_run(Waiting turn, std::uint64_t now_ns, Outbox& out);
  void run_waiting(std::uint64_t now_ns, Outbox& out);
  void state(std::string_view state, Outbox& out);
  void send(const nlohmann::json& message, Outbox& out);
  bool busy() const { return speech_.speaking() || !pending_invocation_.empty(); }

  const EngineOptions& options_;
  EngineStats& stats_;
  const std::uint32_t number_;
  const std::string call_id_;
  CallerInput caller_;
  SpeechPlayer speech_;
  std::string state_;
  std::int64_t ordinal_ = 0;            // of the next utterance
  std::int64_t speaking_ordinal_ = -1;  // of the agent utterance under way
  std::uint64_t turns_ = 0;             // agent turns started (the OpenAI conversation's responses)
  std::uint64_t ids_ = 0;
  std::string pending_invocation_;      // awaiting its client_tool_result, "" = none
  std::deque<Waiting> waiting_;
  std::string pcm_;                     // reused: one chunk of s16le
};

}  // namespace sonoria::bench
