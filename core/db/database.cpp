#include "core/db/database.hpp"

#include <filesystem>

#include "core/db/migrations.hpp"
#include "core/db/outbound_queries.hpp"
#include "core/db/postgresql.hpp"
#include "core/db/sqlite.hpp"
#include "core/db/sql_stores.hpp"
#include "core/error.hpp"
#include "core/files/private_directory.hpp"

namespace sonoria::db {

Database::Database(const config::DatabaseSettings& settings, SchemaCheck check, bool read_only) {
  const std::string& path = settings.path;
  if (!settings.url.empty()) {
    connection_ = std::make_unique<PostgresqlConnection>(settings.url);
    // database.path's folder still holds this machine's files (journal, recordings, sockets).
    if (!read_only && !path.empty()) {
      std::error_code ec;
      if (const auto dir = std::filesystem::path(path).parent_path(); !dir.empty()) files::create_private_directories(dir, ec);
    }
    if (read_only) connection_->exec("SET default_transaction_read_only = on");
  } else {
    if (is_postgresql_url(path))
      throw DataError("database.path: a PostgreSQL URL goes in database.url (database.path is a SQLite file)");
    // Every command but `init` and `migrate` (SchemaCheck::none) needs the database to exist; an
    // empty file is not created behind the user's back.
    if ((read_only || check == SchemaCheck::require_current) && !std::filesystem::exists(path))
      throw DataError(path + ": no database here yet; run `sonoria init` first (it creates the configuration and the database)");
    OpenOptions options;
    options.read_only = read_only;
    options.busy_timeout_ms = static_cast<int>(settings.busy_timeout.count());
    connection_ = std::make_unique<SqliteConnection>(path, options);
  }
  if (check == SchemaCheck::require_current) require_current_schema(*connection_);
  orgs_ = std::make_unique<SqlOrgStore>(*connection_);
  calls_ = std::make_unique<SqlCallStore>(*connection_);
  queries_ = std::make_unique<SqlCallQueries>(*connection_);
  knowledge_ = std::make_unique<SqlKnowledgeStore>(*connection_);
  webhooks_ = std::make_unique<SqlWebhookStore>(*connection_);
  appointments_ = std::make_unique<SqlAppointmentStore>(*connection_);
  users_ = std::make_unique<SqlUserStore>(*connection_);
  cluster_ = std::make_unique<SqlClusterStore>(*connection_);
}

Database::~Database() = default;

void Database::limit_cache(int kib) {
  if (auto* sqlite = dynamic_cast<SqliteConnection*>(connection_.get())) sqlite->limit_cache(kib);
}

BackupResult Database::backup(const std::string& target_path) { return backup_database(*connection_, target_path); }

std::optional<TimePoint> Database::last_outbound_call_to(const std::string& number) {
  return db::last_outbound_call_to(*connection_, number);
}

int Database::calls_in_progress() { return db::calls_in_progress(*connection_); }

}  // namespace sonoria::db
