// Two `sonoria serve` processes behind HAProxy, sharing one PostgreSQL database: calls come in
// through the proxy, the cluster's concurrency limit holds across both, one daemon is killed with
// SIGKILL in the middle of its calls, and the other closes them once the dead one's lease has run
// out, keeps every turn already written, and goes on answering.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <spawn.h>

#include "core/db/database.hpp"
#include "tests/integration/serve_process.hpp"
#include "tests/support/postgresql_cluster.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace cluster {

// A free loopback port for HAProxy to bind (taken and given back: a small race, on loopback).
unsigned short free_port() {
  serve_process::ListeningSocket probe;
  return probe.port;
}

// One daemon of the cluster: its own listening socket, fake engine, folder and name.
struct Member {
  std::string name;
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  serve_process::ListeningSocket socket;
  serve_process::NotifySocket notify{(dir / "notify.sock").string()};
  std::unique_ptr<serve_process::ServeProcess> serve;

  Member(std::string member_name, const std::string& database_url, int max_concurrent) : name(std::move(member_name)) {
    fakes::ScriptedReply hello;
    hello.text = "Hello from " + name + "!";
    hello.audio_ms = 400;
    engine.set_default_reply(hello);
    const auto config = dir.write(
        "sonoria.toml",
        "[server]\nlisten = \"127.0.0.1:1\"\npublic_url = \"" + test::k_public + "\"\nthreads = 2\ndrain_timeout = \"2s\"\n"
        "[cluster]\ninstance = \"" + name + "\"\npublic_url = \"" + test::k_public + "/d/" + name + "\"\nlease = \"3s\"\n"
        "[database]\npath = \"" + (dir / "local.db").string() + "\"\nurl = \"" + database_url + "\"\n"
        "[twilio]\nauth_token = \"" + test::k_token + "\"\n"
        "[calls]\nmax_concurrent = " + std::to_string(max_concurrent) + "\nmax_calls_per_caller_per_hour = 0\n"
        "[engines.openai]\nurl = \"" + engine.url() + "\"\napi_key = \"" + engine.api_key() + "\"\n"
        "[log]\nlevel = \"info\"\n");
    serve = std::make_unique<serve_process::ServeProcess>(config.string(), dir, socket.fd, notify.path);
    REQUIRE(notify.wait_for("READY=1"));
  }
};

// HAProxy in front: /d/<name>/… goes to that daemon (the prefix taken off), the rest to either,
// round robin, by their /readyz. A connection to a dead daemon is tried on the other.
struct Proxy {
  test::TempDir dir;
  unsigned short port = free_port();
  pid_t pid = -1;

  Proxy(const Member& a, const Member& b) {
    auto server = [](const Member& m) { return "127.0.0.1:" + std::to_string(m.socket.port); };
    const auto config = dir.write(
        "haproxy.cfg",
        "global\n  maxconn 2000\n"
        "defaults\n  mode http\n  timeout connect 2s\n  timeout client 60s\n  timeout server 60s\n"
        "  timeout tunnel 10m\n  option redispatch\n  retries 3\n"
        "frontend voice\n  bind 127.0.0.1:" + std::to_string(port) + "\n"
        "  use_backend only_" + a.name + " if { path_beg /d/" + a.name + "/ }\n"
        "  use_backend only_" + b.name + " if { path_beg /d/" + b.name + "/ }\n"
        "  default_backend every\n"
        "backend only_" + a.name + "\n  http-request replace-path /d/" + a.name + "(/.*) \\1\n  server " + a.name + " " + server(a) + "\n"
        "backend only_" + b.name + "\n  http-request replace-path /d/" + b.name + "(/.*) \\1\n  server " + b.name + " " + server(b) + "\n"
        "backend every\n  balance roundrobin\n  option httpchk GET /readyz\n"
        "  server " + a.name + " " + server(a) + " check inter 300ms fall 1 rise 1\n"
        "  server " + b.name + " " + server(b) + " check inter 300ms fall 1 rise 1\n");
    std::vector<std::string> args = {"/usr/sbin/haproxy", "-db", "-f", config.string()};
    std::vector<char*> argv;
    for (auto& a_ : args) argv.push_back(a_.data());
    argv.push_back(nullptr);
    char* envp[] = {nullptr};
    REQUIRE(::posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), envp) == 0);
    // Up once it answers (and both daemons are healthy behind it).
    for (int i = 0; i < 200; ++i) {
      if (serve_process::get(port, "/readyz").status == 200 && serve_process::get(port, "/readyz").status == 200) break;
      std::this_thread::sleep_for(50ms);
    }
  }
  ~Proxy() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port); }
};

struct Call {
  std::unique_ptr<fakes::FakeTwilioCaller> caller;
  std::string served_by;  // the daemon whose URL the TwiML named
};

// A call through the proxy: rings; when admitted, opens its stream and hears the greeting.
Call place(const Proxy& proxy, const std::string& from) {
  fakes::CallerOptions options;
  options.from = from;
  Call call{std::make_unique<fakes::FakeTwilioCaller>(options), ""};
  auto r = call.caller->post_voice_webhook(proxy.base() + "/twilio/voice", test::k_public + "/twilio/voice");
  REQUIRE(r.status == 200);
  REQUIRE(r.twiml);
  if (!r.twiml->connect) return call;
  const auto& url = r.twiml->connect->stream->url;
  const auto at = url.find("/d/");
  REQUIRE(at != std::string::npos);
  call.served_by = url.substr(at + 3, url.find('/', at + 3) - at - 3);
  REQUIRE(call.caller->open_stream().ok);
  REQUIRE(call.caller->wait_for([&] { return call.caller->stream().buffered_bytes() + call.caller->stream().heard().size() >= 400 * 8; }, 10s));
  call.caller->send_silence(500);
  return call;
}

int64_t count(db::Database& database, const std::string& sql) {
  db::Statement s(database.connection(), sql);
  REQUIRE(s.step());
  return s.int64(0);
}

}  // namespace cluster

TEST_CASE("cluster: two daemons behind HAProxy share one limit; one killed mid-call, the other closes its calls and answers on") {
  using namespace cluster;
  test::PostgresqlSchema schema;
  config::Settings settings;
  settings.database.url = schema.url();
  test::TempDir local;
  settings.database.path = (local / "import.db").string();
  test::import_example_profile(settings);
  Member a("alpha", schema.url(), 5);
  Member b("bravo", schema.url(), 5);
  Proxy proxy(a, b);

  // Seven callers, five slots in the whole cluster: round robin spreads them over both daemons,
  // and the sixth and seventh are refused whichever daemon they reach.
  std::vector<Call> calls;
  for (int i = 0; i < 7; ++i) calls.push_back(place(proxy, "+1415555010" + std::to_string(i)));
  std::map<std::string, int> answered_by;
  for (const auto& c : calls)
    if (!c.served_by.empty()) ++answered_by[c.served_by];
  CHECK(answered_by["alpha"] + answered_by["bravo"] == 5);
  CHECK(answered_by["alpha"] >= 1);
  CHECK(answered_by["bravo"] >= 1);

  db::Database database(settings.database, db::SchemaCheck::require_current, true);
  // The refusals are written by each daemon's writer a moment after it answered Twilio.
  for (int i = 0; i < 100; ++i) {
    if (count(database, "SELECT COUNT(*) FROM calls WHERE status = 'rejected'") == 2) break;
    std::this_thread::sleep_for(50ms);
  }
  CHECK(count(database, "SELECT COUNT(*) FROM calls WHERE status = 'rejected' AND end_reason = 'capacity'") == 2);
  CHECK(count(database, "SELECT COUNT(*) FROM calls WHERE status = 'in-progress'") == 5);
  // Each answered call's greeting is in the database before the kill: the last batch written.
  int64_t turns_before = 0;
  for (int i = 0; i < 100 && turns_before < 5; ++i) {
    turns_before = count(database, "SELECT COUNT(*) FROM transcript_entries");
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(turns_before == 5);

  // alpha dies with its calls in progress.
  a.serve->stop(SIGKILL);
  for (auto& c : calls)
    if (c.served_by == "alpha") c.caller->drop();  // Twilio's side of a stream whose server vanished
  // bravo's next renewals, once alpha's lease (3 s) has run out, close alpha's calls.
  int64_t lost = 0;
  for (int i = 0; i < 200 && lost < answered_by["alpha"]; ++i) {
    lost = count(database, "SELECT COUNT(*) FROM calls WHERE end_reason = 'daemon_lost' AND status = 'interrupted'");
    std::this_thread::sleep_for(50ms);
  }
  CHECK(lost == answered_by["alpha"]);
  CHECK(count(database, "SELECT COUNT(*) FROM transcript_entries") >= turns_before);  // nothing written was lost
  CHECK(count(database, "SELECT COUNT(*) FROM calls c WHERE c.owner = 'alpha' AND c.answered_at IS NOT NULL AND NOT EXISTS "
                        "(SELECT 1 FROM transcript_entries t WHERE t.call_id = c.id)") == 0);

  // bravo answers on: its own calls end normally, and new calls through the proxy are all its.
  for (auto& c : calls)
    if (c.served_by == "bravo") c.caller->hang_up();
  std::vector<Call> later;
  for (int i = 0; i < 3; ++i) later.push_back(place(proxy, "+1415555020" + std::to_string(i)));
  for (auto& c : later) {
    CHECK(c.served_by == "bravo");
    if (c.caller) c.caller->hang_up();
  }
  // Every call that was answered has a final record.
  for (int i = 0; i < 100; ++i) {
    if (count(database, "SELECT COUNT(*) FROM calls WHERE status IN ('ringing', 'in-progress')") == 0) break;
    std::this_thread::sleep_for(50ms);
  }
  CHECK(count(database, "SELECT COUNT(*) FROM calls WHERE status IN ('ringing', 'in-progress')") == 0);
  CHECK(count(database, "SELECT COUNT(*) FROM calls WHERE status = 'completed' AND owner = 'bravo'") ==
        answered_by["bravo"] + 3);
  CHECK(count(database, "SELECT COUNT(DISTINCT finished_seq) FROM calls") == 7 + 3);
  CHECK(b.serve->stop(SIGTERM) == 0);
}
