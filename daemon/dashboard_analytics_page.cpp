// The dashboard's analytics page: the figures of `sonoria analytics` over a period, per day.
#include <date/tz.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/auth/access.hpp"
#include "core/dashboard/analytics_page.hpp"
#include "core/db/database.hpp"
#include "core/org/time_text.hpp"
#include "core/reports/analytics.hpp"
#include "core/reports/pricing.hpp"
#include "daemon/dashboard_request.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {
namespace {

// The call's local date, "YYYY-MM-DD", in its organization's zone (UTC without one).
std::string local_day(const db::TimePoint& t, const date::time_zone* zone) {
  const auto day = std::chrono::floor<std::chrono::days>(zone ? date::make_zoned(zone, t).get_local_time().time_since_epoch()
                                                              : t.time_since_epoch());
  return org::format_date(std::chrono::year_month_day(std::chrono::sys_days(day)));
}

const date::time_zone* zone_of(const std::string& name) {
  if (name.empty()) return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

void analytics_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  dashboard::AnalyticsPageData data;
  data.org = r.param("org");
  const auto today = std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
  data.until = r.param("until").empty() ? org::format_date(today) : r.param("until");
  data.since = r.param("since").empty()
                   ? org::format_date(std::chrono::year_month_day(std::chrono::sys_days(today) - std::chrono::days(29)))
                   : r.param("since");
  const auto since = org::parse_date(data.since);
  const auto until = org::parse_date(data.until);
  if (!since) data.error = "From: \"" + data.since + "\" is not a date (expected YYYY-MM-DD)";
  else if (!until) data.error = "Until: \"" + data.until + "\" is not a date (expected YYYY-MM-DD)";
  else if (std::chrono::sys_days(*until) < std::chrono::sys_days(*since)) data.error = "Until is before From";
  else if (std::chrono::sys_days(*until) - std::chrono::sys_days(*since) > std::chrono::days(366))
    data.error = "The period is longer than a year (expected at most 366 days)";

  std::map<int64_t, std::string> zones;
  db::CallQuery query;
  query.test = false;  // test calls from the dashboard are not the business's calls
  query.organization_id = auth::visible_organization(r.viewer);
  for (const auto& o : database.orgs().list()) {
    if (!auth::can_view(r.viewer, o.id)) continue;
    data.organizations.emplace_back(o.slug, o.name);
    zones[o.id] = o.timezone;
    if (o.slug == data.org) query.organization_id = o.id;
  }
  if (!data.org.empty() && std::none_of(data.organizations.begin(), data.organizations.end(),
                                        [&](const auto& o) { return o.first == data.org; }))
    data.error = "Organization: \"" + data.org + "\" is not one you can see";

  const auto prices = reports::prices_from(c.services.settings.pricing);
  reports::AnalyticsBuilder builder(db::now_ms(), prices);
  std::map<std::string, int64_t> per_day, cost_per_day;
  std::vector<int64_t> bands(dashboard::latency_band_starts().size());
  if (data.error.empty()) {
    // A day early and late, in UTC: the local dates at either end are cut below.
    query.started_from = db::format_timestamp(std::chrono::sys_days(*since) - std::chrono::days(1));
    query.started_before = db::format_timestamp(std::chrono::sys_days(*until) + std::chrono::days(2));
    database.queries().for_each_call(query, [&](const db::CallRow& call) {
      std::string zone_name;
      if (call.organization_id) zone_name = zones[*call.organization_id];
      const auto* zone = zone_of(zone_name);
      const auto started = db::parse_timestamp(call.started_at);
      if (!started) return;
      const std::string day = local_day(*started, zone);
      if (day < data.since || day > data.until) return;
      builder.add(call, zone_name);
      per_day[day]++;
      cost_per_day[day] += reports::call_cost_micro_usd(call, prices);
      const auto latencies = nlohmann::json::parse(call.turn_latencies_ms, nullptr, false);
      if (latencies.is_array())
        for (const auto& v : latencies) {
          if (!v.is_number_integer()) continue;
          const auto& starts = dashboard::latency_band_starts();
          const auto band = std::upper_bound(starts.begin(), starts.end(), v.get<int64_t>()) - starts.begin() - 1;
          bands[static_cast<std::size_t>(std::max<std::ptrdiff_t>(band, 0))]++;
        }
    });
    for (auto d = std::chrono::sys_days(*since); d <= std::chrono::sys_days(*until); d += std::chrono::days(1)) {
      const std::string day = org::format_date(std::chrono::year_month_day(d));
      data.calls_per_day.emplace_back(day, per_day[day]);
      data.cost_per_day.emplace_back(day, cost_per_day[day]);
    }
    for (std::size_t i = 0; i < bands.size(); ++i) data.latency_histogram.emplace_back(dashboard::latency_band_label(i), bands[i]);
  }
  data.totals = builder.finish();
  respond(html_page(data.error.empty() ? 200 : 400, dashboard::render_analytics(r.frame("Analytics", "analytics"), data)));
}

}  // namespace sonoria::daemon
