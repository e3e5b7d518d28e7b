#include "core/simulate/probe.hpp"

#include <time.h>

#include <cstring>

namespace sonoria::simulate {
namespace {

constexpr char k_magic[4] = {'S', 'N', 'P', '1'};
constexpr unsigned char k_pad = 0xA5;

template <typename T>
void put(char* at, T value) noexcept {
  for (std::size_t i = 0; i < sizeof(T); ++i) at[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

template <typename T>
T get(const char* at) noexcept {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(static_cast<unsigned char>(at[i])) << (8 * i);
  return value;
}

}  // namespace

std::uint64_t monotonic_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

void stamp_probe(std::string& frame, const Probe& probe) noexcept {
  if (frame.size() < k_probe_size) return;
  char* p = frame.data();
  std::memcpy(p, k_magic, 4);
  put<std::uint32_t>(p + 4, probe.stream);
  put<std::uint32_t>(p + 8, probe.sequence);
  put<std::uint64_t>(p + 12, probe.sent_ns);
  p[20] = probe.speech ? 1 : 0;
  for (int i = 21; i < 24; ++i) p[i] = static_cast<char>(k_pad);
}

std::optional<Probe> read_probe(std::string_view frame) noexcept {
  if (frame.size() < k_probe_size || std::memcmp(frame.data(), k_magic, 4) != 0) return std::nullopt;
  const char* p = frame.data();
  if (static_cast<unsigned char>(p[20]) > 1) return std::nullopt;
  for (int i = 21; i < 24; ++i)
    if (static_cast<unsigned char>(p[i]) != k_pad) return std::nullopt;
  Probe probe;
  probe.stream = get<std::uint32_t>(p + 4);
  probe.sequence = get<std::uint32_t>(p + 8);
  probe.sent_ns = get<std::uint64_t>(p + 12);
  probe.speech = p[20] == 1;
  return probe;
}

}  // namespace sonoria::simulate
