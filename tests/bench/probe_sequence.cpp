#include "tests/bench/probe_sequence.hpp"

#include <algorithm>

namespace sonoria::bench {

void ProbeSequence::observe(std::uint32_t stream, std::uint32_t sequence, FrameCounts& counts) {
  last_stream_ = stream;
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

std::optional<std::uint32_t> ProbeSequence::last_stream() const { return last_stream_; }

std::optional<std::uint32_t> ProbeSequence::expected(std::uint32_t stream) const {
  auto it = std::find_if(streams_.begin(), streams_.end(), [&](const Stream& s) { return s.id == stream; });
  if (it == streams_.end()) return std::nullopt;
  return it->next;
}

}  // namespace sonoria::bench
