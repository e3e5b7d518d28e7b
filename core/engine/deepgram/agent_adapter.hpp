#pragma once
// The Deepgram Voice Agent adapter (protocols.md §6): a cascaded agent (speech recognition, a
// language model, speech synthesis) behind one WebSocket. What is particular to it:
//  - `Settings` is the first message of every connection and cannot be sent twice; a reconnect
//    carries the conversation so far in it (agent.context.messages).
//  - Audio is raw μ-law 8 kHz in binary frames both ways (Twilio's own format: no transcoding).
//  - Deepgram names no items: turns get ids made up here ("dg_u3", "dg_a4"), in arrival order.
//    Its assistant text (ConversationText) comes before the audio; it is reported once the item's
//    audio is done, so the call cuts it to what the caller heard.
//  - The agent replies by itself, also after a FunctionCallResponse; it manages its own context
//    at barge-in (no truncation). It speaks given words (InjectAgentMessage), not instructions,
//    and refuses them while someone is mid-turn: they wait until the agent is quiet.
//  - The server ends connections that go quiet: KeepAlive every few seconds while no audio flows
//    (while the phone rings, before the stream starts).

#include <deque>
#include <map>
#include <string>

#include "core/engine/adapter.hpp"
#include "core/engine/deepgram/agent_protocol.hpp"
#include "core/engine/session_config.hpp"

namespace sonoria::engine::deepgram {

class AgentAdapter final : public Adapter {
 public:
  // `sink` must outlive the adapter.
  AgentAdapter(SessionConfig config, FrameSink& sink, std::vector<std::string> tags = {});

  std::string_view name() const override { return "deepgram"; }
  const Capabilities& capabilities() const override;
  AudioMerger audio_merger() const override;

  void open(const std::vector<HistoryLine>& history) override;
  bool receive(std::string_view data, bool binary, EventSink& events) override;
  void closed() override;
  void tick(TimePoint now) override;

  bool caller_audio(std::string_view payload_b64) override;
  void greet(const Speech& speech) override;
  void say(const Speech& speech, bool now) override;
  void caller_text(std::string_view text) override;
  void tool_result(std::string_view call_id, std::string_view output, bool reply) override;
  void cut(std::string_view item_id, int64_t heard_ms) override;
  StageChange change_stage(std::string_view call_id, std::string_view output, const SessionConfig& next) override;
  bool busy() const override;

  // How long without a frame to Deepgram before a KeepAlive goes out.
  static constexpr std::chrono::seconds k_keep_alive_after{5};

 private:
  enum class Phase { closed, configuring, live };

  void on(const AgentMessage& message, EventSink& events);
  void agent_audio(std::string_view audio, EventSink& events);
  void start_item(EventSink& events);
  void finish_item(EventSink& events);
  void stream_text(EventSink& events);
  void user_started(EventSink& events);
  void user_said(std::string_view text, EventSink& events);
  bool quiet() const;
  void flush_say();
  void inject(std::string_view words);
  void send(std::string text);

  SessionConfig config_;
  FrameSink& sink_;
  std::vector<std::string> tags_;

  Phase phase_ = Phase::closed;
  int ids_ = 0;                      // for made-up ids, unique across the call's connections
  std::string last_item_;            // the conversation's latest item, for ItemPlaced
  std::string user_turn_;            // the caller turn being spoken, "" = none
  std::string reply_;                // the reply (agent audio) under way, "" = none
  std::string item_;                 // its assistant item
  std::string item_text_;            // what the agent says in it (ConversationText), reported at its end
  std::size_t item_text_streamed_ = 0;  // how much of item_text_ went out as AgentTextDelta
  bool muted_ = false;               // after a barge-in: audio still in flight is stale
  std::string pending_say_;          // words waiting for the agent to be quiet
  // Something was sent that the agent answers by speaking (injected words, keypad text, the last
  // tool result), and it has not started to: the call must not take it for quiet.
  bool reply_owed_ = false;
  std::deque<std::string> injected_user_;  // keypad text sent, its ConversationText echo to come
  std::map<std::string, std::string, std::less<>> calls_;  // function call id → name, awaiting a result

  bool sent_since_tick_ = false;
  TimePoint last_sent_{};
};

}  // namespace sonoria::engine::deepgram
