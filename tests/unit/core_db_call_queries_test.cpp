#include <doctest/doctest.h>

#include <set>

#include "core/db/call_queries.hpp"
#include "core/db/sqlite.hpp"
#include "core/db/migrations.hpp"
#include "core/db/sql_stores.hpp"
#include "tests/support/seed_calls.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_databases.hpp"

using namespace sonoria;

TEST_CASE_TEMPLATE("cursor paging walks every matching call exactly once, newest first", Db, SONORIA_TEST_DATABASES) {
  Db database;
  auto connection = database.open();
  auto& c = *connection;
  db::migrate(c);
  db::SqlCallStore store(c);
  auto seeded = test::seed_calls(store);
  db::SqlCallQueries q(c);
  for (int limit : {1, 7, 50, 1000}) {
    std::vector<std::string> walked;
    std::optional<db::ListCursor> cursor;
    int pages = 0;
    do {
      auto page = q.list({}, cursor, limit);
      for (const auto& row : page.calls) walked.push_back(row.call_sid);
      cursor = page.next;
      // The cursor survives the trip through text, as it does through the CLI and the API.
      if (cursor) cursor = db::decode_cursor(db::encode_cursor(*cursor));
      ++pages;
    } while (cursor && pages < 400);
    REQUIRE(walked.size() == 300);
    CHECK(std::set<std::string>(walked.begin(), walked.end()).size() == 300);
    CHECK(walked.front() == seeded.back().sid);
    CHECK(walked.back() == seeded.front().sid);
  }
  db::CallQuery failed;
  failed.status = "failed";
  auto page = q.list(failed, std::nullopt, 1000);
  CHECK(page.calls.size() == 30);
  CHECK_FALSE(page.next);
}

TEST_CASE("a malformed cursor is refused as a value") {
  CHECK_FALSE(db::decode_cursor(""));
  CHECK_FALSE(db::decode_cursor("2026-11-23T21:18:46.123Z"));
  CHECK_FALSE(db::decode_cursor("yesterday|3"));
  CHECK_FALSE(db::decode_cursor("2026-11-23T21:18:46.123Z|3x"));
  CHECK_FALSE(db::decode_cursor("2026-11-23T21:18:46.123Z|-3"));
  auto ok = db::decode_cursor("2026-11-23T21:18:46.123Z|42");
  REQUIRE(ok);
  CHECK(ok->id == 42);
}

TEST_CASE_TEMPLATE("calls are numbered in the order their end is committed, however they ended", Db, SONORIA_TEST_DATABASES) {
  Db database;
  auto connection = database.open();
  auto& c = *connection;
  db::migrate(c);
  db::SqlCallStore store(c);
  auto t0 = *db::parse_timestamp("2026-11-23T10:00:00.000Z");
  using namespace std::chrono_literals;
  store.write_batch({db::CallOpened{"CA1", std::nullopt, "inbound", "+15551112222", "+15550001000", "ringing", t0, {}, std::nullopt},
                     db::CallOpened{"CA2", std::nullopt, "inbound", "+15551112222", "+15550001000", "ringing", t0, {}, std::nullopt},
                     db::CallOpened{"CA3", std::nullopt, "inbound", "+15551112222", "+15550001000", "rejected", t0,
                                    "blocked", std::nullopt}});
  // CA2 ended earlier but its end is committed later: it still comes after CA1.
  db::CallFinished late;
  late.call_sid = "CA1";
  late.status = "completed";
  late.end_reason = "caller_hung_up";
  late.ended_at = t0 + 60s;
  store.write_batch({late});
  store.write_batch({db::CallStatusReport{"CA2", "no-answer", 1, std::nullopt, std::nullopt, t0 + 30s}});
  db::SqlCallQueries q(c);
  std::vector<std::string> order;
  q.for_each_finished({}, [&](const db::CallRow& r) {
    order.push_back(r.call_sid);
    return true;
  });
  CHECK(order == std::vector<std::string>{"CA3", "CA1", "CA2"});
  // Finishing again (a late record) does not renumber a call.
  store.write_batch({late});
  CHECK(q.find("CA1")->finished_seq == 2);
  // A call that came back to the assistant and ended again is numbered last, so exports see it.
  db::CallFinished again = late;
  again.ended_at = t0 + 120s;
  again.turns = 9;
  again.reopened = true;
  store.write_batch({again});
  auto row = q.find("CA1");
  CHECK(row->finished_seq == 4);
  CHECK(row->turns == 9);
}

TEST_CASE_TEMPLATE("calls are found by an engine that served them, also after a failover", Db, SONORIA_TEST_DATABASES) {
  Db database;
  auto connection = database.open();
  auto& c = *connection;
  db::migrate(c);
  db::SqlCallStore store(c);
  const auto t0 = *db::parse_timestamp("2026-11-23T10:00:00.000Z");
  auto call = [&](const std::string& sid, std::vector<db::EngineTime> engines) {
    store.write_batch({db::CallOpened{sid, std::nullopt, "inbound", "+15551112222", "+15550001000", "ringing", t0, {}, std::nullopt}});
    db::CallFinished done;
    done.call_sid = sid;
    done.status = "completed";
    done.ended_at = t0;
    done.engines = std::move(engines);
    store.write_batch({done});
  };
  call("CA1", {{"openai", 1000}});
  call("CA2", {{"openai", 1000}, {"deepgram", 5000}});
  call("CA3", {{"deepgram", 7000}});
  call("CA4", {});
  db::SqlCallQueries q(c);
  auto sids = [&](const std::string& engine) {
    db::CallQuery query;
    query.engine = engine;
    std::set<std::string> out;
    for (const auto& row : q.list(query, std::nullopt, 100).calls) out.insert(row.call_sid);
    return out;
  };
  CHECK(sids("deepgram") == std::set<std::string>{"CA2", "CA3"});
  CHECK(sids("openai") == std::set<std::string>{"CA1", "CA2"});
  CHECK(sids("ultravox").empty());
}
