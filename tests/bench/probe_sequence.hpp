#pragma once
// Sequence checking of the probe streams one engine connection receives (usually one: the call's
// caller audio). A stream's first probe on the connection sets the baseline (numbers before it are
// "missed at start": frames sonoria dropped before its engine session was live, or sent to an
// earlier connection of the same call); after that a jump forward counts the skipped numbers as
// lost, and a number at or below one already seen counts as reordered (a late frame therefore
// counts once as lost, when its gap is seen, and once as reordered). Pure; not thread-safe.

#include <cstdint>
#include <optional>
#include <vector>

#include "tests/bench/engine_stats.hpp"

namespace sonoria::bench {

class ProbeSequence {
 public:
  // Checks `sequence` on `stream` and adds what it finds to `counts`.
  void observe(std::uint32_t stream, std::uint32_t sequence, FrameCounts& counts);

  // The stream of the last probe observed (nullopt before the first).
  std::optional<std::uint32_t> last_stream() const;
  // The sequence number `stream` expects next (nullopt for a stream not seen yet).
  std::optional<std::uint32_t> expected(std::uint32_t stream) const;

 private:
  struct Stream {
    std::uint32_t id = 0;
    std::uint32_t next = 0;  // the number expected next
  };
  std::vector<Stream> streams_;  // a handful at most; a linear scan beats a map
  std::optional<std::uint32_t> last_stream_;
};

}  // namespace sonoria::bench
