#include "core/auth/login_throttle.hpp"

#include <algorithm>
#include <utility>

namespace sonoria::auth {

std::chrono::seconds LoginThrottle::wait_for(const std::string& key, int free_failures, Clock::time_point now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::chrono::seconds(0);
  if (now - it->second.last >= policy_.window) {
    entries_.erase(it);
    return std::chrono::seconds(0);
  }
  const int over = it->second.failures - free_failures;
  if (over < 0) return std::chrono::seconds(0);
  const auto wait = std::min<std::chrono::seconds>(std::chrono::seconds(int64_t{1} << std::min(over, 20)), policy_.max_wait);
  const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - it->second.last);
  return waited >= wait ? std::chrono::seconds(0) : wait - waited;
}

std::chrono::seconds LoginThrottle::wait_before(const std::string& username, const std::string& address,
                                                Clock::time_point now) {
  std::lock_guard lock(mutex_);
  return std::max(wait_for("user:" + username, policy_.free_failures_per_user, now),
                  wait_for("address:" + address, policy_.free_failures_per_address, now));
}

void LoginThrottle::count(const std::string& key, Clock::time_point now) {
  auto it = entries_.find(key);
  if (it != entries_.end() && now - it->second.last >= policy_.window) it->second.failures = 0;
  if (it == entries_.end()) {
    if (entries_.size() >= policy_.max_entries) {
      // Forget the entry that matters least: the fewest failures, the oldest of those. A flood of
      // made-up usernames (one failure each) so evicts its own entries, never the address that
      // sends it or an account under attack.
      auto least = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
        return std::pair(a.second.failures, a.second.last) < std::pair(b.second.failures, b.second.last);
      });
      entries_.erase(least);
    }
    it = entries_.emplace(key, Entry{}).first;
  }
  it->second.failures++;
  it->second.last = now;
}

void LoginThrottle::failed(const std::string& username, const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  count("user:" + username, now);
  count("address:" + address, now);
}

void LoginThrottle::succeeded(const std::string& username) {
  std::lock_guard lock(mutex_);
  entries_.erase("user:" + username);
}

}  // namespace sonoria::auth
