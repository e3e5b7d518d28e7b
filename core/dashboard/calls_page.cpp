#include "core/dashboard/calls_page.hpp"

#include <map>

#include "core/dashboard/html.hpp"
#include "core/dashboard/local_time.hpp"

namespace sonoria::dashboard {
namespace {

std::map<std::string, std::string> filter_params(const CallsFilter& f) {
  return {{"org", f.org},       {"since", f.since}, {"until", f.until}, {"status", f.status}, {"direction", f.direction},
          {"engine", f.engine}, {"party", f.party}, {"stage", f.stage}, {"said", f.said}};
}

std::vector<std::pair<std::string, std::string>> with_any(const std::vector<std::string>& values, const char* any) {
  std::vector<std::pair<std::string, std::string>> out{{"", any}};
  for (const auto& v : values) out.emplace_back(v, v);
  return out;
}

std::string engines_text(const db::CallRow& call) {
  std::string out;
  for (const auto& e : call.engines) out += (out.empty() ? "" : " → ") + e.engine;
  return out.empty() ? "–" : out;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

}  // namespace

const std::vector<std::string>& call_statuses() {
  static const std::vector<std::string> all = {"completed", "transferred", "failed", "interrupted", "ringing",
                                               "in_progress", "rejected"};
  return all;
}

std::string duration_text(const std::optional<int64_t>& ms) {
  if (!ms) return "–";
  const int64_t seconds = (*ms + 500) / 1000;
  if (seconds < 60) return std::to_string(seconds) + "s";
  return std::to_string(seconds / 60) + "m " + std::to_string(seconds % 60) + "s";
}

std::string render_calls_table(const CallsPage& page) {
  std::string out = "<div id=\"calls-table\">";
  if (page.rows.empty()) return out + "<p class=\"empty\">No calls match.</p></div>";
  out +=
      "<table class=\"calls\"><caption class=\"visually-hidden\">Calls, newest first</caption><thead><tr>"
      "<th scope=\"col\">Started</th><th scope=\"col\">Organization</th><th scope=\"col\">From</th>"
      "<th scope=\"col\">To</th><th scope=\"col\">Outcome</th><th scope=\"col\">Length</th>"
      "<th scope=\"col\">Engine</th><th scope=\"col\">Stages</th><th scope=\"col\">Turns</th></tr></thead><tbody>";
  for (const auto& row : page.rows) {
    const auto& c = row.call;
    const std::string link = std::string(k_prefix) + "/calls/" + percent_encode(c.call_sid);
    out += "<tr><td><a href=\"" + escape(link) + "\">" + escape(local_time_text(c.started_at, row.timezone)) +
           "</a></td><td>" + escape(row.organization.empty() ? "–" : row.organization) + "</td><td>" +
           escape(c.from_number) + "</td><td>" + escape(c.to_number) + "</td><td><span class=\"status status-" +
           escape(c.status) + "\">" + escape(c.status) + "</span>" +
           (c.direction == "outbound" ? " <span class=\"tag\">outbound</span>" : "") +
           (c.test_by ? " <span class=\"tag\">test</span>" : "") + "</td><td>" +
           escape(duration_text(c.duration_ms)) + "</td><td>" + escape(engines_text(c)) + "</td><td>" +
           escape(c.stages.empty() ? "–" : join(c.stages, " → ")) + "</td><td>" + std::to_string(c.turns) + "</td></tr>";
  }
  out += "</tbody></table>";
  if (page.next_cursor) {
    auto params = filter_params(page.filter);
    params["cursor"] = *page.next_cursor;
    out += "<p class=\"more\"><a href=\"" + std::string(k_prefix) + "/calls?" + escape(query_string(params)) +
           "\">Older calls</a></p>";
  }
  return out + "</div>";
}

std::string render_calls(const Frame& frame, const CallsPage& page) {
  const CallsFilter& f = page.filter;
  std::string out = "<h1>Calls</h1>";
  out += "<section aria-labelledby=\"live-heading\" class=\"live\" data-live=\"" + std::string(k_prefix) +
         "/live\"><h2 id=\"live-heading\">On the line now</h2><div id=\"live-calls\" aria-live=\"polite\">"
         "<p class=\"empty\">No call right now.</p></div></section>";
  out += "<form class=\"filters\" method=\"get\" action=\"" + std::string(k_prefix) + "/calls\" role=\"search\">";
  if (page.organizations.size() > 1) {
    std::vector<std::pair<std::string, std::string>> orgs{{"", "Every organization"}};
    orgs.insert(orgs.end(), page.organizations.begin(), page.organizations.end());
    out += select_field("org", "Organization", orgs, f.org);
  }
  out += text_field("since", "From", f.since, "", "date");
  out += text_field("until", "Until", f.until, "", "date");
  out += select_field("status", "Outcome", with_any(call_statuses(), "Any outcome"), f.status);
  out += select_field("direction", "Direction", with_any({"inbound", "outbound"}, "Both"), f.direction);
  out += select_field("engine", "Engine", with_any({"openai", "deepgram", "ultravox", "local"}, "Any engine"), f.engine);
  out += text_field("party", "Caller number", f.party, "", "search", "inputmode=\"tel\"");
  out += text_field("stage", "Stage", f.stage);
  out += text_field("said", "Words said", f.said, "", "search");
  out += "<button type=\"submit\">Filter</button> <a href=\"" + std::string(k_prefix) + "/calls\">Clear</a></form>";
  if (!page.error.empty()) out += "<p class=\"error\" role=\"alert\">" + escape(page.error) + "</p>";
  out += "<section aria-labelledby=\"calls-heading\"><h2 id=\"calls-heading\">Recent calls</h2>" +
         render_calls_table(page) + "</section>";
  return render_page(frame, out);
}

}  // namespace sonoria::dashboard
