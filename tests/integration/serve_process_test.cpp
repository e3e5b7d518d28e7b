// The real binary as an operator runs it: under systemd (socket activation, sd_notify), reloaded
// with SIGHUP, told by `sonoria org import`, stopped with SIGTERM.
#include <doctest/doctest.h>

#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/fakes/http_exchange.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/run_command.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace serve_process {

// A listening TCP socket on a free loopback port, as systemd's .socket unit would hold it.
struct ListeningSocket {
  int fd = -1;
  unsigned short port = 0;
  ListeningSocket() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd, 64) == 0);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  ~ListeningSocket() { ::close(fd); }
};

// systemd's NOTIFY_SOCKET: a datagram socket the daemon reports to.
struct NotifySocket {
  int fd = -1;
  std::string path;
  std::vector<std::string> received;
  explicit NotifySocket(std::string where) : path(std::move(where)) {
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~NotifySocket() { ::close(fd); }
  // Waits for a message containing `what` (keeping everything received meanwhile).
  bool wait_for(const std::string& what, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      for (const auto& m : received)
        if (m.find(what) != std::string::npos) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n > 0) received.emplace_back(buffer, static_cast<size_t>(n));
    }
  }
  // Forgets what was received and what is waiting to be read (to wait for the next READY=1).
  void clear() {
    char buffer[4096];
    while (::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
    }
    received.clear();
  }
};

// `sonoria --config FILE serve`, its stderr in a file. With `listen_fd`, started the way systemd
// starts a socket-activated service: the socket as fd 3, LISTEN_FDS/LISTEN_FDNAMES, and LISTEN_PID
// set to the daemon's own pid (by a shell that then execs it).
struct ServeProcess {
  pid_t pid = -1;
  std::string log_path;
  ServeProcess(const std::string& config, const test::TempDir& dir, int listen_fd, const std::string& notify_socket) {
    log_path = (dir / "serve.log").string();
    const std::string binary = test::sonoria_binary();
    std::vector<std::string> args = {"/bin/sh", "-c", "LISTEN_PID=$$ exec \"$0\" \"$@\"", binary, "--config", config, "serve"};
    std::vector<std::string> env = {"HOME=" + dir.path().string(), "PATH=/usr/bin:/bin", "NOTIFY_SOCKET=" + notify_socket};
    if (listen_fd >= 0) {
      env.push_back("LISTEN_FDS=1");
      env.push_back("LISTEN_FDNAMES=http");
    }
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (listen_fd >= 0) posix_spawn_file_actions_adddup2(&actions, listen_fd, 3);
    REQUIRE(posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv.data(), envp.data()) == 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  // Sends `signal` and waits; the exit status (or -1).
  int stop(int signal, std::chrono::seconds timeout = 30s) {
    if (pid <= 0) return -1;
    ::kill(pid, signal);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        pid = -1;
        return -1;
      }
      std::this_thread::sleep_for(20ms);
    }
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string log() const {
    std::ifstream in(log_path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  ~ServeProcess() { stop(SIGKILL); }
};

std::string config_text(const config::Settings& settings, unsigned short port, const fakes::FakeOpenAiRealtime& engine,
                        const std::string& extra = "") {
  return "[server]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\npublic_url = \"" + test::k_public +
         "\"\nthreads = 2\ndrain_timeout = \"2s\"\n[database]\npath = \"" + settings.database.path +
         "\"\n[twilio]\nauth_token = \"" + test::k_token + "\"\n[engines.openai]\nurl = \"" + engine.url() +
         "\"\napi_key = \"" + engine.api_key() + "\"\n[log]\nlevel = \"info\"\n" + extra;
}

fakes::HttpReply get(unsigned short port, const std::string& path) {
  fakes::HttpCall call;
  call.url = "http://127.0.0.1:" + std::to_string(port) + path;
  call.timeout = 10s;
  return fakes::http_exchange(call);
}

}  // namespace serve_process

TEST_CASE("systemd socket activation: a request queued before the daemon started is answered; ready, stopping and exit 0 are reported") {
  using namespace serve_process;
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  auto settings = test::loopback_settings(dir, engine, test::k_public, test::k_token);
  test::import_example_profile(settings);
  ListeningSocket socket;
  NotifySocket notify((dir / "notify.sock").string());
  // server.listen names another port: the socket systemd passes wins.
  const auto config = dir.write("sonoria.toml", config_text(settings, 1, engine));

  // A webhook arrives while the daemon is not running yet (an upgrade's restart): it waits in the
  // socket's backlog instead of being refused.
  std::optional<fakes::HttpReply> early;
  std::thread waiting([&] { early = get(socket.port, "/healthz"); });
  std::this_thread::sleep_for(200ms);

  ServeProcess serve(config.string(), dir, socket.fd, notify.path);
  REQUIRE(notify.wait_for("READY=1"));
  waiting.join();
  REQUIRE(early);
  CHECK(early->status == 200);
  CHECK(get(socket.port, "/readyz").status == 200);

  CHECK(serve.stop(SIGTERM) == 0);
  CHECK(notify.wait_for("STOPPING=1"));
  CHECK(serve.log().find("shutdown.done") != std::string::npos);
}

TEST_CASE("reload: org import is answered on the very next call; SIGHUP applies a good configuration and keeps the old one when the file is broken") {
  using namespace serve_process;
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  auto settings = test::loopback_settings(dir, engine, test::k_public, test::k_token);
  test::import_example_profile(settings);
  ListeningSocket socket;
  NotifySocket notify((dir / "notify.sock").string());
  const auto config = dir.write("sonoria.toml", config_text(settings, 1, engine));
  ServeProcess serve(config.string(), dir, socket.fd, notify.path);
  REQUIRE(notify.wait_for("READY=1"));
  const std::string base = "http://127.0.0.1:" + std::to_string(socket.port);

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
  fakes::CallerOptions to_second;
  to_second.to = "+15550009999";
  fakes::FakeTwilioCaller caller(to_second);
  auto answered = caller.post_voice_webhook(base + "/twilio/voice", test::k_public + "/twilio/voice");
  REQUIRE(answered.twiml);
  CHECK(answered.twiml->connect);

  // A broken configuration: reported, and the one in force stays (the daemon keeps answering).
  notify.clear();
  std::ofstream(config).write("[calls]\nmax_concurrent = \"many\"\n", 32);
  ::kill(serve.pid, SIGHUP);
  REQUIRE(notify.wait_for("RELOADING=1"));
  REQUIRE(notify.wait_for("READY=1"));
  CHECK(serve.log().find("reload.config_invalid") != std::string::npos);
  CHECK(serve.log().find("max_concurrent") != std::string::npos);
  CHECK(get(socket.port, "/readyz").status == 200);

  // A good one: what can change live does (here, a caller is blocked); what needs a restart is
  // named (here, the drain timeout).
  notify.clear();
  std::string good = config_text(settings, 1, engine, "[calls]\nblocked_callers = [\"+15557778888\"]\n");
  good.replace(good.find("drain_timeout = \"2s\""), 20, "drain_timeout = \"3s\"");
  std::ofstream(config, std::ios::trunc) << good;
  ::kill(serve.pid, SIGHUP);
  REQUIRE(notify.wait_for("RELOADING=1"));
  REQUIRE(notify.wait_for("READY=1"));
  CHECK(serve.log().find("reload.applied") != std::string::npos);
  CHECK(serve.log().find("calls.blocked_callers") != std::string::npos);
  CHECK(serve.log().find("reload.needs_restart") != std::string::npos);
  CHECK(serve.log().find("server.drain_timeout") != std::string::npos);
  fakes::CallerOptions busy_options;
  busy_options.from = "+15557778888";
  fakes::FakeTwilioCaller busy(busy_options);
  auto refused = busy.post_voice_webhook(base + "/twilio/voice", test::k_public + "/twilio/voice");
  REQUIRE(refused.twiml);
  CHECK_FALSE(refused.twiml->connect);
  CHECK(refused.body.find("Sorry, we cannot take your call") != std::string::npos);
  CHECK(serve.stop(SIGTERM) == 0);
}
