#include "tests/fakes/audio_samples.hpp"

#include <cmath>
#include <numbers>

namespace sonoria::fakes {
namespace {

constexpr double k_tone_hz = 440.0;
constexpr double k_amplitude = 8000.0;  // about -12 dBFS: clearly speech, never clipping

std::int16_t tone_sample(std::int64_t n, int rate) {
  const double t = static_cast<double>(n) / rate;
  return static_cast<std::int16_t>(std::lround(k_amplitude * std::sin(2.0 * std::numbers::pi * k_tone_hz * t)));
}

}  // namespace

std::uint8_t linear_to_ulaw(std::int16_t sample) {
  // ITU-T G.711 μ-law: bias, find the segment, keep 4 mantissa bits, invert.
  constexpr int k_bias = 0x84;
  constexpr int k_clip = 32635;
  int value = sample;
  const int sign = value < 0 ? 0x80 : 0x00;
  if (value < 0) value = -value;
  if (value > k_clip) value = k_clip;
  value += k_bias;
  int exponent = 7;
  for (int mask = 0x4000; (value & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
  const int mantissa = (value >> (exponent + 3)) & 0x0F;
  return static_cast<std::uint8_t>(~(sign | (exponent << 4) | mantissa));
}

std::uint8_t linear_to_alaw(std::int16_t sample) {
  int value = sample >> 3;  // A-law works on 13-bit magnitudes
  int sign = 0x80;
  if (value < 0) {
    sign = 0x00;
    value = -value - 1;
  }
  if (value > 0x0FFF) value = 0x0FFF;
  int code = 0;
  if (value < 32) {
    code = value >> 1;
  } else {
    int exponent = 1;
    while (value >= (32 << exponent) && exponent < 7) ++exponent;
    code = (exponent << 4) | ((value >> exponent) & 0x0F);
  }
  return static_cast<std::uint8_t>((sign | code) ^ 0x55);
}

std::string ulaw_tone(int ms, std::int64_t first_sample) {
  std::string out;
  const int samples = ms > 0 ? ms * 8 : 0;
  out.reserve(static_cast<std::size_t>(samples));
  for (int i = 0; i < samples; ++i) {
    std::uint8_t byte = linear_to_ulaw(tone_sample(first_sample + i, 8000));
    // Near zero crossings μ-law yields 0xFF; nudge to the smallest positive code so every byte
    // of the tone reads as non-silence.
    if (byte == k_ulaw_silence) byte = 0xFE;
    out.push_back(static_cast<char>(byte));
  }
  return out;
}

std::string alaw_tone(int ms, std::int64_t first_sample) {
  std::string out;
  const int samples = ms > 0 ? ms * 8 : 0;
  out.reserve(static_cast<std::size_t>(samples));
  for (int i = 0; i < samples; ++i) out.push_back(static_cast<char>(linear_to_alaw(tone_sample(first_sample + i, 8000))));
  return out;
}

std::string pcm16_tone_24k(int ms, std::int64_t first_sample) {
  std::string out;
  const int samples = ms > 0 ? ms * 24 : 0;
  out.reserve(static_cast<std::size_t>(samples) * 2);
  for (int i = 0; i < samples; ++i) {
    const auto value = static_cast<std::uint16_t>(tone_sample(first_sample + i, 24000));
    out.push_back(static_cast<char>(value & 0xFF));
    out.push_back(static_cast<char>(value >> 8));
  }
  return out;
}

std::string ulaw_silence(int ms) {
  return std::string(static_cast<std::size_t>(ms > 0 ? ms * k_ulaw_bytes_per_ms : 0), static_cast<char>(k_ulaw_silence));
}

}  // namespace sonoria::fakes
