#pragma once
// The two databases the stores are tested against. A test that holds for both is written once:
//
//   TEST_CASE_TEMPLATE("…", Db, SONORIA_TEST_DATABASES) {
//     Db db;                                  // a fresh, empty database of that kind
//     auto connection = db.open();            // as many connections as the test needs
//   }
//
// SQLite: a file in the test's temp directory. PostgreSQL: a schema of its own in the tests'
// throwaway cluster (tests/support/postgresql_cluster.hpp), dropped at the end.

#include <memory>
#include <string>

#include "core/config/settings.hpp"
#include "core/db/connection.hpp"
#include "tests/support/postgresql_cluster.hpp"
#include "tests/support/temp_dir.hpp"

namespace sonoria::test {

struct SqliteDatabase {
  static constexpr db::Dialect dialect = db::Dialect::sqlite;
  TempDir dir;
  std::unique_ptr<db::Connection> open() const;
  // For db::Database: the file.
  config::DatabaseSettings settings() const;
};

struct PostgresqlDatabase {
  static constexpr db::Dialect dialect = db::Dialect::postgresql;
  TempDir dir;  // this machine's own files (the write journal, recordings) beside database.path
  PostgresqlSchema schema;
  std::unique_ptr<db::Connection> open() const;
  // For db::Database: the schema's URL, and a path in the temp directory.
  config::DatabaseSettings settings() const;
};

}  // namespace sonoria::test

// doctest prints the type's name beside each test case's.
#define SONORIA_TEST_DATABASES ::sonoria::test::SqliteDatabase, ::sonoria::test::PostgresqlDatabase
