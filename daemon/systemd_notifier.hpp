#pragma once
// The daemon's side of systemd (sd_notify(3), sd_listen_fds(3)): readiness, reloading and stopping
// notices, the watchdog, more time while draining, and the listening sockets systemd passes in
// (socket activation). Outside systemd (no NOTIFY_SOCKET, no LISTEN_FDS) every call does nothing.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sonoria::daemon {

class SystemdNotifier {
 public:
  void ready();
  void reloading();
  void stopping();
  void status(const std::string& text);
  // While draining: "do not kill me for `more` from now" (EXTEND_TIMEOUT_USEC).
  void extend_timeout(std::chrono::microseconds more);
  // The watchdog's interval when WatchdogSec= is set (ping at half of it), else nullopt.
  std::optional<std::chrono::microseconds> watchdog_interval() const;
  void watchdog();
};

// A listening socket passed by systemd, with its FileDescriptorName= ("" when unnamed).
struct InheritedSocket {
  int fd = -1;
  std::string name;
};
// The sockets systemd passed to this process (LISTEN_FDS for our pid), once; later calls get
// nothing. Their close-on-exec flag is set.
std::vector<InheritedSocket> take_inherited_sockets();

}  // namespace sonoria::daemon
