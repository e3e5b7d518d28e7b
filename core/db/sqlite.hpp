#pragma once
// A thin RAII layer over the SQLite C API: one Connection per thread, prepared Statements,
// Transactions that roll back unless committed. Failures throw sonoria::UserError (runtime) or
// sonoria::DataError (the file is not a database, is newer than this build, …) naming the path.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace sonoria::db {

// A failure SQLite reported, with its (extended) result code.
class SqliteError : public UserError {
 public:
  SqliteError(const std::string& message, int code) : UserError(message), code_(code) {}
  int code() const noexcept { return code_; }
  // The environment's fault, not the statement's: the database is busy or locked, the disk is full
  // or failing, the file cannot be opened or has become read-only. The same write may work later.
  bool transient() const noexcept;

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

class Connection {
 public:
  // Opens `path` in WAL mode with foreign keys on and the busy timeout set.
  Connection(const std::string& path, const OpenOptions& options = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(std::string_view sql);                  // one or more statements, no results
  // Caps this connection's page cache (SQLite's default is 2 MiB per connection).
  void limit_cache(int kib);
  int64_t last_insert_rowid() const;
  int changes() const;                              // rows changed by the last statement
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }
  [[noreturn]] void fail(std::string_view what) const;  // throws with sqlite's message

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement(Connection& connection, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding is 1-based, as in SQLite. An empty optional binds NULL.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind_null(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  bool step();      // true while a row is available
  void run();       // steps to completion
  void reset();     // reuse with new bindings

  bool is_null(int column) const;
  int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<int64_t> optional_int64(int column) const;

 private:
  Connection& connection_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  ~Transaction();
  void commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

}  // namespace sonoria::db
