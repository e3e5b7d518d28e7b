#pragma once
// One timer that drives many simulated calls: every 20 ms, on an absolute schedule (tick k is due
// at origin + k × 20 ms, so a late tick does not push the later ones back), it runs the actions
// whose time has come (calls starting during a ramp) and then ticks every registered call once
// (or, with phases, each call in its own phase of the 20 ms).
// One timer instead of one per call keeps 1000 calls cheap; the lateness of each tick is recorded
// so a run can say whether the harness itself kept up.
//
// Threading: create it on a strand (or a one-thread io_context) and call every member there; ticks
// run there too, so the calls it drives must live on the same strand. The timer runs only while
// there is something to do and restarts (re-anchoring the schedule) when work arrives.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace sonoria::simulate {

// Something ticked every period. Returning false unregisters it.
class Tickable {
 public:
  virtual ~Tickable() = default;
  virtual bool tick(std::chrono::steady_clock::time_point now) = 0;
};

struct TickerStats {
  std::uint64_t ticks = 0;
  std::uint64_t late_ticks = 0;               // fired more than 5 ms after their due time
  std::chrono::microseconds max_lag{0};       // the latest any tick fired
};

inline constexpr std::chrono::milliseconds k_late_tick{5};

class Ticker : public std::enable_shared_from_this<Ticker> {
 public:
  using Clock = std::chrono::steady_clock;

  // With `phases` > 1 the period is cut into that many phases and the tickables are spread over
  // them (in the order added): each is still ticked once per period, but their sends are spread
  // over it as independent Twilio streams' are, instead of every call's frame leaving in one burst.
  static std::shared_ptr<Ticker> create(boost::asio::any_io_executor executor,
                                        Clock::duration period = std::chrono::milliseconds(20), int phases = 1);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  // Runs `action` on the first tick at or after `when`.
  void at(Clock::time_point when, std::function<void()> action);
  // Ticks `tickable` from the next tick on, until it returns false or stop() is called.
  void add(std::shared_ptr<Tickable> tickable);
  // Drops every scheduled action and tickable and stops the timer.
  void stop();

  const TickerStats& stats() const { return stats_; }

 private:
  struct Timer;
  Ticker(boost::asio::any_io_executor executor, Clock::duration period, int phases);
  void ensure_running();
  void schedule();
  void on_tick();

  boost::asio::any_io_executor executor_;
  Clock::duration period_;
  std::unique_ptr<Timer> timer_;
  bool running_ = false;
  Clock::time_point due_{};
  std::vector<std::pair<Clock::time_point, std::function<void()>>> actions_;  // sorted, latest first
  std::vector<std::vector<std::shared_ptr<Tickable>>> phases_;  // tickables by phase
  std::size_t phase_ = 0;          // the phase the next timer expiry serves
  std::size_t next_phase_ = 0;     // where add() puts the next tickable
  TickerStats stats_;
};

}  // namespace sonoria::simulate
