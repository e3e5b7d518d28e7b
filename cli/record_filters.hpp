#pragma once
// The filters the call-record commands share (export-transcripts, analytics, calls list):
// --since, --until, --org, --engine, turned into a db::CallQuery. Throws UserError (usage) for a bad time
// and DataError for an unknown organization.

#include <map>
#include <string>

#include "core/db/call_queries.hpp"
#include "core/db/database.hpp"

namespace CLI {
class App;
}

namespace sonoria::cli {

struct RecordFilters {
  std::string since;
  std::string until;
  std::string org;     // id or slug
  std::string engine;  // openai | deepgram | ultravox
};

// Adds --since, --until, --org and --engine, bound to `filters`, to a subcommand.
void add_filter_options(CLI::App& command, RecordFilters& filters);

db::CallQuery make_call_query(const RecordFilters& filters, db::Database& database, db::TimePoint now);
// Organization id → slug.
std::map<int64_t, std::string> organization_slugs(db::Database& database);

}  // namespace sonoria::cli
