#include "core/reports/call_json.hpp"

#include <nlohmann/json.hpp>

namespace sonoria::reports {
namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// [{"engine": "openai", "ms": 61000}, …]: who answered, and who took over.
nlohmann::json engines_of(const db::CallRow& c) {
  auto out = nlohmann::json::array();
  for (const auto& e : c.engines) out.push_back({{"engine", e.engine}, {"ms", e.ms}});
  return out;
}

// The post-call summary as stored; null until there is one.
nlohmann::json summary_of(const db::CallRow& c) {
  if (!c.summary_json) return nullptr;
  auto j = nlohmann::json::parse(*c.summary_json, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

}  // namespace

std::vector<ToolCall> tool_calls_of(const std::vector<db::CallEvent>& events) {
  std::vector<ToolCall> out;
  for (const auto& e : events) {
    if (e.kind != "tool_call") continue;
    ToolCall t;
    t.name = e.name.value_or("");
    t.offset_ms = e.offset_ms;
    t.arguments_json = "{}";
    if (e.detail_json) {
      auto detail = nlohmann::json::parse(*e.detail_json, nullptr, false);
      if (detail.is_object() && detail.contains("arguments")) {
        const auto& args = detail["arguments"];
        t.arguments_json = args.is_string() ? args.get<std::string>() : args.dump();
      }
      if (detail.is_object() && detail.contains("stage") && detail["stage"].is_string())
        t.stage = detail["stage"].get<std::string>();
    }
    out.push_back(std::move(t));
  }
  return out;
}

nlohmann::json call_summary_json(const db::CallRow& c, const std::string& organization, const TimeDisplay& times) {
  const auto shown = [&](const std::optional<std::string>& at) {
    return at ? nlohmann::json(times.show(*at)) : nlohmann::json(nullptr);
  };
  return {
      {"call_sid", c.call_sid},
      {"organization", organization.empty() ? nlohmann::json(nullptr) : nlohmann::json(organization)},
      {"organization_id", or_null(c.organization_id)},
      {"direction", c.direction},
      {"test_by", or_null(c.test_by)},
      {"from", c.from_number},
      {"to", c.to_number},
      {"status", c.status},
      {"end_reason", or_null(c.end_reason)},
      {"started_at", times.show(c.started_at)},
      {"answered_at", shown(c.answered_at)},
      {"ended_at", shown(c.ended_at)},
      {"duration_ms", or_null(c.duration_ms)},
      {"turns", c.turns},
      {"interruptions", c.interruptions},
      {"tool_call_count", c.tool_calls},
      {"engines", engines_of(c)},
      {"stages", c.stages},
      {"dropped_frames", c.drops},
      {"summary", summary_of(c)},
      {"usage", {{"input_tokens", c.usage.input_tokens}, {"output_tokens", c.usage.output_tokens},
                 {"input_audio_tokens", c.usage.input_audio_tokens},
                 {"output_audio_tokens", c.usage.output_audio_tokens}, {"cached_tokens", c.usage.cached_tokens}}},
  };
}

nlohmann::json call_detail_json(const CallDetail& d, bool with_events) {
  auto j = call_summary_json(d.call, d.organization, d.times);
  auto tools = nlohmann::json::array();
  for (const auto& t : tool_calls_of(d.events)) {
    auto args = nlohmann::json::parse(t.arguments_json, nullptr, false);
    tools.push_back({{"name", t.name}, {"offset_ms", or_null(t.offset_ms)},
                     {"arguments", args.is_discarded() ? nlohmann::json(t.arguments_json) : args},
                     {"stage", or_null(t.stage)}});
  }
  j["tool_calls"] = tools;
  auto turns = nlohmann::json::array();
  for (const auto& t : d.transcript)
    turns.push_back({{"sequence", t.sequence}, {"speaker", t.speaker}, {"offset_ms", t.offset_ms}, {"text", t.text},
                     {"interrupted", t.interrupted}, {"stage", or_null(t.stage)}});
  j["turns"] = turns;
  if (with_events) {
    auto events = nlohmann::json::array();
    for (const auto& e : d.events) {
      nlohmann::json detail = nullptr;
      if (e.detail_json) {
        detail = nlohmann::json::parse(*e.detail_json, nullptr, false);
        if (detail.is_discarded()) detail = *e.detail_json;
      }
      events.push_back({{"at", d.times.show(db::format_timestamp(e.at))}, {"offset_ms", or_null(e.offset_ms)}, {"kind", e.kind},
                        {"name", or_null(e.name)}, {"detail", detail}});
    }
    j["events"] = events;
  }
  return j;
}

std::string format_call_duration(int64_t ms) {
  if (ms < 0) ms = 0;
  int64_t tenths = (ms + 50) / 100;
  int64_t minutes = tenths / 600;
  int64_t rest = tenths % 600;
  std::string seconds = std::to_string(rest / 10) + "." + std::to_string(rest % 10) + "s";
  return minutes ? std::to_string(minutes) + "m" + seconds : seconds;
}

}  // namespace sonoria::reports
