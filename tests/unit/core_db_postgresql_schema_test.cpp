#include <doctest/doctest.h>

#include <set>
#include <utility>

#include "core/db/migrations.hpp"
#include "core/db/postgresql.hpp"
#include "core/db/postgresql_schema.hpp"
#include "core/db/sqlite.hpp"
#include "tests/support/postgresql_cluster.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::db;

namespace {

using Columns = std::set<std::pair<std::string, std::string>>;

Columns columns(Connection& c, const std::string& sql) {
  Columns out;
  Statement s(c, sql);
  while (s.step()) out.emplace(s.text(0), s.text(1));
  return out;
}

}  // namespace

TEST_CASE("both databases end at the same schema version, with the same tables and columns") {
  CHECK(postgresql_migrations().back().version == latest_schema_version());
  CHECK(migrations_for(Dialect::sqlite).back().version == latest_schema_version());

  test::TempDir dir;
  SqliteConnection sqlite((dir / "s.db").string());
  migrate(sqlite);
  test::PostgresqlSchema schema;
  PostgresqlConnection postgresql(schema.url());
  migrate(postgresql);

  // SQLite's full-text index (kb_index and its shadow tables) is PostgreSQL's generated column
  // kb_passages.search: the one difference.
  auto in_sqlite = columns(sqlite,
                           "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
                           "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'kb_index%'");
  auto in_postgresql = columns(postgresql,
                               "SELECT table_name, column_name FROM information_schema.columns "
                               "WHERE table_schema = current_schema()");
  CHECK(in_postgresql.erase({"kb_passages", "search"}) == 1);
  CHECK(in_sqlite.size() > 150);
  Columns only_sqlite, only_postgresql;
  for (const auto& c : in_sqlite)
    if (!in_postgresql.count(c)) only_sqlite.insert(c);
  for (const auto& c : in_postgresql)
    if (!in_sqlite.count(c)) only_postgresql.insert(c);
  for (const auto& [table, column] : only_sqlite) MESSAGE("only in SQLite: " << table << "." << column);
  for (const auto& [table, column] : only_postgresql) MESSAGE("only in PostgreSQL: " << table << "." << column);
  CHECK(only_sqlite.empty());
  CHECK(only_postgresql.empty());
}
