#pragma once
// The calls list: filters, the calls live right now (filled in by the page's script from the
// live event stream), and the stored calls, newest first, a page at a time. Pure.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/db/stores.hpp"
#include "core/dashboard/layout.hpp"

namespace sonoria::dashboard {

// The filters as the form sent them (query parameters of GET /app/calls).
struct CallsFilter {
  std::string org;               // slug; "" = every organization the viewer sees
  std::string since;             // YYYY-MM-DD (local date of the viewer's browser, read as UTC)
  std::string until;             // YYYY-MM-DD, inclusive
  std::string status;            // completed | transferred | failed | interrupted | ringing | rejected
  std::string direction;         // inbound | outbound
  std::string engine;            // openai | deepgram | ultravox
  std::string party;             // digits of the caller's or called number
  std::string stage;             // a stage of the call flow
  std::string said;              // words said in the call
};

struct CallListRow {
  db::CallRow call;
  std::string organization;      // name; "" for calls no organization answered
  std::string timezone;          // the organization's, for the times
};

struct CallsPage {
  CallsFilter filter;
  std::vector<std::pair<std::string, std::string>> organizations;  // (slug, name) the viewer may pick
  std::vector<CallListRow> rows;
  std::optional<std::string> next_cursor;  // "Older calls" when set
  std::string error;             // a filter that could not be used, beside the form
};

std::string render_calls(const Frame& frame, const CallsPage& page);
// Only the stored calls' table (the script swaps it in when a live call ends).
std::string render_calls_table(const CallsPage& page);

// "1m 23s"; "–" without a duration.
std::string duration_text(const std::optional<int64_t>& ms);
// The statuses a call ends with, for the filter.
const std::vector<std::string>& call_statuses();

}  // namespace sonoria::dashboard
