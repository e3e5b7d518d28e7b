#include "core/db/database.hpp"

#include <filesystem>

#include "core/db/migrations.hpp"
#include "core/db/sqlite_stores.hpp"
#include "core/error.hpp"

namespace sonoria::db {

Database::Database(const config::DatabaseSettings& settings, SchemaCheck check, bool read_only) {
  const std::string& path = settings.path;
  if (path.rfind("postgres://", 0) == 0 || path.rfind("postgresql://", 0) == 0)
    throw DataError("database.path: PostgreSQL is not supported by this build yet (expected a SQLite file path)");
  // Every command but `init` and `migrate` (SchemaCheck::none) needs the database to exist; an
  // empty file is not created behind the user's back.
  if ((read_only || check == SchemaCheck::require_current) && !std::filesystem::exists(path))
    throw DataError(path + ": no database here yet; run `sonoria init` first (it creates the configuration and the database)");
  OpenOptions options;
  options.read_only = read_only;
  options.busy_timeout_ms = static_cast<int>(settings.busy_timeout.count());
  connection_ = std::make_unique<Connection>(path, options);
  if (check == SchemaCheck::require_current) require_current_schema(*connection_);
  orgs_ = std::make_unique<SqliteOrgStore>(*connection_);
  calls_ = std::make_unique<SqliteCallStore>(*connection_);
  queries_ = std::make_unique<SqliteCallQueries>(*connection_);
  knowledge_ = std::make_unique<SqliteKnowledgeStore>(*connection_);
  webhooks_ = std::make_unique<SqliteWebhookStore>(*connection_);
  appointments_ = std::make_unique<SqliteAppointmentStore>(*connection_);
  users_ = std::make_unique<SqliteUserStore>(*connection_);
}

Database::~Database() = default;

}  // namespace sonoria::db
