// /readyz against the daemon: it is not ready while its configuration cannot answer a call (no
// engine key, no organization, no Twilio auth token with signatures on), and says which setting
// to change; it is ready once the configuration can.
#include <doctest/doctest.h>

#include "daemon/daemon.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/http_exchange.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;

namespace readiness_tests {

// The answer of /readyz from a daemon started on `settings`.
fakes::HttpReply readyz(const config::Settings& settings) {
  daemon::Daemon d(settings);
  d.start();
  fakes::HttpCall call;
  call.url = "http://127.0.0.1:" + std::to_string(d.port()) + "/readyz";
  auto reply = fakes::http_exchange(call);
  d.request_stop();
  d.wait();
  return reply;
}

}  // namespace readiness_tests

TEST_CASE("readiness: /readyz is 503 and names the setting while the configuration cannot answer a call") {
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  auto settings = test::loopback_settings(dir, engine, test::k_public, test::k_token);

  SUBCASE("no organization yet") {
    db::Database database(settings.database, db::SchemaCheck::none);
    database.migrate();
    auto reply = readiness_tests::readyz(settings);
    CHECK(reply.status == 503);
    CHECK(reply.body.find("sonoria org import") != std::string::npos);
  }
  SUBCASE("an organization whose only engine has no key, and no local engine to fall back on") {
    test::import_example_profile(settings);
    settings.engine.api_key.clear();
    settings.local.last_resort = false;
    auto reply = readiness_tests::readyz(settings);
    CHECK(reply.status == 503);
    CHECK(reply.body.find("engines.openai.api_key is not set") != std::string::npos);
  }
  SUBCASE("no engine key, but the local engine answers: ready") {
    test::import_example_profile(settings);
    settings.engine.api_key.clear();
    auto reply = readiness_tests::readyz(settings);
    CHECK(reply.status == 200);
  }
  SUBCASE("no engine key, and the local engine's model is missing: not ready, saying so") {
    test::import_example_profile(settings);
    settings.engine.api_key.clear();
    settings.local.acoustic_model = (dir / "no-model").string();
    auto reply = readiness_tests::readyz(settings);
    CHECK(reply.status == 503);
    CHECK(reply.body.find("engines.local.acoustic_model") != std::string::npos);
  }
  SUBCASE("signatures on and no auth token") {
    test::import_example_profile(settings);
    settings.twilio.auth_token.clear();
    auto reply = readiness_tests::readyz(settings);
    CHECK(reply.status == 503);
    CHECK(reply.body.find("twilio.auth_token is not set") != std::string::npos);
  }
  SUBCASE("all set: ready") {
    test::import_example_profile(settings);
    auto reply = readiness_tests::readyz(settings);
    CHECK(reply.status == 200);
    CHECK(reply.body == "ready\n");
  }
}
