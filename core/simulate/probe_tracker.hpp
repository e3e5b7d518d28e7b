#pragma once
// Checks the probe frames one call receives (core/simulate/probe.hpp): per probe stream, sequences
// must run 0, 1, 2, … A jump ahead counts the skipped frames as lost; a sequence below the next
// expected one counts as reordered (a late frame that was already counted lost stays counted).
// Not thread-safe: one per call.

#include <cstdint>
#include <utility>
#include <vector>

namespace sonoria::simulate {

class ProbeTracker {
 public:
  void see(std::uint32_t stream, std::uint32_t sequence);

  std::uint64_t received() const { return received_; }
  std::uint64_t lost() const { return lost_; }
  std::uint64_t reordered() const { return reordered_; }

 private:
  std::vector<std::pair<std::uint32_t, std::uint32_t>> next_;  // stream → next expected sequence
  std::uint64_t received_ = 0;
  std::uint64_t lost_ = 0;
  std::uint64_t reordered_ = 0;
};

}  // namespace sonoria::simulate
