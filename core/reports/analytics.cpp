#include "core/reports/analytics.hpp"

#include <algorithm>
#include <cmath>
#include <date/tz.h>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

namespace sonoria::reports {
namespace {

// The start hour in the zone; UTC when the zone is empty or unknown to the tz database.
int local_hour(db::TimePoint t, const std::string& timezone) {
  std::chrono::sys_seconds secs = std::chrono::floor<std::chrono::seconds>(t);
  if (!timezone.empty()) {
    try {
      auto local = date::make_zoned(timezone, secs).get_local_time();
      auto day = date::floor<date::days>(local);
      return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(local - day).count());
    } catch (const std::exception&) {
      // Unknown zone: fall through to UTC.
    }
  }
  auto day = std::chrono::floor<std::chrono::days>(secs);
  return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(secs - day).count());
}

int64_t rounded_div(int64_t sum, int64_t n) { return (2 * sum + n) / (2 * n); }  // half up, sum >= 0

std::vector<int64_t> parse_latencies(const std::string& json_text) {
  std::vector<int64_t> out;
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& v : j)
    if (v.is_number_integer()) out.push_back(v.get<int64_t>());
  return out;
}

double round4(double v) { return std::round(v * 10000.0) / 10000.0; }

}  // namespace

std::optional<int64_t> percentile(const std::vector<int64_t>& sorted, int p) {
  if (sorted.empty()) return std::nullopt;
  auto n = static_cast<int64_t>(sorted.size());
  int64_t rank = (static_cast<int64_t>(p) * n + 99) / 100;  // ceil(p/100 × n)
  rank = std::clamp<int64_t>(rank, 1, n);
  return sorted[static_cast<size_t>(rank - 1)];
}

AnalyticsBuilder::AnalyticsBuilder(db::TimePoint now, Prices prices) : now_(now), prices_(prices) {}

void AnalyticsBuilder::add(const db::CallRow& c, const std::string& timezone) {
  a_.total++;
  if (c.status == "completed" || c.status == "transferred") a_.completed++;
  if (c.status == "transferred") a_.transfers++;
  if (c.engines.size() > 1) a_.failovers++;
  a_.by_status[c.status]++;
  a_.by_direction[c.direction]++;
  a_.by_end_reason[c.end_reason.value_or("(none)")]++;
  if (c.duration_ms) durations_.push_back(*c.duration_ms);
  if (auto started = db::parse_timestamp(c.started_at)) {
    if (*started > now_ - std::chrono::hours(24) && *started <= now_) a_.last_24h++;
    a_.by_hour[static_cast<size_t>(local_hour(*started, timezone))]++;
  }
  if (c.answered_at) {
    a_.answered++;
    a_.interruptions += c.interruptions;
  }
  const auto latencies = parse_latencies(c.turn_latencies_ms);
  for (auto ms : latencies) latencies_.push_back(ms);
  add_engines(c, latencies);
  add_stages(c);
  a_.usage.input_tokens += c.usage.input_tokens;
  a_.usage.output_tokens += c.usage.output_tokens;
  a_.usage.input_audio_tokens += c.usage.input_audio_tokens;
  a_.usage.output_audio_tokens += c.usage.output_audio_tokens;
  a_.usage.cached_tokens += c.usage.cached_tokens;
  auto billed = billed_tokens(c.usage);
  a_.billed.text_input += billed.text_input;
  a_.billed.audio_input += billed.audio_input;
  a_.billed.cached_input += billed.cached_input;
  a_.billed.text_output += billed.text_output;
  a_.billed.audio_output += billed.audio_output;
}

void AnalyticsBuilder::add_stages(const db::CallRow& c) {
  if (c.stages.empty()) return;
  a_.flow_calls++;
  auto position = a_.stages.begin();  // where a stage first seen now goes: after the one before it
  for (const auto& stage : c.stages) {
    auto it = std::find_if(a_.stages.begin(), a_.stages.end(), [&](const StageReach& s) { return s.stage == stage; });
    if (it == a_.stages.end()) it = a_.stages.insert(position, StageReach{stage, 0});
    it->calls++;
    position = it + 1;
  }
}

void AnalyticsBuilder::add_engines(const db::CallRow& c, const std::vector<int64_t>& latencies) {
  const db::EngineTime* longest = nullptr;
  for (std::size_t i = 0; i < c.engines.size(); ++i) {
    const auto& served = c.engines[i];
    auto& e = a_.by_engine[served.engine];
    e.calls++;
    e.ms += served.ms;
    if (c.status == "failed") e.failed++;
    if (i + 1 < c.engines.size()) e.failovers_from++;
    const int64_t minutes_cost = minutes_cost_micro_usd(served.engine, served.ms, prices_);
    e.cost_micro_usd += minutes_cost;
    minutes_cost_micro_usd_ += minutes_cost;
    if (!longest || served.ms > longest->ms) longest = &served;
  }
  if (longest) {
    auto& samples = engine_latencies_[longest->engine];
    samples.insert(samples.end(), latencies.begin(), latencies.end());
  }
  // Tokens are OpenAI's (the other engines report none), also for calls recorded without engines.
  const db::Usage& u = c.usage;
  if (u.input_tokens || u.output_tokens || u.cached_tokens)
    a_.by_engine["openai"].cost_micro_usd += cost_micro_usd(billed_tokens(u), prices_);
}

void AnalyticsBuilder::add_tool_calls(const std::map<std::string, int64_t>& by_name) {
  for (const auto& [name, n] : by_name) a_.tool_calls[name] += n;
}

void AnalyticsBuilder::add_texts(const std::map<std::string, int64_t>& by_purpose) {
  for (const auto& [purpose, n] : by_purpose) {
    a_.texts[purpose] += n;
    if (purpose == "notify_owner") a_.messages_taken += n;
  }
}

Analytics AnalyticsBuilder::finish() const {
  Analytics a = a_;
  a.completion_rate = a.total ? static_cast<double>(a.completed) / static_cast<double>(a.total) : 0.0;
  if (!durations_.empty()) {
    auto sorted = durations_;
    std::sort(sorted.begin(), sorted.end());
    auto n = static_cast<int64_t>(sorted.size());
    a.average_duration_ms = rounded_div(std::accumulate(sorted.begin(), sorted.end(), int64_t{0}), n);
    auto mid = static_cast<size_t>(n / 2);
    a.median_duration_ms = n % 2 ? sorted[mid] : rounded_div(sorted[mid - 1] + sorted[mid], 2);
  }
  std::vector<int> hours(24);
  std::iota(hours.begin(), hours.end(), 0);
  std::stable_sort(hours.begin(), hours.end(), [&](int x, int y) { return a.by_hour[static_cast<size_t>(x)] > a.by_hour[static_cast<size_t>(y)]; });
  for (int h : hours)
    if (a.busiest_hours.size() < 3 && a.by_hour[static_cast<size_t>(h)] > 0) a.busiest_hours.push_back(h);
  a.interruptions_per_call = a.answered ? static_cast<double>(a.interruptions) / static_cast<double>(a.answered) : 0.0;
  auto lat = latencies_;
  std::sort(lat.begin(), lat.end());
  a.latency_samples = static_cast<int64_t>(lat.size());
  a.turn_latency_p50_ms = percentile(lat, 50);
  a.turn_latency_p95_ms = percentile(lat, 95);
  a.cost_micro_usd = cost_micro_usd(a.billed, prices_) + minutes_cost_micro_usd_;
  for (auto& [engine, e] : a.by_engine) {
    auto it = engine_latencies_.find(engine);
    if (it == engine_latencies_.end()) continue;
    auto sorted = it->second;
    std::sort(sorted.begin(), sorted.end());
    e.latency_samples = static_cast<int64_t>(sorted.size());
    e.turn_latency_p50_ms = percentile(sorted, 50);
    e.turn_latency_p95_ms = percentile(sorted, 95);
  }
  return a;
}

nlohmann::json by_engine_json(const std::map<std::string, EngineAnalytics>& by_engine) {
  auto opt = [](const std::optional<int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [engine, e] : by_engine) {
    out[engine] = {{"calls", e.calls},
                   {"minutes", round4(static_cast<double>(e.ms) / 60000.0)},
                   {"failed", e.failed},
                   {"failovers_from", e.failovers_from},
                   {"turn_latency_ms",
                    {{"samples", e.latency_samples}, {"p50", opt(e.turn_latency_p50_ms)}, {"p95", opt(e.turn_latency_p95_ms)}}},
                   {"estimated_cost", {{"usd", format_usd(e.cost_micro_usd)}, {"micro_usd", e.cost_micro_usd}}}};
  }
  return out;
}

nlohmann::json stages_json(const Analytics& a) {
  auto out = nlohmann::json::array();
  for (const auto& s : a.stages)
    out.push_back({{"stage", s.stage},
                   {"calls", s.calls},
                   {"share", round4(a.flow_calls ? static_cast<double>(s.calls) / static_cast<double>(a.flow_calls) : 0)}});
  return out;
}

nlohmann::json to_json(const Analytics& a) {
  auto opt = [](const std::optional<int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  nlohmann::json hours = nlohmann::json::object();
  for (size_t h = 0; h < 24; ++h) hours[(h < 10 ? "0" : "") + std::to_string(h)] = a.by_hour[h];
  return {
      {"calls", {{"total", a.total}, {"completed", a.completed}, {"completion_rate", round4(a.completion_rate)},
                 {"last_24h", a.last_24h}, {"transfers", a.transfers}, {"failovers", a.failovers},
                 {"messages_taken", a.messages_taken}, {"answered", a.answered}}},
      {"texts", a.texts},
      {"by_status", a.by_status},
      {"by_direction", a.by_direction},
      {"by_end_reason", a.by_end_reason},
      {"duration_ms", {{"average", opt(a.average_duration_ms)}, {"median", opt(a.median_duration_ms)}}},
      {"busiest_hours", a.busiest_hours},
      {"calls_by_hour", hours},
      {"tool_calls", a.tool_calls},
      {"interruptions", {{"total", a.interruptions}, {"per_answered_call", round4(a.interruptions_per_call)}}},
      {"turn_latency_ms", {{"samples", a.latency_samples}, {"p50", opt(a.turn_latency_p50_ms)},
                           {"p95", opt(a.turn_latency_p95_ms)}}},
      {"tokens", {{"input", a.usage.input_tokens}, {"output", a.usage.output_tokens},
                  {"input_audio", a.usage.input_audio_tokens}, {"output_audio", a.usage.output_audio_tokens},
                  {"cached", a.usage.cached_tokens}}},
      {"estimated_cost", {{"usd", format_usd(a.cost_micro_usd)}, {"micro_usd", a.cost_micro_usd}}},
      {"by_engine", by_engine_json(a.by_engine)},
      {"stages", stages_json(a)},
  };
}

std::string render_table(const Analytics& a) {
  std::ostringstream out;
  auto row = [&](const std::string& label, const std::string& value) {
    out << "  " << std::left << std::setw(28) << label << value << "\n";
  };
  auto section = [&](const std::string& title) { out << title << "\n"; };
  auto ms = [](const std::optional<int64_t>& v) { return v ? std::to_string(*v) + " ms" : std::string("-"); };
  auto fixed = [](double v, int digits) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << v;
    return s.str();
  };
  section("Calls");
  row("total", std::to_string(a.total));
  row("completed", std::to_string(a.completed) + " (" + fixed(a.completion_rate * 100.0, 1) + "%)");
  row("last 24 hours", std::to_string(a.last_24h));
  row("transfers", std::to_string(a.transfers));
  row("messages taken", std::to_string(a.messages_taken));
  row("engine failovers", std::to_string(a.failovers));
  row("average duration", ms(a.average_duration_ms));
  row("median duration", ms(a.median_duration_ms));
  std::string busiest;
  for (int h : a.busiest_hours)
    busiest += (busiest.empty() ? "" : ", ") + std::string(h < 10 ? "0" : "") + std::to_string(h) + ":00 (" +
               std::to_string(a.by_hour[static_cast<size_t>(h)]) + ")";
  row("busiest hours (local)", busiest.empty() ? "-" : busiest);
  auto counts = [&](const std::string& title, const std::map<std::string, int64_t>& m) {
    section(title);
    if (m.empty()) row("(none)", "");
    for (const auto& [k, v] : m) row(k, std::to_string(v));
  };
  counts("By status", a.by_status);
  counts("By direction", a.by_direction);
  counts("By end reason", a.by_end_reason);
  counts("Tool calls", a.tool_calls);
  section("Conversation");
  row("interruptions per call", fixed(a.interruptions_per_call, 2) + " (" + std::to_string(a.interruptions) +
                                    " over " + std::to_string(a.answered) + " answered)");
  row("turn latency p50", ms(a.turn_latency_p50_ms));
  row("turn latency p95", ms(a.turn_latency_p95_ms));
  section("Engine usage");
  row("input tokens", std::to_string(a.usage.input_tokens) + " (audio " + std::to_string(a.usage.input_audio_tokens) +
                          ", cached " + std::to_string(a.usage.cached_tokens) + ")");
  row("output tokens", std::to_string(a.usage.output_tokens) + " (audio " +
                           std::to_string(a.usage.output_audio_tokens) + ")");
  row("estimated cost", "$" + format_usd(a.cost_micro_usd));
  if (!a.stages.empty()) {
    section("Stages reached (of " + std::to_string(a.flow_calls) + " calls with a call flow)");
    for (const auto& s : a.stages)
      row(s.stage, std::to_string(s.calls) + " (" +
                       fixed(100.0 * static_cast<double>(s.calls) / static_cast<double>(a.flow_calls), 1) + "%)");
  }
  section("By engine");
  if (a.by_engine.empty()) row("(none)", "");
  for (const auto& [engine, e] : a.by_engine) {
    row(engine, std::to_string(e.calls) + " calls, " + fixed(static_cast<double>(e.ms) / 60000.0, 1) + " min, " +
                    std::to_string(e.failed) + " failed, " + std::to_string(e.failovers_from) + " failed over, p50 " +
                    ms(e.turn_latency_p50_ms) + ", $" + format_usd(e.cost_micro_usd));
  }
  return out.str();
}

}  // namespace sonoria::reports
