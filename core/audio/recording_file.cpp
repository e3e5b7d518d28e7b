#include "core/audio/recording_file.hpp"

#include <algorithm>

#include "core/audio/g711.hpp"
#include "core/audio/wav.hpp"

namespace sonoria::audio {
namespace {

bool safe_part(std::string_view part) {
  if (part.empty() || part.size() > 100 || part == "." || part == "..") return false;
  return std::all_of(part.begin(), part.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

}  // namespace

std::string recording_relative_path(std::string_view organization_slug, std::string_view day, std::string_view call_sid) {
  if (!safe_part(organization_slug) || !safe_part(day) || !safe_part(call_sid)) return "";
  return std::string(organization_slug) + "/" + std::string(day) + "/" + std::string(call_sid) + ".wav";
}

std::filesystem::path recordings_directory(const std::filesystem::path& database_path) {
  return database_path.parent_path() / "recordings";
}

std::uint64_t served_wav_size(std::uint64_t samples) { return k_pcm_wav_header_bytes + 2 * samples; }

SampleWindow samples_for_bytes(std::uint64_t total_samples, std::uint64_t first, std::uint64_t last) {
  const std::uint64_t header = k_pcm_wav_header_bytes;
  if (last < header) return {0, 0};
  const std::uint64_t from = first < header ? 0 : (first - header) / 2;
  const std::uint64_t to = std::min((last - header) / 2, total_samples == 0 ? 0 : total_samples - 1);
  if (total_samples == 0 || from > to) return {from, 0};
  return {from, to - from + 1};
}

std::string served_wav_bytes(std::uint64_t total_samples, std::uint64_t first, std::uint64_t last, std::string_view window) {
  std::string out;
  if (last < first) return out;
  const std::uint64_t header_size = k_pcm_wav_header_bytes;
  if (first < header_size) {
    const std::string header =
        pcm_wav_header(static_cast<std::uint32_t>(std::min<std::uint64_t>(total_samples, 0xFFFFFFFFull)), 8000);
    out += header.substr(first, std::min(last, header_size - 1) - first + 1);
  }
  if (last < header_size) return out;
  const SampleWindow w = samples_for_bytes(total_samples, first, last);
  const std::uint64_t data_first = std::max(first, header_size) - header_size;  // byte offset in the PCM data
  const std::uint64_t data_last = last - header_size;
  for (std::uint64_t s = w.first_sample; s < w.first_sample + w.samples; ++s) {
    const std::size_t i = static_cast<std::size_t>(s - w.first_sample);
    const std::int16_t v = i < window.size() ? ulaw_to_linear(static_cast<std::uint8_t>(window[i])) : 0;
    const auto u = static_cast<std::uint16_t>(v);
    const char bytes[2] = {static_cast<char>(u & 0xFF), static_cast<char>(u >> 8)};
    for (int b = 0; b < 2; ++b) {
      const std::uint64_t at = 2 * s + static_cast<std::uint64_t>(b);
      if (at >= data_first && at <= data_last) out += bytes[b];
    }
  }
  return out;
}

}  // namespace sonoria::audio
