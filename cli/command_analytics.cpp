// sonoria analytics: call totals, outcomes, timing, latency and engine cost.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/record_filters.hpp"
#include "core/reports/analytics.hpp"

namespace sonoria::cli {
namespace {

struct AnalyticsOptions {
  RecordFilters filters;
  bool json = false;
};

}  // namespace

void register_analytics(CLI::App& app, Context& context) {
  auto opts = std::make_shared<AnalyticsOptions>();
  auto* cmd = app.add_subcommand("analytics", "Call totals, outcomes, busiest hours, latency and estimated cost");
  add_filter_options(*cmd, opts->filters);
  cmd->add_flag("--json", opts->json, "Stable machine-readable JSON");
  cmd->callback([&context, opts] {
    auto prices = reports::prices_from(context.settings().pricing);
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    auto now = db::now_ms();
    auto query = make_call_query(opts->filters, database, now);
    query.test = false;  // test calls from the dashboard are not the business's calls
    auto zones = database.queries().organization_timezones();
    reports::AnalyticsBuilder builder(now, prices);
    database.queries().for_each_call(query, [&](const db::CallRow& call) {
      auto zone = call.organization_id ? zones.find(*call.organization_id) : zones.end();
      builder.add(call, zone == zones.end() ? std::string() : zone->second);
    });
    builder.add_tool_calls(database.queries().tool_calls_by_name(query));
    builder.add_texts(database.queries().texts_by_purpose(query));
    auto result = builder.finish();
    if (opts->json) std::cout << reports::to_json(result).dump(2) << "\n";
    else std::cout << reports::render_table(result);
  });
}

}  // namespace sonoria::cli
