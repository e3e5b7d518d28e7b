#pragma once
// How many calls the daemon's I/O threads can carry, from what the calls in progress cost them.
//
// The event loop's lag only rises once the threads are already saturated, and a call admitted now
// costs nothing until its audio flows a second or two later: a ramp of calls is admitted in full
// before the lag says anything, and then every call in progress suffers (the bench's 400 calls on
// 40 % of a core). So admission also asks, before it is too late, what one more call would cost.
//
// The I/O threads' load is the share of time they were runnable (running, or waiting for a CPU:
// /proc/self/task/TID/schedstat), the mean over the threads. A CPU taken by another process shows
// as waiting, so a busy neighbour lowers the capacity just as more calls would. The cost of a call
// is the load above the idle load, divided by the calls in progress; until there are enough, a
// prior is used. (Dividing by only the calls whose audio already flowed overstated it threefold
// during a ramp: a call costs the most while it is set up. Calls still ringing understate it a
// little instead, and the estimate follows them within seconds.)
// Pure; not thread-safe (the overload monitor owns one).

#include <optional>

namespace sonoria::daemon {

struct IoLoadSample {
  double load = 0;  // mean share of the window the I/O threads were runnable, 0–1
  int calls = 0;    // calls in progress at its end
};

class CallCapacity {
 public:
  // Fewer calls than this say too little about one call's cost: the prior stands.
  static constexpr int k_min_calls = 10;
  // One call's load before any is measured: a few times what the bench measures on a small VM,
  // so that a burst on an idle daemon is admitted, but not without bound.
  static constexpr double k_prior_call_load = 0.004;

  // `max_load`: the I/O threads' load that admission keeps under (calls.max_io_load); 0 = no limit.
  explicit CallCapacity(double max_load) : max_load_(max_load) {}
  void set_max_load(double max_load) { max_load_ = max_load; }
  double max_load() const { return max_load_; }

  // One window's measurement.
  void add(const IoLoadSample& sample);

  // Calls the I/O threads can carry under max_load (in progress and new together); nullopt when
  // there is no limit.
  std::optional<int> capacity() const;

  // The load of one call as last estimated, and the idle load (for the metrics and the log).
  double call_load() const { return call_load_; }
  double idle_load() const { return idle_load_; }
  double load() const { return load_; }

 private:
  double max_load_;
  double load_ = 0;
  double idle_load_ = 0;  // the lowest load seen with no call in progress
  bool idle_seen_ = false;
  double call_load_ = k_prior_call_load;
};

}  // namespace sonoria::daemon
