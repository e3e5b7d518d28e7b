#include "core/call/call_outcome.hpp"

#include <variant>

namespace sonoria::call {

Outcome decide_outcome(const EndFacts& f) {
  if (f.shutdown) return {"interrupted", "shutdown"};
  if (f.internal_error) return {"failed", "internal_error"};
  if (!f.stream_started) {
    // The engine refusing the session before the caller ever heard anything is its failure; any
    // later trouble with an engine left waiting for a stream that never came is not.
    if (f.reason == EndReason::engine_failed) return {"failed", "engine_failed"};
    return {"failed", f.connect_ended_first ? "stream_failed" : "stream_timeout"};
  }
  std::string status = "completed";
  if (f.disposition && std::holds_alternative<Fallback>(*f.disposition)) status = "failed";
  else if (f.disposition && std::holds_alternative<Transfer>(*f.disposition)) status = "transferred";
  if (f.reason != EndReason::none) return {status, std::string(to_string(f.reason))};
  return {status, f.stream_broke ? "stream_lost" : "caller_hung_up"};
}

}  // namespace sonoria::call
