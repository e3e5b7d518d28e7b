#include "core/dashboard/analytics_page.hpp"

#include "core/dashboard/bar_chart.hpp"
#include "core/dashboard/calls_page.hpp"
#include "core/dashboard/html.hpp"
#include "core/reports/pricing.hpp"

namespace sonoria::dashboard {
namespace {

std::string percent(double share) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.0f%%", share * 100);
  return buffer;
}

std::string stat(const std::string& label, const std::string& value) {
  return "<div class=\"stat\"><dt>" + escape(label) + "</dt><dd>" + escape(value) + "</dd></div>";
}

std::string ms_text(const std::optional<int64_t>& ms) { return ms ? std::to_string(*ms) + " ms" : "–"; }

// "2026-12-01" → "01 Dec"
std::string day_label(const std::string& day) {
  static const char* const k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (day.size() != 10) return day;
  const int month = std::atoi(day.substr(5, 2).c_str());
  if (month < 1 || month > 12) return day;
  return day.substr(8, 2) + " " + k_months[month - 1];
}

}  // namespace

const std::vector<int64_t>& latency_band_starts() {
  static const std::vector<int64_t> starts = {0, 300, 500, 700, 1000, 1500, 2000};
  return starts;
}

std::string latency_band_label(std::size_t band) {
  const auto& s = latency_band_starts();
  if (band + 1 >= s.size()) return "≥ " + std::to_string(s.back()) + " ms";
  return std::to_string(s[band]) + "–" + std::to_string(s[band + 1]) + " ms";
}

std::string render_analytics(const Frame& frame, const AnalyticsPageData& data) {
  const reports::Analytics& a = data.totals;
  std::string out = "<h1>Analytics</h1><form class=\"filters\" method=\"get\" action=\"" + std::string(k_prefix) +
                    "/analytics\">";
  if (data.organizations.size() > 1) {
    std::vector<std::pair<std::string, std::string>> orgs{{"", "Every organization"}};
    orgs.insert(orgs.end(), data.organizations.begin(), data.organizations.end());
    out += select_field("org", "Organization", orgs, data.org);
  }
  out += text_field("since", "From", data.since, "", "date") + text_field("until", "Until", data.until, "", "date") +
         "<button type=\"submit\">Show</button></form>";
  if (!data.error.empty()) out += "<p class=\"error\" role=\"alert\">" + escape(data.error) + "</p>";

  out += "<dl class=\"stats\">" + stat("Calls", std::to_string(a.total)) + stat("Served", percent(a.completion_rate)) +
         stat("Transferred", std::to_string(a.transfers)) + stat("Average length", duration_text(a.average_duration_ms)) +
         stat("Turn latency p50", ms_text(a.turn_latency_p50_ms)) + stat("p95", ms_text(a.turn_latency_p95_ms)) +
         stat("Estimated cost", "$" + reports::format_usd(a.cost_micro_usd)) + "</dl>";

  BarChart per_day{"calls-per-day", "Calls per day", "Number of calls started on each day of the period.", {}, false,
                   static_cast<int>(std::max<std::size_t>(1, data.calls_per_day.size() / 10))};
  for (const auto& [day, n] : data.calls_per_day) per_day.bars.push_back({day_label(day), n, ""});
  out += render_bar_chart(per_day);

  BarChart outcomes{"outcomes", "Outcomes", "How the calls of the period ended.", {}, true, 1};
  for (const auto& [status, n] : a.by_status) outcomes.bars.push_back({status, n, ""});
  out += render_bar_chart(outcomes);

  BarChart hours{"busiest-hours", "Calls by hour of the day", "Calls by the local hour they started in.", {}, false, 3};
  int64_t any = 0;
  for (std::size_t h = 0; h < 24; ++h) {
    any += a.by_hour[h];
    hours.bars.push_back({(h < 10 ? "0" : "") + std::to_string(h) + "h", a.by_hour[h], ""});
  }
  if (any == 0) hours.bars.clear();
  out += render_bar_chart(hours);

  BarChart latency{"turn-latency", "Turn latency", "How long callers waited for the assistant's answer, by turns.", {}, true, 1};
  int64_t turns = 0;
  for (const auto& [band, n] : data.latency_histogram) turns += n;
  if (turns)
    for (const auto& [band, n] : data.latency_histogram) latency.bars.push_back({band, n, ""});
  out += render_bar_chart(latency);

  BarChart cost{"cost-per-day", "Estimated cost per day", "The engines' estimated cost of each day's calls, in US dollars.",
                {}, false, static_cast<int>(std::max<std::size_t>(1, data.cost_per_day.size() / 10))};
  int64_t spent = 0;
  for (const auto& [day, micro] : data.cost_per_day) spent += micro;
  if (spent)
    for (const auto& [day, micro] : data.cost_per_day) cost.bars.push_back({day_label(day), micro, "$" + reports::format_usd(micro)});
  out += render_bar_chart(cost);
  return render_page(frame, out);
}

}  // namespace sonoria::dashboard
