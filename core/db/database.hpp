#pragma once
// Opens the configured database backend and its stores. SQLite is the embedded default; a
// "postgresql://" path is where the PostgreSQL backend will plug in.

#include <memory>
#include <string>

#include "core/config/settings.hpp"
#include "core/db/appointment_store.hpp"
#include "core/db/call_queries.hpp"
#include "core/db/sqlite.hpp"
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

  Connection& connection() { return *connection_; }
  OrgStore& orgs() { return *orgs_; }
  CallStore& calls() { return *calls_; }
  CallQueries& queries() { return *queries_; }
  KnowledgeStore& knowledge() { return *knowledge_; }
  WebhookStore& webhooks() { return *webhooks_; }
  AppointmentStore& appointments() { return *appointments_; }
  UserStore& users() { return *users_; }

 private:
  std::unique_ptr<Connection> connection_;
  std::unique_ptr<OrgStore> orgs_;
  std::unique_ptr<CallStore> calls_;
  std::unique_ptr<CallQueries> queries_;
  std::unique_ptr<KnowledgeStore> knowledge_;
  std::unique_ptr<WebhookStore> webhooks_;
  std::unique_ptr<AppointmentStore> appointments_;
  std::unique_ptr<UserStore> users_;
};

}  // namespace sonoria::db
