#include "core/simulate/probe_tracker.hpp"

#include <algorithm>

namespace sonoria::simulate {

void ProbeTracker::see(std::uint32_t stream, std::uint32_t sequence) {
  ++received_;
  // A call usually sees one stream (more only if the engine leg reconnected): a linear scan wins.
  auto it = std::find_if(next_.begin(), next_.end(), [&](const auto& entry) { return entry.first == stream; });
  if (it == next_.end()) it = next_.insert(next_.end(), {stream, 0u});
  std::uint32_t& next = it->second;
  if (sequence == next) {
    ++next;
  } else if (sequence > next) {
    lost_ += sequence - next;
    next = sequence + 1;
  } else {
    ++reordered_;
  }
}

}  // namespace sonoria::simulate
