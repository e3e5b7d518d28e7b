#pragma once
// `sonoria db copy`: every record of one sonoria database written into another, in either
// direction between SQLite and PostgreSQL, then verified table by table: the same number of rows,
// and the same contents (a digest of each row's values as text, compared as sets, so the two
// databases' orders of text do not matter).
//
// The source is read in one snapshot (a daemon may keep writing to it). The target must be a new
// or empty sonoria database: it is migrated to the current schema first, and everything is written
// in one transaction, so a copy that fails leaves it as it was. Ids are kept (and PostgreSQL's
// identity sequences moved past them), so links between tables, cursors and finished_seq survive.
//
// Runs on the calling thread (CLI only). Throws DataError for a source whose schema is not
// current or a target that is not empty, UserError for anything the databases report.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/db/connection.hpp"

namespace sonoria::db {

struct TableCopy {
  std::string table;
  int64_t rows = 0;
  bool verified = false;  // the target's rows are the source's, value for value
};

struct CopyReport {
  std::vector<TableCopy> tables;
  int64_t rows() const;
  bool verified() const;
};

// The tables a copy moves, parents before children.
const std::vector<std::string>& copied_tables();

// `progress` (may be empty) is told each table as it is done.
CopyReport copy_database(Connection& source, Connection& target,
                         const std::function<void(const TableCopy&)>& progress = {});

// A database named as `db copy` takes it: "postgresql://…" (or postgres://), "sqlite:PATH" or a
// path. A source must exist (SQLite's is opened read-only); a SQLite target is created.
std::unique_ptr<Connection> open_copy_endpoint(const std::string& location, bool target);

// Row count and a digest of every row of `table` (order-independent), as the copy compares them.
struct TableDigest {
  int64_t rows = 0;
  std::string sha256;
};
TableDigest table_digest(Connection& connection, const std::string& table);

}  // namespace sonoria::db
