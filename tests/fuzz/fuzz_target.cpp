#include "tests/fuzz/fuzz_target.hpp"

#include <cstdio>
#include <cstdlib>

namespace sonoria::fuzz {

std::vector<Target>& targets() {
  static std::vector<Target> all;
  return all;
}

const Target* find_target(std::string_view name) {
  for (const Target& target : targets())
    if (target.name == name) return &target;
  return nullptr;
}

Registration::Registration(std::string_view name, Entry run) { targets().push_back({name, run}); }

void check_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz property broken: %s\n", file, line, expression);
  std::abort();
}

std::vector<std::string_view> split_messages(std::string_view input) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t nul = input.find('\0');
    out.push_back(input.substr(0, nul));
    if (nul == std::string_view::npos) return out;
    input.remove_prefix(nul + 1);
  }
}

}  // namespace sonoria::fuzz
