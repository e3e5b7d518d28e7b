// Storage faults against a running daemon: the database locked by another process for longer than
// every timeout, and a disk that fills up. Calls are still answered, the fault is logged once and
// shown in /readyz and /metrics, and nothing already stored or still waiting is lost.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <thread>

#include "core/db/database.hpp"
#include "core/db/sqlite.hpp"
#include "daemon/daemon.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/fakes/http_exchange.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/integration/serve_process.hpp"
#include "tests/support/postgresql_cluster.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace storage_faults {

fakes::HttpReply fetch(const std::string& url) {
  fakes::HttpCall call;
  call.url = url;
  return fakes::http_exchange(call);
}

// /readyz, asked until it answers `status` (at most 10 s); the last answer.
fakes::HttpReply readiness_becomes(const std::string& base, int status) {
  fakes::HttpReply ready;
  for (int i = 0; i < 200; ++i) {
    ready = fetch(base + "/readyz");
    if (ready.status == status) break;
    std::this_thread::sleep_for(50ms);
  }
  return ready;
}

// A short call: rings, hears the greeting, hangs up.
void short_call(const std::string& base, fakes::FakeOpenAiRealtime& engine, int session, const std::string& from) {
  fakes::CallerOptions options;
  options.from = from;
  fakes::FakeTwilioCaller caller(options);
  auto r = caller.post_voice_webhook(base + "/twilio/voice", test::k_public + "/twilio/voice");
  REQUIRE(r.twiml);
  REQUIRE(r.twiml->connect);
  REQUIRE(engine.wait_for_server_event(session, "session.updated", 1, 10s));
  REQUIRE(caller.open_stream().ok);
  REQUIRE(caller.wait_for([&] { return caller.stream().buffered_bytes() + caller.stream().heard().size() >= 400 * 8; }, 10s));
  caller.send_silence(500);
  caller.hang_up();
}

int64_t count(const config::Settings& settings, const std::string& sql) {
  db::SqliteConnection c(settings.database.path, {true, false, 5000});
  db::Statement s(c, sql);
  REQUIRE(s.step());
  return s.int64(0);
}

}  // namespace storage_faults

TEST_CASE("the database locked by another process for longer than every timeout: calls are answered, /readyz says why, every record lands once it is free") {
  using namespace storage_faults;
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  fakes::ScriptedReply hello;
  hello.text = "Hello!";
  hello.audio_ms = 400;
  engine.set_default_reply(hello);
  auto settings = test::loopback_settings(dir, engine, test::k_public, test::k_token);
  settings.database.busy_timeout = 200ms;
  test::import_example_profile(settings);
  daemon::Daemon daemon(settings);
  daemon.start();
  const std::string base = "http://127.0.0.1:" + std::to_string(daemon.port());

  {
    db::SqliteConnection other(settings.database.path);
    other.exec("BEGIN IMMEDIATE");  // `sqlite3 sonoria.db` left in a write transaction
    for (int i = 0; i < 3; ++i) short_call(base, engine, i, "+1555300100" + std::to_string(i));
    // Not ready while writes fail, and the body says why; the calls were answered all the same.
    auto ready = readiness_becomes(base, 503);
    CHECK(ready.status == 503);
    CHECK(ready.body.find("database writes are failing") != std::string::npos);
    CHECK(ready.body.find("locked") != std::string::npos);
    CHECK(fetch(base + "/metrics").body.find("sonoria_db_writes_failing 1") != std::string::npos);
    other.exec("ROLLBACK");
  }

  // The fault clears: everything waiting is written, and readiness comes back by itself.
  CHECK(readiness_becomes(base, 200).status == 200);
  daemon.request_stop();
  CHECK(daemon.wait() == 0);
  CHECK(count(settings, "SELECT COUNT(*) FROM calls WHERE ended_at IS NOT NULL AND status = 'completed'") == 3);
  CHECK(count(settings, "SELECT COUNT(*) FROM transcript_entries") == 3);  // each call's greeting, once
}

TEST_CASE("the disk fills up under a running daemon: calls are answered, nothing is lost, and it all lands when there is room") {
  using namespace storage_faults;
  serve_process::ServedDaemon d;
  auto& serve = d.start();
  auto& engine = d.engine;
  const auto& settings = d.settings;
  const auto& base = d.base;

  // No file of the daemon may grow any more: the database's WAL and the journal beside it both
  // fail with EFBIG, as on a full disk.
  rlimit full{0, RLIM_INFINITY};
  REQUIRE(prlimit(serve.pid, RLIMIT_FSIZE, &full, nullptr) == 0);
  for (int i = 0; i < 3; ++i) short_call(base, engine, i, "+1555400100" + std::to_string(i));
  auto ready = readiness_becomes(base, 503);
  CHECK(ready.status == 503);
  CHECK(ready.body.find("database writes are failing") != std::string::npos);

  // Room again: the records waiting in memory are written.
  rlimit room{RLIM_INFINITY, RLIM_INFINITY};
  REQUIRE(prlimit(serve.pid, RLIMIT_FSIZE, &room, nullptr) == 0);
  CHECK(readiness_becomes(base, 200).status == 200);
  CHECK(serve.stop(SIGTERM) == 0);
  const auto log = serve.log();
  CAPTURE(log);
  CHECK(count(settings, "SELECT COUNT(*) FROM calls WHERE ended_at IS NOT NULL AND status = 'completed'") == 3);
  CHECK(count(settings, "SELECT COUNT(*) FROM transcript_entries") == 3);
  // Logged once when it started failing, not once per call or per attempt.
  size_t failing_lines = 0;
  for (size_t at = log.find("db.writes_failing"); at != std::string::npos; at = log.find("db.writes_failing", at + 1))
    ++failing_lines;
  CHECK(failing_lines == 1);
}

TEST_CASE("PostgreSQL goes down under a running daemon: calls are answered, /readyz says why, every record lands once it is back") {
  using namespace storage_faults;
  test::OwnPostgresqlCluster postgresql;
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  fakes::ScriptedReply hello;
  hello.text = "Hello!";
  hello.audio_ms = 400;
  engine.set_default_reply(hello);
  auto settings = test::loopback_settings(dir, engine, test::k_public, test::k_token);
  settings.database.url = postgresql.url();
  test::import_example_profile(settings);
  daemon::Daemon daemon(settings);
  daemon.start();
  const std::string base = "http://127.0.0.1:" + std::to_string(daemon.port());
  short_call(base, engine, 0, "+15553001000");

  postgresql.halt();
  for (int i = 1; i < 4; ++i) short_call(base, engine, i, "+1555300100" + std::to_string(i));
  auto ready = readiness_becomes(base, 503);
  CHECK(ready.status == 503);
  CHECK(ready.body.find("database writes are failing") != std::string::npos);
  CHECK(fetch(base + "/metrics").body.find("sonoria_db_writes_failing 1") != std::string::npos);

  // The server comes back: the writer connects again by itself and writes what waited, in order.
  postgresql.resume();
  CHECK(readiness_becomes(base, 200).status == 200);
  daemon.request_stop();
  CHECK(daemon.wait() == 0);
  db::Database database(settings.database, db::SchemaCheck::require_current, true);
  auto count = [&](const std::string& sql) {
    db::Statement s(database.connection(), sql);
    REQUIRE(s.step());
    return s.int64(0);
  };
  CHECK(count("SELECT COUNT(*) FROM calls WHERE ended_at IS NOT NULL AND status = 'completed'") == 4);
  CHECK(count("SELECT COUNT(*) FROM transcript_entries") == 4);  // each call's greeting, once
  CHECK(count("SELECT COUNT(DISTINCT finished_seq) FROM calls") == 4);
}
