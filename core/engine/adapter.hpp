#pragma once
// The seam between a call and a speech engine. A call (core/call/bridge.hpp) speaks to an engine
// only through an Adapter: typed inputs in (caller audio, "say this", a tool's result, a barge-in,
// "open the session"), WebSocket frames out through a FrameSink, and the engine's messages back
// as the neutral events of events.hpp. One adapter per provider lives in core/engine/<provider>/;
// nothing outside it knows that provider's wire format.
//
// Adapters are sans-I/O state machines: no sockets, no clock, no threads. One adapter serves one
// call, across the connections of that call to its engine (a reconnect calls open() again after
// closed()). Not thread-safe: the call's strand drives it. Nothing here throws on peer input.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/events.hpp"

namespace sonoria::engine {

struct SessionConfig;

// One WebSocket message to an engine.
struct Frame {
  std::string data;
  bool binary = false;
  // Caller audio: under backpressure the oldest waiting ones may be dropped, or merged.
  bool droppable = false;
  // How much audio it carries: the queue to the engine is bounded in time, not bytes.
  std::chrono::microseconds audio{0};
};

// Where an adapter puts the frames it wants sent, in order, on the open connection. Frames sent
// while no connection is open are lost (the adapter is told with closed()).
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void send_engine(Frame frame) = 0;
};

// Where an adapter reports what the engine said.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_engine_event(const Event& event) = 0;
};

// What an engine can do, which decides what the call may ask of it.
struct Capabilities {
  bool client_truncation = false;      // told where a cut reply stopped (OpenAI conversation.item.truncate)
  bool client_driven_replies = false;  // replies must be asked for, also after tool results (OpenAI)
  bool binary_audio = false;           // audio travels in binary frames (Deepgram, Ultravox)
  bool mid_call_updates = false;       // prompt and tools can change on a live session
  bool spoken_instructions = false;    // can be told *how* to say something, not only the words
  // The engine ends a session after this long (OpenAI: 60 minutes, Deepgram: 2 hours); 0 = no
  // limit a call would reach. The call rolls over to a fresh session before it.
  std::chrono::minutes session_limit{0};
};

// Something the assistant should say: how to say it, for engines that take instructions, and the
// words themselves, for engines that speak text verbatim. Either may be "" (the other is used).
struct Speech {
  std::string instructions;
  std::string words;
};

// One turn of the conversation so far, as the caller heard it (to seed a fresh session).
struct HistoryLine {
  enum class Role { caller, assistant };
  Role role = Role::caller;
  std::string text;
};

// How an engine took a change of stage (Adapter::change_stage).
enum class StageChange {
  in_place,       // the live session has the new prompt, tools and voice; the transition's result is given
  fresh_session,  // it cannot (OpenAI: another voice once the model has spoken): the call connects a fresh
                  // session at the turn boundary, which the adapter configures as the new stage and the call
                  // seeds with the conversation; then reply()
};

// Merges droppable caller-audio frames queued behind `into` (the next frame to be written) into it:
// returns how many of `next`, from the first, `into` now also carries; 0 leaves all as they were.
// A free function, so a socket may use it after the call is gone (see net::WsChannel::Coalescer).
using AudioMerger = std::size_t (*)(std::string& into, const std::vector<std::string_view>& next);

class Adapter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Adapter() = default;

  // "openai", "deepgram", "ultravox": how records, logs and metrics name the engine.
  virtual std::string_view name() const = 0;
  virtual const Capabilities& capabilities() const = 0;
  virtual AudioMerger audio_merger() const = 0;

  // ---- the connection ----
  // A connection is open: sends what configures the session. A non-empty `history` (a reconnect
  // or a failover) is seeded into the session before Ready is reported.
  virtual void open(const std::vector<HistoryLine>& history) = 0;
  // One message from the engine → zero or more events. False when it was malformed (nothing was
  // reported; the caller counts it). Never throws on peer input.
  virtual bool receive(std::string_view data, bool binary, EventSink& events) = 0;
  // The connection is gone: forgets what was in flight on it (replies, tool calls, requests).
  virtual void closed() = 0;
  // About once a second: keep-alives and the like.
  virtual void tick(TimePoint now) { (void)now; }

  // ---- the call's inputs (each may send frames) ----
  // Hot path: one Twilio media payload (base64 μ-law 8 kHz, ~20 ms). False when it is not base64
  // (nothing sent). Only after Ready.
  virtual bool caller_audio(std::string_view payload_b64) = 0;
  // The assistant speaks first: the greeting, once the caller can hear it.
  virtual void greet(const Speech& speech) = 0;
  // The assistant should say something (a check-in, a wrap-up, an apology): as soon as the engine
  // is not replying already. `now`: even while tool calls are outstanding (a filler).
  virtual void say(const Speech& speech, bool now = false) = 0;
  // Text the caller gave another way (a keypad digit), as their turn; the engine answers it.
  virtual void caller_text(std::string_view text) = 0;
  // The result of a ToolCall of this connection (others are ignored). `reply`: whether the model
  // should go on talking afterwards (false when the call is ending).
  virtual void tool_result(std::string_view call_id, std::string_view output, bool reply) = 0;
  // Barge-in: the caller heard `heard_ms` of the assistant item `item_id` before cutting it off.
  virtual void cut(std::string_view item_id, int64_t heard_ms) = 0;
  // The call moves to another stage of its flow, by the transition tool call `call_id` (a ToolCall
  // of this connection) whose result is `output`: from now on — on this connection and on any later
  // one — the session is `next` (prompt, tools, voice). Only while live.
  virtual StageChange change_stage(std::string_view call_id, std::string_view output, const SessionConfig& next) = 0;
  // After a fresh session (StageChange::fresh_session): the assistant takes its turn now, following
  // the session's instructions (the conversation so far was seeded).
  virtual void reply() {}

  // A reply is under way, asked for, or owed (the call is not quiet).
  virtual bool busy() const = 0;
};

}  // namespace sonoria::engine
