#pragma once
// The bench engine's own voice, shared by every provider's conversation: a 400 Hz tone in 160-byte
// μ-law frames (20 ms, the probe frame size), each stamped with a probe (core/simulate/probe.hpp)
// so that `sonoria simulate --probe` can time it and check its sequence on arrival.
//
// Ultravox speaks s16le PCM, which sonoria encodes to μ-law for Twilio: every μ-law byte is sent
// as a sample that sonoria's encoder turns back into that very byte (pcm_preimage) — every byte but
// 0x7F ("negative zero"), which G.711 encoders never produce. Probes sent that way must therefore
// hold no 0x7F byte (probe_fits_pcm; agent_speech.hpp sees to it). Pure; callable from any thread.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sonoria::bench {

// One 160-byte frame of a 400 Hz tone (exactly eight periods, so frames join without a click).
const std::string& tone_frame();

// Appends `frames` tone frames to `out`, each stamped {stream, sequence++, sent_ns, speech}.
void append_probe_tone(std::string& out, std::uint32_t stream, std::uint32_t& sequence, std::size_t frames,
                       std::uint64_t sent_ns);

// For every μ-law byte, a 16-bit sample that audio::linear_to_ulaw encodes as that byte; for 0x7F,
// which it never produces, 0 (encoded as 0xFF).
const std::array<std::int16_t, 256>& pcm_preimages();

// Appends one s16le sample per μ-law byte of `ulaw` to `out` (pcm_preimages: an exact round trip
// through sonoria's encoder for every byte but 0x7F).
void append_exact_pcm16le(std::string& out, std::string_view ulaw);

// Whether `value`'s bytes (little-endian, as a probe holds them) survive μ-law → PCM → μ-law: none is 0x7F.
template <class T>
constexpr bool fits_pcm(T value) {
  for (unsigned byte = 0; byte < sizeof(T); ++byte)
    if (((value >> (8 * byte)) & 0xFF) == 0x7F) return false;
  return true;
}

}  // namespace sonoria::bench
