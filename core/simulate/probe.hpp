#pragma once
// Probe frames: how the relay benchmark measures sonoria from outside without trusting it.
//
// A probe is a 24-byte header written over the start of a 20 ms μ-law frame (160 bytes) by whoever
// sends the audio (`sonoria simulate --probe` for caller audio, the bench engine for assistant
// audio). sonoria forwards μ-law payloads untouched, so the receiver finds the header again and
// learns which stream and frame it is (lost and reordered frames) and when it was sent (relay
// latency: both ends read CLOCK_MONOTONIC, which Linux shares between processes on one machine).
// The rest of the frame is ordinary audio; the `speech` flag tells a bench engine's VAD what the
// frame stands for, since the header bytes themselves are not silence.
//
// Layout, little-endian: "SNP1" | stream u32 | sequence u32 | sent_ns u64 | flags u8 | 3 × 0xA5.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sonoria::simulate {

inline constexpr std::size_t k_probe_size = 24;
inline constexpr std::size_t k_frame_bytes = 160;  // 20 ms of 8 kHz μ-law

struct Probe {
  std::uint32_t stream = 0;    // chosen by the sender: the call's index, a connection's number
  std::uint32_t sequence = 0;  // consecutive per stream, from 0
  std::uint64_t sent_ns = 0;   // monotonic_ns() when the frame left the sender
  bool speech = false;         // the frame stands for caller speech (bench VAD), not silence
};

// CLOCK_MONOTONIC in nanoseconds (the same clock in every process on the machine).
std::uint64_t monotonic_ns() noexcept;

// Writes the header over the first k_probe_size bytes of `frame` (which must be at least that long).
void stamp_probe(std::string& frame, const Probe& probe) noexcept;

// The header at the start of `frame`, or nullopt when the bytes are not one.
std::optional<Probe> read_probe(std::string_view frame) noexcept;

}  // namespace sonoria::simulate
