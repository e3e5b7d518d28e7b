#pragma once
// Audio the fakes send and recognise: a steady tone in the three formats OpenAI Realtime speaks
// (G.711 μ-law and A-law at 8 kHz, 16-bit PCM at 24 kHz) and μ-law silence. Pure functions.

#include <cstdint>
#include <string>

namespace sonoria::fakes {

inline constexpr unsigned char k_ulaw_silence = 0xFF;  // μ-law code for 0 (protocols.md §3.4)
inline constexpr int k_ulaw_bytes_per_ms = 8;

// `ms` of a 440 Hz tone as μ-law, starting at sample `first_sample` (so consecutive calls join
// without a click). No byte is 0xFF, so every byte counts as "speech" for the fakes' VAD.
std::string ulaw_tone(int ms, std::int64_t first_sample = 0);

// The same tone as A-law (8 kHz) and as little-endian 16-bit PCM at 24 kHz.
std::string alaw_tone(int ms, std::int64_t first_sample = 0);
std::string pcm16_tone_24k(int ms, std::int64_t first_sample = 0);

// `ms` of μ-law silence (0xFF bytes).
std::string ulaw_silence(int ms);

// G.711 encoders for one 16-bit linear sample.
std::uint8_t linear_to_ulaw(std::int16_t sample);
std::uint8_t linear_to_alaw(std::int16_t sample);

}  // namespace sonoria::fakes
