#include "cli/record_filters.hpp"

#include <CLI/CLI.hpp>

#include "core/error.hpp"
#include "core/reports/time_spec.hpp"

namespace sonoria::cli {

void add_filter_options(CLI::App& command, RecordFilters& filters) {
  command.add_option("--since", filters.since, "Calls started at or after: YYYY-MM-DD, an ISO time, or 7d/12h ago");
  command.add_option("--until", filters.until, "Calls started before: same forms as --since");
  command.add_option("--org", filters.org, "Only this organization (id or slug)");
  command.add_option("--engine", filters.engine, "Only calls this engine served (openai, deepgram, ultravox)")
      ->check(CLI::IsMember({"openai", "deepgram", "ultravox"}));
}

db::CallQuery make_call_query(const RecordFilters& f, db::Database& database, db::TimePoint now) {
  db::CallQuery q;
  if (!f.since.empty()) q.started_from = db::format_timestamp(reports::time_spec_or_throw("--since", f.since, now));
  if (!f.until.empty()) q.started_before = db::format_timestamp(reports::time_spec_or_throw("--until", f.until, now));
  if (!f.engine.empty()) q.engine = f.engine;
  if (!f.org.empty()) {
    for (const auto& o : database.orgs().list())
      if (o.slug == f.org || std::to_string(o.id) == f.org) q.organization_id = o.id;
    if (!q.organization_id)
      throw DataError("--org: no organization with id or slug \"" + f.org + "\" (see `sonoria org list`)");
  }
  return q;
}

std::map<int64_t, std::string> organization_slugs(db::Database& database) {
  std::map<int64_t, std::string> out;
  for (const auto& o : database.orgs().list()) out[o.id] = o.slug;
  return out;
}

}  // namespace sonoria::cli
