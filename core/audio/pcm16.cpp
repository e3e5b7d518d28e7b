#include "core/audio/pcm16.hpp"

#include <cstdint>

#include "core/audio/g711.hpp"

namespace sonoria::audio {
namespace {

std::int16_t sample_of(unsigned char low, unsigned char high) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(low | (high << 8)));
}

}  // namespace

void ulaw_to_pcm16le(std::string_view ulaw, std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + ulaw.size() * 2);
  char* p = out.data() + start;
  for (char code : ulaw) {
    const auto sample = static_cast<std::uint16_t>(ulaw_to_linear(static_cast<std::uint8_t>(code)));
    *p++ = static_cast<char>(sample & 0xFF);
    *p++ = static_cast<char>(sample >> 8);
  }
}

std::string ulaw_to_pcm16le(std::string_view ulaw) {
  std::string out;
  ulaw_to_pcm16le(ulaw, out);
  return out;
}

std::string pcm16le_to_ulaw(std::string_view pcm) {
  std::string out(pcm.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto sample = sample_of(static_cast<unsigned char>(pcm[2 * i]), static_cast<unsigned char>(pcm[2 * i + 1]));
    out[i] = static_cast<char>(linear_to_ulaw(sample));
  }
  return out;
}

void Pcm16leToUlawStream::push(std::string_view pcm, std::string& out) {
  if (pcm.empty()) return;
  if (has_carry_) {
    out.push_back(static_cast<char>(linear_to_ulaw(sample_of(carry_, static_cast<unsigned char>(pcm[0])))));
    has_carry_ = false;
    pcm.remove_prefix(1);
  }
  const std::size_t samples = pcm.size() / 2;
  out.reserve(out.size() + samples);
  for (std::size_t i = 0; i < samples; ++i)
    out.push_back(static_cast<char>(
        linear_to_ulaw(sample_of(static_cast<unsigned char>(pcm[2 * i]), static_cast<unsigned char>(pcm[2 * i + 1])))));
  if (pcm.size() % 2 != 0) {
    carry_ = static_cast<unsigned char>(pcm.back());
    has_carry_ = true;
  }
}

std::string Pcm16leToUlawStream::push(std::string_view pcm) {
  std::string out;
  push(pcm, out);
  return out;
}

}  // namespace sonoria::audio
