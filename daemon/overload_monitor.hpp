#pragma once
// Watches whether the daemon can give one more call its audio on time, and tells Admission:
//  - the event loop's lag: a timer due every 50 ms, and how late it fires. Above
//    calls.max_event_loop_lag (over the last second) the daemon is overloaded until the lag falls
//    below half of it: new calls go to the fallback, /readyz says why, calls in progress keep
//    their audio.
//  - the I/O threads' load, once a second (daemon/call_capacity.hpp): Admission admits no more
//    calls than the threads carry under calls.max_io_load_percent, estimated from what the calls
//    in progress cost, so that a ramp of calls stops before the lag would say anything.
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
  // A reload's calls.max_event_loop_lag and calls.max_io_load_percent (any thread).
  void set_max_lag(std::chrono::milliseconds max_lag);
  void set_max_io_load(int percent);
  // Called on each thread that runs the io_context, as it starts: the threads whose load counts.
  void add_io_thread();

  // Open descriptors and the process's limit; {-1, -1} when they cannot be read.
  static std::pair<int, int> descriptors();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sonoria::daemon
