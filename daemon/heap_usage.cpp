#include "daemon/heap_usage.hpp"

// Under AddressSanitizer or ThreadSanitizer their allocator serves malloc, and glibc's counts
// would be those of an allocator nobody uses.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SONORIA_HEAP_FROM_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SONORIA_HEAP_FROM_SANITIZER 1
#endif

#if defined(SONORIA_HEAP_FROM_SANITIZER)
#include <cstddef>
// The sanitizer runtimes' allocator statistics (compiler-rt's sanitizer/allocator_interface.h,
// which GCC does not install).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
extern "C" std::size_t __sanitizer_get_free_bytes();
#elif defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sonoria::daemon {

HeapUsage heap_usage() {
  HeapUsage usage;
#if defined(SONORIA_HEAP_FROM_SANITIZER)
  usage.in_use = __sanitizer_get_current_allocated_bytes();
  usage.free = __sanitizer_get_free_bytes();
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 info = mallinfo2();
  usage.in_use = info.uordblks + info.hblkhd;
  usage.free = info.fordblks;
#endif
  return usage;
}

}  // namespace sonoria::daemon
