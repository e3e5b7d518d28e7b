#pragma once
// glibc gives each thread that contends for the allocator an arena of its own, up to 8 per core,
// and memory freed into one arena is not reused by another. The daemon allocates mostly on its
// io threads, so more arenas than io threads only add fragmentation: at 400 calls that was
// 7 KiB per call of resident memory (scripts/bench, tests/bench/README.md).

namespace sonoria::daemon {

// Caps the arenas at `io_threads` (at least 2), unless MALLOC_ARENA_MAX in the environment
// already says otherwise. Call before the daemon starts its threads.
void limit_malloc_arenas(int io_threads);

}  // namespace sonoria::daemon
