#pragma once
// Call analytics as pure computation over call rows: feed rows to an AnalyticsBuilder (one at a
// time, so any number of calls streams through), then finish(). Rendering as an aligned table
// or stable JSON lives here too. Pure; one builder per thread.
//
// Definitions (the numbers tests pin down):
// - completed: status "completed" or "transferred" (the caller was served); completion_rate =
//   completed / total, 0 when there are no calls.
// - duration: calls with duration_ms set. Average rounded to the nearest ms (half up); median is
//   the middle value, or the mean of the two middle values rounded half up.
// - last_24h: calls started in (now − 24 h, now].
// - busiest hours: calls by start hour in the organization's time zone (UTC when it has none
//   or the zone is unknown); the top three hours by count, ties to the earlier hour.
// - transfers: calls with status "transferred".
// - failovers: calls served by more than one engine (an engine failed or dropped and the next
//   took over).
// - messages taken: texts to the owner (purpose notify_owner) from the calls, not failed;
//   texts: every text from the calls by purpose (booking_link, notify_owner, confirmation, …).
// - interruptions per call: summed interruptions / answered calls (answered_at set).
// - turn latency p50/p95: nearest rank over every turn latency of every call
//   (sorted[ceil(p/100 × n) − 1]).
// - cost: billed_tokens and cost_micro_usd (pricing.hpp), summed over calls, plus the minutes of
//   engines billed by the minute (minutes_cost_micro_usd).
// - by engine (calls.engines): an engine's calls are the calls it served (a failover counts the
//   call under both engines), its minutes the time it served them; failovers_from counts the calls
//   that left it for another engine (it is not the last in the list), failed the calls it served
//   that ended "failed"; turn latencies count for the engine that served the call longest (ties
//   to the earlier); its cost is its minutes' price, and for OpenAI the calls' tokens (only
//   OpenAI reports tokens). Engine time runs from the connection's opening while the phone rings
//   (what per-minute engines bill), so a call whose stream never came may still list its engine;
//   calls refused before ringing have none.
// - stages (a funnel, calls.stages): per stage of a call flow, the calls that reached it, in flow
//   order (each stage after the one it was first reached from); its share is of the calls that
//   had stages at all (flow_calls), rounded to four places.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/db/stores.hpp"
#include "core/reports/pricing.hpp"

namespace sonoria::reports {

struct EngineAnalytics {
  int64_t calls = 0;
  int64_t ms = 0;
  int64_t failed = 0;
  int64_t failovers_from = 0;
  int64_t latency_samples = 0;
  std::optional<int64_t> turn_latency_p50_ms;
  std::optional<int64_t> turn_latency_p95_ms;
  int64_t cost_micro_usd = 0;
};

struct StageReach {
  std::string stage;
  int64_t calls = 0;
  bool operator==(const StageReach&) const = default;
};

struct Analytics {
  int64_t total = 0;
  int64_t completed = 0;
  double completion_rate = 0;
  std::map<std::string, int64_t> by_status;
  std::map<std::string, int64_t> by_direction;
  std::map<std::string, int64_t> by_end_reason;  // "(none)" for calls without one
  std::optional<int64_t> average_duration_ms;
  std::optional<int64_t> median_duration_ms;
  int64_t last_24h = 0;
  std::array<int64_t, 24> by_hour{};             // local start hour
  std::vector<int> busiest_hours;                 // up to three hours with calls
  std::map<std::string, int64_t> tool_calls;      // by tool name
  int64_t transfers = 0;
  int64_t failovers = 0;
  int64_t messages_taken = 0;
  std::map<std::string, int64_t> texts;           // by purpose
  int64_t answered = 0;
  int64_t interruptions = 0;
  double interruptions_per_call = 0;
  int64_t latency_samples = 0;
  std::optional<int64_t> turn_latency_p50_ms;
  std::optional<int64_t> turn_latency_p95_ms;
  db::Usage usage;                                // summed
  BilledTokens billed;                            // summed
  int64_t cost_micro_usd = 0;
  std::map<std::string, EngineAnalytics> by_engine;
  int64_t flow_calls = 0;                         // calls with stages
  std::vector<StageReach> stages;                 // the funnel, in flow order
};

class AnalyticsBuilder {
 public:
  AnalyticsBuilder(db::TimePoint now, Prices prices);
  // `timezone` is the IANA zone of the call's organization ("" = UTC).
  void add(const db::CallRow& call, const std::string& timezone);
  // tool_call counts by name, as CallQueries::tool_calls_by_name returns them.
  void add_tool_calls(const std::map<std::string, int64_t>& by_name);
  // Texts sent from the calls, by purpose, as CallQueries::texts_by_purpose returns them.
  void add_texts(const std::map<std::string, int64_t>& by_purpose);
  Analytics finish() const;

 private:
  void add_engines(const db::CallRow& call, const std::vector<int64_t>& latencies);
  void add_stages(const db::CallRow& call);

  db::TimePoint now_;
  Prices prices_;
  Analytics a_;
  std::vector<int64_t> durations_;
  std::vector<int64_t> latencies_;
  std::map<std::string, std::vector<int64_t>> engine_latencies_;
  int64_t minutes_cost_micro_usd_ = 0;
};

// Nearest-rank percentile of sorted values; nullopt when empty.
std::optional<int64_t> percentile(const std::vector<int64_t>& sorted, int p);

// Stable shape: keys always present (null when there is nothing to measure), maps as objects.
nlohmann::json to_json(const Analytics& a);
nlohmann::json by_engine_json(const std::map<std::string, EngineAnalytics>& by_engine);
// A plain aligned table for people.
std::string render_table(const Analytics& a);

}  // namespace sonoria::reports
