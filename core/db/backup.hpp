#pragma once
// A consistent copy of a live database with SQLite's online backup API. The copy is taken in one
// backup step, inside a read transaction on the source: in WAL mode the daemon's writer is never
// blocked, and the copy is the database as of one commit. The copy is written beside the target,
// checked with PRAGMA integrity_check, switched to a single-file journal, then renamed into place.
//
// Runs on the calling thread (blocking disk I/O: CLI side only). Throws UserError naming the
// path when the copy cannot be written, DataError when the copy fails its integrity check.

#include <cstdint>
#include <string>

#include "core/db/connection.hpp"

namespace sonoria::db {

struct BackupResult {
  int64_t pages = 0;
  int64_t bytes = 0;
  int64_t rows = 0;       // a PostgreSQL database's backup: the records copied and verified
  std::string integrity;  // "ok"
};

// SQLite: the online backup API. PostgreSQL: every record copied into a new SQLite file in one
// snapshot and verified (core/db/database_copy.hpp), which `sonoria db copy` can restore; for
// point-in-time recovery of a large database, the server's own tools (pg_dump, archiving) remain.
BackupResult backup_database(Connection& source, const std::string& target_path);

// PRAGMA integrity_check on a database file: "ok", or the first problems it reports.
std::string integrity_check(const std::string& path);

}  // namespace sonoria::db
