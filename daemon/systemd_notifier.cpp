#include "daemon/systemd_notifier.hpp"

#include <fcntl.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>

namespace sonoria::daemon {
namespace {

uint64_t monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

void notify(const std::string& state) { sd_notify(0, state.c_str()); }

}  // namespace

void SystemdNotifier::ready() { notify("READY=1\nSTATUS=answering calls"); }

void SystemdNotifier::reloading() {
  // MONOTONIC_USEC lets Type=notify-reload (systemd 253+) match the notice to its reload.
  notify("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()));
}

void SystemdNotifier::stopping() { notify("STOPPING=1\nSTATUS=draining: finishing the calls in progress"); }

void SystemdNotifier::status(const std::string& text) { notify("STATUS=" + text); }

void SystemdNotifier::extend_timeout(std::chrono::microseconds more) {
  notify("EXTEND_TIMEOUT_USEC=" + std::to_string(more.count()));
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

void SystemdNotifier::watchdog() { notify("WATCHDOG=1"); }

std::vector<InheritedSocket> take_inherited_sockets() {
  char** names = nullptr;
  // unset_environment = 1: a child process (none today) must not think the sockets are its own.
  const int n = sd_listen_fds_with_names(1, &names);
  std::vector<InheritedSocket> out;
  for (int i = 0; i < n; ++i) {
    const int fd = SD_LISTEN_FDS_START + i;
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    std::string name = names && names[i] ? names[i] : "";
    // systemd names a socket "unknown" unless FileDescriptorName= says otherwise.
    if (name == "unknown") name.clear();
    out.push_back({fd, std::move(name)});
  }
  if (names) {
    for (int i = 0; i < n; ++i) std::free(names[i]);
    std::free(names);
  }
  return out;
}

}  // namespace sonoria::daemon
