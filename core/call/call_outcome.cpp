#include "core/call/call_outcome.hpp"

#include <variant>

namespace sonoria::call {

Outcome decide_outcome(const EndFacts& f) {
  if (f.handed_off) {
    const bool transferred = f.disposition && std::holds_alternative<Transfer>(*f.disposition);
    return {transferred ? "transferred" : "completed", "shutdown_handoff"};
  }
  if (f.shutdown) return {"interrupted", "shutdown"};
  if (f.internal_error) return {"failed", "internal_error"};
  if (!f.stream_started) {
    // The engine refusing the session before the caller ever heard anything is its failure; any
    // later trouble with an engine left waiting for a stream that never came is not.
    if (f.reason == EndReason::engine_failed) return {"failed", "engine_failed"};
    // A call that was handed on (the fallback or a transfer, which the <Connect action> dials)
    // was not hung up by the stream timeout.
    const bool handed_on = f.disposition && !std::holds_alternative<Hangup>(*f.disposition);
    return {"failed", f.connect_ended_first || handed_on ? "stream_failed" : "stream_timeout"};
  }
  std::string status = "completed";
  if (f.disposition && std::holds_alternative<Fallback>(*f.disposition)) status = "failed";
  else if (f.disposition && std::holds_alternative<Transfer>(*f.disposition)) status = "transferred";
  // The bridge takes any end of the stream for the caller hanging up (on_twilio_stop); a stream
  // that closed abnormally was lost, and the caller may still be on the line.
  if (f.stream_broke && (f.reason == EndReason::caller_hung_up || f.reason == EndReason::none))
    return {status, "stream_lost"};
  if (f.reason != EndReason::none) return {status, std::string(to_string(f.reason))};
  return {status, "caller_hung_up"};
}

}  // namespace sonoria::call
