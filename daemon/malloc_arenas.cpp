#include "daemon/malloc_arenas.hpp"

#include <algorithm>
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sonoria::daemon {

void limit_malloc_arenas(int io_threads) {
#if defined(__GLIBC__)
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;  // the operator's own choice wins
  mallopt(M_ARENA_MAX, std::max(2, io_threads));
#else
  (void)io_threads;
#endif
}

}  // namespace sonoria::daemon
