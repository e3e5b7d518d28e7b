// sonoria-fuzz-replay: runs stored inputs through the fuzz targets once each, in any build (no
// libFuzzer needed), so CTest replays every seed corpus and every regression input under the
// build's sanitizers.
//
//   sonoria-fuzz-replay DIR...     DIR/<target>/<input files>, for every target; a target with no
//                                  folder is an error (each must have a seed corpus)
//   sonoria-fuzz-replay --list     the targets' names
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <unistd.h>

#include "tests/fuzz/fuzz_target.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SONORIA_REPLAY_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(SONORIA_REPLAY_ASAN)
#include <sanitizer/common_interface_defs.h>
#define SONORIA_REPLAY_DEATH_CALLBACK 1
#endif

namespace fs = std::filesystem;

namespace {

// The input being run, named when it crashes (a sanitizer's report, or an abort).
char g_current[4096] = "";

void name_current_input() {
  const char prefix[] = "\nsonoria-fuzz-replay: the failing input is ";
  (void)!write(2, prefix, sizeof prefix - 1);
  (void)!write(2, g_current, std::strlen(g_current));
  (void)!write(2, "\n", 1);
}

void on_fatal_signal(int signal_number) {
  name_current_input();
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

}  // namespace

int main(int argc, char** argv) {
  const auto& targets = sonoria::fuzz::targets();
  if (argc == 2 && std::string(argv[1]) == "--list") {
    for (const auto& target : targets) std::printf("%.*s\n", static_cast<int>(target.name.size()), target.name.data());
    return 0;
  }
  if (argc < 2) {
    std::fprintf(stderr, "usage: sonoria-fuzz-replay DIR... | --list\n");
    return 2;
  }
  std::signal(SIGABRT, on_fatal_signal);
  std::signal(SIGSEGV, on_fatal_signal);
#ifdef SONORIA_REPLAY_DEATH_CALLBACK
  __sanitizer_set_death_callback(name_current_input);
#endif
  std::set<std::string> seeded;
  int failures = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path root(argv[i]);
    if (!fs::is_directory(root)) {
      std::fprintf(stderr, "%s: not a directory\n", argv[i]);
      return 2;
    }
    for (const auto& entry : fs::directory_iterator(root)) {
      if (!entry.is_directory()) continue;
      const std::string name = entry.path().filename().string();
      const auto* target = sonoria::fuzz::find_target(name);
      if (!target) {
        std::fprintf(stderr, "%s: no fuzz target named %s\n", entry.path().c_str(), name.c_str());
        ++failures;
        continue;
      }
      std::vector<fs::path> inputs;
      for (const auto& file : fs::directory_iterator(entry.path()))
        if (file.is_regular_file()) inputs.push_back(file.path());
      std::sort(inputs.begin(), inputs.end());
      for (const auto& path : inputs) {
        std::ifstream in(path, std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        std::snprintf(g_current, sizeof g_current, "%s", path.c_str());
        target->run(bytes);
      }
      std::printf("%-18s %5zu inputs from %s\n", name.c_str(), inputs.size(), entry.path().c_str());
      if (!inputs.empty()) seeded.insert(name);
    }
  }
  for (const auto& target : targets) {
    if (!seeded.count(std::string(target.name))) {
      std::fprintf(stderr, "fuzz target %.*s has no stored inputs\n", static_cast<int>(target.name.size()), target.name.data());
      ++failures;
    }
  }
  return failures ? 1 : 0;
}
