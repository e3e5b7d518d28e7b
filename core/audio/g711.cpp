#include "core/audio/g711.hpp"

#include <algorithm>
#include <array>

namespace sonoria::audio {
namespace {

using SegmentEnds = std::array<int, 8>;
// Upper ends of the eight segments: µ-law works on biased 14-bit magnitudes, A-law on 13-bit ones.
constexpr SegmentEnds k_ulaw_segment_end = {0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF};
constexpr SegmentEnds k_alaw_segment_end = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};

// The first segment that holds `magnitude`, or 8 when none does (full-scale input).
constexpr int segment_of(int magnitude, const SegmentEnds& ends) {
  for (int i = 0; i < 8; ++i) {
    if (magnitude <= ends[static_cast<std::size_t>(i)]) return i;
  }
  return 8;
}

constexpr std::int16_t decode_ulaw(std::uint8_t code) {
  const int u = ~code & 0xFF;
  int t = ((u & 0x0F) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return static_cast<std::int16_t>((u & 0x80) ? (0x84 - t) : (t - 0x84));
}

constexpr std::int16_t decode_alaw(std::uint8_t code) {
  const int a = code ^ 0x55;
  int t = (a & 0x0F) << 4;
  const int segment = (a & 0x70) >> 4;
  if (segment == 0) {
    t += 8;
  } else {
    t += 0x108;
    if (segment > 1) t <<= segment - 1;
  }
  return static_cast<std::int16_t>((a & 0x80) ? t : -t);
}

template <std::int16_t (*decode)(std::uint8_t)>
constexpr std::array<std::int16_t, 256> make_table() {
  std::array<std::int16_t, 256> table{};
  for (int i = 0; i < 256; ++i) table[static_cast<std::size_t>(i)] = decode(static_cast<std::uint8_t>(i));
  return table;
}

constexpr auto k_ulaw_table = make_table<decode_ulaw>();
constexpr auto k_alaw_table = make_table<decode_alaw>();

}  // namespace

std::int16_t ulaw_to_linear(std::uint8_t code) noexcept { return k_ulaw_table[code]; }

std::int16_t alaw_to_linear(std::uint8_t code) noexcept { return k_alaw_table[code]; }

std::uint8_t linear_to_ulaw(std::int16_t sample) noexcept {
  int p = sample >> 2;  // arithmetic shift: µ-law works on 14 bits
  int mask = 0xFF;
  if (p < 0) {
    p = -p;
    mask = 0x7F;
  }
  p = std::min(p, 8159) + 33;
  const int segment = segment_of(p, k_ulaw_segment_end);
  if (segment >= 8) return static_cast<std::uint8_t>(0x7F ^ mask);
  const int code = (segment << 4) | ((p >> (segment + 1)) & 0x0F);
  return static_cast<std::uint8_t>(code ^ mask);
}

std::uint8_t linear_to_alaw(std::int16_t sample) noexcept {
  int p = sample >> 3;  // A-law works on 13 bits
  int mask = 0xD5;
  if (p < 0) {
    // One's complement, as in g711.c: -1 maps to magnitude 0, keeping the code table symmetric.
    p = -p - 1;
    mask = 0x55;
  }
  const int segment = segment_of(p, k_alaw_segment_end);
  if (segment >= 8) return static_cast<std::uint8_t>(0x7F ^ mask);
  int code = segment << 4;
  code |= segment < 2 ? (p >> 1) & 0x0F : (p >> segment) & 0x0F;
  return static_cast<std::uint8_t>(code ^ mask);
}

std::vector<std::int16_t> ulaw_decode(std::string_view bytes) {
  std::vector<std::int16_t> samples(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) samples[i] = k_ulaw_table[static_cast<unsigned char>(bytes[i])];
  return samples;
}

std::string ulaw_encode(std::span<const std::int16_t> samples) {
  std::string bytes(samples.size(), '\0');
  for (std::size_t i = 0; i < samples.size(); ++i) bytes[i] = static_cast<char>(linear_to_ulaw(samples[i]));
  return bytes;
}

std::vector<std::int16_t> alaw_decode(std::string_view bytes) {
  std::vector<std::int16_t> samples(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) samples[i] = k_alaw_table[static_cast<unsigned char>(bytes[i])];
  return samples;
}

std::string alaw_encode(std::span<const std::int16_t> samples) {
  std::string bytes(samples.size(), '\0');
  for (std::size_t i = 0; i < samples.size(); ++i) bytes[i] = static_cast<char>(linear_to_alaw(samples[i]));
  return bytes;
}

}  // namespace sonoria::audio
