#pragma once
// The names of sonoria's built-in tools, which a profile may name (a stage's `tools`). The tools
// themselves live in core/tools; this list is what a profile is checked against at import, and
// core/tools' tests check that every tool it registers is on it.

#include <array>
#include <string_view>

namespace sonoria::org {

inline constexpr std::array<std::string_view, 12> k_builtin_tools = {
    "send_booking_link",  "send_reschedule_link", "send_cancellation_link", "notify_owner",
    "transfer_call",      "end_call",             "query_knowledge",        "check_availability",
    "book_appointment",   "find_my_appointments", "reschedule_appointment", "cancel_appointment"};

// A stage's transition tool: move_to_<stage>.
inline constexpr std::string_view k_transition_prefix = "move_to_";

}  // namespace sonoria::org
