// sonoria chat against a daemon on loopback whose assistant is the local engine (no engine key):
// "the owner types X → the assistant answers Y; a text is shown, not sent; goodbye ends the call".
#include <doctest/doctest.h>

#include "daemon/daemon.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace chat_test {

struct LocalDaemon {
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;  // unused: no key, so the local engine answers
  config::Settings settings;
  std::unique_ptr<daemon::Daemon> server;
  std::string origin;

  LocalDaemon() {
    settings = test::loopback_settings(dir, engine, test::k_public, "");
    settings.engine.api_key.clear();
    test::import_example_profile(settings);
    server = std::make_unique<daemon::Daemon>(settings);
    server->start();
    origin = "127.0.0.1:" + std::to_string(server->port());
  }
  ~LocalDaemon() {
    server->request_stop();
    server->wait();
  }
  std::filesystem::path config() const {
    return dir.write("chat.toml", "[server]\npublic_url = \"" + test::k_public + "\"\n[database]\npath = \"" +
                                      settings.database.path + "\"\n");
  }
  test::CommandResult chat(const std::string& typed, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"--config", config().string(), "chat", "--connect", origin};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_sonoria(args, {{"HOME", dir.path().string()}}, typed);
  }
};

TEST_CASE("sonoria chat: typed questions get the assistant's answers; a text is shown, not sent; goodbye ends the call") {
  LocalDaemon d;
  auto r = d.chat("How much is hot yoga?\nCan you text me the booking link?\nThank you, goodbye.\n");
  CAPTURE(r.out);
  CAPTURE(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("(connected to +15550001000, a test call)") != std::string::npos);
  CHECK(r.out.find("assistant: Thank you for calling Lotus Yoga Studio") != std::string::npos);
  CHECK(r.out.find("you: How much is hot yoga?") != std::string::npos);
  CHECK(r.out.find("$28") != std::string::npos);
  CHECK(r.out.find("[tool send_booking_link") != std::string::npos);
  CHECK(r.out.find("(the call ended") != std::string::npos);
  // The answers come in order: each after its question.
  CHECK(r.out.find("$28") > r.out.find("you: How much is hot yoga?"));
  CHECK(r.out.find("[tool send_booking_link") > r.out.find("you: Can you text me the booking link?"));
}

TEST_CASE("sonoria chat without a daemon on this machine says how to start one") {
  test::TempDir dir;
  const auto config = dir.write("chat.toml", "[database]\npath = \"" + (dir / "absent.db").string() + "\"\n");
  auto r = test::run_sonoria({"--config", config.string(), "chat", "--to", "+15550001000"}, {{"HOME", dir.path().string()}}, "hi\n");
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("local test key") != std::string::npos);
  CHECK(r.err.find("--live") != std::string::npos);
}

TEST_CASE("sonoria chat --live signs with the auth token: a daemon that does not know it refuses the call") {
  LocalDaemon d;
  const auto config = d.dir.write("live.toml", "[server]\npublic_url = \"" + test::k_public + "\"\n[database]\npath = \"" +
                                                   d.settings.database.path + "\"\n[twilio]\nauth_token = \"wrong-token\"\n");
  auto r = test::run_sonoria({"--config", config.string(), "chat", "--connect", d.origin, "--live"},
                             {{"HOME", d.dir.path().string()}}, "How much is hot yoga?\n");
  // The daemon has no auth token of its own (the local key only): a live call signed with another
  // token is refused outright.
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("HTTP 403") != std::string::npos);
}

}  // namespace chat_test
