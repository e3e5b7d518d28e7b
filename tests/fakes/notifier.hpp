#pragma once
// Lets a test thread wait until a fake reaches some state. The fake's I/O thread calls notify()
// after every change it records; wait_for() re-checks the predicate after each notification, so no
// polling interval and no sleeps are involved. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace sonoria::fakes {

class Notifier {
 public:
  // Called by the fake after it changed something a predicate may look at.
  void notify() {
    {
      std::lock_guard lock(mutex_);
      ++generation_;
    }
    cv_.notify_all();
  }

  // True as soon as `predicate` holds; false if it still does not hold after `timeout`.
  // The predicate runs without the notifier's lock held, so it may call the fake's accessors.
  bool wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    for (;;) {
      const std::uint64_t seen = generation_;
      lock.unlock();
      if (predicate()) return true;
      lock.lock();
      if (std::chrono::steady_clock::now() >= deadline) return false;
      cv_.wait_until(lock, deadline, [&] { return generation_ != seen; });
    }
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::uint64_t generation_ = 0;
};

}  // namespace sonoria::fakes
