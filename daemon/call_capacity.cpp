#include "daemon/call_capacity.hpp"

#include <algorithm>
#include <cmath>

namespace sonoria::daemon {
namespace {

// Each window's estimate moves the cost a third of the way: one busy second (a burst of greetings)
// does not halve the capacity, and a lasting change shows within a few seconds.
constexpr double k_smoothing = 1.0 / 3.0;

}  // namespace

void CallCapacity::add(const IoLoadSample& sample) {
  load_ = std::clamp(sample.load, 0.0, 1.0);
  if (sample.calls == 0) {
    // Timers and the odd request: what the threads cost with nothing to relay.
    idle_load_ = idle_seen_ ? std::min(idle_load_, load_) : load_;
    idle_seen_ = true;
    return;
  }
  if (sample.calls < k_min_calls) return;
  const double per_call = std::max(load_ - idle_load_, 0.0) / sample.calls;
  call_load_ += k_smoothing * (per_call - call_load_);
  // A call is never free: an estimate near zero would admit without bound.
  call_load_ = std::max(call_load_, k_prior_call_load / 20);
}

std::optional<int> CallCapacity::capacity() const {
  if (max_load_ <= 0) return std::nullopt;
  const double room = std::max(max_load_ - idle_load_, 0.0);
  return static_cast<int>(std::floor(room / call_load_));
}

}  // namespace sonoria::daemon
