#pragma once
// One call: who, when, how it ended, the summary, the conversation as the caller heard it (a cut
// turn is marked and shows what the assistant would have said), each tool call beside its
// result, the stages, the latency of each turn, the texts sent and the estimated cost. Pure.

#include <optional>
#include <string>
#include <vector>

#include "core/dashboard/layout.hpp"
#include "core/db/records.hpp"
#include "core/reports/call_json.hpp"

namespace sonoria::dashboard {

struct CallPageData {
  reports::CallDetail detail;
  std::string organization_name;
  std::string timezone;
  std::vector<db::MessageRecord> messages;
  std::optional<int64_t> cost_micro_usd;   // none when nothing was billed
  std::string recording_url;               // "" = no recording
};

std::string render_call(const Frame& frame, const CallPageData& data);

}  // namespace sonoria::dashboard
