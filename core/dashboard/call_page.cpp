#include "core/dashboard/call_page.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/dashboard/calls_page.hpp"
#include "core/dashboard/html.hpp"
#include "core/dashboard/local_time.hpp"
#include "core/reports/pricing.hpp"

namespace sonoria::dashboard {
namespace {

std::string offset_text(std::optional<int64_t> ms) {
  if (!ms) return "";
  const int64_t s = *ms / 1000;
  const int64_t seconds = s % 60;
  return std::to_string(s / 60) + ":" + (seconds < 10 ? "0" : "") + std::to_string(seconds);
}

std::string fact(const std::string& term, const std::string& value) {
  return "<dt>" + escape(term) + "</dt><dd>" + escape(value) + "</dd>";
}

// A JSON text shown compactly; "" when it is empty or not JSON.
std::string compact_json(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return text;
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

struct ToolRow {
  std::optional<int64_t> offset_ms;
  std::string name;
  std::string arguments;
  std::string stage;
  std::optional<bool> ok;
  std::string output;
};

std::vector<ToolRow> tool_rows(const std::vector<db::CallEvent>& events) {
  std::vector<ToolRow> rows;
  std::map<std::string, std::size_t> by_call_id;
  for (const auto& e : events) {
    if (e.kind != "tool_call" && e.kind != "tool_result") continue;
    const auto detail = nlohmann::json::parse(e.detail_json.value_or("{}"), nullptr, false);
    if (!detail.is_object()) continue;
    const std::string call_id = detail.value("call_id", "");
    if (e.kind == "tool_call") {
      ToolRow row;
      row.offset_ms = e.offset_ms;
      row.name = detail.value("name", e.name.value_or(""));
      row.arguments = detail.contains("arguments") ? compact_json(detail["arguments"].is_string()
                                                                       ? detail["arguments"].get<std::string>()
                                                                       : detail["arguments"].dump())
                                                   : "";
      row.stage = detail.value("stage", "");
      by_call_id[call_id] = rows.size();
      rows.push_back(std::move(row));
    } else if (auto it = by_call_id.find(call_id); it != by_call_id.end()) {
      ToolRow& row = rows[it->second];
      row.ok = detail.value("ok", false);
      const auto& output = detail.contains("output") ? detail["output"] : nlohmann::json();
      row.output = output.is_string() ? compact_json(output.get<std::string>()) : output.dump();
    }
  }
  return rows;
}

std::string summary_section(const std::optional<std::string>& summary_json) {
  if (!summary_json) return "";
  const auto s = nlohmann::json::parse(*summary_json, nullptr, false);
  if (!s.is_object()) return "";
  std::string out = "<section aria-labelledby=\"summary-heading\"><h2 id=\"summary-heading\">Summary</h2>";
  if (s.contains("error")) return out + "<p class=\"muted\">No summary: " + escape(s["error"].is_string() ? s["error"].get<std::string>() : s["error"].dump()) + "</p></section>";
  auto text = [&](const char* key) { return s.contains(key) && s[key].is_string() ? s[key].get<std::string>() : std::string(); };
  if (!text("summary").empty()) out += "<p>" + escape(text("summary")) + "</p>";
  out += "<dl class=\"facts\">";
  if (!text("caller_name").empty()) out += fact("Caller", text("caller_name"));
  if (!text("reason").empty()) out += fact("Reason", text("reason"));
  if (!text("outcome").empty()) out += fact("Outcome", text("outcome"));
  if (s.contains("follow_up_needed") && s["follow_up_needed"].is_boolean())
    out += fact("Follow-up needed", s["follow_up_needed"].get<bool>() ? "yes" : "no");
  return out + "</dl></section>";
}

}  // namespace

std::string render_call(const Frame& frame, const CallPageData& data) {
  const db::CallRow& c = data.detail.call;
  std::string out = "<p><a href=\"" + std::string(k_prefix) + "/calls\">← All calls</a></p>";
  if (c.test_by) out += "<h1>Test call by " + escape(*c.test_by) + "</h1>";
  else if (c.direction == "outbound") out += "<h1>Call to " + escape(c.to_number) + "</h1>";
  else out += "<h1>Call from " + escape(c.from_number) + "</h1>";
  out += "<dl class=\"facts\">";
  out += fact("Organization", data.organization_name.empty() ? "–" : data.organization_name);
  out += fact("Started", local_time_text(c.started_at, data.timezone));
  out += fact("From", c.from_number.empty() ? "–" : c.from_number) + fact("To", c.to_number) +
         fact("Direction", c.test_by ? "test call from the dashboard (texts shown here, not sent)" : c.direction);
  out += fact("Outcome", c.status + (c.end_reason ? " (" + *c.end_reason + ")" : ""));
  out += fact("Length", duration_text(c.duration_ms));
  std::string engines;
  for (const auto& e : c.engines) engines += (engines.empty() ? "" : " → ") + e.engine + " " + duration_text(e.ms);
  out += fact("Engine", engines.empty() ? "–" : engines);
  if (!c.stages.empty()) {
    std::string stages;
    for (const auto& s : c.stages) stages += (stages.empty() ? "" : " → ") + s;
    out += fact("Stages", stages);
  }
  out += fact("Turns", std::to_string(c.turns) + (c.interruptions ? ", " + std::to_string(c.interruptions) + " cut short" : ""));
  if (c.greeting_latency_ms) out += fact("Greeting after", std::to_string(*c.greeting_latency_ms) + " ms");
  if (data.cost_micro_usd) out += fact("Estimated cost", "$" + reports::format_usd(*data.cost_micro_usd));
  out += fact("Call SID", c.call_sid);
  out += "</dl>";
  if (!data.recording_url.empty())
    out += "<section aria-labelledby=\"rec-heading\"><h2 id=\"rec-heading\">Recording</h2><audio controls preload=\"none\" src=\"" +
           escape(data.recording_url) + "\"></audio> <a href=\"" + escape(data.recording_url) +
           "?download=1\">Download (WAV)</a></section>";
  out += summary_section(c.summary_json);

  // Latency of each assistant turn, in the order they came.
  std::vector<int64_t> latencies;
  const auto parsed = nlohmann::json::parse(c.turn_latencies_ms, nullptr, false);
  if (parsed.is_array())
    for (const auto& v : parsed)
      if (v.is_number_integer()) latencies.push_back(v.get<int64_t>());

  out += "<section aria-labelledby=\"transcript-heading\"><h2 id=\"transcript-heading\">Transcript</h2>";
  if (data.detail.transcript.empty()) out += "<p class=\"empty\">Nothing was said.</p>";
  out += "<ol class=\"transcript\">";
  // A turn's latency is the wait for the assistant's answer after the caller spoke: the n-th
  // assistant turn that follows a caller turn (the greeting answers nobody).
  std::size_t answer = 0;
  bool caller_spoke = false;
  for (const auto& t : data.detail.transcript) {
    out += "<li class=\"turn turn-" + escape(t.speaker) + (t.interrupted ? " cut" : "") + "\"><span class=\"at\">" +
           offset_text(t.offset_ms) + "</span> <span class=\"speaker\">" + escape(t.speaker) + "</span>";
    if (t.stage) out += " <span class=\"tag\">" + escape(*t.stage) + "</span>";
    out += "<p>" + escape(t.text) + "</p>";
    if (t.interrupted) {
      out += "<p class=\"cut-note\"><strong>Cut off by the caller.</strong>";
      if (t.generated_text && *t.generated_text != t.text)
        out += " It would have gone on: <q>" + escape(t.generated_text->substr(std::min(t.text.size(), t.generated_text->size()))) + "</q>";
      out += "</p>";
    }
    if (t.speaker == "caller") caller_spoke = true;
    if (t.speaker == "assistant" && caller_spoke) {
      if (answer < latencies.size())
        out += "<p class=\"latency\">answered after " + std::to_string(latencies[answer]) + " ms</p>";
      ++answer;
      caller_spoke = false;
    }
    out += "</li>";
  }
  out += "</ol></section>";

  const auto tools = tool_rows(data.detail.events);
  if (!tools.empty()) {
    out += "<section aria-labelledby=\"tools-heading\"><h2 id=\"tools-heading\">Tool calls</h2><table><thead><tr>"
           "<th scope=\"col\">At</th><th scope=\"col\">Tool</th><th scope=\"col\">Asked with</th><th scope=\"col\">Result</th>"
           "</tr></thead><tbody>";
    for (const auto& t : tools) {
      out += "<tr><td>" + offset_text(t.offset_ms) + "</td><td>" + escape(t.name) +
             (t.stage.empty() ? "" : " <span class=\"tag\">" + escape(t.stage) + "</span>") + "</td><td><code>" +
             escape(t.arguments) + "</code></td><td>" +
             (t.ok ? std::string(*t.ok ? "<span class=\"ok\">ok</span> " : "<span class=\"failed\">failed</span> ") +
                         "<code>" + escape(t.output) + "</code>"
                   : std::string("<span class=\"muted\">no result</span>")) +
             "</td></tr>";
    }
    out += "</tbody></table></section>";
  }
  if (!data.messages.empty()) {
    out += "<section aria-labelledby=\"sms-heading\"><h2 id=\"sms-heading\">Texts</h2><table><thead><tr>"
           "<th scope=\"col\">To</th><th scope=\"col\">Why</th><th scope=\"col\">Status</th><th scope=\"col\">Text</th>"
           "</tr></thead><tbody>";
    for (const auto& m : data.messages)
      out += "<tr><td>" + escape(m.to_number) + "</td><td>" + escape(m.purpose) + "</td><td>" + escape(m.status) +
             (m.error_message ? " (" + escape(*m.error_message) + ")" : "") + "</td><td>" + escape(m.body) + "</td></tr>";
    out += "</tbody></table></section>";
  }
  return render_page(frame, out);
}

}  // namespace sonoria::dashboard
