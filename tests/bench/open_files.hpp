#pragma once
// The benchmark's programs hold a socket or two per call: 1000+ calls need more descriptors than
// the usual soft limit of 1024. Raises the soft limit to the hard one.

#include <sys/resource.h>

namespace sonoria::bench {

inline void raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace sonoria::bench
