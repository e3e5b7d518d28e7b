#pragma once
// PostgreSQL's Connection (core/db/connection.hpp), on libpq: one connection per thread, each
// statement one round trip (PQexecParams, values in text form with their types). A connection
// that was lost is opened again at the next statement (a write that failed because of it is
// transient: the writer retries it). Messages name the server and database, never the password.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/db/connection.hpp"

struct pg_conn;
struct pg_result;

namespace sonoria::db {

// A failure PostgreSQL reported, with its SQLSTATE ("23505", or "08006" for a lost connection).
class PostgresqlError : public DatabaseError {
 public:
  PostgresqlError(const std::string& message, std::string sqlstate, bool transient)
      : DatabaseError(message, transient), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  // Connection lost, server shutting down, too many connections, serialization or deadlock.
  static bool transient_state(std::string_view sqlstate) noexcept;

 private:
  std::string sqlstate_;
};

// "postgresql://user@host:5432/db" for `url` (a URI or key=value words, as libpq reads them),
// without its password; the text itself when libpq cannot read it (then it names no password).
std::string describe_postgresql_url(const std::string& url);
// The password as written in `url` (its user info, or password=…), "" when none.
std::string postgresql_url_password(const std::string& url);
// `text` with every occurrence of `password` replaced by "…".
std::string without_password(std::string text, const std::string& password);
bool is_postgresql_url(std::string_view text);

class PostgresqlConnection : public Connection {
 public:
  // Connects (at most `connect_timeout_s` seconds). Throws PostgresqlError naming the server.
  // `read_only`: every transaction read-only on the server (kept across reconnections).
  explicit PostgresqlConnection(const std::string& url, int connect_timeout_s = 10, bool read_only = false);
  ~PostgresqlConnection() override;

  Dialect dialect() const override { return Dialect::postgresql; }
  void exec(std::string_view sql) override;
  int changes() const override { return changes_; }
  const std::string& path() const override { return description_; }
  std::unique_ptr<Cursor> prepare(std::string_view sql) override;
  void begin_exclusive() override;
  void begin_snapshot() override;
  void commit() override;
  void rollback() noexcept override;

  // Used by cursors: the live connection (reconnecting when it was lost outside a transaction),
  // a result checked (throws, and frees it, when it failed), the count of rows changed.
  pg_conn* live();
  // Runs `sql` with `values` of `types`: as a statement prepared on this connection the first time
  // that text and those types run (PostgreSQL then parses and plans it once), up to
  // k_prepared_limit of them; later texts run unprepared.
  pg_result* execute(const std::string& sql, int count, const unsigned int* types, const char* const* values);
  void check(pg_result* result, std::string_view what);
  void set_changes(int changes) { changes_ = changes; }

 private:
  void connect();
  std::string url_;
  std::string password_;  // as written in url_, kept out of every message
  std::string description_;
  int connect_timeout_s_;
  bool read_only_ = false;
  pg_conn* conn_ = nullptr;
  int changes_ = 0;
  bool in_transaction_ = false;
  static constexpr size_t k_prepared_limit = 512;
  static constexpr int k_prepared_max_values = 64;
  std::unordered_map<std::string, std::string> prepared_;  // text and types → statement name
};

}  // namespace sonoria::db
