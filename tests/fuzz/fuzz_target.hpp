#pragma once
// The fuzz targets: one function per parser that takes bytes from outside (a peer, a person, a
// file), registered by name. The same targets are linked two ways (tests/fuzz/README.md):
// with libFuzzer (scripts/fuzz, clang), and with a replay driver that runs every stored input
// once (CTest: fuzz_replay), so each corpus and every crash kept as a regression input is
// replayed on each submission, under the sanitizers of the build.
//
// A target returns normally for any input. It fails by crashing: a sanitizer report, an
// exception its parser promises not to throw, or a property FUZZ_CHECK finds broken.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sonoria::fuzz {

using Entry = void (*)(std::string_view input);

struct Target {
  std::string_view name;
  Entry run;
};

// Every registered target, in registration order.
std::vector<Target>& targets();
const Target* find_target(std::string_view name);

struct Registration {
  Registration(std::string_view name, Entry run);
};

// Prints the broken property and aborts: the fuzzer keeps the input that did it.
[[noreturn]] void check_failed(const char* expression, const char* file, int line);

// `input` cut at each NUL byte: several messages from one input (a peer's conversation).
// JSON text never holds a raw NUL, so the cut points cannot fall inside a valid message.
std::vector<std::string_view> split_messages(std::string_view input);

}  // namespace sonoria::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? (void)0 : ::sonoria::fuzz::check_failed(#condition, __FILE__, __LINE__))

// SONORIA_FUZZ_TARGET(name) { ... uses `input` ... }
#define SONORIA_FUZZ_TARGET(target_name)                                                                  \
  static void fuzz_##target_name(std::string_view input);                                                \
  static const ::sonoria::fuzz::Registration fuzz_registration_##target_name(#target_name, fuzz_##target_name); \
  static void fuzz_##target_name(std::string_view input)
