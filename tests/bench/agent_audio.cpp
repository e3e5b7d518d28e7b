#include "tests/bench/agent_audio.hpp"

#include <cmath>
#include <numbers>

#include "core/audio/g711.hpp"
#include "core/simulate/probe.hpp"

namespace sonoria::bench {

const std::string& tone_frame() {
  static const std::string frame = [] {
    std::string f(simulate::k_frame_bytes, '\0');
    for (std::size_t i = 0; i < f.size(); ++i) {
      const double s = 8000.0 * std::sin(2.0 * std::numbers::pi * 400.0 * static_cast<double>(i) / 8000.0);
      f[i] = static_cast<char>(audio::linear_to_ulaw(static_cast<std::int16_t>(s)));
    }
    return f;
  }();
  return frame;
}

void append_probe_tone(std::string& out, std::uint32_t stream, std::uint32_t& sequence, std::size_t frames,
                       std::uint64_t sent_ns) {
  thread_local std::string frame;  // reused: assigning keeps its capacity
  for (std::size_t f = 0; f < frames; ++f) {
    frame = tone_frame();
    simulate::stamp_probe(frame, {stream, sequence++, sent_ns, true});
    out += frame;
  }
}

const std::array<std::int16_t, 256>& pcm_preimages() {
  static const std::array<std::int16_t, 256> table = [] {
    std::array<std::int16_t, 256> t{};
    std::array<bool, 256> found{};
    for (int code = 0; code < 256; ++code) {
      const std::int16_t decoded = audio::ulaw_to_linear(static_cast<std::uint8_t>(code));
      if (audio::linear_to_ulaw(decoded) == code) {
        t[static_cast<std::size_t>(code)] = decoded;
        found[static_cast<std::size_t>(code)] = true;
      }
    }
    // 0x7F (negative zero) is never produced by the encoder: it is sent as silence.
    for (int code = 0; code < 256; ++code)
      if (!found[static_cast<std::size_t>(code)]) t[static_cast<std::size_t>(code)] = 0;
    return t;
  }();
  return table;
}

void append_exact_pcm16le(std::string& out, std::string_view ulaw) {
  const auto& table = pcm_preimages();
  const std::size_t at = out.size();
  out.resize(at + ulaw.size() * 2);
  char* p = out.data() + at;
  for (const char byte : ulaw) {
    const auto sample = static_cast<std::uint16_t>(table[static_cast<unsigned char>(byte)]);
    *p++ = static_cast<char>(sample & 0xFF);
    *p++ = static_cast<char>(sample >> 8);
  }
}

}  // namespace sonoria::bench
