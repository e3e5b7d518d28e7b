#include <doctest/doctest.h>

#include <fstream>

#include "core/db/migrations.hpp"
#include "core/db/sqlite.hpp"
#include "core/db/retention.hpp"
#include "core/db/sql_stores.hpp"
#include "tests/support/seed_calls.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_databases.hpp"

using namespace sonoria;

namespace {

int64_t count(db::Connection& c, const std::string& table) {
  db::Statement s(c, "SELECT COUNT(*) FROM " + table);
  s.step();
  return s.int64(0);
}

}  // namespace

TEST_CASE_TEMPLATE("cleanup dry-run counts, then deletes in bounded batches and spares open and recent calls", Db, SONORIA_TEST_DATABASES) {
  Db database;
  auto connection = database.open();
  auto& c = *connection;
  const auto& dir = database.dir;
  db::migrate(c);
  db::SqlCallStore store(c);
  auto seeded = test::seed_calls(store);
  // Cut between call 199 and 200 (starts 37 min apart; each lasts at most a minute).
  auto cutoff = seeded[200].started_at - std::chrono::minutes(1);
  int64_t old_finished = 0;
  for (int i = 0; i < 200; ++i) old_finished += seeded[static_cast<size_t>(i)].ended;
  int64_t old_tools = 0;
  for (int i = 0; i < 200; ++i)
    if (seeded[static_cast<size_t>(i)].ended) old_tools += static_cast<int64_t>(seeded[static_cast<size_t>(i)].tools.size());

  auto dry = db::apply_retention(c, cutoff, true, dir / "recordings", 7);
  CHECK(dry.calls == old_finished);
  CHECK(dry.calls == 180);
  CHECK(dry.transcript_entries == 180 * 4);
  CHECK(dry.events == old_tools);
  CHECK(dry.messages == 180);
  CHECK(dry.transactions == 0);
  CHECK(count(c, "transcript_entries") == 1200);

  auto done = db::apply_retention(c, cutoff, false, dir / "recordings", 7);
  CHECK(done.transcript_entries == 720);
  CHECK(done.events == old_tools);
  CHECK(done.messages == 180);
  // 720 / 7 → 103 batches (the last one short), and likewise for events and messages.
  CHECK(done.transactions == 103 + (old_tools / 7 + 1) + (180 / 7 + 1));
  CHECK(count(c, "transcript_entries") == 1200 - 720);
  CHECK(count(c, "calls") == 300);  // call rows stay for analytics
  // Calls still in progress before the cutoff keep everything.
  db::Statement open_turns(c,
                           "SELECT COUNT(*) FROM transcript_entries t JOIN calls c ON c.id = t.call_id "
                           "WHERE c.status = 'in-progress'");
  open_turns.step();
  CHECK(open_turns.int64(0) == 30 * 4);
  auto again = db::apply_retention(c, cutoff, true, dir / "recordings");
  CHECK(again.calls == 0);
  CHECK(again.transcript_entries == 0);
}

TEST_CASE_TEMPLATE("cleanup deletes the recordings of old calls, file first, and keeps what it cannot delete", Db, SONORIA_TEST_DATABASES) {
  Db database;
  auto connection = database.open();
  auto& c = *connection;
  const auto& dir = database.dir;
  db::migrate(c);
  db::SqlCallStore store(c);
  auto seeded = test::seed_calls(store);
  auto cutoff = seeded[200].started_at - std::chrono::minutes(1);
  const auto recordings = dir / "recordings";
  auto record = [&](std::size_t i, const std::string& relative, bool with_file) {
    store.write_batch({db::CallRecorded{seeded[i].sid, relative, 1000}});
    if (!with_file) return;
    std::filesystem::create_directories((recordings / relative).parent_path());
    std::ofstream(recordings / relative) << "RIFF";
  };
  REQUIRE(seeded[1].ended);
  REQUIRE(seeded[2].ended);
  REQUIRE(seeded[3].ended);
  REQUIRE(seeded[250].ended);
  record(1, "lotus-yoga/2026-05-20/" + seeded[1].sid + ".wav", true);
  record(2, "lotus-yoga/2026-05-20/" + seeded[2].sid + ".wav", false);  // its file already gone
  record(3, "../outside.wav", false);                                     // never followed
  record(250, "lotus-yoga/2026-06-01/" + seeded[250].sid + ".wav", true);  // recent: kept

  CHECK(db::apply_retention(c, cutoff, true, recordings).recordings == 3);
  CHECK(std::filesystem::exists(recordings / ("lotus-yoga/2026-05-20/" + seeded[1].sid + ".wav")));

  auto done = db::apply_retention(c, cutoff, false, recordings, 2);
  CHECK(done.recordings == 2);
  CHECK(done.recording_failures == 1);
  CHECK(done.first_failure.find("not under the recordings directory") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(recordings / "lotus-yoga/2026-05-20"));  // the emptied day's folder too
  CHECK(std::filesystem::exists(recordings / ("lotus-yoga/2026-06-01/" + seeded[250].sid + ".wav")));
  db::Statement left(c, "SELECT call_sid FROM calls WHERE recording IS NOT NULL ORDER BY id");
  std::vector<std::string> kept;
  while (left.step()) kept.push_back(left.text(0));
  CHECK(kept == std::vector<std::string>{seeded[3].sid, seeded[250].sid});
}
