// libFuzzer's entry points (the clang build of scripts/fuzz). One executable holds every target;
// SONORIA_FUZZ_TARGET names the one this run fuzzes, so that coverage guides it alone.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/fuzz_target.hpp"

namespace {
const sonoria::fuzz::Target* g_target = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* name = std::getenv("SONORIA_FUZZ_TARGET");
  g_target = name ? sonoria::fuzz::find_target(name) : nullptr;
  if (!g_target) {
    std::fprintf(stderr, "set SONORIA_FUZZ_TARGET to one of:");
    for (const auto& target : sonoria::fuzz::targets()) std::fprintf(stderr, " %.*s", static_cast<int>(target.name.size()), target.name.data());
    std::fprintf(stderr, "\n");
    std::exit(2);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  g_target->run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
