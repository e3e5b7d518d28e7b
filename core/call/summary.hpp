#pragma once
// The numbers a call leaves behind: counters, token usage, latencies and why it ended. Filled in
// by the CallBridge as the call runs; read at any time (the daemon stores it when the call ends).

#include "core/engine/events.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::call {

enum class EndReason {
  none,                 // still running
  caller_hung_up,       // Twilio sent stop (or the stream closed) while nothing else was ending the call
  assistant_hung_up,    // the model called end_call
  transferred,          // the model called transfer_call
  keypad_transfer,      // the caller pressed the transfer digit
  max_duration,         // the call reached its time limit and was wrapped up
  silence,              // the caller stayed silent through a check-in
  engine_failed,        // the engine never became ready, or rejected the session (fallback)
  engine_lost,          // the engine dropped mid-call and could not be brought back (fallback)
  tool_limit,           // the engine asked for more tool calls than allowed (fallback)
};

std::string_view to_string(EndReason reason);

struct CallSummary {
  int caller_turns = 0;              // transcript turns recorded, by speaker
  int assistant_turns = 0;
  int interruptions = 0;             // barge-ins that cut assistant audio
  int tool_calls = 0;
  int responses = 0;                 // response.done count
  int engine_reconnects = 0;

  int64_t frames_in = 0;             // Twilio media frames received
  int64_t frames_dropped = 0;        // … not forwarded (engine not ready, or not base64)
  int64_t frames_waited = 0;         // … held until the first engine session was ready, then forwarded
  // Audio frames not relayed, by reason (caller_before_engine_ready, caller_during_reconnect,
  // caller_malformed, assistant_after_barge_in, assistant_before_stream); the call record keeps it.
  std::map<std::string, int64_t> drops;
  int64_t bytes_in = 0;              // decoded μ-law bytes received from the caller
  int64_t frames_out = 0;            // media messages sent to Twilio
  int64_t bytes_out = 0;             // decoded μ-law bytes sent to the caller
  int64_t frames_out_dropped = 0;    // engine audio dropped (cut by barge-in, or no stream yet)

  engine::Usage usage;               // summed over every response.done

  // Caller stopped speaking → first audio of the next assistant item echoed as played, per turn.
  std::vector<int64_t> turn_latencies_ms;
  std::optional<int64_t> greeting_sent_ms;   // Twilio start → first greeting audio sent to Twilio
  std::optional<int64_t> greeting_heard_ms;  // Twilio start → first greeting audio echoed as played

  // The stages of the call flow the call reached, in the order it first reached them (the start
  // stage first); empty for a profile without stages.
  std::vector<std::string> stages;

  EndReason end_reason = EndReason::none;
  std::string end_detail;            // e.g. the engine's error message, the tool's reason
  int64_t duration_ms = 0;           // call start → end (set when the call ends)
};

}  // namespace sonoria::call
