#include "tests/bench/probe_sequence.hpp"

#include <algorithm>

namespace sonoria::bench {

void ProbeSequence::observe(std::uint32_t stream, std::uint32_t sequence, FrameCounts& counts) {
  auto it = std::find_if(streams_.begin(), streams_.end(), [&](const Stream& s) { return s.id == stream; });
  if (it == streams_.end()) {
    counts.missed_at_start += sequence;
    streams_.push_back({stream, sequence + 1});
    return;
  }
  if (sequence == it->next) {
    ++it->next;
  } else if (sequence > it->next) {
    counts.lost += sequence - it->next;
    it->next = sequence + 1;
  } else {
    ++counts.reordered;
  }
}

}  // namespace sonoria::bench
