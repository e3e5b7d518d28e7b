#include <doctest/doctest.h>

#include "core/db/migrations.hpp"
#include "core/db/retention.hpp"
#include "core/db/sqlite_stores.hpp"
#include "tests/support/seed_calls.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;

namespace {

int64_t count(db::Connection& c, const std::string& table) {
  db::Statement s(c, "SELECT COUNT(*) FROM " + table);
  s.step();
  return s.int64(0);
}

}  // namespace

TEST_CASE("cleanup dry-run counts, then deletes in bounded batches and spares open and recent calls") {
  test::TempDir dir;
  db::Connection c((dir / "r.db").string());
  db::migrate(c);
  db::SqliteCallStore store(c);
  auto seeded = test::seed_calls(store);
  // Cut between call 199 and 200 (starts 37 min apart; each lasts at most a minute).
  auto cutoff = seeded[200].started_at - std::chrono::minutes(1);
  int64_t old_finished = 0;
  for (int i = 0; i < 200; ++i) old_finished += seeded[static_cast<size_t>(i)].ended;
  int64_t old_tools = 0;
  for (int i = 0; i < 200; ++i)
    if (seeded[static_cast<size_t>(i)].ended) old_tools += static_cast<int64_t>(seeded[static_cast<size_t>(i)].tools.size());

  auto dry = db::apply_retention(c, cutoff, true, 7);
  CHECK(dry.calls == old_finished);
  CHECK(dry.calls == 180);
  CHECK(dry.transcript_entries == 180 * 4);
  CHECK(dry.events == old_tools);
  CHECK(dry.messages == 180);
  CHECK(dry.transactions == 0);
  CHECK(count(c, "transcript_entries") == 1200);

  auto done = db::apply_retention(c, cutoff, false, 7);
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
  auto again = db::apply_retention(c, cutoff, true);
  CHECK(again.calls == 0);
  CHECK(again.transcript_entries == 0);
}
