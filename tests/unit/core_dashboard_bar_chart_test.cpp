// Charts are SVG drawn on the server, labelled for screen readers, numbers available as a table.
#include <doctest/doctest.h>

#include "core/dashboard/analytics_page.hpp"
#include "core/dashboard/bar_chart.hpp"

using namespace sonoria::dashboard;

TEST_CASE("bars scale to the largest value and are titled") {
  BarChart chart{"per-day", "Calls per day", "Calls started each day.", {{"01 Dec", 2, ""}, {"02 Dec", 4, ""}}, false, 1};
  const std::string svg = render_bar_chart(chart);
  CHECK(svg.find("role=\"img\"") != std::string::npos);
  CHECK(svg.find("<title id=\"per-day-t\">Calls per day</title>") != std::string::npos);
  CHECK(svg.find("height=\"150.0\"") != std::string::npos);  // the tallest bar fills the plot
  CHECK(svg.find("height=\"75.0\"") != std::string::npos);   // half of it
  CHECK(svg.find("<title>02 Dec: 4</title>") != std::string::npos);
  CHECK(svg.find("<th scope=\"row\">01 Dec</th><td>2</td>") != std::string::npos);
  CHECK(svg.find("style=") == std::string::npos);
}

TEST_CASE("an empty chart says so instead of drawing nothing") {
  BarChart chart{"c", "Cost", "", {}, false, 1};
  CHECK(render_bar_chart(chart).find("No calls in this period.") != std::string::npos);
}

TEST_CASE("latency bands cover every value") {
  CHECK(latency_band_label(0) == "0–300 ms");
  CHECK(latency_band_label(latency_band_starts().size() - 1) == "≥ 2000 ms");
}

TEST_CASE("the analytics page shows the headline figures and every chart") {
  sonoria::auth::Viewer admin{1, "root", sonoria::auth::Role::admin, std::nullopt};
  Frame frame;
  frame.viewer = &admin;
  AnalyticsPageData data;
  data.since = "2026-12-01";
  data.until = "2026-12-02";
  data.totals.total = 3;
  data.totals.completion_rate = 2.0 / 3;
  data.totals.by_status = {{"completed", 2}, {"failed", 1}};
  data.totals.by_hour[9] = 3;
  data.totals.cost_micro_usd = 50'000;
  data.calls_per_day = {{"2026-12-01", 1}, {"2026-12-02", 2}};
  data.cost_per_day = {{"2026-12-01", 20'000}, {"2026-12-02", 30'000}};
  data.latency_histogram = {{"0–300 ms", 1}};
  const std::string page = render_analytics(frame, data);
  CHECK(page.find("<dd>67%</dd>") != std::string::npos);
  CHECK(page.find("$0.0500") != std::string::npos);
  for (const char* id : {"calls-per-day", "outcomes", "busiest-hours", "turn-latency", "cost-per-day"})
    CHECK(page.find(std::string("id=\"") + id + "\"") != std::string::npos);
  CHECK(page.find("<title>02 Dec: $0.0300</title>") != std::string::npos);
}
