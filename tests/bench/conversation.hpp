#pragma once
// One bench-engine connection's side of the OpenAI Realtime GA conversation, as plain code: client
// event text in, server event text out, plus when the next paced audio delta is due. The transport
// (engine_session.cpp) only moves bytes and runs the timer.
//
// Subset (protocols.md §5.7–§5.10, shapes of tests/fakes): session.created on open; session.update
// → session.updated (turn detection read from it); input_audio_buffer.append decoded into 160-byte
// frames whose probes give caller→engine latency and sequence checks, and whose speech flag drives
// the VAD (speech_started; after silence_duration_ms speech_stopped, committed, the user item, a
// fixed input transcription, and a response when create_response is on); response.create starts a
// response; every `function_every`-th response is a send_booking_link function call with `{}`
// arguments, the others speak `reply_ms` of μ-law in `delta_ms` deltas paced in real time on an
// absolute schedule, every 160-byte frame stamped with a probe (stream = the connection number,
// consecutive sequence on the connection, sent_ns = when the delta is written); speech during a
// response or response.cancel cancels it (response.done status cancelled); conversation.item.create
// and conversation.item.truncate are checked as OpenAI does (known call_id; truncate within the
// audio sent) and answered. Malformed or unsupported client events get an `error` event, never an
// exception. Everything it counts goes to the shared EngineStats.
//
// Not thread-safe: one Conversation per connection, used on the engine's one I/O thread.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/bench/append_audio.hpp"
#include "tests/bench/engine_protocol.hpp"
#include "tests/bench/engine_stats.hpp"
#include "tests/bench/frame_vad.hpp"
#include "tests/bench/probe_sequence.hpp"

namespace sonoria::bench {

class Conversation final : public Protocol {
 public:
  // `number` names the connection: its probe stream and its ids. `options` and `stats` must
  // outlive the conversation.
  Conversation(const EngineOptions& options, EngineStats& stats, std::uint32_t number, std::string model);

  std::string_view engine() const override { return "openai"; }

  // The WebSocket is open: session.created.
  void open(Outbox& out) override;

  // A text frame goes to on_text; a binary frame is not part of the protocol (counted as an error).
  void on_message(std::string_view data, bool binary, std::uint64_t now_ns, Outbox& out) override;

  // One client text frame that arrived at `now_ns` (simulate::monotonic_ns()).
  void on_text(std::string_view text, std::uint64_t now_ns, Outbox& out);

  // When the next audio delta of the speaking response is due (monotonic ns); nullopt when silent.
  std::optional<std::uint64_t> next_due_ns() const override;

  // Sends the deltas due by `now_ns` — several when the caller is late, so the schedule stays
  // absolute — and, after the last one, the response's closing events and response.done.
  void on_due(std::uint64_t now_ns, Outbox& out) override;

  // The `error` event and close code OpenAI's GA endpoint answers a beta (`OpenAI-Beta`) client with.
  static std::string beta_refusal();
  static constexpr int k_beta_close_code = 4000;

 private:
  struct Response {
    std::string id;
    std::string item_id;
    int deltas_total = 0;
    int deltas_sent = 0;
    std::uint64_t start_ns = 0;
    std::vector<std::string> transcript;  // one piece per k_deltas_per_word audio deltas
    std::string spoken;                   // transcript sent so far
    std::int64_t audio_ms = 0;
  };
  struct AssistantItem {
    std::string id;
    std::int64_t audio_ms = 0;
  };

  void on_frame(std::string_view frame, std::uint64_t now_ns, Outbox& out);
  void append(std::string_view b64, const nlohmann::json& client_id, std::uint64_t now_ns, Outbox& out);
  void session_update(const nlohmann::json& event, const nlohmann::json& client_id, Outbox& out);
  void commit(const nlohmann::json& client_id, Outbox& out);
  void item_create(const nlohmann::json& event, const nlohmann::json& client_id, Outbox& out);
  void truncate(const nlohmann::json& event, const nlohmann::json& client_id, Outbox& out);
  void speech_started(Outbox& out);
  void speech_stopped(std::uint64_t now_ns, Outbox& out);
  void commit_user_item(const std::string& item_id, Outbox& out);
  void start_response(std::uint64_t now_ns, Outbox& out);
  void function_call(Outbox& out);
  void send_delta(Outbox& out);
  void finish_response(std::string_view status, const nlohmann::json& details, Outbox& out);
  void add_item(nlohmann::json item, Outbox& out);
  void send(nlohmann::json event, Outbox& out);
  void send_error(std::string_view code, std::string_view message, std::string_view param,
                  const nlohmann::json& client_id, Outbox& out);
  std::string next_id(std::string_view prefix);
  nlohmann::json previous_item() const;
  AssistantItem* find_assistant_item(std::string_view id);

  const EngineOptions& options_;
  EngineStats& stats_;
  const std::uint32_t number_;
  const std::string model_;
  std::string session_id_;
  std::string conversation_id_;
  std::uint64_t ids_ = 0;

  // Turn detection, from session.update.
  bool vad_enabled_ = true;
  bool create_response_ = true;
  bool interrupt_response_ = true;

  FrameAssembler frames_;
  FrameVad vad_;
  ProbeSequence sequence_;
  std::int64_t uncommitted_ms_ = 0;
  std::string user_item_id_;

  std::string last_item_id_;
  std::vector<std::string> open_calls_;          // function call_ids awaiting their output
  std::array<AssistantItem, 4> recent_items_{};  // what a truncate may name (the last few replies)
  std::size_t recent_next_ = 0;

  std::uint64_t responses_ = 0;
  std::optional<Response> response_;
  std::uint32_t out_sequence_ = 0;
  std::string delta_audio_;  // reused: one delta of raw μ-law
};

}  // namespace sonoria::bench
