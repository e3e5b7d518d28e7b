#include "core/db/sqlite.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <sqlite3.h>

#include "core/error.hpp"
#include "core/files/private_directory.hpp"

namespace sonoria::db {

namespace {

// What a person can do about the common failures, after SQLite's own words.
std::string hint_for(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return " (another process is writing to the database and held it longer than database.busy_timeout; try again)";
    case SQLITE_FULL: return " (the disk is full: free some space)";
    case SQLITE_READONLY: return " (the file or its directory is not writable by this user)";
    case SQLITE_IOERR: return " (the disk failed to read or write: check it, and free space)";
    case SQLITE_CANTOPEN: return " (the file or its directory cannot be opened: check the path and permissions)";
    default: return "";
  }
}

}  // namespace

bool SqliteError::transient_code(int code) noexcept {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
      return true;
    default:
      return false;
  }
}

SqliteConnection::SqliteConnection(const std::string& path, const OpenOptions& options) : path_(path) {
  int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create && !options.read_only) {
    flags |= SQLITE_OPEN_CREATE;
    auto dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty()) files::create_private_directories(dir, ec);
    if (ec) throw UserError(dir.string() + ": cannot create the database directory: " + ec.message());
    // A new database holds every call: its owner's alone. SQLite would create it 0644, and gives
    // its -wal and -shm files the database's mode.
    if (const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  }
  flags |= SQLITE_OPEN_NOMUTEX;  // one connection per thread, by design
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw UserError(path + ": cannot open the database: " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  // SQLite opens a write-protected file read-only without a word; every write would then fail.
  if (!options.read_only && sqlite3_db_readonly(db_, "main") == 1) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw DataError(path + ": the database file is read-only; the user running sonoria must be able to write it and "
                           "its directory (check the owner and permissions)");
  }
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  try {
    // A file that is not a database fails here, before anything is written.
    exec("PRAGMA foreign_keys = ON");
    if (!options.read_only) {
      exec("PRAGMA journal_mode = WAL");
      exec("PRAGMA synchronous = NORMAL");
    }
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

int64_t memory_in_use() { return sqlite3_memory_used(); }

void SqliteConnection::limit_cache(int kib) { exec("PRAGMA cache_size = -" + std::to_string(kib)); }

SqliteConnection::~SqliteConnection() {
  if (db_) sqlite3_close_v2(db_);
}

void SqliteConnection::fail(std::string_view what) const {
  int code = sqlite3_extended_errcode(db_);
  std::string message = path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_);
  if ((code & 0xff) == SQLITE_NOTADB || (code & 0xff) == SQLITE_CORRUPT) throw DataError(message);
  throw SqliteError(message + hint_for(code), code);
}

void SqliteConnection::exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    const int extended = sqlite3_extended_errcode(db_);
    const int code = extended & 0xff;
    std::string full = path_ + ": " + message;
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) throw DataError(full + " (is this a sonoria database?)");
    throw SqliteError(full + hint_for(extended), extended);
  }
}

int SqliteConnection::changes() const { return sqlite3_changes(db_); }

namespace {

class SqliteCursor : public Cursor {
 public:
  SqliteCursor(SqliteConnection& connection, std::string_view sql) : connection_(connection) {
    if (sqlite3_prepare_v2(connection.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
      connection.fail("cannot prepare statement");
  }
  ~SqliteCursor() override { sqlite3_finalize(stmt_); }

  void bind_int64(int index, int64_t value) override {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) connection_.fail("bind");
  }
  void bind_double(int index, double value) override {
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) connection_.fail("bind");
  }
  void bind_text(int index, std::string_view value) override {
    if (sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK)
      connection_.fail("bind");
  }
  void bind_null(int index) override {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) connection_.fail("bind");
  }

  bool step() override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    connection_.fail("statement failed");
  }

  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const override { return sqlite3_column_double(stmt_, column); }
  std::string text(int column) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
  }

 private:
  SqliteConnection& connection_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

std::unique_ptr<Cursor> SqliteConnection::prepare(std::string_view sql) {
  return std::make_unique<SqliteCursor>(*this, sql);
}

void SqliteConnection::rollback() noexcept {
  try {
    exec("ROLLBACK");
  } catch (...) {
    // The transaction may already be gone (SQLite rolls back on some errors itself).
  }
}

}  // namespace sonoria::db
