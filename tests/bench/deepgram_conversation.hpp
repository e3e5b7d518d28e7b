#pragma once
// One bench-engine connection's side of the Deepgram Voice Agent API (V1, protocols.md §6), in the
// shapes of tests/fakes/fake_deepgram_agent.cpp but built for load: Welcome on open; the first
// client message must be Settings (SettingsApplied; audio or another message first is Error
// NON_SETTINGS_MESSAGE_BEFORE_SETTINGS, a second Settings SETTINGS_ALREADY_APPLIED). Caller audio
// is raw μ-law in binary frames, cut into 160-byte frames whose probes give caller→engine latency
// and sequence checks and whose speech flag drives the VAD (caller_input.hpp): speech starts a turn
// (UserStartedSpeaking; agent audio under way stops there, without AgentAudioDone, as Deepgram does;
// an unanswered FunctionCallRequest is withdrawn with FunctionCallCancelled), 500 ms of silence ends
// it (ConversationText{user}, AgentThinking, the agent's turn). The agent's turns are counted as the
// OpenAI conversation counts responses: every `function_every`-th is a FunctionCallRequest for a
// client-side send_booking_link with "{}" arguments, after whose FunctionCallResponse the agent
// goes on by itself (a new turn, as Deepgram does); the others are ConversationText{assistant},
// AgentStartedSpeaking, `reply_ms` of probe-stamped μ-law in binary frames of `delta_ms` paced in
// real time (agent_speech.hpp), and AgentAudioDone. InjectAgentMessage (the greeting) is spoken as
// a turn, or refused with InjectionRefused while the caller speaks or the agent is busy;
// InjectUserMessage is a user turn; KeepAlive is accepted. Anything else gets a Warning. Errors,
// warnings and refusals are counted in EngineStats by code; the connection stays open.
//
// Not thread-safe: one per connection, used on the engine's one I/O thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tests/bench/agent_speech.hpp"
#include "tests/bench/caller_input.hpp"
#include "tests/bench/engine_protocol.hpp"
#include "tests/bench/engine_stats.hpp"

namespace sonoria::bench {

class DeepgramConversation final : public Protocol {
 public:
  // `number` names the connection: its probe stream and its ids. `options` and `stats` must
  // outlive the conversation.
  DeepgramConversation(const EngineOptions& options, EngineStats& stats, std::uint32_t number);

  std::string_view engine() const override { return "deepgram"; }
  void open(Outbox& out) override;
  void on_message(std::string_view data, bool binary, std::uint64_t now_ns, Outbox& out) override;
  std::optional<std::uint64_t> next_due_ns() const override { return speech_.next_due_ns(); }
  void on_due(std::uint64_t now_ns, Outbox& out) override;

 private:
  void on_text(std::string_view text, std::uint64_t now_ns, Outbox& out);
  void user_started(Outbox& out);
  void interrupt(Outbox& out);
  void user_turn(std::string_view text, std::uint64_t now_ns, Outbox& out);
  void agent_turn(std::uint64_t now_ns, Outbox& out);
  void speak(std::string_view text, std::uint64_t now_ns, Outbox& out);
  void function_response(const nlohmann::json& message, std::uint64_t now_ns, Outbox& out);
  void inject_agent(const nlohmann::json& message, std::uint64_t now_ns, Outbox& out);
  void problem(bool fatal, std::string_view code, std::string_view description, Outbox& out);
  void send(const nlohmann::json& message, Outbox& out);
  bool busy() const { return speech_.speaking() || !pending_call_.empty(); }

  const EngineOptions& options_;
  EngineStats& stats_;
  const std::uint32_t number_;
  bool settings_applied_ = false;
  CallerInput caller_;
  SpeechPlayer speech_;
  std::uint64_t turns_ = 0;   // agent turns started (the OpenAI conversation's responses)
  std::uint64_t ids_ = 0;
  std::string pending_call_;  // the FunctionCallRequest id awaiting its response, "" = none
};

}  // namespace sonoria::bench
