#pragma once
// Opens the configured database and its stores: SQLite at database.path (the embedded default),
// or PostgreSQL at database.url.

#include <memory>
#include <string>

#include <filesystem>
#include <optional>
#include <vector>

#include "core/config/settings.hpp"
#include "core/db/appointment_store.hpp"
#include "core/db/backup.hpp"
#include "core/db/migrations.hpp"
#include "core/db/retention.hpp"
#include "core/db/call_queries.hpp"
#include "core/db/cluster_store.hpp"
#include "core/db/connection.hpp"
#include "core/db/stores.hpp"
#include "core/db/user_store.hpp"

namespace sonoria::db {

enum class SchemaCheck {
  require_current,  // refuse when migrations are pending or the database is newer
  none,             // for `sonoria migrate` itself
};

class Database {
 public:
  // Throws UserError/DataError naming the path and what to do.
  Database(const config::DatabaseSettings& settings, SchemaCheck check, bool read_only = false);
  ~Database();

  Dialect dialect() const { return connection_->dialect(); }
  // What messages name: the file, or postgresql://user@host:port/database (never a password).
  const std::string& location() const { return connection_->path(); }

  // The schema (core/db/migrations.hpp).
  std::vector<Migration> migrate() { return db::migrate(*connection_); }
  int schema_version() { return db::schema_version(*connection_); }
  std::vector<MigrationState> migration_status() { return db::migration_status(*connection_); }
  void check_integrity() { db::check_integrity(*connection_); }
  // SQLite's page cache of this connection; PostgreSQL's memory is the server's.
  void limit_cache(int kib);
  // A consistent, verified copy in one SQLite file (core/db/backup.hpp).
  BackupResult backup(const std::string& target_path);
  // core/db/retention.hpp
  RetentionCounts apply_retention(TimePoint cutoff, bool dry_run, const std::filesystem::path& recordings,
                                  int batch = 500) {
    return db::apply_retention(*connection_, cutoff, dry_run, recordings, batch);
  }
  // For the outbound policy's cooldown and capacity (core/db/outbound_queries.hpp).
  std::optional<TimePoint> last_outbound_call_to(const std::string& number);
  int calls_in_progress();

  // core/db's own, and its tests': the SQL connection under the stores.
  Connection& connection() { return *connection_; }
  OrgStore& orgs() { return *orgs_; }
  CallStore& calls() { return *calls_; }
  CallQueries& queries() { return *queries_; }
  KnowledgeStore& knowledge() { return *knowledge_; }
  WebhookStore& webhooks() { return *webhooks_; }
  AppointmentStore& appointments() { return *appointments_; }
  UserStore& users() { return *users_; }
  ClusterStore& cluster() { return *cluster_; }

 private:
  std::unique_ptr<Connection> connection_;
  std::unique_ptr<OrgStore> orgs_;
  std::unique_ptr<CallStore> calls_;
  std::unique_ptr<CallQueries> queries_;
  std::unique_ptr<KnowledgeStore> knowledge_;
  std::unique_ptr<WebhookStore> webhooks_;
  std::unique_ptr<AppointmentStore> appointments_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<ClusterStore> cluster_;
};

}  // namespace sonoria::db
