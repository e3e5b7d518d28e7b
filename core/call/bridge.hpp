#pragma once
// The per-call state machine between Twilio Media Streams and a speech engine. It knows no
// engine's wire format: it speaks to the engine through an engine::Adapter (core/engine/adapter.hpp)
// and hears from it in neutral events. It is driven by method calls — one per thing that happened
// on either leg, plus a periodic on_tick — and answers through an ActionSink (actions.hpp): frames
// to send, tools to run, the end of the stream, and records for the database. It never does I/O,
// reads no clock and owns no thread: every input takes `now` (steady clock), and the daemon calls
// it on the call's strand. Nothing here throws on peer input; malformed or unexpected events are
// ignored or recorded.
//
// Life of a call (protocols.md §3, §9):
//  1. on_engine_open → the adapter configures the session; its Ready makes the call live. A
//     rejected configuration, the engine closing or not getting ready within
//     engine_ready_timeout end the call with EndStream{Fallback} (never silently carry on).
//  2. Once live and the Twilio stream has started, the assistant greets.
//  3. Caller audio goes to the adapter as it comes. Audio arriving while the session is not live is
//     dropped, not held: stale speech replayed later would confuse the turn detection more than
//     losing it.
//  4. Assistant audio goes to Twilio as it comes, each chunk followed by a mark "<item_id>:<n>".
//     When the caller starts speaking with marks outstanding (barge-in): Twilio clear, and the
//     adapter is told what was heard of the item that was playing (PlaybackTracker). Later audio
//     of cut items is dropped.
//  5. Tool calls: RunTool at once; each result goes back to the adapter (which decides whether the
//     engine must be asked to go on).
//  6. End: end_call/transfer_call effects, the transfer digit, the time limit (a spoken wrap-up)
//     or silence (a check-in, then a goodbye) lead to EndStream once the last words have played
//     (last mark echoed), bounded by a timeout. Twilio stop ends the call without EndStream.
//  8. Stages (a call flow): the engine moves the call on by calling a transition tool
//     (move_to_<stage>, core/call/stages.hpp). The bridge answers it itself — only to a next stage
//     of the current one — records the change, asks the owner for the new stage's session
//     (ActionSink::enter_stage) and hands it to the adapter, which changes the live session or
//     asks for a fresh one; then the swap happens at the turn boundary, like a rollover, and the
//     fresh session (seeded with the conversation) takes its turn. Tools the stage does not offer
//     are refused with a result the model can read. Turns and tool calls carry their stage.
//  7. Engine lost mid-call (or its session limit): EngineLost asks the daemon for a new connection;
//     on_engine_open then seeds the new session with the conversation so far (history()). After
//     max_engine_reconnects failures: EndStream{Fallback}.

#include "core/call/actions.hpp"
#include "core/call/playback.hpp"
#include "core/call/summary.hpp"
#include "core/call/transcript.hpp"
#include "core/engine/adapter.hpp"
#include "core/tools/outcome.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonoria::org {
struct Stage;
}  // namespace sonoria::org

namespace sonoria::call {

using std::chrono::milliseconds;

struct BridgeConfig {
  std::string greeting;              // said word for word first; "" = greeting_instruction
  std::string greeting_instruction;  // how to greet when greeting is ""; "" = a warm generic greeting
  std::string greeting_words;        // what engines that speak only words say when greeting is ""

  std::string transfer_digit = "0";  // keypad digit that transfers at once; "" = off
  std::string transfer_number;       // E.164 of the default fallback; "" = no transfer possible

  milliseconds max_duration{30 * 60 * 1000};     // 0 = no limit
  milliseconds silence_timeout{60 * 1000};       // caller and assistant both quiet; 0 = off
  milliseconds wrap_up_timeout{30 * 1000};       // a spoken farewell must have played by then
  milliseconds hangup_timeout{15 * 1000};        // end_call/transfer: the goodbye must have played
  milliseconds engine_ready_timeout{10 * 1000};  // open → session.updated, also on reconnect
  // The greeting, or the reply to a caller's turn, has not begun this long after it was due: the
  // caller hears hold_clip ("One moment, please."), and an engine that has not even started a reply
  // since is taken for dead: the next engine takes over. 0 = off.
  milliseconds silent_engine_timeout{2000};
  milliseconds caller_transcript_wait{30 * 1000};// a missing caller transcript holds later turns
  int max_engine_reconnects = 2;
  // Tool calls in the whole call and in one reply; one more hands the call to the fallback
  // (EndReason::tool_limit). 0 = no limit.
  int max_tool_calls = 50;
  int max_tool_calls_per_reply = 10;
  // Said to the caller while a lost engine reconnects (or the next one takes over), so the line is
  // never silent: pre-rendered μ-law as Twilio media payloads (base64), e.g. "One moment, please."
  // Null or empty = nothing.
  std::shared_ptr<const std::vector<std::string>> hold_clip;
  // Rollover: a call moves to a fresh, re-seeded session at the first quiet moment (nobody
  // speaking, nothing playing, no tool running) once a session has been live session_max, or when
  // 0 rollover_margin before the engine's own limit (Capabilities::session_limit).
  milliseconds session_max{0};
  milliseconds rollover_margin{5 * 60 * 1000};
  // The call flow (the profile's stages) and where it starts; null or empty = no stages.
  std::shared_ptr<const std::vector<org::Stage>> stages;
  std::size_t start_stage = 0;
};

class CallBridge {
 public:
  // The call starts at `start` (offsets in records are measured from it). `engine` sends its frames
  // to `sink` too (it was made with it); `sink` must outlive the bridge. Sends nothing yet.
  CallBridge(BridgeConfig config, std::unique_ptr<engine::Adapter> engine, ActionSink& sink, TimePoint start);

  // ---- engine leg ----
  // The engine socket is open (first connection, or a reconnect asked for by EngineLost).
  void on_engine_open(TimePoint now);
  // One message from the engine, as it came.
  void on_engine_message(TimePoint now, std::string_view data, bool binary);
  // One neutral event (what the adapter makes of messages; exposed for tests).
  void on_engine_event(TimePoint now, const engine::Event& event);
  // The engine socket closed or could not be opened.
  void on_engine_closed(TimePoint now, std::string_view reason);
  // Another engine takes over (failover): only while no connection is open (before the first
  // on_engine_open, or after on_engine_closed); the next on_engine_open seeds it with history().
  void replace_engine(std::unique_ptr<engine::Adapter> engine);

  // ---- Twilio leg ----
  void on_twilio_start(TimePoint now, std::string_view stream_sid);
  // Hot path (~50/s): one inbound frame. timestamp_ms is Twilio's media.timestamp.
  void on_twilio_media(TimePoint now, int64_t timestamp_ms, std::string_view payload_b64);
  void on_twilio_mark(TimePoint now, std::string_view name);
  void on_twilio_dtmf(TimePoint now, std::string_view digit);
  // Words the caller typed (a test call from `sonoria chat`): their turn, given to the engine as
  // text; the engine answers as it would to speech.
  void on_caller_text(TimePoint now, std::string_view text);
  // Twilio sent stop, or the media socket closed: the call is over (no EndStream follows).
  void on_twilio_stop(TimePoint now);

  // ---- tools and time ----
  // The outcome of a RunTool request. Unknown call ids are recorded and ignored.
  void on_tool_result(TimePoint now, std::string_view call_id, const tools::ToolOutcome& outcome);
  // A tool has been running for a while (the daemon's choice, ~1.5 s): unless the assistant is
  // already speaking, it says a short filler so the caller does not hear dead air. At most once
  // per outstanding batch of tools; the real answer follows when the results are in.
  // `words`: the tool's own filler (an HTTP tool's `filler`), said as written; "" = a generic one.
  void on_tool_slow(TimePoint now, std::string_view words = {});
  // Timers; call about once a second (the resolution of every timeout here).
  void on_tick(TimePoint now);

  // The conversation so far as the caller heard it: what a fresh engine session is seeded with
  // after a reconnect. Exposed for inspection.
  std::vector<engine::HistoryLine> history() const;

  const engine::Adapter& engine() const { return *engine_; }
  // Engine messages that could not be read, so far (the daemon logs and counts them).
  uint64_t malformed_engine_messages() const { return malformed_; }
  const CallSummary& summary() const { return summary_; }
  bool finished() const { return phase_ == Phase::finished; }
  // The call flow's current stage ("" without stages).
  std::string_view stage() const;
  const std::string& stream_sid() const { return stream_sid_; }

 private:
  enum class Phase { connecting, configuring, live, reconnecting, finished };

  struct AssistantItem {
    std::string reply_id;
    TimePoint first_sent{};
    bool audio_done = false;
    bool settled = false;
    int session = 0;                 // the engine connection that produced it
  };
  struct ToolCall {
    std::string name;
    std::string item_id;             // where a transcript note goes
    int session = 0;
    bool result_in = false;
  };
  struct Ending {
    Disposition disposition;
    EndReason reason = EndReason::none;
    TimePoint deadline{};
  };
  // The adapter reports events through this, with the time of the message being read.
  struct Events final : engine::EventSink {
    CallBridge& bridge;
    TimePoint now;
    Events(CallBridge& b, TimePoint t) : bridge(b), now(t) {}
    void on_engine_event(const engine::Event& event) override { bridge.dispatch(now, event); }
  };

  void dispatch(TimePoint now, const engine::Event& event);
  void handle(TimePoint now, const engine::Ready& e);
  void handle(TimePoint now, const engine::Rejected& e);
  void handle(TimePoint now, const engine::Error& e);
  void handle(TimePoint now, const engine::SessionLimit& e);
  void handle(TimePoint now, const engine::CallerSpeechStarted& e);
  void handle(TimePoint now, const engine::CallerSpeechStopped& e);
  void handle(TimePoint now, const engine::ItemPlaced& e);
  void handle(TimePoint now, const engine::CallerTurn& e);
  void handle(TimePoint now, const engine::CallerText& e);
  void handle(TimePoint now, const engine::CallerTextFailed& e);
  void handle(TimePoint now, const engine::ReplyStarted& e);
  void handle(TimePoint now, const engine::AgentAudio& e);
  void handle(TimePoint now, const engine::AgentAudioDone& e);
  void handle(TimePoint now, const engine::AgentText& e);
  void handle(TimePoint now, const engine::AgentTextDelta& e);
  void handle(TimePoint now, const engine::AgentCut& e);
  void handle(TimePoint now, const engine::ToolCall& e);
  void handle(TimePoint now, const engine::ToolCallCancelled& e);
  void handle(TimePoint now, const engine::ReplyDone& e);

  void maybe_greet(TimePoint now);
  void barge_in(TimePoint now);
  void settle_if_played(std::string_view item_id);

  void begin_ending(TimePoint now, Disposition disposition, EndReason reason, const engine::Speech& farewell,
                    milliseconds timeout, std::string detail = {});
  void check_ending(TimePoint now);
  void finish(TimePoint now, std::optional<Disposition> disposition, EndReason reason, std::string detail);
  void forget_session();
  bool quiet() const;
  void check_silent_engine(TimePoint now);
  void expect_audio(TimePoint now);
  void maybe_roll_over(TimePoint now);
  void swap_session(TimePoint now, std::string_view reason);
  bool has_stages() const { return config_.stages && !config_.stages->empty(); }
  void move_stage(TimePoint now, const engine::ToolCall& e);
  void refuse_tool(TimePoint now, const engine::ToolCall& e, const std::string& why);
  void maybe_swap_for_stage(TimePoint now);
  bool try_next_engine(TimePoint now, const std::string& detail, std::string_view kind);
  void engine_failed(TimePoint now, EndReason reason, std::string detail);
  void release_transcripts(TimePoint now);
  void emit_turn(const TranscriptTurn& turn);

  void record(TimePoint now, CallEventKind kind, nlohmann::json detail);
  int64_t offset_ms(TimePoint now) const;

  BridgeConfig config_;
  std::unique_ptr<engine::Adapter> engine_;
  ActionSink& sink_;
  TimePoint start_;

  Phase phase_ = Phase::connecting;
  TimePoint phase_since_;
  bool been_live_ = false;           // a session was live before (the next one is a reconnect)
  int session_ = 0;                  // engine connection generation
  bool session_expired_ = false;
  bool lost_mid_reply_ = false;
  int reconnects_ = 0;
  uint64_t malformed_ = 0;
  int64_t engine_errors_ = 0;  // engine::Error events, recorded or not

  std::string stream_sid_;
  bool twilio_started_ = false;
  TimePoint twilio_start_{};
  std::optional<int64_t> audio_origin_ms_;  // Twilio timestamp of this session's first caller audio

  bool greeted_ = false;
  bool greeting_measured_ = false;
  std::string greeting_item_;

  TimePoint live_since_{};           // the current session became live
  bool caller_speaking_ = false;     // between CallerSpeechStarted and CallerSpeechStopped
  bool rolling_over_ = false;        // a rollover's fresh session is being connected
  std::size_t stage_ = 0;            // index in config_.stages
  bool stage_swap_due_ = false;      // the engine asked for a fresh session for the stage
  bool stage_swap_ = false;          // that fresh session is being connected: it replies once ready
  std::vector<std::pair<int64_t, std::string>> held_audio_;  // caller audio meanwhile (timestamp, payload)

  bool reply_active_ = false;        // between ReplyStarted and ReplyDone
  int outstanding_tools_ = 0;        // dispatched in this engine session, result not in yet
  int tools_this_reply_ = 0;         // tool calls since the engine last started a reply
  bool filler_said_ = false;         // for the current outstanding tools

  PlaybackTracker playback_;
  TranscriptAssembler transcript_;
  std::map<std::string, AssistantItem, std::less<>> assistant_items_;
  std::map<std::string, int64_t, std::less<>> speech_offsets_;  // caller turn → speech start offset
  std::map<std::string, ToolCall, std::less<>> tool_calls_;

  std::optional<TimePoint> latency_from_;  // caller stopped speaking, awaiting the reply's audio
  // Assistant audio is due (the greeting was asked for, the caller's turn ended, a tool answered)
  // and none has come yet; and when the engine last started a reply.
  std::optional<TimePoint> audio_due_since_;
  TimePoint reply_sign_{};
  bool silent_filler_said_ = false;
  bool reply_after_swap_ = false;  // a silent engine was replaced mid-turn: the next one answers
  TimePoint last_activity_;
  bool silence_checked_ = false;
  bool max_duration_hit_ = false;
  std::optional<Ending> ending_;

  CallSummary summary_;
};

}  // namespace sonoria::call
