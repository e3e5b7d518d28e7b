#pragma once
// The real binary as systemd runs it, for tests: a listening socket passed as fd 3 (socket
// activation), a NOTIFY_SOCKET to hear sd_notify on, and `sonoria serve` with its stderr in a file.

#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "core/config/settings.hpp"
#include "tests/support/test_secrets.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/fakes/http_exchange.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace serve_process {

using namespace ::sonoria;
using namespace std::chrono_literals;


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

// `sonoria --config FILE serve`, its stderr read through a pipe (a file would be subject to the
// daemon's own file-size limit in the disk-full test). With `listen_fd`, started the way systemd
// starts a socket-activated service: the socket as fd 3, LISTEN_FDS/LISTEN_FDNAMES, and LISTEN_PID
// set to the daemon's own pid (by a shell that then execs it).
struct ServeProcess {
  pid_t pid = -1;
  ServeProcess(const std::string& config, const test::TempDir& dir, int listen_fd, const std::string& notify_socket) {
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
    int err[2];
    REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    if (listen_fd >= 0) posix_spawn_file_actions_adddup2(&actions, listen_fd, 3);
    REQUIRE(posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv.data(), envp.data()) == 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(err[1]);
    reader_ = std::thread([this, fd = err[0]] {
      char buffer[4096];
      for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        std::lock_guard lock(mutex_);
        log_.append(buffer, static_cast<size_t>(n));
      }
      ::close(fd);
    });
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
    if (reader_.joinable()) reader_.join();  // the daemon's stderr is closed: all of it is read
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string log() const {
    std::lock_guard lock(mutex_);
    return log_;
  }
  // Waits until the daemon's stderr contains `text` (it arrives through a pipe, a moment later).
  bool logged(const std::string& text, std::chrono::milliseconds timeout = 5s) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (log().find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }
  ~ServeProcess() {
    stop(SIGKILL);
    if (reader_.joinable()) reader_.join();
    // Whatever the test checked, the daemon's log carries none of the secrets it was given.
    const std::string leaked = test::secret_in(log_);
    CHECK_MESSAGE(leaked.empty(), "the daemon's log carries the test secret \"" << leaked << "\"");
  }

 private:
  mutable std::mutex mutex_;
  std::string log_;
  std::thread reader_;
};

// The daemon's config file for a test: `extra` is appended (whole sections); `rest_url`, when given,
// is the Twilio REST API the daemon texts and updates calls through (the tests' account).
inline std::string config_text(const config::Settings& settings, unsigned short port, const fakes::FakeOpenAiRealtime& engine,
                               const std::string& extra = "", const std::string& rest_url = "") {
  const std::string rest = rest_url.empty() ? std::string()
                                            : "account_sid = \"" + test::k_account + "\"\napi_base_url = \"" + rest_url + "\"\n";
  return "[server]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\npublic_url = \"" + test::k_public +
         "\"\nthreads = 2\ndrain_timeout = \"2s\"\n[database]\npath = \"" + settings.database.path +
         "\"\n[twilio]\nauth_token = \"" + test::k_token + "\"\n" + rest + "[engines.openai]\nurl = \"" + engine.url() +
         "\"\napi_key = \"" + engine.api_key() + "\"\n[log]\nlevel = \"info\"\n" + extra;
}

inline fakes::HttpReply get(unsigned short port, const std::string& path) {
  fakes::HttpCall call;
  call.url = "http://127.0.0.1:" + std::to_string(port) + path;
  call.timeout = 10s;
  return fakes::http_exchange(call);
}

// What the process-level tests start from: a fresh database with the example studio, the fake
// OpenAI engine (greeting "Hello!", 400 ms), a listening socket held by "systemd", a NOTIFY_SOCKET,
// and the config file. start() runs `sonoria serve` and waits for READY=1.
struct ServedDaemon {
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  config::Settings settings;
  ListeningSocket socket;
  NotifySocket notify{(dir / "notify.sock").string()};
  std::filesystem::path config;
  std::string base;  // http://127.0.0.1:<port>, where webhooks go
  std::unique_ptr<ServeProcess> serve;

  // `extra` and `rest_url` as config_text's.
  explicit ServedDaemon(const std::string& extra = "", const std::string& rest_url = "")
      : settings(test::loopback_settings(dir, engine, test::k_public, test::k_token)),
        base("http://127.0.0.1:" + std::to_string(socket.port)) {
    fakes::ScriptedReply hello;
    hello.text = "Hello!";
    hello.audio_ms = 400;
    engine.set_default_reply(hello);
    test::import_example_profile(settings);
    // server.listen names port 1: the socket systemd passes wins.
    config = dir.write("sonoria.toml", config_text(settings, 1, engine, extra, rest_url));
  }

  ServeProcess& start() {
    notify.clear();  // a READY=1 of a daemon before this one does not count
    serve = std::make_unique<ServeProcess>(config.string(), dir, socket.fd, notify.path);
    REQUIRE(notify.wait_for("READY=1"));
    return *serve;
  }
  fakes::HttpReply get(const std::string& path) const { return serve_process::get(socket.port, path); }
  // A call from `from` to `to` rings: the voice webhook's answer.
  fakes::WebhookResult ring(const std::string& from, const std::string& to = "+15550001000") const {
    fakes::CallerOptions options;
    options.from = from;
    options.to = to;
    fakes::FakeTwilioCaller caller(options);
    return caller.post_voice_webhook(base + "/twilio/voice", test::k_public + "/twilio/voice");
  }
};

}  // namespace serve_process
