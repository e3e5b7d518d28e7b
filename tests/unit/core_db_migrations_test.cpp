#include <doctest/doctest.h>
#include <fstream>

#include "core/db/migrations.hpp"
#include "core/db/sqlite.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::db;

TEST_CASE("a new database migrates to the latest schema, each migration recorded") {
  test::TempDir dir;
  SqliteConnection c((dir / "nested/dir/sonoria.db").string());
  CHECK(schema_version(c) == 0);
  auto status = migration_status(c);
  REQUIRE(status.size() == migrations().size());
  CHECK_FALSE(status[0].applied_at);
  auto applied = migrate(c);
  CHECK(applied.size() == migrations().size());
  CHECK(schema_version(c) == latest_schema_version());
  CHECK(migration_status(c)[0].applied_at);
  CHECK(migrate(c).empty());  // idempotent
  CHECK_NOTHROW(require_current_schema(c));
}

TEST_CASE("the database runs in WAL mode with foreign keys on") {
  test::TempDir dir;
  SqliteConnection c((dir / "s.db").string());
  Statement mode(c, "PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.text(0) == "wal");
  Statement fk(c, "PRAGMA foreign_keys");
  REQUIRE(fk.step());
  CHECK(fk.int64(0) == 1);
}

TEST_CASE("pending migrations are named with the command to run") {
  test::TempDir dir;
  SqliteConnection c((dir / "s.db").string());
  CHECK(test::error_of([&] { require_current_schema(c); }).find("run `sonoria migrate` first") != std::string::npos);
}

TEST_CASE("a database written by a newer sonoria is refused and left untouched") {
  test::TempDir dir;
  auto path = (dir / "s.db").string();
  {
    SqliteConnection c(path);
    migrate(c);
    c.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 'x')");
  }
  auto before = test::read_file(path);
  SqliteConnection c(path);
  auto message = test::error_of([&] { migrate(c); });
  CHECK(message.find("written by a newer sonoria (schema version 999") != std::string::npos);
  CHECK(message.find("nothing was changed") != std::string::npos);
  CHECK(test::error_of([&] { migration_status(c); }).find("newer sonoria") != std::string::npos);
  Statement count(c, "SELECT COUNT(*) FROM schema_migrations");
  count.step();
  CHECK(count.int64(0) == static_cast<int64_t>(migrations().size()) + 1);
}

TEST_CASE("a file that is not a database is reported as such") {
  test::TempDir dir;
  auto path = dir.write("notes.db", std::string(4096, 'x'));
  auto message = test::error_of([&] { SqliteConnection c(path.string()); });
  CHECK(message.find("notes.db") != std::string::npos);
  CHECK(message.find("not a database") != std::string::npos);
  CHECK(test::read_file(path) == std::string(4096, 'x'));
}

TEST_CASE("calls answered before engines were a choice are recorded as OpenAI's") {
  test::TempDir dir;
  SqliteConnection c((dir / "s.db").string());
  // A database at schema version 2, as the previous release left it.
  c.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  for (const auto& m : migrations()) {
    if (m.version > 2) break;
    c.exec(m.sql);
    c.exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", 'old', 'x')");
  }
  c.exec("INSERT INTO calls (call_sid, direction, from_number, to_number, status, started_at, answered_at, "
         "duration_ms, updated_at) VALUES ('CA1', 'inbound', '+1', '+2', 'completed', 't', 't', 61000, 't')");
  c.exec("INSERT INTO calls (call_sid, direction, from_number, to_number, status, started_at, updated_at) "
         "VALUES ('CA2', 'inbound', '+1', '+2', 'rejected', 't', 't')");
  migrate(c);
  Statement s(c, "SELECT call_sid, engines FROM calls ORDER BY call_sid");
  REQUIRE(s.step());
  CHECK(s.text(1) == "[{\"engine\":\"openai\",\"ms\":61000}]");
  REQUIRE(s.step());
  CHECK(s.text(1) == "[]");  // never answered: no engine served it
}

TEST_CASE("someone else's SQLite database is refused by migrate and by every command, and left untouched") {
  test::TempDir dir;
  auto path = (dir / "other.db").string();
  {
    SqliteConnection c(path);
    c.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
  }
  SqliteConnection c(path);
  const auto why = test::error_of([&] { migrate(c); });
  CHECK(why.find("not a sonoria database") != std::string::npos);
  CHECK(why.find("invoices") != std::string::npos);
  CHECK(test::error_of([&] { require_current_schema(c); }).find("not a sonoria database") != std::string::npos);
  Statement tables(c, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'");
  REQUIRE(tables.step());
  CHECK(tables.int64(0) == 1);
}

TEST_CASE("a damaged database file is found by the integrity check, with what to do") {
  test::TempDir dir;
  auto path = (dir / "s.db").string();
  {
    SqliteConnection c(path);
    migrate(c);
    CHECK_NOTHROW(check_integrity(c));
    c.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    c.exec("PRAGMA journal_mode = DELETE");
  }
  {
    // Scribble over the second and third pages (tables' b-trees), as a failing disk would.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    const std::string garbage(2 * 4096, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  const auto why = test::error_of([&] {
    SqliteConnection c(path);
    check_integrity(c);
  });
  CHECK(why.find(path) != std::string::npos);
  CHECK(why.find("damaged") != std::string::npos);
  CHECK(why.find("sonoria backup") != std::string::npos);
}
