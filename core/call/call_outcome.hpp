#pragma once
// How a call ended, as its record says it: a status (completed, transferred, failed, interrupted)
// and the reason. One pure decision from what happened, so the record tells what actually
// happened and not what went wrong last (a stream that never came is not an engine failure).

#include <optional>
#include <string>

#include "core/call/actions.hpp"
#include "core/call/summary.hpp"

namespace sonoria::call {

struct EndFacts {
  bool stream_started = false;     // the Twilio media stream ever started
  bool shutdown = false;           // the daemon ended the call at its drain deadline
  // … and handed the caller on first (Twilio was told to dial the fallback, or to say goodbye).
  bool handed_off = false;
  bool internal_error = false;     // an exception ended the session
  bool stream_broke = false;       // the stream closed abnormally (not 1000/1005)
  // Twilio asked for the <Connect action> before any stream started: the stream failed (a bad
  // signature, a refused upgrade) and Twilio has moved on.
  bool connect_ended_first = false;
  std::optional<Disposition> disposition;  // what the call decided, if it did
  EndReason reason = EndReason::none;      // what the call bridge saw (CallSummary::end_reason)
};

struct Outcome {
  std::string status;              // completed | transferred | failed | interrupted
  std::string end_reason;          // caller_hung_up, transferred, engine_failed, stream_timeout, …
};

Outcome decide_outcome(const EndFacts& facts);

}  // namespace sonoria::call
