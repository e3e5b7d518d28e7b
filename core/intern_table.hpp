#pragma once
// Identical immutable values shared by everyone who holds one: the same tool schema in every
// call's registry, the same session.update for every call an organization takes in one minute.
// A value lives while a holder does; the table keeps only weak references. Thread-safe.

#include <algorithm>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace sonoria {

template <typename T>
class InternTable {
 public:
  // The shared copy equal to `value` (T's ==), made from `value` when none is alive. `hash` is
  // any hash of the value: equal values must have equal hashes; collisions only cost a compare.
  std::shared_ptr<const T> intern(std::size_t hash, T value) {
    std::lock_guard lock(mutex_);
    auto [first, last] = entries_.equal_range(hash);
    for (auto it = first; it != last; ++it)
      if (auto shared = it->second.lock(); shared && *shared == value) return shared;
    auto shared = std::make_shared<const T>(std::move(value));
    entries_.emplace(hash, shared);
    if (entries_.size() >= sweep_at_) {
      std::erase_if(entries_, [](const auto& entry) { return entry.second.expired(); });
      sweep_at_ = std::max<std::size_t>(k_min_sweep, 2 * entries_.size());
    }
    return shared;
  }

  std::size_t size() const {  // entries, expired ones included until the next sweep
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  static constexpr std::size_t k_min_sweep = 64;
  mutable std::mutex mutex_;
  std::unordered_multimap<std::size_t, std::weak_ptr<const T>> entries_;
  std::size_t sweep_at_ = k_min_sweep;
};

}  // namespace sonoria
