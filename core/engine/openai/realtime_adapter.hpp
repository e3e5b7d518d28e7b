#pragma once
// The OpenAI Realtime adapter (GA and beta, protocols.md §5): the engine seam's inputs become
// Realtime client events and its server events become neutral events. It owns what is particular
// to Realtime: session.update then waiting for session.updated in μ-law before anything else,
// re-seeding a fresh session with conversation items, conversation.item.truncate at barge-in, and
// the response.create bookkeeping — a reply is asked for explicitly (also after tool outputs,
// once the response is done and all its outputs are in) and never while one is active or already
// asked for (conversation_already_has_active_response).

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/engine/adapter.hpp"
#include "core/engine/openai/realtime_protocol.hpp"

namespace sonoria::engine::openai {

class RealtimeAdapter final : public Adapter {
 public:
  // `session_update` is the session.update event text for every connection (session_update());
  // shared, so calls with the same configuration hold one copy. `voice`: the voice it sets (a stage
  // with another one needs a fresh session). `sink` must outlive the adapter.
  RealtimeAdapter(std::shared_ptr<const std::string> session_update, OpenAiProtocol protocol, FrameSink& sink,
                  std::string voice = {});

  std::string_view name() const override { return "openai"; }
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
  void reply() override;
  bool busy() const override;

  // receive() after parsing: one typed Realtime event (also how tests drive the adapter).
  void receive_event(RealtimeEvent& event, EventSink& events);

 private:
  enum class Phase { closed, configuring, live };
  struct Response {
    bool done = false;
    bool has_tools = false;
    bool followed_up = false;
  };
  struct Call {
    std::string response_id;
    bool reported = false;             // ToolCall sent (needs the name, which beta may send late)
    bool result_in = false;
  };

  void session_updated(const SessionUpdated& e, EventSink& events);
  void error(const EngineError& e, EventSink& events);
  void function_call(const FunctionCallDone& e, EventSink& events);
  void response_done(ResponseDone& e, EventSink& events);

  void request_response(std::string_view instructions = {});
  void flush();
  void follow_up_if_tools_done(const std::string& response_id);
  void send(std::string text) { sink_.send_engine(Frame{std::move(text), false, false}); }

  std::shared_ptr<const std::string> session_update_;
  OpenAiProtocol protocol_;
  FrameSink& sink_;
  std::string voice_;

  Phase phase_ = Phase::closed;
  std::vector<HistoryLine> seed_;      // sent once session.updated confirms the format
  std::string append_;                 // reused for every input_audio_buffer.append

  bool response_active_ = false;
  bool response_requested_ = false;
  bool want_response_ = false;         // a plain response.create is owed
  std::string want_instructions_;      // a response.create with these instructions is owed
  std::string requested_instructions_; // of the response.create in flight
  int outstanding_tools_ = 0;          // ToolCalls reported on this connection, result not in yet
  std::map<std::string, Response, std::less<>> responses_;
  std::map<std::string, Call, std::less<>> calls_;
};

}  // namespace sonoria::engine::openai
