// The real binary as an operator runs it: under systemd (socket activation, sd_notify), reloaded
// with SIGHUP, told by `sonoria org import`, stopped with SIGTERM.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/fakes/http_exchange.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/run_command.hpp"
#include "tests/integration/serve_process.hpp"

using namespace sonoria;
using namespace std::chrono_literals;


TEST_CASE("systemd socket activation: a request queued before the daemon started is answered; ready, stopping and exit 0 are reported") {
  serve_process::ServedDaemon d;
  // A webhook arrives while the daemon is not running yet (an upgrade's restart): it waits in the
  // socket's backlog instead of being refused.
  std::optional<fakes::HttpReply> early;
  std::thread waiting([&] { early = d.get("/healthz"); });
  std::this_thread::sleep_for(200ms);

  auto& serve = d.start();
  waiting.join();
  REQUIRE(early);
  CHECK(early->status == 200);
  CHECK(d.get("/readyz").status == 200);

  CHECK(serve.stop(SIGTERM) == 0);
  CHECK(d.notify.wait_for("STOPPING=1"));
  CHECK(serve.log().find("shutdown.done") != std::string::npos);
}

TEST_CASE("SIGHUP re-reads the TLS certificate: a renewal serves new connections without a restart") {
  using namespace serve_process;
  ServedDaemon d;
  // In-process TLS on the listening socket: the certificate and key certbot renews in place.
  const auto first = test::write_test_certificate(d.dir.path(), "localhost");
  const auto first_ca = d.dir / "first-ca.pem";
  std::filesystem::copy_file(first.cert_file, first_ca);
  std::string text;
  {
    std::ifstream in(d.config);
    std::stringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  text.replace(text.find("[server]\n"), 9,
               "[server]\ntls_cert = \"" + first.cert_file.string() + "\"\ntls_key = \"" + first.key_file.string() + "\"\n");
  std::ofstream(d.config, std::ios::trunc) << text;
  auto& serve = d.start();
  const std::string https = "https://localhost:" + std::to_string(d.socket.port);
  test::TestClientOptions trusting_first;
  trusting_first.ca_file = first_ca.string();
  CHECK(test::HttpTestConnection(https, trusting_first).request("GET", "/healthz").status == 200);

  const auto renewed = test::write_test_certificate(d.dir.path(), "localhost");
  REQUIRE(renewed.cert_file == first.cert_file);
  d.notify.clear();
  ::kill(serve.pid, SIGHUP);
  REQUIRE(d.notify.wait_for("RELOADING=1"));
  REQUIRE(d.notify.wait_for("READY=1"));
  CHECK(serve.logged("reload.tls"));
  test::TestClientOptions trusting_renewed;
  trusting_renewed.ca_file = renewed.cert_file.string();
  CHECK(test::HttpTestConnection(https, trusting_renewed).request("GET", "/healthz").status == 200);
  CHECK_THROWS_WITH(test::HttpTestConnection(https, trusting_first), doctest::Contains("certificate verify failed"));
  CHECK(serve.stop(SIGTERM) == 0);
}

TEST_CASE("reload: org import is answered on the very next call; SIGHUP applies a good configuration and keeps the old one when the file is broken") {
  using namespace serve_process;
  ServedDaemon d;
  auto& serve = d.start();
  auto& dir = d.dir;
  auto& notify = d.notify;
  const auto& config = d.config;
  const auto& settings = d.settings;

  // A second business, imported while the daemon runs: `org import` tells it, and its number is
  // answered at once (no 15 s wait).
  std::ifstream example((test::source_dir() / "examples" / "yoga-studio.toml").string());
  std::stringstream text;
  text << example.rdbuf();
  std::string profile = text.str();
  profile.replace(profile.find("slug = \"lotus-yoga\""), 19, "slug = \"lotus-two\"");
  profile.replace(profile.find("phone_numbers = [\"+15550001000\"]"), 32, "phone_numbers = [\"+15550009999\"]");
  const auto profile_file = dir.write("second.toml", profile);
  auto imported = test::run_sonoria({"--config", config.string(), "org", "import", profile_file.string()},
                                    {{"HOME", dir.path().string()}});
  CAPTURE(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.out.find("the running daemon reloaded") != std::string::npos);
  auto answered = d.ring("+14155551222", "+15550009999");
  REQUIRE(answered.twiml);
  CHECK(answered.twiml->connect);

  // A broken configuration: reported, and the one in force stays (the daemon keeps answering).
  notify.clear();
  std::ofstream(config).write("[calls]\nmax_concurrent = \"many\"\n", 32);
  ::kill(serve.pid, SIGHUP);
  REQUIRE(notify.wait_for("RELOADING=1"));
  REQUIRE(notify.wait_for("READY=1"));
  CHECK(serve.logged("reload.config_invalid"));
  CHECK(serve.log().find("max_concurrent") != std::string::npos);
  CHECK(d.get("/readyz").status == 200);

  // A good one: what can change live does (here, a caller is blocked); what needs a restart is
  // named (here, the drain timeout).
  notify.clear();
  std::string good = config_text(settings, 1, d.engine, "[calls]\nblocked_callers = [\"+15557778888\"]\nmax_event_loop_lag = \"1s\"\n");
  good.replace(good.find("drain_timeout = \"2s\""), 20, "drain_timeout = \"3s\"");
  std::ofstream(config, std::ios::trunc) << good;
  ::kill(serve.pid, SIGHUP);
  REQUIRE(notify.wait_for("RELOADING=1"));
  REQUIRE(notify.wait_for("READY=1"));
  CHECK(serve.logged("reload.applied"));
  const auto log = serve.log();
  const auto applied = log.substr(log.find("reload.applied"), log.find('\n', log.find("reload.applied")) - log.find("reload.applied"));
  CHECK(applied.find("calls.blocked_callers") != std::string::npos);
  CHECK(applied.find("calls.max_event_loop_lag") != std::string::npos);
  CHECK(serve.logged("reload.needs_restart"));
  CHECK(serve.log().find("server.drain_timeout") != std::string::npos);
  auto refused = d.ring("+15557778888");
  REQUIRE(refused.twiml);
  CHECK_FALSE(refused.twiml->connect);
  CHECK(refused.body.find("Sorry, we cannot take your call") != std::string::npos);
  CHECK(serve.stop(SIGTERM) == 0);
}
