#include "core/simulate/caller_audio.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/audio/g711.hpp"

namespace sonoria::simulate {

std::string ulaw_silence(int ms) {
  return std::string(static_cast<std::size_t>(ms > 0 ? ms : 0) * 8, static_cast<char>(k_ulaw_silence_byte));
}

std::string speech_noise(int ms, std::uint32_t seed) {
  constexpr double k_rate = 8000.0;
  constexpr double k_pi = 3.14159265358979323846;
  constexpr double k_syllable_hz = 4.0;
  const std::size_t samples = static_cast<std::size_t>(ms > 0 ? ms : 0) * 8;
  std::mt19937 engine(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::string out;
  out.reserve(samples);
  double low = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    // A one-pole low-pass takes the hiss out; the envelope never falls below a third, so every
    // frame stays well above silence.
    low += 0.35 * (noise(engine) - low);
    const double envelope = 0.35 + 0.65 * std::abs(std::sin(k_pi * k_syllable_hz * static_cast<double>(i) / k_rate));
    const double sample = std::clamp(low * envelope * 9000.0, -32000.0, 32000.0);
    auto code = audio::linear_to_ulaw(static_cast<std::int16_t>(sample));
    if (code == k_ulaw_silence_byte || code == 0x7F) code = 0xFE;
    out.push_back(static_cast<char>(code));
  }
  return out;
}

}  // namespace sonoria::simulate
