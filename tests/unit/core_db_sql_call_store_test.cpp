#include <doctest/doctest.h>

#include "core/db/migrations.hpp"
#include "core/db/sql_stores.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_databases.hpp"

using namespace sonoria;
using namespace sonoria::db;
using namespace std::chrono_literals;

namespace {

template <class Db>
struct Fixture {
  Db db;
  std::unique_ptr<Connection> owned = db.open();
  Connection& c = *owned;
  test::TempDir& dir = db.dir;
  SqlCallStore store{c};
  TimePoint t0 = *parse_timestamp("2026-11-23T10:00:00.000Z");
  Fixture() { migrate(c); }

  void open_call(const std::string& sid) {
    store.write_batch({CallOpened{sid, std::nullopt, "inbound", "+15551112222", "+15550001000", "ringing", t0, {}, std::nullopt}});
  }
};

}  // namespace

TEST_CASE_TEMPLATE("a call is recorded from webhook to the end with its counters", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  f.open_call("CA1");
  f.store.write_batch({CallAnswered{"CA1", "MZ1", f.t0 + 2s}});
  CallFinished done;
  done.call_sid = "CA1";
  done.status = "completed";
  done.end_reason = "caller_hangup";
  done.ended_at = f.t0 + 62s;
  done.duration_ms = 60000;
  done.turns = 4;
  done.interruptions = 1;
  done.usage.input_tokens = 120;
  done.greeting_latency_ms = 310;
  done.turn_latencies_ms = {640, 710};
  f.store.write_batch({done});
  auto row = f.store.find_call("CA1");
  REQUIRE(row);
  CHECK(row->status == "completed");
  CHECK(row->stream_sid == "MZ1");
  CHECK(row->answered_at == "2026-11-23T10:00:02.000Z");
  CHECK(row->ended_at == "2026-11-23T10:01:02.000Z");
  CHECK(row->duration_ms == 60000);
  CHECK(row->interruptions == 1);
  CHECK(row->usage.input_tokens == 120);
  CHECK(row->turn_latencies_ms == "[640,710]");
  CHECK(row->engines.empty());
}

TEST_CASE_TEMPLATE("the engines that served a call are stored in order with their time", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  f.open_call("CA1");
  f.store.write_batch({CallAnswered{"CA1", "MZ1", f.t0 + 2s}});
  CallFinished done;
  done.call_sid = "CA1";
  done.status = "completed";
  done.ended_at = f.t0 + 62s;
  done.engines = {{"openai", 12000}, {"deepgram", 48000}};
  f.store.write_batch({done});
  CHECK(f.store.find_call("CA1")->engines == std::vector<EngineTime>{{"openai", 12000}, {"deepgram", 48000}});
}

TEST_CASE_TEMPLATE("a repeated webhook for the same call keeps the first record", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  f.open_call("CA1");
  f.store.write_batch({CallOpened{"CA1", std::nullopt, "inbound", "+15559999999", "+15550001000", "ringing", f.t0, {}, std::nullopt}});
  CHECK(f.store.find_call("CA1")->from_number == "+15551112222");
}

TEST_CASE_TEMPLATE("status callbacks out of order never regress a terminal status", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  f.open_call("CA1");
  f.store.write_batch({CallStatusReport{"CA1", "completed", 3, 61, std::nullopt, f.t0 + 61s}});
  f.store.write_batch({CallStatusReport{"CA1", "in-progress", 2, std::nullopt, std::nullopt, f.t0 + 1s}});
  f.store.write_batch({CallStatusReport{"CA1", "ringing", 1, std::nullopt, std::nullopt, f.t0}});
  auto row = f.store.find_call("CA1");
  CHECK(row->twilio_status == "completed");
  CHECK(row->twilio_duration_s == 61);
  // The call never streamed, so the terminal callback closes it.
  CHECK(row->status == "completed");
  // Applying the same callback twice changes nothing.
  f.store.write_batch({CallStatusReport{"CA1", "completed", 3, 61, std::nullopt, f.t0 + 61s}});
  CHECK(f.store.find_call("CA1")->twilio_status == "completed");
}

TEST_CASE_TEMPLATE("transcript entries come back in conversation order and a re-sent entry replaces the earlier", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  f.open_call("CA1");
  f.store.write_batch({
      TranscriptEntry{"CA1", 2, 4000, "assistant", "We open at nine.", std::nullopt, false, "item_3", std::nullopt},
      TranscriptEntry{"CA1", 1, 2500, "caller", "When do you open?", std::nullopt, false, "item_2", "identify"},
      TranscriptEntry{"CA1", 0, 100, "assistant", "Thanks for calling.", std::nullopt, false, "item_1", std::nullopt},
  });
  f.store.write_batch({TranscriptEntry{"CA1", 2, 4000, "assistant", "We open", "We open at nine.", true, "item_3", std::nullopt}});
  auto t = f.store.transcript("CA1");
  REQUIRE(t.size() == 3);
  CHECK(t[0].text == "Thanks for calling.");
  CHECK(t[1].speaker == "caller");
  CHECK(t[1].stage == "identify");
  CHECK_FALSE(t[0].stage);
  CHECK(t[2].text == "We open");
  CHECK(t[2].generated_text == "We open at nine.");
  CHECK(t[2].interrupted);
}

TEST_CASE_TEMPLATE("records about an unknown call are skipped, not fatal for the batch", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  f.open_call("CA1");
  f.store.write_batch({
      TranscriptEntry{"CA_unknown", 0, 0, "caller", "lost", std::nullopt, false, std::nullopt, std::nullopt},
      CallEvent{"CA1", f.t0, 10, "dtmf", std::string("1"), std::nullopt},
  });
  CHECK(f.store.events("CA1").size() == 1);
  CHECK(f.store.transcript("CA_unknown").empty());
}

TEST_CASE_TEMPLATE("calls a crash left open are closed as interrupted with what was stored", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  f.open_call("CA1");
  f.open_call("CA2");
  f.store.write_batch({CallAnswered{"CA2", "MZ2", f.t0}, TranscriptEntry{"CA2", 0, 0, "caller", "hi", {}, false, {}, {}},
                       CallEvent{"CA2", f.t0, 100, "tool_call", "send_sms", "{}"},
                       CallEvent{"CA2", f.t0, 200, "tool_call", "notify_owner", "{}"},
                       CallEvent{"CA2", f.t0, 300, "interruption", std::nullopt, "{}"}});
  f.store.write_batch({CallFinished{"CA1", "completed", "caller_hangup", f.t0 + 5s, 5000, 0, 0, 0, 0, 0, {}, {}, {}, {}, false, {"identify", "assist"}, {{"caller_before_engine_ready", 3}}}});
  CHECK(f.store.close_abandoned_calls(f.t0 + 1h) == 1);
  auto row = f.store.find_call("CA2");
  CHECK(row->status == "interrupted");
  CHECK(row->end_reason == "daemon_restart");
  CHECK(row->turns == 1);
  CHECK(row->tool_calls == 2);  // counted from the events stored, not left at 0
  CHECK(row->interruptions == 1);
  CHECK(f.store.find_call("CA1")->status == "completed");
  CHECK(f.store.find_call("CA1")->stages == std::vector<std::string>{"identify", "assist"});
  // What the call could not relay is kept on its record, by reason; nothing is stored as nothing.
  CHECK(f.store.find_call("CA1")->drops == std::map<std::string, int64_t>{{"caller_before_engine_ready", 3}});
  CHECK(f.store.find_call("CA2")->drops.empty());
}

TEST_CASE_TEMPLATE("a text recorded before it is sent and its outcome are one row, whichever arrives first", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  f.open_call("CA1");
  MessageRecord intent{std::nullopt, "CA1", std::nullopt, "booking_link", "+15550001000", "+15551112222",
                       "Book here", "sending", std::nullopt, std::nullopt, f.t0, "intent-1"};
  MessageRecord sent = intent;
  sent.message_sid = "SM1";
  sent.status = "queued";
  f.store.write_batch({intent, sent});
  MessageRecord delivered = sent;
  delivered.status = "delivered";
  delivered.message_sid = std::nullopt;  // a later record without the SID keeps the stored one
  f.store.write_batch({delivered});
  auto rows = f.store.messages("CA1");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].message_sid == "SM1");
  CHECK(rows[0].status == "delivered");
  CHECK(f.store.message_exists("SM1"));
  // Without an intent, the SID is the key.
  MessageRecord manual{std::nullopt, "CA1", "SM2", "manual", "+15550001000", "+15551112222", "Hi", "queued",
                       std::nullopt, std::nullopt, f.t0, std::nullopt};
  f.store.write_batch({manual});
  manual.status = "failed";
  manual.error_code = 30007;
  f.store.write_batch({manual});
  rows = f.store.messages("CA1");
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].status == "failed");
  CHECK(rows[1].error_code == 30007);
}
