#pragma once
// The per-call state machine between Twilio Media Streams and a speech engine (OpenAI Realtime).
// It is driven by method calls — one per thing that happened on either leg, plus a periodic
// on_tick — and answers through an ActionSink (actions.hpp): frames to send, tools to run, the
// end of the stream, and records for the database. It never does I/O, reads no clock and owns
// no thread: every input takes `now` (steady clock), and the daemon calls it on the call's strand.
// Nothing here throws on peer input; malformed or unexpected events are ignored or recorded.
//
// Life of a call (protocols.md §3, §5, §9):
//  1. on_twilio_start, on_engine_open (either order) → session.update is sent.
//  2. session.updated with μ-law in and out → the session is live; the greeting (a system item
//     + response.create) goes out once the Twilio stream has started too. An error reply to
//     session.update, a non-μ-law format, the engine closing or not getting ready within
//     engine_ready_timeout end the call with EndStream{Fallback} (never silently carry on).
//  3. Caller audio is forwarded as input_audio_buffer.append, reusing one buffer (no allocation
//     per frame). Audio arriving while the session is not live is dropped, not held: it would be
//     read in the wrong format before session.updated, and stale speech replayed later would
//     confuse the turn detection more than losing it.
//  4. Assistant audio goes to Twilio as it comes, each chunk followed by a mark "<item_id>:<n>".
//     On speech_started with marks outstanding (barge-in): Twilio clear, then truncate the item
//     that was playing at what its last echoed mark says was heard (PlaybackTracker). Later
//     audio of cut items is dropped.
//  5. Function calls: RunTool at once; each result is sent as function_call_output; one
//     response.create follows once that response is done and all its results are in. No
//     response.create is ever sent while a response is active or requested.
//  6. End: end_call/transfer_call effects, the transfer digit, the time limit (a spoken wrap-up)
//     or silence (a check-in, then a goodbye) lead to EndStream once the last words have played
//     (last mark echoed), bounded by a timeout. Twilio stop ends the call without EndStream.
//  7. Engine lost mid-call (or session_expired): EngineLost asks the daemon for a new connection;
//     on its session.updated the bridge re-seeds the transcript so far (reseed_events()). After
//     max_engine_reconnects failures: EndStream{Fallback}.

#include "core/call/actions.hpp"
#include "core/call/playback.hpp"
#include "core/call/summary.hpp"
#include "core/call/transcript.hpp"
#include "core/engine/events.hpp"
#include "core/engine/openai_protocol.hpp"
#include "core/engine/session_config.hpp"
#include "core/tools/outcome.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::call {

using std::chrono::milliseconds;

struct BridgeConfig {
  engine::SessionConfig session;     // sent as session.update on every engine connection
  engine::OpenAiProtocol protocol = engine::OpenAiProtocol::ga;

  std::string greeting;              // said word for word first; "" = greeting_instruction
  std::string greeting_instruction;  // how to greet when greeting is ""; "" = a warm generic greeting

  std::string transfer_digit = "0";  // keypad digit that transfers at once; "" = off
  std::string transfer_number;       // E.164 of the default fallback; "" = no transfer possible

  milliseconds max_duration{30 * 60 * 1000};     // 0 = no limit
  milliseconds silence_timeout{60 * 1000};       // caller and assistant both quiet; 0 = off
  milliseconds wrap_up_timeout{30 * 1000};       // a spoken farewell must have played by then
  milliseconds hangup_timeout{15 * 1000};        // end_call/transfer: the goodbye must have played
  milliseconds engine_ready_timeout{10 * 1000};  // open → session.updated, also on reconnect
  milliseconds caller_transcript_wait{30 * 1000};// a missing caller transcript holds later turns
  int max_engine_reconnects = 2;
};

class CallBridge {
 public:
  // The call starts at `start` (offsets in records are measured from it). `sink` must outlive
  // the bridge. Sends nothing yet.
  CallBridge(BridgeConfig config, ActionSink& sink, TimePoint start);

  // ---- engine leg ----
  // The engine socket is open (first connection, or a reconnect asked for by EngineLost).
  void on_engine_open(TimePoint now);
  void on_engine_event(TimePoint now, const engine::Event& event);
  // The engine socket closed or could not be opened.
  void on_engine_closed(TimePoint now, std::string_view reason);

  // ---- Twilio leg ----
  void on_twilio_start(TimePoint now, std::string_view stream_sid);
  // Hot path (~50/s): one inbound frame. timestamp_ms is Twilio's media.timestamp.
  void on_twilio_media(TimePoint now, int64_t timestamp_ms, std::string_view payload_b64);
  void on_twilio_mark(TimePoint now, std::string_view name);
  void on_twilio_dtmf(TimePoint now, std::string_view digit);
  // Twilio sent stop, or the media socket closed: the call is over (no EndStream follows).
  void on_twilio_stop(TimePoint now);

  // ---- tools and time ----
  // The outcome of a RunTool request. Unknown call ids are recorded and ignored.
  void on_tool_result(TimePoint now, std::string_view call_id, const tools::ToolOutcome& outcome);
  // A tool has been running for a while (the daemon's choice, ~1.5 s): unless the assistant is
  // already speaking, it says a short filler so the caller does not hear dead air. At most once
  // per outstanding batch of tools; the real answer follows when the results are in.
  void on_tool_slow(TimePoint now);
  // Timers; call about once a second (the resolution of every timeout here).
  void on_tick(TimePoint now);

  // The client events that re-create the conversation so far (as the caller heard it) on a
  // fresh engine session: one message item per turn. Sent by the bridge itself after a
  // reconnect's session.updated; exposed for inspection and for other engines.
  std::vector<std::string> reseed_events() const;

  const CallSummary& summary() const { return summary_; }
  bool finished() const { return phase_ == Phase::finished; }
  const std::string& stream_sid() const { return stream_sid_; }

 private:
  enum class Phase { connecting, configuring, live, reconnecting, finished };

  struct AssistantItem {
    std::string response_id;
    TimePoint first_sent{};
    bool audio_done = false;
    bool settled = false;
  };
  struct ToolCall {
    std::string response_id;
    std::string name;
    std::string item_id;             // the function_call item, where a transcript note goes
    int session = 0;
    bool dispatched = false;         // RunTool sent (needs the name, which beta may send late)
    bool result_in = false;
  };
  struct ResponseState {
    bool done = false;
    bool has_tools = false;
    bool followed_up = false;
  };
  struct Ending {
    Disposition disposition;
    EndReason reason = EndReason::none;
    TimePoint deadline{};
  };

  // engine events
  void handle(TimePoint now, const engine::SessionCreated& e);
  void handle(TimePoint now, const engine::SessionUpdated& e);
  void handle(TimePoint now, const engine::EngineError& e);
  void handle(TimePoint now, const engine::SessionExpired& e);
  void handle(TimePoint now, const engine::SpeechStarted& e);
  void handle(TimePoint now, const engine::SpeechStopped& e);
  void handle(TimePoint now, const engine::InputCommitted& e);
  void handle(TimePoint now, const engine::ItemAdded& e);
  void handle(TimePoint now, const engine::AudioDelta& e);
  void handle(TimePoint now, const engine::AudioDone& e);
  void handle(TimePoint now, const engine::AssistantTranscriptDelta& e);
  void handle(TimePoint now, const engine::AssistantTranscriptDone& e);
  void handle(TimePoint now, const engine::InputTranscriptCompleted& e);
  void handle(TimePoint now, const engine::InputTranscriptFailed& e);
  void handle(TimePoint now, const engine::FunctionCallDone& e);
  void handle(TimePoint now, const engine::ResponseCreated& e);
  void handle(TimePoint now, const engine::ResponseDone& e);
  void handle(TimePoint now, const engine::ItemTruncated& e);
  void handle(TimePoint now, const engine::Ignored& e);

  void session_ready(TimePoint now);
  void maybe_greet(TimePoint now);
  void barge_in(TimePoint now);
  void settle_if_played(std::string_view item_id);
  void run_tool(TimePoint now, const engine::FunctionCallDone& call);
  void follow_up_if_tools_done(std::string_view response_id);

  // response.create bookkeeping: requests wait until no response is active or requested.
  void request_response(std::string_view instructions = {});
  void flush_response_request();

  void begin_ending(TimePoint now, Disposition disposition, EndReason reason, std::string_view farewell,
                    milliseconds timeout, std::string detail = {});
  void check_ending(TimePoint now);
  void finish(TimePoint now, std::optional<Disposition> disposition, EndReason reason, std::string detail);
  void engine_failed(TimePoint now, EndReason reason, std::string detail);
  void release_transcripts(TimePoint now);
  void emit_turn(const TranscriptTurn& turn);

  void record(TimePoint now, CallEventKind kind, nlohmann::json detail);
  void send(const std::string& client_event) { sink_.send_engine(client_event); }
  int64_t offset_ms(TimePoint now) const;

  BridgeConfig config_;              // session.instructions and session.tools are emptied: see session_update_
  std::shared_ptr<const std::string> session_update_;  // the session.update event, for every engine connection
  ActionSink& sink_;
  TimePoint start_;

  Phase phase_ = Phase::connecting;
  TimePoint phase_since_;
  bool been_live_ = false;           // a session was live before (the next one is a reconnect)
  int session_ = 0;                  // engine connection generation
  bool session_expired_ = false;
  bool lost_mid_response_ = false;
  int reconnects_ = 0;

  std::string stream_sid_;
  bool twilio_started_ = false;
  TimePoint twilio_start_{};
  std::string append_buffer_;        // reused for every input_audio_buffer.append
  std::optional<int64_t> audio_origin_ms_;  // Twilio timestamp of this session's first append

  bool greeted_ = false;
  bool greeting_measured_ = false;
  std::string greeting_item_;

  bool response_active_ = false;
  bool response_requested_ = false;
  bool want_response_ = false;       // a plain response.create is owed
  std::string want_instructions_;    // a response.create with these instructions is owed
  std::string requested_instructions_;  // of the response.create in flight
  int outstanding_tools_ = 0;        // dispatched in this engine session, result not in yet
  bool filler_said_ = false;         // for the current outstanding tools

  PlaybackTracker playback_;
  TranscriptAssembler transcript_;
  std::map<std::string, AssistantItem, std::less<>> assistant_items_;
  std::map<std::string, int64_t, std::less<>> speech_offsets_;  // caller item → speech start offset
  std::map<std::string, ToolCall, std::less<>> tool_calls_;
  std::map<std::string, ResponseState, std::less<>> responses_;

  std::optional<TimePoint> latency_from_;  // caller stopped speaking, awaiting the reply's audio
  TimePoint last_activity_;
  bool silence_checked_ = false;
  bool max_duration_hit_ = false;
  std::optional<Ending> ending_;

  CallSummary summary_;
};

}  // namespace sonoria::call
