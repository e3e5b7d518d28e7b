// sonoria calls list|show: call history with filters and paging; one call in full.
#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/record_filters.hpp"
#include "core/error.hpp"
#include "core/reports/call_json.hpp"
#include "core/reports/export_writer.hpp"

namespace sonoria::cli {
namespace {

struct CallsOptions {
  RecordFilters filters;
  std::string status;
  int limit = 50;
  std::string before;
  std::string sid;
  bool json = false;
  bool utc = false;
};

}  // namespace

void register_calls(CLI::App& app, Context& context) {
  auto opts = std::make_shared<CallsOptions>();
  auto* calls = app.add_subcommand("calls", "Call history: list calls, show one with its events and transcript");
  calls->require_subcommand(1);

  auto* list = calls->add_subcommand("list", "List calls, newest first");
  add_filter_options(*list, opts->filters);
  list->add_option("--status", opts->status, "Only calls with this status (completed, failed, in-progress, …)");
  list->add_option("--limit", opts->limit, "At most this many calls (1–1000, default 50)")->check(CLI::Range(1, 1000));
  list->add_option("--before-cursor", opts->before, "Continue after a previous page (the cursor it printed)");
  list->add_flag("--json", opts->json, "Machine-readable output");
  list->add_flag("--utc", opts->utc, "Times in UTC (default: the organization's local time with its offset)");
  list->callback([&context, opts] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    auto query = make_call_query(opts->filters, database, db::now_ms());
    if (!opts->status.empty()) query.status = opts->status;
    std::optional<db::ListCursor> before;
    if (!opts->before.empty()) {
      before = db::decode_cursor(opts->before);
      if (!before)
        throw UserError("--before-cursor \"" + opts->before + "\" is not a cursor (expected the value a previous "
                        "page printed, like 2026-11-23T21:18:46.123Z|42)", ExitCode::usage);
    }
    auto page = database.queries().list(query, before, opts->limit);
    auto orgs = organization_slugs(database);
    auto org_of = [&](const db::CallRow& c) {
      auto it = c.organization_id ? orgs.find(*c.organization_id) : orgs.end();
      return it == orgs.end() ? std::string() : it->second;
    };
    std::map<int64_t, reports::TimeDisplay> zones;
    if (!opts->utc)
      for (const auto& [id, zone] : database.queries().organization_timezones()) zones.emplace(id, reports::TimeDisplay(zone));
    auto times_of = [&](const db::CallRow& c) {
      auto it = c.organization_id ? zones.find(*c.organization_id) : zones.end();
      return it == zones.end() ? reports::TimeDisplay() : it->second;
    };
    if (opts->json) {
      auto items = nlohmann::json::array();
      for (const auto& c : page.calls) items.push_back(reports::call_summary_json(c, org_of(c), times_of(c)));
      nlohmann::json out = {{"calls", items},
                            {"next_cursor", page.next ? nlohmann::json(db::encode_cursor(*page.next)) : nlohmann::json()}};
      std::cout << out.dump(2) << "\n";
      return;
    }
    if (page.calls.empty()) {
      std::cout << "no calls match\n";
      return;
    }
    std::cout << std::left << std::setw(36) << "CALL SID" << std::setw(31) << "STARTED" << std::setw(10) << "DIRECTION"
              << std::setw(18) << "FROM" << std::setw(18) << "TO" << std::setw(13) << "STATUS" << std::setw(10)
              << "DURATION" << "ORG\n";
    for (const auto& c : page.calls)
      std::cout << std::setw(36) << c.call_sid << std::setw(31) << times_of(c).show(c.started_at) << std::setw(10) << c.direction
                << std::setw(18) << c.from_number << std::setw(18) << c.to_number << std::setw(13) << c.status
                << std::setw(10) << (c.duration_ms ? reports::format_call_duration(*c.duration_ms) : "-")
                << org_of(c) << "\n";
    if (page.next)
      std::cout << "more: sonoria calls list --before-cursor '" << db::encode_cursor(*page.next) << "'\n";
  });

  auto* show = calls->add_subcommand("show", "Show one call with its events and transcript");
  show->add_option("SID", opts->sid, "The call's CallSid")->required();
  show->add_flag("--json", opts->json, "Machine-readable output");
  show->add_flag("--utc", opts->utc, "Times in UTC (default: the organization's local time with its offset)");
  show->callback([&context, opts] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    auto row = database.queries().find(opts->sid);
    if (!row) throw DataError("no call with sid \"" + opts->sid + "\" (see `sonoria calls list`)");
    reports::CallDetail detail;
    detail.call = *row;
    if (row->organization_id) {
      auto orgs = organization_slugs(database);
      if (auto it = orgs.find(*row->organization_id); it != orgs.end()) detail.organization = it->second;
      if (!opts->utc) {
        const auto zones = database.queries().organization_timezones();
        if (auto it = zones.find(*row->organization_id); it != zones.end()) detail.times = reports::TimeDisplay(it->second);
      }
    }
    detail.transcript = database.queries().transcript(*row);
    detail.events = database.queries().events(*row);
    if (opts->json) {
      std::cout << reports::call_detail_json(detail, true).dump(2) << "\n";
      return;
    }
    reports::ExportWriter writer(std::cout, reports::ExportFormat::txt);
    writer.write(detail);
    if (!detail.events.empty()) {
      std::cout << "Events:\n";
      for (const auto& e : detail.events)
        std::cout << "  " << detail.times.show(db::format_timestamp(e.at)) << "  " << std::left << std::setw(20) << e.kind
                  << e.name.value_or("") << (e.detail_json ? "  " + *e.detail_json : "") << "\n";
    }
  });
}

}  // namespace sonoria::cli
