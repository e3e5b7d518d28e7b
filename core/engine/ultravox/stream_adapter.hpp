#pragma once
// The Ultravox adapter in server-WebSocket mode (protocols.md §7.3, §7.4): a speech-native agent
// whose call is created over REST first (call_api.hpp) and then joined by WebSocket. What is
// particular to it:
//  - Everything is configured at creation (prompt, voice, tools, and the conversation so far on a
//    reconnect): open() sends nothing, and the first message on the joined socket (call_started)
//    reports Ready. The history given to open() is not used: it went into the creation request.
//  - Audio is raw s16le PCM in binary frames both ways, at 8 kHz unless the call was created at
//    other rates (SessionConfig::pcm, where 8 kHz was refused): caller μ-law is decoded (and
//    resampled up), agent PCM resampled down and encoded (a frame may end in half a sample; it
//    is completed by the next).
//  - Ultravox names no items: turns get ids made up here ("uv_u3", "uv_a4"), in arrival order. An
//    agent utterance starts at its first audio or transcript and ends at its final transcript
//    (or a barge-in); its text is reported then, so the call cuts it to what the caller heard.
//  - Barge-in is Ultravox's decision: playback_clear_buffer → CallerSpeechStarted and the
//    utterance is over; audio still in flight for it is dropped until the agent moves on.
//  - The agent replies by itself, also after a client_tool_result (unless told to listen). It
//    speaks given words (forced_agent_message), not instructions; Ultravox schedules them.

#include <cstdint>
#include <set>
#include <string>

#include "core/audio/pcm16.hpp"
#include "core/engine/adapter.hpp"
#include "core/engine/session_config.hpp"
#include "core/engine/ultravox/stream_protocol.hpp"

namespace sonoria::engine::ultravox {

class StreamAdapter final : public Adapter {
 public:
  // `sink` must outlive the adapter. `rates`: the call's audio as created (0 = 8 kHz).
  explicit StreamAdapter(FrameSink& sink, PcmRates rates = {});

  std::string_view name() const override { return "ultravox"; }
  const Capabilities& capabilities() const override;
  AudioMerger audio_merger() const override;

  void open(const std::vector<HistoryLine>& history) override;
  bool receive(std::string_view data, bool binary, EventSink& events) override;
  void closed() override;

  bool caller_audio(std::string_view payload_b64) override;
  void greet(const Speech& speech) override;
  void say(const Speech& speech, bool now) override;
  void caller_text(std::string_view text) override;
  void tool_result(std::string_view call_id, std::string_view output, bool reply) override;
  void cut(std::string_view item_id, int64_t heard_ms) override;
  StageChange change_stage(std::string_view call_id, std::string_view output, const SessionConfig& next) override;
  bool busy() const override;

  // The most caller audio one merged frame carries: 1 s of s16le at 8 kHz, half a second at 16.
  static constexpr std::size_t k_max_merged_bytes = 16000;

 private:
  enum class Phase { closed, joining, live };

  void on(const ServerMessage& message, EventSink& events);
  void on_state(std::string_view state);
  void on_agent_transcript(const Transcript& t, EventSink& events);
  void on_user_transcript(const Transcript& t, EventSink& events);
  void on_invocation(const ToolInvocation& call, EventSink& events);
  void on_clear(EventSink& events);
  void agent_audio(std::string_view pcm, EventSink& events);
  void become_live(EventSink& events);
  void start_item(std::int64_t ordinal, EventSink& events);
  void finish_item(EventSink& events);
  void stream_text(EventSink& events);
  void clear_item_text();
  void speak(std::string_view words, Urgency urgency);
  void send(std::string text);

  FrameSink& sink_;
  Capabilities capabilities_;
  Phase phase_ = Phase::closed;
  int ids_ = 0;                        // for made-up ids, unique across the call's connections
  std::string last_item_;              // the conversation's latest item, for ItemPlaced

  // The agent utterance being reported ("" = none).
  std::string reply_;
  std::string item_;
  std::int64_t item_ordinal_ = -1;     // its transcript's ordinal, -1 until one arrives
  std::string item_text_;
  std::size_t item_text_streamed_ = 0; // how much of item_text_ went out as AgentTextDelta
  bool item_text_rewritten_ = false;   // a whole-text message changed what was streamed: wait for the final
  std::int64_t finished_ordinal_ = -1; // the last finished utterance's (late transcripts of it are ignored)
  bool cut_unnumbered_ = false;        // a barge-in ended an utterance whose ordinal was not known yet
  bool muted_ = false;                 // after a barge-in: audio still in flight is stale
  audio::Pcm16leToUlawStream agent_pcm_;
  audio::UlawToPcm16leStream caller_pcm_;

  // The caller utterance being heard ("" = none).
  std::string user_turn_;
  bool user_started_ = false;          // CallerSpeechStarted reported for it
  std::string user_text_;

  // Replies asked for (forced messages, caller text, tool results) that have not begun. `stirred_`:
  // the agent started working since (thinking); if it then listens without speaking, none is owed.
  int owed_ = 0;
  bool stirred_ = false;
  std::string pending_say_;            // words asked for while no call was live
  std::set<std::string, std::less<>> calls_;  // invocations awaiting a result
};

}  // namespace sonoria::engine::ultravox
