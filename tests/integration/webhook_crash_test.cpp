// A call-end webhook survives kill -9: the real binary (`sonoria serve`) is killed while the
// receiver is down, and the next daemon delivers the webhook exactly once.
#include <doctest/doctest.h>

#include <csignal>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <thread>

#include "core/db/database.hpp"
#include "tests/fakes/fake_http_receiver.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/fakes/http_exchange.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/run_command.hpp"

extern char** environ;

using namespace sonoria;
using namespace std::chrono_literals;

namespace {

using test::k_public;
using test::k_token;

unsigned short free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// `sonoria --config FILE serve` in the background; killed with `signal` when it goes.
struct Serve {
  pid_t pid = -1;
  Serve(const std::string& config, const std::string& home) {
    const std::string binary = test::sonoria_binary();
    std::vector<std::string> args = {binary, "--config", config, "serve"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string home_env = "HOME=" + home;
    std::string path_env = std::string("PATH=") + (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
    std::vector<char*> envp = {home_env.data(), path_env.data(), nullptr};
    REQUIRE(posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv.data(), envp.data()) == 0);
  }
  void stop(int signal) {
    if (pid <= 0) return;
    ::kill(pid, signal);
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
  }
  ~Serve() { stop(SIGKILL); }
};

bool healthy(const std::string& base) {
  for (int i = 0; i < 200; ++i) {
    fakes::HttpCall call;
    call.url = base + "/healthz";
    call.timeout = 500ms;
    if (fakes::http_exchange(call).status == 200) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("a call-end webhook queued before kill -9 is delivered once by the next daemon") {
  test::TempDir dir;
  fakes::FakeOpenAiRealtime openai;
  fakes::FakeHttpReceiver receiver;
  receiver.set_down(true);
  auto settings = test::loopback_settings(dir, openai, k_public, k_token);
  test::import_example_profile(settings);
  {
    db::Database database(settings.database, db::SchemaCheck::require_current);
    auto studio = *database.orgs().find_by_slug("lotus-yoga");
    studio.webhooks.call_end_url = receiver.url() + "/ended";
    database.orgs().upsert(studio);
    receiver.set_secret(database.orgs().signing_secret(studio.id));
  }
  const unsigned short port = free_port();
  const auto config = dir.write("sonoria.toml",
                                "[server]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\npublic_url = \"" + k_public +
                                    "\"\nthreads = 2\n[database]\npath = \"" + settings.database.path +
                                    "\"\n[twilio]\nauth_token = \"" + k_token + "\"\n[engines.openai]\nurl = \"" +
                                    openai.url() + "\"\napi_key = \"" + openai.api_key() +
                                    "\"\n[webhooks]\nretry_after = \"200ms\"\n[log]\nlevel = \"warn\"\n");
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  auto first = std::make_unique<Serve>(config.string(), dir.path().string());
  REQUIRE(healthy(base));
  fakes::ScriptedReply greeting;
  greeting.text = "Hello!";
  greeting.audio_ms = 400;
  openai.push_reply(greeting);
  fakes::FakeTwilioCaller caller;
  auto r = caller.post_voice_webhook(base + "/twilio/voice", k_public + "/twilio/voice");
  REQUIRE(r.twiml);
  REQUIRE(r.twiml->connect);
  REQUIRE(openai.wait_for_server_event(0, "session.updated", 1, 10s));
  REQUIRE(caller.open_stream().ok);
  REQUIRE(caller.wait_for([&] { return caller.stream().buffered_bytes() + caller.stream().heard().size() >= 400 * 8; }, 10s));
  caller.hang_up();

  auto delivery = [&]() -> std::optional<db::WebhookDelivery> {
    db::Database database(settings.database, db::SchemaCheck::require_current, true);
    auto rows = database.webhooks().list(0, "", 1);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  };
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline && (!delivery() || delivery()->attempts < 2))
    std::this_thread::sleep_for(50ms);
  const auto before = delivery();
  REQUIRE(before);
  CHECK(before->attempts >= 2);
  CHECK(before->status == "pending");

  first->stop(SIGKILL);  // no drain, no flush: only what was committed survives
  receiver.set_down(false);
  Serve second(config.string(), dir.path().string());
  REQUIRE(healthy(base));
  REQUIRE(receiver.wait_for_requests(1, 15s));
  std::this_thread::sleep_for(1500ms);
  const auto requests = receiver.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].signature_valid);
  CHECK(requests[0].header("X-Sonoria-Idempotency-Key") == before->idempotency_key);
  CHECK(nlohmann::json::parse(requests[0].body)["call"]["call_sid"] == caller.call_sid());
  second.stop(SIGTERM);
}
