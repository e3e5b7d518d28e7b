#pragma once
// ITU-T G.711 µ-law and A-law (protocols.md §8), bit-exact with the classic Sun g711.c and
// CPython's audioop. Twilio and the engines speak µ-law 8 kHz end to end; the codec is needed only
// where 16-bit PCM is (Ultravox, level metering, tests). Pure functions; any thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::audio {

// µ-law silence: 0xFF decodes to 0 (so does 0x7F).
inline constexpr std::uint8_t k_ulaw_silence = 0xFF;
// A-law silence: 0xD5 decodes to +8, the smallest positive step.
inline constexpr std::uint8_t k_alaw_silence = 0xD5;

// How long `bytes` of G.711 at 8 kHz (Twilio's audio) play: 125 µs a byte.
constexpr std::chrono::microseconds g711_8k_duration(std::size_t bytes) noexcept {
  return std::chrono::microseconds(125) * static_cast<std::int64_t>(bytes);
}

std::int16_t ulaw_to_linear(std::uint8_t code) noexcept;
std::uint8_t linear_to_ulaw(std::int16_t sample) noexcept;
std::int16_t alaw_to_linear(std::uint8_t code) noexcept;
std::uint8_t linear_to_alaw(std::int16_t sample) noexcept;

// Whole buffers: one sample per byte. `bytes` holds raw codes (e.g. a decoded Twilio payload).
std::vector<std::int16_t> ulaw_decode(std::string_view bytes);
std::string ulaw_encode(std::span<const std::int16_t> samples);
std::vector<std::int16_t> alaw_decode(std::string_view bytes);
std::string alaw_encode(std::span<const std::int16_t> samples);

}  // namespace sonoria::audio
