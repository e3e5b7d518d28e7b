#include "daemon/admission.hpp"

namespace sonoria::daemon {

const char* admit_reason(Admit a) {
  switch (a) {
    case Admit::yes: return "admitted";
    case Admit::blocked_caller: return "blocked_caller";
    case Admit::rate_limited: return "rate_limited";
    case Admit::capacity: return "capacity";
    case Admit::draining: return "shutting_down";
    case Admit::overloaded: return "overloaded";
  }
  return "unknown";
}

Admission::Admission(Limits limits)
    : limits_(std::move(limits)), blocked_(limits_.blocked_callers.begin(), limits_.blocked_callers.end()) {}

void Admission::set_limits(Limits limits) {
  std::lock_guard lock(mutex_);
  limits_ = std::move(limits);
  blocked_ = std::set<std::string>(limits_.blocked_callers.begin(), limits_.blocked_callers.end());
}

Admission::Limits Admission::limits() const {
  std::lock_guard lock(mutex_);
  return limits_;
}

Admit Admission::admit(const std::string& caller, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (draining_) return Admit::draining;
  if (blocked_.count(caller)) return Admit::blocked_caller;
  if (limits_.max_calls_per_caller_per_hour > 0) {
    auto& times = recent_[caller];
    while (!times.empty() && now - times.front() >= std::chrono::hours(1)) times.pop_front();
    if (static_cast<int>(times.size()) >= limits_.max_calls_per_caller_per_hour) return Admit::rate_limited;
    times.push_back(now);
    // Forget callers with no calls in the window, so the map does not grow forever.
    if (recent_.size() > 10000) {
      for (auto it = recent_.begin(); it != recent_.end();)
        it = (it->second.empty() || now - it->second.back() >= std::chrono::hours(1)) ? recent_.erase(it) : std::next(it);
    }
  }
  if (active_ >= limits_.max_concurrent) return Admit::capacity;
  // Overload turns new calls away before calls in progress suffer; it is checked after the caller's
  // own limits, so a refused caller is told the real reason.
  if (!overload_.empty()) return Admit::overloaded;
  if (free_fds_ - k_fds_per_call * (admitted_since_count_ + 1) < k_fd_reserve) return Admit::overloaded;
  if (capacity_ && active_ >= *capacity_) return Admit::overloaded;
  ++active_;
  ++admitted_since_count_;
  return Admit::yes;
}

bool Admission::readmit() {
  std::lock_guard lock(mutex_);
  if (draining_) return false;
  ++active_;
  return true;
}

void Admission::release() {
  std::lock_guard lock(mutex_);
  if (active_ > 0) --active_;
}

void Admission::start_draining() {
  std::lock_guard lock(mutex_);
  draining_ = true;
}

void Admission::set_overload(std::string reason) {
  std::lock_guard lock(mutex_);
  overload_ = std::move(reason);
}

std::string Admission::overload() const {
  std::lock_guard lock(mutex_);
  if (overload_.empty() && capacity_ && active_ >= *capacity_) return capacity_why_;
  return overload_;
}

void Admission::set_call_capacity(std::optional<int> calls, std::string why) {
  std::lock_guard lock(mutex_);
  capacity_ = calls;
  capacity_why_ = std::move(why);
}


void Admission::set_free_descriptors(int free) {
  std::lock_guard lock(mutex_);
  free_fds_ = free;
  admitted_since_count_ = 0;
}

bool Admission::draining() const {
  std::lock_guard lock(mutex_);
  return draining_;
}

int Admission::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

}  // namespace sonoria::daemon
