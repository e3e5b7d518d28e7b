#include <doctest/doctest.h>

#include <thread>

#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/db/sqlite.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/metrics.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::daemon;
using namespace std::chrono_literals;

namespace {

config::DatabaseSettings migrated(const test::TempDir& dir) {
  config::DatabaseSettings settings;
  settings.path = (dir / "sonoria.db").string();
  settings.busy_timeout = 100ms;  // each attempt against a locked database gives up quickly
  db::Database database(settings, db::SchemaCheck::none);
  database.migrate();
  return settings;
}

db::Record opened(const std::string& sid) {
  return db::CallOpened{sid, std::nullopt, "inbound", "+15551112222", "+15550001000", "ringing", db::now_ms(),
                        std::nullopt, std::nullopt};
}

// Another process's long write transaction, as `sqlite3 sonoria.db` with BEGIN IMMEDIATE would hold.
struct WriteLock {
  db::SqliteConnection connection;
  explicit WriteLock(const config::DatabaseSettings& settings) : connection(settings.path) {
    connection.exec("BEGIN IMMEDIATE");
  }
  void release() { connection.exec("ROLLBACK"); }
};

std::vector<std::string> stored_calls(const config::DatabaseSettings& settings) {
  db::SqliteConnection c(settings.path);
  db::Statement s(c, "SELECT call_sid FROM calls ORDER BY id");
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

}  // namespace

TEST_CASE("a database locked by another process loses nothing: the records wait and land in order, once, when it is free") {
  test::TempDir dir;
  const auto settings = migrated(dir);
  Metrics metrics;
  DbWriter writer(settings, DbWriter::Options{}, &metrics);
  WriteLock lock(settings);
  for (const char* sid : {"CA1", "CA2", "CA3"}) REQUIRE(writer.post(opened(sid)));
  REQUIRE(eventually([&] { return writer.health().failing; }));
  const auto failing = writer.health();
  CHECK(failing.error.find("locked") != std::string::npos);
  CHECK(failing.waiting == 3);
  CHECK(metrics.db_writes_failing == 1);
  REQUIRE(writer.post(opened("CA4")));  // still taken while failing

  lock.release();
  writer.flush();
  CHECK(stored_calls(settings) == std::vector<std::string>{"CA1", "CA2", "CA3", "CA4"});
  REQUIRE(eventually([&] { return !writer.health().failing; }));  // readiness follows the state now
  CHECK(writer.health().waiting == 0);
  CHECK(metrics.db_writes_failing == 0);
}

TEST_CASE("beyond the memory bound, waiting records go to the journal; at stop they stay there and the next writer lands them first") {
  test::TempDir dir;
  const auto settings = migrated(dir);
  DbWriter::Options options;
  options.spill_after = 2;
  const db::RecordJournal journal(db::journal_path_for(settings.path));
  {
    DbWriter writer(settings, options);
    WriteLock lock(settings);
    for (int i = 1; i <= 5; ++i) REQUIRE(writer.post(opened("CA" + std::to_string(i))));
    REQUIRE(eventually([&] { return writer.health().journaled == 5; }));
    REQUIRE(writer.post(opened("CA6")));
    writer.flush_and_stop();  // still locked: CA6 joins the journal too
    CHECK(journal.read().records.size() == 6);
    lock.release();
  }
  CHECK(stored_calls(settings).empty());

  DbWriter next(settings, options);
  REQUIRE(next.post(opened("CA7")));
  next.flush();
  CHECK(stored_calls(settings) == std::vector<std::string>{"CA1", "CA2", "CA3", "CA4", "CA5", "CA6", "CA7"});
  CHECK_FALSE(journal.exists());
}

TEST_CASE("a record the database refuses for itself is dropped and counted; the others in its batch are kept") {
  test::TempDir dir;
  const auto settings = migrated(dir);
  Metrics metrics;
  DbWriter writer(settings, DbWriter::Options{}, &metrics);
  db::CallOpened orphan = std::get<db::CallOpened>(opened("CA2"));
  orphan.organization_id = 999;  // no such organization: a foreign key the database enforces
  REQUIRE(writer.post(opened("CA1")));
  REQUIRE(writer.post(orphan));
  REQUIRE(writer.post(opened("CA3")));
  writer.flush();
  CHECK(stored_calls(settings) == std::vector<std::string>{"CA1", "CA3"});
  CHECK(metrics.db_records_refused == 1);
  CHECK_FALSE(writer.health().failing);
}
