#include "tests/support/test_databases.hpp"

#include "core/db/postgresql.hpp"
#include "core/db/sqlite.hpp"

namespace sonoria::test {

std::unique_ptr<db::Connection> SqliteDatabase::open() const {
  return std::make_unique<db::SqliteConnection>((dir / "test.db").string());
}

config::DatabaseSettings SqliteDatabase::settings() const {
  config::DatabaseSettings s;
  s.path = (dir / "test.db").string();
  return s;
}

std::unique_ptr<db::Connection> PostgresqlDatabase::open() const {
  return std::make_unique<db::PostgresqlConnection>(schema.url());
}

config::DatabaseSettings PostgresqlDatabase::settings() const {
  config::DatabaseSettings s;
  s.path = (dir / "local.db").string();
  s.url = schema.url();
  return s;
}

}  // namespace sonoria::test
