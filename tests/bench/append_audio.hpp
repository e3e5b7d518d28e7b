#pragma once
// The caller-audio path of the bench engine, built to cost next to nothing per frame: finding the
// base64 `audio` of an input_audio_buffer.append by scanning the text (no JSON document), and
// decoding it straight into fixed 160-byte frames (20 ms of μ-law, the probe frame size), carrying
// a partial frame over to the next append (or cutting raw μ-law binary frames the same way). Pure; not thread-safe (one assembler per connection).

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "core/simulate/probe.hpp"
#include "core/twilio/base64.hpp"

namespace sonoria::bench {

// The base64 payload of `text` when it is an input_audio_buffer.append in the plain shape sonoria
// writes ({"type":"input_audio_buffer.append","audio":"…"}, any key order, optional whitespace).
// nullopt when it is another event, or an append this scanner is unsure about (an escape inside the
// payload, no "audio" key): the caller then gives the text to a real JSON parser. Never allocates.
std::optional<std::string_view> scan_append_audio(std::string_view text) noexcept;

// Base64 digit values ('=' reads as 0; its bytes are skipped by the decoder).
inline constexpr std::array<std::uint8_t, 256> k_base64_values = [] {
  std::array<std::uint8_t, 256> v{};
  for (int i = 0; i < 26; ++i) v[static_cast<std::size_t>('A' + i)] = static_cast<std::uint8_t>(i);
  for (int i = 0; i < 26; ++i) v[static_cast<std::size_t>('a' + i)] = static_cast<std::uint8_t>(26 + i);
  for (int i = 0; i < 10; ++i) v[static_cast<std::size_t>('0' + i)] = static_cast<std::uint8_t>(52 + i);
  v['+'] = 62;
  v['/'] = 63;
  return v;
}();

class FrameAssembler {
 public:
  static constexpr std::size_t k_frame = simulate::k_frame_bytes;

  // Decodes `b64` and calls on_frame(std::string_view frame) for every complete 160-byte frame,
  // in order; a trailing partial frame waits for the next call. Returns false, decoding nothing,
  // when `b64` is not valid padded base64.
  template <class OnFrame>
  bool feed(std::string_view b64, OnFrame&& on_frame) {
    if (!twilio::is_valid_base64(b64)) return false;
    for (std::size_t i = 0; i + 4 <= b64.size(); i += 4) {
      const std::uint32_t a = k_base64_values[static_cast<unsigned char>(b64[i])];
      const std::uint32_t b = k_base64_values[static_cast<unsigned char>(b64[i + 1])];
      const std::uint32_t c = k_base64_values[static_cast<unsigned char>(b64[i + 2])];
      const std::uint32_t d = k_base64_values[static_cast<unsigned char>(b64[i + 3])];
      const std::uint32_t bits = (a << 18) | (b << 12) | ((c & 63) << 6) | (d & 63);
      put(static_cast<char>(bits >> 16), on_frame);
      if (b64[i + 2] != '=') put(static_cast<char>((bits >> 8) & 0xFF), on_frame);
      if (b64[i + 3] != '=') put(static_cast<char>(bits & 0xFF), on_frame);
    }
    return true;
  }

  // The same for raw μ-law bytes (Deepgram's binary frames): whole frames are handed on in place.
  template <class OnFrame>
  void feed_raw(std::string_view bytes, OnFrame&& on_frame) {
    while (!bytes.empty()) {
      if (fill_ == 0 && bytes.size() >= k_frame) {
        on_frame(bytes.substr(0, k_frame));
        bytes.remove_prefix(k_frame);
        continue;
      }
      const std::size_t n = std::min(k_frame - fill_, bytes.size());
      std::memcpy(frame_.data() + fill_, bytes.data(), n);
      fill_ += n;
      bytes.remove_prefix(n);
      if (fill_ == k_frame) {
        fill_ = 0;
        on_frame(std::string_view(frame_.data(), k_frame));
      }
    }
  }

  std::size_t pending() const noexcept { return fill_; }

 private:
  template <class OnFrame>
  void put(char byte, OnFrame& on_frame) {
    frame_[fill_++] = byte;
    if (fill_ == k_frame) {
      fill_ = 0;
      on_frame(std::string_view(frame_.data(), k_frame));
    }
  }

  std::array<char, k_frame> frame_{};
  std::size_t fill_ = 0;
};

}  // namespace sonoria::bench
