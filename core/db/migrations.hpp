#pragma once
// Versioned schema migrations compiled into the binary. Each applies in its own transaction.
// A database whose schema is newer than this build knows is refused, never modified.

#include <optional>
#include <string>
#include <vector>

#include "core/db/connection.hpp"

namespace sonoria::db {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

struct MigrationState {
  int version;
  std::string name;
  std::optional<std::string> applied_at;  // empty = pending
};

// SQLite's, from an empty file; migrations_for(Dialect::postgresql) is PostgreSQL's
// (core/db/postgresql_schema.hpp). Both end at latest_schema_version().
const std::vector<Migration>& migrations();
const std::vector<Migration>& migrations_for(Dialect dialect);
int latest_schema_version();

// The highest applied version (0 for a new, empty database).
int schema_version(Connection& connection);

// Applied and pending migrations, in order. Throws DataError for a newer database.
std::vector<MigrationState> migration_status(Connection& connection);

// Applies every pending migration; returns those applied. Throws DataError for a newer database.
std::vector<Migration> migrate(Connection& connection);

// For commands that need the schema as this build knows it: throws DataError naming the
// database and what to run when migrations are pending or the database is newer.
void require_current_schema(Connection& connection);
// SQLite's PRAGMA quick_check (nothing for PostgreSQL, which checks its pages itself): a damaged file is refused with its path, what is wrong and what to do
// (DataError). Reads the whole file: at the daemon's start and in `migrate`, not per command.
void check_integrity(Connection& connection);

}  // namespace sonoria::db
