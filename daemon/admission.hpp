#pragma once
// Whether to answer a call: blocked callers, a per-caller rate limit, and capacity. Holds the
// counts of live calls; thread-safe. Time is passed in, so tests need no clock.

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sonoria::daemon {

enum class Admit { yes, blocked_caller, rate_limited, capacity, draining, overloaded };

// The stable name recorded as the call's end reason ("rate_limited").
const char* admit_reason(Admit a);

class Admission {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    int max_concurrent = 20;
    int max_calls_per_caller_per_hour = 10;  // 0 = unlimited
    std::vector<std::string> blocked_callers;
  };
  explicit Admission(Limits limits);
  // A reload: new limits for the calls admitted from now on (calls in progress keep their slots).
  void set_limits(Limits limits);
  Limits limits() const;

  // Decides and, when admitted, counts the call as active until release().
  Admit admit(const std::string& caller, Clock::time_point now);
  // A call already admitted comes back to the assistant (its transfer was not answered): counted
  // as active again without the per-caller and capacity limits, which it already passed. False
  // while draining.
  bool readmit();
  void release();
  void start_draining();
  bool draining() const;
  int active() const;

  // Overload (daemon/overload_monitor.hpp): while `reason` is set, new calls are not admitted.
  void set_overload(std::string reason);
  // Why a new call would not be admitted for overload now ("" when it would): the reason set, or
  // the call capacity reached.
  std::string overload() const;
  // What the I/O threads can carry (daemon/call_capacity.hpp): a call is admitted only while fewer
  // than `calls` are in progress (nullopt: no such limit). `why` is what overload() says at it.
  void set_call_capacity(std::optional<int> calls, std::string why);

  // File descriptors: `free` were free when last counted. Each call admitted since takes about
  // k_fds_per_call of them; a call is admitted only while k_fd_reserve would still be left.
  void set_free_descriptors(int free);
  static constexpr int k_fds_per_call = 3;   // the media stream, the engine, a webhook or REST request
  static constexpr int k_fd_reserve = 16;    // /healthz, /metrics, the database, the dashboard

 private:
  Limits limits_;
  std::set<std::string> blocked_;
  mutable std::mutex mutex_;
  int active_ = 0;
  bool draining_ = false;
  std::string overload_;
  int free_fds_ = 1 << 30;          // unknown until counted
  int admitted_since_count_ = 0;
  std::optional<int> capacity_;
  std::string capacity_why_;
  std::map<std::string, std::deque<Clock::time_point>> recent_;  // per caller, within the hour
};

}  // namespace sonoria::daemon
