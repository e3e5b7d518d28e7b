#include "core/db/postgresql.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <vector>

#include "core/config/url_password.hpp"
#include "core/db/postgresql_text.hpp"

namespace sonoria::db {
namespace {

// pg_type OIDs (catalog/pg_type_d.h, stable since PostgreSQL 7).
constexpr Oid k_int8 = 20;
constexpr Oid k_text = 25;
constexpr Oid k_float8 = 701;

// The advisory lock every exclusive transaction takes: sonoria's writers, in every daemon and
// command sharing the database, one at a time (what BEGIN IMMEDIATE is to SQLite). ASCII "sonoria".
constexpr int64_t k_writer_lock = 0x736f6e6f726961;

// libpq's messages run over lines ("…unexpectedly\n\tThis probably means…"): one line for a log.
std::string trimmed(const char* text) {
  std::string s;
  bool space = false;
  for (const char* p = text ? text : ""; *p; ++p) {
    if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
      space = true;
      continue;
    }
    if (space && !s.empty()) s += ' ';
    space = false;
    s += *p;
  }
  return s;
}

void discard_notice(void*, const char*) {
  // NOTICEs ("relation … already exists, skipping") are not for sonoria's output.
}

class PostgresqlCursor : public Cursor {
 public:
  PostgresqlCursor(PostgresqlConnection& connection, std::string_view sql)
      : connection_(connection), sql_(postgresql_placeholders(sql)) {
    values_.resize(static_cast<std::size_t>(sql_.parameters));
    types_.assign(static_cast<std::size_t>(sql_.parameters), 0);
  }
  ~PostgresqlCursor() override { clear_result(); }

  void bind_int64(int index, int64_t value) override { set(index, std::to_string(value), k_int8); }
  void bind_double(int index, double value) override {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    set(index, std::string(buffer, ec == std::errc{} ? end : buffer), k_float8);
  }
  void bind_text(int index, std::string_view value) override { set(index, postgresql_text(value), k_text); }
  void bind_null(int index) override { set(index, std::nullopt, 0); }

  bool step() override {
    if (!result_) execute();
    if (row_ + 1 >= rows_) {
      row_ = rows_;
      return false;
    }
    ++row_;
    return true;
  }

  void reset() override {
    clear_result();
    for (auto& v : values_) v.reset();
    types_.assign(types_.size(), 0);
  }

  bool is_null(int column) const override { return PQgetisnull(result_, row_, column) == 1; }
  int64_t int64(int column) const override {
    if (is_null(column)) return 0;
    const char* p = PQgetvalue(result_, row_, column);
    const int length = PQgetlength(result_, row_, column);
    if (length == 1 && (*p == 't' || *p == 'f')) return *p == 't' ? 1 : 0;  // boolean
    int64_t value = 0;
    auto [end, ec] = std::from_chars(p, p + length, value);
    if (ec == std::errc{} && end == p + length) return value;
    return static_cast<int64_t>(std::strtod(p, nullptr));  // numeric (SUM, AVG): SQLite's truncation
  }
  double real(int column) const override {
    if (is_null(column)) return 0;
    return std::strtod(PQgetvalue(result_, row_, column), nullptr);
  }
  std::string text(int column) const override {
    if (is_null(column)) return {};
    return std::string(PQgetvalue(result_, row_, column), static_cast<std::size_t>(PQgetlength(result_, row_, column)));
  }

 private:
  void set(int index, std::optional<std::string> value, Oid type) {
    if (index < 1 || index > sql_.parameters)
      throw UserError(connection_.path() + ": bind: parameter " + std::to_string(index) + " of " +
                      std::to_string(sql_.parameters));
    values_[static_cast<std::size_t>(index - 1)] = std::move(value);
    types_[static_cast<std::size_t>(index - 1)] = type;
  }

  void execute() {
    std::vector<const char*> values(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) values[i] = values_[i] ? values_[i]->c_str() : nullptr;
    PGresult* result = connection_.execute(sql_.text, sql_.parameters, types_.data(), values.data());
    connection_.check(result, "statement failed");
    result_ = result;
    rows_ = PQntuples(result);
    row_ = -1;
    const char* changed = PQcmdTuples(result);
    connection_.set_changes(changed && *changed ? std::atoi(changed) : 0);
  }

  void clear_result() {
    if (result_) PQclear(result_);
    result_ = nullptr;
    rows_ = 0;
    row_ = -1;
  }

  PostgresqlConnection& connection_;
  PostgresqlSql sql_;
  std::vector<std::optional<std::string>> values_;
  std::vector<Oid> types_;
  PGresult* result_ = nullptr;
  int rows_ = 0;
  int row_ = -1;
};

}  // namespace

bool PostgresqlError::transient_state(std::string_view sqlstate) noexcept {
  if (sqlstate.size() != 5) return false;
  const std::string_view klass = sqlstate.substr(0, 2);
  return klass == "08"                      // connection exception
         || klass == "53"                   // insufficient resources (disk full, too many connections)
         || klass == "57"                   // operator intervention (shutdown, crash, cannot connect now)
         || sqlstate == "40001"             // serialization failure
         || sqlstate == "40P01"             // deadlock detected
         || sqlstate == "55P03"             // lock not available (lock_timeout)
         || sqlstate == "57014"             // statement_timeout (class 57, named for clarity)
         || sqlstate == "25006";            // read-only transaction (a standby, during failover)
}

bool is_postgresql_url(std::string_view text) {
  return text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0;
}

std::string postgresql_url_password(const std::string& url) {
  const auto spans = config::url_password_spans(url);
  return spans.empty() ? std::string() : url.substr(spans.front().first, spans.front().second);
}

std::string without_password(std::string text, const std::string& password) {
  if (password.empty()) return text;
  for (auto p = text.find(password); p != std::string::npos; p = text.find(password, p + 1))
    text.replace(p, password.size(), "…");
  return text;
}

std::string describe_postgresql_url(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (!options) {
    if (error) PQfreemem(error);
    return is_postgresql_url(url) ? "postgresql://(unreadable URL)" : "(unreadable PostgreSQL connection string)";
  }
  std::string user, host, port, dbname;
  for (auto* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    const std::string_view key = o->keyword;
    if (key == "user") user = o->val;
    else if (key == "host" || (key == "hostaddr" && host.empty())) host = o->val;
    else if (key == "port") port = o->val;
    else if (key == "dbname") dbname = o->val;
  }
  PQconninfoFree(options);
  std::string out = "postgresql://";
  if (!user.empty()) out += user + "@";
  out += host.empty() ? "localhost" : host;
  if (!port.empty()) out += ":" + port;
  out += "/" + dbname;
  // A password libpq read as something else (an unencoded '/' in it makes part of it the host)
  // is still taken out.
  return without_password(out, postgresql_url_password(url));
}

PostgresqlConnection::PostgresqlConnection(const std::string& url, int connect_timeout_s, bool read_only)
    : url_(url), password_(postgresql_url_password(url)), description_(describe_postgresql_url(url)),
      connect_timeout_s_(connect_timeout_s), read_only_(read_only) {
  connect();
}

PostgresqlConnection::~PostgresqlConnection() {
  if (conn_) PQfinish(conn_);
}

void PostgresqlConnection::connect() {
  if (conn_) PQfinish(conn_);
  prepared_.clear();  // a session's prepared statements end with it
  const std::string timeout = std::to_string(connect_timeout_s_);
  // TCP keepalives and a user timeout: a server that vanished (a half-open connection) is noticed
  // in about 30 s, not after the kernel's 15 minutes of retries. The URL's own settings win.
  const char* keywords[] = {"connect_timeout", "application_name", "client_encoding", "keepalives", "keepalives_idle",
                            "keepalives_interval", "keepalives_count", "tcp_user_timeout", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "sonoria", "UTF8", "1", "10", "5", "3", "30000", url_.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords, values, 1);
  if (!conn_) throw PostgresqlError(description_ + ": cannot connect: out of memory", "53200", true);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = without_password(trimmed(PQerrorMessage(conn_)), password_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw PostgresqlError(description_ + ": cannot connect to PostgreSQL: " + message, "08001", true);
  }
  PQsetNoticeProcessor(conn_, discard_notice, nullptr);
  // Waiting for the writers' lock is bounded, as SQLite's busy_timeout bounds it: the error is
  // transient (55P03) and the writer tries again later. Session settings:
  // set again on every connection, as is a read-only connection's.
  std::string session = "SET lock_timeout = '10s'";
  if (read_only_) session += "; SET default_transaction_read_only = on";
  PGresult* result = PQexec(conn_, session.c_str());
  try {
    check(result, "cannot configure the session");
  } catch (...) {
    PQfinish(conn_);
    conn_ = nullptr;
    throw;
  }
  PQclear(result);
}

PGresult* PostgresqlConnection::execute(const std::string& sql, int count, const Oid* types, const char* const* values) {
  PGconn* conn = live();
  std::string key = sql;
  key += '\x1f';
  for (int i = 0; i < count; ++i) key += std::to_string(types[i]) + ",";
  auto found = prepared_.find(key);
  // Statements with many values (a copy's rows, 500 at a time) vary with every NULL among them:
  // prepared, each would hold server memory for one use.
  if (found == prepared_.end() && prepared_.size() < k_prepared_limit && count <= k_prepared_max_values) {
    std::string name = "sonoria_" + std::to_string(prepared_.size() + 1);
    PGresult* prepared = PQprepare(conn, name.c_str(), sql.c_str(), count, types);
    check(prepared, "cannot prepare statement");  // frees it when it failed
    PQclear(prepared);
    found = prepared_.emplace(std::move(key), std::move(name)).first;
  }
  if (found == prepared_.end()) return PQexecParams(conn, sql.c_str(), count, types, values, nullptr, nullptr, 0);
  return PQexecPrepared(conn, found->second.c_str(), count, values, nullptr, nullptr, 0);
}

pg_conn* PostgresqlConnection::live() {
  if (conn_ && PQstatus(conn_) == CONNECTION_OK) return conn_;
  if (in_transaction_)
    throw PostgresqlError(description_ + ": the connection to PostgreSQL was lost during a transaction", "08006", true);
  connect();
  return conn_;
}

void PostgresqlConnection::check(pg_result* result, std::string_view what) {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  std::string message = result ? trimmed(PQresultErrorMessage(result)) : "";
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  if (result) PQclear(result);
  const bool lost = conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK;
  if (lost && sqlstate.empty()) sqlstate = "08006";
  if (message.rfind("ERROR: ", 0) == 0) message = message.substr(7);
  message = without_password(message, password_);
  throw PostgresqlError(description_ + ": " + std::string(what) + ": " + message, sqlstate,
                        lost || PostgresqlError::transient_state(sqlstate));
}

void PostgresqlConnection::exec(std::string_view sql) {
  const std::string text(sql);
  PGresult* result = PQexec(live(), text.c_str());
  check(result, "statement failed");
  const char* changed = PQcmdTuples(result);
  changes_ = changed && *changed ? std::atoi(changed) : 0;
  PQclear(result);
}

std::unique_ptr<Cursor> PostgresqlConnection::prepare(std::string_view sql) {
  return std::make_unique<PostgresqlCursor>(*this, sql);
}

void PostgresqlConnection::begin_exclusive() {
  live();
  in_transaction_ = true;
  try {
    exec("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(k_writer_lock) + ")");
  } catch (...) {
    rollback();
    throw;
  }
}

void PostgresqlConnection::begin_snapshot() {
  live();
  in_transaction_ = true;
  try {
    exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  } catch (...) {
    rollback();
    throw;
  }
}

void PostgresqlConnection::commit() {
  // Not live(): a connection lost before COMMIT lost the transaction with it, and a new one would
  // answer COMMIT with a warning, as if it had worked.
  in_transaction_ = false;  // whatever COMMIT says, the transaction is over
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK)
    throw PostgresqlError(description_ + ": the connection to PostgreSQL was lost before the transaction committed",
                          "08006", true);
  PGresult* result = PQexec(conn_, "COMMIT");
  check(result, "commit failed");
  // A transaction in which a statement failed is rolled back by COMMIT, without an error.
  const bool rolled_back = std::string_view(PQcmdStatus(result)) == "ROLLBACK";
  PQclear(result);
  if (rolled_back)
    throw PostgresqlError(description_ + ": the transaction was rolled back (a statement in it had failed)", "25P02",
                          false);
}

void PostgresqlConnection::rollback() noexcept {
  in_transaction_ = false;
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) return;
  PGresult* result = PQexec(conn_, "ROLLBACK");
  if (result) PQclear(result);
}

}  // namespace sonoria::db
