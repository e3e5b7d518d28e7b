#pragma once
// Audio the simulated caller sends when it has nothing scripted: μ-law line silence, and
// speech-like noise (noise shaped into syllables, loud enough for any voice activity detector) for
// the load generator's turns. Pure; any thread.

#include <cstdint>
#include <string>

namespace sonoria::simulate {

inline constexpr unsigned char k_ulaw_silence_byte = 0xFF;

// `ms` of μ-law silence.
std::string ulaw_silence(int ms);

// `ms` of speech-like μ-law noise: about four syllables a second of band-limited noise with a
// rising and falling envelope; never a silence code, so no frame of it reads as silence.
// Deterministic for a given `seed`.
std::string speech_noise(int ms, std::uint32_t seed = 1);

}  // namespace sonoria::simulate
