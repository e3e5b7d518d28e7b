#include "daemon/token_buckets.hpp"

#include <algorithm>

namespace sonoria::daemon {

TokenBuckets::TokenBuckets(double burst, double per_second, std::size_t capacity)
    : burst_(burst), per_second_(per_second), capacity_(capacity) {}

double TokenBuckets::refilled(const Bucket& b, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.at).count();
  return std::min(burst_, b.tokens + std::max(0.0, elapsed) * per_second_);
}

// Drops the buckets that are full again. At most one sweep a second: a flood of new keys while
// the table is full of busy ones is refused without walking it each time.
bool TokenBuckets::make_room(Clock::time_point now) {
  if (last_sweep_ != Clock::time_point{} && now - last_sweep_ < std::chrono::seconds(1)) return false;
  last_sweep_ = now;
  std::erase_if(buckets_, [&](const auto& entry) { return refilled(entry.second, now) >= burst_; });
  return buckets_.size() < capacity_;
}

bool TokenBuckets::take(const std::string& key, Clock::time_point now) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= capacity_ && !make_room(now)) return false;
    it = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = refilled(b, now);
  b.at = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace sonoria::daemon
