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

UlawToPcm16leStream::UlawToPcm16leStream(int pcm_rate) : pcm_rate_(pcm_rate) {
  if (pcm_rate != 8000) resampler_.emplace(8000, pcm_rate);
}

void UlawToPcm16leStream::push(std::string_view ulaw, std::string& out) {
  if (!resampler_) return ulaw_to_pcm16le(ulaw, out);
  linear_.resize(ulaw.size());
  for (std::size_t i = 0; i < ulaw.size(); ++i) linear_[i] = ulaw_to_linear(static_cast<std::uint8_t>(ulaw[i]));
  resampled_.clear();
  resampler_->push(linear_, resampled_);
  const std::size_t start = out.size();
  out.resize(start + resampled_.size() * 2);
  char* p = out.data() + start;
  for (const std::int16_t v : resampled_) {
    const auto sample = static_cast<std::uint16_t>(v);
    *p++ = static_cast<char>(sample & 0xFF);
    *p++ = static_cast<char>(sample >> 8);
  }
}

Pcm16leToUlawStream::Pcm16leToUlawStream(int pcm_rate) : pcm_rate_(pcm_rate) {
  if (pcm_rate != 8000) resampler_.emplace(pcm_rate, 8000);
}

void Pcm16leToUlawStream::reset() {
  has_carry_ = false;
  if (resampler_) resampler_->reset();
}

void Pcm16leToUlawStream::flush(std::string& out) {
  has_carry_ = false;
  if (!resampler_) return;
  resampled_.clear();
  resampler_->flush(resampled_);
  for (const std::int16_t v : resampled_) out.push_back(static_cast<char>(linear_to_ulaw(v)));
}

void Pcm16leToUlawStream::encode(const std::int16_t* samples, std::size_t n, std::string& out) {
  if (!resampler_) {
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(linear_to_ulaw(samples[i])));
    return;
  }
  resampled_.clear();
  resampler_->push(std::span<const std::int16_t>(samples, n), resampled_);
  for (const std::int16_t v : resampled_) out.push_back(static_cast<char>(linear_to_ulaw(v)));
}

void Pcm16leToUlawStream::push(std::string_view pcm, std::string& out) {
  if (pcm.empty()) return;
  linear_.clear();
  if (has_carry_) {
    linear_.push_back(sample_of(carry_, static_cast<unsigned char>(pcm[0])));
    has_carry_ = false;
    pcm.remove_prefix(1);
  }
  const std::size_t samples = pcm.size() / 2;
  linear_.reserve(linear_.size() + samples);
  for (std::size_t i = 0; i < samples; ++i)
    linear_.push_back(sample_of(static_cast<unsigned char>(pcm[2 * i]), static_cast<unsigned char>(pcm[2 * i + 1])));
  if (pcm.size() % 2 != 0) {
    carry_ = static_cast<unsigned char>(pcm.back());
    has_carry_ = true;
  }
  out.reserve(out.size() + linear_.size());
  encode(linear_.data(), linear_.size(), out);
}

std::string Pcm16leToUlawStream::push(std::string_view pcm) {
  std::string out;
  push(pcm, out);
  return out;
}

}  // namespace sonoria::audio
