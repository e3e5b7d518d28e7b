#pragma once
// What the process's allocator holds: bytes in live allocations and bytes it keeps free for
// reuse. Beside the resident size (which counts both, and pages the allocator has not returned),
// it tells a leak (in use grows) from fragmentation and high-water marks (free grows, in use
// flat). Read for /metrics; it walks every malloc arena under its lock, so not per message.

#include <cstdint>

namespace sonoria::daemon {

struct HeapUsage {
  std::uint64_t in_use = 0;  // live allocations, mmapped blocks included
  std::uint64_t free = 0;    // held by the allocator, not in use
};

// glibc's mallinfo2(); under a sanitizer whose allocator replaces glibc's, that allocator's counts.
// Zero where neither is available.
HeapUsage heap_usage();

}  // namespace sonoria::daemon
