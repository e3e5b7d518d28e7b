#include "core/call/summary.hpp"

namespace sonoria::call {

std::string_view to_string(EndReason reason) {
  switch (reason) {
    case EndReason::none: return "none";
    case EndReason::caller_hung_up: return "caller_hung_up";
    case EndReason::assistant_hung_up: return "assistant_hung_up";
    case EndReason::transferred: return "transferred";
    case EndReason::keypad_transfer: return "keypad_transfer";
    case EndReason::max_duration: return "max_duration";
    case EndReason::silence: return "silence";
    case EndReason::engine_failed: return "engine_failed";
    case EndReason::engine_lost: return "engine_lost";
    case EndReason::tool_limit: return "tool_limit";
  }
  return "unknown";
}

}  // namespace sonoria::call
