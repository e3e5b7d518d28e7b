// sonoria-bench-floor: what relaying a call's traffic costs with nothing but the kernel in the way.
//
// One thread relays bytes between TCP loopback socket pairs with raw epoll: no WebSocket framing,
// no JSON, no allocation per message, one recv and one send per message. Another thread plays the
// callers and the engine with the traffic of scripts/bench: each caller sends a media-sized
// message every 20 ms (calls spread over ten 2 ms phases, as `sonoria simulate` does), the engine
// sends a 100 ms delta every 100 ms while it "replies" (--reply-ms out of every --cycle-ms), and
// the caller echoes a mark for each delta. The relay's CPU per call-second is the floor under
// sonoria's "daemon CPU ms/call-s" on the same machine: whatever sonoria costs above it is ours,
// what is below it is the kernel's. See tests/bench/README.md.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/open_files.hpp"

namespace {

// Sizes of what sonoria relays in scripts/bench, WebSocket headers included.
constexpr std::size_t k_caller_media_bytes = 340;   // Twilio "media" event, 160 μ-law bytes
// A response.output_audio.delta is its audio in base64 (8 μ-law bytes per ms) plus about 120 bytes.
std::size_t engine_delta_bytes(int delta_ms) { return static_cast<std::size_t>(delta_ms) * 8 * 4 / 3 + 120; }
constexpr std::size_t k_mark_bytes = 110;           // Twilio "mark" echo

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

void set_nonblocking(int fd) {
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) fail("fcntl");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int listen_loopback(std::uint16_t& port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("bind");
  if (listen(fd, 4096) != 0) fail("listen");
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

int connect_loopback(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("connect");
  return fd;
}

int accept_one(int listener) {
  int fd = accept(listener, nullptr, nullptr);
  if (fd < 0) fail("accept");
  return fd;
}

struct ThreadCpu {
  double user_ms = 0, system_ms = 0;
  long context_switches = 0;
};

// utime/stime of one thread from /proc, and its context switches (voluntary + involuntary).
ThreadCpu read_thread_cpu(pid_t tid) {
  ThreadCpu cpu;
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  const double tick_ms = 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) cpu.user_ms = std::stod(field) * tick_ms;
    if (i == 15) {
      cpu.system_ms = std::stod(field) * tick_ms;
      break;
    }
  }
  std::ifstream status("/proc/self/task/" + std::to_string(tid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0 || line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
      cpu.context_switches += std::stol(line.substr(line.find(':') + 1));
  return cpu;
}

// The relay: every byte read from one socket of a pair is written to the other.
class Relay {
 public:
  explicit Relay(std::size_t calls) : peer_(2 * calls + 8, -1) {
    epoll_ = epoll_create1(0);
    if (epoll_ < 0) fail("epoll_create1");
  }

  void add_pair(int caller, int engine) {
    for (int fd : {caller, engine}) {
      set_nonblocking(fd);
      if (static_cast<std::size_t>(fd) >= peer_.size()) peer_.resize(fd + 1, -1);
    }
    peer_[caller] = engine;
    peer_[engine] = caller;
    for (int fd : {caller, engine}) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLET;
      ev.data.fd = fd;
      if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) fail("epoll_ctl");
    }
  }

  void run(const std::atomic<bool>& stop) {
    tid_ = static_cast<pid_t>(syscall(SYS_gettid));
    started_.store(true);
    std::vector<epoll_event> events(256);
    std::vector<char> buffer(64 * 1024);
    while (!stop.load(std::memory_order_relaxed)) {
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        // Edge-triggered: read until a short read, which on TCP means the queue was drained;
        // data arriving later raises a new edge. One recv per message, no EAGAIN probe.
        for (;;) {
          ssize_t got = recv(fd, buffer.data(), buffer.size(), 0);
          if (got <= 0) break;
          recvs_.fetch_add(1, std::memory_order_relaxed);
          // Loopback queues are deep and the load is light: a short send never happens here,
          // and if it did the floor would only be lower than measured.
          if (send(peer_[fd], buffer.data(), static_cast<std::size_t>(got), MSG_NOSIGNAL) > 0)
            sends_.fetch_add(1, std::memory_order_relaxed);
          if (static_cast<std::size_t>(got) < buffer.size()) break;
        }
      }
    }
  }

  pid_t tid() const { return tid_; }
  bool started() const { return started_.load(); }
  long recvs() const { return recvs_.load(); }
  long sends() const { return sends_.load(); }

 private:
  int epoll_ = -1;
  std::vector<int> peer_;
  pid_t tid_ = 0;
  std::atomic<bool> started_{false};
  std::atomic<long> recvs_{0}, sends_{0};
};

struct Options {
  std::size_t calls = 400;
  double duration_s = 20;
  double warmup_s = 3;
  int delta_ms = 100;
  int reply_ms = 2000;
  int cycle_ms = 5000;
};

struct CallEnds {
  int caller = -1;  // the caller's end (Twilio's side)
  int engine = -1;  // the engine's end
};

// The callers and the engine: paced sends on a 2 ms timer, everything that arrives drained.
class Load {
 public:
  Load(const Options& options, std::vector<CallEnds> calls) : options_(options), calls_(std::move(calls)) {
    epoll_ = epoll_create1(0);
    if (epoll_ < 0) fail("epoll_create1");
    for (auto& call : calls_) {
      for (int fd : {call.caller, call.engine}) {
        set_nonblocking(fd);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLET;
        ev.data.fd = fd;
        if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) fail("epoll_ctl");
      }
    }
    timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    itimerspec spec{};
    spec.it_interval.tv_nsec = 2'000'000;
    spec.it_value.tv_nsec = 2'000'000;
    timerfd_settime(timer_, 0, &spec, nullptr);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = timer_;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, timer_, &ev);
  }

  void run(const std::atomic<bool>& stop) {
    std::string media(k_caller_media_bytes, 'a'), delta(engine_delta_bytes(options_.delta_ms), 'd'),
        mark(k_mark_bytes, 'm');
    std::vector<epoll_event> events(256);
    std::vector<char> sink(64 * 1024);
    long tick = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == timer_) {
          std::uint64_t expirations = 0;
          if (read(timer_, &expirations, sizeof expirations) != sizeof expirations) continue;
          if (expirations > 1) late_ticks_ += static_cast<long>(expirations - 1);
          for (std::uint64_t e = 0; e < expirations; ++e) send_phase(tick++, media, delta, mark);
          continue;
        }
        while (recv(fd, sink.data(), sink.size(), 0) > 0) {
        }
      }
    }
  }

  long late_ticks() const { return late_ticks_; }

 private:
  // Tick t (every 2 ms) serves the calls of phase t % 10: each call's 20 ms frame, and once per
  // delta while the engine replies, its delta and the caller's mark echo.
  void send_phase(long tick, const std::string& media, const std::string& delta, const std::string& mark) {
    const long phase = tick % 10, frame = tick / 10;
    const long ms = frame * 20;
    for (std::size_t i = static_cast<std::size_t>(phase); i < calls_.size(); i += 10) {
      send(calls_[i].caller, media.data(), media.size(), MSG_NOSIGNAL);
      // Stagger the calls' reply windows so the engine's load is steady, not in waves.
      const long offset = static_cast<long>(i * 997) % options_.cycle_ms;
      if (frame % (options_.delta_ms / 20) == 0 && (ms + offset) % options_.cycle_ms < options_.reply_ms) {
        send(calls_[i].engine, delta.data(), delta.size(), MSG_NOSIGNAL);
        send(calls_[i].caller, mark.data(), mark.size(), MSG_NOSIGNAL);
      }
    }
  }

  const Options& options_;
  std::vector<CallEnds> calls_;
  int epoll_ = -1, timer_ = -1;
  long late_ticks_ = 0;
};


}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The kernel's floor under the relay benchmark: a bare epoll relay carrying the traffic of "
               "scripts/bench over TCP loopback, and its CPU per call-second."};
  app.name("sonoria-bench-floor");
  Options options;
  bool json = false;
  app.add_option("--calls", options.calls, "concurrent calls")->capture_default_str()->check(CLI::Range(1, 20000));
  app.add_option("--duration", options.duration_s, "seconds measured, after the warm-up")->capture_default_str();
  app.add_option("--warmup", options.warmup_s, "seconds before measuring")->capture_default_str();
  app.add_option("--delta-ms", options.delta_ms, "engine audio per delta (a multiple of 20)")
      ->capture_default_str()
      ->check(CLI::Range(20, 10'000));
  app.add_option("--reply-ms", options.reply_ms, "engine audio per cycle")->capture_default_str();
  app.add_option("--cycle-ms", options.cycle_ms, "length of a turn cycle")->capture_default_str()
      ->check(CLI::Range(100, 600'000));
  app.add_flag("--json", json, "print one JSON object");
  CLI11_PARSE(app, argc, argv);
  if (options.delta_ms % 20 != 0) {
    std::cerr << "sonoria-bench-floor: --delta-ms must be a multiple of 20 (one Twilio frame), got "
              << options.delta_ms << "\n";
    return 2;
  }

  try {
    sonoria::bench::raise_open_files_limit();
    std::uint16_t relay_port = 0, engine_port = 0;
    const int relay_listener = listen_loopback(relay_port);
    const int engine_listener = listen_loopback(engine_port);
    Relay relay(options.calls);
    std::vector<CallEnds> ends;
    for (std::size_t i = 0; i < options.calls; ++i) {
      // As in a real call: the caller connects to the relay, the relay connects to the engine.
      CallEnds call;
      call.caller = connect_loopback(relay_port);
      const int relay_caller = accept_one(relay_listener);
      const int relay_engine = connect_loopback(engine_port);
      call.engine = accept_one(engine_listener);
      relay.add_pair(relay_caller, relay_engine);
      ends.push_back(call);
    }

    std::atomic<bool> stop{false};
    std::thread relay_thread([&] { relay.run(stop); });
    while (!relay.started()) std::this_thread::yield();
    Load load(options, std::move(ends));
    std::thread load_thread([&] { load.run(stop); });

    std::this_thread::sleep_for(std::chrono::duration<double>(options.warmup_s));
    const ThreadCpu before = read_thread_cpu(relay.tid());
    const long recvs_before = relay.recvs(), sends_before = relay.sends();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(options.duration_s));
    const ThreadCpu after = read_thread_cpu(relay.tid());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const long recvs = relay.recvs() - recvs_before, sends = relay.sends() - sends_before;
    stop.store(true);
    load_thread.join();
    relay_thread.join();

    const double call_seconds = seconds * static_cast<double>(options.calls);
    const double user = (after.user_ms - before.user_ms) / call_seconds;
    const double system = (after.system_ms - before.system_ms) / call_seconds;
    const double switches = static_cast<double>(after.context_switches - before.context_switches) / call_seconds;
    const double per_call_s_recvs = static_cast<double>(recvs) / call_seconds;
    const double per_call_s_sends = static_cast<double>(sends) / call_seconds;
    if (json) {
      nlohmann::json report = {{"calls", options.calls},
                               {"seconds", seconds},
                               {"cpu_ms_per_call_s", user + system},
                               {"user_ms_per_call_s", user},
                               {"system_ms_per_call_s", system},
                               {"recvs_per_call_s", per_call_s_recvs},
                               {"sends_per_call_s", per_call_s_sends},
                               {"context_switches_per_call_s", switches},
                               {"late_ticks", load.late_ticks()}};
      std::cout << report.dump() << "\n";
    } else {
      char line[512];
      std::snprintf(line, sizeof line,
                    "%zu calls, %.1f s: relay CPU %.3f ms per call-second (user %.3f, system %.3f); "
                    "%.1f recv + %.1f send per call-second; %.1f context switches per call-second; "
                    "load generator late by %ld ticks",
                    options.calls, seconds, user + system, user, system, per_call_s_recvs, per_call_s_sends, switches,
                    load.late_ticks());
      std::cout << line << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "sonoria-bench-floor: " << e.what() << "\n";
    return 1;
  }
}
