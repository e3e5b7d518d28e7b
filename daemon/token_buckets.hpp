#pragma once
// Token buckets by key (a client, a token): `burst` at once, then `per_second`. The table is
// bounded: when it is full, buckets that have refilled (no different from a new one) make room;
// while every bucket is still in use, a key that finds no room is refused, rather than the table
// being emptied, which would hand every client under a limit a fresh allowance. Plain state, not
// thread-safe (daemon/api_routes.hpp holds it under its lock).

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace sonoria::daemon {

class TokenBuckets {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBuckets(double burst, double per_second, std::size_t capacity);

  // Takes a token from `key`'s bucket: false when it has none, or it has no bucket and none can
  // be made.
  bool take(const std::string& key, Clock::time_point now);
  std::size_t size() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at;
  };
  double refilled(const Bucket& b, Clock::time_point now) const;
  bool make_room(Clock::time_point now);

  double burst_;
  double per_second_;
  std::size_t capacity_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace sonoria::daemon
