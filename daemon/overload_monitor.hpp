#pragma once
// Watches whether the daemon can give one more call its audio on time, and tells Admission:
//  - the event loop's lag: a timer due every 50 ms, and how late it fires. Above
//    calls.max_event_loop_lag (over the last second) the daemon is overloaded until the lag falls
//    below half of it: new calls go to the fallback, /readyz says why, calls in progress keep
//    their audio.
//  - file descriptors: counted once a second (/proc/self/fd against RLIMIT_NOFILE); Admission
//    keeps three per call admitted since, and a reserve, so the daemon refuses early instead of
//    leaving a caller with dead air when accept() or a connect() fails.
// Entering and leaving overload is logged once each. Runs on the io_context it measures.

#include <atomic>
#include <chrono>
#include <memory>

#include "core/config/settings.hpp"

namespace boost::asio {
class io_context;
}

namespace sonoria::daemon {

class Admission;
class Metrics;

class OverloadMonitor {
 public:
  OverloadMonitor(boost::asio::io_context& io, const config::Settings& settings, Admission& admission, Metrics& metrics);
  ~OverloadMonitor();

  void start();
  void stop();
  // A reload's calls.max_event_loop_lag (any thread).
  void set_max_lag(std::chrono::milliseconds max_lag);

  // Open descriptors and the process's limit; {-1, -1} when they cannot be read.
  static std::pair<int, int> descriptors();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sonoria::daemon
