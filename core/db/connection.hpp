#pragma once
// The one way code in core/db talks to a database, whichever it is: a Connection (SQLite's, in
// core/db/sqlite.hpp, or PostgreSQL's, in core/db/postgresql.hpp), Statements prepared on it and
// Transactions that roll back unless committed. The stores are written once against this, in
// the SQL both databases share; the few places where the two differ ask `dialect()`.
//
// SQL is written with SQLite's placeholders: `?` (the next number) or `?N`; PostgreSQL's
// connection turns them into `$N`. Values are bound with their C++ type (int64, double, text,
// NULL), and PostgreSQL is told that type, so a comparison never depends on a guess.
//
// Nothing outside core/db uses these: what the rest of sonoria needs from a database is in the
// store interfaces (core/db/stores.hpp and beside it) and the functions of core/db's headers.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sonoria::db {

enum class Dialect { sqlite, postgresql };

// A failure the database reported. `transient()`: the environment's fault, not the statement's
// (busy or locked, the disk full, the server gone or restarting): the same write may work later.
class DatabaseError : public UserError {
 public:
  DatabaseError(const std::string& message, bool transient) : UserError(message), transient_(transient) {}
  bool transient() const noexcept { return transient_; }

 private:
  bool transient_;
};

// One prepared statement of a backend (Statement is its face).
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual void bind_int64(int index, int64_t value) = 0;
  virtual void bind_double(int index, double value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_null(int index) = 0;
  virtual bool step() = 0;
  virtual void reset() = 0;
  virtual bool is_null(int column) const = 0;
  virtual int64_t int64(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::string text(int column) const = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual Dialect dialect() const = 0;
  // One or more statements, no results.
  virtual void exec(std::string_view sql) = 0;
  // Rows changed by the last statement run.
  virtual int changes() const = 0;
  // What messages name: the file, or the server and database (never a password).
  virtual const std::string& path() const = 0;
  virtual std::unique_ptr<Cursor> prepare(std::string_view sql) = 0;

  // A write transaction that excludes every other writer until it ends, as SQLite's BEGIN
  // IMMEDIATE does: what a transaction reads stays true until it commits (the appointment book,
  // finished calls' numbering, "is this number taken").
  virtual void begin_exclusive() = 0;
  // A read-only transaction in which every statement sees one snapshot of the database.
  virtual void begin_snapshot() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
};

class Statement {
 public:
  Statement(Connection& connection, std::string_view sql) : cursor_(connection.prepare(sql)) {}

  // Binding is 1-based, as in SQLite. An empty optional binds NULL.
  Statement& bind(int index, int64_t value) { cursor_->bind_int64(index, value); return *this; }
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value) { cursor_->bind_double(index, value); return *this; }
  Statement& bind(int index, std::string_view value) { cursor_->bind_text(index, value); return *this; }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind_null(int index) { cursor_->bind_null(index); return *this; }
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  bool step() { return cursor_->step(); }  // true while a row is available
  void run() {                             // steps to completion
    while (step()) {
    }
  }
  void reset() { cursor_->reset(); }       // reuse with new bindings

  bool is_null(int column) const { return cursor_->is_null(column); }
  int64_t int64(int column) const { return cursor_->int64(column); }
  double real(int column) const { return cursor_->real(column); }
  std::string text(int column) const { return cursor_->text(column); }
  std::optional<std::string> optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
  }
  std::optional<int64_t> optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
  }

 private:
  std::unique_ptr<Cursor> cursor_;
};

// Connection::begin_exclusive on construction; rollback on destruction unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& connection) : connection_(connection) { connection_.begin_exclusive(); }
  ~Transaction() {
    if (!done_) connection_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    connection_.commit();
    done_ = true;
  }

 private:
  Connection& connection_;
  bool done_ = false;
};

// Connection::begin_snapshot on construction; ended on destruction (nothing to commit).
class ReadTransaction {
 public:
  explicit ReadTransaction(Connection& connection) : connection_(connection) { connection_.begin_snapshot(); }
  ~ReadTransaction() { connection_.rollback(); }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Connection& connection_;
};

// Runs `INSERT … RETURNING id` and gives the new row's id (both databases have RETURNING).
inline int64_t insert_returning_id(Statement& insert) {
  if (!insert.step()) throw UserError("INSERT … RETURNING gave no row");
  const int64_t id = insert.int64(0);
  insert.run();
  return id;
}

}  // namespace sonoria::db
