// sonoria export-transcripts: finished calls with their transcripts, for cron and analysis.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/record_filters.hpp"
#include "core/error.hpp"
#include "core/reports/exporter.hpp"

namespace sonoria::cli {
namespace {

struct ExportOptions {
  RecordFilters filters;
  std::string call;
  std::string format = "jsonl";
  std::string out;
  std::string state;
  bool utc = false;
};

}  // namespace

void register_export(CLI::App& app, Context& context) {
  auto opts = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand("export-transcripts", "Export finished calls with their transcripts");
  add_filter_options(*cmd, opts->filters);
  cmd->add_option("--call", opts->call, "Only this call (its CallSid)");
  cmd->add_option("--format", opts->format, "jsonl | json | csv | txt (default jsonl)")
      ->check(CLI::IsMember({"jsonl", "json", "csv", "txt"}));
  cmd->add_option("-o,--out", opts->out, "Write to this file (atomically: a temp file renamed into place)");
  cmd->add_option("--incremental", opts->state,
                  "State file: export only calls finished since the last successful run, exactly once (needs --out)");
  cmd->add_flag("--utc", opts->utc, "Times in UTC (default: each organization's local time with its offset)");
  cmd->callback([&context, opts] {
    if (!opts->state.empty() && opts->out.empty())
      throw UserError("--incremental needs --out FILE: only a file published atomically can be exported exactly once",
                      ExitCode::usage);
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    reports::ExportJob job;
    job.query = make_call_query(opts->filters, database, db::now_ms());
    if (!opts->call.empty()) job.query.call_sid = opts->call;
    job.format = *reports::parse_export_format(opts->format);
    job.out_path = opts->out;
    job.state_path = opts->state;
    if (!opts->utc) job.timezones = database.queries().organization_timezones();
    auto summary = reports::run_export(database.queries(), organization_slugs(database), job, std::cout);
    if (!summary.recovered.empty())
      std::cerr << "sonoria: note: an earlier run was interrupted; its output was "
                << (summary.recovered == "adopted" ? "already in place and is kept" : "never published and is redone")
                << "\n";
    if (!opts->out.empty())
      std::cerr << "exported " << summary.calls << " call" << (summary.calls == 1 ? "" : "s") << " to " << opts->out
                << "\n";
  });
}

}  // namespace sonoria::cli
