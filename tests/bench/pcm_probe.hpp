#pragma once
// Caller audio that reaches the engine as s16le PCM (Ultravox): sonoria decodes the caller's μ-law
// with G.711 before sending it, and the engine encodes it back into 160-byte μ-law frames to find
// the probes `sonoria simulate --probe` stamped. The round trip is exact for every byte but two:
// 0x7F and 0xFF both decode to sample 0, which encodes as 0xFF. A probe header byte that came as
// sample 0 is therefore one of two values, and read_probe_via_pcm picks the one that fits what the
// connection has seen (its stream, the sequence it expects next) and the clock (a probe was sent
// before it arrived). Magic, flags and padding never hold either value, so a header is still
// recognised. What may remain wrong, on the 2 or so frames in 100 whose timestamp has an ambiguous
// low byte: their latency, by under 33 µs (bytes 0 and 1), or by 8.4 ms when it exceeds 8.4 ms (byte 2).
// Pure; not thread-safe (one assembler per connection).

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "core/audio/g711.hpp"
#include "core/simulate/probe.hpp"

namespace sonoria::bench {

// Where a probe header byte came as sample 0: bit i for byte i (i < simulate::k_probe_size).
using ZeroSamples = std::uint32_t;

class PcmFrameAssembler {
 public:
  static constexpr std::size_t k_frame_samples = simulate::k_frame_bytes;
  static constexpr std::size_t k_frame_pcm_bytes = 2 * k_frame_samples;

  // Re-encodes `pcm` (s16le) and calls on_frame(std::string_view ulaw, ZeroSamples zeros) for every
  // complete 160-sample frame, in order; the rest (a partial frame, or half a sample) waits for the
  // next call.
  template <class OnFrame>
  void feed(std::string_view pcm, OnFrame&& on_frame) {
    while (!pcm.empty()) {
      if (fill_ == 0 && pcm.size() >= k_frame_pcm_bytes) {
        emit(pcm.data(), on_frame);
        pcm.remove_prefix(k_frame_pcm_bytes);
        continue;
      }
      const std::size_t n = std::min(k_frame_pcm_bytes - fill_, pcm.size());
      std::memcpy(pcm_.data() + fill_, pcm.data(), n);
      fill_ += n;
      pcm.remove_prefix(n);
      if (fill_ == k_frame_pcm_bytes) {
        fill_ = 0;
        emit(pcm_.data(), on_frame);
      }
    }
  }

  std::size_t pending_bytes() const noexcept { return fill_; }

 private:
  template <class OnFrame>
  void emit(const char* pcm, OnFrame& on_frame) {
    ZeroSamples zeros = 0;
    for (std::size_t i = 0; i < k_frame_samples; ++i) {
      const auto lo = static_cast<std::uint16_t>(static_cast<unsigned char>(pcm[2 * i]));
      const auto hi = static_cast<std::uint16_t>(static_cast<unsigned char>(pcm[2 * i + 1]));
      const auto sample = static_cast<std::int16_t>(static_cast<std::uint16_t>(lo | (hi << 8)));
      ulaw_[i] = static_cast<char>(audio::linear_to_ulaw(sample));
      if (sample == 0 && i < simulate::k_probe_size) zeros |= ZeroSamples{1} << i;
    }
    on_frame(std::string_view(ulaw_.data(), k_frame_samples), zeros);
  }

  std::array<char, k_frame_pcm_bytes> pcm_{};
  std::size_t fill_ = 0;
  std::array<char, k_frame_samples> ulaw_{};
};

// What the connection knows when a probe's bytes are ambiguous.
struct ProbeContext {
  std::optional<std::uint32_t> stream;         // the stream of the last probe on this connection
  std::optional<std::uint32_t> next_sequence;  // what that stream expects next
  std::uint64_t now_ns = 0;                    // when the frame arrived
};

// The probe at the start of `ulaw` (re-encoded by PcmFrameAssembler with `zeros`), each ambiguous
// header byte resolved: the stream to `context.stream` when it is one of the candidates (else the
// smallest: any fixed choice keeps a connection's sequence check consistent); the sequence to the
// candidate nearest `context.next_sequence` on that stream (else the smallest); sent_ns to the
// latest candidate not after `context.now_ns` (else the earliest). nullopt when there is no probe.
std::optional<simulate::Probe> read_probe_via_pcm(std::string_view ulaw, ZeroSamples zeros,
                                                  const ProbeContext& context);

}  // namespace sonoria::bench
