// Overload against the real binary: a stalled event loop and a file-descriptor limit. New calls
// are sent to the fallback (never dead air), /readyz says why, and it passes on its own.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <thread>

#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/integration/serve_process.hpp"

using namespace sonoria;
using namespace std::chrono_literals;


TEST_CASE("a stalled event loop sends new calls to the fallback and says so in /readyz, until it runs on time again") {
  serve_process::ServedDaemon d;
  auto& serve = d.start();

  // The machine stalls the daemon for 700 ms (another process hogging the core, a VM's steal time).
  ::kill(serve.pid, SIGSTOP);
  std::this_thread::sleep_for(700ms);
  ::kill(serve.pid, SIGCONT);
  REQUIRE(serve.logged("overload.started"));
  auto ready = d.get("/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.body.find("the event loop runs") != std::string::npos);
  CHECK(d.get("/metrics").body.find("sonoria_overload_episodes_total 1") != std::string::npos);
  auto sent_on = d.ring("+15557000001");
  REQUIRE(sent_on.twiml);
  CHECK_FALSE(sent_on.twiml->connect);
  REQUIRE(sent_on.twiml->dial);
  CHECK(sent_on.twiml->dial->number == "+15550001001");

  // A second on time and it is over: the next call is answered by the assistant.
  REQUIRE(serve.logged("overload.cleared", 5s));
  CHECK(d.get("/readyz").status == 200);
  auto answered = d.ring("+15557000002");
  REQUIRE(answered.twiml);
  CHECK(answered.twiml->connect);
  CHECK(serve.stop(SIGTERM) == 0);
}

TEST_CASE("near its file-descriptor limit the daemon turns new calls to the fallback instead of failing them, and keeps answering /healthz") {
  serve_process::ServedDaemon d("[calls]\nmax_calls_per_caller_per_hour = 0\n");
  auto& serve = d.start();
  // `ulimit -n` just above what the idle daemon uses.
  std::this_thread::sleep_for(1100ms);  // counted once more at rest
  const auto open = static_cast<rlim_t>(std::stoi([&] {
    const auto body = d.get("/metrics").body;
    const auto at = body.find("\nsonoria_open_descriptors ");
    return body.substr(at + 26, body.find('\n', at + 1) - at - 26);
  }()));
  rlimit tight{open + 40, open + 40};
  REQUIRE(prlimit(serve.pid, RLIMIT_NOFILE, &tight, nullptr) == 0);
  std::this_thread::sleep_for(1100ms);

  int streamed = 0, sent_on = 0, failed = 0;
  for (int i = 0; i < 30; ++i) {
    auto r = d.ring("+1555710" + std::to_string(1000 + i));
    if (!r.twiml) ++failed;
    else if (r.twiml->connect) ++streamed;
    else if (r.twiml->dial) ++sent_on;
  }
  CHECK(failed == 0);   // every caller was answered with TwiML, none with an error
  CHECK(streamed > 0);
  CHECK(sent_on > 0);
  CHECK(d.get("/healthz").status == 200);
  CHECK(serve.stop(SIGTERM) == 0);
}

TEST_CASE("past the calls its I/O threads carry under calls.max_io_load_percent, new calls go to the fallback and /readyz says why") {
  // 2 %: before any call is measured, the prior cost of a call (0.4 % of the threads) leaves room
  // for at most five calls on an idle daemon (fewer when its timers alone take some of it).
  serve_process::ServedDaemon d("[calls]\nmax_calls_per_caller_per_hour = 0\nmax_io_load_percent = 2\n");
  auto& serve = d.start();
  int streamed = 0, sent_on = 0;
  for (int i = 0; i < 7; ++i) {
    auto r = d.ring("+1555720" + std::to_string(1000 + i));  // ringing: each holds its slot
    REQUIRE(r.twiml);
    if (r.twiml->connect) {
      CHECK(sent_on == 0);  // once full, nobody is let in before a call ends
      ++streamed;
    } else {
      REQUIRE(r.twiml->dial);
      CHECK(r.twiml->dial->number == "+15550001001");
      ++sent_on;
    }
  }
  CHECK(streamed >= 3);
  CHECK(sent_on >= 2);
  auto ready = d.get("/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.body.find("calls.max_io_load_percent = 2") != std::string::npos);
  const auto metrics = d.get("/metrics").body;
  const auto at = metrics.find("\nsonoria_call_capacity ");
  REQUIRE(at != std::string::npos);
  const int capacity = std::stoi(metrics.substr(at + 23));
  CHECK(capacity <= streamed);
  CHECK(capacity >= 2);
  CHECK(metrics.find("\nsonoria_io_load ") != std::string::npos);
  CHECK(serve.logged("overload.started", 3s));
  CHECK(serve.stop(SIGTERM) == 0);
}
