#include "core/call/actions.hpp"

namespace sonoria::call {

std::string_view to_string(Speaker speaker) {
  switch (speaker) {
    case Speaker::caller: return "caller";
    case Speaker::assistant: return "assistant";
    case Speaker::system: return "system";
  }
  return "system";
}

std::string_view to_string(CallEventKind kind) {
  switch (kind) {
    case CallEventKind::tool_call: return "tool_call";
    case CallEventKind::tool_result: return "tool_result";
    case CallEventKind::interruption: return "interruption";
    case CallEventKind::dtmf: return "dtmf";
    case CallEventKind::error: return "error";
    case CallEventKind::transcription_failed: return "transcription_failed";
    case CallEventKind::engine_lost: return "engine_lost";
    case CallEventKind::engine_reconnected: return "engine_reconnected";
    case CallEventKind::engine_failover: return "engine_failover";
    case CallEventKind::engine_rollover: return "engine_rollover";
    case CallEventKind::timer: return "timer";
    case CallEventKind::stage_changed: return "stage_changed";
  }
  return "unknown";
}

}  // namespace sonoria::call
