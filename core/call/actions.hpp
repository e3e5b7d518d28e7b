#pragma once
// What a CallBridge asks of the world, and the records it produces for the database. The bridge
// never does I/O: it calls an ActionSink, which the daemon implements with the two WebSockets, the
// tool runner and the database writer (tests implement it with vectors). The engine adapter sends
// its frames to the same sink (engine::FrameSink).

#include "core/call/summary.hpp"
#include "core/engine/adapter.hpp"
#include "core/engine/session_config.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace sonoria::call {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// system: a note of what a tool did ("Texted the booking link to +1…"), in conversation order.
enum class Speaker { caller, assistant, system };
std::string_view to_string(Speaker speaker);

// One turn of the conversation, emitted in conversation order (the engine's item order), not in
// the order transcripts happened to arrive.
struct TranscriptTurn {
  int seq = 0;                       // 1, 2, … in emission order
  std::string item_id;               // the engine's item id
  Speaker speaker = Speaker::caller;
  int64_t offset_ms = 0;             // call start → the turn started (caller: speech start;
                                     // assistant: its first audio sent to the caller)
  std::string text_heard;            // caller: the transcript; assistant: what was played
  std::string text_generated;        // caller: the transcript; assistant: everything generated
  bool interrupted = false;          // assistant: cut short by a barge-in or a cancelled response
  std::string stage;                 // the call flow's stage the turn was in; "" without stages
};

enum class CallEventKind {
  tool_call,            // {"call_id","name","arguments"[,"stage"]}
  tool_result,          // {"call_id","name","ok","output"}
  interruption,         // {"item_id","audio_end_ms","received_ms"}
  dtmf,                 // {"digit"}
  error,                // {"type","code","message","param"} or {"message"}
  transcription_failed, // {"item_id","message"}
  engine_lost,          // {"reason","session_expired","attempt","engine"}
  engine_reconnected,   // {"attempt","reseeded_items","engine"}
  engine_failover,      // {"from","to","reason","detail"}: another engine took over
  engine_rollover,      // {"engine","after_ms","reason"}: a fresh session of the same engine, before its
                        // limit ("limit") or for a stage it cannot take live ("stage")
  stage_changed,        // {"from","to","handoff"}: the call moved to another stage of its flow
  timer,                // {"timer": "max_duration" | "silence_check" | "silence" | "hangup_deadline" | …}
};

std::string_view to_string(CallEventKind kind);

struct CallEvent {
  CallEventKind kind = CallEventKind::error;
  int64_t offset_ms = 0;             // call start → when it happened
  nlohmann::json detail;
};

// How the media stream should end.
struct Hangup {
  bool operator==(const Hangup&) const = default;
};
struct Transfer {
  std::string number;                // E.164: dial this on the caller's leg
  bool operator==(const Transfer&) const = default;
};
struct Fallback {
  std::string reason;                // for the log; the daemon apologises and transfers or hangs up
  bool operator==(const Fallback&) const = default;
};
using Disposition = std::variant<Hangup, Transfer, Fallback>;

struct EndStream {
  Disposition disposition;
  EndReason reason = EndReason::none;
};

// Run this tool call and hand the outcome back with CallBridge::on_tool_result.
struct ToolRequest {
  std::string call_id;
  std::string name;
  std::string arguments;             // JSON text as the model wrote it (unvalidated)
};

// The engine connection is gone but the call can go on: open a new engine connection and call
// on_engine_open() when it is up (or on_engine_closed() if it fails). The bridge re-seeds the new
// session with the transcript so far by itself.
struct EngineLost {
  std::string reason;
  bool session_expired = false;      // the engine's maximum session length, not a fault
  int attempt = 0;                   // 1 for the first reconnect of this call
};

// The call moved to another stage of its flow (the engine called a transition tool).
struct StageEntered {
  std::size_t index = 0;             // in the profile's stages
  std::string name;
  std::string handoff;               // what the earlier stage passed on
};

// Implemented by the owner of the call. Called synchronously from the bridge's inputs, on the
// call's strand. string_views are valid only during the call (copy what you keep). An action
// must not call back into the bridge synchronously: post the follow-up (e.g. the tool result).
class ActionSink : public engine::FrameSink {
 public:
  // send_engine(engine::Frame): one frame for the engine connection, from the adapter.
  virtual void send_twilio_media(std::string_view payload_b64) = 0;  // μ-law 8 kHz, base64
  virtual void send_twilio_mark(std::string_view name) = 0;
  virtual void send_twilio_clear() = 0;
  virtual void run_tool(const ToolRequest& request) = 0;
  virtual void end_stream(const EndStream& end) = 0;                 // at most once per call
  virtual void engine_lost(const EngineLost& lost) = 0;
  // The engine in use cannot serve the call (refused its configuration, not ready in time, silent):
  // true when the call has another engine, which is then connected (the adapter replaced first).
  // `kind` names why for the metrics ("refused", "closed", "not_ready", "silent"); `reason` says it.
  virtual bool try_next_engine(std::string_view reason, std::string_view kind) {
    (void)reason;
    (void)kind;
    return false;
  }
  // At a quiet moment before the engine's session limit ("limit"), or for a stage the session
  // cannot take live ("stage"): close this session and connect a fresh one to the same engine
  // (on_engine_open follows; the call re-seeds it).
  virtual void engine_rollover(std::string_view reason) { (void)reason; }
  // The call is now in another stage: the session the current engine is to have from now on (the
  // owner also connects later sessions, on any engine, as this stage).
  virtual engine::SessionConfig enter_stage(const StageEntered& stage) = 0;
  virtual void record_turn(const TranscriptTurn& turn) = 0;
  virtual void record_event(const CallEvent& event) = 0;
};

}  // namespace sonoria::call
