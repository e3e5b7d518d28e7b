#pragma once
// Slows down password guessing. Failed logins are counted per username and per client address;
// once a key has failed `free_failures` times within the window, each further attempt must wait
// twice as long as the last (1 s, 2 s, 4 s, … up to `max_wait`). A success clears the username's
// count (not the address's: one right password does not license guessing others). Entries
// older than the window are forgotten; the table is bounded (when full, the entry with the fewest
// failures goes), so a flood of made-up usernames can neither grow it nor wash out the count of
// the address sending it.
//
// Threading: all members are safe to call from any thread.

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace sonoria::auth {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  struct Policy {
    int free_failures_per_user = 5;
    int free_failures_per_address = 20;
    std::chrono::seconds window{15 * 60};
    std::chrono::seconds max_wait{15 * 60};
    std::size_t max_entries = 10000;
  };

  LoginThrottle() : LoginThrottle(Policy{}) {}
  explicit LoginThrottle(Policy policy) : policy_(policy) {}

  // Zero when an attempt for this username from this address may be checked now; otherwise how
  // long the client must wait (the answer's Retry-After).
  std::chrono::seconds wait_before(const std::string& username, const std::string& address, Clock::time_point now);
  void failed(const std::string& username, const std::string& address, Clock::time_point now);
  void succeeded(const std::string& username);

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point last;
  };
  std::chrono::seconds wait_for(const std::string& key, int free_failures, Clock::time_point now);
  void count(const std::string& key, Clock::time_point now);

  Policy policy_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace sonoria::auth
