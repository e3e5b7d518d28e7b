#pragma once
// One call as JSON, the shape shared by exports, `sonoria calls show --json` and the REST API.
// Carries no secrets: numbers, times, counters, usage, tool calls and what was said. Pure.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/db/records.hpp"
#include "core/db/stores.hpp"
#include "core/reports/local_time.hpp"

namespace sonoria::reports {

struct CallDetail {
  db::CallRow call;
  std::string organization;                 // slug; "" when the call belongs to none
  std::vector<db::TranscriptEntry> transcript;
  std::vector<db::CallEvent> events;
  TimeDisplay times;                        // the organization's zone, or UTC (the API, --utc)
};

struct ToolCall {
  std::string name;
  std::optional<int64_t> offset_ms;
  std::string arguments_json;               // "{}" when the event carried none
  std::optional<std::string> stage;         // the call flow's stage it was called in
};

// The tool_call events, in order.
std::vector<ToolCall> tool_calls_of(const std::vector<db::CallEvent>& events);

// Metadata only: sid, organization, direction, numbers, times, duration, status, end reason,
// counters, usage.
nlohmann::json call_summary_json(const db::CallRow& call, const std::string& organization,
                                 const TimeDisplay& times = TimeDisplay());
// Metadata + "tool_calls" + "turns" (speaker, offset_ms, text as heard, interrupted); with
// `with_events`, also every event.
nlohmann::json call_detail_json(const CallDetail& detail, bool with_events = false);

// 83456 → "1m23.5s"; 900 → "0.9s".
std::string format_call_duration(int64_t ms);

}  // namespace sonoria::reports
