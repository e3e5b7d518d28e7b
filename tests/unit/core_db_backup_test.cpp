#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/db/backup.hpp"
#include "core/db/sqlite.hpp"
#include "core/db/migrations.hpp"
#include "core/db/sql_stores.hpp"
#include "core/error.hpp"
#include "tests/support/seed_calls.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;

TEST_CASE("a backup taken while calls are being written opens and passes integrity_check") {
  test::TempDir dir;
  std::string path = (dir / "live.db").string();
  {
    db::SqliteConnection c(path);
    db::migrate(c);
    db::SqlCallStore store(c);
    test::seed_calls(store);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    db::SqliteConnection c(path);
    db::SqlCallStore store(c);
    for (int round = 0; !stop && round < 200; ++round) {
      test::SeedOptions o;
      o.calls = 10;
      o.first = 1000 + round * 10;
      o.batch = 1;
      test::seed_calls(store, o);
      written += 10;
    }
  });
  std::vector<int64_t> copied;
  for (int i = 0; i < 5; ++i) {
    db::SqliteConnection source(path);
    auto target = (dir / ("copy" + std::to_string(i) + ".db")).string();
    auto result = db::backup_database(source, target);
    CHECK(result.integrity == "ok");
    CHECK(result.pages > 0);
    CHECK(db::integrity_check(target) == "ok");
    db::OpenOptions ro;
    ro.read_only = true;
    db::SqliteConnection copy(target, ro);
    CHECK(db::schema_version(copy) == db::latest_schema_version());
    // A consistent snapshot: every finished call in the copy has all of its four turns.
    db::Statement torn(copy,
                       "SELECT COUNT(*) FROM calls c WHERE c.ended_at IS NOT NULL AND "
                       "(SELECT COUNT(*) FROM transcript_entries t WHERE t.call_id = c.id) <> 4");
    torn.step();
    CHECK(torn.int64(0) == 0);
    db::Statement n(copy, "SELECT COUNT(*) FROM calls");
    n.step();
    copied.push_back(n.int64(0));
  }
  stop = true;
  writer.join();
  CHECK(copied.front() >= 300);
  CHECK(std::is_sorted(copied.begin(), copied.end()));
  CHECK_FALSE(std::filesystem::exists(dir / "copy0.db-wal"));
}

TEST_CASE("a backup to a path that cannot be created fails naming the path and leaves nothing") {
  test::TempDir dir;
  db::SqliteConnection c((dir / "live.db").string());
  db::migrate(c);
  // A path under a plain file can never be created.
  auto file = dir.write("plain", "x");
  auto bad = (file / "copy.db").string();
  CHECK_THROWS_WITH_AS(db::backup_database(c, bad), doctest::Contains("plain: cannot create"), sonoria::UserError);
  CHECK_FALSE(std::filesystem::exists(bad));
}
