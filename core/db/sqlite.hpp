#pragma once
// SQLite's Connection (core/db/connection.hpp): a thin RAII layer over the SQLite C API, one
// connection per thread. Failures throw SqliteError (runtime) or sonoria::DataError (the file is
// not a database, is newer than this build, …) naming the path.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/db/connection.hpp"

struct sqlite3;

namespace sonoria::db {

// A failure SQLite reported, with its (extended) result code.
class SqliteError : public DatabaseError {
 public:
  SqliteError(const std::string& message, int code) : DatabaseError(message, transient_code(code)), code_(code) {}
  int code() const noexcept { return code_; }
  // The database is busy or locked, the disk is full or failing, the file cannot be opened or has
  // become read-only.
  static bool transient_code(int code) noexcept;

 private:
  int code_;
};

// Bytes SQLite holds in this process, every connection together: page caches, prepared statements,
// schemas (sqlite3_memory_used). What /metrics shows, so that a growing RSS can be told apart from
// a cache filling up.
int64_t memory_in_use();

struct OpenOptions {
  bool read_only = false;
  bool create = true;            // create the file (and its directory) when missing
  int busy_timeout_ms = 5000;
};

class SqliteConnection : public Connection {
 public:
  // Opens `path` in WAL mode with foreign keys on and the busy timeout set.
  explicit SqliteConnection(const std::string& path, const OpenOptions& options = {});
  ~SqliteConnection() override;

  Dialect dialect() const override { return Dialect::sqlite; }
  void exec(std::string_view sql) override;
  int changes() const override;
  const std::string& path() const override { return path_; }
  std::unique_ptr<Cursor> prepare(std::string_view sql) override;
  void begin_exclusive() override { exec("BEGIN IMMEDIATE"); }
  void begin_snapshot() override { exec("BEGIN DEFERRED"); }  // WAL: a reader sees one commit
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override;

  // Caps this connection's page cache (SQLite's default is 2 MiB per connection).
  void limit_cache(int kib);
  sqlite3* handle() const { return db_; }
  [[noreturn]] void fail(std::string_view what) const;  // throws with sqlite's message

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace sonoria::db
